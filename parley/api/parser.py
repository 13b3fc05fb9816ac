"""JSON request bodies for the API: NUL characters are refused up front (400), since no
database column can hold them."""

from typing import Any

from django.http import HttpRequest
from ninja.parser import Parser

from parley.core.errors import InvalidInput
from parley.core.text import contains_nul


class StrictJsonParser(Parser):
    def parse_body(self, request: HttpRequest) -> Any:
        data = super().parse_body(request)
        if contains_nul(data):
            raise InvalidInput("text must not contain NUL characters", code="invalid")
        return data


def no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value
