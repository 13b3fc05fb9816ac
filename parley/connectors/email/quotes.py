"""Quoted history and signatures folded away from a mail's new text.

split_text / split_html return (reply, history): the answer the customer just wrote, and the
quoted earlier messages and signature around it, so the agent workspace can show the first
and fold the second. Recognised: attribution lines ("On … wrote:" in several languages),
">" quote blocks, Outlook/AOL/Yahoo separators and header blocks, Gmail/Apple/Outlook/
Thunderbird HTML quote containers, and common signatures. A mail that seems to be all
history keeps everything as its reply: nothing the customer wrote is ever hidden.
"""

import re

from .mime import html_to_text

_VERBS = (
    r"wrote|writes|schrieb|a écrit|escribió|ha scritto|schreef|napisał\w*|escreveu|skrev"
    r"|написал\w*|작성|のメッセージ|書きました"
)
# The end of an attribution line: "… wrote:", "… написал:", "… 작성:", "…のメッセージ:" (the
# colon may be the full-width one).
# German, Dutch and Scandinavian clients put the name after the verb: "Am … schrieb Ann <a@b>:".
_ATTRIBUTION_END = re.compile(
    rf"(?:{_VERBS}|\b(?:schrieb|schreef|skrev)\b[^:]{{0,150}})\s*[:\uff1a]\s*$", re.IGNORECASE
)
# How an attribution that spans lines begins: "On …", "Le …", "Am …", "--- On …", a date.
_ATTRIBUTION_START = re.compile(
    r"^\s*(?:-+\s*)?(?:(?:On|Le|Am|El|Il|Op|Em|Den|Dne|W dniu)\b|\d)", re.IGNORECASE
)
_SEPARATOR = re.compile(
    r"^\s*-{2,}\s*(?:Original Message|Message d'origine|Ursprüngliche Nachricht"
    r"|Mensaje original|Messaggio originale|Oorspronkelijk bericht|Исходное сообщение"
    r"|원본 메시지|元のメッセージ)\s*-{2,}\s*$",
    re.IGNORECASE,
)
_HEADER_FROM = re.compile(r"^\s*\*?(?:From|De|Von|Van|Da|От|보낸 사람|差出人)\s*\*?\s*:", re.I)
_HEADER_OTHER = re.compile(
    r"^\s*\*?(?:Sent|Date|Envoyé|Gesendet|Enviado|Inviato|Verzonden|Отправлено|보낸 날짜|送信日時"
    r"|To|À|An|Para|A|Aan|Кому|받는 사람|宛先|Subject|Objet|Betreff|Asunto|Oggetto|Onderwerp"
    r"|Тема|제목|件名)\s*\*?\s*:",
    re.IGNORECASE,
)
_SIGNATURE = re.compile(
    r"^(?:-- ?|Sent from my \w+.*|Sent from (?:Mail|Outlook|Yahoo Mail).*|Sent with Sparrow.*"
    r"|Get Outlook for .*|Envoyé de mon \w+.*|Von meinem \w+ gesendet.*)$",
    re.IGNORECASE,
)


def split_text(text: str) -> tuple[str, str]:
    """(the new reply, the quoted history and signature around it)."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    reply, history = _split_lines(lines)
    if not "\n".join(reply).strip():
        return text, ""
    return "\n".join(reply).rstrip(), "\n".join(history).strip("\n")


def _split_lines(lines: list[str]) -> tuple[list[str], list[str]]:
    for i, line in enumerate(lines):
        if _is_quote(line):
            return _around_quote(lines, i, i)
        start = _attribution_start(lines, i)
        if start is not None:
            return _after_attribution(lines, start, i + 1)
        if _SEPARATOR.match(line) or _SIGNATURE.match(line.rstrip()) or _header_block(lines, i):
            return lines[:i], lines[i:]
    return lines, []


def _is_quote(line: str) -> bool:
    return line.lstrip().startswith(">")


def _attribution_start(lines: list[str], i: int) -> int | None:
    """Where the attribution ending on line i begins (it may be wrapped over three lines)."""
    if not _ATTRIBUTION_END.search(lines[i]) or len(lines[i]) > 300:
        return None
    start = i
    while start > max(0, i - 2) and _continues_upward(lines[start - 1], lines[start]):
        start -= 1
    joined = " ".join(lines[start : i + 1])
    short = start == i and len(joined.strip()) <= 160
    return start if short or _ATTRIBUTION_START.match(joined) else None


def _continues_upward(above: str, line: str) -> bool:
    if not above.strip() or _is_quote(above):
        return False
    return bool(
        _ATTRIBUTION_START.match(above)
        or above.rstrip().endswith(("<", ",", '"'))
        or (line.count(">") > line.count("<"))
    )


def _after_attribution(lines: list[str], start: int, after: int) -> tuple[list[str], list[str]]:
    following = next((line for line in lines[after:] if line.strip()), "")
    if _is_quote(following):
        return _around_quote(lines, start, after)
    return lines[:start], lines[start:]  # unquoted history follows (Yahoo, Gmail forwards)


def _around_quote(lines: list[str], start: int, quote: int) -> tuple[list[str], list[str]]:
    """A ">" block from `quote`: text after it is an answer too (bottom-posting, inline)."""
    end = quote
    while end < len(lines) and (_is_quote(lines[end]) or not lines[end].strip()):
        end += 1
    rest_reply, rest_history = _split_lines(lines[end:])
    if not "\n".join(rest_reply).strip():
        return lines[:start], lines[start:]
    return lines[:start] + rest_reply, lines[start:end] + rest_history


def _header_block(lines: list[str], i: int) -> bool:
    """Outlook's "From: … Sent: … To: … Subject: …" block opening a quoted message."""
    if not _HEADER_FROM.match(lines[i]):
        return False
    return sum(1 for line in lines[i + 1 : i + 6] if _HEADER_OTHER.match(line)) >= 2


# --- HTML ----------------------------------------------------------------------------------

# Containers that hold the whole quoted history from where they start to the end.
_HTML_MARKERS = re.compile(
    r"""<div[^>]*\b(?:class\s*=\s*["'][^"']*\b(?:gmail_quote|yahoo_quoted|moz-cite-prefix"""
    r"""|protonmail_quote)\b|id\s*=\s*["']?(?:divRplyFwdMsg|appendonsend)\b)[^>]*>"""
    r"""|<blockquote[^>]*\bclass\s*=\s*["'][^"']*gmail_quote[^>]*>"""
    r"""|<hr[^>]*\bid\s*=\s*["']?zwchr[^>]*>""",
    re.IGNORECASE,
)
_BORDER_TOP = re.compile(r"<div[^>]*style\s*=\s*[\"'][^\"']*border-top[^>]*>", re.IGNORECASE)
_CITE = re.compile(r"<blockquote[^>]*\btype\s*=\s*[\"']?cite[^>]*>", re.IGNORECASE)
_BLOCKQUOTE_TAG = re.compile(r"<(/?)blockquote\b[^>]*>", re.IGNORECASE)
_TAG_START = re.compile(r"<(?:div|p|span|font|br|hr|table)\b", re.IGNORECASE)
_HTML_SEPARATOR = re.compile(
    r"-{2,}\s*(?:Original Message|Message d'origine|Ursprüngliche Nachricht|Mensaje original"
    r"|Messaggio originale|Исходное сообщение|원본 메시지)\s*-{2,}",
    re.IGNORECASE,
)


def split_html(html: str) -> tuple[str, str]:
    """(the new reply, the quoted history) of an HTML body, both HTML fragments."""
    cut = _html_cut(html) or _cut_at_text_history(html)
    if cut is None:
        return html, ""
    start, end = cut
    reply, history = html[:start] + html[end:], html[start:end]
    if not html_to_text(reply).strip():
        return html, ""
    return reply, history


def _html_cut(html: str) -> tuple[int, int] | None:
    candidates = [m.start() for m in _HTML_MARKERS.finditer(html)][:1]
    candidates += [m.start() for m in _BORDER_TOP.finditer(html) if _opens_headers(html, m.end())][
        :1
    ]
    separator = _HTML_SEPARATOR.search(html)
    if separator:
        candidates.append(_enclosing_tag(html, separator.start()))
    cite = _CITE.search(html)
    if cite and not any(c < cite.start() for c in candidates):
        end = _blockquote_end(html, cite.start())
        return _with_attribution(html, cite.start()), end
    if not candidates:
        return None
    start = min(candidates)
    return _with_attribution(html, start), len(html)


def _opens_headers(html: str, at: int) -> bool:
    text = html_to_text(html[at : at + 1500])
    return bool(text) and bool(_HEADER_FROM.match(text.lstrip("*").strip()))


def _enclosing_tag(html: str, at: int) -> int:
    tags = [m.start() for m in _TAG_START.finditer(html, max(0, at - 300), at)]
    return tags[-1] if tags else at


def _blockquote_end(html: str, start: int) -> int:
    depth = 0
    for tag in _BLOCKQUOTE_TAG.finditer(html, start):
        depth += -1 if tag.group(1) else 1
        if depth == 0:
            return tag.end()
    return len(html)


def _with_attribution(html: str, cut: int) -> int:
    """Move the cut back over an "On … wrote:" line written just before the quote."""
    best = cut
    for tag in reversed([m.start() for m in _TAG_START.finditer(html, max(0, cut - 1500), cut)]):
        text = html_to_text(html[tag:cut]).strip()
        if len(text) > 400:
            break
        lines = text.split("\n")
        if (
            text
            and _ATTRIBUTION_END.search(text)
            and _attribution_start(lines, len(lines) - 1) == 0
        ):
            best = tag
    return best


def _cut_at_text_history(html: str) -> tuple[int, int] | None:
    """No quote container: find where the rendered text's history begins in the source."""
    reply, history = split_text(html_to_text(html))
    words = history.split()[:4]
    if not words:
        return None
    gap = r"(?:\s|&nbsp;|&#160;|<[^>]*>)*"
    found = re.search(gap.join(_entity_pattern(word) for word in words), html)
    if found is None:
        return None
    start = _enclosing_tag(html, found.start())
    # Only a history that follows the reply is cut away in HTML (no bottom-posting guess).
    if reply.strip()[:20] not in html_to_text(html[:start]):
        return None
    return start, len(html)


_ENTITIES = {
    "<": "(?:<|&lt;)",
    ">": "(?:>|&gt;)",
    "&": "(?:&|&amp;)",
    '"': '(?:"|&quot;|&#34;)',
    "'": "(?:'|&#39;|&#x27;|&apos;)",
}


def _entity_pattern(word: str) -> str:
    return "".join(_ENTITIES.get(ch) or re.escape(ch) for ch in word)
