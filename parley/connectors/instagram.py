"""An Instagram professional account: DMs (with story mentions and replies) and comments.

Settings: instagram_account_id. Secrets: access_token (the linked Page's token),
app_secret, verify_token.
"""

from parley.customers.models import IdentityKind

from . import graph, messaging
from .base import (
    InboundMessage,
    Normalized,
    OutboundMessage,
    PermanentSendError,
    SendResult,
    Unhandled,
    WebhookRequest,
)
from .messaging import Account, Comment
from .models import Channel

# follower_count (Graph API v12.0+) feeds the priority score's social reach.
PROFILE_FIELDS = "name,username,profile_pic,follower_count"
COMMENT_FIELDS = ("comments", "live_comments")


def verify(channel: Channel, request: WebhookRequest) -> str | None:
    return graph.verify(channel, request)


def account(channel: Channel) -> Account:
    return Account(
        channel=channel,
        own_id=str(channel.settings.get("instagram_account_id", "")),
        identity_kind=IdentityKind.INSTAGRAM,
        profile_fields=PROFILE_FIELDS,
        name_of=lambda p: str(p.get("name") or p.get("username") or ""),
    )


def parse(channel: Channel, headers: dict, body: str) -> list[Normalized]:
    return messaging.parse_payload(account(channel), body, "instagram", _change)


def _change(ig: Account, change: dict) -> Normalized:
    if change.get("field") not in COMMENT_FIELDS:
        return Unhandled(f"instagram {change.get('field')}")
    value = change.get("value") or {}
    author = value.get("from") or {}
    media = value.get("media") or {}
    media_id = str(media.get("id", ""))
    comment = Comment(
        comment_id=str(value.get("id", "")),
        post_id=media_id,
        author_id=str(author.get("id", "")),
        author_name=str(author.get("username", "")),
        text=str(value.get("text", "")),
        parent_id=str(value["parent_id"]) if value.get("parent_id") else None,
        at=None,
    )

    def origin() -> dict:
        fields = {"permalink": "post_url", "caption": "caption"}
        return messaging.fetch_origin(ig.channel, media_id, fields)

    message: InboundMessage = messaging.comment_message(
        ig, comment, origin, identity_kind=IdentityKind.INSTAGRAM
    )
    return message


def send(channel: Channel, message: OutboundMessage) -> SendResult:
    return messaging.send_reply(channel, IdentityKind.INSTAGRAM, message, reply_edge="replies")


def check(channel: Channel) -> str:
    account_id = channel.settings.get("instagram_account_id")
    if not account_id:
        raise PermanentSendError("Enter the Instagram account id first.")
    found = graph.call(channel, "GET", str(account_id), params={"fields": "username"})
    return f"Connected to the Instagram account @{found.get('username', account_id)}."
