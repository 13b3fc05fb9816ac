"""Which URLs Parley calls, the Settings screens for Slack webhooks, webhook endpoints and
deliveries, and the builder rows of the notification actions."""

import pytest

from parley.automation.builder import Row, actions_from_rows, rows_from_rule
from parley.core.errors import InvalidInput
from parley.integrations.models import Delivery, SlackWebhook, WebhookEndpoint
from parley.integrations.notify import queue_delivery
from parley.integrations.outbound import check_url, sign
from tests.fakes.slack import FakeSlack


@pytest.mark.parametrize(
    ("url", "allow_local", "problem"),
    [
        ("https://hooks.slack.com/services/T/B/x", False, ""),
        ("https://203.0.113.5/hook", False, ""),
        ("http://crm.example/hook", False, "a URL starting with https://"),
        ("ftp://crm.example/hook", True, "a URL starting with https:// or http://"),
        ("https://169.254.169.254/latest/meta-data/", True, "link-local (cloud metadata)"),
        ("http://[::ffff:169.254.169.254]/", True, "link-local (cloud metadata)"),
        ("http://[fe80::1]/", True, "link-local"),
        ("https://[fd00:ec2::254]/", True, "link-local"),
        ("https://127.0.0.1/hook", False, "loopback addresses are not allowed"),
        ("https://localhost/hook", False, "loopback addresses are not allowed"),
        ("https://0.0.0.0/hook", False, "loopback addresses are not allowed"),
        ("http://127.0.0.1:8080/hook", True, ""),
        ("https://user:pw@crm.example/hook", False, "no user name or password"),
        ("https://", False, "a URL starting with"),
        (42, False, "a URL starting with"),
    ],
)
def test_urls_parley_may_call(settings, url, allow_local, problem):
    settings.PARLEY_NOTIFY_ALLOW_LOCAL = allow_local
    if not problem:
        assert check_url(url, "url") == url
        return
    with pytest.raises(InvalidInput) as refused:
        check_url(url, "url")
    assert refused.value.detail.startswith("url: ") and problem in refused.value.detail


def test_the_signature_covers_timestamp_and_body():
    first = sign("secret", "1700000000", b'{"a":1}')
    assert first.startswith("sha256=") and len(first) == 7 + 64
    assert first != sign("secret", "1700000001", b'{"a":1}')
    assert first != sign("secret", "1700000000", b'{"a":2}')


def test_slack_webhook_urls_are_write_only_and_checked(client, admin, settings):
    client.force_login(admin)
    bad = client.post(
        "/django-admin/integrations/slackwebhook/add/",
        {"name": "Ops", "enabled": "on", "url": "https://169.254.169.254/services/x"},
    )
    assert bad.status_code == 200 and "link-local" in bad.content.decode()
    url = "https://hooks.slack.com/services/T0/B0/secretpart1234"
    added = client.post(
        "/django-admin/integrations/slackwebhook/add/",
        {"name": "Ops", "enabled": "on", "url": url},
    )
    assert added.status_code == 302
    hook = SlackWebhook.objects.get()
    assert hook.secret("url") == url and "secretpart" not in str(hook.encrypted_secrets)
    page = client.get(f"/django-admin/integrations/slackwebhook/{hook.pk}/change/")
    assert "secretpart1234" not in page.content.decode() and "••••1234" in page.content.decode()
    kept = client.post(
        f"/django-admin/integrations/slackwebhook/{hook.pk}/change/",
        {"name": "Ops room", "enabled": "on", "url": ""},
    )
    assert kept.status_code == 302
    hook.refresh_from_db()
    assert hook.name == "Ops room" and hook.secret("url") == url


def test_webhook_endpoints_need_a_long_secret_and_an_allowed_url(client, admin):
    client.force_login(admin)
    form = {"name": "CRM", "url": "http://crm.example/hook", "enabled": "on", "signing_secret": "x"}
    refused = client.post("/django-admin/integrations/webhookendpoint/add/", form)
    text = refused.content.decode()
    assert "a URL starting with https://" in text and "At least 16 characters" in text
    form.update(url="https://crm.example/hook", signing_secret="s" * 32)
    assert client.post("/django-admin/integrations/webhookendpoint/add/", form).status_code == 302
    assert WebhookEndpoint.objects.get().secret("signing_secret") == "s" * 32


def test_deliveries_are_listed_with_their_attempts_and_can_be_replayed(
    client, admin, settings, django_capture_on_commit_callbacks
):
    settings.PARLEY_NOTIFY_ALLOW_LOCAL = True
    slack = FakeSlack().start()
    try:
        hook = SlackWebhook(name="Ops")
        hook.set_secret("url", slack.url)
        hook.save()
        slack.fail_next(404, "no_service")
        with django_capture_on_commit_callbacks(execute=True):
            delivery = queue_delivery("slack", None, "Refunds", {"text": "hi"}, slack=hook)
        client.force_login(admin)
        listed = client.get("/django-admin/integrations/delivery/?status=failed")
        assert "no_service" in listed.content.decode()
        detail = client.get(f"/django-admin/integrations/delivery/{delivery.pk}/change/")
        assert "the webhook was removed or disabled in Slack" in detail.content.decode()
        with django_capture_on_commit_callbacks(execute=True):
            replayed = client.post(
                "/django-admin/integrations/delivery/",
                {"action": "replay", "_selected_action": [delivery.pk]},
            )
        assert replayed.status_code == 302
        delivery.refresh_from_db()
        assert delivery.status == "delivered" and slack.posts == [{"text": "hi"}]
        assert [a.response_code for a in delivery.attempt_log.all()] == [404, 200]
    finally:
        slack.stop()


def test_builder_rows_for_notifications_round_trip(db):
    hook = SlackWebhook.objects.create(name="Ops alerts")
    endpoint = WebhookEndpoint.objects.create(name="CRM", url="https://crm.example/h")
    rows = [
        Row("notify_slack", "", "ops ALERTS | Refund from {customer.name} | {conversation.url}"),
        Row("notify_email", "", "ops@shop.example, lead@shop.example | New: {subject} | {preview}"),
        Row("call_webhook", "", "crm"),
    ]
    actions = actions_from_rows(rows)
    assert actions == [
        {"type": "notify_slack", "slack": hook.pk,
         "text": "Refund from {customer.name} | {conversation.url}"},
        {"type": "notify_email", "to": ["ops@shop.example", "lead@shop.example"],
         "subject": "New: {subject}", "text": "{preview}"},
        {"type": "call_webhook", "webhook": endpoint.pk},
    ]  # fmt: skip
    _, _, shown = rows_from_rule({}, actions)
    assert actions_from_rows(shown) == actions
    with pytest.raises(InvalidInput, match="action 1: no Slack webhook named “Nope”"):
        actions_from_rows([Row("notify_slack", "", "Nope | hi")])
    with pytest.raises(InvalidInput, match=r"action 1: addresses \| subject \| text"):
        actions_from_rows([Row("notify_email", "", "ops@shop.example | only a subject")])
    assert not Delivery.objects.exists()
