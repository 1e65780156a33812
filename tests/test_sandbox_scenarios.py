"""The sandbox's classroom scenarios (--scenario), each end to end with a real client
(smtplib, swaks), the rules they are built from, and retries seen across connections on the
report card."""

from __future__ import annotations

import smtplib
import ssl
import subprocess
import time

import pytest

from smtpsh.findings import Card, Verdict
from smtpsh.sandbox import Sandbox
from smtpsh.sandbox_rules import RuleSet, parse_typed
from smtpsh.sandbox_scenarios import SCENARIOS, listing, parse

MESSAGE = b"Subject: scenario\r\n\r\nhello\r\n"


def start(tmp_path, spec: str, cards: list[Card] | None = None) -> Sandbox:
    scenario, number = parse(spec)
    s = Sandbox(lambda _: None, folder=str(tmp_path / "box"),
                rules=RuleSet(scenario.rules(number)),
                card=cards.append if cards is not None else None)
    s.start()
    return s


def tls_context(s: Sandbox) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=s.cafile)


def test_every_scenario_has_rules_and_a_paragraph():
    text = listing()
    for name, scenario in SCENARIOS.items():
        assert f"\n{name}: " in "\n" + text
        assert scenario.rules() and len(scenario.text()) > 200, name
    with pytest.raises(ValueError, match="no scenario 'nope'"):
        parse("nope")
    with pytest.raises(ValueError, match="takes no number"):
        parse("flaky:3")
    assert parse("greylisting:5")[1] == 5.0


def test_new_rule_keys_are_checked():
    for bad, why in (("stage=mail hide=STARTTLS", "hide goes with stage=helo"),
                     ("stage=text reply='550 5.0.0 no'", "only reply is 421"),
                     ("stage=mail unless=moon reply='530 5.7.0 x'", "unless takes"),
                     ("stage=helo advertise='SIZE 1, DSN=x'", "EHLO keywords")):
        with pytest.raises(ValueError, match=why):
            parse_typed(bad)
    rule = parse_typed("stage=helo hide=starttls,auth advertise='SIZE 1000, DSN'")
    assert rule.hide == "STARTTLS AUTH" and rule.advertise == "SIZE 1000, DSN"


def test_greylisting_smtplib_retries_across_connections(tmp_path):
    cards: list[Card] = []
    s = start(tmp_path, "greylisting:1.5", cards)

    def attempt() -> str:
        with smtplib.SMTP("127.0.0.1", s.port, local_hostname="app.example",
                          timeout=10) as c:
            try:
                c.sendmail("a@example.org", ["b@example.org"], MESSAGE)
            except smtplib.SMTPRecipientsRefused as exc:
                code, text = exc.recipients["b@example.org"]
                return f"{code} {text.decode()}"
            return "sent"

    try:
        t0 = time.monotonic()
        first = attempt()
        assert first.startswith("451 4.7.1 Greylisted"), first
        assert attempt().startswith("451 4.7.1")  # too early: still greylisted
        while time.monotonic() - t0 < 1.6:
            time.sleep(0.1)
        assert attempt() == "sent"
        # another triplet is greylisted on its own
        with smtplib.SMTP("127.0.0.1", s.port, timeout=10) as c:
            c.ehlo("app.example")
            c.mail("a@example.org")
            assert c.rcpt("other@example.org")[0] == 451
        time.sleep(0.3)
    finally:
        s.stop()
    retry = [{f.id: f for f in card.findings}.get("client.retry") for card in cards]
    assert retry[0] is not None and retry[0].verdict is Verdict.INFO
    assert "451 4.7.1" in retry[0].evidence
    assert retry[1] is not None and retry[1].verdict is Verdict.PASS  # came back, too early
    assert retry[2] is not None and retry[2].verdict is Verdict.PASS, retry[2]
    assert "on client #2" in retry[2].evidence and "<a@example.org> -> <b@example.org>" \
        in retry[2].evidence
    assert retry[3] is not None and retry[3].verdict is Verdict.INFO


def test_full_mailbox(tmp_path):
    s = start(tmp_path, "full-mailbox")
    try:
        with smtplib.SMTP("127.0.0.1", s.port, timeout=10) as c:
            c.ehlo("app.example")
            c.mail("a@example.org")
            assert c.rcpt("full@example.org") == (452, b"4.2.2 Mailbox full: over quota,"
                                                      b" try again later")
            assert c.rcpt("ok@example.org")[0] == 250
            assert c.data(MESSAGE)[0] == 250  # one full mailbox stops no other
            c.mail("a@example.org")
            assert c.rcpt("quota@example.org")[0] == 250
            code, text = c.data(MESSAGE)
            assert (code, text[:9]) == (552, b"5.2.2 Mai")
    finally:
        s.stop()


def test_tls_required_with_swaks(tmp_path):
    s = start(tmp_path, "tls-required")
    try:
        def swaks(*extra: str) -> str:
            p = subprocess.run(["swaks", "--server", f"127.0.0.1:{s.port}", "--from",
                                "a@example.org", "--to", "b@example.org", "--helo",
                                "client.example", *extra],
                               capture_output=True, timeout=30, check=False)
            return p.stdout.decode() + p.stderr.decode()

        plain = swaks()
        assert "<** 530 5.7.0 Must issue a STARTTLS command first" in plain, plain
        tls = swaks("--tls", "--tls-verify", "--tls-ca-path", str(s.cafile))
        assert "<~  250 2.0.0 Ok: queued as sandbox-0001" in tls, tls
    finally:
        s.stop()


def test_auth_required(tmp_path):
    s = start(tmp_path, "auth-required")
    try:
        with smtplib.SMTP("127.0.0.1", s.port, timeout=10) as c:
            c.ehlo("app.example")
            assert c.mail("a@example.org") == (530, b"5.7.0 Authentication required")
            c.starttls(context=tls_context(s))
            c.ehlo("app.example")
            assert c.mail("a@example.org")[0] == 530  # TLS is not enough
            c.rset()
            c.login(s.credentials["user"], s.credentials["password"])
            c.sendmail("a@example.org", ["b@example.org"], MESSAGE)
    finally:
        s.stop()


def test_slow_greeting(tmp_path):
    s = start(tmp_path, "slow-greeting:0.8")
    try:
        t0 = time.monotonic()
        with smtplib.SMTP("127.0.0.1", s.port, timeout=10) as c:
            took = time.monotonic() - t0
            c.noop()
        assert took >= 0.8, took
        with pytest.raises((smtplib.SMTPServerDisconnected, TimeoutError, OSError)):
            smtplib.SMTP("127.0.0.1", s.port, timeout=0.3)  # an impatient client
    finally:
        s.stop()


def test_flaky_every_other_connection(tmp_path):
    cards: list[Card] = []
    s = start(tmp_path, "flaky", cards)
    try:
        got = []
        for _ in range(3):
            try:
                with smtplib.SMTP("127.0.0.1", s.port, local_hostname="app.example",
                                  timeout=10) as c:
                    c.sendmail("a@example.org", ["b@example.org"], MESSAGE)
                got.append("sent")
            except smtplib.SMTPConnectError as exc:
                got.append(f"{exc.smtp_code}")
        time.sleep(0.3)
    finally:
        s.stop()
    assert got == ["421", "sent", "421"]
    # the connection after the 421 counts as its retry
    sent = [c for c in cards if {f.id for f in c.findings} >= {"client.messages"}]
    assert len(sent) == 1
    retry = {f.id: f for f in sent[0].findings}["client.retry"]
    assert retry.verdict is Verdict.PASS and "the connection: 421" in retry.evidence


def test_no_starttls_hides_and_refuses(tmp_path):
    s = start(tmp_path, "no-starttls")
    try:
        with smtplib.SMTP("127.0.0.1", s.port, timeout=10) as c:
            c.ehlo("app.example")
            assert not c.has_extn("starttls") and c.has_extn("8bitmime")
            assert c.docmd("STARTTLS") == (454, b"4.7.0 TLS not available")
            c.sendmail("a@example.org", ["b@example.org"], MESSAGE)
    finally:
        s.stop()


def test_dropped_data_once(tmp_path):
    s = start(tmp_path, "dropped-data")
    try:
        def attempt() -> str:
            try:
                with smtplib.SMTP("127.0.0.1", s.port, timeout=10) as c:
                    c.sendmail("a@example.org", ["b@example.org"], MESSAGE + b"more\r\n" * 50)
            except smtplib.SMTPServerDisconnected:
                return "dropped"
            return "sent"

        assert attempt() == "dropped"
        assert attempt() == "sent"
    finally:
        s.stop()
    assert not (tmp_path / "box" / "0002.eml").exists()


def test_scenario_cli(smtpsh):
    p = smtpsh("--scenario", "list")
    assert p.returncode == 0 and "greylisting: " in p.stdout.decode()
    p = smtpsh("--scenario", "nope", "--sandbox")
    assert p.returncode == 2 and "no scenario 'nope'" in p.stderr.decode()
    p = smtpsh("--scenario", "flaky")
    assert p.returncode == 2 and "--scenario goes with --sandbox" in p.stderr.decode()
    p = smtpsh("--sandbox", "--scenario", "tls-required", "-c", "EHLO c.example",
               "-c", "MAIL FROM:<a@example.org>", "-c", "QUIT")
    text = p.stdout.decode() + p.stderr.decode()
    assert "scenario tls-required: TLS required." in text
    assert "S: 530 5.7.0 Must issue a STARTTLS command first" in text


def test_messages_and_show_in_the_shell(tmp_path):
    import asyncio
    from types import SimpleNamespace

    from smtpsh.shell.commands import run

    said: list[str] = []
    screen = SimpleNamespace(note=said.append, out=said.append,
                             warn=lambda t: said.append("!! " + t))
    s = Sandbox(lambda _: None, folder=str(tmp_path / "box"))
    s.start()
    shell = SimpleNamespace(sandbox=s, screen=screen)
    try:
        asyncio.run(run(shell, ":messages"))  # type: ignore[arg-type]
        with smtplib.SMTP("127.0.0.1", s.port, local_hostname="app.example", timeout=10) as c:
            c.starttls(context=tls_context(s))
            c.ehlo("app.example")
            c.sendmail("a@example.org", ["b@example.org"],
                       b"From: Alice <a@example.org>\r\nTo: b@example.org\r\nSubject:"
                       b" =?utf-8?q?gr=C3=BC=C3=9Fe?= \x1b[2J\r\n\r\nhello\r\n")
        for line in (":messages", ":show 1", ":show 2", ":show"):
            asyncio.run(run(shell, line))  # type: ignore[arg-type]
    finally:
        s.stop()
    assert said[0].startswith("no messages yet")
    table = said[1].splitlines()
    assert table[0].split() == ["#", "from", "to", "subject", "size"]
    assert table[1].startswith("1  Alice <a@example.org>  b@example.org  grüße \\x1b[2J")
    shown = said[2]
    assert shown.startswith("message 1: ") and "Received chain" in shown
    assert "sandbox.smtpsh.test" in shown and "app.example" in shown
    assert "TLS" in shown and shown.endswith("hello")
    assert said[3] == "!! no message 2: :messages lists them"
    assert said[4] == "!! usage: :show N"
    without = SimpleNamespace(screen=screen)
    asyncio.run(run(without, ":messages"))  # type: ignore[arg-type]
    assert said[-1].startswith("!! :messages reads the sandbox's saved messages")


def test_server_view_on_and_off_in_the_shell(tmp_path):
    """:server shows the sandbox's side of a client's dialog among the shell's lines."""
    import asyncio
    from types import SimpleNamespace

    from smtpsh.shell.commands import run

    said: list[str] = []
    reports: list[str] = []
    screen = SimpleNamespace(note=said.append, out=said.append,
                             warn=lambda t: said.append("!! " + t))
    s = Sandbox(reports.append, folder=str(tmp_path / "box"))
    s.start()
    shell = SimpleNamespace(sandbox=s, screen=screen)
    try:
        asyncio.run(run(shell, ":server on"))  # type: ignore[arg-type]
        with smtplib.SMTP("127.0.0.1", s.port, local_hostname="app.example", timeout=10) as c:
            c.noop()
        asyncio.run(run(shell, ":server off"))  # type: ignore[arg-type]
        with smtplib.SMTP("127.0.0.1", s.port, local_hostname="app.example", timeout=10) as c:
            c.noop()
        asyncio.run(run(shell, ":server maybe"))  # type: ignore[arg-type]
    finally:
        s.stop()
    assert said[0].startswith("the server's view is on")
    assert "#1 C: noop" in reports and "#1 S: 250 OK" in reports  # as the server saw it
    seen = len([r for r in reports if r.endswith("C: noop")])
    assert seen == 1  # the second client, with the view off, is not shown
    assert said[1] == "the server's view is off" and said[2] == "!! usage: :server [on|off]"
