"""The sandbox and the probes in German (issue 16): the banner, a scenario's paragraph, the
guide's reasons for a strict refusal (under a pseudo-terminal), the client report card of
`--serve`, `--probe list` and a probe's card against the sandbox. The replies on the wire
stay English, as a real server's do; English output stays as it was."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_sandbox import banner_notes

from smtpsh import guide, i18n
from smtpsh.exitcodes import Exit
from smtpsh.protocol import Reply
from smtpsh.render import to_plain
from smtpsh.sandbox import Sandbox, free_port, message_listing
from smtpsh.sandbox_rules import parse_typed
from smtpsh.sandbox_scenarios import SCENARIOS, listing
from smtpsh.sandbox_smtp import ClientRecord, report_card

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def english_afterwards() -> Iterator[None]:
    yield
    i18n.set_language(None)


def out(p: subprocess.CompletedProcess) -> str:
    return p.stdout.decode() + p.stderr.decode()


# --- in process: the guide, the card, the scenarios, the rules -------------------------------


@pytest.mark.parametrize(("line", "reply", "german"), [
    ("NOOP", "500 5.5.2 Syntax error: the line ends in a bare LF (lines end in CRLF,"
     " RFC 5321 2.3.8)", "die Zeile hatte ein einzelnes LF: SMTP-Zeilen enden auf CR LF"),
    ("MAIL FROM:<a@example.org>", "503 5.5.1 Error: nested MAIL command (one transaction at"
     " a time: RSET ends it)", "eine Mail-Transaktion ist schon offen: ein MAIL FROM pro"),
    ("MAIL FROM:<jörg@example.org>", "553 5.6.7 The address <jörg@example.org> is not ASCII:"
     " it needs SMTPUTF8 on MAIL FROM (RFC 6531 3.4)",
     "die Adresse <jörg@example.org> hat Nicht-ASCII-Zeichen: die brauchen SMTPUTF8"),
    ("RCPT TO:<b@example.org>", "452 4.5.3 Too many recipients: at most 50 per message"
     " (LIMITS RCPTMAX=50, RFC 9422 4.2)", "keine Empfänger mehr an (siehe LIMITS RCPTMAX"),
    ("MAIL FROM:<a@example.org>", "452 4.5.3 Too many transactions: at most 10 per session"
     " (LIMITS MAILMAX=10, RFC 9422 4.1)", "keine Transaktionen mehr an (siehe LIMITS MAILMAX"),
])
def test_the_strict_guide_speaks_german(line: str, reply: str, german: str) -> None:
    code, rest = int(reply[:3]), reply[4:]
    english = guide.explain_reject(line, Reply(code, [rest]))
    i18n.set_language("de")
    said = guide.explain_reject(line, Reply(code, [rest]))
    assert said is not None and german in said, said
    i18n.set_language("en")
    assert guide.explain_reject(line, Reply(code, [rest])) == english
    assert english is not None and english != said


def test_the_client_report_card_speaks_german_and_keeps_its_ids() -> None:
    record = ClientRecord(3, "127.0.0.1:4711", hellos=[("HELO", "sloppy")], commands=3,
                          bare_lf=["command 3 (RCPT)"], no_brackets=["MAIL FROM:x@y"])
    english = to_plain(_render(report_card(record)))
    assert "smtpsh sandbox: report card of client #3" in english
    assert "greeted with HELO sloppy, not EHLO" in english
    assert "bare LF: command 3 (RCPT); bare CR: none" in english
    i18n.set_language("de")
    card = report_card(record)
    german = to_plain(_render(card))
    assert "smtpsh-Sandbox: Zeugnis von Client #3" in german
    assert "Client #3 127.0.0.1:4711 (sloppy)" in german
    assert "hat mit HELO sloppy begrüßt, nicht mit EHLO" in german
    assert "einzelnes LF: command 3 (RCPT); einzelnes CR: keins" in german
    assert "eine Adresse ohne spitze Klammern" in german
    assert "hat die Verbindung ohne QUIT geschlossen" in german
    assert re.search(r"\d+ Sachen?, die ein strenger Server ablehnt", german), german
    # the machine's parts stay: ids, verdicts
    doc = card.to_json()
    ids = {f["id"]: f["verdict"] for s in doc["sections"] for f in s["findings"]}
    assert ids["client.crlf"] == "fail" and ids["client.quit"] == "warn"


def _render(card):  # type: ignore[no-untyped-def]
    from smtpsh.findings import render_card

    return render_card(card, 200)


def test_scenarios_rules_and_messages_speak_german(tmp_path: Path) -> None:
    english = listing()
    i18n.set_language("de")
    text = SCENARIOS["greylisting"].heading(30)
    assert text.startswith("Szenario greylisting: Greylisting. Der Server kennt diesen")
    assert "ab 30 Sekunden nach dem ersten Versuch" in text
    german = listing()
    assert "greylisting: der erste Versuch wird aufgeschoben (451 4.7.1)" in german
    assert "(greylisting:SEK, Standard 60 s)" in german and "  Regel: stage=rcpt" in german
    assert "Ein volles Postfach." in german
    # the rules' replies are the server's: English on the wire
    assert "reply='451 4.7.1 Greylisted: first attempt" in german
    with pytest.raises(ValueError, match="stage muss eins von connect, helo"):
        parse_typed("stage=nope reply=550")
    with pytest.raises(ValueError, match="eine Regel braucht reply, delay"):
        parse_typed("stage=rcpt")
    assert message_listing([]).startswith("noch keine Nachrichten")
    i18n.set_language("en")
    assert listing() == english
    with pytest.raises(ValueError, match="stage must be one of connect, helo"):
        parse_typed("stage=nope reply=550")


# --- on the command line ----------------------------------------------------------------------


def test_the_german_banner_wraps_between_words_at_80_columns(smtpsh) -> None:
    p = smtpsh("--lang", "de", "--sandbox", "-c", "QUIT", env_extra={"COLUMNS": "80"})
    assert p.returncode == Exit.OK, out(p)
    lines = out(p).splitlines()
    assert max(len(line) for line in lines) <= 80, out(p)
    notes = banner_notes(lines)
    assert len(notes) == 5, out(p)
    assert re.fullmatch(r"sandbox: strenger SMTP-Server auf 127\.0\.0\.1 Port \d+\."
                        r" Nachrichten werden in \S+ gespeichert", notes[0]), notes
    assert notes[1] == ("sandbox: STARTTLS mit einem für diesen Lauf erzeugten Zertifikat,"
                        " für localhost, 127.0.0.1, sandbox.smtpsh.test")
    assert re.fullmatch(r"sandbox: um ihm zu vertrauen: --cafile \S+/ca\.pem \(smtpsh --sandbox"
                        r" tut das selbst\), oder die Prüfungen mit --insecure auslassen",
                        notes[2]), notes
    assert notes[3].startswith("sandbox: der Ordner wird beim Beenden gelöscht")
    assert re.search(r"(^|\n)-- +Benutzer demo, Passwort \w+\n", out(p)), out(p)  # never split
    # the locale chooses German too; English stays as it was
    de = smtpsh("--sandbox", "-c", "QUIT", env_extra={"COLUMNS": "", "LANG": "de_DE.UTF-8",
                                                      "LC_ALL": "", "LC_MESSAGES": ""})
    assert "Demo-Zugang: Benutzer demo, Passwort" in out(de), out(de)
    en = smtpsh("--sandbox", "-c", "QUIT", env_extra={"COLUMNS": "", "LANG": "C.UTF-8",
                                                      "LC_ALL": "", "LC_MESSAGES": ""})
    assert "demo credentials: user demo, password" in out(en), out(en)


def test_scenario_list_and_rule_errors_in_german(smtpsh, tmp_path: Path) -> None:
    p = smtpsh("--lang", "de", "--scenario", "list")
    assert p.returncode == Exit.OK, out(p)
    assert "Anmeldung verlangt. Wie ein Submission-Server auf Port 587" in out(p)
    bad = tmp_path / "rules.toml"
    bad.write_text('[[rule]]\nstage = "rcpt"\nreply = "hello"\n', encoding="utf-8")
    p = smtpsh("--lang", "de", "--sandbox", "--rules", str(bad), "-c", "QUIT")
    assert p.returncode == Exit.USAGE, out(p)
    assert "Regel 1: reply muss eine Zeile sein, ein Code 2xx-5xx und ein Text" in out(p)
    p = smtpsh("--lang", "de", "--sandbox", "--scenario", "nope")
    assert "kein Szenario 'nope'. --scenario list zeigt sie" in out(p), out(p)


def test_probe_list_in_german(smtpsh) -> None:
    p = smtpsh("--lang", "de", "--probe", "list")
    assert p.returncode == Exit.OK, out(p)
    lines = out(p).splitlines()
    assert len(lines) == 7, lines
    assert lines[0].startswith("smuggling") and "Varianten des Datenendes" in lines[0]
    assert lines[0].endswith("(braucht --to für die Teile, die eine Nachricht senden)")
    assert "offenes Relay" in out(p) and "Frühsprecher" in out(p)
    english = smtpsh("--lang", "en", "--probe", "list")
    assert "(needs --to for the parts that send a message)" in out(english)


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[Sandbox]:
    s = Sandbox(lambda _: None, folder=str(tmp_path / "box"))
    s.start()
    yield s
    s.stop()


def test_a_probe_card_in_german_against_the_sandbox(smtpsh, sandbox: Sandbox) -> None:
    p = smtpsh("--lang", "de", "--probe", "bare-lf,vrfy-expn", "--timeout", "1", "--ehlo",
               "client.test", "127.0.0.1", str(sandbox.port), env_extra={"COLUMNS": "100"},
               timeout=60)
    text = out(p)
    assert p.returncode == Exit.OK, text  # the strict sandbox refuses bare line ends
    assert "ein Befehl, der mit einem einzelnen LF endet, wird abgelehnt" in text
    assert re.search(r"gesehen 500 5\.5\.2 Syntax error: the line ends in a bare LF", text), \
        text  # the reply as the server said it
    assert "der Server besteht auf <CR><LF>" in text
    assert ("ein einzelnes LF in einer Nachricht: nicht geprüft, das sendet eine Nachricht"
            in text)
    assert "einzelne Zeilenenden werden abgelehnt" in text
    assert "gesendet VRFY postmaster (postmaster: jeder Server muss es haben" in text
    assert "[gut] Prüfung bare-lf" in text and "insgesamt: " in text
    # the JSON keeps its ids and verdicts
    p = smtpsh("--lang", "de", "--probe", "bare-lf", "--json", "--timeout", "1",
               "127.0.0.1", str(sandbox.port), timeout=60)
    assert '"id": "bare-lf.command-lf"' in p.stdout.decode() and '"verdict": "pass"' in \
        p.stdout.decode()


def test_the_client_report_card_of_serve_in_german(tmp_path: Path) -> None:
    exe = shutil.which("smtpsh")
    assert exe
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("LC_ALL", "LC_MESSAGES")}
    proc = subprocess.Popen([exe, "--sandbox", "--serve", str(port), "--sandbox-dir",
                             str(tmp_path / "box")], stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            env=dict(env, HOME=str(tmp_path), COLUMNS="200",
                                     LANG="de_DE.UTF-8"))
    lines: list[str] = []  # read as they come: the card is waited for, not slept for
    reader = threading.Thread(target=lambda: lines.extend(
        line.decode() for line in iter(proc.stdout.readline, b"")), daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "the sandbox did not start"
                time.sleep(0.05)
        with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
            sock.recv(1000)
            sock.sendall(b"HELO sloppy\r\nMAIL FROM:x@example.org\r\nRCPT TO:<y@example.org>\n")
            sock.recv(1000)  # the first reply: the server has read the lines
        deadline = time.monotonic() + 20
        while not any(line.startswith("insgesamt:") for line in list(lines)):
            assert time.monotonic() < deadline, "no report card:\n" + "".join(lines)
            time.sleep(0.05)
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=10)
        reader.join(timeout=10)
    text = "".join(lines)
    assert "sandbox: läuft bis Strg-C" in text, text
    assert re.search(r"Client #\d+ 127\.0\.0\.1:\d+: verbunden", text), text
    assert re.search(r"Client #\d+ 127\.0\.0\.1:\d+: nach \d+,\d s getrennt", text), text
    # the replies on the wire stay English, as a real server's
    assert re.search(r"#\d+ S: 501 5\.5\.2 Syntax: MAIL FROM:<address> \(the address needs"
                     r" angle brackets", text), text
    assert re.search(r"smtpsh-Sandbox: Zeugnis von Client #\d+", text), text
    assert "hat mit HELO sloppy begrüßt, nicht mit EHLO" in text
    assert "hat Zeilen gesendet, die nicht auf CRLF enden" in text
    assert re.search(r"gesehen: einzelnes LF: Befehl \d \(RCPT\); einzelnes CR: keins", text), \
        text
    assert "hat Befehle vor den Antworten gesendet (PIPELINING nicht angeboten)" in text
    assert "hat die Verbindung ohne QUIT geschlossen" in text
    assert "insgesamt: Fehler" in text


# --- the shell under a pseudo-terminal --------------------------------------------------------


def test_the_sandbox_shell_in_german_under_a_pseudo_terminal(tmp_path: Path) -> None:
    """LANG=de_DE.UTF-8 smtpsh --sandbox: the banner, the scenario's paragraph, and the
    guide's reason for a strict refusal in German; the refusal itself in English."""
    import pexpect
    from germanpty import expecter, german_env

    child = pexpect.spawn(sys.executable, ["-m", "smtpsh", "--sandbox", "--scenario",
                                           "full-mailbox", "--sandbox-dir",
                                           str(tmp_path / "box")], env=german_env(tmp_path),
                          encoding="utf-8", timeout=20, dimensions=(40, 120), cwd=ROOT)
    expect = expecter(child)

    try:
        banner = expect(r"smtp 127\.0\.0\.1:\d+>")
        assert "sandbox: strenger SMTP-Server auf 127.0.0.1 Port" in banner, banner
        assert "Demo-Zugang: Benutzer demo, Passwort" in banner, banner
        assert "Szenario full-mailbox: Ein volles Postfach. Mail an full@" in banner, banner
        assert "sandbox: Regel stage=rcpt" in banner, banner
        child.send("EHLO me.example\r")
        expect(r"250 HELP")
        child.send("MAIL FROM:<a@example.org>\r")
        expect(r"250 OK")
        child.send("MAIL FROM:<a@example.org>\r")
        said = expect(r"eine Mail-Transaktion ist schon offen: ein MAIL FROM pro Transaktion")
        assert "503 5.5.1 Error: nested MAIL command" in said, said
        child.send("RCPT TO:<full@example.org>\r")
        said = expect(r"452 4\.2\.2 Mailbox full")
        child.send(":messages\r")
        expect(r"noch keine Nachrichten: die Sandbox speichert jede Nachricht")
    finally:
        child.close(force=True)
