"""The Korean catalogue: complete, compiled, and actually used by the UI."""

import re
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext, ngettext

from parley.conversations.models import Priority, Status

LC_MESSAGES = Path(settings.LOCALE_PATHS[0]) / "ko" / "LC_MESSAGES"
PO_PATH = LC_MESSAGES / "django.po"
MO_PATH = LC_MESSAGES / "django.mo"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


def key(entry: polib.POEntry | polib.MOEntry) -> tuple[str | None, str, str]:
    return (entry.msgctxt or None, entry.msgid, entry.msgid_plural or "")


def translations(entries: list) -> dict[tuple[str | None, str, str], object]:
    result: dict[tuple[str | None, str, str], object] = {}
    for entry in entries:
        if entry.msgid_plural:
            result[key(entry)] = tuple(sorted(entry.msgstr_plural.items()))
        else:
            result[key(entry)] = entry.msgstr
    return result


@pytest.fixture(scope="module")
def po() -> polib.POFile:
    return polib.pofile(str(PO_PATH))


def test_language_is_configured():
    assert "ko" in dict(settings.LANGUAGES)
    assert PO_PATH.is_file()
    assert MO_PATH.is_file()


def test_compiled_catalogue_matches_the_po_file(po):
    mo = polib.mofile(str(MO_PATH))
    compiled = translations([e for e in mo if e.msgid])
    source = translations(po.translated_entries())

    missing = sorted(k[1] for k in source.keys() - compiled.keys())
    stale = sorted(k[1] for k in compiled.keys() - source.keys())
    changed = sorted(k[1] for k in source.keys() & compiled.keys() if source[k] != compiled[k])
    hint = "recompile django.mo from django.po"
    assert not missing, f"{hint}; not compiled: {missing}"
    assert not stale, f"{hint}; only in the .mo: {stale}"
    assert not changed, f"{hint}; different in the .mo: {changed}"
    assert mo.metadata.get("Plural-Forms") == po.metadata.get("Plural-Forms")


def test_every_entry_is_translated_and_not_fuzzy(po):
    assert not po.metadata_is_fuzzy
    assert po.metadata.get("Language") == "ko"
    assert po.metadata.get("Plural-Forms", "").replace(" ", "") == "nplurals=1;plural=0;"

    entries = [e for e in po if not e.obsolete]
    assert len(entries) > 50
    assert not [e.msgid for e in entries if "fuzzy" in e.flags]
    assert not [e.msgid for e in entries if not e.translated()]
    for entry in entries:
        if entry.msgid_plural:
            assert set(entry.msgstr_plural) == {0}, entry.msgid
            assert entry.msgstr_plural[0].strip(), entry.msgid
        else:
            assert entry.msgstr.strip(), entry.msgid


def test_placeholders_are_kept(po):
    for entry in po:
        if entry.obsolete:
            continue
        wanted = set(PLACEHOLDER.findall(entry.msgid))
        if entry.msgid_plural:
            wanted |= set(PLACEHOLDER.findall(entry.msgid_plural))
            translated = list(entry.msgstr_plural.values())
        else:
            translated = [entry.msgstr]
        for text in translated:
            assert set(PLACEHOLDER.findall(text)) == wanted, entry.msgid


@pytest.mark.parametrize(
    ("english", "korean"),
    [
        ("Inbox", "받은편지함"),
        ("Internal note", "내부 메모"),
        ("Resolve", "해결"),
        ("Assign", "배정"),
        ("Unassigned", "미배정"),
        ("Mine", "내 담당"),
        ("Priority", "우선순위"),
        ("Log in", "로그인"),
    ],
)
def test_key_strings_render_in_korean(english, korean):
    with translation.override("ko"):
        assert gettext(english) == korean
    with translation.override("en"):
        assert gettext(english) == english


def test_choices_plurals_and_placeholders_in_korean():
    with translation.override("ko"):
        assert str(Status.PENDING.label) == "보류"
        assert str(Priority.URGENT.label) == "긴급"
        page = ngettext(
            "Page %(n)s of %(total)s · %(found)s conversation",
            "Page %(n)s of %(total)s · %(found)s conversations",
            7,
        ) % {"n": 1, "total": 2, "found": 7}
        assert "7" in page
        assert "대화" in page
        summary = gettext("%(who)s assigned this to %(target)s") % {
            "who": "Mina",
            "target": "Billing",
        }
        assert "Mina" in summary
        assert "Billing" in summary
        assert "배정" in summary


@pytest.mark.django_db
def test_login_page_in_korean():
    page = Client().get("/login/", HTTP_ACCEPT_LANGUAGE="ko")

    assert page.status_code == 200
    html = page.content.decode()
    assert '<html lang="ko">' in html
    assert "로그인" in html
    assert "비밀번호" in html
    assert "Password" not in html


@pytest.mark.django_db
def test_login_page_stays_english_by_default():
    page = Client().get("/login/", HTTP_ACCEPT_LANGUAGE="en")

    assert page.status_code == 200
    html = page.content.decode()
    assert '<html lang="en">' in html
    assert "Password" in html
    assert "비밀번호" not in html
