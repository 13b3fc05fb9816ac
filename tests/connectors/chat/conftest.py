import pytest
from channels.layers import channel_layers
from django.core.cache import cache

from tests import factories


@pytest.fixture(autouse=True)
def layer(settings):
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    channel_layers.backends = {}
    cache.clear()  # rate-limit counters and the cached agent presence
    yield
    channel_layers.backends = {}


@pytest.fixture
def chat(db):
    return factories.make_channel("chat")
