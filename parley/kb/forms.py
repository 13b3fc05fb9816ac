"""Settings → Knowledge base: the article and category forms (leads and admins)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from parley.core.errors import InvalidInput

from .actions import check_article, slug_for
from .models import LANGUAGES, Article, Category, Status, Visibility


class ArticleForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    slug = forms.CharField(
        label=_("Slug"),
        max_length=120,
        required=False,
        help_text=_("The end of the article's address. Empty: made from the title."),
    )
    summary = forms.CharField(
        label=_("Summary"),
        max_length=300,
        required=False,
        help_text=_("One or two sentences: shown in lists and inserted into replies."),
    )
    body = forms.CharField(
        label=_("Body (Markdown)"), max_length=100_000, required=False, widget=forms.Textarea
    )
    language = forms.ChoiceField(label=_("Language"), choices=LANGUAGES)
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=Category.objects.all(), required=False
    )
    translation_of = forms.ModelChoiceField(
        label=_("Translation of"),
        queryset=Article.objects.filter(translation_of=None),
        required=False,
        help_text=_("The original article, when this one translates it."),
    )
    status = forms.ChoiceField(label=_("Status"), choices=Status.choices)
    visibility = forms.ChoiceField(label=_("Visibility"), choices=Visibility.choices)

    def __init__(self, *args: object, article: Article | None = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.article = article

    def clean(self) -> dict:
        data = super().clean() or {}
        if self.errors:
            return data
        try:
            data["slug"] = slug_for(data["slug"], data["title"])
            check_article(data, self.article)
        except InvalidInput as exc:
            self.add_error("translation_of" if exc.code == "translation" else None, exc.detail)
        return data


class CategoryForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    slug = forms.CharField(
        label=_("Slug"), max_length=80, required=False, help_text=_("Empty: made from the name.")
    )
    language = forms.ChoiceField(label=_("Language"), choices=LANGUAGES)
    description = forms.CharField(label=_("Description"), max_length=300, required=False)
    position = forms.IntegerField(
        label=_("Position"),
        min_value=0,
        max_value=100_000,
        initial=0,
        help_text=_("Lower comes first."),
    )
