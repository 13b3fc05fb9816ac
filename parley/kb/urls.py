from django.urls import path, re_path

from . import public, views

urlpatterns = [
    path("help/", public.root, name="help"),
    path("help/<str:lang>/", public.home, name="help_home"),
    path("help/<str:lang>/search/", public.search, name="help_search"),
    # Slugs are letters (any script), digits, - and _: anything else is no page at all.
    re_path(r"^help/(?P<lang>\w+)/c/(?P<slug>[-\w]+)/$", public.category, name="help_category"),
    re_path(r"^help/(?P<lang>\w+)/a/(?P<slug>[-\w]+)/$", public.article, name="help_article"),
    re_path(
        r"^help/(?P<lang>\w+)/a/(?P<slug>[-\w]+)/feedback/$",
        public.feedback,
        name="help_feedback",
    ),
    path("kb/lookup/", views.lookup, name="kb_lookup"),
    path("kb/articles/<int:article_id>/", views.read, name="kb_read"),
    path("settings/articles/", views.article_list, name="kb_articles"),
    path("settings/articles/new/", views.article_edit, name="kb_article_new"),
    path("settings/articles/<int:article_id>/", views.article_edit, name="kb_article_edit"),
    path(
        "settings/articles/<int:article_id>/delete/",
        views.article_delete,
        name="kb_article_delete",
    ),
    path("settings/categories/new/", views.category_edit, name="kb_category_new"),
    path("settings/categories/<int:category_id>/", views.category_edit, name="kb_category_edit"),
    path(
        "settings/categories/<int:category_id>/delete/",
        views.category_delete,
        name="kb_category_delete",
    ),
]
