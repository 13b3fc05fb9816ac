"""Personal API tokens: `Authorization: Bearer prl_…`, carrying the agent's own permissions."""

import time
from datetime import timedelta

from asgiref.sync import sync_to_async
from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer

from parley.accounts.models import Agent, ApiToken

# last_used_at is informational; writing it on every request would cost a write per call.
LAST_USED_RESOLUTION = timedelta(minutes=5)
# The high-volume inbound endpoint remembers a valid token this long, so a revoked token or
# a deactivated agent keeps feeding messages for at most this many seconds.
TOKEN_CACHE_SECONDS = 10.0


def agent_for_token(token: str) -> Agent | None:
    found = (
        ApiToken.objects.select_related("agent")
        .filter(digest=ApiToken.digest_of(token), agent__is_active=True)
        .first()
    )
    if found is None:
        return None
    now = timezone.now()
    if found.last_used_at is None or now - found.last_used_at > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
    return found.agent


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Agent | None:
        return agent_for_token(token)


_recently_valid: dict[str, tuple[float, Agent]] = {}


async def cached_agent_for_token(token: str) -> Agent | None:
    """A short in-process cache of valid tokens saves a thread hop and a query per request."""
    cached = _recently_valid.get(token)
    if cached is not None and cached[0] > time.monotonic():
        return cached[1]
    agent = await sync_to_async(agent_for_token)(token)
    if agent is not None:
        _recently_valid[token] = (time.monotonic() + TOKEN_CACHE_SECONDS, agent)
    return agent


def bearer_token(authorization: str) -> str:
    scheme, _, token = authorization.partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


class CachedAsyncTokenAuth(HttpBearer):
    async def authenticate(self, request: HttpRequest, token: str) -> Agent | None:  # type: ignore[override]
        return await cached_agent_for_token(token)


def agent_of(request: HttpRequest) -> Agent:
    return request.auth  # type: ignore[attr-defined,no-any-return]
