"""Settings → SLA policies (with validation), and each conversation's clocks, read-only."""

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from parley.connectors.models import ChannelKind
from parley.conversations.models import Priority
from parley.core.oncommit import enqueue_on_commit

from .models import ConversationSla, SlaPolicy


class SlaPolicyForm(forms.ModelForm):
    priorities = forms.TypedMultipleChoiceField(
        choices=Priority.choices,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="None ticked: every priority.",
    )
    channel_kinds = forms.MultipleChoiceField(
        choices=ChannelKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="None ticked: every channel.",
    )

    class Meta:
        model = SlaPolicy
        fields = (
            "name",
            "enabled",
            "position",
            "priorities",
            "channel_kinds",
            "first_response_minutes",
            "next_response_minutes",
            "resolution_minutes",
            "business_hours",
        )


@admin.register(SlaPolicy)
class SlaPolicyAdmin(admin.ModelAdmin):
    form = SlaPolicyForm
    list_display = (
        "name",
        "position",
        "enabled",
        "first_response_minutes",
        "next_response_minutes",
        "resolution_minutes",
        "business_hours",
    )
    list_editable = ("position", "enabled")

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        super().save_model(request, obj, form, change)
        if change:  # open conversations follow the new targets at once
            from .tasks import reapply_policy

            enqueue_on_commit(reapply_policy, obj.pk)


@admin.register(ConversationSla)
class ConversationSlaAdmin(admin.ModelAdmin):
    list_display = ("conversation", "policy", "next_due_at", "breached_at")
    list_filter = ("policy",)
    list_select_related = ("conversation", "policy")
    raw_id_fields = ("conversation",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
