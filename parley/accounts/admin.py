from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from .models import Agent, ApiToken, Team


@admin.register(Agent)
class AgentAdmin(UserAdmin):
    list_display = ("email", "display_name", "role", "language", "is_active")
    list_filter = ("role", "is_active", "teams")
    search_fields = ("email", "display_name")
    ordering = ("display_name",)
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Profile", {"fields": ("display_name", "role", "language", "signature", "is_active")}),
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
    list_display = ("name",)
    filter_horizontal = ("members",)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "agent", "prefix", "created_at", "last_used_at")
    readonly_fields = ("agent", "name", "prefix", "created_at", "last_used_at")
    exclude = ("digest",)

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False  # Tokens are minted with `parley token`, shown once.
