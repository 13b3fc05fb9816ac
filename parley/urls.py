from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.static import serve

from parley.api.main import api
from parley.connectors.chat import views as chat
from parley.connectors.email.providers import receive_provider_mail
from parley.connectors.receive import receive_webhook
from parley.connectors.webform import views as webform
from parley.integrations.webhooks import shopify_webhook

urlpatterns = [
    # Public and cross-origin, outside the token-authenticated API (webform/views.py).
    path("api/v1/forms/<str:public_key>", webform.form_api, name="webform_api"),
    path("api/", api.urls),
    path("hooks/<str:kind>/<int:channel_id>", receive_webhook, name="webhook"),
    # Mailgun posts the raw message only to a URL ending in "mime".
    re_path(
        r"^hooks/email/(?P<channel_id>[0-9]+)/(?P<provider>[a-z]+)/inbound(?:/mime)?$",
        receive_provider_mail,
        name="email-provider-inbound",
    ),
    path("integrations/shopify/<int:store_id>/webhooks", shopify_webhook, name="shopify_webhook"),
    path("django-admin/", admin.site.urls),
    path("chat/widget.js", chat.widget_js, name="chat_widget"),
    path("chat/<str:public_key>/session", chat.session, name="chat_session"),
    path("chat/<str:public_key>/contact", chat.contact, name="chat_contact"),
    path("chat/<str:public_key>/upload", chat.upload, name="chat_upload"),
    path("chat/<str:public_key>/files/<str:signed>", chat.file, name="chat_file"),
    path("forms/<str:public_key>/", webform.form_page, name="webform"),
    path("forms/<str:public_key>/thanks/<str:key>/", webform.thanks_page, name="webform_thanks"),
    path("", include("parley.kb.urls")),  # the public help center and the knowledge base
    path("", include("parley.assist.urls")),
    path("", include("parley.replies.urls")),
    path("", include("parley.web.urls")),
    # Attachments are only reachable by agents: see web.views.attachments.
]
if settings.DEBUG:
    urlpatterns.append(path("media/<path:path>", serve, {"document_root": settings.MEDIA_ROOT}))
