from django import template

from parley.accounts.models import Agent
from parley.connectors.models import ChannelKind
from parley.conversations.models import Conversation

from ..limits import reply_limit
from ..models import BrandTone, Signature, SignatureKind

register = template.Library()

# Which signature a channel's replies may carry; email's is the agent's own field.
SIGNATURE_KIND: dict[str, str] = {
    ChannelKind.CHAT: SignatureKind.CHAT,
    ChannelKind.MESSENGER: SignatureKind.SOCIAL,
    ChannelKind.INSTAGRAM: SignatureKind.SOCIAL,
    ChannelKind.INSTAGRAM_COMMENT: SignatureKind.SOCIAL,
    ChannelKind.WHATSAPP: SignatureKind.SOCIAL,
    ChannelKind.X: SignatureKind.SOCIAL,
}


@register.simple_tag
def composer_rules(conversation: Conversation, agent: Agent) -> dict:
    """What the composer shows beside a reply: limits, signature and brand tone."""
    kind, thread = conversation.channel.kind, conversation.thread_ref
    limits = {
        "plain": reply_limit(kind, thread),
        "public": reply_limit(kind, thread, "public"),
        "private": reply_limit(kind, thread, "private"),
    }
    signature_kind = SIGNATURE_KIND.get(kind)
    signature = (
        Signature.objects.filter(agent=agent, kind=signature_kind)
        .values_list("text", flat=True)
        .first()
        if signature_kind
        else None
    )
    return {
        "limits": {choice: limit[0] if limit else "" for choice, limit in limits.items()},
        "email": kind == ChannelKind.EMAIL,
        "email_signature": agent.signature if kind == ChannelKind.EMAIL else "",
        "signature": signature or "",
        "signature_kind": signature_kind,
        "tone": BrandTone.current().text,
    }
