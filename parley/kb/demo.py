"""The demo workspace's help center: a few categories and articles in English and Korean,
the Korean ones linked as translations, plus one internal and one draft article."""

from parley.accounts.models import Agent

from .actions import save_article, save_category
from .models import Article

CATEGORIES = (
    ("en", "shipping", "Shipping and delivery", 1),
    ("en", "returns", "Returns and refunds", 2),
    ("ko", "shipping", "배송", 1),
    ("ko", "returns", "반품 및 환불", 2),
)
# (key, language, category slug, title, summary, body, status, visibility, translation of)
ARTICLES = (
    (
        "delivery", "en", "shipping", "How long does delivery take?",
        "Orders ship within one business day and arrive in 2 to 5 business days.",
        "Orders placed before 2 pm ship **the same business day**.\n\n"
        "| Destination | Delivery |\n|---|---|\n| Domestic | 2 to 3 business days |\n"
        "| International | 5 to 10 business days |\n\n"
        "The e-mail that confirms shipping holds your **tracking link**.",
        "published", "public", None,
    ),
    (
        "delivery-ko", "ko", "shipping", "배송은 얼마나 걸리나요?",
        "주문은 영업일 기준 1일 이내에 출고되며 2~5일 안에 도착합니다.",
        "오후 2시 이전 주문은 **당일 출고**됩니다.\n\n"
        "출고 안내 메일에서 **배송 조회 링크**를 확인하실 수 있습니다.",
        "published", "public", "delivery",
    ),
    (
        "returns", "en", "returns", "Returning an item",
        "Free returns within 30 days of delivery, in the original packaging.",
        "1. Write to us with your order number.\n2. We send a prepaid label.\n"
        "3. Your refund arrives within 5 business days of our receiving the parcel.",
        "published", "public", None,
    ),
    (
        "returns-ko", "ko", "returns", "반품 방법",
        "배송 완료 후 30일 이내, 원래 포장 상태로 무료 반품이 가능합니다.",
        "1. 주문번호와 함께 문의해 주세요.\n2. 선불 반품 라벨을 보내 드립니다.\n"
        "3. 상품 도착 후 영업일 기준 5일 이내에 환불됩니다.",
        "published", "public", "returns",
    ),
    (
        "lost", "en", "shipping", "Lost parcels: what agents do",
        "After 10 business days without a scan, reship at once; no claim needed.",
        "Reship first, claim from the carrier afterwards. Note the new tracking on the ticket.",
        "published", "internal", None,
    ),
    (
        "customs", "en", "shipping", "Customs fees",
        "Who pays import duties, by country.",
        "Being written.",
        "draft", "public", None,
    ),
)  # fmt: skip


def load_demo_articles(author: Agent) -> None:
    categories = {
        (lang, slug): save_category(None, language=lang, slug=slug, name=name, position=pos)
        for lang, slug, name, pos in CATEGORIES
    }
    made: dict[str, Article] = {}
    for key, lang, category, title, summary, body, status, visibility, original in ARTICLES:
        made[key] = save_article(
            author,
            None,
            title=title,
            slug="",
            summary=summary,
            body=body,
            language=lang,
            category=categories[(lang, category)],
            translation_of=made.get(original) if original else None,
            status=status,
            visibility=visibility,
        )
