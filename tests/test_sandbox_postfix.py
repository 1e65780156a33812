"""Greylisting end to end with a real sending server: Postfix relays a domain into the
sandbox (`--scenario greylisting`), gets 451 4.7.1, keeps the message in its queue and
retries on a new connection, which the sandbox accepts; the report card of Postfix's
connections (a well-behaved client: the retry passes).

A Postfix of its own (the shared session fixture is left as it is): tests/postfix.py's
configuration plus a transport map sending sandbox.test to the sandbox's port, an smtp(8)
client in master.cf, and queue times of seconds (minimal_backoff_time, queue_run_delay)
so that the retry comes within the test.
"""

from __future__ import annotations

import os
import shutil
import smtplib
import tempfile
import time
from pathlib import Path

import pytest

from smtpsh.findings import Card, Verdict
from smtpsh.sandbox import Sandbox
from smtpsh.sandbox_rules import RuleSet
from smtpsh.sandbox_scenarios import parse

GREYLIST = 3.0  # seconds: the sandbox accepts the triplet this long after its first try

RELAY_CF = """
# The relay into the sandbox (tests/test_sandbox_postfix.py)
relay_domains = sandbox.test
transport_maps = inline:{{ sandbox.test=smtp:[127.0.0.1]:{port} }}
minimal_backoff_time = 2s
maximal_backoff_time = 4s
queue_run_delay = 1s
smtp_tls_security_level = may
smtp_connection_cache_on_demand = no
"""
SMTP_SERVICE = "smtp      unix  -       -       n       -       -       smtp\n"


@pytest.fixture
def relay(tmp_path):
    from postfix import Postfix, find_program

    if not (find_program("postfix") and find_program("dovecot")) or os.geteuid() != 0:
        if os.environ.get("CI"):
            pytest.fail("Postfix relaying needs postfix, dovecot and root")
        pytest.skip("Postfix relaying needs postfix, dovecot and root")
    cards: list[Card] = []
    scenario, number = parse(f"greylisting:{GREYLIST}")
    sandbox = Sandbox(lambda _: None, folder=str(tmp_path / "box"),
                      rules=RuleSet(scenario.rules(number)), card=cards.append)
    sandbox.start()

    class Relay(Postfix):
        def _write_config(self) -> None:
            super()._write_config()
            with open(self.config_dir / "main.cf", "a") as f:
                f.write(RELAY_CF.format(port=sandbox.port))
            with open(self.config_dir / "master.cf", "a") as f:
                f.write(SMTP_SERVICE)
            past = time.time() - 60  # Postfix waits for config files 2 s old
            for path in self.config_dir.iterdir():
                os.utime(path, (past, past))

    root = Path(tempfile.mkdtemp(prefix="smtpsh-relay-"))
    server = Relay(root)
    try:
        server.start()
        yield server, sandbox, cards
    finally:
        server.stop()
        sandbox.stop()
        if not os.environ.get("SMTPSH_KEEP_POSTFIX"):
            shutil.rmtree(root, ignore_errors=True)


def test_postfix_retries_after_greylisting(relay):
    server, sandbox, cards = relay
    with smtplib.SMTP(server.host, server.port, timeout=10) as c:
        c.ehlo("app.example")
        c.sendmail("alice@postfix.test", ["bob@sandbox.test"],
                   b"From: alice@postfix.test\r\nTo: bob@sandbox.test\r\nSubject: greylisted"
                   b"\r\n\r\nqueued, deferred, retried\r\n")
    t0 = time.monotonic()
    saved = Path(sandbox.folder) / "0001.eml"
    while not saved.exists():
        assert time.monotonic() - t0 < 40, (
            f"no retry accepted in 40 s\n{server.diagnostics()}")
        time.sleep(0.2)
    took = time.monotonic() - t0
    assert took >= GREYLIST - 0.5, took  # not before the greylisting time
    text = saved.read_text()
    assert "Subject: greylisted" in text and "from mx.postfix.test" in text
    log = server.maillog.read_text(errors="replace")
    assert "451 4.7.1 Greylisted" in log and "status=deferred" in log, log[-2000:]
    assert "status=sent (250 2.0.0 Ok: queued as sandbox-0001)" in log, log[-2000:]
    time.sleep(0.5)  # the last card comes when Postfix closes the connection
    assert len(cards) >= 2, cards
    found = [{f.id: f for f in card.findings} for card in cards]
    first, last = found[0], found[-1]
    assert first["client.retry"].verdict is Verdict.INFO
    assert "451 4.7.1" in first["client.retry"].evidence
    assert last["client.retry"].verdict is Verdict.PASS, last["client.retry"]
    assert last["client.messages"].title == "1 message accepted"
    # Postfix's manners: nothing a strict server refuses, STARTTLS used, QUIT said
    for card in found:
        assert not [f for f in card.values() if f.verdict is Verdict.FAIL], card
        assert card["client.starttls"].verdict is Verdict.PASS
        assert card["client.quit"].verdict is Verdict.PASS
        assert card["client.hello"].title == "greeted with EHLO mx.postfix.test"
