"""The sandbox saved replies are written in: `{{ name.path }}` replaced from a flat dict.

No template engine ever sees the text, so nothing but the documented values is reachable:
no attributes, no methods, no settings, no tags. A variable without a value becomes a
visible placeholder, `[customer.first_name]`, which the agent must fill before sending.
"""

import re

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from parley.core.errors import InvalidInput

VARIABLES = {
    "customer.name": gettext_lazy("the customer's full name"),
    "customer.first_name": gettext_lazy("the customer's first name"),
    "customer.email": gettext_lazy("the customer's email address"),
    "conversation.id": gettext_lazy("the ticket number customers quote"),
    "order.number": gettext_lazy("the latest order's number"),
    "order.status": gettext_lazy("its fulfillment (else payment) status"),
    "order.tracking_url": gettext_lazy("its tracking link"),
    "order.tracking_number": gettext_lazy("its tracking number"),
    "agent.name": gettext_lazy("your name"),
    "agent.first_name": gettext_lazy("your first name"),
}
MAX_BODY = 5000

# Anything between double braces, however odd, so that nothing slips through unchecked.
_ANY = re.compile(r"\{\{(.{0,200}?)\}\}", re.DOTALL)
_TAG = re.compile(r"\{%|\{#")
PLACEHOLDER = re.compile(r"\[((?:customer|conversation|order|agent)\.[a-z_]{1,40})\]")


def check_body(text: str) -> None:
    """Refuses what the renderer would not fill: unknown variables (named) and tags."""
    if len(text) > MAX_BODY:
        raise InvalidInput(
            _("A saved reply holds at most %(n)d characters.") % {"n": MAX_BODY}, code="too_long"
        )
    if _TAG.search(text):
        raise InvalidInput(
            _("Only {{ variables }} are allowed: no template tags or comments."),
            code="template_tag",
        )
    for match in _ANY.finditer(text):
        name = match.group(1).strip()
        if name not in VARIABLES:
            raise InvalidInput(
                _("Unknown variable {{ %(name)s }}. Known: %(known)s.")
                % {"name": name[:60], "known": ", ".join(VARIABLES)},
                code="unknown_variable",
            )


def render(text: str, values: dict[str, str]) -> str:
    """The text with each documented variable replaced; a missing value leaves its placeholder."""

    def fill(match: re.Match) -> str:
        name = match.group(1).strip()
        value = values.get(name, "") if name in VARIABLES else ""
        return value or f"[{name[:40]}]"

    return _ANY.sub(fill, text)


def placeholders(text: str) -> list[str]:
    """Variables a reply still shows as placeholders, in order, once each."""
    return list(dict.fromkeys(PLACEHOLDER.findall(text)))
