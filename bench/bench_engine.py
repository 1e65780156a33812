#!/usr/bin/env python3
"""Engine benchmarks: start-up, a short dialog, and a 100 MB message through DATA.

Prints medians of several runs on this machine. Needs Postfix's smtp-sink (the sink) and
swaks for the comparison (scripts/install-test-deps.sh installs both). Loopback only.

    python3 bench/bench_engine.py [--size-mb 100] [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

from common import free_port, smtpsh_exe, venv_python, wait_port


def timed(cmd: list[str], stdin: str | None = None) -> tuple[float, int, int]:
    """Wall seconds, peak RSS in MB, exit status of one run of cmd."""
    fin = open(stdin, "rb") if stdin else subprocess.DEVNULL  # noqa: SIM115
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdin=fin, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    if stdin:
        fin.close()
    return wall, usage.ru_maxrss // 1024, os.waitstatus_to_exitcode(status)


def median_of(runs: int, cmd: list[str], stdin: str | None = None) -> tuple[float, int]:
    results = [timed(cmd, stdin) for _ in range(runs)]
    bad = [r for r in results if r[2] != 0]
    if bad:
        raise SystemExit(f"{cmd[0]} failed (exit {bad[0][2]})")
    return statistics.median(r[0] for r in results), max(r[1] for r in results)


def make_message(path: str, size_mb: int) -> None:
    line = b"The quick brown fox jumps over the lazy dog, again and again and again.\n"
    dotted = b".A line that starts with a dot, to be stuffed on the wire.\n"
    block = (line * 9 + dotted) * 1000
    with open(path, "wb") as f:
        f.write(b"Subject: benchmark\nFrom: a@bench.test\nTo: b@bench.test\n\n")
        for _ in range(size_mb * (1 << 20) // len(block)):
            f.write(block)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--size-mb", type=int, default=100)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    exe = smtpsh_exe()
    py = venv_python()  # the same interpreter for smtplib, to compare like with like

    print(f"machine: {os.cpu_count()} cores, python {sys.version.split()[0]}")
    t, rss = median_of(max(args.runs, 10), [exe, "--version"])
    print(f"smtpsh --version: {t * 1000:.0f} ms median (target < 60 ms), peak RSS {rss} MB")

    sink_port = free_port()
    sink = shutil.which("smtp-sink") or "/usr/sbin/smtp-sink"
    if not os.path.exists(sink):
        raise SystemExit("smtp-sink missing: bash scripts/install-test-deps.sh")
    sinkp = subprocess.Popen([sink, "-u", "nobody", f"127.0.0.1:{sink_port}", "100"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_port(sink_port, 5.0)
        t, rss = median_of(max(args.runs, 10), [exe, "127.0.0.1", str(sink_port),
                                                "-c", "EHLO bench.test", "-c", "QUIT"])
        print(f"script mode EHLO+QUIT: {t * 1000:.0f} ms median (target < 150 ms),"
              f" peak RSS {rss} MB")

        with tempfile.TemporaryDirectory() as tmp:
            body = os.path.join(tmp, "body.txt")
            make_message(body, args.size_mb)
            size = os.path.getsize(body) / 1e6
            dialog = os.path.join(tmp, "dialog.txt")
            with open(dialog, "wb") as f:
                f.write(b"EHLO bench.test\nMAIL FROM:<a@bench.test>\nRCPT TO:<b@bench.test>\n"
                        b"DATA\n")
                with open(body, "rb") as b:
                    shutil.copyfileobj(b, f)
                f.write(b".\nQUIT\n")
            smtplib_script = (
                "import smtplib,sys\n"
                "data=open(sys.argv[2],'rb').read()\n"
                "s=smtplib.SMTP('127.0.0.1',int(sys.argv[1]))\n"
                "s.sendmail('a@bench.test',['b@bench.test'],data)\ns.quit()\n")
            rows = [("smtpsh (script mode, stdin)",
                     [exe, "127.0.0.1", str(sink_port)], dialog),
                    ("python smtplib.sendmail", [py, "-c", smtplib_script, str(sink_port),
                                                 body], None)]
            swaks = shutil.which("swaks")
            if swaks:
                rows.append(("swaks --data @file", [
                    swaks, "--server", f"127.0.0.1:{sink_port}", "--from", "a@bench.test",
                    "--to", "b@bench.test", "--helo", "bench.test", "--data", f"@{body}",
                    "--suppress-data"], None))
            print(f"{size:.0f} MB message through DATA to smtp-sink on loopback,"
                  f" median of {args.runs}:")
            for name, cmd, stdin in rows:
                t, rss = median_of(args.runs, cmd, stdin)
                print(f"  {name:30} {size / t:7.1f} MB/s  {t:6.2f} s  peak RSS {rss:4d} MB")
    finally:
        sinkp.send_signal(signal.SIGTERM)
        sinkp.wait(5)


if __name__ == "__main__":
    main()
