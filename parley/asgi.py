"""ASGI entry point: HTTP through Django, WebSockets through Channels."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parley.settings")
django_application = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from django.urls import path, re_path  # noqa: E402

from parley.api.lean import route_inbound  # noqa: E402
from parley.connectors.chat.consumer import VisitorConsumer  # noqa: E402
from parley.realtime.consumers import AgentConsumer  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": route_inbound(django_application),
        # The chat widget runs on customers' sites: its channel's own origin allow-list
        # applies (in VisitorConsumer), not this host's.
        "websocket": URLRouter(
            [
                path("ws/chat/<str:public_key>/", VisitorConsumer.as_asgi()),
                re_path(
                    r"^",
                    AllowedHostsOriginValidator(
                        AuthMiddlewareStack(URLRouter([path("ws/agent/", AgentConsumer.as_asgi())]))
                    ),
                ),
            ]
        ),
    }
)
