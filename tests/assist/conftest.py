from collections.abc import Iterator

import pytest

from parley.assist.models import ProviderSettings
from tests.fakes.openai import FakeOpenAI


@pytest.fixture
def fake_openai() -> Iterator[FakeOpenAI]:
    server = FakeOpenAI().start()
    yield server
    server.stop()


@pytest.fixture
def provider(db, fake_openai: FakeOpenAI) -> ProviderSettings:
    settings = ProviderSettings(enabled=True, url=fake_openai.url, model="gpt-test", timeout=5)
    settings.set_secret("api_key", fake_openai.key)
    settings.save()
    return settings
