"""Live chat settings on the channel admin page, and the snippet it shows."""

import pytest
from django.test import Client

from tests import factories


@pytest.fixture
def settings_page(admin):
    client = Client()
    client.force_login(admin)
    return client


def form(chat, **changes):
    data = {"kind": "chat", "name": chat.name, "team": "", "active": "on"}
    data.update(changes)
    return data


def test_chat_settings_are_saved_from_the_admin_form(settings_page, chat):
    mailbox = factories.make_channel("email", address="help@shop.example")
    url = f"/django-admin/connectors/channel/{chat.pk}/change/"

    response = settings_page.post(
        url,
        form(
            chat,
            allowed_origins="https://shop.example/\nhttps://www.shop.example",
            ask_email="on",
            language="ko",
            time_zone="Asia/Seoul",
            hours="mon-fri 09:00-18:00",
            email_channel=str(mailbox.pk),
            identity_secret="shop-secret",
        ),
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    chat.refresh_from_db()
    assert chat.settings["allowed_origins"] == ["https://shop.example", "https://www.shop.example"]
    assert chat.settings["hours"]["fri"] == [["09:00", "18:00"]]
    assert (chat.settings["ask_email"], chat.settings["ask_name"]) == (True, False)
    assert chat.settings["email_channel_id"] == mailbox.pk
    assert chat.secret("identity_secret") == "shop-secret"


@pytest.mark.parametrize(
    ("field", "value", "problem"),
    [
        ("hours", "weekdays 9 to 5", "weekdays 9 to 5"),
        ("time_zone", "Mars/Olympus", "Mars/Olympus"),
        ("allowed_origins", "shop dot example", "shop"),
    ],
)
def test_bad_chat_settings_are_form_errors(settings_page, chat, field, value, problem):
    url = f"/django-admin/connectors/channel/{chat.pk}/change/"

    response = settings_page.post(url, form(chat, **{field: value}))

    assert response.status_code == 200
    assert problem in response.context["adminform"].form.errors[field][0]


def test_the_channel_page_shows_the_embed_snippet(settings_page, chat):
    page = settings_page.get(f"/django-admin/connectors/channel/{chat.pk}/change/")

    assert f"data-key=&quot;{chat.public_key}&quot;" in page.content.decode()
    assert "/chat/widget.js" in page.content.decode()
