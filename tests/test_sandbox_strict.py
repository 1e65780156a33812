"""The sandbox as a strict teacher and a test bench: strict refusals (and --lenient), the
Received header, no password in the transcript, the folder removed at exit, fault rules, the
client report card of `--sandbox --serve` (real clients: smtplib, swaks, a sloppy script)."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import smtplib
import socket
import subprocess
import threading
import time
from collections.abc import Iterator

import pytest

from smtpsh.exitcodes import Exit
from smtpsh.findings import Card, Verdict
from smtpsh.received import parse_chain
from smtpsh.sandbox import Sandbox, free_port
from smtpsh.sandbox_rules import RuleSet, load, parse_typed


def out(proc: subprocess.CompletedProcess) -> str:
    return proc.stdout.decode() + proc.stderr.decode()


def make(tmp_path, **kw) -> Sandbox:
    s = Sandbox(lambda _: None, folder=str(tmp_path / "box"), **kw)
    s.start()
    return s


@pytest.fixture
def strict(tmp_path) -> Iterator[Sandbox]:
    s = make(tmp_path)
    yield s
    s.stop()


def talk(port: int, lines: list[bytes]) -> list[str]:
    """Send each line (as given, line ends included) and read one reply after each."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        f = sock.makefile("rb")

        def reply() -> str:
            text = ""
            while True:
                line = f.readline().decode("utf-8", "replace")
                text += line
                if line[3:4] != "-":
                    return text.strip()

        replies = [reply()]
        for line in lines:
            sock.sendall(line)
            replies.append(reply())
        return replies


def test_strict_refusals_say_what_was_wrong(strict):
    r = talk(strict.port, [b"EHLO client.example\r\n", b"MAIL FROM:alice@example.org\r\n",
                           b"MAIL FROM:<alice@example.org>\r\n", b"RCPT TO:<bob@example.org>\n",
                           b"RCPT TO:<j\xc3\xb6rg@example.org>\r\n",
                           b"RCPT TO:<bob@example.org>\r\n", b"DATA\r\n",
                           b"Subject: x\r\n\r\nh\xc3\xa9llo\r\n.\r\n", b"QUIT\r\n"])
    assert "250-ENHANCEDSTATUSCODES" in r[1] and "250-LIMITS RCPTMAX=50 MAILMAX=10" in r[1]
    assert r[2] == ("501 5.5.2 Syntax: MAIL FROM:<address> (the address needs angle brackets,"
                    " RFC 5321 4.1.2)")
    assert r[3] == "250 OK"
    assert r[4].startswith("500 5.5.2 Syntax error: the line ends in a bare LF")
    assert r[5].startswith("553 5.6.7 The address <jörg@example.org> is not ASCII")
    assert r[7].startswith("354 ")
    assert r[8].startswith("550 5.6.0 Message refused: line 3 has 8-bit octets, but MAIL FROM"
                           " did not declare BODY=8BITMIME")


def test_order_and_limits(strict):
    r = talk(strict.port, [b"MAIL FROM:<a@example.org>\r\n", b"EHLO c.example\r\n",
                           b"RCPT TO:<b@example.org>\r\n", b"MAIL FROM:<a@example.org>\r\n",
                           b"MAIL FROM:<a@example.org>\r\n",
                           *[b"RCPT TO:<b%d@example.org>\r\n" % i for i in range(51)],
                           b"X" * 600 + b"\r\n"])
    assert r[1] == "503 5.5.1 Error: send EHLO or HELO first (RFC 5321 4.1.4)"
    assert r[3].startswith("503 5.5.1 Error: need MAIL command")
    assert r[5].startswith("503 5.5.1 Error: nested MAIL command")
    assert r[-2].startswith("452 4.5.3 Too many recipients: at most 50")
    assert r[-1].startswith("500 5.5.6 Command line too long (602 octets")


def test_8bit_declared_and_dot_stuffing_accepted(strict):
    r = talk(strict.port, [b"EHLO c.example\r\n", b"MAIL FROM:<> BODY=8BITMIME\r\n",
                           b"RCPT TO:<b@example.org>\r\n", b"DATA\r\n",
                           b"Subject: x\r\n\r\nh\xc3\xa9llo\r\n..dot\r\n.\r\n"])
    assert r[-1] == "250 2.0.0 Ok: queued as sandbox-0001"
    with open(os.path.join(strict.folder, "0001.eml"), "rb") as f:
        saved = f.read()
    assert saved.startswith(b"Return-Path: <>\r\nReceived: from c.example (localhost"
                            b" [127.0.0.1])\r\n")
    assert saved.endswith(b"h\xc3\xa9llo\r\n.dot\r\n")


def test_lenient_takes_what_strict_refuses(tmp_path):
    s = make(tmp_path, strict=False)
    try:
        r = talk(s.port, [b"EHLO c.example\r\n", b"MAIL FROM:alice@example.org\r\n",
                          b"RCPT TO:<bob@example.org>\n", b"DATA\r\n",
                          b"Subject: x\r\n\r\nh\xc3\xa9llo\r\n.\r\n"])
    finally:
        s.stop()
    assert "LIMITS" not in r[1]
    assert r[2:4] == ["250 OK", "250 OK"]
    assert r[-1] == "250 2.0.0 Ok: queued as sandbox-0001"


def test_received_header_read_by_received(smtpsh, tmp_path):
    box = tmp_path / "box"
    p = smtpsh("--sandbox", "--sandbox-dir", str(box), "--starttls", "--auth", "PLAIN",
               "-c", "MAIL FROM:<a@example.org>", "-c", "RCPT TO:<b@example.org>", "-c", "DATA",
               "-c", "Subject: hi", "-c", "", "-c", "hello", "-c", ".", "-c", "QUIT")
    assert p.returncode == Exit.OK, out(p)
    text = (box / "0001.eml").read_text()
    hops = parse_chain(text)
    assert len(hops) == 1
    hop = hops[0]
    assert hop.by and hop.by.startswith("sandbox.smtpsh.test")
    assert hop.tls and hop.authenticated and hop.from_ip == "127.0.0.1", hop
    assert hop.for_ == "<b@example.org>" or hop.for_ == "b@example.org", hop
    r = smtpsh("--received", str(box / "0001.eml"))
    assert r.returncode == Exit.OK, out(r)
    assert "sandbox.smtpsh.test" in out(r) and "no Received" not in out(r)


def test_no_password_in_the_transcript_and_folder_removed(smtpsh, tmp_path):
    log = tmp_path / "t.log"
    p = smtpsh("--sandbox", "--transcript", str(log), "--starttls", "--auth", "PLAIN",
               "-c", "QUIT")
    assert p.returncode == Exit.OK, out(p)
    password = re.search(r"password (\w+)", out(p))[1]  # on screen
    assert password not in log.read_text()
    assert "password [shown on screen only]" in log.read_text()
    folder = re.search(r"messages are saved in (\S+)", out(p))[1]
    assert not os.path.exists(folder), folder


def test_rules_typed_and_from_toml(tmp_path):
    rule = parse_typed('stage=rcpt match=*@bounce.test reply="550 5.1.1 no such user"')
    assert rule.stage == "rcpt" and rule.reply == "550 5.1.1 no such user"
    path = tmp_path / "rules.toml"
    path.write_text('[[rule]]\nstage = "message"\nreply = "451 4.3.0 try later"\nattempts = 2\n'
                    '[[rule]]\nstage = "mail"\nmatch = "slow@*"\ndelay = 0.5\n')
    rules = load(str(path))
    assert [r.stage for r in rules] == ["message", "mail"]
    for bad, why in (("stage=nope reply='550 x'", "stage must be"),
                     ("stage=rcpt reply=hello", "reply must be"),
                     ("stage=rcpt", "needs a reply"), ("stage=rcpt colour=red", "unknown")):
        with pytest.raises(ValueError, match=why):
            parse_typed(bad)
    s = make(tmp_path, rules=RuleSet([rule, *rules]))
    try:
        def send() -> str:
            with smtplib.SMTP("127.0.0.1", s.port, timeout=10) as c:
                c.ehlo("client.example")
                try:
                    c.sendmail("slow@example.org", ["ok@example.org"], b"Subject: x\r\n\r\nx\r\n")
                except smtplib.SMTPDataError as exc:
                    return f"{exc.smtp_code} {exc.smtp_error.decode()}"
                return "sent"
        t0 = time.monotonic()
        assert send() == "451 4.3.0 try later"
        assert time.monotonic() - t0 >= 0.5  # the delay at MAIL
        assert send() == "451 4.3.0 try later"
        assert send() == "sent"  # the third attempt goes through
        with smtplib.SMTP("127.0.0.1", s.port, timeout=10) as c:
            c.ehlo("client.example")
            c.mail("a@example.org")
            assert c.rcpt("x@bounce.test") == (550, b"5.1.1 no such user")
    finally:
        s.stop()


def test_connect_rule_421_disconnects(tmp_path):
    s = make(tmp_path, rules=RuleSet([parse_typed('stage=connect reply="421 4.3.2 go away"')]))
    try:
        with socket.create_connection(("127.0.0.1", s.port), timeout=10) as sock:
            data = sock.makefile("rb").read()
    finally:
        s.stop()
    assert data == b"421 4.3.2 go away\r\n"


class Served:
    """`smtpsh --sandbox --serve` in a process of its own; its output read as it comes, so
    that a test waits for what it expects instead of sleeping."""

    def __init__(self, tmp_path, *extra: str) -> None:
        exe = shutil.which("smtpsh")
        assert exe
        self.port = free_port()
        self.proc = subprocess.Popen([exe, "--sandbox", "--serve", str(self.port),
                                      "--sandbox-dir", str(tmp_path / "box"), *extra],
                                     stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT,
                                     env=dict(os.environ, HOME=str(tmp_path), COLUMNS="200"))
        self.lines: list[str] = []
        out = self.proc.stdout
        assert out is not None
        self.reader = threading.Thread(target=lambda: self.lines.extend(
            line.decode() for line in iter(out.readline, b"")), daemon=True)
        self.reader.start()
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                assert time.monotonic() < deadline, "the sandbox did not start"
                time.sleep(0.05)

    def wait_for(self, count: int, marker: str, seconds: float = 20) -> None:
        """Until `count` output lines contain `marker`."""
        deadline = time.monotonic() + seconds
        while sum(marker in line for line in list(self.lines)) < count:
            assert time.monotonic() < deadline, f"{count} x {marker!r}:\n" + "".join(self.lines)
            time.sleep(0.05)

    def stop(self) -> str:
        self.proc.send_signal(signal.SIGINT)
        self.proc.wait(timeout=10)
        self.reader.join(timeout=10)
        return "".join(self.lines)


def test_report_card_swaks_and_a_sloppy_script(tmp_path):
    served = Served(tmp_path, "--json")
    port = served.port
    try:
        swaks = subprocess.run(
            ["swaks", "--server", f"127.0.0.1:{port}", "--from", "a@example.org", "--to",
             "b@example.org", "--helo", "client.example", "--tls", "--tls-verify",
             "--tls-ca-path", str(tmp_path / "box" / "ca.pem")],
            capture_output=True, timeout=30, check=False)
        assert swaks.returncode == 0, swaks.stdout.decode() + swaks.stderr.decode()
        with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
            sock.recv(1000)
            sock.sendall(b"HELO sloppy\r\nMAIL FROM:x@example.org\r\nRCPT TO:<y@example.org>\n")
            sock.recv(1000)  # the first reply: the server has read the lines
        served.wait_for(2, '"sections"')  # the two report cards (JSON lines)
    finally:
        text = served.stop()
    events = [json.loads(line) for line in text.splitlines() if line.startswith("{")]
    cards = [e for e in events if "sections" in e]
    assert len(cards) == 2, text
    verdicts = [{f["id"]: f["verdict"] for s in c["sections"] for f in s["findings"]}
                for c in cards]
    good, sloppy = verdicts
    assert good["client.greeting"] == "pass" and good["client.hello"] == "pass"
    assert good["client.starttls"] == "pass" and good["client.crlf"] == "pass"
    assert good["client.quit"] == "pass" and good["client.pipelining"] == "pass", good
    assert cards[0]["verdict"] == "pass", cards[0]
    assert sloppy["client.crlf"] == "fail" and sloppy["client.brackets"] == "fail"
    assert sloppy["client.pipelining"] == "fail" and sloppy["client.quit"] == "warn"
    assert sloppy["client.hello"] == "warn" and cards[1]["verdict"] == "fail"
    # the server's view, kept apart by client number. The test's readiness probe may or may
    # not get a number (it can arrive before the sandbox says it is ready), so the numbers
    # are read from the view rather than assumed.
    view = [e["text"] for e in events if e.get("event") == "note"]
    good_no = {m.group(1) for v in view
               if (m := re.fullmatch(r"#(\d+) C: EHLO client\.example", v))}
    sloppy_no = {m.group(1) for v in view if (m := re.fullmatch(r"#(\d+) C: HELO sloppy", v))}
    assert len(good_no) == 1 and len(sloppy_no) == 1 and good_no != sloppy_no, view
    (g,), (b,) = good_no, sloppy_no
    assert int(b) == int(g) + 1, view
    assert any(v.startswith(f"#{g} -- TLS TLSv1.3 ") for v in view), view
    assert not any(v.startswith(f"#{b} -- TLS") for v in view), view


def test_report_card_model_for_smtplib(tmp_path):
    cards: list[Card] = []
    s = Sandbox(lambda _: None, folder=str(tmp_path / "box"), card=cards.append)
    s.start()
    try:
        with smtplib.SMTP("127.0.0.1", s.port, local_hostname="app.example", timeout=10) as c:
            c.sendmail("a@example.org", ["b@example.org"], b"Subject: x\r\n\r\n.dot\r\n")
        time.sleep(0.3)
    finally:
        s.stop()
    assert len(cards) == 1
    found = {f.id: f.verdict for f in cards[0].findings}
    assert found["client.dot-stuffing"] is Verdict.PASS  # smtplib doubles the dot
    assert found["client.starttls"] is Verdict.WARN  # offered, not used
    assert found["client.quit"] is Verdict.PASS


def test_rule_command_in_the_shell(tmp_path):
    import asyncio
    from types import SimpleNamespace

    from smtpsh.shell.commands import run

    said: list[str] = []
    screen = SimpleNamespace(note=said.append, warn=lambda t: said.append("!! " + t))
    s = make(tmp_path)
    shell = SimpleNamespace(sandbox=s, screen=screen)
    try:
        for line in (':rule stage=rcpt match=*@bounce.test reply="550 5.1.1 no such user"',
                     ":rule list", ":rule stage=nope reply=550", ":rule del 1", ":rule"):
            asyncio.run(run(shell, line))  # type: ignore[arg-type]
    finally:
        s.stop()
    assert said[0] == "rule 1: stage=rcpt reply='550 5.1.1 no such user' match='*@bounce.test'"
    assert said[1] == said[0]
    assert said[2].startswith("!! :rule: stage must be one of connect, helo")
    assert said[3].startswith("rule deleted: stage=rcpt")
    assert said[4].startswith("no rules: the sandbox answers normally")
