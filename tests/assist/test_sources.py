"""Saved replies and the brand tone reach assistance."""

import pytest

from parley.assist.models import ProviderSettings
from tests.factories import inbound, make_channel

pytestmark = pytest.mark.django_db


def test_a_fitting_saved_reply_is_suggested_filled_in(web):
    from parley.replies.models import SavedReply

    shipping = SavedReply.objects.create(
        title="Shipping update", bodies={"en": "Hi {{ customer.first_name }}, it ships today."}
    )
    SavedReply.objects.create(title="Gift cards", bodies={"en": "Buy one online."})
    message = inbound(make_channel(), "When will my parcel be shipped?", name="Ann Archer")

    page = web.get(f"/assist/c/{message.conversation_id}/").content.decode()

    assert f'data-kind="saved_reply" data-id="{shipping.pk}"' in page
    assert 'data-insert="Hi Ann, it ships today."' in page
    assert "Gift cards" not in page


def test_drafts_follow_the_brand_tone(web, provider, fake_openai):
    from parley.replies.models import BrandTone

    BrandTone(text="Always say 'we', never 'I'.").save()
    message = inbound(make_channel(), "Where is my parcel?")

    web.post(f"/assist/c/{message.conversation_id}/ask/", {"action": "draft"})

    assert "Always say 'we'" in fake_openai.requests[0]["messages"][0]["content"]
    assert ProviderSettings.current().ready
