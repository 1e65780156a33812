#!/usr/bin/env python3
"""Protocol-core benchmarks: smtpsh against Python's smtplib, measured in the same run.

Every figure is the median wall time of a whole process (interpreter start-up included) over
N runs, the two peers alternating, against one sink server on loopback: Postfix's smtp-sink,
which advertises PIPELINING (aiosmtpd, told to advertise it, only when smtp-sink is missing
and CI is not set). The ratio smtpsh/smtplib is what to read; the seconds are this machine's.
The verdict compares it with the target; "net ratio" (information only) is the same with each
peer's start-up row (connect, EHLO, QUIT as a whole process) taken off its time.

1. 1,000 transactions in one connection, lockstep: script mode on stdin vs smtplib.sendmail;
2. the same with `smtpsh --pipeline` (vs the same smtplib, which never pipelines);
3. 1,000 RCPTs in one transaction, `smtpsh --pipeline` vs one sendmail to 1,000 recipients;
4. start-up: `EHLO x` + `QUIT` as a whole process, vs connect + ehlo + quit with smtplib;
5. `smtpsh --version` (the console script's code: import smtpsh.cli, call main) vs
   `python -c pass` on the same interpreter;
6. a 100 MB message (`--size-mb`) through DATA, script mode on stdin, vs `nc -N` sending the
   same dialog already in wire form (CRLF, dots stuffed) in one stream: the ratio of times,
   the throughput ratio (target: smtpsh at least 0.8x nc) and smtpsh's peak RSS (< 40 MB).
   Without nc, a Python sendfile() copy stands in for it (said in the row);
7. structure: non-blank, non-comment lines of smtpsh/session.py, import cycles
   (/work/shared/tools/import_cycles.py), files touched to add LMTP (`--lmtp-diff A..B`).

Both peers run on the same interpreter (by default the venv of bench/common.py, for the
reason given there), smtpsh from the tree under test through PYTHONPATH, with compiled
bytecode kept in bench/out/pycache (so that nothing is written into that tree).

    python3 bench/bench_core.py [--tree PATH] [--runs 5] [--quick] [--size-mb 100]
                                [--rows 1,2,3,4,5,6] [--lmtp-diff A..B]
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
import threading
import time
from dataclasses import dataclass

from common import ROOT, free_port, smtpsh_exe, venv_python, wait_port

CYCLES_TOOL = "/work/shared/tools/import_cycles.py"
SENDER, HELO = "a@bench.test", "bench.test"
BODY = ["Subject: bench", "", "hello"]
TIMEOUT = 300.0  # seconds for one process: a hang is a failure, not a figure

# The smtplib peer: argv = port, transactions, recipients per transaction.
SMTPLIB = """\
import smtplib, sys
port, n, r = map(int, sys.argv[1:4])
msg = b"Subject: bench\\r\\n\\r\\nhello\\r\\n"
rcpts = ["b%d@bench.test" % i for i in range(r)]
s = smtplib.SMTP("127.0.0.1", port)
s.ehlo("bench.test")
for _ in range(n):
    s.sendmail("a@bench.test", rcpts, msg)
s.quit()
"""

# The fallback sink: aiosmtpd, with PIPELINING in its EHLO reply (it reads commands one
# after the other anyway, so it copes with pipelined clients).
AIOSMTPD_SINK = """\
import sys, time
from aiosmtpd.controller import Controller

class Sink:
    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname
        return responses[:1] + ["250-PIPELINING"] + responses[1:]

    async def handle_DATA(self, server, session, envelope):
        return "250 2.0.0 Ok"

Controller(Sink(), hostname="127.0.0.1", port=int(sys.argv[1])).start()
time.sleep(1e9)
"""


# The console script pip (23) writes for `smtpsh` (pyproject's [project.scripts]), run from a
# file so that smtpsh comes from the tree under test: what `smtpsh --version` costs a user.
# The one in the interpreter's bin/, when there, is used instead (console_script).
CONSOLE_SCRIPT = """\
import re
import sys
from smtpsh.cli import main
if __name__ == '__main__':
    sys.argv[0] = re.sub(r'(-script\\.pyw|\\.exe)?$', '', sys.argv[0])
    sys.exit(main())
"""

# Stands in for nc when it is missing: the wire file in one sendfile(), then read to the end.
SENDFILE = """\
import os, socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
with open(sys.argv[2], "rb") as f:
    s.sendfile(f)
s.shutdown(socket.SHUT_WR)
while s.recv(65536):
    pass
"""


@dataclass
class Row:
    label: str
    target: float
    runs: int = 0
    smtpsh: float | None = None
    smtplib: float | None = None  # the peer's time (smtplib, python -c pass or nc)
    note: str = ""
    rss: int | None = None  # smtpsh's peak RSS in MB, when measured


def console_script(python: str) -> str:
    """The text of the `smtpsh` script installed beside `python` (the template of the pip
    that installed it), else pip's usual one."""
    installed = os.path.join(os.path.dirname(python), "smtpsh")
    try:
        with open(installed) as f:
            text = f.read()
    except OSError:
        return CONSOLE_SCRIPT
    return text if "from smtpsh.cli import main" in text else CONSOLE_SCRIPT


def start_sink(python: str, env: dict[str, str]) -> tuple[subprocess.Popen, int, str]:
    port = free_port()
    sink = shutil.which("smtp-sink") or "/usr/sbin/smtp-sink"
    if os.path.exists(sink):
        user = ["-u", "nobody"] if os.geteuid() == 0 else []
        cmd = [sink, "-c", *user, f"127.0.0.1:{port}", "1000"]
        name = "smtp-sink"
    elif os.environ.get("CI"):
        raise SystemExit("smtp-sink missing (and CI is set): bash scripts/install-test-deps.sh")
    else:
        print("smtp-sink missing: falling back to aiosmtpd (bash scripts/install-test-deps.sh"
              " installs smtp-sink)", file=sys.stderr)
        cmd = [python, "-c", AIOSMTPD_SINK, str(port)]
        name = "aiosmtpd"
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env,
                            cwd=env["HOME"])
    wait_port(port)
    return proc, port, name


def write_script(path: str, transactions: int, rcpts: int, ehlo: str = HELO) -> None:
    lines = [f"EHLO {ehlo}"]
    for _ in range(transactions):
        lines.append(f"MAIL FROM:<{SENDER}>")
        lines += [f"RCPT TO:<b{i}@bench.test>" for i in range(rcpts)]
        lines += ["DATA", *BODY, "."]
    lines.append("QUIT")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def run_once(cmd: list[str], env: dict[str, str], stdin: str | None,
             capture: bool = False) -> tuple[float, int, str]:
    """Wall seconds, exit status and (when capture) stderr of one whole process."""
    wall, status, errout, _ = run_measured(cmd, env, stdin, capture)
    return wall, status, errout


def run_measured(cmd: list[str], env: dict[str, str], stdin: str | None,
                 capture: bool = False) -> tuple[float, int, str, int]:
    """run_once, and the peak RSS of the process in MB (from wait4)."""
    fin = open(stdin, "rb") if stdin else subprocess.DEVNULL  # noqa: SIM115
    err = subprocess.PIPE if capture else subprocess.DEVNULL
    try:
        t0 = time.perf_counter()
        p = subprocess.Popen(cmd, stdin=fin, stdout=subprocess.DEVNULL, stderr=err, env=env,
                             cwd=env["HOME"])
        # No timeout= here: Popen.wait(timeout) polls with sleeps of up to 50 ms, which would
        # round every figure up to the next 50 ms. A timer kills a hung process instead.
        killer = threading.Timer(TIMEOUT, p.kill)
        killer.start()
        try:
            errout = p.stderr.read() if p.stderr else b""
            _, status, usage = os.wait4(p.pid, 0)
        finally:
            killer.cancel()
        wall = time.perf_counter() - t0
        p.returncode = os.waitstatus_to_exitcode(status)
        if p.stderr:
            p.stderr.close()
    finally:
        if stdin:
            fin.close()
    if wall >= TIMEOUT:
        raise SystemExit(f"killed after {TIMEOUT:.0f} s: {' '.join(cmd[:6])}")
    return (wall, p.returncode, (errout or b"").decode(errors="replace"),
            usage.ru_maxrss // 1024)


def check(name: str, status: int, errout: str) -> None:
    if status != 0:
        tail = "\n".join(errout.strip().splitlines()[-5:])
        raise SystemExit(f"{name} failed (exit {status})" + (f":\n{tail}" if tail else ""))


def compare(row: Row, runs: int, env: dict[str, str], mine: tuple[list[str], str | None],
            peer: tuple[list[str], str | None]) -> None:
    """Medians of `runs` timed runs of each, alternating, after one warm-up each."""
    for name, (cmd, stdin) in (("smtpsh", mine), ("smtplib", peer)):
        _, status, errout = run_once(cmd, env, stdin, capture=True)
        check(f"{row.label}: {name}", status, errout)
    times: dict[str, list[float]] = {"smtpsh": [], "smtplib": []}
    rss = 0
    for i in range(runs):
        order = [("smtpsh", mine), ("smtplib", peer)]
        for name, (cmd, stdin) in order if i % 2 == 0 else order[::-1]:
            wall, status, _, mb = run_measured(cmd, env, stdin)
            check(f"{row.label}: {name}", status, "")
            times[name].append(wall)
            if name == "smtpsh":
                rss = max(rss, mb)
    row.runs, row.rss = runs, rss
    row.smtpsh = statistics.median(times["smtpsh"])
    row.smtplib = statistics.median(times["smtplib"])


def pipeline_refused(cmd: list[str], env: dict[str, str], stdin: str) -> bool:
    """True when argparse of the tree under test does not know --pipeline."""
    _, status, errout = run_once(cmd, env, stdin, capture=True)
    return status == 2 and "--pipeline" in errout


def code_lines(path: str) -> int | None:
    try:
        with open(path, encoding="utf-8") as f:
            return sum(1 for line in f if line.strip() and not line.lstrip().startswith("#"))
    except FileNotFoundError:
        return None


def import_cycles(tree: str, tool: str) -> str:
    if not os.path.exists(tool):
        return f"n/a ({tool} missing)"
    out = subprocess.run([sys.executable, tool, "smtpsh"], cwd=tree, capture_output=True,
                         text=True)
    if out.returncode not in (0, 1):
        return f"n/a ({tool} failed: exit {out.returncode})"
    return str(sum(1 for line in out.stdout.splitlines() if line.startswith("import cycle:")))


def files_touched(tree: str, refs: str | None) -> str:
    if not refs:
        return "n/a"
    out = subprocess.run(["git", "-C", tree, "diff", "--name-only", refs], capture_output=True,
                         text=True)
    if out.returncode != 0:
        raise SystemExit(f"git diff {refs} failed: {out.stderr.strip()}")
    return str(len([line for line in out.stdout.splitlines() if line]))


def tree_revision(tree: str) -> str:
    out = subprocess.run(["git", "-C", tree, "describe", "--always", "--dirty"],
                         capture_output=True, text=True)
    return out.stdout.strip() or "not a git tree"


def fmt_s(t: float | None) -> str:
    return "n/a" if t is None else f"{t:.3f} s"


def net_ratio(r: Row, startup: Row) -> str:
    """The ratio with each peer's start-up row (connect, EHLO, QUIT) taken off its time."""
    if None in (r.smtpsh, r.smtplib, startup.smtpsh, startup.smtplib) or r is startup:
        return "-"
    mine, peer = r.smtpsh - startup.smtpsh, r.smtplib - startup.smtplib  # type: ignore[operator]
    return f"{mine / peer:.2f}x" if peer > 0 and mine > 0 else "-"


def print_table(rows: list[Row], structure: list[tuple[str, str]],
                startup: Row | None = None, no_net: tuple[Row, ...] = ()) -> None:
    startup = startup or rows[-1]
    print(f"{'measurement':48} {'runs':>4} {'smtpsh':>9} {'peer':>9} {'ratio':>7}"
          f" {'target':>8}  {'verdict':11} {'net ratio':>9}")
    for r in rows:
        if r.smtpsh is None or r.smtplib is None:
            ratio, verdict = "n/a", "n/a"
        else:
            q = r.smtpsh / r.smtplib
            ratio, verdict = f"{q:.2f}x", "ok" if q <= r.target else "over target"
        runs = str(r.runs) if r.runs else "-"
        net = "-" if r in no_net else net_ratio(r, startup)
        print(f"{r.label:48} {runs:>4} {fmt_s(r.smtpsh):>9} {fmt_s(r.smtplib):>9} {ratio:>7}"
              f" {'<= ' + format(r.target, '.2f').rstrip('0').rstrip('.') + 'x':>8}"
              f"  {verdict:11} {net:>9}")
    for r in rows:
        if r.note:
            print(r.note)
    print("(ratio = smtpsh time / peer time; the peer is smtplib unless the row names it."
          "\n net ratio: the same with each peer's start-up row taken off its time, for"
          " information;\n the verdict is on the whole-process ratio)")
    print()
    print(f"{'structure':50} value")
    for label, value in structure:
        print(f"{label:50} {value}")


def write_data_dialogs(tmp: str, size_mb: int) -> tuple[str, str, float]:
    """The dialog for smtpsh's stdin (LF line ends, dots as typed) and the same dialog in
    wire form for nc (CRLF, dots stuffed, as RFC 5321 4.5.2 wants), encoded here
    independently of smtpsh; and the size of the message in MB."""
    line = b"The quick brown fox jumps over the lazy dog, again and again and again.\n"
    dotted = b".A line that starts with a dot, to be stuffed on the wire.\n"
    block = (line * 9 + dotted) * 1000
    head = b"Subject: benchmark\nFrom: a@bench.test\nTo: b@bench.test\n\n"
    wire_block = block.replace(b"\n.", b"\n..").replace(b"\n", b"\r\n")
    wire_block = (b"." if block.startswith(b".") else b"") + wire_block
    cmds = [f"EHLO {HELO}", f"MAIL FROM:<{SENDER}>", "RCPT TO:<b@bench.test>", "DATA"]
    count = max(1, size_mb * (1 << 20) // len(block))
    typed, wire = os.path.join(tmp, "data.txt"), os.path.join(tmp, "data.wire")
    with open(typed, "wb") as t, open(wire, "wb") as w:
        t.write("".join(f"{c}\n" for c in cmds).encode() + head)
        w.write("".join(f"{c}\r\n" for c in cmds).encode() + head.replace(b"\n", b"\r\n"))
        for _ in range(count):
            t.write(block)
            w.write(wire_block)
        t.write(b".\nQUIT\n")
        w.write(b".\r\nQUIT\r\n")
    return typed, wire, (len(head) + count * len(block)) / 1e6


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--tree", default=ROOT, help="smtpsh source tree to benchmark"
                    " (default: the repository of this file)")
    ap.add_argument("--runs", type=int, default=5, help="timed runs per figure (median)")
    ap.add_argument("--quick", action="store_true",
                    help="50 transactions and 50 recipients instead of 1,000: a smoke run")
    ap.add_argument("--lmtp-diff", metavar="A..B",
                    help="git refs whose diff is the LMTP change (files touched)")
    ap.add_argument("--python", help="interpreter for both peers (default: the venv of"
                    " bench/common.py, made on first use)")
    ap.add_argument("--cycles-tool", default=CYCLES_TOOL, help="import_cycles.py to run")
    ap.add_argument("--rows", default="1,2,3,4,5,6", help="which measurements to run"
                    " (numbers, comma-separated; default all)")
    ap.add_argument("--size-mb", type=int, help="size of the DATA message in MB"
                    " (default 100; 5 with --quick)")
    args = ap.parse_args()
    if args.runs < 1:
        ap.error("--runs must be at least 1")
    tree = os.path.abspath(args.tree)
    if not os.path.isfile(os.path.join(tree, "smtpsh", "__init__.py")):
        ap.error(f"{tree} holds no smtpsh package")
    if args.python:
        python = args.python
    else:
        smtpsh_exe(refresh=False)  # makes the venv (with smtpsh's dependencies) if missing
        python = venv_python()
    n = 50 if args.quick else 1000
    startup_runs = args.runs if args.quick else max(args.runs, 10)
    size_mb = args.size_mb or (5 if args.quick else 100)
    wanted = set(args.rows.replace(" ", "").split(","))

    with tempfile.TemporaryDirectory() as tmp:
        # The same environment for both peers: smtpsh of the tree first on the path, a fresh
        # HOME (no user config, no history), bytecode cached outside the tree. Every process
        # runs in that HOME: `-m` and `-c` put the working directory before PYTHONPATH.
        env = {k: v for k, v in os.environ.items()
               if k not in ("PYTHONDONTWRITEBYTECODE", "PYTHONHOME", "SMTPSH_CONFIG")}
        env.update(PYTHONPATH=tree, HOME=tmp, XDG_CONFIG_HOME=f"{tmp}/cfg",
                   XDG_STATE_HOME=f"{tmp}/state",
                   PYTHONPYCACHEPREFIX=os.path.join(ROOT, "bench", "out", "pycache"))
        where = subprocess.run([python, "-c", "import smtpsh; print(smtpsh.__file__)"],
                               env=env, cwd=tmp, capture_output=True, text=True)
        if where.returncode != 0 or not where.stdout.startswith(tree + os.sep):
            raise SystemExit(f"{python} does not import smtpsh from {tree}:"
                             f" {where.stdout.strip() or where.stderr.strip()}")

        many_tx, many_rcpt, startup = (os.path.join(tmp, f) for f in
                                       ("tx.txt", "rcpt.txt", "startup.txt"))
        write_script(many_tx, n, 1)
        write_script(many_rcpt, 1, n)
        write_script(startup, 0, 0, ehlo="x")
        console = os.path.join(tmp, "smtpsh-console-script")
        with open(console, "w") as f:
            f.write(console_script(python))
        typed, wire, size = write_data_dialogs(tmp, size_mb if "6" in wanted else 1)

        sinkp, port, sink_name = start_sink(python, env)
        try:
            print(f"tree {tree} ({tree_revision(tree)}); sink {sink_name} on 127.0.0.1:{port}")
            print(f"python {python}, {os.cpu_count()} cores; whole processes, medians,"
                  " smtpsh and smtplib alternating; ratio = smtpsh / smtplib")
            print()
            smtpsh = [python, "-m", "smtpsh"]
            target = ["127.0.0.1", str(port)]
            peer_tx = ([python, "-c", SMTPLIB, str(port), str(n), "1"], None)
            peer_rcpt = ([python, "-c", SMTPLIB, str(port), "1", str(n)], None)
            rows = [Row(f"1. {n:,} transactions, 1 connection, lockstep", 1.0),
                    Row(f"2. {n:,} transactions, 1 connection, pipelined", 0.5),
                    Row(f"3. {n:,} RCPTs in 1 transaction, pipelined", 0.3),
                    Row("4. start-up: EHLO x + QUIT, whole process", 1.2),
                    Row("5. smtpsh --version vs python -c pass", 1.3)]
            nc = shutil.which("nc")
            big = Row(f"6. {size:.0f} MB through DATA vs "
                      + ("nc -N" if nc else "py sendfile (no nc)"), 1.25)
            if "1" in wanted:
                compare(rows[0], args.runs, env, ([*smtpsh, *target], many_tx), peer_tx)
            pipelined = [*smtpsh, "--pipeline", *target]
            if not {"2", "3"} & wanted:
                pass
            elif pipeline_refused(pipelined, env, startup):
                rows[1].note = "pipelined: --pipeline not available"
            else:
                if "2" in wanted:
                    compare(rows[1], args.runs, env, (pipelined, many_tx), peer_tx)
                if "3" in wanted:
                    compare(rows[2], args.runs, env, (pipelined, many_rcpt), peer_rcpt)
            if "4" in wanted:
                compare(rows[3], startup_runs, env, ([*smtpsh, *target], startup),
                        ([python, "-c", SMTPLIB, str(port), "0", "0"], None))
            if "5" in wanted:
                compare(rows[4], startup_runs, env, ([python, console, "--version"], None),
                        ([python, "-c", "pass"], None))
            peer_big = [nc, "-N", *target] if nc else [python, "-c", SENDFILE, str(port), wire]
            rows.append(big)
            if "6" in wanted:
                compare(big, args.runs, env, ([*smtpsh, *target], typed),
                        (peer_big, wire if nc else None))
            if big.smtpsh and big.smtplib:
                big.note = (f"6. throughput: smtpsh {size / big.smtpsh:.0f} MB/s,"
                            f" peer {size / big.smtplib:.0f} MB/s: smtpsh at"
                            f" {big.smtplib / big.smtpsh:.2f}x the peer (target >= 0.8x);"
                            f" smtpsh peak RSS {big.rss} MB (target < 40 MB)")
        finally:
            sinkp.send_signal(signal.SIGTERM)
            try:
                sinkp.wait(5)
            except subprocess.TimeoutExpired:
                sinkp.kill()
                sinkp.wait()

    lines = code_lines(os.path.join(tree, "smtpsh", "session.py"))
    structure = [
        ("smtpsh/session.py lines (non-blank, non-comment)",
         "n/a" if lines is None else str(lines)),
        ("import cycles", import_cycles(tree, args.cycles_tool)),
        ("files touched to add LMTP" + (f" ({args.lmtp_diff})" if args.lmtp_diff else ""),
         files_touched(tree, args.lmtp_diff)),
    ]
    print_table(rows, structure, startup=rows[3], no_net=tuple(rows[4:]))


if __name__ == "__main__":
    main()
