"""Settings → Brand tone: one text an admin keeps, shown beside every composer."""

from django.contrib import admin
from django.http import HttpRequest

from .models import BrandTone


@admin.register(BrandTone)
class BrandToneAdmin(admin.ModelAdmin):
    fields = ("text",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not BrandTone.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
