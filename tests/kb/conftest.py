import itertools

import pytest
from django.test import Client

from parley.accounts.models import Role
from parley.kb.actions import save_article, save_category
from parley.kb.models import Article, Category
from tests.factories import make_agent

_seq = itertools.count(1)


@pytest.fixture
def lead(db):
    return make_agent(Role.LEAD, name="Lee Lead")


@pytest.fixture
def lead_web(lead) -> Client:
    client = Client()
    client.force_login(lead)
    return client


def make_category(language: str = "en", name: str = "", position: int = 0) -> Category:
    return save_category(
        None, language=language, name=name or f"Category {next(_seq)}", slug="", position=position
    )


def make_article(
    title: str = "",
    *,
    language: str = "en",
    status: str = "published",
    visibility: str = "public",
    category: Category | None = None,
    **fields: object,
) -> Article:
    author = make_agent(Role.LEAD)
    return save_article(
        author,
        None,
        title=title or f"Article {next(_seq)}",
        language=language,
        status=status,
        visibility=visibility,
        category=category,
        **{"slug": "", "summary": "", "body": "", "translation_of": None, **fields},
    )
