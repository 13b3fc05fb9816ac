# ruff: noqa: RUF001 - the word lists hold Turkish dotless i and typographic apostrophes
"""The language a customer wrote in, offline and in microseconds: the script first (Hangul is
Korean, kana Japanese, Cyrillic Russian…), then, for Latin script, the function words and
letters each language uses most. Unsure (too short, mixed, unknown) is "".

Routing and rules only need the language of ordinary customer messages, so a few hundred
common words beat a statistical model: nothing to download, no surprises on two words.
"""

import unicodedata

import regex

# Links, addresses, handles, hashtags and numbers say nothing about the language.
_NOISE = regex.compile(r"https?://\S+|www\.\S+|\S+@\S+|[@#]\w+|\d+")
_WORD = regex.compile(r"\p{L}+(?:['’]\p{L}+)*")
# A syllable or ideograph carries about as much as three Latin letters.
DENSE = {"ko": 3, "ja": 3, "zh": 3}
# Scripts with one main language: Unicode script name → ISO 639-1 code.
SCRIPTS = {
    "Hangul": "ko",
    "Hiragana": "ja",
    "Katakana": "ja",
    "Han": "zh",
    "Cyrillic": "ru",
    "Arabic": "ar",
    "Hebrew": "he",
    "Greek": "el",
    "Thai": "th",
    "Devanagari": "hi",
    "Bengali": "bn",
    "Tamil": "ta",
    "Georgian": "ka",
    "Armenian": "hy",
    "Khmer": "km",
    "Lao": "lo",
    "Myanmar": "my",
    "Ethiopic": "am",
}
_SCRIPT_RE = {name: regex.compile(rf"\p{{Script={name}}}") for name in SCRIPTS}
_LATIN = regex.compile(r"\p{Script=Latin}")
# Letters that only some languages of a script use.
UKRAINIAN = set("іїєґ")
PERSIAN = set("پچژگک")
VIETNAMESE = set("ăơưđ")
VIETNAMESE_TONED = set("ạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ")
LETTERS = {
    "es": set("ñ¿¡"),
    "de": set("ß"),
    "pt": set("ãõ"),
    "tr": set("ğışİ"),
    "fr": set("œ"),
}

FUNCTION_WORDS = {
    "en": """the a an and or but is are was were be been am i you he she it we they my your
        our their this that these those to of in on for with at by from not no do does did
        have has had can could will would should please thanks thank hi hello what when why
        how where there here me him her them just get got want need order help yet still""",
    "es": """el la los las un una unos unas y o pero es son fue está estoy están ser de del
        en con por para que qué no sí mi mis tu su sus yo usted ustedes nosotros hola gracias
        por favor pedido cuando como cómo donde dónde todavía aún muy también ya pero le lo
        me te se nos hay tengo tiene quiero necesito ayuda este esta esto""",
    "fr": """le la les un une des et ou mais est sont était être de du en avec pour par
        que qui ne pas oui non mon ma mes ton ta tes son sa ses je tu il elle nous vous ils
        elles bonjour merci commande quand comment où toujours encore très aussi déjà ce
        cette ces au aux ai avez avons suis veux voudrais besoin aide reçu""",
    "de": """der die das den dem des ein eine einen einem einer und oder aber ist sind war
        sein mit für von zu auf aus bei nach nicht kein keine ja nein mein meine dein ich du
        er sie es wir ihr hallo danke bitte bestellung wann wie wo noch schon sehr auch habe
        hat haben bin möchte brauche hilfe immer leider""",
    "pt": """o a os as um uma uns umas e ou mas é são foi está estou estão ser de do da dos
        das em no na nos nas com por para que não sim meu minha meus seu sua eu você vocês
        nós olá obrigado obrigada pedido quando como onde ainda muito também já isso este
        esta tenho tem quero preciso ajuda recebi""",
    "it": """il lo la i gli le un una uno e o ma è sono era essere di del della dei delle in
        nel nella con per da che non sì mio mia miei tuo tua suo sua io tu lui lei noi voi
        loro ciao grazie ordine quando come dove ancora molto anche già questo questa ho ha
        hanno voglio vorrei aiuto ricevuto""",
    "id": """yang dan di ke dari ini itu saya aku kamu anda dia kami kita mereka tidak bukan
        belum sudah akan bisa dengan untuk pada ada apa kapan bagaimana dimana mengapa tolong
        terima kasih pesanan barang masih sangat juga mau ingin sampai halo selamat""",
    "vi": """tôi bạn anh chị em của và là có không được cho này đó với trong một những các
        đã đang sẽ rất cũng nhưng vì khi nào sao đâu gì xin chào cảm ơn đơn hàng giúp vẫn
        chưa rồi mình""",
    "tr": """ve bir bu şu o ben sen biz siz onlar için ile de da ama değil var yok mi mı mu
        mü çok daha gibi ne nasıl neden nerede merhaba teşekkür teşekkürler lütfen sipariş
        hala henüz benim sizin yardım istiyorum""",
    "nl": """de het een en of maar is zijn was waren van in op voor met aan bij uit naar niet
        geen ja nee mijn jouw uw ik jij je hij zij wij jullie hallo bedankt dank alstublieft
        bestelling wanneer hoe waar nog al heel ook heb heeft hebben wil graag hulp""",
}
_WORD_LANGS: dict[str, list[str]] = {}
for _lang, _words in FUNCTION_WORDS.items():
    for _word in set(_words.split()):
        _WORD_LANGS.setdefault(_word, []).append(_lang)

MAX_TEXT = 2000
MIN_SCRIPT_WEIGHT = 4  # two syllables, or four letters
MIN_LATIN_LETTERS = 8
MIN_EVIDENCE = 1.5  # about two words of the language
LEAD = 1.5  # the winner's evidence over the runner-up's


def detect_language(text: str) -> str:
    """ISO 639-1 code of the text's language, or "" when unsure."""
    # The first lines tell; what follows is often a signature or quoted history.
    text = _NOISE.sub(" ", unicodedata.normalize("NFC", (text or "")[:MAX_TEXT]))
    counts = _script_counts(text)
    latin = counts.pop("latin", 0)
    if counts:
        script, weight = max(counts.items(), key=lambda item: item[1])
        if weight >= max(latin, MIN_SCRIPT_WEIGHT) and weight >= 2 * sum(
            w for s, w in counts.items() if s != script
        ):
            return _refine(script, text)
    if latin >= MIN_LATIN_LETTERS and latin >= 2 * sum(counts.values()):
        return _latin_language(text)
    return ""


def _script_counts(text: str) -> dict[str, int]:
    """Letters per language a script stands for (dense scripts weighted), and Latin letters."""
    counts = {"latin": len(_LATIN.findall(text))}
    for name, pattern in _SCRIPT_RE.items():
        found = len(pattern.findall(text))
        if found:
            lang = SCRIPTS[name]
            counts[lang] = counts.get(lang, 0) + found * DENSE.get(lang, 1)
    if "ja" in counts and "zh" in counts:
        # Kanji among kana are Japanese.
        counts["ja"] += counts.pop("zh")
    return counts


def _refine(lang: str, text: str) -> str:
    """Languages that share a script with a larger one, told apart by their own letters."""
    letters = set(text.casefold())
    if lang == "ru" and letters & UKRAINIAN:
        return "uk"
    if lang == "ar" and letters & PERSIAN:
        return "fa"
    return lang


def _latin_language(text: str) -> str:
    lowered = text.casefold()
    letters = set(lowered)
    if letters & VIETNAMESE or len(letters & VIETNAMESE_TONED) >= 2:
        return "vi"
    evidence: dict[str, float] = {}
    for word in _WORD.findall(lowered):
        langs = _WORD_LANGS.get(word.replace("’", "'"), ())
        for lang in langs:
            # A word many languages share counts for each a little.
            evidence[lang] = evidence.get(lang, 0.0) + 1 / len(langs)
    for lang, marks in LETTERS.items():
        if letters & marks:
            evidence[lang] = evidence.get(lang, 0.0) + 1.0
    ranked = sorted(evidence.items(), key=lambda item: item[1], reverse=True)
    if not ranked or ranked[0][1] < MIN_EVIDENCE:
        return ""
    if len(ranked) > 1 and ranked[0][1] < LEAD * ranked[1][1]:
        return ""
    return ranked[0][0]
