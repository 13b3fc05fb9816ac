"""Rule notifications: a customer message fires a rule, the notification is stored with the
firing and sent after commit to a real (fake) Slack, webhook receiver or SMTP server on
127.0.0.1; every attempt is kept, transient failures retried, permanent ones explained."""

import pytest
from django_tasks_db.models import DBTaskResult

from parley.automation.actions import save_rule
from parley.automation.effects import compile_actions
from parley.automation.engine import run_rules_for_message
from parley.automation.models import Rule
from parley.conversations.models import EntryKind
from parley.core.errors import InvalidInput
from parley.integrations.models import Delivery, DeliveryStatus, SlackWebhook, WebhookEndpoint
from parley.integrations.notify import MAX_ATTEMPTS, replay_delivery
from parley.integrations.tasks import deliver_notification
from tests import factories
from tests.fakes.slack import FakeSlack
from tests.fakes.smtp_sink import SmtpSink
from tests.fakes.webhook_receiver import WebhookReceiver

SECRET = "whsec-0123456789abcdef"


@pytest.fixture(autouse=True)
def _local_urls(settings):
    settings.PARLEY_NOTIFY_ALLOW_LOCAL = True  # the fakes listen on http://127.0.0.1


@pytest.fixture
def slack():
    fake = FakeSlack().start()
    yield fake
    fake.stop()


@pytest.fixture
def receiver():
    fake = WebhookReceiver(SECRET).start()
    yield fake
    fake.stop()


@pytest.fixture
def smtp(db, settings):
    sink = SmtpSink().start()
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", sink.port
    settings.DEFAULT_FROM_EMAIL = "parley@help.example"
    # pytest-django swaps in its in-memory outbox; these tests speak real SMTP.
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    yield sink
    sink.stop()


@pytest.fixture
def hook(db, slack):
    hook = SlackWebhook(name="Ops alerts")
    hook.set_secret("url", slack.url)
    hook.save()
    return hook


@pytest.fixture
def endpoint(db, receiver):
    endpoint = WebhookEndpoint(name="CRM", url=receiver.url)
    endpoint.set_secret("signing_secret", SECRET)
    endpoint.save()
    return endpoint


def rule(*actions: dict, name: str = "Refunds") -> Rule:
    return Rule.objects.create(
        name=name,
        trigger="message_received",
        conditions={"field": "text", "op": "contains_any", "value": ["refund"]},
        actions=list(actions),
    )


def customer_writes(commit, text: str = "I want a refund for order 1042", **extra):
    channel = factories.make_channel("api")
    with commit():
        message = factories.inbound(channel, text, sender="jane@example.com", **extra)
    return message.conversation


def queued_delivery(commit) -> Delivery:
    """The rules run on a customer message, their delivery left queued (db_task_backend)."""
    message = factories.inbound(factories.make_channel("api"), "refund please")
    with commit():
        run_rules_for_message(message)
    return Delivery.objects.get()


def test_a_rule_posts_to_slack_with_placeholders_filled_and_customer_text_escaped(
    hook, slack, commit
):
    text = "{customer.name}: {preview} {conversation.url}"
    rule({"type": "notify_slack", "slack": hook.pk, "text": text})

    conversation = customer_writes(commit, "refund <!channel> please", name="Jane <@U1>")

    assert slack.posts == [
        {
            "text": f"Jane &lt;@U1&gt;: refund &lt;!channel&gt; please "
            f"http://127.0.0.1:8000/c/{conversation.pk}/"
        }
    ]
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.response_code) == ("delivered", 1, 200)
    assert delivery.attempt_log.get().response_body == "ok"
    firing = conversation.timeline.get(kind=EntryKind.RULE_FIRED)
    assert firing.data["did"] == ["posted to Slack “Ops alerts”"]


def test_a_rule_calls_a_webhook_signed_with_the_delivery_id(endpoint, receiver, commit):
    rule({"type": "add_tags", "tags": ["refund"]}, {"type": "call_webhook", "webhook": endpoint.pk})

    conversation = customer_writes(commit)

    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.DELIVERED and receiver.rejected == []
    body = receiver.received[0]
    assert body["id"] == str(delivery.uuid) and body["event"] == "rule.fired"
    assert body["conversation"]["id"] == conversation.pk
    assert body["conversation"]["tags"] == ["refund"]  # what earlier actions did
    assert body["conversation"]["channel_kind"] == "api"
    assert body["conversation"]["priority"] == "normal"
    assert body["customer"]["id"] == conversation.customer_id
    assert body["preview"] == "I want a refund for order 1042"


def test_a_rule_sends_an_email_through_the_smtp_server(smtp, commit):
    rule({
        "type": "notify_email", "to": ["ops@shop.example"],
        "subject": "Refund asked: {subject}", "text": "{preview}\n{conversation.url}",
    })  # fmt: skip

    conversation = customer_writes(commit, subject="Refund\r\nBcc: evil@example.com")

    [sent] = smtp.delivered
    assert sent.rcpt_tos == ["ops@shop.example"]  # no header smuggled in by the subject
    message = sent.message
    assert message["Subject"] == "Refund asked: Refund Bcc: evil@example.com"
    assert message["Bcc"] is None
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["Message-ID"] == f"<{Delivery.objects.get().uuid}@parley>"
    assert f"/c/{conversation.pk}/" in message.get_content()
    assert Delivery.objects.get().status == DeliveryStatus.DELIVERED


def test_the_rule_name_is_carried_when_the_rule_is_compiled_with_it(endpoint, receiver, commit):
    conversation = customer_writes(commit)
    [effect] = compile_actions([{"type": "call_webhook", "webhook": endpoint.pk}], rule="VIP")
    with commit():
        effect.apply(conversation)
    assert receiver.received[0]["rule"] == "VIP"
    assert Delivery.objects.get().rule == "VIP"


def test_a_busy_receiver_is_asked_again_after_its_retry_after(
    endpoint, receiver, commit, db_task_backend
):
    receiver.fail_next(503, headers={"Retry-After": "120"})
    rule({"type": "call_webhook", "webhook": endpoint.pk})
    delivery = queued_delivery(commit)

    with commit():
        assert deliver_notification.call(delivery.pk) == "retrying"

    delivery.refresh_from_db()
    assert (delivery.attempts, delivery.response_code) == (1, 503)
    queued = DBTaskResult.objects.filter(task_path__endswith="deliver_notification")
    retry = queued.order_by("enqueued_at").last()
    assert (retry.run_after - retry.enqueued_at).total_seconds() == pytest.approx(120, abs=5)
    assert deliver_notification.call(delivery.pk) == "delivered"
    assert [a.succeeded for a in delivery.attempt_log.all()] == [False, True]
    assert len(receiver.received) == 1


def test_retries_stop_after_the_last_attempt(endpoint, receiver, commit, db_task_backend):
    for _ in range(MAX_ATTEMPTS):
        receiver.fail_next(500)
    rule({"type": "call_webhook", "webhook": endpoint.pk})
    delivery = queued_delivery(commit)
    outcomes = [deliver_notification.call(delivery.pk) for _ in range(MAX_ATTEMPTS)]
    assert outcomes == ["retrying"] * (MAX_ATTEMPTS - 1) + ["failed"]
    assert deliver_notification.call(delivery.pk) == "already failed"


@pytest.mark.parametrize(
    ("status", "expected"),
    [(400, "HTTP 400"), (401, "HTTP 401"), (410, "HTTP 410"), (302, "redirects are not followed")],
)
def test_a_refusal_fails_at_once_with_the_reason_kept(endpoint, receiver, commit, status, expected):
    receiver.fail_next(status, {"error": "gone"})
    rule({"type": "call_webhook", "webhook": endpoint.pk})
    customer_writes(commit)
    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.FAILED and delivery.attempts == 1
    assert expected in delivery.reason and delivery.response_code == status


def test_a_wrong_signing_secret_is_refused_by_the_receiver(endpoint, receiver, commit):
    endpoint.set_secret("signing_secret", "not-the-shared-secret")
    endpoint.save()
    rule({"type": "call_webhook", "webhook": endpoint.pk})
    customer_writes(commit)
    assert receiver.rejected == ["bad signature"] and receiver.received == []
    assert Delivery.objects.get().reason.startswith("HTTP 401")


@pytest.mark.parametrize(
    ("status", "error", "outcome", "breaks"),
    [
        (400, "invalid_payload", "failed", False),
        (403, "action_prohibited", "failed", True),
        (404, "no_service", "failed", True),
        (410, "channel_is_archived", "failed", True),
        (429, "rate_limited", "retrying", False),
        (500, "rollup_error", "retrying", False),
    ],
)
def test_slack_errors_as_documented(
    hook, slack, commit, db_task_backend, status, error, outcome, breaks
):
    slack.fail_next(status, error, {"Retry-After": "1"} if status == 429 else {})
    rule({"type": "notify_slack", "slack": hook.pk, "text": "New refund {conversation.id}"})
    delivery = queued_delivery(commit)
    with commit():
        assert deliver_notification.call(delivery.pk) == outcome
    delivery.refresh_from_db()
    assert error in delivery.reason and delivery.response_code == status
    hook.refresh_from_db()
    assert bool(hook.health_problem) is breaks


def test_replay_sends_a_failed_delivery_again_and_clears_the_slack_problem(hook, slack, commit):
    slack.fail_next(410, "channel_is_archived")
    rule({"type": "notify_slack", "slack": hook.pk, "text": "Refund {conversation.id}"})
    customer_writes(commit)
    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.FAILED

    with commit():
        replay_delivery(delivery)

    delivery.refresh_from_db()
    hook.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED and len(slack.posts) == 1
    assert delivery.attempt_log.count() == 2 and hook.health_problem == ""


def test_a_replayed_webhook_keeps_its_delivery_id_so_the_receiver_can_drop_it(
    endpoint, receiver, commit
):
    rule({"type": "call_webhook", "webhook": endpoint.pk})
    customer_writes(commit)
    with commit():
        replay_delivery(Delivery.objects.get())
    assert len(receiver.received) == 1 and receiver.repeats == [receiver.received[0]["id"]]


@pytest.mark.parametrize(
    ("answer", "outcome"),
    [("451 4.3.0 try later", "retrying"), ("550 5.1.1 no such user", "failed")],
)
def test_smtp_answers_decide_retry_or_failure(smtp, commit, db_task_backend, answer, outcome):
    smtp.refuse.append(answer)
    rule({"type": "notify_email", "to": ["ops@shop.example"], "subject": "S", "text": "T"})
    delivery = queued_delivery(commit)
    with commit():
        assert deliver_notification.call(delivery.pk) == outcome
    delivery.refresh_from_db()
    assert answer.split()[0] in delivery.reason


def test_a_disabled_endpoint_is_reported_on_the_timeline(endpoint, receiver, commit):
    rule({"type": "call_webhook", "webhook": endpoint.pk})
    WebhookEndpoint.objects.update(enabled=False)
    conversation = customer_writes(commit)
    firing = conversation.timeline.get(kind=EntryKind.RULE_FIRED)
    assert firing.data["did"] == ["did not call webhook “CRM”: it was deleted or disabled"]
    assert receiver.received == [] and not Delivery.objects.exists()


@pytest.mark.parametrize(
    ("action", "problem"),
    [
        ({"type": "notify_slack", "slack": "HOOK", "text": "Hi {customer.email}"},
         "actions[0].text: unknown placeholder {customer.email}"),
        ({"type": "notify_slack", "slack": "HOOK", "text": "{conversation.__class__}"},
         "unknown placeholder {conversation.__class__}"),
        ({"type": "notify_slack", "slack": 999, "text": "x"},
         "actions[0].slack: no such Slack webhook 999"),
        ({"type": "notify_slack", "slack": "1", "text": "x"}, "actions[0].slack: an id"),
        ({"type": "notify_slack", "slack": "HOOK"}, "actions[0].text: 1 to 3000 characters"),
        ({"type": "call_webhook"}, "actions[0].webhook: an id"),
        ({"type": "call_webhook", "webhook": 999}, "no such webhook endpoint 999"),
        ({"type": "notify_email", "to": ["not an address"], "subject": "s", "text": "t"},
         "actions[0].to: 'not an address' is not an e-mail address"),
        ({"type": "notify_email", "to": [1042], "subject": "s", "text": "t"},
         "actions[0].to: '1042' is not an e-mail address"),
        ({"type": "notify_email", "to": "ops@shop.example", "subject": "s", "text": "t"},
         "actions[0].to: 1 to 20 e-mail addresses"),
        ({"type": "notify_email", "to": ["ops@shop.example"], "subject": "{rule}", "text": "{x}"},
         "actions[0].text: unknown placeholder {x}"),
    ],
)  # fmt: skip
def test_hostile_notifications_are_refused_naming_the_part(hook, action, problem):
    action = {key: hook.pk if value == "HOOK" else value for key, value in action.items()}
    with pytest.raises(InvalidInput) as refused:
        compile_actions([action])
    assert problem in refused.value.detail


def test_the_rules_api_accepts_notifications_and_refuses_unknown_placeholders(api, hook, endpoint):
    body = {
        "name": "Tell ops",
        "trigger": "message_received",
        "conditions": {},
        "actions": [
            {"type": "notify_slack", "slack": hook.pk, "text": "{rule}: {conversation.url}"},
            {"type": "notify_email", "to": ["ops@shop.example"], "subject": "{subject}",
             "text": "{preview}"},
            {"type": "call_webhook", "webhook": endpoint.pk},
        ],
    }  # fmt: skip
    created = api.post("/api/v1/rules", body, content_type="application/json")
    assert created.status_code == 201, created.content
    assert slack_url_not_in(created.content, hook)
    body["actions"][0]["text"] = "{conversation.customer.secret}"
    refused = api.post("/api/v1/rules", body, content_type="application/json")
    assert refused.status_code == 400
    assert "actions[0].text: unknown placeholder" in refused.json()["detail"]


def slack_url_not_in(content: bytes, hook: SlackWebhook) -> bool:
    return hook.secret("url").encode() not in content


def test_saving_through_the_domain_action_checks_notifications(admin, hook):
    action = {"type": "notify_slack", "slack": hook.pk + 100, "text": "x"}
    with pytest.raises(InvalidInput, match=r"actions\[0\]\.slack: no such Slack webhook"):
        save_rule(admin, None, name="x", trigger="created", conditions={}, actions=[action])
    assert not Rule.objects.exists()


def test_an_answer_with_nul_bytes_is_recorded_not_lost(db, commit, db_task_backend):
    """PostgreSQL text cannot hold NUL: a receiver's raw answer must not fail the record."""
    from parley.integrations.notify import record_attempt
    from parley.integrations.outbound import Outcome

    delivery = queued_delivery_of_email(commit)
    body = "busy\x00\x00"
    record_attempt(delivery, Outcome(False, f"HTTP 503: {body}", 503, body, retry_after=0), 5)

    delivery.refresh_from_db()
    attempt = delivery.attempt_log.get()
    assert delivery.status == DeliveryStatus.RETRYING
    assert "\x00" not in attempt.response_body + attempt.reason + delivery.reason
    assert attempt.response_body == "busy\ufffd\ufffd"


def queued_delivery_of_email(commit) -> Delivery:
    rule({"type": "notify_email", "to": ["ops@shop.example"], "subject": "s", "text": "t"})
    return queued_delivery(commit)
