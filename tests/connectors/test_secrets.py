"""Channel secrets survive a secret-key rotation, and `rotate-secrets` moves them to the new key."""

import pytest

from parley.connectors.actions import reencrypt_channel_secrets
from parley.connectors.models import Channel
from tests.factories import make_channel

pytestmark = pytest.mark.django_db


def test_rotation_reencrypts_with_the_new_key(settings):
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = "old-key", []
    channel = make_channel("api")
    channel.set_secret("callback_secret", "s3cret-value")
    channel.save()
    old_token = channel.encrypted_secrets["callback_secret"]

    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = "new-key", ["old-key"]
    assert Channel.objects.get().secret("callback_secret") == "s3cret-value"
    assert reencrypt_channel_secrets() == 1

    settings.SECRET_KEY_FALLBACKS = []
    rotated = Channel.objects.get()
    assert rotated.encrypted_secrets["callback_secret"] != old_token
    assert rotated.secret("callback_secret") == "s3cret-value"


def test_rotation_without_the_old_key_changes_nothing(settings):
    settings.SECRET_KEY = "old-key"
    channel = make_channel("api")
    channel.set_secret("callback_secret", "s3cret-value")
    channel.save()
    before = Channel.objects.get().encrypted_secrets

    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = "new-key", []
    with pytest.raises(ValueError, match="cannot be decrypted"):
        reencrypt_channel_secrets()

    assert Channel.objects.get().encrypted_secrets == before
