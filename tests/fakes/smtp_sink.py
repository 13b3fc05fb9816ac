"""A real SMTP server on 127.0.0.1 (aiosmtpd) that keeps what it is sent, for outbound tests.

`refuse` queues SMTP answers for the next messages (e.g. "451 4.3.0 busy"); with a
`password`, the sink requires AUTH LOGIN/PLAIN as "parley" with that password.
"""

import email
import email.policy
import socket
from dataclasses import dataclass, field
from email.message import EmailMessage

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Delivered:
    mail_from: str
    rcpt_tos: list[str]
    raw: bytes

    @property
    def message(self) -> EmailMessage:
        return email.message_from_bytes(self.raw, policy=email.policy.default)  # type: ignore[return-value]


@dataclass
class SmtpSink:
    password: str = ""
    delivered: list[Delivered] = field(default_factory=list)
    refuse: list[str] = field(default_factory=list)
    port: int = 0

    async def handle_DATA(self, server, session, envelope) -> str:
        if self.refuse:
            return self.refuse.pop(0)
        self.delivered.append(
            Delivered(envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content)
        )
        return "250 2.0.0 OK"

    def _authenticate(self, server, session, envelope, mechanism, auth_data) -> AuthResult:
        ok = isinstance(auth_data, LoginPassword) and auth_data.password.decode() == self.password
        return AuthResult(success=ok, handled=False)

    def start(self) -> "SmtpSink":
        self.port = free_port()
        options: dict = {"decode_data": False}
        if self.password:
            options.update(
                authenticator=self._authenticate, auth_require_tls=False, auth_required=True
            )
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port, **options)
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()

    def smtp_settings(self) -> dict:
        return {"host": "127.0.0.1", "port": self.port, "security": "none"}
