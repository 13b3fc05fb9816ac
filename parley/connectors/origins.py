"""What the public channels (live chat, web forms) share about requests from other sites."""

import json

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.http import HttpRequest
from django.utils.translation import gettext as _

from parley.core.errors import InvalidInput


def clean_origins(text: str) -> list[str]:
    """An admin's allow-list, one origin per line, each checked."""
    origins = [o.strip().rstrip("/") for o in text.split()]
    for origin in origins:
        try:
            URLValidator(schemes=["http", "https"])(origin)
        except ValidationError:
            raise ValidationError(
                _("“%(origin)s” is not an origin like https://shop.example."),
                params={"origin": origin},
            ) from None
    return origins


def json_object(request: HttpRequest) -> dict:
    """The request body as a JSON object, or InvalidInput naming the problem."""
    try:
        body = json.loads(request.body or b"{}")
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise InvalidInput(_("The request body must be a JSON object."), code="bad_json")
    return body
