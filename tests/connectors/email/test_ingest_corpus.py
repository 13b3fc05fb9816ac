"""Real-world and generated mail through the whole pipeline: stored as received, processed
by the task, and each message a person wrote becomes exactly one message in a conversation
with the subject, sender, body and attachments the parser read. Bounces, reports and
automatic replies that answer nothing of ours are kept as unprocessed events instead."""

import pytest

from parley.connectors.email.mime import parse_mail
from parley.conversations.models import Conversation, InboundEvent, InboundStatus, Message
from parley.customers.normalize import normalize_email
from tests import factories
from tests.fakes.mailgen import generate_mail

from .test_parse_corpus import CORPUS, EXPECTED


@pytest.fixture
def ingest(db, receive, settings):
    settings.PARLEY_EMAIL_SENDER_LIMIT = 100_000

    def ingest(raw: bytes):
        # A mailbox per message: corpus files share Message-IDs and senders on purpose.
        mailbox = factories.make_channel("email", address="support@shop.example")
        event = receive(mailbox, raw)
        event.refresh_from_db()
        return mailbox, event

    return ingest


def assert_one_message_as_parsed(mailbox, raw: bytes) -> None:
    parsed = parse_mail(raw)
    [message] = Message.objects.filter(channel=mailbox)
    conversation = message.conversation
    assert conversation.subject == (" ".join(parsed.subject.split()) or "(no subject)")[:255]
    assert message.text == parsed.text.replace("\x00", "\ufffd")
    assert message.external_id == (parsed.message_id or message.external_id)[:255]
    # Replies go to Reply-To when it holds an address, else to From.
    sender = next(a for a in (*parsed.reply_to, parsed.sender) if a and a.addr)
    assert conversation.customer.identities.get().value == normalize_email(sender.addr)
    assert sorted(message.attachments.values_list("filename", flat=True)) == sorted(
        a.filename for a in parsed.attachments
    )


@pytest.mark.parametrize("facts", EXPECTED, ids=[f["file"] for f in EXPECTED])
def test_real_world_mail_is_ingested_without_error(ingest, facts):
    raw = (CORPUS / facts["file"]).read_bytes()

    mailbox, event = ingest(raw)

    assert event.status != InboundStatus.FAILED, event.error
    if event.status == InboundStatus.IGNORED:
        # Only machines' mail (or mail with no address to answer) is held back.
        parsed = parse_mail(raw)
        assert parsed.bounce or parsed.report_type or parsed.is_auto_reply or not parsed.sender
        assert not Message.objects.filter(channel=mailbox).exists()
    else:
        assert_one_message_as_parsed(mailbox, raw)


def test_a_thousand_generated_mails_become_a_thousand_messages(db, receive, settings):
    settings.PARLEY_EMAIL_SENDER_LIMIT = 100_000
    mailbox = factories.make_channel("email", address="support@shop.example")
    expected = {}
    for index in range(1000):
        raw, facts = generate_mail(index)
        receive(mailbox, raw)
        expected[facts["message_id"]] = facts

    assert InboundEvent.objects.filter(status=InboundStatus.PROCESSED).count() == 1000
    messages = Message.objects.filter(channel=mailbox).select_related("conversation")
    assert messages.count() == Conversation.objects.count() == 1000
    for message in messages.prefetch_related("attachments"):
        facts = expected[message.external_id]
        assert message.conversation.subject == facts["subject"]
        assert message.text == facts["text"]
        names = [a.filename for a in message.attachments.all()]
        assert sorted(names) == sorted(a[0] for a in facts["attachments"])
