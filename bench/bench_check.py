#!/usr/bin/env python3
"""--check on a 3-MX test domain (two addresses each) against the slowest single address's
connect + EHLO + STARTTLS (handshake) + EHLO.

Six aiosmtpd STARTTLS servers, two per MX host, on 127.0.0.2-4 and 127.0.0.12-14 (trustme
certificates), a zone on a DNS server
on loopback (tests/dnsserver.py) with MX, A, PTR, TLSA, _mta-sts and _smtp._tls, and the
MTA-STS policy over HTTPS on 127.0.0.9 (tests/checkenv.py). Each figure is the median of
several runs: the whole `smtpsh --check` process (start-up included), the check itself in
process (smtpsh.check.card.run, no start-up), and for the baseline the slowest address's
connect + EHLO + STARTTLS + EHLO by one Session in process.

    python3 bench/bench_check.py [--runs 5] [--card]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
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


async def one_host(name: str, address: str, port: int, cafile: str) -> float:
    started = time.perf_counter()
    session = Session(lambda _e: None, ConnectOptions(timeout=10, tls=TlsOptions(cafile=cafile)))
    await session.connect(name, port, address)
    await session.command("EHLO bench.test")
    await session.command("STARTTLS")
    await session.command("EHLO bench.test")
    elapsed = time.perf_counter() - started
    await session.command("QUIT")
    await session.close()
    return elapsed


def in_process(target: str, nameserver: str, port: int, cafile: str) -> float:
    """The check itself (DNS, every connection, the card), timed inside one process."""
    from smtpsh.check.card import run
    from smtpsh.settings import Settings, TlsOptions

    settings = Settings(check=True, port=port, timeout=30, nameserver=nameserver,
                        tls=TlsOptions(cafile=cafile))
    started = time.perf_counter()
    asyncio.run(run(target, settings))
    return time.perf_counter() - started


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--card", action="store_true", help="print one text card")
    ap.add_argument("--hosts", type=int, default=3, choices=(1, 2, 3), help="MX hosts")
    args = ap.parse_args()
    # aiosmtpd logs each refused TLS 1.0/1.1 handshake with a traceback: not the bench's news
    logging.getLogger("mail.log").setLevel(logging.CRITICAL)
    ca = trustme.CA()
    tmp = Path(tempfile.mkdtemp())
    cafile = str(tmp / "ca.pem")
    ca.cert_pem.write_to_path(cafile)
    pairs = [("127.0.0.2", "127.0.0.12"), ("127.0.0.3", "127.0.0.13"),
             ("127.0.0.4", "127.0.0.14")][:args.hosts]
    addresses = [a for pair in pairs for a in pair]
    port = free_port_on(*addresses)
    servers, zone = [], {
        "bench.test": [("MX", f"{10 * i} mx{i}.bench.test.") for i in range(1, args.hosts + 1)],
        "_mta-sts.bench.test": [("TXT", '"v=STSv1; id=20260101"')],
        "mta-sts.bench.test": [("A", "127.0.0.9")],
        "_smtp._tls.bench.test": [("TXT", '"v=TLSRPTv1; rua=mailto:tlsrpt@bench.test"')],
    }
    for i, pair in enumerate(pairs, 1):
        name = f"mx{i}.bench.test"
        cert = ca.issue_cert(name)
        for address in pair:
            servers.append(starttls_mx(ca, name, address, port, cert=cert)[0])
            zone[f"{address.split('.')[-1]}.0.0.127.in-addr.arpa"] = [("PTR", f"{name}.")]
        zone[name] = [("A", address) for address in pair]
        zone[f"_{port}._tcp.{name}"] = [("TLSA", f"3 1 1 {spki_sha256(cert)}")]
    policy = PolicyServer(ca, "mta-sts.bench.test")
    policy.policy("version: STSv1\nmode: enforce\nmx: *.bench.test\nmax_age: 86400\n")
    env = dict(os.environ, PYTHONPATH=str(ROOT), SMTPSH_MTASTS_PORT=str(policy.port),
               NO_COLOR="1")
    os.environ["SMTPSH_MTASTS_PORT"] = str(policy.port)
    try:
        with ZoneServer(zone) as dns:
            cmd = [sys.executable, "-m", "smtpsh", "--check", "bench.test", "--nameserver",
                   dns.nameserver, "-p", str(port), "--cafile", cafile]
            if args.card:
                print(subprocess.run(cmd, env=env, capture_output=True, text=True).stdout)
                return
            check, inside, base, start = [], [], [], []
            for _ in range(args.runs):
                t = time.perf_counter()
                subprocess.run(cmd + ["--nagios"], env=env, capture_output=True, check=False)
                check.append(time.perf_counter() - t)
                inside.append(in_process("bench.test", dns.nameserver, port, cafile))
                t = time.perf_counter()
                subprocess.run([sys.executable, "-m", "smtpsh", "--version"], env=env,
                               capture_output=True, check=True)
                start.append(time.perf_counter() - t)
                base.append(max(asyncio.run(one_host(f"mx{i}.bench.test", a, port, cafile))
                                for i, pair in enumerate(pairs, 1) for a in pair))
            n = len(addresses)
            whole, run_s = statistics.median(check), statistics.median(inside)
            one = statistics.median(base)
            print(f"--check bench.test ({args.hosts} MX, {n} addresses), whole process:"
                  f" {whole:.3f} s")
            print(f"smtpsh --version (process start-up):               "
                  f" {statistics.median(start):.3f} s")
            print(f"--check in process (card.run, no start-up):        {run_s:.3f} s")
            print(f"slowest address connect+EHLO+STARTTLS+EHLO:        {one * 1000:.1f} ms")
            print(f"ratio in process / slowest address: {run_s / one:.1f}x;"
                  f" whole process / slowest address: {whole / one:.1f}x (target 1.5x)")
    finally:
        policy.stop()
        for server in servers:
            server.stop()


if __name__ == "__main__":
    main()
