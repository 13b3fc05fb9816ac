"""Agents (each with their own login and role), teams, and personal API tokens."""

import hashlib
import secrets

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("Admin")
    LEAD = "lead", _("Lead")
    AGENT = "agent", _("Agent")


class AgentManager(UserManager["Agent"]):
    def get_by_natural_key(self, username: str | None) -> "Agent":
        return self.get(email__iexact=username)


class Agent(AbstractUser):
    """A person who works the queue. Logs in with their e-mail address."""

    email = models.EmailField(_("email"), unique=True)
    display_name = models.CharField(_("name"), max_length=120)
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.AGENT)
    language = models.CharField(
        _("language"), max_length=8, blank=True, help_text=_("Empty: use the browser's.")
    )

    # Appended to the agent's email replies.
    signature = models.TextField(_("email signature"), blank=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = ["username"]
    objects = AgentManager()  # type: ignore[misc]

    class Meta:
        ordering = ["display_name"]

    def __str__(self) -> str:
        return self.display_name or self.email

    @property
    def sees_everything(self) -> bool:
        return self.role in (Role.ADMIN, Role.LEAD)

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    def team_ids(self) -> list[int]:
        if not hasattr(self, "_team_ids"):
            self._team_ids = list(self.teams.values_list("id", flat=True))
        return self._team_ids


class Team(models.Model):
    name = models.CharField(max_length=80, unique=True)
    members = models.ManyToManyField(Agent, related_name="teams", blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ApiToken(models.Model):
    """A personal API token. Only its SHA-256 is stored; it carries its agent's permissions."""

    agent = models.ForeignKey(Agent, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=80)
    prefix = models.CharField(max_length=12)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def digest_of(raw: str) -> str:
        return hashlib.sha256(raw.encode()).hexdigest()

    @classmethod
    def mint(cls, agent: Agent, name: str) -> tuple["ApiToken", str]:
        raw = "prl_" + secrets.token_urlsafe(32)
        token = cls.objects.create(
            agent=agent, name=name, prefix=raw[:8], digest=cls.digest_of(raw)
        )
        return token, raw
