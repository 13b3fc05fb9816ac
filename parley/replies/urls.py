from django.urls import path

from . import views

urlpatterns = [
    path("replies/", views.manage, name="saved_replies"),
    path("replies/new/", views.edit, name="saved_reply_new"),
    path("replies/<int:reply_id>/", views.edit, name="saved_reply_edit"),
    path("replies/<int:reply_id>/delete/", views.delete, name="saved_reply_delete"),
    path("replies/signatures/", views.signatures, name="signatures"),
    path("replies/c/<int:conversation_id>/", views.search, name="saved_replies_search"),
    path(
        "replies/c/<int:conversation_id>/use/<int:reply_id>/",
        views.use,
        name="saved_replies_use",
    ),
]
