"""Settings → Priority score: the weights and urgency words, one set for the workspace."""

from django.contrib import admin
from django.http import HttpRequest

from .models import PrioritySettings


@admin.register(PrioritySettings)
class PrioritySettingsAdmin(admin.ModelAdmin):
    fields = (
        "urgency_points",
        "urgency_words",
        "negative_points",
        "vip_points",
        "orders_points",
        "lifetime_value_points",
        "lifetime_value_full",
        "followers_points",
        "waiting_points",
        "sla_points",
    )
    list_display = ("__str__", "updated_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not PrioritySettings.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
