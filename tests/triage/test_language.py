# ruff: noqa: RUF001 - the sentences hold their languages' own letters and punctuation
"""Language detection: real customer sentences in each language, mixed text, and text too
short or too empty to tell."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from parley.triage.language import detect_language

SENTENCES = {
    "en": "Hello, my order has not arrived yet. Can you help me?",
    "es": "Hola, mi pedido todavía no ha llegado. ¿Pueden ayudarme, por favor?",
    "fr": "Bonjour, je n'ai toujours pas reçu ma commande. Pouvez-vous m'aider ?",
    "de": "Hallo, meine Bestellung ist noch nicht angekommen. Können Sie mir bitte helfen?",
    "pt": "Olá, meu pedido ainda não chegou. Vocês podem me ajudar?",
    "it": "Ciao, il mio ordine non è ancora arrivato. Potete aiutarmi?",
    "id": "Halo, pesanan saya belum sampai. Bisa tolong dibantu?",
    "vi": "Xin chào, đơn hàng của tôi vẫn chưa được giao. Bạn có thể giúp tôi không?",
    "tr": "Merhaba, siparişim hala gelmedi. Yardımcı olabilir misiniz?",
    "nl": "Hallo, mijn bestelling is nog steeds niet aangekomen. Kunnen jullie mij helpen?",
    "ko": "주문한 상품이 아직 도착하지 않았어요. 확인 부탁드립니다.",
    "ja": "注文した商品がまだ届きません。確認していただけますか？",
    "zh": "我的订单还没有到，请帮我查一下。",
    "ru": "Здравствуйте, мой заказ ещё не пришёл. Помогите, пожалуйста.",
    "uk": "Привіт, моє замовлення ще не прийшло. Допоможіть, будь ласка.",
    "ar": "مرحبا، لم يصل طلبي بعد. هل يمكنكم مساعدتي؟",
    "fa": "سلام، سفارش من هنوز نرسیده است. لطفا کمک کنید.",
    "he": "שלום, ההזמנה שלי עדיין לא הגיעה. תוכלו לעזור?",
    "el": "Γεια σας, η παραγγελία μου δεν έχει φτάσει ακόμα.",
    "th": "สวัสดีครับ สินค้าที่สั่งยังไม่มาถึงเลย",
    "hi": "नमस्ते, मेरा ऑर्डर अभी तक नहीं आया है।",
}


@pytest.mark.parametrize(("code", "text"), SENTENCES.items())
def test_each_language_is_recognised(code, text):
    assert detect_language(text) == code


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("I want a refund for order #1042, it's broken", "en"),
        ("Quiero un reembolso, el producto llegó roto", "es"),
        ("Je voudrais être remboursé, le produit est cassé", "fr"),
        ("Ich möchte mein Geld zurück, das Paket ist beschädigt", "de"),
        ("THE PACKAGE IS DAMAGED AND I WANT MY MONEY BACK", "en"),
    ],
)
def test_typical_support_messages(text, code):
    assert detect_language(text) == code


def test_mixed_korean_and_english_goes_by_what_carries_the_message():
    # A Korean sentence with English words in it is Korean …
    assert detect_language("배송이 너무 늦어요. order number is 1234") == "ko"
    assert detect_language("refund 해주세요, 결제가 두 번 됐어요") == "ko"
    # … and an English one with a Korean name in it is English.
    assert detect_language("Hi, I'm 김민수 and my package never arrived") == "en"


def test_kanji_with_kana_is_japanese_and_han_alone_chinese():
    assert detect_language("今日は雨です") == "ja"
    assert detect_language("今天下雨") == "zh"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "ok",
        "thanks",
        "네",
        "👍👍🙏",
        "😡😡😡!!!",
        "https://shop.example.com/orders/1042?ref=ig",
        "ann@example.com",
        "#1042 @parley_help 010-1234-5678",
        "asdf qwer zxcv",
        "Lorem ipsum",
    ],
)
def test_short_empty_or_unknown_text_is_unsure(text):
    assert detect_language(text) == ""


def test_links_and_handles_do_not_outvote_the_words():
    text = "https://example.com/en/help/refund-policy/orders 배송 조회 부탁드립니다"
    assert detect_language(text) == "ko"


@given(st.text(max_size=300))
def test_any_text_gives_a_code_or_nothing(text):
    code = detect_language(text)
    assert code == "" or (len(code) == 2 and code.isalpha() and code.islower())
