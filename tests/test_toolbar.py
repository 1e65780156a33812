"""The bottom toolbar: fits the width, no stale syntax hints, the guide's next step."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from prompt_toolkit.utils import get_cwidth

from smtpsh import guide
from smtpsh.protocol import Capabilities, Dialog, Reply
from smtpsh.render import to_plain
from smtpsh.shell import toolbar as toolbar_module
from smtpsh.shell.toolbar import toolbar

# A Postfix-like EHLO reply: at 120 columns its keywords ran off the edge ("... SMTPUTF8 HE").
EHLO = ("mx.test", "PIPELINING", "SIZE 10485760", "VRFY", "ETRN", "STARTTLS",
        "AUTH PLAIN LOGIN CRAM-MD5", "ENHANCEDSTATUSCODES", "8BITMIME", "DSN", "SMTPUTF8",
        "CHUNKING", "HELP")


def greeted(*keywords: str, user: str | None = None) -> Dialog:
    return Dialog(state="greeted", greeted_with_ehlo=True, user=user,
                  capabilities=Capabilities.from_ehlo(Reply(250, keywords or EHLO)))


def shown(text: str, dialog: Dialog, connected: bool = True, guide: bool = False,
          width: int | None = None) -> str:
    return to_plain(toolbar(text, dialog, connected, guide=guide, width=width))


@pytest.mark.parametrize("width", [120, 100, 80, 60, 40, 24])
@pytest.mark.parametrize("text", ["", "mail", "MAIL FROM:<a@b.test> ", "auth", ":conn", "x"])
@pytest.mark.parametrize("guiding", [False, True])
def test_toolbar_fits_the_width(width: int, text: str, guiding: bool) -> None:
    for d in (greeted(user="alice"), Dialog(), greeted("mx.test"), Dialog(state="data")):
        line = shown(text, d, guide=guiding, width=width)
        assert get_cwidth(line) <= width, (width, line)


def test_at_120_columns_the_extensions_give_way_first() -> None:
    d = greeted()
    full = shown("", d, width=500)
    assert full.rstrip().endswith("ENHANCEDSTATUSCODES 8BITMIME DSN SMTPUTF8 CHUNKING HELP")
    line = shown("", d, width=120)
    assert len(line) <= 120
    # Whole keywords only, then how many were left out: nothing cut in the middle.
    words = line.split(" · ")[-1].split()
    assert words[-2:] == [words[-2], "more"] and words[-2].startswith("+")
    assert all(w in full.split() for w in words[:-2])
    assert "greeted · no TLS · SIZE 10 MiB · AUTH PLAIN LOGIN CRAM-MD5" in line


def test_typing_keeps_the_syntax_and_what_the_server_takes() -> None:
    line = shown("mail", greeted(), width=120)
    assert "MAIL FROM:<reverse-path> [<parameters>] · server takes: SIZE BODY" in line
    assert "greeted" in line and "PIPELINING" not in line  # the keywords gave way
    narrow = shown("mail", greeted(), width=60)
    assert narrow.startswith(" MAIL FROM:<reverse-path> [<parameters>]")
    assert "server takes" not in narrow


def test_the_width_comes_from_the_application(monkeypatch: pytest.MonkeyPatch) -> None:
    assert shown("", greeted()) == shown("", greeted(), width=80)  # no application: 80
    size = SimpleNamespace(columns=50)
    app = SimpleNamespace(output=SimpleNamespace(get_size=lambda: size))
    monkeypatch.setattr(toolbar_module, "get_app_or_none", lambda: app)
    assert shown("", greeted()) == shown("", greeted(), width=50)


def test_no_server_syntax_while_disconnected() -> None:
    # The capabilities are the old connection's: "server takes" would be a stale promise.
    d = greeted()
    assert "server takes" in shown("mail", d, width=200)
    for guiding in (False, True):
        line = shown("mail", d, connected=False, guide=guiding, width=200)
        assert "server takes" not in line and "BODY" not in line
        assert "MAIL FROM:<reverse-path>" in line and "not connected: :reconnect" in line
        assert "not connected" in shown("", d, connected=False, guide=guiding, width=200)


def test_the_next_step_is_the_guides(monkeypatch: pytest.MonkeyPatch) -> None:
    d = Dialog()
    assert shown("", d, width=200).startswith(" next: EHLO your.name · Tab completes")
    assert f" {guide.next_step(d)}  │  " in shown("", d, guide=True, width=200)
    monkeypatch.setattr(guide, "next_step", lambda dialog: "next: HELO me (the old way)")
    assert shown("", d, width=200).startswith(" next: HELO me · Tab completes")
    assert shown("", d, guide=True, width=200).startswith(" next: HELO me (the old way)  │")


def test_the_guides_why_gives_way_last() -> None:
    line = shown("", Dialog(), guide=True, width=80)
    assert line == f" {guide.next_step(Dialog())} "  # the status (in the prompt too) went
    assert shown("", Dialog(), guide=True, width=40).startswith(" next: EHLO your.name")


def test_data_state() -> None:
    d = Dialog(state="data")
    assert shown("", d, width=200) == (" message text; a line with only '.' ends it · :send FILE"
                                       "  │  DATA · Ctrl-C: end the message or keep typing ")
    assert shown("", d, width=80).startswith(" message text; a line with only '.' ends it")
