"""Creating and changing agents and teams (admin work)."""

from collections.abc import Iterable
from datetime import timedelta

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from parley.core.errors import Conflict, InvalidInput

from .models import Agent, Presence, Role, Team

SEEN_EVERY = timedelta(seconds=50)


@transaction.atomic
def create_agent(
    *, email: str, password: str, name: str, role: str = Role.AGENT, language: str = ""
) -> Agent:
    email = email.strip().lower()
    if Agent.objects.filter(email__iexact=email).exists():
        raise Conflict(f"an agent with e-mail {email} already exists", code="duplicate_email")
    if role not in Role.values:
        raise InvalidInput(f"unknown role {role!r}", code="invalid_role")
    try:
        validate_password(password)
    except ValidationError as exc:
        raise InvalidInput(" ".join(exc.messages), code="weak_password") from None
    return Agent.objects.create_user(
        username=email,
        email=email,
        password=password,
        display_name=name or email.split("@")[0],
        role=role,
        language=language,
        is_staff=role == Role.ADMIN,
        is_superuser=role == Role.ADMIN,
    )


@transaction.atomic
def update_agent(
    agent: Agent,
    *,
    name: str | None = None,
    role: str | None = None,
    language: str | None = None,
    is_active: bool | None = None,
) -> Agent:
    if role is not None:
        if role not in Role.values:
            raise InvalidInput(f"unknown role {role!r}", code="invalid_role")
        agent.role = role
        agent.is_staff = agent.is_superuser = role == Role.ADMIN
    if name is not None:
        agent.display_name = name
    if language is not None:
        agent.language = language
    if is_active is not None:
        agent.is_active = is_active
    agent.save()
    return agent


@transaction.atomic
def save_team(team: Team | None, *, name: str, member_ids: Iterable[int] | None) -> Team:
    name = name.strip()
    if not name:
        raise InvalidInput("a team needs a name", code="invalid_name")
    others = Team.objects.filter(name__iexact=name)
    if team is not None:
        others = others.exclude(pk=team.pk)
    if others.exists():
        raise Conflict(f"a team named {name} already exists", code="duplicate_team")
    team = team or Team()
    team.name = name
    team.save()
    if member_ids is not None:
        members = list(Agent.objects.filter(pk__in=member_ids))
        if len(members) != len(set(member_ids)):
            raise InvalidInput("unknown agent in members", code="invalid_member")
        team.members.set(members)
    return team


def set_presence(agent: Agent, presence: str) -> Agent:
    """Online, away or offline, as the agent says (assignment only gives work to online)."""
    if presence not in Presence.values:
        raise InvalidInput(
            f"presence: one of {', '.join(Presence.values)}", code="invalid_presence"
        )
    if agent.presence != presence:
        agent.presence, agent.presence_since = presence, timezone.now()
        agent.save(update_fields=["presence", "presence_since"])
    return agent


def mark_seen(agent_id: int) -> None:
    """A workspace page is open: one write a minute at most per agent."""
    now = timezone.now()
    Agent.objects.filter(pk=agent_id).filter(
        Q(last_seen_at__isnull=True) | Q(last_seen_at__lt=now - SEEN_EVERY)
    ).update(last_seen_at=now)
