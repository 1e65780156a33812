#!/usr/bin/env python3
"""--mx benchmark: start to greeting for a domain with three MX hosts, the first two refusing.

Compared with the manual routine: `dig MX`, `dig A` for each host, then connecting to each
address in turn until one greets (the DNS round trips and the refused connects are the floor).
Everything on loopback: a dnslib DNS server and aiosmtpd. Prints medians.

    python3 bench/bench_mx.py [--runs 10]
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests"))

from aiosmtpd.controller import Controller  # noqa: E402
from aiosmtpd.handlers import Sink  # noqa: E402
from common import free_port, smtpsh_exe  # noqa: E402
from dnsserver import ZoneServer  # noqa: E402

ZONE: dict[str, list[tuple[str, str]] | str] = {
    "bench.test": [("MX", "10 mx1.bench.test."), ("MX", "20 mx2.bench.test."),
                   ("MX", "30 mx3.bench.test.")],
    "mx1.bench.test": [("A", "127.0.0.2")],  # nothing listens there: refused
    "mx2.bench.test": [("A", "127.0.0.3")],  # refused too
    "mx3.bench.test": [("A", "127.0.0.1")],
}


def by_hand(dig: str, ns_port: int, port: int) -> float:
    """dig MX, dig A per host in preference order, connect until a greeting: wall seconds."""
    t0 = time.perf_counter()
    dig_args = [dig, "@127.0.0.1", "-p", str(ns_port), "+short"]
    mx = subprocess.run([*dig_args, "MX", "bench.test"], capture_output=True, text=True,
                        check=True).stdout.split("\n")
    hosts = [x.split()[1] for x in sorted((x for x in mx if x), key=lambda x: int(x.split()[0]))]
    for host in hosts:
        addr = subprocess.run([*dig_args, "A", host], capture_output=True, text=True,
                              check=True).stdout.split()[0]
        try:
            with socket.create_connection((addr, port), 5) as s:
                if s.recv(512).startswith(b"220"):
                    return time.perf_counter() - t0
        except OSError:
            continue
    raise SystemExit("no greeting by hand")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=10)
    args = ap.parse_args()
    exe = smtpsh_exe()
    port = free_port()
    smtp = Controller(Sink(), hostname="127.0.0.1", port=port, server_hostname="mx3.bench.test")
    smtp.start()
    try:
        with ZoneServer(ZONE) as dns:
            cmd = [exe, "--mx", "--nameserver", dns.nameserver, "-4", "-p", str(port),
                   "bench.test", "-c", "QUIT"]
            times = []
            for _ in range(args.runs):
                t0 = time.perf_counter()
                p = subprocess.run(cmd, capture_output=True, check=False)
                times.append(time.perf_counter() - t0)
                if p.returncode != 0 or b"S: 220 mx3.bench.test" not in p.stdout:
                    raise SystemExit(p.stdout.decode() + p.stderr.decode())
            dig = shutil.which("dig")
            manual = [by_hand(dig, dns.port, port) for _ in range(args.runs)] if dig else []
    finally:
        smtp.stop()
    ours = statistics.median(times)
    print(f"smtpsh --mx, 3 MX hosts, first two refuse: {ours * 1000:.0f} ms median"
          " (whole run: start, DNS, 2 refused connects, greeting, QUIT, exit)")
    if manual:
        floor = statistics.median(manual)
        print(f"by hand (dig MX + 3 x dig A + connects, no shell start-up): {floor * 1000:.0f}"
              f" ms median; smtpsh / by hand = {ours / floor:.2f}")


if __name__ == "__main__":
    main()
