"""One writer at a time, in-process, on SQLite.

SQLite admits a single writer; others wait in its busy handler, which sleeps and retries
(up to 100 ms a try) and so starves short writes behind long ones. Inside one process
(`parley serve`) the busy paths — storing inbound payloads and processing them — queue on
this lock instead, and take turns promptly. PostgreSQL needs none of it.
"""

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection

# Re-entrant: work enqueued on commit may run inline (immediate task backend) and write too.
_sqlite_writer = threading.RLock()


@contextmanager
def one_writer() -> Iterator[None]:
    if connection.vendor != "sqlite":
        yield
        return
    with _sqlite_writer:
        yield
