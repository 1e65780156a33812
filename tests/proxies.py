"""Real proxies from Debian's packages on free loopback ports, in front of a test server:
microsocks (SOCKS5, without and with a user name and password) and tinyproxy (HTTP CONNECT,
allowed to one port only, so that another port is a refusal).

`Proxies(target_port)` starts them; the tests skip when the programs are missing
(scripts/install-test-deps.sh installs them).
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from pathlib import Path

from postfix import free_ports

USER, PASSWORD = "proxyuser", "proxypass"


def require() -> None:
    """Fail (under CI, which installs them) or skip when microsocks or tinyproxy is missing."""
    import os

    import pytest

    why = missing()
    if why is None:
        return
    if os.environ.get("CI"):
        pytest.fail(why)
    pytest.skip(why)


def missing() -> str | None:
    for program in ("microsocks", "tinyproxy"):
        if shutil.which(program, path="/usr/bin:/usr/sbin:/bin") is None:
            return f"{program} is not installed (scripts/install-test-deps.sh)"
    return None


def _wait(port: int, proc: subprocess.Popen[bytes], deadline: float) -> None:
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{proc.args} exited with {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.02)
    raise RuntimeError(f"{proc.args} did not listen on {port}")


class Proxies:
    """socks_port (no auth), socks_auth_port (USER/PASSWORD), http_port (CONNECT to
    `allowed_port` only)."""

    def __init__(self, root: Path, allowed_port: int) -> None:
        self.root = root
        self.allowed_port = allowed_port
        self.socks_port, self.socks_auth_port, self.http_port = free_ports(3)
        self.procs: list[subprocess.Popen[bytes]] = []

    def start(self) -> Proxies:
        conf = self.root / "tinyproxy.conf"
        conf.write_text(
            f"Port {self.http_port}\nListen 127.0.0.1\nTimeout 30\n"
            f'PidFile "{self.root}/tinyproxy.pid"\nLogFile "{self.root}/tinyproxy.log"\n'
            f"LogLevel Info\nMaxClients 20\nAllow 127.0.0.1\n"
            f"ConnectPort {self.allowed_port}\n")
        commands = [
            ["microsocks", "-i", "127.0.0.1", "-p", str(self.socks_port)],
            ["microsocks", "-i", "127.0.0.1", "-p", str(self.socks_auth_port), "-u", USER,
             "-P", PASSWORD],
            ["tinyproxy", "-d", "-c", str(conf)],
        ]
        deadline = time.monotonic() + 10
        try:
            for cmd, port in zip(commands, (self.socks_port, self.socks_auth_port,
                                            self.http_port), strict=True):
                log = open(self.root / f"{cmd[0]}-{port}.out", "wb")  # noqa: SIM115
                self.procs.append(subprocess.Popen(cmd, stdout=log, stderr=log,
                                                   stdin=subprocess.DEVNULL))
                log.close()
                _wait(port, self.procs[-1], deadline)
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.terminate()
        for proc in self.procs:
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self.procs.clear()
