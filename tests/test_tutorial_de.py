"""docs/de/tutorial.md, the German tutorial, checked like the English one (tests/test_tutorial.py):
its dialogs run against the sandbox, its `smtpsh --lang de --explain` outputs are printed. Parts
9 to 14 are run against real servers too: the LMTP dialog against Dovecot, the MX plans against
a test DNS server, --received and --auth-results on the examples, the greylisting scenario on
the sandbox, and the --check card against Postfix under a DNSSEC-signed zone."""

from __future__ import annotations

import os
import queue
import re
import shlex
import signal
import subprocess
import threading
import time
from pathlib import Path
from typing import IO

import pytest
from checkenv import check_ca, check_ca_file  # noqa: F401 - fixtures of the --check card
from conftest import free_port
from test_check_postfix import pf  # noqa: F401 - the fixture of the English card
from test_tutorial import (
    _FENCE,
    ROOT,
    SMTPSH,
    TIMEOUT,
    Block,
    expected_exit,
    in_order,
    kind_of,
    of_kind,
    run_sandbox,
)

TUTORIAL = ROOT / "docs" / "de" / "tutorial.md"


def blocks(kind: str) -> list[Block]:
    text = TUTORIAL.read_text(encoding="utf-8")
    return [Block(m[1], text.count("\n", 0, m.start()) + 1, m[2].splitlines())
            for m in _FENCE.finditer(text) if m[1] == kind]


SMTP_BLOCKS = blocks("smtp")
CONSOLE_BLOCKS = [b for b in blocks("console")
                  if b.lines and re.match(r"\$ smtpsh --lang de --explain ", b.lines[0])]


def test_the_german_tutorial_has_its_dialogs_and_explanations() -> None:
    assert len(SMTP_BLOCKS) >= 2 and len(CONSOLE_BLOCKS) >= 2
    text = TUTORIAL.read_text(encoding="utf-8")
    assert "## 1. Der klassische Dialog" in text and "MAIL FROM" in text


@pytest.mark.parametrize("block", SMTP_BLOCKS,
                         ids=[f"de/tutorial.md:{b.line}" for b in SMTP_BLOCKS])
def test_dialog(block: Block, tmp_path: Path) -> None:
    odd = [x for x in block.lines if not kind_of(x)]
    assert not odd, f"lines smtpsh does not print: {odd}"
    run = run_sandbox(block, tmp_path, "--lang", "de")  # as the tutorial starts it
    folder = str(tmp_path)
    shown = "smtpsh printed:\n" + "\n".join(run.lines)
    for marks in (("C:",), ("S:",), ("!!",)):
        assert of_kind(run.lines, marks, folder) == of_kind(block.lines, marks, folder), shown
    notes = in_order(of_kind(block.lines, ("--",), folder), of_kind(run.lines, ("--",), folder))
    assert not notes, f"notes not printed: {notes}\n{shown}"
    assert run.status == expected_exit(block), shown


@pytest.mark.parametrize("block", CONSOLE_BLOCKS, ids=[b.lines[0][2:] for b in CONSOLE_BLOCKS])
def test_console_output(block: Block) -> None:
    argv = shlex.split(block.lines[0][2:])[1:]
    env = {k: v for k, v in os.environ.items() if k not in ("LC_ALL", "LC_MESSAGES", "LANG")}
    done = subprocess.run([*SMTPSH, *argv], capture_output=True, text=True, cwd=ROOT,
                          timeout=TIMEOUT, env={**env, "COLUMNS": "200"})
    assert done.returncode == 0, done.stderr
    got = [line.rstrip() for line in done.stdout.splitlines()]
    wanted = [line.rstrip() for line in block.lines[1:] if line.strip()]
    assert not in_order(wanted, got), f"not printed (in this order):\n{done.stdout}"


# Parts 4-8: what the prose of part 5 and part 7 claims beyond the dialogs themselves.

def test_dot_stuffing_as_the_german_tutorial_says(tmp_path: Path) -> None:
    """Part 5's table: the saved message holds the dotted lines exactly as typed."""
    block = next(b for b in SMTP_BLOCKS if "C: .gut versteckt" in b.lines)
    run_sandbox(block, tmp_path, "--lang", "de")
    saved = (tmp_path / "0001.eml").read_bytes()
    assert b"\r\n.gut versteckt\r\n..zwei Punkte\r\n" in saved


def test_the_german_auth_dialogs_never_show_the_password(tmp_path: Path) -> None:
    """Part 7: the German banner names the "Passwort"; only that banner line shows it."""
    dialogs = [b for b in SMTP_BLOCKS if {"C: AUTH LOGIN", "C: AUTH PLAIN"} & set(b.lines)]
    assert len(dialogs) >= 2
    for n, block in enumerate(dialogs):
        folder = tmp_path / str(n)
        folder.mkdir()
        run = run_sandbox(block, folder, "--lang", "de")
        assert run.password, "the German sandbox banner names no password"
        leaks = [x for x in run.lines if run.password in x and not x.startswith("-- sandbox:")]
        assert not leaks, leaks


# --- parts 9 to 14: LMTP, MX, --received, --auth-results, a scenario, --check -------------------
# Each block is run as the English tutorial's are (tests/test_tutorial.py, and for the --check
# card tests/test_check_postfix.py), against the same real servers: Dovecot's LMTP, a test DNS
# server, the sandbox, Postfix under a DNSSEC-signed zone.

TEXT = TUTORIAL.read_text(encoding="utf-8")
GERMAN_ENV = {k: v for k, v in os.environ.items()
              if k not in ("LC_ALL", "LC_MESSAGES", "LANG", "NO_COLOR")}


def part(title: str) -> str:
    """The German part whose heading starts with `title`, up to the next heading."""
    start = TEXT.index(f"\n## {title}")
    end = TEXT.find("\n## ", start + 1)
    return TEXT[start:end if end >= 0 else len(TEXT)]


def text_blocks(section: str) -> list[list[str]]:
    return [m[2].splitlines() for m in _FENCE.finditer(section) if m[1] == "text"]


def smtpsh_de(*argv: str, columns: int = 200, stdin: str | None = None,
              env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*SMTPSH, *argv], capture_output=True, text=True, cwd=ROOT,
                          input=stdin, timeout=TIMEOUT,
                          env={**GERMAN_ENV, "COLUMNS": str(columns), "NO_COLOR": "1",
                               **(env or {})})


def test_the_german_tutorial_has_parts_9_to_14() -> None:
    for title in ("9. LMTP", "10. Welcher Server?", "11. Eine Received-Kette lesen",
                  "12. Warum im Spam?", "13. Ein Szenario für den Unterricht",
                  "14. Eine Domain prüfen", "Wohin weiter"):
        assert f"\n## {title}" in TEXT, title


# LMTP (part 9): the block's dialog against Dovecot, every line. What a run changes: the socket's
# folder, the host's name in Dovecot's greeting, the id of the saved message, the timings.
_LMTP_VARYING = [
    (re.compile(r"unix:\S+/lmtp\.sock"), "unix:<socket>"),
    (re.compile(r"^S: 220 \S+ Dovecot"), "S: 220 <host> Dovecot"),
    (re.compile(r"<bob> \S+ Saved"), "<bob> <id> Saved"),
    (re.compile(r"\(\d+(,\d+)? ms\)"), "(<ms>)"),  # a decimal comma
]


def _lmtp_normal(lines: list[str]) -> list[str]:
    out = []
    for i, line in enumerate(lines):
        line = line.rstrip()
        if i and lines[i - 1].startswith("C: LHLO") and line.startswith("S: 250-"):
            line = "S: 250-<host>"
        for pattern, placeholder in _LMTP_VARYING:
            line = pattern.sub(placeholder, line)
        out.append(line)
    return out


def test_the_lmtp_dialog_is_real(dovecot_lmtp) -> None:  # noqa: ANN001 - a conftest fixture
    command, *shown = next(b for b in text_blocks(part("9. LMTP"))
                           if b[0].startswith("$ smtpsh --lang de --lmtp unix:"))
    script = "".join(f"{x[3:]}\n" for x in shown if kind_of(x) == "C:")
    done = smtpsh_de("--lang", "de", "--lmtp", f"unix:{dovecot_lmtp.socket}", stdin=script)
    assert done.returncode == 8, done.stdout + done.stderr  # the 550 at RCPT
    assert _lmtp_normal(done.stdout.splitlines()) == _lmtp_normal(shown), done.stdout


# MX selection (part 10): the plans, from a test DNS server serving the made-up domains. Hosts of
# equal preference come in random order: those rows are compared as a set.
MX_ZONE: dict[str, list[tuple[str, str]] | str] = {
    "example.net": [("MX", "10 mx1.example.net."), ("MX", "10 mx2.example.net."),
                    ("MX", "20 backup.example.org.")],
    "mx1.example.net": [("A", "192.0.2.11"), ("AAAA", "2001:db8::11")],
    "mx2.example.net": [("A", "192.0.2.12")],
    "backup.example.org": [("A", "198.51.100.25")],
    "example.com": [("A", "192.0.2.80")],
    "nomail.example": [("MX", "0 .")],
}
_SHUFFLED = re.compile(r"\d+ von (\d+) gleichen, gemischt")


def _plans() -> list[tuple[str, list[str]]]:
    """(target, lines shown) for every `--mx --dry-run` command in part 10."""
    out: list[tuple[str, list[str]]] = []
    for block in text_blocks(part("10. Welcher Server?")):
        for line in block:
            if line.startswith("$ smtpsh --lang de --mx --dry-run "):
                out.append((line.split()[-1], []))
            elif out:
                out[-1][1].append(line)
    return out


def _split_shuffled(lines: list[str]) -> tuple[list[str], list[str]]:
    fixed = [x for x in lines if not _SHUFFLED.search(x)]
    shuffled = sorted(_SHUFFLED.sub(r"<n> von \1 gleichen, gemischt", x) for x in lines
                      if _SHUFFLED.search(x))
    return fixed, shuffled


def test_the_mx_plans_are_real() -> None:
    from dnsserver import ZoneServer

    plans = _plans()
    assert [t for t, _ in plans] == ["alice@example.net", "example.com", "nomail.example"]
    with ZoneServer(MX_ZONE) as dns:
        for target, shown in plans:
            done = smtpsh_de("--lang", "de", "--mx", "--dry-run", "--nameserver", dns.nameserver,
                             target)
            assert done.returncode == (9 if target == "nomail.example" else 0), done.stdout
            got = done.stdout.splitlines()
            # the tutorial leaves out the line naming the test DNS server
            assert got[0] == f"-- gefragt: DNS-Server {dns.nameserver}", done.stdout
            assert _split_shuffled(got[1:]) == _split_shuffled(shown), done.stdout


# --received (part 11) and --auth-results (part 12): the lines shown are printed, in order.
FORENSIC_BLOCKS = [b for b in blocks("console")
                   if b.lines and re.match(r"\$ smtpsh --lang de --(received|auth-results) ",
                                           b.lines[0])]


def test_the_forensic_blocks_are_found() -> None:
    assert [b.lines[0] for b in FORENSIC_BLOCKS] == [
        "$ smtpsh --lang de --received docs/examples/received-chain.txt",
        "$ smtpsh --lang de --auth-results docs/examples/auth-results-spam.txt"]


@pytest.mark.parametrize("block", FORENSIC_BLOCKS, ids=[b.lines[0][2:] for b in FORENSIC_BLOCKS])
def test_the_forensic_output(block: Block) -> None:
    argv = shlex.split(block.lines[0][2:])[1:]
    done = smtpsh_de(*argv)
    # --auth-results says with its exit status that a result fails (15), as the English does
    assert done.returncode == (15 if "--auth-results" in argv else 0), done.stderr
    got = [line.rstrip() for line in done.stdout.splitlines()]
    wanted = [line.rstrip() for line in block.lines[1:] if line.strip()]
    assert not in_order(wanted, got), f"not printed (in this order):\n{done.stdout}"


# The greylisting scenario (part 13): the sandbox as a server, a client refused with a 451, the
# same envelope accepted on a later connection, and the report cards the text quotes. The run
# greylists for 1 s instead of the 30 the text starts it with: the lines shown are the same.
def _serve(argv: list[str], lines: queue.Queue[str | None]) -> subprocess.Popen[str]:
    proc = subprocess.Popen([*SMTPSH, *argv], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, cwd=ROOT,
                            env={**GERMAN_ENV, "COLUMNS": "100", "NO_COLOR": "1"})
    assert proc.stdout is not None

    def read(stream: IO[str]) -> None:
        for line in stream:
            lines.put(line.rstrip("\n"))
        lines.put(None)

    threading.Thread(target=read, args=(proc.stdout,), daemon=True).start()
    return proc


def _wait_for(lines: queue.Queue[str | None], seen: list[str], pattern: str,
              times: int = 1) -> None:
    """Read the server's lines into `seen` until `pattern` has matched `times` lines."""
    while sum(1 for x in seen if re.search(pattern, x)) < times:
        line = lines.get(timeout=TIMEOUT)
        assert line is not None, "the sandbox stopped:\n" + "\n".join(seen)
        seen.append(line)


def test_the_greylisting_scenario_is_real(tmp_path: Path) -> None:
    section = part("13. Ein Szenario")
    (command, *banner), reply = text_blocks(section)[:2]
    assert command == "$ smtpsh --lang de --sandbox --serve 2525 --scenario greylisting:30"
    port = free_port()
    lines: queue.Queue[str | None] = queue.Queue()
    seen: list[str] = []
    proc = _serve(["--lang", "de", "--sandbox", "--serve", str(port), "--sandbox-dir",
                   str(tmp_path / "box"), "--scenario", "greylisting:1"], lines)
    try:
        _wait_for(lines, seen, r"^sandbox: läuft bis Strg-C")
        _wait_for(lines, seen, r"^-- sandbox: Regel ")
        got = iter(seen)
        for shown in banner:  # a line ending in " ..." is cut there
            cut = shown.removesuffix(" ...")
            assert any(g == shown or (cut != shown and g.startswith(cut)) for g in got), \
                f"{shown!r} not printed:\n" + "\n".join(seen)
        envelope = ("EHLO laptop.example\nMAIL FROM:<alice@example.org>\n"
                    "RCPT TO:<bob@class.example>\n")
        first = smtpsh_de("--lang", "de", "127.0.0.1", str(port), stdin=envelope + "QUIT\n")
        assert first.returncode == 7, first.stdout  # a 4xx
        assert not in_order(reply, first.stdout.splitlines()), first.stdout
        _wait_for(lines, seen, r"^insgesamt: ")
        time.sleep(1.2)
        again = smtpsh_de("--lang", "de", "127.0.0.1", str(port),
                          stdin=envelope + "DATA\nSubject: nochmal\n\nHallo.\n.\nQUIT\n")
        assert again.returncode == 0, again.stdout
        assert "C: RCPT TO:<bob@class.example>\nS: 250 OK" in again.stdout, again.stdout
        # its report card: printed before or after the line saying the client left
        _wait_for(lines, seen, r"^insgesamt: ", times=2)
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=TIMEOUT)
    cards = "\n".join(seen)
    for quoted in ("Info      hat 1 vorübergehende Ablehnung bekommen (4xx)",
                   "gut       kam nach einer vorübergehenden Ablehnung (4xx) wieder"):
        assert f"`{quoted}`" in section and quoted in cards, cards


# The --check card (part 14): as tests/test_check_postfix.py::test_the_tutorial_card_is_real does
# for the English card, on the same fixture, at the card's 100 columns. Wrapped lines are joined
# first (their break points move with the varying parts), then those parts are replaced.
_CARD_VARYING = [
    (re.compile(r"127\.0\.0\.1\]?:\d+"), "127.0.0.1:<port>"),
    (re.compile(r"_\d+\._tcp"), "_<port>._tcp"),
    (re.compile(r"Port \d+"), "Port <port>"),
    (re.compile(r"#[A-Za-z0-9_-]+"), "#<serial>"),
    (re.compile(r"\d{4}-\d\d-\d\d( \d\d:\d\d UTC)?"), "<date>"),
    (re.compile(r"nach \d+,\d{3} s"), "nach <seconds> s"),
    (re.compile(r"[0-9a-f]{12}…[0-9a-f]{8}"), "<hash>"),
    (re.compile(r"geprüft in \d+,\d\d s"), "geprüft in <seconds> s"),
]


def _card_normal(lines: list[str]) -> list[str]:
    joined: list[str] = []
    for line in lines:
        line = line.rstrip()
        if line.startswith(" " * 12) and joined:  # a wrapped line's rest
            glue = "" if joined[-1].endswith("-") else " "
            joined[-1] += glue + line.strip()
        else:
            joined.append(line)
    out = []
    for line in joined:
        if not line.strip() or line.strip() == "…":
            continue
        for pattern, placeholder in _CARD_VARYING:
            line = pattern.sub(placeholder, line)
        out.append(line)
    return out


def test_the_german_card_is_real(pf: dict, check_ca_file: str) -> None:  # noqa: F811
    from smtpsh.check import mtasts

    command, *shown = text_blocks(part("14. Eine Domain prüfen"))[0]
    assert command.startswith("$ smtpsh --lang de --check postmaster@expired.pf.test ")
    done = smtpsh_de("--lang", "de", "--check", "postmaster@expired.pf.test", "--nameserver",
                     pf["zone"].nameserver, "-p", str(pf["postfix"].ports["expired"]),
                     "--cafile", check_ca_file, columns=100,
                     env={mtasts.PORT_ENV: str(pf["policies"]["expired"].port)})
    assert done.returncode == 15, done.stderr
    got = iter(_card_normal(done.stdout.splitlines()))
    missing = [x for x in _card_normal(shown) if not any(x == g for g in got)]
    assert not missing, f"not printed (in this order): {missing[:3]}\n{done.stdout}"
    assert any(x.strip() == "…" for x in shown)  # and the text says the card is shortened
    assert "Es ist gekürzt" in part("14. Eine Domain prüfen")
