"""Serving files customers sent, from Parley's own origin, without letting them run.

A customer (a chat visitor, a sender) chooses both a file's bytes and its declared type.
Only raster images whose bytes say so are shown inline; everything else is a download,
and every file response carries a sandboxing CSP so that even a mislabelled file opened
directly cannot run script with an agent's session.
"""

from django.core.files import File
from django.http import FileResponse

# Leading bytes → the only types shown inline.
INLINE_IMAGES = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)


def safe_file_response(file: File, filename: str) -> FileResponse:
    handle = file.open("rb")
    head = handle.read(16)
    handle.seek(0)
    inline = _inline_type(head)
    response = FileResponse(
        handle,
        as_attachment=inline is None,
        filename=filename,
        content_type=inline or "application/octet-stream",
    )
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _inline_type(head: bytes) -> str | None:
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return next((kind for magic, kind in INLINE_IMAGES if head.startswith(magic)), None)
