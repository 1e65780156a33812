"""Handshake time added by STARTTLS on loopback: smtpsh vs `openssl s_client -starttls smtp`.

One small STARTTLS server, run here, times each upgrade from its side: from the moment its
"220 Ready" is sent to the moment the handshake is complete. That interval is the same
measure for both clients whatever their start-up cost: reading the 220, building the client
context, the handshake itself and verifying the certificate. Runs alternate between the
clients; the figures are medians.

    python bench/bench_tls.py [RUNS]
"""

from __future__ import annotations

import asyncio
import shutil
import ssl
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field

from common import smtpsh_exe

from smtpsh.sandbox import make_certificates


@dataclass
class Upgrade:
    seconds: float
    version: str
    cipher: str


@dataclass
class Server:
    """STARTTLS on 127.0.0.1 in a thread of its own; `upgrades` records each handshake."""

    ctx: ssl.SSLContext
    port: int = 0
    upgrades: list[Upgrade] = field(default_factory=list)

    def start(self) -> None:
        ready = threading.Event()
        threading.Thread(target=asyncio.run, args=(self._serve(ready),), daemon=True).start()
        ready.wait(5)

    async def _serve(self, ready: threading.Event) -> None:
        server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = server.sockets[0].getsockname()[1]
        ready.set()
        await server.serve_forever()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"220 bench.test ESMTP\r\n")
        try:
            while line := await reader.readline():
                verb = line.strip().upper()[:8]
                if verb.startswith(b"EHLO"):
                    writer.write(b"250-bench.test\r\n250 STARTTLS\r\n")
                elif verb == b"STARTTLS":
                    writer.write(b"220 Ready\r\n")
                    await writer.drain()
                    t0 = time.perf_counter()
                    await writer.start_tls(self.ctx)
                    took = time.perf_counter() - t0
                    obj = writer.get_extra_info("ssl_object")
                    cipher = obj.cipher()
                    self.upgrades.append(Upgrade(took, cipher[1], cipher[0]))
                    continue
                elif verb == b"QUIT":
                    writer.write(b"221 Bye\r\n")
                    await writer.drain()
                    break
                else:
                    writer.write(b"250 OK\r\n")
                await writer.drain()
        except (ConnectionError, ssl.SSLError):
            pass
        finally:
            writer.close()


def run_client(argv: list[str], stdin: bytes, server: Server) -> tuple[Upgrade, float]:
    before = len(server.upgrades)
    t0 = time.perf_counter()
    p = subprocess.run(argv, input=stdin, capture_output=True, timeout=30, check=False)
    wall = time.perf_counter() - t0
    if p.returncode != 0 or len(server.upgrades) != before + 1:
        sys.exit(f"{argv[0]} failed ({p.returncode}):\n{p.stdout.decode()}{p.stderr.decode()}")
    return server.upgrades[-1], wall


def ms(values: list[float]) -> str:
    return f"{statistics.median(values) * 1000:7.2f} ms"


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 21
    smtpsh, openssl = smtpsh_exe(), shutil.which("openssl")
    if not openssl:
        sys.exit("needs the openssl CLI on PATH")
    folder = tempfile.mkdtemp(prefix="smtpsh-bench-")
    ca, cert, key = make_certificates(folder)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    server = Server(ctx)
    server.start()
    clients = {
        "openssl s_client": ([openssl, "s_client", "-starttls", "smtp", "-connect",
                              f"127.0.0.1:{server.port}", "-CAfile", ca, "-verify_return_error",
                              "-verify_ip", "127.0.0.1", "-quiet", "-crlf"], b"QUIT\n"),
        "smtpsh": ([smtpsh, "--starttls", "--cafile", ca, "127.0.0.1", str(server.port),
                    "-c", "QUIT"], b""),
    }
    for argv, stdin in clients.values():  # warm up: page cache, bytecode
        run_client(argv, stdin, server)
    handshakes: dict[str, list[float]] = {name: [] for name in clients}
    walls: dict[str, list[float]] = {name: [] for name in clients}
    seen: set[tuple[str, str]] = set()
    for _ in range(runs):
        for name, (argv, stdin) in clients.items():
            up, wall = run_client(argv, stdin, server)
            handshakes[name].append(up.seconds)
            walls[name].append(wall)
            seen.add((up.version, up.cipher))
    if len(seen) != 1:
        sys.exit(f"the clients negotiated different TLS: {sorted(seen)}")
    version, cipher = seen.pop()
    print(f"STARTTLS on loopback, {runs} runs each, {version} {cipher} for both"
          f" ({ssl.OPENSSL_VERSION}); medians")
    print("  server's view, 220 sent -> handshake complete:")
    for name in clients:
        print(f"    {name:17} {ms(handshakes[name])}")
    ratio = statistics.median(handshakes["smtpsh"]) / statistics.median(
        handshakes["openssl s_client"])
    print(f"    ratio smtpsh / openssl: {ratio:.2f}")
    print("  whole run (process start to exit, for context):")
    for name in clients:
        print(f"    {name:17} {ms(walls[name])}")


if __name__ == "__main__":
    main()
