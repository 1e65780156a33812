#!/usr/bin/env python3
"""--check on a 3-MX test domain against one host's connect + EHLO + STARTTLS + EHLO.

Three aiosmtpd STARTTLS servers on 127.0.0.2-4 (trustme certificates), a zone on a DNS server
on loopback (tests/dnsserver.py) with MX, A, PTR, TLSA, _mta-sts and _smtp._tls, and the
MTA-STS policy over HTTPS on 127.0.0.9 (tests/checkenv.py). Each figure is the median of
several runs of the whole `smtpsh --check` process (start-up included) and, for the baseline,
of one Session's connect + EHLO + STARTTLS + EHLO in process.

    python3 bench/bench_check.py [--runs 5] [--card]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import trustme  # noqa: E402
from checkenv import PolicyServer, free_port_on, spki_sha256, starttls_mx  # noqa: E402
from dnsserver import ZoneServer  # noqa: E402

from smtpsh.session import ConnectOptions, Session  # noqa: E402
from smtpsh.settings import TlsOptions  # noqa: E402


async def one_host(address: str, port: int, cafile: str) -> float:
    started = time.perf_counter()
    session = Session(lambda _e: None, ConnectOptions(timeout=10, tls=TlsOptions(cafile=cafile)))
    await session.connect("mx1.bench.test", port, address)
    await session.command("EHLO bench.test")
    await session.command("STARTTLS")
    await session.command("EHLO bench.test")
    elapsed = time.perf_counter() - started
    await session.command("QUIT")
    await session.close()
    return elapsed


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--card", action="store_true", help="print one text card")
    ap.add_argument("--hosts", type=int, default=3, choices=(1, 2, 3), help="MX hosts")
    args = ap.parse_args()
    ca = trustme.CA()
    tmp = Path(tempfile.mkdtemp())
    cafile = str(tmp / "ca.pem")
    ca.cert_pem.write_to_path(cafile)
    addresses = ["127.0.0.2", "127.0.0.3", "127.0.0.4"][:args.hosts]
    port = free_port_on(*addresses)
    servers, zone = [], {
        "bench.test": [("MX", f"{10 * i} mx{i}.bench.test.") for i in range(1, args.hosts + 1)],
        "_mta-sts.bench.test": [("TXT", '"v=STSv1; id=20260101"')],
        "mta-sts.bench.test": [("A", "127.0.0.9")],
        "_smtp._tls.bench.test": [("TXT", '"v=TLSRPTv1; rua=mailto:tlsrpt@bench.test"')],
    }
    for i, address in enumerate(addresses, 1):
        server, cert = starttls_mx(ca, f"mx{i}.bench.test", address, port)
        servers.append(server)
        zone[f"mx{i}.bench.test"] = [("A", address)]
        zone[f"{address.split('.')[-1]}.0.0.127.in-addr.arpa"] = [("PTR", f"mx{i}.bench.test.")]
        zone[f"_{port}._tcp.mx{i}.bench.test"] = [("TLSA", f"3 1 1 {spki_sha256(cert)}")]
    policy = PolicyServer(ca, "mta-sts.bench.test")
    policy.policy("version: STSv1\nmode: enforce\nmx: *.bench.test\nmax_age: 86400\n")
    env = dict(os.environ, PYTHONPATH=str(ROOT), SMTPSH_MTASTS_PORT=str(policy.port),
               NO_COLOR="1")
    try:
        with ZoneServer(zone) as dns:
            cmd = [sys.executable, "-m", "smtpsh", "--check", "bench.test", "--nameserver",
                   dns.nameserver, "-p", str(port), "--cafile", cafile]
            if args.card:
                print(subprocess.run(cmd, env=env, capture_output=True, text=True).stdout)
                return
            check, base, start = [], [], []
            for _ in range(args.runs):
                t = time.perf_counter()
                subprocess.run(cmd + ["--nagios"], env=env, capture_output=True, check=False)
                check.append(time.perf_counter() - t)
                t = time.perf_counter()
                subprocess.run([sys.executable, "-m", "smtpsh", "--version"], env=env,
                               capture_output=True, check=True)
                start.append(time.perf_counter() - t)
                base.append(asyncio.run(one_host(addresses[0], port, cafile)))
            label = f"--check bench.test ({args.hosts} MX, whole process):"
            print(f"{label} {statistics.median(check):.3f} s")
            print(f"smtpsh --version (process start-up):    {statistics.median(start):.3f} s")
            print(f"one host connect+EHLO+STARTTLS+EHLO:   {statistics.median(base) * 1000:.1f} ms")
    finally:
        policy.stop()
        for server in servers:
            server.stop()


if __name__ == "__main__":
    main()
