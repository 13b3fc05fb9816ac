"""Small presentation helpers for the agent workspace templates."""

from django import template
from django.template.defaultfilters import linebreaksbr
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from parley.connectors.models import ChannelKind, MessageTemplate
from parley.conversations.models import EntryKind, Message, Priority, Status, TimelineEntry
from parley.core.text import sanitize_html
from parley.customers.models import CustomerMerge
from parley.customers.profile import merged_names

register = template.Library()


@register.simple_tag
def mail_body(message: Message) -> str:
    """A mail's new text, with the quoted history and signature folded away below it."""
    from parley.connectors.email.quotes import split_html, split_text

    if message.html:
        html = _inline_images(message)
        reply, quoted = (sanitize_html(part) for part in split_html(html))
    else:
        reply, quoted = (linebreaksbr(part.strip("\n")) for part in split_text(message.text))
    fold = ""
    if quoted.strip():
        summary = escape(_("Show quoted text"))
        fold = f'<details class="quoted-history"><summary>{summary}</summary>{quoted}</details>'
    kind = "body" if message.html else "body plain"
    return mark_safe(f'<div class="{kind}">{reply}</div>{fold}')  # noqa: S308 - sanitized/escaped


def _inline_images(message: Message) -> str:
    """cid: references point at the message's own copies of its inline images."""
    html = message.html
    inline = (message.details.get("email") or {}).get("inline") or {}
    if "cid:" not in html or not inline:
        return html
    by_name = {a.filename: a.pk for a in message.attachments.all()}
    for content_id, filename in inline.items():
        if filename in by_name:
            url = reverse("attachment", args=[by_name[filename]])
            html = html.replace(f"cid:{content_id}", url)
    return html


@register.filter
def priority_label(value: int) -> str:
    return str(Priority(value).label)


@register.filter
def priority_name(value: int) -> str:
    return Priority(value).name.lower()


@register.filter
def kind_label(value: str) -> str:
    return str(ChannelKind(value).label) if value in ChannelKind.values else value


@register.filter
def status_label(value: str) -> str:
    return str(Status(value).label) if value in Status.values else value


def actor_name(entry: TimelineEntry) -> str:
    """The agent who acted, or a translated name for the customer or the system."""
    if entry.actor:
        return str(entry.actor)
    labels = {
        "customer": _("The customer"),
        "system": _("System"),
        "": _("System"),
        "acknowledgement": _("Automatic acknowledgement"),
        "outside_hours": _("Outside-hours reply"),
    }
    return labels.get(entry.actor_label, entry.actor_label)


@register.filter
def entry_summary(entry: TimelineEntry) -> str:
    """One line describing a non-message timeline entry, in the agent's language."""
    who = actor_name(entry)
    data = entry.data
    if entry.kind == EntryKind.CREATED:
        return _("Conversation started")
    if entry.kind == EntryKind.ASSIGNED:
        target = data.get("assignee") or data.get("team") or _("nobody")
        return _("%(who)s assigned this to %(target)s") % {"who": who, "target": target}
    if entry.kind == EntryKind.HANDOFF:
        target = data.get("assignee") or data.get("team") or _("nobody")
        return _("%(who)s handed this off to %(target)s") % {"who": who, "target": target}
    if entry.kind == EntryKind.STATUS_CHANGED:
        return _("%(who)s changed status from %(old)s to %(new)s") % {
            "who": who,
            "old": status_label(data.get("old", "")),
            "new": status_label(data.get("new", "")),
        }
    if entry.kind == EntryKind.PRIORITY_CHANGED:
        return _("%(who)s changed priority from %(old)s to %(new)s") % {
            "who": who,
            "old": priority_label(data.get("old", 2)),
            "new": priority_label(data.get("new", 2)),
        }
    if entry.kind == EntryKind.TAGS_CHANGED:
        parts = [f"+{t}" for t in data.get("added", [])] + [
            f"-{t}" for t in data.get("removed", [])
        ]
        return _("%(who)s changed tags: %(tags)s") % {"who": who, "tags": " ".join(parts)}
    if entry.kind == EntryKind.DELIVERY_FAILED:
        return _("Delivery failed: %(reason)s") % {"reason": data.get("reason", "")}
    if entry.kind == EntryKind.CUSTOMER_MERGED:
        return _("%(who)s merged the profile %(source)s into %(target)s") % {
            "who": who,
            "source": data.get("source", ""),
            "target": data.get("target", ""),
        }
    if entry.kind == EntryKind.RULE_FIRED and "target" in data:
        from parley.sla.display import breach_summary

        return breach_summary(entry.actor_label.removeprefix("sla: "), data)
    if entry.kind == EntryKind.RULE_FIRED:
        return _("Rule “%(rule)s”: %(did)s") % {
            "rule": entry.actor_label.removeprefix("rule: "),
            "did": "; ".join(str(item) for item in data.get("did", [])),
        }
    if entry.kind == EntryKind.CUSTOMER_UNMERGED:
        return _("%(who)s undid the merge into %(target)s") % {
            "who": who,
            "target": data.get("target", ""),
        }
    return str(EntryKind(entry.kind).label) if entry.kind in EntryKind.values else entry.kind


@register.filter
def template_inputs(template: MessageTemplate, defaults: list[str]) -> list[str]:
    """A starting value for each of the template's placeholders: the customer's name, then
    the ticket's reference; the agent edits them."""
    return [defaults[n] if n < len(defaults) else "" for n in range(template.parameter_count)]


@register.filter
def template_placeholder(number: str) -> str:
    return "{{" + number + "}}"


@register.filter
def merged_profiles(merge: CustomerMerge) -> str:
    return merged_names(merge)
