import itertools
from datetime import UTC, datetime

import pytest

from parley.accounts.models import Agent
from parley.conversations.models import Conversation
from parley.customers.models import Order
from parley.customers.orders import OrderData, record_order
from parley.replies.actions import save_saved_reply
from parley.replies.models import SavedReply
from tests.factories import inbound

_seq = itertools.count(1)


@pytest.fixture
def conversation(api_channel) -> Conversation:
    message = inbound(
        api_channel, "Where is my parcel?", sender="ann@example.com", name="Ann Archer"
    )
    return message.conversation


def make_order(conversation: Conversation, number: str, day: int, url: str = "") -> Order:
    tracking = [{"number": f"TRK{number}", "url": url, "company": "UPS"}] if url else []
    data = OrderData(
        external_id=f"o-{number}",
        number=number,
        placed_at=datetime(2026, 5, day, tzinfo=UTC),
        fulfillment_status="fulfilled",
        tracking=tracking,
    )
    return record_order("api", data, customer=conversation.customer)


def make_reply(agent: Agent, text: str = "Hello {{ customer.first_name }}", **fields) -> SavedReply:
    values = {"title": f"Reply {next(_seq)}", "bodies": {"en": text}, "scope": "personal"}
    return save_saved_reply(agent, None, **(values | fields))
