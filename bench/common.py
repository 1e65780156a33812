"""Shared by the benchmarks: an smtpsh installed in its own venv, as a user would have it.

The machine's global python3 is a shim with heavy site-packages start-up (and may run with
PYTHONDONTWRITEBYTECODE), which would measure the machine, not smtpsh. So the benchmarks run
the console script of a venv in bench/out/venv, made on first use with `pip install .`.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import venv

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VENV = os.path.join(ROOT, "bench", "out", "venv")


def smtpsh_exe(refresh: bool = True) -> str:
    exe = os.path.join(VENV, "bin", "smtpsh")
    if not os.path.exists(exe):
        venv.EnvBuilder(with_pip=True).create(VENV)
    if refresh or not os.path.exists(exe):
        # Reinstall each time so that the figures are of the code in the tree.
        subprocess.run([os.path.join(VENV, "bin", "pip"), "install", "-q", "--force-reinstall",
                        "--no-deps", ROOT], check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        subprocess.run([os.path.join(VENV, "bin", "pip"), "install", "-q", ROOT], check=True,
                       stdout=subprocess.DEVNULL)
    return exe


def venv_python() -> str:
    return os.path.join(VENV, "bin", "python")


if __name__ == "__main__":
    print(smtpsh_exe(), file=sys.stderr)


def free_port() -> int:
    """A TCP port on loopback nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def wait_port(port: int, deadline: float = 10.0) -> None:
    """Until something listens on the loopback port (or a clear exit after `deadline`)."""
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            return
        except OSError:
            time.sleep(0.02)
    raise SystemExit(f"nothing listens on port {port}")
