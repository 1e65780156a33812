"""--probe against real servers on loopback: Postfix (default, and with the SMTP smuggling
defences of Postfix 3.9), aiosmtpd, and a scripted server vulnerable on purpose."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest

from smtpsh.exitcodes import Exit

if TYPE_CHECKING:
    from postfix import Postfix

pytestmark = pytest.mark.timeout(180)

FROM = "alice@client.test"


def probe(smtpsh, port: int, names: str, *extra: str,
          wait: str = "1") -> tuple[dict[str, str], dict, int]:
    """Run --probe with --json; {finding id: verdict}, the document, the exit status."""
    p = smtpsh("--probe", names, "--json", "--timeout", wait, "--ehlo", "client.test",
               *extra, "127.0.0.1", str(port), timeout=150)
    assert p.stdout, p.stderr
    doc = json.loads(p.stdout)
    verdicts = {f["id"]: f["verdict"] for s in doc["sections"] for f in s["findings"]}
    return verdicts, doc, p.returncode


def findings(doc: dict) -> dict[str, dict]:
    return {f["id"]: f for s in doc["sections"] for f in s["findings"]}


ATTACKER = ["lf-dot-lf", "cr-dot-cr", "lf-dot-crlf", "cr-dot-crlf", "lf-dot-cr", "cr-dot-lf",
            "nul-before-dot"]
HYGIENE = ["crlf-dot-lf", "crlf-dot-cr", "nul-after-dot"]


# --- Postfix ------------------------------------------------------------------------------


def test_postfix_default_takes_lf_dot_lf(smtpsh, postfix_server: Postfix) -> None:
    """smtpd_forbid_bare_newline = no (the default before 3.9): <LF>.<LF> ends the message
    and the smuggled MAIL FROM is answered (TESTING-2 4c)."""
    rcpt = "smuggle-default@postfix.test"
    v, doc, rc = probe(smtpsh, postfix_server.port, "smuggling", "--to", rcpt,
                       "--from", FROM)
    assert v["smuggling.lf-dot-lf"] == "fail"
    assert v["smuggling.lf-dot-crlf"] == "fail"  # Postfix reads the bare LF as a line end
    assert v["smuggling.crlf-dot-lf"] == "warn"  # taken, but a relay would dot-stuff it
    for name in ("cr-dot-cr", "cr-dot-crlf", "lf-dot-cr", "cr-dot-lf", "crlf-dot-cr",
                 "nul-before-dot", "nul-after-dot"):
        assert v[f"smuggling.{name}"] == "pass", name
    f = findings(doc)["smuggling.lf-dot-lf"]
    assert "the smuggled MAIL FROM was answered 250" in f["title"]
    assert "body\\n.\\nMAIL FROM:<alice@client.test>\\r\\n" in f["evidence"]
    assert "250 2.0.0 Ok: queued" in f["evidence"] and "vulnerable outbound relay" in f["why"]
    assert "RFC hygiene only" in findings(doc)["smuggling.crlf-dot-lf"]["why"]
    assert "kept in the message" in findings(doc)["smuggling.cr-dot-cr"]["title"]
    assert doc["verdict"] == "fail" and rc == Exit.CARD_FAIL
    assert "vulnerable to SMTP smuggling" in doc["sections"][0]["summary"]


def test_postfix_reject_bare_newline_takes_no_variant(smtpsh, postfix_server: Postfix) -> None:
    """smtpd_forbid_bare_newline = reject, exclusions empty, unauth pipelining forbidden."""
    v, doc, rc = probe(smtpsh, postfix_server.strict_port, "smuggling,bare-lf",
                       "--to", "smuggle-strict@postfix.test", "--from", FROM)
    for name in ATTACKER + HYGIENE:
        assert v[f"smuggling.{name}"] == "pass", name
    f = findings(doc)
    # The bare LF ones are refused at the real end of data; the bare CR ones kept as text.
    assert "message refused" in f["smuggling.lf-dot-lf"]["title"]
    assert "550 5.5.2" in f["smuggling.lf-dot-lf"]["evidence"]
    assert "kept in the message" in f["smuggling.cr-dot-cr"]["title"]
    assert v["bare-lf.command-lf"] == "pass"
    assert "550 5.5.2" in f["bare-lf.command-lf"]["evidence"]
    assert v["bare-lf.data-lf"] == "pass"
    assert "bare <LF> received" in f["bare-lf.data-lf"]["evidence"]
    assert v["bare-lf.command-cr"] == "info"  # a bare CR is not a line end for Postfix
    assert v["bare-lf.data-cr"] == "warn"  # smtpd_forbid_bare_newline is about LF only
    assert rc == Exit.CARD_WARN


def test_postfix_default_accepts_bare_lf_and_unauth_pipelining(
        smtpsh, postfix_server: Postfix) -> None:
    v, doc, rc = probe(smtpsh, postfix_server.port, "bare-lf,unauth-pipelining",
                       "--to", "barelf-default@postfix.test")
    assert v["bare-lf.command-lf"] == "warn"
    assert v["bare-lf.data-lf"] == "warn"
    assert v["unauth-pipelining.early-talker"] == "warn"
    assert v["unauth-pipelining.group"] == "warn"
    f = findings(doc)["unauth-pipelining.group"]
    assert "HELO client.test\\r\\nMAIL FROM:<>\\r\\n" in f["evidence"]
    assert "250 2.1.0 Ok" in f["evidence"]
    assert rc == Exit.CARD_WARN


def test_postfix_forbid_unauth_pipelining(smtpsh, postfix_server: Postfix) -> None:
    """smtpd_forbid_unauth_pipelining = yes: the group is refused with 554 5.5.0; an early
    talker too, where the server pauses before its greeting (else it is a race)."""
    v, doc, _ = probe(smtpsh, postfix_server.strict_port, "unauth-pipelining")
    assert v["unauth-pipelining.group"] == "pass"
    f = findings(doc)["unauth-pipelining.group"]
    assert "554 5.5.0 Error: SMTP protocol synchronization" in f["evidence"]
    # (it greets after 1 s: a longer --timeout)
    v, doc, rc = probe(smtpsh, postfix_server.pregreet_port, "unauth-pipelining", wait="3")
    assert v["unauth-pipelining.early-talker"] == "pass"
    assert v["unauth-pipelining.group"] == "pass"
    f = findings(doc)["unauth-pipelining.early-talker"]
    assert "554 5.5.0 Error: SMTP protocol synchronization" in f["evidence"]
    assert rc == Exit.OK


def test_a_close_is_seen_in_german_too(smtpsh, postfix_server: Postfix) -> None:
    """Whether the server closed is read from the note's kind, not its (translated) words:
    under --lang de the probe sees Postfix close after its 554 as it does in English."""
    for lang, closed in (("en", ", then the connection closed"),
                         ("de", ", dann wurde die Verbindung geschlossen")):
        v, doc, _ = probe(smtpsh, postfix_server.strict_port, "unauth-pipelining", "--lang", lang)
        assert v["unauth-pipelining.group"] == "pass"
        assert findings(doc)["unauth-pipelining.group"]["evidence"].endswith(closed), doc


# --- aiosmtpd and a scripted server --------------------------------------------------------


def test_aiosmtpd(smtpsh, smtp_server, handler) -> None:
    v, doc, rc = probe(smtpsh, smtp_server.port, "smuggling,unauth-pipelining",
                       "--to", "bob@example.test")
    for name in ATTACKER + HYGIENE:
        assert v[f"smuggling.{name}"] == "pass", name
    assert v["unauth-pipelining.early-talker"] == "warn"
    assert v["unauth-pipelining.group"] == "warn"
    assert len(handler.envelopes) == len(ATTACKER + HYGIENE)  # each ended properly
    assert b"body\n.\nMAIL FROM:<>" in handler.envelopes[0].original_content
    assert rc == Exit.CARD_WARN


ENDS = [b"\r\n.\r\n", b"\n.\n", b"\r.\r", b"\n.\r\n", b"\r.\r\n", b"\n.\r", b"\r.\n",
        b"\r\n.\n", b"\r\n.\r", b"\r\n\x00.\r\n", b"\r\n.\x00\r\n"]


async def vulnerable(reader, writer, received) -> None:
    """Takes every end-of-data look-alike as the end, and talks with early talkers."""
    writer.write(b"220 vuln.test ESMTP\r\n")
    buf, data = b"", False
    while chunk := await reader.read(65536):
        received.append(chunk)
        buf += chunk
        while True:
            if data:
                found = [(buf.find(e), -len(e), e) for e in ENDS if e in buf]
                if not found:
                    break
                pos, _, end = min(found)
                buf, data = buf[pos + len(end):], False
                writer.write(b"250 2.0.0 queued\r\n")
                continue
            if b"\n" not in buf:
                break
            line, buf = buf.split(b"\n", 1)
            verb = line.rstrip(b"\r")[:4].upper()
            if verb == b"DATA":
                data = True
                writer.write(b"354 go ahead\r\n")
            elif verb == b"QUIT":
                writer.write(b"221 bye\r\n")
                await writer.drain()
                return
            elif verb == b"EHLO":
                writer.write(b"250-vuln.test\r\n250 8BITMIME\r\n")
            else:
                writer.write(b"250 ok\r\n")
        await writer.drain()


def test_a_server_vulnerable_to_every_variant(smtpsh, scripted) -> None:
    server = scripted(vulnerable)
    v, doc, rc = probe(smtpsh, server.port, "smuggling,unauth-pipelining", "--to",
                       "bob@vuln.test")
    for name in ATTACKER:
        assert v[f"smuggling.{name}"] == "fail", name
    for name in HYGIENE:
        assert v[f"smuggling.{name}"] == "warn", name
    f = findings(doc)
    assert "the smuggled MAIL FROM was answered 250" in f["smuggling.cr-dot-cr"]["title"]
    assert v["unauth-pipelining.early-talker"] == "warn"
    assert "5 tries" in f["unauth-pipelining.early-talker"]["title"]
    assert v["unauth-pipelining.group"] == "warn"
    assert rc == Exit.CARD_FAIL


# --- the command line ----------------------------------------------------------------------


def test_without_to_nothing_is_sent_and_the_card_says_why(smtpsh, smtp_server, handler) -> None:
    v, doc, rc = probe(smtpsh, smtp_server.port, "smuggling,bare-lf")
    assert v["smuggling.all"] == "skip"
    assert v["bare-lf.data-lf"] == "skip" and v["bare-lf.data-cr"] == "skip"
    assert "needs --to ADDRESS" in findings(doc)["smuggling.all"]["title"]
    assert handler.envelopes == []
    assert rc == Exit.CARD_WARN  # the bare LF command is still checked: aiosmtpd takes it


def test_list_text_nagios_and_usage(smtpsh, smtp_server) -> None:
    p = smtpsh("--probe", "list")
    assert p.returncode == 0
    lines = p.stdout.decode().splitlines()
    assert [x.split()[0] for x in lines[:3]] == ["smuggling", "bare-lf", "unauth-pipelining"]
    p = smtpsh("--probe", "unauth-pipelining", "--nagios", "--timeout", "1", "127.0.0.1",
               str(smtp_server.port))
    assert p.returncode == 1
    assert p.stdout.decode().startswith("SMTPSH WARNING - an early talker is accepted")
    p = smtpsh("--probe", "unauth-pipelining", "--color", "never", "--timeout", "1",
               "127.0.0.1", str(smtp_server.port))
    out = p.stdout.decode()
    assert "[warn] probe unauth-pipelining" in out and "overall: warn" in out
    assert "seen: sent EHLO" in out
    assert p.returncode == Exit.CARD_WARN
    p = smtpsh("--probe", "nosuch", "127.0.0.1")
    assert p.returncode == Exit.USAGE and b"no probe called 'nosuch'" in p.stderr
    p = smtpsh("--to", "a@b.test", "127.0.0.1")
    assert p.returncode == Exit.USAGE and b"--to goes with --probe" in p.stderr
    p = smtpsh("--probe", "smuggling", "--to", "<a@b.test>", "127.0.0.1")
    assert p.returncode == Exit.USAGE
    p = smtpsh("--probe", "unauth-pipelining", "--nagios", "--timeout", "1", "127.0.0.1", "1")
    assert p.returncode == 3 and p.stdout.decode().startswith("SMTPSH UNKNOWN - ")


def test_the_shell_command(smtp_server) -> None:
    import asyncio
    from types import SimpleNamespace

    from smtpsh.render import to_plain
    from smtpsh.settings import Settings
    from smtpsh.shell import commands

    shown: list[str] = []
    screen = SimpleNamespace(out=shown.append, note=shown.append, warn=shown.append,
                             show=lambda frags: shown.append(to_plain(frags)),
                             columns=lambda: 100)
    shell = SimpleNamespace(screen=screen, settings=Settings(ehlo="client.test", timeout=1),
                            state=SimpleNamespace(host="127.0.0.1", port=smtp_server.port))
    asyncio.run(commands.run(shell, ":probe unauth-pipelining"))
    card = shown[-1]
    assert "[warn] probe unauth-pipelining" in card and "overall: warn" in card
    asyncio.run(commands.run(shell, ":probe list"))
    assert shown[-1].startswith("smuggling ")
    asyncio.run(commands.run(shell, ":probe nosuch"))
    assert "no probe called 'nosuch'" in shown[-1]
