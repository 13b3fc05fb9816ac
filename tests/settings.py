"""Test settings: the real settings, with tasks run at once (on commit) and a temp var dir."""

import os
import tempfile

os.environ.setdefault("PARLEY_VAR_DIR", tempfile.mkdtemp(prefix="parley-test-"))

from parley.settings import *  # noqa: F403

TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
# Hashing with argon2 on every created agent would dominate the suite's run time.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGGING["root"]["level"] = "ERROR"  # noqa: F405
