"""Parley's SMTP listener inside a real `parley serve`: smtplib delivers, Parley answers."""

import smtplib
import time

import httpx
import pytest

from tests.conftest import free_port, start_server, stop_server

from .conftest import ADDRESS, customer_mail


@pytest.fixture
def mail_server(tmp_path):
    smtp_port = free_port()
    running = start_server(
        tmp_path, PARLEY_SMTP_PORT=str(smtp_port), PARLEY_MAX_EMAIL_BYTES="200000"
    )
    running.smtp_port = smtp_port
    headers, _ = running.admin_with_api_channel()
    created = httpx.post(
        running.url + "/api/v1/channels",
        headers=headers,
        json={"kind": "email", "name": "Support", "settings": {"address": ADDRESS}},
    )
    assert created.status_code == 201, created.text
    running.headers = headers
    try:
        yield running
    finally:
        stop_server(running)


def conversations(server, expected: int) -> list[dict]:
    deadline = time.monotonic() + 15
    items: list[dict] = []
    while time.monotonic() < deadline:
        items = httpx.get(
            server.url + "/api/v1/conversations",
            params={"view": "all"},
            headers=server.headers,
        ).json()["items"]
        if len(items) >= expected:
            return items
        time.sleep(0.1)
    return items


def test_mail_sent_by_smtp_becomes_a_conversation(mail_server):
    with smtplib.SMTP("127.0.0.1", mail_server.smtp_port, timeout=10) as smtp:
        refused = smtp.sendmail(
            "ann@example.com",
            [ADDRESS.replace("@", "+sales@")],
            customer_mail("배송은 언제 되나요?", subject="배송 문의"),
        )
    assert refused == {}

    [conversation] = conversations(mail_server, 1)
    assert conversation["subject"] == "배송 문의"
    assert conversation["channel"]["name"] == "Support"


def test_unknown_recipients_and_oversized_mail_are_refused_in_the_smtp_dialogue(mail_server):
    with smtplib.SMTP("127.0.0.1", mail_server.smtp_port, timeout=10) as smtp:
        with pytest.raises(smtplib.SMTPRecipientsRefused) as unknown:
            smtp.sendmail("ann@example.com", ["nobody@shop.example"], customer_mail())
        assert unknown.value.recipients["nobody@shop.example"][0] == 550

        smtp.rset()
        huge = customer_mail("x" * 300_000)
        with pytest.raises((smtplib.SMTPDataError, smtplib.SMTPSenderRefused)) as too_big:
            smtp.sendmail("ann@example.com", [ADDRESS], huge)
        assert too_big.value.smtp_code == 552

        smtp.rset()
        smtp.sendmail("ann@example.com", [ADDRESS], customer_mail(subject="Small enough"))

    [only] = conversations(mail_server, 1)
    assert only["subject"] == "Small enough"
