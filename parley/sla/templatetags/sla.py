"""{% sla_due conversation %}: the conversation's next due time, for rows and the page."""

from django import template
from django.utils.html import format_html

from parley.conversations.models import Conversation

from ..display import due_label

register = template.Library()


@register.simple_tag
def sla_due(conversation: Conversation) -> str:
    label = due_label(conversation)
    if label is None:
        return ""
    if label.at is None:
        return format_html(
            '<span class="sla sla-{}" data-field="sla">{}</span>', label.state, label.text
        )
    return format_html(
        '<time class="sla sla-{}" data-field="sla" datetime="{}">{}</time>',
        label.state,
        label.at.isoformat(),
        label.text,
    )
