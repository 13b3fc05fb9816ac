"""Errors that reach a user carry a stable machine-readable code and an HTTP status."""


class ParleyError(Exception):
    code = "error"
    http_status = 400

    def __init__(self, detail: str, *, code: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        if code:
            self.code = code

    def extra(self) -> dict:
        """More machine-readable detail for the response (a list of per-row errors)."""
        return {}


class InvalidInput(ParleyError):
    code = "invalid"
    http_status = 400


class NotFound(ParleyError):
    code = "not_found"
    http_status = 404


class PermissionDenied(ParleyError):
    code = "forbidden"
    http_status = 403


class Conflict(ParleyError):
    code = "conflict"
    http_status = 409
