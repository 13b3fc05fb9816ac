# ruff: noqa: RUF001 - the sample texts are meant to hold non-Latin punctuation and letters
"""Deterministic customer mail for parser tests and the ingest benchmark.

generate_mail(index) returns the raw RFC 5322 bytes of one message and the facts a parser
must read back from it. The same index always gives the same bytes. Messages rotate over
ten body charsets (each with text in a language it can encode), three structures
(text/plain, multipart/alternative, multipart/mixed with 0-2 attachments) and the usual
transfer encodings; subjects and display names carry RFC 2047 encoded-words.
Only the standard library is used, so the benchmark can import this module on its own.
"""

import base64
import hashlib
import quopri
from urllib.parse import quote

CHARSETS = (
    "utf-8",
    "euc-kr",
    "iso-2022-kr",
    "shift_jis",
    "iso-2022-jp",
    "gb2312",
    "big5",
    "koi8-r",
    "iso-8859-1",
    "windows-1252",
)

_KOREAN = (
    ("김민지", "주문 문의"),
    (
        "안녕하세요. 지난주에 주문한 상품이 아직 도착하지 않았습니다.",
        "배송 조회 번호를 알려 주실 수 있을까요?",
        "감사합니다. 좋은 하루 보내세요.",
    ),
)
_JAPANESE = (
    ("山田花子", "注文についての問い合わせ"),
    (
        "お世話になっております。先週注文した商品がまだ届いていません。",
        "配送状況を確認していただけますか。",
        "よろしくお願いいたします。",
    ),
)
_SIMPLIFIED = (
    ("王小明", "订单咨询"),
    ("您好，我上周订购的商品还没有收到。", "请帮我查询一下物流信息。", "谢谢！"),
)
_TRADITIONAL = (
    ("陳大文", "訂單查詢"),
    ("您好，我上週訂購的商品還沒有收到。", "請幫我查詢一下物流資訊。", "謝謝！"),
)
_RUSSIAN = (
    ("Анна Петрова", "Вопрос о заказе"),
    (
        "Здравствуйте! Мой заказ ещё не пришёл.",
        "Подскажите, пожалуйста, номер отслеживания.",
        "Спасибо.",
    ),
)
_LATIN1 = (
    ("Zoë Müller", "Größe der Bestellung"),
    (
        "Bonjour, la commande n° 12 est arrivée abîmée.",
        "¿Podrían enviar otra? Grüße aus Köln.",
        "À bientôt.",
    ),
)
_CP1252 = (
    ("François Dupré", "Réclamation “urgent”"),
    ("Le colis coûte 25 € – trop cher.", "Œuvre reçue… mais cassée.", "Merci d’avance."),
)
_MIXED = (
    ("Ann Lee 이수진", "Order 주문 注文 Заказ"),
    (
        "Hello, 안녕하세요, こんにちは, Здравствуйте.",
        "My order has not arrived yet.",
        "Thanks — 감사합니다.",
    ),
)
LANGUAGES = {
    "utf-8": _MIXED,
    "euc-kr": _KOREAN,
    "iso-2022-kr": _KOREAN,
    "shift_jis": _JAPANESE,
    "iso-2022-jp": _JAPANESE,
    "gb2312": _SIMPLIFIED,
    "big5": _TRADITIONAL,
    "koi8-r": _RUSSIAN,
    "iso-8859-1": _LATIN1,
    "windows-1252": _CP1252,
}
_STATEFUL = ("iso-2022-kr", "iso-2022-jp")  # 7-bit with escapes: only 7bit or base64
_ATTACHMENTS = (
    ("application/pdf", "invoice-{index}.pdf"),
    ("image/png", "photo-{index}.png"),
    ("text/csv", "주문내역-{index}.csv"),
    ("application/octet-stream", "data {index}.bin"),
)
CRLF = b"\r\n"


def generate_mail(index: int) -> tuple[bytes, dict]:
    charset = CHARSETS[index % len(CHARSETS)]
    (name, topic), sentences = LANGUAGES[charset]
    structure = ("plain", "alternative", "mixed")[(index // len(CHARSETS)) % 3]
    address = f"customer{index}@mail{index % 7}.example"
    subject = f"[#{index}] {topic} {index}"
    text = "\n".join((*_rotate(sentences, index), f"#{index}")) + "\n"
    attachments = _attachments(index) if structure == "mixed" else []
    headers = [
        b"From: " + _encoded_words(name, charset) + f" <{address}>".encode(),
        b"To: support@shop.example",
        b"Subject: " + f"[#{index}] ".encode() + _encoded_words(f"{topic} {index}", charset),
        f"Date: {_date(index)}".encode(),
        f"Message-ID: <gen-{index}@mailgen.example>".encode(),
        b"MIME-Version: 1.0",
    ]
    body = _text_part(text, charset, index)
    if structure == "alternative":
        body = _multipart("alternative", index, [body, _html_part(text, charset, index)])
    elif structure == "mixed":
        parts = [body, *(_attachment_part(n, t, c) for n, t, c in attachments)]
        body = _multipart("mixed", index, parts)
    raw = CRLF.join(headers) + CRLF + body
    expected = {
        "sender": address,
        "sender_name": name,
        "subject": subject,
        "text": text,
        "charset": charset,
        "structure": structure,
        "message_id": f"<gen-{index}@mailgen.example>",
        "attachments": [(n, c) for n, _t, c in attachments],
    }
    return raw, expected


def _rotate(items: tuple[str, ...], index: int) -> list[str]:
    shift = index % len(items)
    return list(items[shift:] + items[:shift])


def _date(index: int) -> str:
    day, minute = 1 + index % 28, index % 1440
    return f"{day:02d} Mar 2025 {minute // 60:02d}:{minute % 60:02d}:00 +0900"


def _encoded_words(text: str, charset: str) -> bytes:
    """RFC 2047 B-words no longer than 75 characters, each a complete run of the charset."""
    words, chunk = [], ""
    for char in text:
        candidate = chunk + char
        if len(_word(candidate, charset)) > 75:
            words.append(_word(chunk, charset))
            candidate = char
        chunk = candidate
    words.append(_word(chunk, charset))
    return b"\r\n ".join(words)


def _word(text: str, charset: str) -> bytes:
    data = base64.b64encode(text.encode(charset)).decode("ascii")
    return f"=?{charset}?B?{data}?=".encode("ascii")


def _text_part(text: str, charset: str, index: int) -> bytes:
    data = text.replace("\n", "\r\n").encode(charset)
    return _leaf(f"text/plain; charset={charset}", data, _encoding(charset, index))


def _html_part(text: str, charset: str, index: int) -> bytes:
    paragraphs = "".join(f"<p>{line}</p>" for line in text.splitlines())
    data = f"<html><body>{paragraphs}</body></html>\r\n".encode(charset)
    return _leaf(f"text/html; charset={charset}", data, _encoding(charset, index))


def _encoding(charset: str, index: int) -> str:
    choices = ("7bit", "base64") if charset in _STATEFUL else ("base64", "quoted-printable", "8bit")
    return choices[(index // 3) % len(choices)]


def _leaf(content_type: str, data: bytes, encoding: str, extra: bytes = b"") -> bytes:
    head = f"Content-Type: {content_type}\r\nContent-Transfer-Encoding: {encoding}\r\n"
    return head.encode() + extra + CRLF + _encode(data, encoding)


def _encode(data: bytes, encoding: str) -> bytes:
    lines = data.replace(b"\r\n", b"\n").split(b"\n")
    if encoding == "base64":  # binary as it is; text arrives with CRLF already
        return base64.encodebytes(data).replace(b"\n", CRLF)
    if encoding == "quoted-printable":
        return CRLF.join(quopri.encodestring(line).replace(b"\n", CRLF) for line in lines)
    return CRLF.join(lines)


def _attachments(index: int) -> list[tuple[str, str, bytes]]:
    found = []
    for k in range((index // 30) % 3):
        content_type, pattern = _ATTACHMENTS[(index + k) % len(_ATTACHMENTS)]
        seed = hashlib.sha256(f"{index}/{k}".encode()).digest()
        found.append((pattern.format(index=index), content_type, seed * (8 + index % 40)))
    return found


def _attachment_part(name: str, content_type: str, content: bytes) -> bytes:
    disposition = f"Content-Disposition: attachment; filename*=utf-8''{quote(name)}\r\n"
    return _leaf(content_type, content, "base64", disposition.encode())


def _multipart(kind: str, index: int, parts: list[bytes]) -> bytes:
    boundary = f"=_mailgen_{kind}_{index}"
    head = f'Content-Type: multipart/{kind}; boundary="{boundary}"\r\n\r\n'.encode()
    delimiter = f"--{boundary}".encode()
    body = b"".join(delimiter + CRLF + part + CRLF for part in parts)
    return head + body + delimiter + b"--" + CRLF
