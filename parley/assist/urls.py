from django.urls import path

from . import views

urlpatterns = [
    path("assist/c/<int:conversation_id>/", views.panel, name="assist_panel"),
    path("assist/c/<int:conversation_id>/summary/", views.summary, name="assist_summary"),
    path("assist/c/<int:conversation_id>/ask/", views.ask, name="assist_ask"),
]
