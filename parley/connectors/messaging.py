"""Messenger and Instagram Messaging: the same webhook events and the same Send API.

`messenger.py` and `instagram.py` hold what differs (ids, profile fields, comments) in an
`Account`; everything about DMs is here.
"""

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.utils import timezone

from parley.conversations.models import DeliveryStatus
from parley.core.errors import InvalidInput
from parley.customers.models import Identity
from parley.customers.resolve import IdentityRef

from . import graph
from .base import (
    DeliveryUpdate,
    InboundAttachment,
    InboundMessage,
    Normalized,
    OutboundMessage,
    PermanentSendError,
    Reaction,
    ReadUpTo,
    Removal,
    SendResult,
    Unhandled,
)
from .models import Channel, ChannelKind
from .windows import DAY, WEEK

logger = logging.getLogger(__name__)

# Characters in one message: Messenger's Send API takes 2000, Instagram messaging 1000.
TEXT_LIMITS: dict[str, int] = {ChannelKind.MESSENGER: 2000, ChannelKind.INSTAGRAM: 1000}
DOWNLOADED_TYPES = {"image", "video", "audio", "file", "sticker", "story_mention"}
FALLBACK_TYPES = {
    "image": "image/jpeg",
    "video": "video/mp4",
    "audio": "audio/mpeg",
    "story_mention": "image/jpeg",
}


@dataclass
class Account:
    """One Page or Instagram account as the webhook sees it."""

    channel: Channel
    own_id: str
    identity_kind: str
    profile_fields: str
    name_of: Callable[[dict], str]
    # user id → (name, picture URL, followers) from the platform's profile; ("", "", None)
    # for people we know.
    profiles: dict[str, tuple[str, str, int | None]] = field(default_factory=dict)

    def meet(self, entries: list[dict]) -> None:
        """Look up everyone a payload's messaging events name at once: known people need
        no profile call, and no query each."""
        ids = {
            str((event.get(side) or {}).get("id", ""))
            for entry in entries
            for event in entry.get("messaging") or []
            for side in ("sender", "recipient")
        } - {self.own_id, ""}
        known = Identity.objects.filter(kind=self.identity_kind, value__in=ids)
        self.profiles.update((v, ("", "", None)) for v in known.values_list("value", flat=True))

    def customer(self, user_id: str, name: str = "") -> IdentityRef:
        found_name, picture, followers = self.profile(user_id)
        return IdentityRef(self.identity_kind, user_id, name or found_name, picture, followers)

    def profile(self, user_id: str) -> tuple[str, str, int | None]:
        """The platform's name, picture and follower count (Instagram) for a person we have
        not met."""
        if user_id in self.profiles:
            return self.profiles[user_id]
        found: tuple[str, str, int | None] = ("", "", None)
        if not Identity.objects.filter(kind=self.identity_kind, value=user_id).exists():
            try:
                profile = graph.call(
                    self.channel, "GET", user_id, params={"fields": self.profile_fields}
                )
                found = (
                    self.name_of(profile),
                    str(profile.get("profile_pic") or ""),
                    _count(profile.get("follower_count")),
                )
            except Exception as exc:  # A name is a nicety: the message matters.
                logger.info("no profile for %s: %s", user_id, exc)
        self.profiles[user_id] = found
        return found


def _count(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def load(body: str, expected_object: str) -> list[dict]:
    """The entries of a webhook body, or InvalidInput naming what is wrong."""
    try:
        payload = json.loads(body)
    except ValueError:
        raise InvalidInput("the body is not JSON") from None
    if not isinstance(payload, dict) or payload.get("object") != expected_object:
        found = payload.get("object") if isinstance(payload, dict) else type(payload).__name__
        raise InvalidInput(f"expected object {expected_object!r}, got {found!r}")
    entries = payload.get("entry")
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise InvalidInput("'entry' must be a list of objects")
    return entries


def parse_payload(
    account: Account, body: str, expected_object: str, change: Callable[[Account, dict], Normalized]
) -> list[Normalized]:
    """Every entry and event of a Messenger or Instagram webhook; `change` reads the
    entries' `changes[]` (comments), which differ between the two."""
    entries = load(body, expected_object)
    account.meet(entries)
    records: list[Normalized] = []
    for entry in entries:
        if str(entry.get("id")) != account.own_id:
            records.append(Unhandled(f"an entry for another account ({entry.get('id')})"))
            continue
        for event in entry.get("messaging") or []:
            records.extend(parse_event(account, event))
        records.extend(change(account, item) for item in entry.get("changes") or [])
    return records


def parse_event(account: Account, event: dict) -> list[Normalized]:
    """One entry of `messaging[]`."""
    sender = str(event.get("sender", {}).get("id", ""))
    at = from_millis(event.get("timestamp"))
    if "message" in event:
        return _message(account, sender, event, at)
    if "postback" in event:
        return [_postback(account, sender, event["postback"], at)]
    if "reaction" in event:
        reaction = event["reaction"]
        emoji = reaction.get("emoji") or reaction.get("reaction", "") if _reacted(reaction) else ""
        who = IdentityRef(account.identity_kind, sender)
        return [Reaction(account.channel.pk, str(reaction.get("mid", "")), who, emoji)]
    if "read" in event:
        return _receipt(account, sender, event["read"], DeliveryStatus.READ)
    if "delivery" in event:
        return _receipt(account, sender, event["delivery"], DeliveryStatus.DELIVERED)
    kind = next((key for key in event if key not in ("sender", "recipient", "timestamp")), "?")
    return [Unhandled(f"messaging event {kind!r}")]


def _reacted(reaction: dict) -> bool:
    return reaction.get("action", "react") == "react"


def _message(account: Account, sender: str, event: dict, at: datetime | None) -> list[Normalized]:
    message = event["message"]
    mid = str(message.get("mid", ""))
    if not mid:
        return [Unhandled("a message without a mid")]
    if message.get("is_deleted"):
        return [Removal(account.channel.pk, mid, "deleted")]
    echo = bool(message.get("is_echo"))
    customer_id = str(event.get("recipient", {}).get("id", "")) if echo else sender
    details, reply_to = _extras(message)
    return [
        InboundMessage(
            channel_id=account.channel.pk,
            external_id=mid,
            thread_ref=f"{account.identity_kind}:{customer_id}",
            sender=account.customer(customer_id),
            text=str(message.get("text", "")),
            sent_at=at,
            reply_to_external_id=reply_to,
            attachments=_attachments(message.get("attachments") or []),
            from_business=echo,
            details=details | _shared(message.get("attachments") or []),
        )
    ]


def _extras(message: dict) -> tuple[dict, str | None]:
    details: dict = {}
    if "quick_reply" in message:
        details["quick_reply"] = str(message["quick_reply"].get("payload", ""))
    if message.get("is_unsupported"):
        details["unsupported"] = True
    reply_to = message.get("reply_to") or {}
    if "story" in reply_to:
        details["story_reply"] = {
            "url": str(reply_to["story"].get("url", "")),
            "id": str(reply_to["story"].get("id", "")),
        }
    mid = reply_to.get("mid")
    return details, str(mid) if mid else None


def _attachments(items: list) -> tuple[InboundAttachment, ...]:
    found = []
    # While Meta moves stickers to their own type, one arrives twice: as an image with a
    # sticker_id and as a sticker. Keep the sticker.
    has_sticker = any(item.get("type") == "sticker" for item in items)
    for n, item in enumerate(items, 1):
        kind = str(item.get("type", ""))
        payload = item.get("payload") or {}
        if kind not in DOWNLOADED_TYPES or not payload.get("url"):
            continue
        if payload.get("sticker_id"):
            if has_sticker and kind != "sticker":
                continue
            kind = "sticker"
        source = str(payload["url"])
        found.append(
            InboundAttachment(
                filename=f"{kind}-{n}",
                content_type=FALLBACK_TYPES.get(kind, "image/png" if kind == "sticker" else ""),
                fetch=lambda source=source: graph.download(source),  # type: ignore[misc]
            )
        )
    return tuple(found)


def _shared(items: list) -> dict:
    """Shared posts, reels and links: kept as links (they are the platform's pages)."""
    shared = [
        {
            "type": str(item.get("type", "")),
            "url": str((item.get("payload") or {}).get("url", "")),
            "title": str((item.get("payload") or {}).get("title", "") or item.get("title", "")),
        }
        for item in items
        if item.get("type") not in DOWNLOADED_TYPES
    ]
    mentioned = any(item.get("type") == "story_mention" for item in items)
    return ({"shared": shared} if shared else {}) | ({"story_mention": True} if mentioned else {})


def _postback(account: Account, sender: str, postback: dict, at: datetime | None) -> Normalized:
    mid = postback.get("mid") or f"postback-{sender}-{int(at.timestamp() * 1000) if at else 0}"
    return InboundMessage(
        channel_id=account.channel.pk,
        external_id=str(mid),
        thread_ref=f"{account.identity_kind}:{sender}",
        sender=account.customer(sender),
        text=str(postback.get("title", "")),
        sent_at=at,
        details={"postback": str(postback.get("payload", ""))},
    )


def _receipt(account: Account, sender: str, receipt: dict, status: str) -> list[Normalized]:
    channel_id = account.channel.pk
    records: list[Normalized] = [
        DeliveryUpdate(channel_id, str(mid), status) for mid in receipt.get("mids") or []
    ]
    if receipt.get("mid"):
        records.append(DeliveryUpdate(channel_id, str(receipt["mid"]), status))
    watermark = from_millis(receipt.get("watermark"))
    if watermark is not None:
        records.append(
            ReadUpTo(channel_id, IdentityRef(account.identity_kind, sender), status, watermark)
        )
    return records


@dataclass(frozen=True)
class Comment:
    """A comment as Facebook's feed and Instagram's comments webhooks both describe it."""

    comment_id: str
    post_id: str
    author_id: str
    author_name: str
    text: str
    parent_id: str | None
    at: datetime | None


def comment_message(
    account: Account, comment: Comment, origin: Callable[[], dict], *, identity_kind: str
) -> InboundMessage:
    """A conversation per commenter per post; the account's own comments join the thread
    of the comment they answer. `origin` fetches the post's link and caption, called only
    when the thread is new."""
    own = comment.author_id == account.own_id
    thread_ref = "" if own else f"comment:{comment.post_id}:{comment.author_id}"
    is_new = not own and not _thread_exists(account.channel, thread_ref)
    return InboundMessage(
        channel_id=account.channel.pk,
        external_id=comment.comment_id,
        thread_ref=thread_ref,
        sender=IdentityRef(identity_kind, "" if own else comment.author_id, comment.author_name),
        text=comment.text,
        sent_at=comment.at,
        reply_to_external_id=comment.parent_id if comment.parent_id != comment.post_id else None,
        from_business=own,
        details={"comment": True, "post_id": comment.post_id},
        origin={"post_id": comment.post_id, **origin()} if is_new else {},
    )


def _thread_exists(channel: Channel, thread_ref: str) -> bool:
    from parley.conversations.models import Conversation

    return Conversation.objects.filter(channel=channel, thread_ref=thread_ref).exists()


def fetch_origin(channel: Channel, object_id: str, fields: dict[str, str]) -> dict:
    """{our name: value} for the post's fields; {} when the platform will not say."""
    try:
        found = graph.call(channel, "GET", object_id, params={"fields": ",".join(fields)})
    except Exception as exc:  # The comment matters more than its caption.
        logger.info("no details for post %s: %s", object_id, exc)
        return {}
    return {ours: str(found[theirs]) for theirs, ours in fields.items() if found.get(theirs)}


def from_millis(value: object) -> datetime | None:
    try:
        return datetime.fromtimestamp(int(value) / 1000, tz=UTC)  # type: ignore[call-overload]
    except (TypeError, ValueError, OverflowError, OSError):
        return None


# Sending ---------------------------------------------------------------------------------


def send_direct(channel: Channel, identity_kind: str, message: OutboundMessage) -> SendResult:
    """A DM through the Send API, inside the messaging window."""
    recipient = next((r.value for r in message.recipient if r.kind == identity_kind), None)
    if recipient is None:
        raise PermanentSendError("the customer has no id on this platform to write to")
    window = messaging_type(message.customer_wrote_at)
    last_id = None
    for attachment in message.attachments:
        last_id = _send(
            channel, {"id": recipient}, window, {"attachment": _upload(channel, *attachment)}
        )
    for chunk in chunks(message.text, TEXT_LIMITS.get(channel.kind, 1000)):
        last_id = _send(channel, {"id": recipient}, window, {"text": chunk})
    return SendResult(external_id=last_id)


def send_reply(
    channel: Channel, identity_kind: str, message: OutboundMessage, *, reply_edge: str
) -> SendResult:
    """A DM, or in a comment thread a private reply or a public one under the customer's
    latest comment (`reply_edge`: Facebook's `comments`, Instagram's `replies`)."""
    if not message.thread_ref.startswith("comment:"):
        return send_direct(channel, identity_kind, message)
    if message.details.get("comment_reply") == "private":
        return send_private_reply(channel, message)
    comment_id = message.last_customer_external_id
    if comment_id is None:
        raise PermanentSendError("there is no customer comment to reply to")
    path = f"{comment_id}/{reply_edge}"
    answer = graph.call(channel, "POST", path, data={"message": message.text})
    return SendResult(external_id=str(answer.get("id")) if answer.get("id") else None)


def send_private_reply(channel: Channel, message: OutboundMessage) -> SendResult:
    """A reply to a comment, into the commenter's inbox: once per comment, within 7 days."""
    comment_id = message.last_customer_external_id
    if comment_id is None:
        raise PermanentSendError("there is no customer comment to reply to")
    wrote = message.customer_wrote_at
    if wrote is not None and timezone.now() - wrote > WEEK:
        raise PermanentSendError("A private reply is only possible within 7 days of the comment.")
    text = message.text[: TEXT_LIMITS.get(channel.kind, 1000)]
    mid = _send(channel, {"comment_id": comment_id}, {"messaging_type": "RESPONSE"}, {"text": text})
    return SendResult(external_id=mid)


def messaging_type(customer_wrote_at: datetime | None) -> dict:
    """RESPONSE inside 24 hours, the HUMAN_AGENT tag up to 7 days, nothing after."""
    since = timezone.now() - customer_wrote_at if customer_wrote_at else timedelta(0)
    if since <= DAY:
        return {"messaging_type": "RESPONSE"}
    if since <= WEEK:
        return {"messaging_type": "MESSAGE_TAG", "tag": "HUMAN_AGENT"}
    raise PermanentSendError(
        "More than 7 days have passed since the customer last wrote: the platform allows "
        "no reply until they write again."
    )


def _send(channel: Channel, recipient: dict, window: dict, content: dict) -> str | None:
    body = {"recipient": recipient, **window, "message": content}
    answer = graph.call(channel, "POST", "me/messages", json=body)
    return str(answer["message_id"]) if answer.get("message_id") else None


def _upload(channel: Channel, filename: str, content_type: str, content: bytes) -> dict:
    kind = attachment_type(content_type)
    meta = {"attachment": {"type": kind, "payload": {"is_reusable": True}}}
    answer = graph.call(
        channel,
        "POST",
        "me/message_attachments",
        data={"message": json.dumps(meta)},
        files={"filedata": (filename, content, content_type)},
    )
    return {"type": kind, "payload": {"attachment_id": str(answer.get("attachment_id", ""))}}


def attachment_type(content_type: str) -> str:
    major = content_type.split("/")[0]
    return major if major in ("image", "video", "audio") else "file"


def chunks(text: str, limit: int) -> list[str]:
    """Text split at whitespace into pieces the platform accepts."""
    pieces = []
    while len(text) > limit:
        cut = text.rfind(" ", 0, limit)
        cut = cut if cut > limit // 2 else limit
        pieces.append(text[:cut])
        text = text[cut:].lstrip()
    return [*pieces, text] if text else pieces


def from_seconds(value: object) -> datetime | None:
    try:
        return datetime.fromtimestamp(int(value), tz=UTC)  # type: ignore[call-overload]
    except (TypeError, ValueError, OverflowError, OSError):
        return None
