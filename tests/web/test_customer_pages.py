"""Customer pages: orders beside the conversation, suggestions, merge and undo."""

import pytest

from parley.customers.models import Customer, CustomerMerge, MergeSuggestion
from parley.customers.orders import OrderData, record_order
from tests.factories import inbound, make_agent

pytestmark = pytest.mark.django_db


@pytest.fixture
def shopper(api_channel):
    """Jane e-mailed about order 1042; later a DM names it from another account."""
    email = inbound(api_channel, "Where is order #1042?", sender="jane@example.com", name="Jane")
    record_order(
        "api",
        OrderData(
            external_id="1042",
            number="1042",
            email="jane@example.com",
            tracking=[{"number": "CJ1", "url": "https://track.example/CJ1", "company": "CJ"}],
            admin_url="https://shop.example/admin/orders/1042",
        ),
    )
    dm = inbound(api_channel, "order 1042 please", sender="jane_ig", kind="instagram", name="jk")
    return email.conversation, dm.conversation


def test_conversation_panel_shows_the_named_order_and_the_suggested_duplicate(web, shopper):
    email, dm = shopper
    page = web.get(f"/c/{dm.pk}/").content.decode()
    assert "#1042" in page and "named here" in page
    assert 'data-insert="https://track.example/CJ1"' in page
    assert "https://shop.example/admin/orders/1042" in page
    assert "Possibly the same person" in page and "Jane" in page
    assert f"target={dm.customer_id}&amp;source={email.customer_id}" in page


def test_merge_preview_then_merge_then_undo(web, shopper):
    email, dm = shopper
    url = f"/customers/merge/?target={email.customer_id}&source={dm.customer_id}"
    preview = web.get(url).content.decode()
    assert "1 conversation" in preview and "1 identity" in preview
    assert Customer.objects.get(pk=dm.customer_id).merged_into_id is None

    done = web.post("/customers/merge/", {"target": email.customer_id, "source": dm.customer_id})
    assert done.status_code == 302
    page = web.get(f"/customers/{email.customer_id}/").content.decode()
    assert email.reference in page and dm.reference in page
    assert "merged jk into this profile" in page
    assert not MergeSuggestion.objects.filter(resolved_at__isnull=True).exists()
    # The emptied profile's page leads to the kept one.
    assert web.get(f"/customers/{dm.customer_id}/").url == f"/customers/{email.customer_id}/"

    merge = CustomerMerge.objects.get()
    assert web.post(f"/merges/{merge.pk}/undo/").status_code == 302
    dm.refresh_from_db()
    assert dm.customer.merged_into_id is None and dm.customer.identities.count() == 1


def test_merge_by_email_and_bad_requests(web, shopper):
    email, dm = shopper
    found = web.get(f"/customers/merge/?target={dm.customer_id}&find=JANE@example.com")
    assert found.status_code == 200 and b"1 conversation" in found.content
    missing = web.get(
        f"/customers/merge/?target={dm.customer_id}&find=nobody@example.com", follow=True
    )
    assert b"No profile has that email" in missing.content
    itself = web.get(
        f"/customers/merge/?target={dm.customer_id}&source={dm.customer_id}", follow=True
    )
    assert b"cannot be merged into itself" in itself.content
    assert web.get("/customers/merge/?target=abc").status_code == 404
    assert web.get("/customers/merge/?target=99999999999999999999").status_code == 404
    assert (
        web.get("/customers/merge/", {"target": email.customer_id, "source": "x"}).status_code
        == 404
    )


def test_duplicates_page_lists_and_dismisses(web, shopper):
    page = web.get("/customers/duplicates/").content.decode()
    assert "Named the other" in page and "order #1042" in page
    suggestion = MergeSuggestion.objects.get()
    web.post(f"/customers/suggestions/{suggestion.pk}/dismiss/")
    assert "No likely duplicates" in web.get("/customers/duplicates/").content.decode()
    suggestion.refresh_from_db()
    assert suggestion.dismissed


def test_agents_cannot_merge_profiles_they_cannot_see(client, shopper):
    from parley.conversations.models import Conversation
    from tests.factories import PASSWORD, make_team

    email, dm = shopper
    Conversation.objects.update(team=make_team("Payments"))
    outsider = make_agent()
    client.post("/login/", {"username": outsider.email, "password": PASSWORD})
    url = f"/customers/merge/?target={email.customer_id}&source={dm.customer_id}"
    assert client.get(url).status_code == 404
    assert (
        client.post(
            "/customers/merge/", {"target": email.customer_id, "source": dm.customer_id}
        ).status_code
        == 404
    )
    assert Customer.objects.filter(merged_into__isnull=False).count() == 0


def test_agents_keep_vip_language_and_tags_on_the_profile(web, shopper):
    email, _ = shopper
    url = f"/customers/{email.customer_id}/facts/"
    web.post(url, {"vip": "on", "language": "ko", "tags": "wholesale, returns, wholesale"})
    customer = Customer.objects.get(pk=email.customer_id)
    assert customer.attributes == {"vip": True, "language": "ko", "tags": ["wholesale", "returns"]}
    page = web.get(f"/customers/{customer.pk}/").content.decode()
    assert 'class="badge vip"' in page and "wholesale" in page

    web.post(url, {"language": "", "tags": ""})
    customer.refresh_from_db()
    assert customer.attributes == {}
    too_many = web.post(url, {"tags": ",".join(f"t{i}" for i in range(30))}, follow=True)
    assert b"At most 20 tags" in too_many.content


def test_agents_see_no_suggestions_or_orders_of_profiles_they_cannot_see(client, shopper):
    from parley.conversations.models import Conversation
    from tests.factories import PASSWORD, make_team

    email, dm = shopper
    Conversation.objects.filter(pk=email.pk).update(team=make_team("Private"))
    outsider = make_agent()
    client.post("/login/", {"username": outsider.email, "password": PASSWORD})
    page = client.get(f"/c/{dm.pk}/").content.decode()
    assert "Possibly the same person" not in page and "Where is order #1042" not in page
    assert "#1042" not in page.split('id="orders"')[1].split("</div>")[0]
    # …nor merge what they cannot fully see.
    merge = client.get(f"/customers/merge/?target={dm.customer_id}&find=jane@example.com")
    assert merge.status_code == 404


def test_a_profile_number_or_a_phone_finds_the_profile(db, api_channel):
    from parley.customers.resolve import find_profile

    phone = inbound(api_channel, "hi", sender="+14155552671", kind="phone").conversation.customer
    assert find_profile("+1 415 555 2671") == phone
    assert find_profile(f"#{phone.pk}") == phone
    assert find_profile(str(phone.pk)) == phone
