"""What each action asks the provider. Only the conversation's own messages (no notes, no
other conversations, no customer profile), the agent's own text, help-center articles and
the brand guidelines ever go into a prompt.

Instructions are in English whatever the interface language: models follow English
instructions best, and the language of the answer is named explicitly.
"""

from django.utils.translation import get_language_info

TONES = {
    "friendlier": "warmer and friendlier",
    "formal": "more formal and polite",
    "shorter": "shorter and more direct",
}
MAX_ARTICLE = 1500

RULES = (
    "Answer with the message text only: no subject line, no signature, no comments. "
    "Keep every link, number and name exactly as written."
)


def language_name(code: str) -> str:
    try:
        return str(get_language_info(code)["name"])
    except KeyError:
        return code


def _system(*parts: str) -> dict:
    return {"role": "system", "content": "\n\n".join(p for p in parts if p)}


def _user(content: str) -> dict:
    return {"role": "user", "content": content}


def _guidelines(text: str) -> str:
    return f"Brand guidelines to follow:\n{text}" if text else ""


def transcript(lines: list[tuple[str, str]]) -> str:
    return "\n\n".join(f"{speaker}: {text}" for speaker, text in lines)


def draft(
    lines: list[tuple[str, str]],
    language: str,
    articles: list[tuple[str, str, str]],
    guidelines: str,
) -> list[dict]:
    known = "\n\n".join(
        f"## {title}\n{body[:MAX_ARTICLE]}\nLink: {url}" for title, body, url in articles
    )
    return [
        _system(
            "You are a customer support agent. Write the next reply to the customer in "
            f"{language_name(language or 'en')}. Use only facts from the conversation and "
            "the help-center articles below; never invent order details, links or promises. "
            "When something is not known, say that you will check.",
            RULES,
            _guidelines(guidelines),
            f"Help-center articles:\n\n{known}" if known else "",
        ),
        _user(f"The conversation so far:\n\n{transcript(lines)}"),
    ]


def rewrite(text: str, tone: str, guidelines: str) -> list[dict]:
    return [
        _system(
            "Rewrite the customer support agent's message below to be "
            f"{TONES[tone]}, in the same language, with the same facts.",
            RULES,
            _guidelines(guidelines),
        ),
        _user(text),
    ]


def translate(text: str, language: str, whose: str) -> list[dict]:
    return [
        _system(
            f"Translate the {whose} message below into {language_name(language)}.",
            RULES,
        ),
        _user(text),
    ]


def summary(lines: list[tuple[str, str]], language: str) -> list[dict]:
    return [
        _system(
            "Summarise this customer support conversation for a colleague who takes it over: "
            "the customer's problem, what was already done or promised, what is still open. "
            f"At most five short lines, in {language_name(language or 'en')}.",
        ),
        _user(transcript(lines)),
    ]
