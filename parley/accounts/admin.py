from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import UserChangeForm

from parley.automation.business_time import schedule_from
from parley.core.errors import InvalidInput

from .models import Agent, ApiToken, SatisfactionRating, Team


class AgentForm(UserChangeForm):
    def clean_languages(self) -> list[str]:
        return _words(self.cleaned_data.get("languages"), "languages")

    def clean_skills(self) -> list[str]:
        return _words(self.cleaned_data.get("skills"), "skills")

    def clean(self) -> dict:
        data = super().clean() or {}
        if data.get("shift_week"):
            try:
                schedule_from(data.get("shift_time_zone") or "", data["shift_week"])
            except InvalidInput as exc:
                self.add_error("shift_week", exc.detail)
        return data


def _words(value: object, field: str) -> list[str]:
    if value in (None, ""):
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise forms.ValidationError(f'{field}: a list of words, like ["ko", "en"]')
    return [v.strip().lower()[:40] for v in value]


@admin.register(Agent)
class AgentAdmin(UserAdmin):
    form = AgentForm
    list_display = ("email", "display_name", "role", "presence", "capacity", "is_active")
    list_filter = ("role", "is_active", "teams")
    search_fields = ("email", "display_name")
    ordering = ("display_name",)
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Profile", {"fields": ("display_name", "role", "language", "signature", "is_active")}),
        (
            "Assignment",
            {
                "fields": (
                    "presence",
                    "capacity",
                    "languages",
                    "skills",
                    "shift_time_zone",
                    "shift_week",
                )
            },
        ),
    )
    add_fieldsets = (
        (None, {"fields": ("email", "username", "display_name", "role", "password1", "password2")}),
    )

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        # Admin role and Django-admin access go together.
        obj.is_staff = obj.is_superuser = obj.role == "admin"
        super().save_model(request, obj, form, change)


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("name", "policy", "reassign_after_minutes", "next_shift")
    filter_horizontal = ("members",)
    fields = (
        "name",
        "members",
        "policy",
        "match_skills",
        "best_rated_for_negative",
        "reassign_after_minutes",
        "next_shift",
    )


@admin.register(SatisfactionRating)
class SatisfactionRatingAdmin(admin.ModelAdmin):
    list_display = ("conversation", "agent", "score", "created_at")
    list_filter = ("score", "agent")
    readonly_fields = ("conversation", "agent", "score", "comment", "created_at")

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False  # ratings come from customers, through the API


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "agent", "prefix", "created_at", "last_used_at")
    readonly_fields = ("agent", "name", "prefix", "created_at", "last_used_at")
    exclude = ("digest",)

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False  # Tokens are minted with `parley token`, shown once.
