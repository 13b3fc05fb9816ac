"""Settings → AI provider (the key write-only and encrypted) and the log of AI calls."""

import pytest

from parley.assist.models import ProviderCall, ProviderSettings

pytestmark = pytest.mark.django_db

ADD = "/django-admin/assist/providersettings/add/"
FORM = {"url": "https://llm.example/v1", "model": "gpt-4o-mini", "timeout": "20"}
FORM["max_tokens"] = "600"


def test_the_key_is_stored_encrypted_and_never_shown_again(client, admin):
    client.force_login(admin)

    saved = client.post(ADD, {**FORM, "enabled": "on", "api_key": "sk-live-1234567890wxyz"})
    settings = ProviderSettings.current()
    change = f"/django-admin/assist/providersettings/{settings.pk}/change/"
    page = client.get(change).content.decode()
    kept = client.post(change, {**FORM, "enabled": "on", "api_key": ""})

    assert saved.status_code == 302 and kept.status_code == 302
    assert "sk-live-1234567890wxyz" not in str(settings.encrypted_secrets)
    assert "sk-live-1234567890wxyz" not in page and "••••wxyz" in page
    assert ProviderSettings.current().secret("api_key") == "sk-live-1234567890wxyz"
    assert ProviderSettings.current().ready


def test_the_key_can_be_removed_for_a_server_without_keys(client, admin):
    settings = ProviderSettings(url="http://127.0.0.1:11434/v1", model="llama3")
    settings.set_secret("api_key", "old-key-0123456789")
    settings.save()
    client.force_login(admin)

    client.post(
        f"/django-admin/assist/providersettings/{settings.pk}/change/",
        {**FORM, "url": settings.url, "remove_key": "on"},
    )

    assert ProviderSettings.current().secret("api_key") == ""


@pytest.mark.parametrize(
    ("fields", "says"),
    [
        ({"url": "http://169.254.169.254/v1"}, "Link-local"),
        ({"url": "https://user:pw@llm.example/v1"}, "No user name or password"),
        ({"url": "ftp://llm.example/"}, "starting with https://"),
        ({"model": ""}, "give its URL and a model"),
        ({"timeout": "600"}, "less than or equal to 60"),
    ],
    ids=["metadata_case", "credentials_case", "scheme_case", "no_model_case", "timeout_case"],
)
def test_settings_that_cannot_work_are_refused_with_a_reason(client, admin, fields, says):
    client.force_login(admin)

    response = client.post(ADD, {**FORM, "enabled": "on", **fields})

    assert response.status_code == 200  # the form again, with the error
    assert says in response.content.decode()
    assert not ProviderSettings.objects.exists()


def test_the_provider_is_off_until_an_admin_turns_it_on(db):
    assert not ProviderSettings.current().ready
    assert not ProviderSettings(url="https://llm.example/v1", model="m").ready


def test_admins_see_every_call_and_agents_do_not(client, admin, agent):
    ProviderCall.objects.create(
        agent=agent, action="draft", model="gpt-test", prompt_tokens=120, completion_tokens=40,
        duration_ms=850, ok=True,
    )  # fmt: skip
    client.force_login(admin)

    page = client.get("/django-admin/assist/providercall/").content.decode()

    assert "Sam Agent" in page and "gpt-test" in page and "850" in page
    assert client.post("/django-admin/assist/providercall/add/").status_code == 403
    client.force_login(agent)
    assert client.get("/django-admin/assist/providercall/").status_code == 302
