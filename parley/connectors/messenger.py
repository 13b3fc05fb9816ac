"""A Facebook Page: Messenger conversations and comments on the page's posts and ads.

Settings: page_id. Secrets: access_token (a Page token), app_secret, verify_token.
"""

from parley.customers.models import IdentityKind

from . import graph, messaging
from .base import (
    InboundMessage,
    Normalized,
    OutboundMessage,
    PermanentSendError,
    Removal,
    SendResult,
    Unhandled,
    WebhookRequest,
)
from .messaging import Account, Comment
from .models import Channel

PROFILE_FIELDS = "first_name,last_name,profile_pic"
REMOVALS = {"remove": "deleted", "hide": "hidden", "unhide": "unhidden"}


def verify(channel: Channel, request: WebhookRequest) -> str | None:
    return graph.verify(channel, request)


def account(channel: Channel) -> Account:
    return Account(
        channel=channel,
        own_id=str(channel.settings.get("page_id", "")),
        identity_kind=IdentityKind.MESSENGER,
        profile_fields=PROFILE_FIELDS,
        name_of=lambda p: f"{p.get('first_name', '')} {p.get('last_name', '')}".strip(),
    )


def parse(channel: Channel, headers: dict, body: str) -> list[Normalized]:
    return messaging.parse_payload(account(channel), body, "page", _change)


def _change(page: Account, change: dict) -> Normalized:
    value = change.get("value") or {}
    if change.get("field") != "feed" or value.get("item") != "comment":
        return Unhandled(f"{change.get('field')} {value.get('item', '')} {value.get('verb', '')}")
    verb = value.get("verb")
    if verb in REMOVALS:
        return Removal(page.channel.pk, str(value.get("comment_id", "")), REMOVALS[verb])
    if verb != "add":
        return Unhandled(f"feed comment {verb}")
    return _comment(page, value)


def _comment(page: Account, value: dict) -> InboundMessage:
    author = value.get("from") or {}
    post_id = str(value.get("post_id", ""))
    post = value.get("post") or {}
    comment = Comment(
        comment_id=str(value.get("comment_id", "")),
        post_id=post_id,
        author_id=str(author.get("id", "")),
        author_name=str(author.get("name", "")),
        text=str(value.get("message", "")),
        parent_id=str(value["parent_id"]) if value.get("parent_id") else None,
        at=messaging.from_seconds(value.get("created_time")),
    )

    def origin() -> dict:
        found = messaging.fetch_origin(
            page.channel, post_id, {"permalink_url": "post_url", "message": "caption"}
        )
        return (
            {"post_url": str(post["permalink_url"])} if post.get("permalink_url") else {}
        ) | found

    return messaging.comment_message(page, comment, origin, identity_kind=IdentityKind.FACEBOOK)


def send(channel: Channel, message: OutboundMessage) -> SendResult:
    return messaging.send_reply(channel, IdentityKind.MESSENGER, message, reply_edge="comments")


def check(channel: Channel) -> str:
    """What the platform says about the page, or a send error explaining why not."""
    page_id = channel.settings.get("page_id")
    if not page_id:
        raise PermanentSendError("Enter the page id first.")
    found = graph.call(channel, "GET", str(page_id), params={"fields": "name"})
    return f"Connected to the Facebook Page “{found.get('name', page_id)}”."
