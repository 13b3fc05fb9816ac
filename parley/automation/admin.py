from django import forms
from django.contrib import admin

from parley.core.errors import InvalidInput

from .business_time import schedule_from
from .conditions import compile_conditions
from .effects import compile_actions
from .models import BusinessHours, Rule
from .timers import check_threshold


class RuleForm(forms.ModelForm):
    """Conditions and actions are checked as the engine will read them."""

    class Meta:
        model = Rule
        fields = (
            "name",
            "trigger",
            "threshold",
            "conditions",
            "actions",
            "position",
            "stop_processing",
            "enabled",
        )

    def clean_conditions(self) -> object:
        conditions = self.cleaned_data.get("conditions")
        try:
            compile_conditions(conditions)
        except InvalidInput as exc:
            raise forms.ValidationError(exc.detail) from None
        return conditions

    def clean(self) -> dict:
        data = super().clean() or {}
        try:
            data["threshold"] = check_threshold(data.get("trigger", ""), data.get("threshold"))
        except InvalidInput as exc:
            self.add_error("threshold", exc.detail)
        return data

    def clean_actions(self) -> object:
        actions = self.cleaned_data.get("actions")
        try:
            compile_actions(actions)
        except InvalidInput as exc:
            raise forms.ValidationError(exc.detail) from None
        return actions


@admin.register(Rule)
class RuleAdmin(admin.ModelAdmin):
    form = RuleForm
    list_display = ("name", "trigger", "position", "stop_processing", "enabled")
    list_editable = ("position", "enabled")
    list_filter = ("trigger", "enabled")

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


class BusinessHoursForm(forms.ModelForm):
    class Meta:
        model = BusinessHours
        fields = ("name", "team", "time_zone", "week", "holidays")
        help_texts = {
            "team": "Leave empty for the workspace's default hours.",
            "week": '{"mon": [["09:00", "18:00"]], …}; a period ending before it starts '
            "runs over midnight.",
            "holidays": '["2026-12-25", …]',
        }

    def clean(self) -> dict:
        data = super().clean() or {}
        try:
            schedule_from(data.get("time_zone", ""), data.get("week"), data.get("holidays") or [])
        except InvalidInput as exc:
            raise forms.ValidationError(exc.detail) from None
        return data


@admin.register(BusinessHours)
class BusinessHoursAdmin(admin.ModelAdmin):
    form = BusinessHoursForm
    list_display = ("name", "team", "time_zone")
