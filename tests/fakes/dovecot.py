"""A real IMAP server for tests: Debian's dovecot, started as the current user on a free
127.0.0.1 port with everything (config, sockets, state, log, maildirs) in one temporary
directory and plaintext login allowed (loopback only, no TLS).

Run as root, dovecot refuses root for its login and mail processes: it then uses the
unprivileged users the dovecot package creates, and the maildirs belong to them.
"""

import grp
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from imapclient import IMAPClient

from tests.conftest import free_port, require_binary

CONFIG = """\
protocols = imap
listen = 127.0.0.1
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
first_valid_uid = 1
default_internal_user = {internal_user}
default_internal_group = {internal_group}
default_login_user = {login_user}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/users
}}
userdb {{
  driver = static
  args = uid={mail_uid} gid={mail_gid} home={root}/home/%u
}}
mail_location = maildir:~/Maildir
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
"""


@dataclass
class Dovecot:
    users: dict[str, str] = field(default_factory=lambda: {"support": "mailbox-pw"})
    port: int = 0
    root: Path = field(default_factory=Path)

    def start(self) -> "Dovecot":
        self.root = Path(tempfile.mkdtemp(prefix="parley-dovecot-"))
        self.root.chmod(0o755)
        self.port = free_port()
        self._write_config()
        self.run()
        return self

    def stop(self) -> None:
        self.halt()
        shutil.rmtree(self.root, ignore_errors=True)

    def run(self) -> None:
        """Serve (again, after `halt`) on the same port with the same mailboxes."""
        binary = require_binary("/usr/sbin/dovecot")
        self._process = subprocess.Popen(
            [binary, "-F", "-c", str(self.root / "dovecot.conf")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
        )
        self._wait_for_port()

    def halt(self) -> None:
        """Stop serving, keeping the mailboxes."""
        self._process.terminate()
        try:
            self._process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()

    def client(self, user: str = "support") -> IMAPClient:
        client = IMAPClient("127.0.0.1", port=self.port, ssl=False, timeout=10)
        client.login(user, self.users[user])
        return client

    def settings(self, user: str = "support", **extra: object) -> dict:
        """The channel's `imap` settings for this server."""
        return {
            "host": "127.0.0.1",
            "port": self.port,
            "security": "none",
            "username": user,
            **extra,
        }

    @property
    def log(self) -> str:
        path = self.root / "dovecot.log"
        return path.read_text() if path.exists() else ""

    def _write_config(self) -> None:
        root = self.root
        as_root = os.getuid() == 0
        mail_user = pwd.getpwnam("dovecot") if as_root else pwd.getpwuid(os.getuid())
        internal_group = "dovecot" if as_root else grp.getgrgid(os.getgid()).gr_name
        (root / "home").mkdir()
        os.chown(root / "home", mail_user.pw_uid, mail_user.pw_gid)
        (root / "users").write_text(
            "".join(f"{user}:{{PLAIN}}{pw}::::::\n" for user, pw in self.users.items())
        )
        (root / "dovecot.conf").write_text(
            CONFIG.format(
                root=root,
                port=self.port,
                internal_user=mail_user.pw_name,
                internal_group=internal_group,
                login_user="dovenull" if as_root else mail_user.pw_name,
                mail_uid=mail_user.pw_uid,
                mail_gid=mail_user.pw_gid,
            )
        )

    def _wait_for_port(self) -> None:
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError("dovecot exited:\n" + self.log)
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.05)
        raise RuntimeError("dovecot did not listen:\n" + self.log)
