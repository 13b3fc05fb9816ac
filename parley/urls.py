from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.static import serve

from parley.api.main import api
from parley.connectors.receive import receive_webhook

urlpatterns = [
    path("api/", api.urls),
    path("hooks/<str:kind>/<int:channel_id>", receive_webhook, name="webhook"),
    path("django-admin/", admin.site.urls),
    path("", include("parley.web.urls")),
    # Attachments are only reachable by agents: see web.views.attachments.
]
if settings.DEBUG:
    urlpatterns.append(path("media/<path:path>", serve, {"document_root": settings.MEDIA_ROOT}))
