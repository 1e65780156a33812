"""Smoke run of bench/bench_core.py: it runs end to end and prints its table (no timings are
checked here: speed is the benchmark's business, read as ratios)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.mark.timeout(180)
def test_bench_core_quick_run_prints_its_table(tmp_path):
    # This interpreter has smtpsh's dependencies (the test extras), so the bench needs no venv.
    # Without smtp-sink the bench falls back to aiosmtpd, except under CI, where it fails.
    env = dict(os.environ, HOME=str(tmp_path))
    p = subprocess.run(
        [sys.executable, os.path.join(ROOT, "bench", "bench_core.py"), "--quick", "--runs", "1",
         "--python", sys.executable],
        capture_output=True, text=True, timeout=170, env=env, check=False)
    assert p.returncode == 0, p.stdout + p.stderr
    out = p.stdout
    heading = next(line for line in out.splitlines() if line.startswith("measurement"))
    assert heading.split() == ["measurement", "runs", "smtpsh", "peer", "ratio", "target",
                               "verdict", "net", "ratio"]
    for row in ("1. 50 transactions, 1 connection, lockstep",
                "2. 50 transactions, 1 connection, pipelined",
                "3. 50 RCPTs in 1 transaction, pipelined",
                "4. start-up: EHLO x + QUIT, whole process",
                "5. smtpsh --version vs python -c pass", "6. 5 MB through DATA vs ",
                "6. throughput: smtpsh "):
        assert row in out
    assert "structure" in out
    for row in ("smtpsh/session.py lines", "import cycles", "files touched to add LMTP"):
        assert row in out
