"""XCLIENT and XFORWARD (Postfix): the command built from ATTR=VALUE words (xtext), the
knowledge base, and a real Postfix: the claimed client in the delivered message, the new
greeting, and the 550 5.7.0 of a port that does not authorize us."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from smtpsh import explain
from smtpsh.exitcodes import Exit
from smtpsh.session import ConnectOptions, Session
from smtpsh.shell import VERBS
from smtpsh.shell.commands import REGISTRY
from smtpsh.xclient import build, xtext

pytestmark = pytest.mark.timeout(60)


def test_xtext():
    assert xtext("client.example") == "client.example"
    assert xtext("a+b=c d") == "a+2Bb+3Dc+20d"
    assert xtext("é") == "+C3+A9"


def test_build_checks_attributes_against_the_ehlo_list():
    line, warnings = build("xclient", ["addr=127.0.0.99", "NAME=[UNAVAILABLE]", "HELO=a b"],
                           ("NAME", "ADDR", "HELO"))
    assert line == "XCLIENT ADDR=127.0.0.99 NAME=[UNAVAILABLE] HELO=a+20b"
    assert warnings == []
    _, warnings = build("XCLIENT", ["LOGIN=x"], ("NAME", "ADDR"))
    assert "did not list LOGIN after XCLIENT" in warnings[0]
    with pytest.raises(ValueError):
        build("XCLIENT", ["ADDR"])


def test_knowledge_base_explains_both():
    for name in ("XCLIENT", "XFORWARD"):
        assert explain.keyword(name) is not None
        assert explain.needs_keyword(name) == name
        assert name in VERBS
    assert "new 220 greeting" in explain.keyword("XCLIENT")["help"]


class Screen:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def out(self, text: str) -> None:
        self.lines.append(text)

    warn = note = out


async def _shell_on(pf_port: int) -> tuple[SimpleNamespace, list[object]]:
    events: list[object] = []
    session = Session(events.append, ConnectOptions(timeout=10))
    await session.connect("127.0.0.1", pf_port)
    shell = SimpleNamespace(session=session, screen=Screen(), command=session.command)
    return shell, events


async def test_xclient_command_against_postfix(postfix_server):
    pf = postfix_server
    rcpt = f"xclient@{pf.domain}"
    shell, events = await _shell_on(pf.xclient_port)
    session = shell.session
    reply = await session.command("EHLO client.smtpsh.test")
    assert "ADDR" in session.dialog.capabilities.keywords["XCLIENT"], reply
    assert "XFORWARD" in session.dialog.capabilities.keywords
    await REGISTRY["xclient"].handler(shell, ["ADDR=127.0.0.99", "NAME=client.smtpsh.test",
                                              "HELO=claimed helo"])
    sent = [e.text for e in events if type(e).__name__ == "Sent"]
    assert "XCLIENT ADDR=127.0.0.99 NAME=client.smtpsh.test HELO=claimed+20helo" in sent
    assert any("XCLIENT accepted: the 220 is a new greeting" in x for x in shell.screen.lines)
    reply = await session.command("EHLO after-xclient.smtpsh.test")
    assert reply.code == 250
    for line in ("MAIL FROM:<a@client.smtpsh.test>", f"RCPT TO:<{rcpt}>", "DATA"):
        assert (await session.command(line)).code in (250, 354)
    await session.data_line("Subject: xclient")
    await session.data_line("")
    await session.data_line("hi")
    replies = await session.data_end()
    assert replies[-1].code == 250
    await session.command("QUIT")
    await session.close()
    (msg,) = pf.wait_for_messages(1, recipient=rcpt)
    assert b"Received: from after-xclient.smtpsh.test (client.smtpsh.test [127.0.0.99])" in msg


async def test_xclient_refused_where_not_authorized(postfix_server):
    shell, events = await _shell_on(postfix_server.port)
    await shell.session.command("EHLO client.smtpsh.test")
    await REGISTRY["xclient"].handler(shell, ["ADDR=127.0.0.99"])
    assert any("did not offer XCLIENT" in x for x in shell.screen.lines)
    got = [e for e in events if type(e).__name__ == "Received"]
    reply = got[-1].reply  # type: ignore[attr-defined]
    assert reply.code == 550 and reply.lines[0].startswith("5.7.0"), reply
    assert any("not in the server's smtpd_authorized_xclient_hosts" in x
               for x in shell.screen.lines)
    await shell.session.command("QUIT")
    await shell.session.close()


def test_xclient_line_in_script_mode(smtpsh, postfix_server):
    pf = postfix_server
    p = smtpsh(pf.host, str(pf.xclient_port), "-c", "EHLO client.smtpsh.test",
               "-c", "XCLIENT ADDR=127.0.0.98 NAME=client.smtpsh.test", "-c", "EHLO again.test",
               "-c", "QUIT")
    out = p.stdout.decode()
    assert p.returncode == Exit.OK, out
    assert out.count("S: 220 ") == 2
