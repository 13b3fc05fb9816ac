from django.contrib.auth import views as auth_views
from django.urls import path
from django.views.generic import RedirectView

from .views import conversation, customers, inbox, me, rules
from .views.auth import LoginView

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="inbox", permanent=False)),
    path("login/", LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("inbox/", inbox.inbox, {"view": "mine"}, name="inbox"),
    path("inbox/<str:view>/", inbox.inbox, name="inbox_view"),
    path("c/<int:conversation_id>/", conversation.detail, name="conversation"),
    path("c/<int:conversation_id>/live/", conversation.live, name="conversation_live"),
    path("c/<int:conversation_id>/reply/", conversation.reply, name="conversation_reply"),
    path("c/<int:conversation_id>/assign/", conversation.assign, name="conversation_assign"),
    path("c/<int:conversation_id>/update/", conversation.update, name="conversation_update"),
    path("attachments/<int:attachment_id>/", conversation.attachment, name="attachment"),
    path("me/presence/", me.presence, name="presence"),
    path("me/end-shift/", me.end_shift, name="end_shift"),
    path("settings/rules/", rules.rule_list, name="rules"),
    path("settings/rules/new/", rules.rule_edit, name="rule_new"),
    path("settings/rules/<int:rule_id>/", rules.rule_edit, name="rule_edit"),
    path("settings/rules/<int:rule_id>/switch/", rules.rule_switch, name="rule_switch"),
    path("settings/rules/<int:rule_id>/delete/", rules.rule_delete, name="rule_delete"),
    path("customers/duplicates/", customers.duplicates, name="duplicates"),
    path("customers/duplicates/scan/", customers.scan, name="duplicates_scan"),
    path("customers/suggestions/<int:suggestion_id>/dismiss/", customers.dismiss, name="dismiss"),
    path("customers/merge/", customers.merge, name="merge"),
    path("merges/<int:merge_id>/undo/", customers.undo_merge, name="undo_merge"),
    path("customers/<int:customer_id>/", customers.detail, name="customer"),
    path("customers/<int:customer_id>/notes/", customers.add_note, name="customer_add_note"),
    path("customers/<int:customer_id>/facts/", customers.update_facts, name="customer_facts"),
    path("customers/<int:customer_id>/picture/", customers.picture, name="customer_picture"),
]
