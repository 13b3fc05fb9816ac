from django.contrib import admin, messages

from .models import InboundEvent, Tag
from .tasks import process_event


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ("name", "color")
    search_fields = ("name",)


@admin.register(InboundEvent)
class InboundEventAdmin(admin.ModelAdmin):
    """The durable inbox, for operators: what arrived, what failed and why; replay."""

    list_display = ("id", "channel", "status", "received_at", "attempts", "error")
    list_filter = ("status", "channel")
    readonly_fields = (
        "channel",
        "headers",
        "body",
        "status",
        "error",
        "attempts",
        "received_at",
        "processed_at",
    )
    actions = ("replay",)

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    @admin.action(description="Process the selected events again")
    def replay(self, request, queryset):  # type: ignore[no-untyped-def]
        outcomes = [process_event(event) for event in queryset.select_related("channel")]
        failed = outcomes.count("failed")
        level = messages.WARNING if failed else messages.SUCCESS
        self.message_user(request, f"Replayed {len(outcomes)} events, {failed} failed.", level)
