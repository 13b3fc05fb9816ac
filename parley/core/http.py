"""The one factory for outbound HTTP clients: explicit timeouts, no hidden retries.

Retries belong to tasks, which know whether an attempt is safe to repeat.
"""

import functools

import httpx

DEFAULT_TIMEOUT = httpx.Timeout(10.0, connect=5.0)


def http_client(*, timeout: httpx.Timeout = DEFAULT_TIMEOUT, **kwargs: object) -> httpx.Client:
    return httpx.Client(
        timeout=timeout,
        follow_redirects=False,
        headers={"User-Agent": "Parley/0.1"},
        **kwargs,  # type: ignore[arg-type]
    )


@functools.cache
def shared_http_client() -> httpx.Client:
    """One pooled client per process for calls made over and over (platform APIs, media):
    building a client loads the CA bundle, ~25 ms each time. httpx clients are thread-safe."""
    return http_client()


class TooLarge(Exception):
    pass


def fetch_bytes(url: str, *, limit: int, headers: dict | None = None) -> tuple[int, bytes, str]:
    """GET a file without holding more than `limit` bytes of it: (status, content, content
    type). Raises TooLarge past the limit, httpx.HTTPError when the server cannot be reached."""
    with shared_http_client().stream("GET", url, headers=headers or {}) as response:
        content = bytearray()
        if response.status_code == 200:
            for chunk in response.iter_bytes():
                content += chunk
                if len(content) > limit:
                    raise TooLarge(f"larger than {limit} bytes")
        content_type = response.headers.get("Content-Type", "").split(";")[0].strip()
        return response.status_code, bytes(content), content_type


def retry_after_seconds(response: httpx.Response, default: float) -> float:
    """Seconds to wait before retrying, honouring a numeric Retry-After header."""
    raw = response.headers.get("Retry-After", "")
    try:
        return max(0.0, min(float(raw), 3600.0))
    except ValueError:
        return default
