"""The only code that writes saved replies, signatures and the brand tone."""

import re

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from parley.accounts.models import Agent, Team
from parley.conversations.models import Conversation
from parley.core.errors import InvalidInput, PermissionDenied

from .models import BrandTone, SavedReply, Signature, SignatureKind
from .queries import body_for
from .render import check_body, render
from .variables import customer_language, values_for

SCOPES = ("personal", "team", "workspace")
LANGUAGE = re.compile(r"[a-z]{2,3}(-[a-z0-9]{2,8})?")
SHORTCUT = re.compile(r"[\w-]{0,40}")
MAX_TAGS, MAX_TAG, MAX_VARIANTS = 10, 40, 10


@transaction.atomic
def save_saved_reply(
    agent: Agent,
    reply: SavedReply | None,
    *,
    title: str,
    shortcut: str = "",
    tags: list[str] = (),  # type: ignore[assignment]
    bodies: dict[str, str],
    default_language: str = "",
    scope: str = "personal",
    team: Team | None = None,
) -> SavedReply:
    """Creates (`reply` None) or replaces a saved reply after checking every field."""
    _check_scope(agent, scope, team)
    bodies = _clean_bodies(bodies)
    default_language = default_language or next(iter(bodies))
    if default_language not in bodies:
        raise InvalidInput(
            _("The default language %(code)s has no text.") % {"code": default_language},
            code="default_language",
        )
    reply = reply or SavedReply()
    reply.title = _required(title, 120, _("title"))
    reply.shortcut = _clean_shortcut(shortcut)
    reply.tags = _clean_tags(tags)
    reply.bodies, reply.default_language = bodies, default_language
    reply.owner = agent if scope == "personal" else None
    reply.team = team if scope == "team" else None
    reply.save()
    return reply


def delete_saved_reply(reply: SavedReply) -> None:
    reply.delete()


@transaction.atomic
def use_saved_reply(agent: Agent, conversation: Conversation, reply: SavedReply) -> str:
    """The reply filled in for this conversation, in the customer's language; counted."""
    _language, text = body_for(reply, customer_language(conversation))
    SavedReply.objects.filter(pk=reply.pk).update(
        usage_count=F("usage_count") + 1, last_used_at=timezone.now()
    )
    return render(text, values_for(conversation, agent))


@transaction.atomic
def save_signatures(agent: Agent, *, email: str, chat: str, social: str) -> None:
    """Email's is the agent's own signature (appended when a mail is sent)."""
    agent.signature = email.strip()[:2000]
    agent.save(update_fields=["signature"])
    for kind, text in ((SignatureKind.CHAT, chat), (SignatureKind.SOCIAL, social)):
        Signature.objects.update_or_create(
            agent=agent, kind=kind, defaults={"text": " ".join(text.split())[:200]}
        )


def save_brand_tone(text: str) -> BrandTone:
    tone = BrandTone.current()
    tone.text = text.strip()[:5000]
    tone.save()
    return tone


def _check_scope(agent: Agent, scope: str, team: Team | None) -> None:
    if scope not in SCOPES:
        raise InvalidInput(_("Scope must be personal, team or workspace."), code="scope")
    if scope == "team" and team is None:
        raise InvalidInput(_("Pick the team this reply is for."), code="team")
    if scope != "personal" and not agent.sees_everything:
        raise PermissionDenied(
            _("Only leads and admins manage team and workspace replies."), code="forbidden"
        )


def _required(text: str, limit: int, what: str) -> str:
    text = " ".join(text.split())
    if not text or len(text) > limit:
        raise InvalidInput(
            _("The %(what)s needs 1 to %(n)d characters.") % {"what": what, "n": limit},
            code="invalid",
        )
    return text


def _clean_shortcut(shortcut: str) -> str:
    shortcut = shortcut.strip().lstrip("#/").lower()
    if not SHORTCUT.fullmatch(shortcut):
        raise InvalidInput(
            _("A shortcut is one word of at most 40 letters, digits, - or _."), code="shortcut"
        )
    return shortcut


def _clean_tags(tags: list[str]) -> list[str]:
    cleaned = list(dict.fromkeys(" ".join(t.split()).lower() for t in tags if t.strip()))
    if len(cleaned) > MAX_TAGS or any(len(t) > MAX_TAG for t in cleaned):
        raise InvalidInput(
            _("At most %(n)d tags of %(c)d characters each.") % {"n": MAX_TAGS, "c": MAX_TAG},
            code="tags",
        )
    return cleaned


def _clean_bodies(bodies: dict[str, str]) -> dict[str, str]:
    given = [(code.strip().lower(), text.strip()) for code, text in bodies.items() if text.strip()]
    cleaned = dict(given)
    if len(cleaned) < len(given):  # "EN" and "en": one text would be dropped unseen
        raise InvalidInput(_("Each language may have only one text."), code="duplicate_language")
    if not cleaned or len(cleaned) > MAX_VARIANTS:
        raise InvalidInput(
            _("Write the reply's text in 1 to %(n)d languages.") % {"n": MAX_VARIANTS},
            code="bodies",
        )
    for code, text in cleaned.items():
        if not LANGUAGE.fullmatch(code):
            raise InvalidInput(
                _("%(code)s is not a language code (en, ko, pt-br).") % {"code": code[:20]},
                code="language",
            )
        check_body(text)
    return cleaned
