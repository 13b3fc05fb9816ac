"""Channel secrets encrypted at rest with MultiFernet.

Keys derive from PARLEY_SECRET_KEY and PARLEY_SECRET_KEY_FALLBACKS: encryption always uses
the current key, decryption tries every key, so rotating the secret key only needs the old
one moved to the fallbacks (and `parley rotate-secrets` to re-encrypt).
"""

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import models


def _fernet() -> MultiFernet:
    keys = [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]
    return MultiFernet([Fernet(_derive(key)) for key in keys])


def _derive(secret_key: str) -> bytes:
    digest = hashlib.sha256(b"parley-secrets:" + secret_key.encode()).digest()
    return base64.urlsafe_b64encode(digest)


def encrypt(plaintext: str) -> str:
    return _fernet().encrypt(plaintext.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        raise ValueError("secret cannot be decrypted with the configured keys") from None


def rotate(token: str) -> str:
    """The same secret, encrypted with the current key."""
    try:
        return _fernet().rotate(token.encode()).decode()
    except InvalidToken:
        raise ValueError("secret cannot be decrypted with the configured keys") from None


def mask(plaintext: str) -> str:
    """What the UI and API show of a stored secret: never more than its last 4 characters."""
    if len(plaintext) <= 8:
        return "••••"
    return "••••" + plaintext[-4:]


class EncryptedSecrets(models.Model):
    """Secrets of a connected account (tokens, signing keys), encrypted in one JSON field."""

    # {name: Fernet token}; read through secret(), written through set_secret().
    encrypted_secrets = models.JSONField(default=dict, blank=True)

    class Meta:
        abstract = True

    def secret(self, name: str) -> str:
        token = self.encrypted_secrets.get(name)
        return decrypt(token) if token else ""

    def set_secret(self, name: str, value: str) -> None:
        if value:
            self.encrypted_secrets[name] = encrypt(value)
        else:
            self.encrypted_secrets.pop(name, None)

    def masked_secrets(self) -> dict[str, str]:
        return {name: mask(self.secret(name)) for name in self.encrypted_secrets}

    def rotate_secrets(self) -> int:
        """Re-encrypt the secrets with the current key; how many there are."""
        self.encrypted_secrets = {name: rotate(t) for name, t in self.encrypted_secrets.items()}
        self.save(update_fields=["encrypted_secrets"])
        return len(self.encrypted_secrets)
