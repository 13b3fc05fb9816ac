"""Builders of Meta webhook payloads in their documented shapes.

Messenger / Instagram messaging timestamps are milliseconds (int), Facebook feed `created_time`
is seconds (int) and WhatsApp `timestamp` is a string of seconds, as Meta sends them. Optional
keys are left out rather than set to None, because Meta omits absent fields.
"""

import hashlib
import time
from typing import Any

# -- envelopes ----------------------------------------------------------------------------------


def _now_ms() -> int:
    return int(time.time() * 1000)


def _now_s() -> int:
    return int(time.time())


def page_payload(*entries: dict[str, Any]) -> dict[str, Any]:
    return {"object": "page", "entry": list(entries)}


def instagram_payload(*entries: dict[str, Any]) -> dict[str, Any]:
    return {"object": "instagram", "entry": list(entries)}


def whatsapp_payload(*values: dict[str, Any], waba_id: str = "102290129340398") -> dict[str, Any]:
    """One WABA entry with a `messages` change per value (see `wa_value`)."""
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": waba_id, "changes": [{"field": "messages", "value": v} for v in values]}],
    }


def messaging_entry(
    account_id: str, *events: dict[str, Any], time_ms: int | None = None
) -> dict[str, Any]:
    return {
        "id": account_id,
        "time": time_ms if time_ms is not None else _now_ms(),
        "messaging": list(events),
    }


def changes_entry(
    account_id: str, *changes: dict[str, Any], time_ms: int | None = None
) -> dict[str, Any]:
    return {
        "id": account_id,
        "time": time_ms if time_ms is not None else _now_ms(),
        "changes": list(changes),
    }


# -- Messenger / Instagram messaging events -----------------------------------------------------


def _event(sender: str, recipient: str, ts: int | None, **body: Any) -> dict[str, Any]:
    return {
        "sender": {"id": sender},
        "recipient": {"id": recipient},
        "timestamp": ts if ts is not None else _now_ms(),
        **body,
    }


def text_event(
    account_id: str,
    user_id: str,
    mid: str,
    text: str,
    *,
    ts: int | None = None,
    reply_to_mid: str | None = None,
    quick_reply: str | None = None,
) -> dict[str, Any]:
    """A customer's text message; `quick_reply` is the tapped quick reply's payload."""
    message: dict[str, Any] = {"mid": mid, "text": text}
    if quick_reply is not None:
        message["quick_reply"] = {"payload": quick_reply}
    if reply_to_mid is not None:
        message["reply_to"] = {"mid": reply_to_mid}
    return _event(user_id, account_id, ts, message=message)


def attachment_event(
    account_id: str,
    user_id: str,
    mid: str,
    type: str,
    url: str,
    *,
    text: str | None = None,
    sticker_id: int | None = None,
    ts: int | None = None,
) -> dict[str, Any]:
    """One attachment (image, video, audio, file, share, ig_reel, sticker...) at a CDN `url`."""
    payload: dict[str, Any] = {"url": url}
    if sticker_id is not None:
        payload["sticker_id"] = sticker_id
    message: dict[str, Any] = {"mid": mid, "attachments": [{"type": type, "payload": payload}]}
    if text is not None:
        message["text"] = text
    return _event(user_id, account_id, ts, message=message)


def story_mention_event(
    account_id: str, user_id: str, mid: str, url: str, *, ts: int | None = None
) -> dict[str, Any]:
    """Instagram: the customer mentioned the account in their story."""
    attachment = {"type": "story_mention", "payload": {"url": url}}
    return _event(user_id, account_id, ts, message={"mid": mid, "attachments": [attachment]})


def story_reply_event(
    account_id: str,
    user_id: str,
    mid: str,
    text: str,
    story_url: str,
    story_id: str,
    *,
    ts: int | None = None,
) -> dict[str, Any]:
    """Instagram: the customer replied to the account's story."""
    message = {"mid": mid, "text": text, "reply_to": {"story": {"url": story_url, "id": story_id}}}
    return _event(user_id, account_id, ts, message=message)


def postback_event(
    account_id: str,
    user_id: str,
    mid: str,
    title: str,
    payload: str,
    *,
    ts: int | None = None,
) -> dict[str, Any]:
    return _event(
        user_id, account_id, ts, postback={"mid": mid, "title": title, "payload": payload}
    )


def reaction_event(
    account_id: str,
    user_id: str,
    mid: str,
    emoji: str,
    action: str = "react",
    *,
    reaction: str = "love",
    ts: int | None = None,
) -> dict[str, Any]:
    """A reaction on message `mid`; an `unreact` carries only mid and action."""
    body: dict[str, Any] = {"mid": mid, "action": action}
    if action == "react":
        body.update(reaction=reaction, emoji=emoji)
    return _event(user_id, account_id, ts, reaction=body)


def echo_event(
    account_id: str,
    user_id: str,
    mid: str,
    text: str,
    app_id: int | None = None,
    *,
    ts: int | None = None,
) -> dict[str, Any]:
    """A message the page / IG account sent (from any tool): sender is the account."""
    message: dict[str, Any] = {"mid": mid, "text": text, "is_echo": True}
    if app_id is not None:
        message["app_id"] = app_id
    return _event(account_id, user_id, ts, message=message)


def deleted_event(
    account_id: str, user_id: str, mid: str, *, ts: int | None = None
) -> dict[str, Any]:
    """Instagram unsend."""
    return _event(user_id, account_id, ts, message={"mid": mid, "is_deleted": True})


def unsupported_event(
    account_id: str, user_id: str, mid: str, *, ts: int | None = None
) -> dict[str, Any]:
    return _event(user_id, account_id, ts, message={"mid": mid, "is_unsupported": True})


def read_event(
    account_id: str,
    user_id: str,
    *,
    watermark: int | None = None,
    mid: str | None = None,
    ts: int | None = None,
) -> dict[str, Any]:
    """Messenger reads carry a `watermark` (ms), Instagram reads a `mid`."""
    read: dict[str, Any] = {}
    if watermark is not None:
        read["watermark"] = watermark
    if mid is not None:
        read["mid"] = mid
    return _event(user_id, account_id, ts, read=read)


def delivery_event(
    account_id: str, user_id: str, mids: list[str], watermark: int, *, ts: int | None = None
) -> dict[str, Any]:
    return _event(user_id, account_id, ts, delivery={"mids": list(mids), "watermark": watermark})


def edit_event(
    account_id: str,
    user_id: str,
    mid: str,
    text: str,
    *,
    num_edit: int = 1,
    ts: int | None = None,
) -> dict[str, Any]:
    return _event(
        user_id, account_id, ts, message_edit={"mid": mid, "text": text, "num_edit": num_edit}
    )


def referral_event(
    account_id: str,
    user_id: str,
    ref: str,
    *,
    source: str = "SHORTLINK",
    type: str = "OPEN_THREAD",
    ad_id: str | None = None,
    ts: int | None = None,
) -> dict[str, Any]:
    """The customer entered the thread from an m.me link (`SHORTLINK`) or an ad (`ADS`)."""
    referral: dict[str, Any] = {"ref": ref, "source": source, "type": type}
    if ad_id is not None:
        referral["ad_id"] = ad_id
    return _event(user_id, account_id, ts, referral=referral)


# -- comments -----------------------------------------------------------------------------------


def feed_comment_change(
    page_id: str,
    post_id: str,
    comment_id: str,
    from_id: str,
    from_name: str,
    message: str,
    *,
    verb: str = "add",
    parent_id: str | None = None,
    created_time: int | None = None,
    permalink_url: str | None = None,
) -> dict[str, Any]:
    """A Facebook page `feed` change for a comment; `parent_id` defaults to the post."""
    return {
        "field": "feed",
        "value": {
            "from": {"id": from_id, "name": from_name},
            "post": {
                "status_type": "added_photos",
                "is_published": True,
                "permalink_url": permalink_url
                or f"https://www.facebook.com/{page_id}/posts/{post_id.split('_')[-1]}",
                "id": post_id,
            },
            "message": message,
            "post_id": post_id,
            "comment_id": comment_id,
            "created_time": created_time if created_time is not None else _now_s(),
            "item": "comment",
            "parent_id": parent_id or post_id,
            "verb": verb,
        },
    }


def ig_comment_change(
    comment_id: str,
    from_id: str,
    username: str,
    text: str,
    media_id: str,
    *,
    parent_id: str | None = None,
    media_product_type: str = "FEED",
    field: str = "comments",
) -> dict[str, Any]:
    """An Instagram `comments` (or `live_comments`) change."""
    value: dict[str, Any] = {
        "from": {"id": from_id, "username": username},
        "media": {"id": media_id, "media_product_type": media_product_type},
        "id": comment_id,
        "text": text,
    }
    if parent_id is not None:
        value["parent_id"] = parent_id
    return {"field": field, "value": value}


def ig_mention_change(media_id: str, comment_id: str | None = None) -> dict[str, Any]:
    """An @mention of the account in a caption (no comment_id) or in a comment."""
    value = {"media_id": media_id}
    if comment_id is not None:
        value["comment_id"] = comment_id
    return {"field": "mentions", "value": value}


# -- WhatsApp -----------------------------------------------------------------------------------


def wa_value(
    phone_number_id: str,
    *,
    display_phone_number: str = "15550001111",
    contacts: list[dict[str, Any]] | tuple[dict[str, Any], ...] = (),
    messages: list[dict[str, Any]] | tuple[dict[str, Any], ...] = (),
    statuses: list[dict[str, Any]] | tuple[dict[str, Any], ...] = (),
    errors: list[dict[str, Any]] | tuple[dict[str, Any], ...] = (),
) -> dict[str, Any]:
    """The `value` of a WhatsApp `messages` change; empty arrays are omitted as Meta does."""
    value: dict[str, Any] = {
        "messaging_product": "whatsapp",
        "metadata": {
            "display_phone_number": display_phone_number,
            "phone_number_id": phone_number_id,
        },
    }
    for key, items in (
        ("contacts", contacts),
        ("messages", messages),
        ("statuses", statuses),
        ("errors", errors),
    ):
        if items:
            value[key] = list(items)
    return value


def wa_contact(wa_id: str, name: str) -> dict[str, Any]:
    return {"profile": {"name": name}, "wa_id": wa_id}


def _wa_message(
    wa_id: str,
    wamid: str,
    type: str,
    ts: int | str | None,
    context_id: str | None,
    **body: Any,
) -> dict[str, Any]:
    message: dict[str, Any] = {
        "from": wa_id,
        "id": wamid,
        "timestamp": str(ts if ts is not None else _now_s()),
        "type": type,
        **body,
    }
    if context_id is not None:
        # `from` in a context is the business number the replied-to message came from.
        message["context"] = {"from": "15550001111", "id": context_id}
    return message


def wa_text(
    wa_id: str,
    wamid: str,
    body: str,
    *,
    ts: int | str | None = None,
    context_id: str | None = None,
) -> dict[str, Any]:
    return _wa_message(wa_id, wamid, "text", ts, context_id, text={"body": body})


def wa_media(
    wa_id: str,
    wamid: str,
    kind: str,
    media_id: str,
    mime_type: str,
    *,
    caption: str | None = None,
    filename: str | None = None,
    sha256: str | None = None,
    ts: int | str | None = None,
    context_id: str | None = None,
) -> dict[str, Any]:
    """An image / audio / video / document / sticker message referring to media `media_id`."""
    media: dict[str, Any] = {
        "mime_type": mime_type,
        "sha256": sha256 or hashlib.sha256(media_id.encode()).hexdigest(),
        "id": media_id,
    }
    if caption is not None:
        media["caption"] = caption
    if filename is not None:
        media["filename"] = filename
    if kind == "sticker":
        media["animated"] = False
    if kind == "audio":
        media["voice"] = mime_type.startswith("audio/ogg")
    return _wa_message(wa_id, wamid, kind, ts, context_id, **{kind: media})


def wa_location(
    wa_id: str,
    wamid: str,
    latitude: float,
    longitude: float,
    *,
    name: str | None = None,
    address: str | None = None,
    ts: int | str | None = None,
) -> dict[str, Any]:
    location: dict[str, Any] = {"latitude": latitude, "longitude": longitude}
    if name is not None:
        location["name"] = name
    if address is not None:
        location["address"] = address
    return _wa_message(wa_id, wamid, "location", ts, None, location=location)


def wa_contacts(
    wa_id: str,
    wamid: str,
    formatted_name: str,
    phones: list[str],
    *,
    first_name: str | None = None,
    last_name: str | None = None,
    ts: int | str | None = None,
) -> dict[str, Any]:
    """A shared contact card; each phone gets a wa_id of its digits."""
    name: dict[str, Any] = {"formatted_name": formatted_name}
    if first_name is not None:
        name["first_name"] = first_name
    if last_name is not None:
        name["last_name"] = last_name
    card = {
        "name": name,
        "phones": [
            {"phone": p, "wa_id": "".join(c for c in p if c.isdigit()), "type": "CELL"}
            for p in phones
        ],
    }
    return _wa_message(wa_id, wamid, "contacts", ts, None, contacts=[card])


def wa_interactive_button(
    wa_id: str,
    wamid: str,
    reply_id: str,
    title: str,
    *,
    context_id: str = "wamid.business-buttons",
    ts: int | str | None = None,
) -> dict[str, Any]:
    interactive = {"type": "button_reply", "button_reply": {"id": reply_id, "title": title}}
    return _wa_message(wa_id, wamid, "interactive", ts, context_id, interactive=interactive)


def wa_interactive_list(
    wa_id: str,
    wamid: str,
    reply_id: str,
    title: str,
    description: str,
    *,
    context_id: str = "wamid.business-list",
    ts: int | str | None = None,
) -> dict[str, Any]:
    interactive = {
        "type": "list_reply",
        "list_reply": {"id": reply_id, "title": title, "description": description},
    }
    return _wa_message(wa_id, wamid, "interactive", ts, context_id, interactive=interactive)


def wa_button(
    wa_id: str,
    wamid: str,
    payload: str,
    text: str,
    *,
    context_id: str = "wamid.business-template",
    ts: int | str | None = None,
) -> dict[str, Any]:
    """A tap on a template's quick-reply button."""
    return _wa_message(
        wa_id, wamid, "button", ts, context_id, button={"payload": payload, "text": text}
    )


def wa_reaction(
    wa_id: str, wamid: str, message_id: str, emoji: str, *, ts: int | str | None = None
) -> dict[str, Any]:
    """A reaction to `message_id`; an empty emoji removes it."""
    return _wa_message(
        wa_id, wamid, "reaction", ts, None, reaction={"message_id": message_id, "emoji": emoji}
    )


def wa_order(
    wa_id: str,
    wamid: str,
    catalog_id: str,
    items: list[dict[str, Any]],
    *,
    text: str | None = None,
    ts: int | str | None = None,
) -> dict[str, Any]:
    """`items`: {"product_retailer_id", "quantity", "item_price", "currency"} dicts."""
    order: dict[str, Any] = {"catalog_id": catalog_id, "product_items": list(items)}
    if text is not None:
        order["text"] = text
    return _wa_message(wa_id, wamid, "order", ts, None, order=order)


def wa_system_number_change(
    wa_id: str, wamid: str, new_wa_id: str, *, ts: int | str | None = None
) -> dict[str, Any]:
    """The customer changed number; system messages come without a contacts entry."""
    system = {
        "body": f"User A changed from {wa_id} to {new_wa_id}",
        "new_wa_id": new_wa_id,
        "wa_id": new_wa_id,
        "type": "user_changed_number",
    }
    return _wa_message(wa_id, wamid, "system", ts, None, system=system)


def wa_unsupported(
    wa_id: str, wamid: str, *, kind: str = "unknown", ts: int | str | None = None
) -> dict[str, Any]:
    errors = [
        {
            "code": 131051,
            "title": "Message type unknown",
            "message": "Message type unknown",
            "error_data": {"details": "Message type is currently not supported."},
        }
    ]
    return _wa_message(
        wa_id, wamid, "unsupported", ts, None, errors=errors, unsupported={"type": kind}
    )


def wa_status(
    wamid: str,
    status: str,
    recipient_id: str,
    *,
    ts: int | str | None = None,
    error_code: int | None = None,
    error_title: str | None = None,
    error_details: str | None = None,
    conversation: dict[str, Any] | None = None,
    pricing: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A sent / delivered / read / failed status; failed ones carry `errors`."""
    item: dict[str, Any] = {
        "id": wamid,
        "status": status,
        "timestamp": str(ts if ts is not None else _now_s()),
        "recipient_id": recipient_id,
    }
    if conversation is not None:
        item["conversation"] = conversation
    if pricing is not None:
        item["pricing"] = pricing
    if status == "failed" or error_code is not None:
        code = error_code if error_code is not None else 131026
        title = error_title or "Message undeliverable"
        item["errors"] = [
            {
                "code": code,
                "title": title,
                "message": title,
                "error_data": {"details": error_details or title},
            }
        ]
    return item


def wa_error(code: int, title: str, details: str) -> dict[str, Any]:
    """An entry of `value.errors` (system- or account-level problems)."""
    return {"code": code, "title": title, "message": title, "error_data": {"details": details}}
