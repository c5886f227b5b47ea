#!/usr/bin/env python3
"""The two quick-start commands, on a machine with nothing but Python 3.11+.

    python3 dev.py run     # install into .venv, then start SocialHub on the embedded defaults
    python3 dev.py test    # install into .venv (with the test tools), then run the test suite

Standard library only: it has to work before anything is installed. Requirements are reinstalled only
when the requirement files change.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / "python"


def ensure_environment(requirements: str) -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 (this file runs under whatever python3 the machine has)
        sys.exit(f"SocialHub needs Python 3.11 or newer; this is {sys.version.split()[0]}.")
    if not PYTHON.exists():
        print(f"creating {VENV} …", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    files = [ROOT / "requirements.txt", ROOT / requirements]
    digest = hashlib.sha256(b"".join(f.read_bytes() for f in files)).hexdigest()
    stamp = VENV / f".installed-{requirements}"
    if stamp.exists() and stamp.read_text() == digest:
        return
    print(f"installing {requirements} …", flush=True)
    subprocess.run(
        [str(PYTHON), "-m", "pip", "install", "--disable-pip-version-check", "-q", "-r", str(ROOT / requirements)],
        check=True,
    )
    stamp.write_text(digest)


def exec_in_venv(*args: str) -> None:
    env = dict(os.environ)
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"  # the venv's node and bun come first
    env.setdefault("REFLEX_TELEMETRY_ENABLED", "false")
    env.setdefault("REFLEX_CHECK_LATEST_VERSION", "false")
    os.chdir(ROOT)
    os.execve(str(PYTHON), [str(PYTHON), *args], env)


def main(argv: list[str]) -> None:
    command, rest = (argv[0], argv[1:]) if argv else ("", [])
    if command == "run":
        ensure_environment("requirements.txt")
        exec_in_venv("-m", "socialhub", "run", *rest)
    elif command == "test":
        ensure_environment("requirements-dev.txt")
        exec_in_venv("-m", "pytest", *rest)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
