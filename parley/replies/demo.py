"""The demo workspace's saved replies (English and Korean), signatures and brand tone."""

from parley.accounts.models import Agent, Team

from .actions import save_brand_tone, save_saved_reply, save_signatures

# (title, shortcut, tags, English, Korean)
REPLIES = (
    (
        "Shipping update", "ship", ["shipping", "tracking"],
        "Hi {{ customer.first_name }}, your order #{{ order.number }} is {{ order.status }}. "
        "You can follow it here: {{ order.tracking_url }}",
        "{{ customer.name }}님, 주문 #{{ order.number }} 상태는 {{ order.status }}입니다. "
        "배송 조회: {{ order.tracking_url }}",
    ),
    (
        "Refund started", "refund", ["refund", "returns"],
        "Hi {{ customer.first_name }}, the refund for order #{{ order.number }} is on its way: "
        "it shows on your statement within 5 to 10 business days.",
        "{{ customer.name }}님, 주문 #{{ order.number }} 환불이 접수되었습니다. "
        "영업일 기준 5~10일 안에 카드 명세서에 반영됩니다.",
    ),
    (
        "Looking into it", "looking", ["general"],
        "Thanks {{ customer.first_name }}! I'm looking into this now and will write again "
        "today. Your ticket is #{{ conversation.id }}.",
        "{{ customer.name }}님, 문의 감사합니다. 지금 확인하고 오늘 중으로 다시 연락드리겠습니다. "
        "문의 번호는 #{{ conversation.id }}입니다.",
    ),
)  # fmt: skip
TONE = (
    "Warm and direct: short sentences, the customer's first name, no jargon.\n"
    "Never promise a delivery date the carrier has not given.\n"
    "Korean: 존댓말 (-습니다/-요), never 반말."
)


def load_demo_replies(lead: Agent, team: Team) -> None:
    for i, (title, shortcut, tags, english, korean) in enumerate(REPLIES):
        save_saved_reply(
            lead,
            None,
            title=title,
            shortcut=shortcut,
            tags=tags,
            bodies={"en": english, "ko": korean},
            default_language="en",
            scope="team" if i == 1 else "workspace",
            team=team if i == 1 else None,
        )
    save_signatures(lead, email=lead.signature, chat=f"— {lead}", social=f"— {lead}")
    save_brand_tone(TONE)
