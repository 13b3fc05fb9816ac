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


class Presence(models.TextChoices):
    ONLINE = "online", _("Online")
    AWAY = "away", _("Away")
    OFFLINE = "offline", _("Offline")


class Policy(models.TextChoices):
    MANUAL = "manual", _("Nobody: the team picks from its queue")
    ROUND_ROBIN = "round_robin", _("Round-robin")
    LEAST_LOADED = "least_loaded", _("Least loaded")


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

    # What automatic assignment needs to know (automation/assignment.py).
    capacity = models.PositiveSmallIntegerField(
        _("capacity"), default=10, help_text=_("Open conversations at once; 0 takes no new work.")
    )
    languages = models.JSONField(
        _("languages"), default=list, blank=True, help_text=_('Codes answered in: ["ko", "en"].')
    )
    skills = models.JSONField(
        _("skills"), default=list, blank=True, help_text=_('Topics, matched with tags: ["refund"].')
    )
    presence = models.CharField(max_length=8, choices=Presence.choices, default=Presence.ONLINE)
    presence_since = models.DateTimeField(null=True, blank=True)
    # The last sign of an open workspace page (its socket says so every minute).
    last_seen_at = models.DateTimeField(null=True, blank=True)
    # When the agent works: a week like business hours' ({"mon": [["09:00", "18:00"]]});
    # empty means no schedule (always on shift).
    shift_time_zone = models.CharField(_("shift time zone"), max_length=64, default="UTC")
    shift_week = models.JSONField(_("shift"), default=dict, blank=True)

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
    policy = models.CharField(
        _("assignment"), max_length=16, choices=Policy.choices, default=Policy.MANUAL
    )
    match_skills = models.BooleanField(_("prefer matching language and skills"), default=True)
    best_rated_for_negative = models.BooleanField(
        _("unhappy customers go to the best-rated agent"), default=False
    )
    reassign_after_minutes = models.PositiveIntegerField(
        _("reassign after away (minutes)"),
        null=True,
        blank=True,
        help_text=_("Empty: conversations stay with an agent who is away."),
    )
    next_shift = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("hand off to at the end of a shift"),
    )
    # Round-robin's place in the rotation.
    last_assigned = models.ForeignKey(
        Agent, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

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


class SatisfactionRating(models.Model):
    """How a customer rated a conversation (CSAT, 1 to 5), credited to the agent who had it;
    "unhappy customers go to the best-rated agent" reads these."""

    conversation = models.ForeignKey(
        "conversations.Conversation", on_delete=models.CASCADE, related_name="+"
    )
    agent = models.ForeignKey(Agent, null=True, on_delete=models.SET_NULL, related_name="ratings")
    score = models.PositiveSmallIntegerField()
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["agent", "created_at"], name="rating_agent")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(score__gte=1, score__lte=5), name="rating_1_to_5"
            ),
            # A customer who rates again changes their rating.
            models.UniqueConstraint(fields=["conversation"], name="one_rating_per_conversation"),
        ]

    def __str__(self) -> str:
        return f"{self.score}/5 for #{self.conversation_id}"
