"""Posting to a Slack incoming webhook: `{"text": …}` as JSON; Slack answers 200 "ok"
(text/plain) or an HTTP error with a short error string as the body.

https://api.slack.com/messaging/webhooks and Slack's changelog of 2016-05-17 list them:
400 invalid_payload / user_not_found, 403 action_prohibited (or invalid_token), 404
channel_not_found / no_service / no_team, 410 channel_is_archived, 429 with Retry-After
when posting faster than about one message a second, 500 rollup_error.
"""

import httpx

from parley.core.http import http_client

from .outbound import Outcome, outcome_of, refused_address

MAX_TEXT = 3000
# What Slack's error strings mean, for the admin who reads the delivery.
EXPLAINED = {
    "invalid_payload": "Slack could not read the message",
    "user_not_found": "the user named in the message does not exist",
    "action_prohibited": "the workspace does not allow this webhook to post here",
    "invalid_token": "the webhook's token is no longer valid",
    "channel_not_found": "the channel no longer exists",
    "no_service": "the webhook was removed or disabled in Slack",
    "no_team": "the Slack workspace no longer exists",
    "channel_is_archived": "the channel is archived",
}
# Answers that mean the webhook itself is dead until someone fixes it in Slack.
BROKEN_WEBHOOK = {403, 404, 410}


def escape(value: str) -> str:
    """Customer-written text as Slack shows it literally: `<!channel>` in a name must not
    page a whole channel, `<https://evil|bank>` must not become a disguised link."""
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def post(url: str, text: str) -> Outcome:
    problem = refused_address(url)
    if problem:
        return Outcome(False, f"not posted: {problem}")
    try:
        with http_client() as client:
            response = client.post(url, json={"text": text[:MAX_TEXT]})
    except httpx.HTTPError as exc:
        return Outcome(False, f"Slack unreachable: {type(exc).__name__}", retry_after=0.0)
    error = response.text.strip()[:100]
    reason = f"Slack: {error} ({EXPLAINED[error]})" if error in EXPLAINED else ""
    return outcome_of(response, reason)


def breaks_webhook(outcome: Outcome) -> bool:
    """True when Slack refused the webhook itself (not this one message)."""
    return not outcome.delivered and outcome.response_code in BROKEN_WEBHOOK
