"""Personal API tokens: `Authorization: Bearer prl_…`, carrying the agent's own permissions."""

from datetime import timedelta

from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer

from parley.accounts.models import Agent, ApiToken

# last_used_at is informational; writing it on every request would cost a write per call.
LAST_USED_RESOLUTION = timedelta(minutes=5)


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Agent | None:
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


def agent_of(request: HttpRequest) -> Agent:
    return request.auth  # type: ignore[attr-defined,no-any-return]
