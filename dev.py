#!/usr/bin/env python3
"""Bootstrap Parley on a fresh machine with nothing but Python 3.11+ and pip.

python3 dev.py up     install into .venv, migrate var/parley.sqlite3, load the demo
                      workspace, and serve web + worker on http://127.0.0.1:8000
python3 dev.py test   install the dev dependencies and run the whole test suite, in up
                      to 4 parallel workers (extra arguments go to pytest; "-n 0"
                      runs it in one process)
"""

import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")


def ensure_venv(extras: str) -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 - this script may run on an older Python
        sys.exit("Parley needs Python 3.11 or newer.")
    if not (BIN / "python").exists():
        print("Creating .venv …", flush=True)
        venv.create(VENV, with_pip=True)
    print("Installing Parley into .venv …", flush=True)
    run(
        [
            str(BIN / "python"),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "-e",
            f".{extras}",
        ]
    )


def run(command: list[str]) -> None:
    result = subprocess.run(command, cwd=ROOT, check=False)  # noqa: S603 - our own venv
    if result.returncode:
        sys.exit(result.returncode)


def main() -> None:
    action, rest = (sys.argv[1], sys.argv[2:]) if len(sys.argv) > 1 else ("", [])
    if action == "up":
        ensure_venv("")
        os.execv(BIN / "parley", [str(BIN / "parley"), "up", *rest])  # noqa: S606
    elif action == "test":
        ensure_venv("[dev]")
        workers = [] if "-n" in rest else ["-n", str(min(4, os.cpu_count() or 1))]
        run([str(BIN / "python"), "-m", "pytest", *workers, *rest])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
