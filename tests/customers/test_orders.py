"""Orders: recorded from the API and CSV, recognised in messages, suggesting merges."""

import json

import pytest

from parley.cli import main as cli
from parley.customers.models import Customer, Identity, MergeSuggestion, Order
from parley.customers.orders import mentioned_order_numbers
from tests import factories

CSV = "\n".join(
    [
        "number,email,phone,name,placed_at,currency,total,financial_status,"
        "fulfillment_status,items,tracking_number,tracking_url,carrier",
        "1042,jane@example.com,+82 10-1234-5678,Jane Kim,2026-11-20T10:00:00+09:00,KRW,59000,"
        "paid,fulfilled,2 x Blue mug; Tea sampler,CJ123,https://track.example/CJ123,CJ",
        "1043,min@example.com,,Min,2026-11-21T10:00:00Z,USD,12.5,pending,,,,,",
    ]
)


@pytest.mark.parametrize(
    ("text", "numbers"),
    [
        ("Where is my order #1042?", ["1042"]),
        ("주문번호 1042 배송 언제 되나요", ["1042"]),
        ("주문 번호: 1042, 주문번호 1043", ["1042", "1043"]),
        ("Order no. 55123 and order #55123 again", ["55123"]),
        ("Re: [#1042] your ticket", []),
        ("call me at 10:42, 3 items", []),
    ],
)
def test_order_numbers_are_recognised(text, numbers):
    assert mentioned_order_numbers(text) == numbers


@pytest.mark.django_db
def test_csv_import_records_orders_and_links_contacts(admin):
    assert cli(["import-orders", _file(CSV)]) == 0
    order = Order.objects.get(number="1042")
    assert order.source == "csv" and str(order.total) == "59000.00" and order.currency == "KRW"
    assert order.line_items[0] == {"title": "Blue mug", "quantity": 2, "sku": "", "price": ""}
    assert order.tracking == [
        {"number": "CJ123", "url": "https://track.example/CJ123", "company": "CJ"}
    ]
    jane = order.customer
    assert {(i.kind, i.value) for i in jane.identities.all()} == {
        ("email", "jane@example.com"),
        ("phone", "+821012345678"),
    }
    # The same file again changes nothing and doubles nothing.
    assert cli(["import-orders", _file(CSV)]) == 0
    assert Order.objects.count() == 2 and Customer.objects.count() == 2


@pytest.mark.django_db
def test_csv_import_names_every_bad_row_and_imports_nothing(api):
    bad = (
        "number,email,total,tracking_url\n"
        "1042,jane@example.com,12,https://ok.example/1\n"
        ",jane@example.com,12,\n"
        "1044,not-an-address,12,\n"
        "1045,a@example.com,lots,\n"
        "1046,,12,\n"
        "1047,b@example.com,1,javascript:alert(1)\n"
        "1042,c@example.com,1,\n"
    )
    response = api.post("/api/v1/orders/import", bad, content_type="text/csv")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_import"
    assert [e["row"] for e in body["errors"]] == [3, 4, 5, 6, 7, 8]
    assert "number" in body["errors"][0]["detail"]
    assert "e-mail" in body["errors"][1]["detail"]
    assert "repeats row 2" in body["errors"][5]["detail"]
    assert Order.objects.count() == 0 and Customer.objects.count() == 0

    wrong = api.post("/api/v1/orders/import", "number,colour\n1,red\n", content_type="text/csv")
    assert wrong.status_code == 400 and "colour" in wrong.json()["detail"]
    binary = api.post("/api/v1/orders/import", b"\xff\xfe\x00", content_type="text/csv")
    assert binary.status_code == 400


@pytest.mark.django_db
def test_import_is_for_admins(agent):
    from tests.conftest import api_client

    response = api_client(agent).post("/api/v1/orders/import", CSV, content_type="text/csv")
    assert response.status_code == 403


@pytest.mark.django_db
def test_put_orders_replaces_the_customers_api_orders(api, api_channel):
    customer = factories.inbound(api_channel, sender="ann@example.com").conversation.customer
    url = f"/api/v1/customers/{customer.pk}/orders"
    first = {
        "orders": [{"number": "#2001", "total": "10.00", "currency": "eur"}, {"number": "2002"}]
    }
    response = api.put(url, first, content_type="application/json")
    assert response.status_code == 200, response.content
    assert [o["number"] for o in response.json()] == ["2001", "2002"]
    again = {
        "orders": [
            {
                "number": "2001",
                "total": "11.00",
                "tracking": [{"number": "T1", "url": "https://t.example/1"}],
            }
        ]
    }
    response = api.put(url, again, content_type="application/json")
    assert [o["total"] for o in response.json()] == ["11.00"]
    assert list(Order.objects.values_list("number", flat=True)) == ["2001"]
    assert api.get(url).json()[0]["tracking"][0]["url"] == "https://t.example/1"

    bad = {"orders": [{"number": "1"}, {"number": "2", "placed_at": "yesterday"}]}
    response = api.put(url, bad, content_type="application/json")
    assert response.status_code == 400 and response.json()["detail"].startswith(
        "orders[1].placed_at"
    )
    hostile = {"orders": [{"number": "1", "admin_url": "javascript:alert(1)"}]}
    assert api.put(url, hostile, content_type="application/json").status_code == 400
    assert (
        api.put(
            "/api/v1/customers/999999/orders", first, content_type="application/json"
        ).status_code
        == 404
    )
    assert Order.objects.count() == 1


@pytest.mark.django_db
def test_a_named_order_of_another_profile_is_linked_and_suggests_a_merge(api_channel):
    cli(["import-orders", _file(CSV)])
    dm = factories.inbound(
        api_channel, "Hi! Any news on order #1042?", sender="jane.k", kind="instagram"
    ).conversation
    assert [o.number for o in dm.orders.all()] == ["1042"]
    suggestion = MergeSuggestion.objects.get()
    jane = Identity.objects.get(value="jane@example.com").customer
    assert {suggestion.customer_id, suggestion.other_id} == {jane.pk, dm.customer_id}
    assert suggestion.reason == "same_order" and "#1042" in suggestion.evidence


@pytest.mark.django_db
def test_an_order_contact_owned_by_someone_else_is_suggested_not_taken(api_channel):
    phone_owner = factories.inbound(
        api_channel, sender="+821012345678", kind="phone"
    ).conversation.customer
    cli(["import-orders", _file(CSV)])
    jane = Identity.objects.get(value="jane@example.com").customer
    assert jane.pk != phone_owner.pk
    assert Identity.objects.get(value="+821012345678").customer_id == phone_owner.pk
    assert MergeSuggestion.objects.filter(reason="same_message").count() == 1


@pytest.mark.django_db
def test_merge_api_previews_merges_and_undoes(api, api_channel):
    a = factories.inbound(api_channel, sender="a@example.com").conversation.customer
    b = factories.inbound(api_channel, sender="b@example.com").conversation.customer
    body = json.dumps({"target": a.pk, "sources": [b.pk]})
    preview = api.post("/api/v1/merges/preview", body, content_type="application/json")
    assert preview.json()["counts"]["conversations"] == 1
    merged = api.post("/api/v1/merges", body, content_type="application/json")
    assert merged.status_code == 201
    assert b.pk not in [c["id"] for c in api.get("/api/v1/customers").json()["items"]]
    again = api.post("/api/v1/merges", body, content_type="application/json")
    assert again.status_code == 409
    undo = api.post(f"/api/v1/merges/{merged.json()['id']}/undo")
    assert undo.status_code == 200 and undo.json()["undone_at"]
    self_merge = json.dumps({"target": a.pk, "sources": [a.pk]})
    assert (
        api.post("/api/v1/merges", self_merge, content_type="application/json").status_code == 400
    )


@pytest.mark.django_db
def test_scan_finds_duplicates_and_lists_them(api, api_channel):
    factories.inbound(api_channel, sender="kim.minji@example.com", name="Kim Minji")
    factories.inbound(api_channel, sender="kimminji@other.example", name="Kim Minji")
    factories.inbound(api_channel, sender="someone@example.com", name="Kim Minji")
    assert cli(["find-duplicates"]) == 0
    found = api.get("/api/v1/duplicates").json()
    assert [(s["reason"], s["evidence"]) for s in found] == [
        ("similar_name", "Kim Minji: kimminji")
    ]


def _file(text: str) -> str:
    import tempfile

    with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False, encoding="utf-8") as f:
        f.write(text)
    return f.name


@pytest.mark.django_db
def test_an_api_order_key_of_another_customer_is_a_conflict(api, api_channel):
    ann = factories.inbound(api_channel, sender="ann@example.com").conversation.customer
    bo = factories.inbound(api_channel, sender="bo@example.com").conversation.customer
    body = {"orders": [{"number": "1001", "total": "10"}]}
    assert (
        api.put(
            f"/api/v1/customers/{ann.pk}/orders", body, content_type="application/json"
        ).status_code
        == 200
    )
    taken = api.put(f"/api/v1/customers/{bo.pk}/orders", body, content_type="application/json")
    assert taken.status_code == 409 and taken.json()["code"] == "order_taken"
    assert Order.objects.get().customer == ann and str(Order.objects.get().total) == "10.00"
