"""Channel kind → connector module."""

from . import api, chat, demo, email, instagram, messenger, webform, whatsapp
from .base import Connector
from .models import Channel

CONNECTORS: dict[str, Connector] = {
    "api": api,  # type: ignore[dict-item]
    "chat": chat,  # type: ignore[dict-item]
    "email": email,  # type: ignore[dict-item]
    "messenger": messenger,  # type: ignore[dict-item]
    "instagram": instagram,  # type: ignore[dict-item]
    "whatsapp": whatsapp,  # type: ignore[dict-item]
    "webform": webform,  # type: ignore[dict-item]
}


def connector_for(channel: Channel) -> Connector:
    # Channels created by `parley demo` have no real account behind them: replies are
    # accepted locally so that the demo workspace can be used end to end.
    if channel.settings.get("demo"):
        return demo  # type: ignore[return-value]
    try:
        return CONNECTORS[channel.kind]
    except KeyError:
        return demo.NotConnected(channel.kind)
