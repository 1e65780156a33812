"""The registry of the shell's ':' commands: one decorator feeds :help, completion and the
toolbar, and runs the handler."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from types import SimpleNamespace

import pytest
from prompt_toolkit.completion import CompleteEvent, Completion
from prompt_toolkit.document import Document

from smtpsh.protocol import Dialog
from smtpsh.render import to_plain
from smtpsh.shell import commands
from smtpsh.shell.commands import ArgContext, command
from smtpsh.shell.completer import ARGUMENT, SmtpCompleter, suggest
from smtpsh.shell.toolbar import toolbar


@pytest.fixture(autouse=True)
def registry(monkeypatch: pytest.MonkeyPatch) -> dict[str, commands.Command]:
    """A copy of the registry for each test: what a test registers goes away after it."""
    copy = dict(commands.REGISTRY)
    monkeypatch.setattr(commands, "REGISTRY", copy)
    return copy


class FakeScreen:
    def __init__(self) -> None:
        self.text: list[str] = []

    def out(self, text: str) -> None:
        self.text.append(text)

    warn = note = out


def fake_shell() -> SimpleNamespace:
    return SimpleNamespace(screen=FakeScreen())


def complete(text: str, profiles: tuple[str, ...] = ()) -> list[str]:
    c = SmtpCompleter(lambda: Dialog(), lambda: ("a@x.test",), profiles)
    return [x.text for x in c.get_completions(Document(text, len(text)), CompleteEvent())]


def register_ping(seen: list[tuple[str, ArgContext]] | None = None) -> list[list[str]]:
    """`:ping HOST`, whose argument completes from two names; returns the handler's calls."""
    calls: list[list[str]] = []

    def hosts(text: str, ctx: ArgContext) -> Iterable[Completion]:
        if seen is not None:
            seen.append((text, ctx))
        return (Completion(h, -len(text), display_meta="a host") for h in ("alpha", "beta")
                if h.startswith(text))

    @command("ping", "HOST", "ask HOST whether it is there", complete=hosts)
    async def do_ping(shell, args: list[str]) -> None:
        calls.append(args)

    return calls


def test_a_registered_command_is_in_help() -> None:
    register_ping()
    shell = fake_shell()
    asyncio.run(commands.run(shell, ":help"))
    listing = shell.screen.text[-1]
    assert ":ping HOST" in listing and "ask HOST whether it is there" in listing
    assert listing.index(":clear") < listing.index(":ping")  # in the order of registration
    asyncio.run(commands.run(shell, ":help :ping"))
    assert shell.screen.text[-1] == ":ping HOST\n  ask HOST whether it is there"


def test_a_registered_command_is_completed_with_its_own_completer() -> None:
    seen: list[tuple[str, ArgContext]] = []
    register_ping(seen)
    assert complete(":pi") == [":ping"]
    assert ":ping" in complete(":help :p")  # :help's topics come from the registry too
    assert suggest(":ping b", Dialog()).kinds == (ARGUMENT,)
    assert complete(":ping b", profiles=("work",)) == ["beta"]
    assert complete(":ping ") == ["alpha", "beta"]
    text, ctx = seen[-1]
    assert text == "" and ctx.profiles == () and list(ctx.addresses) == ["a@x.test"]
    assert complete(":ping b", profiles=("work",)) and seen[-1][1].profiles == ("work",)


def test_a_command_without_a_completer_completes_nothing() -> None:
    @command("zap", "", "nothing to complete")
    async def do_zap(shell, args: list[str]) -> None:
        pass

    assert complete(":za") == [":zap"]
    assert suggest(":zap x", Dialog()).kinds == ()
    assert complete(":zap ") == []


def test_the_handler_runs_with_its_arguments() -> None:
    calls = register_ping()
    shell = fake_shell()
    assert asyncio.run(commands.run(shell, ':pin "two words" x'))  # a unique prefix
    assert calls == [["two words", "x"]]
    # At the data prompt only the exact name is a command: the rest is message text.
    assert not asyncio.run(commands.run(shell, ":pin x", in_data=True))
    assert asyncio.run(commands.run(shell, ":ping y", in_data=True))
    assert calls[-1] == ["y"]


def test_verbatim_commands_take_the_rest_as_typed() -> None:
    got: list[list[str]] = []

    @command("echo", "TEXT", "the text as typed", verbatim=True)
    async def do_echo(shell, args: list[str]) -> None:
        got.append(args)

    asyncio.run(commands.run(fake_shell(), r':echo a\r\n "b'))
    asyncio.run(commands.run(fake_shell(), ":echo"))
    assert got == [[r'a\r\n "b'], []]


def test_the_toolbar_shows_a_registered_commands_syntax() -> None:
    register_ping()
    line = to_plain(toolbar(":pin", Dialog(), True, width=200))
    assert ":ping HOST · ask HOST whether it is there" in line


def test_a_name_is_registered_once() -> None:
    with pytest.raises(ValueError, match=":help is registered twice"):
        command("help", "", "again")(commands.REGISTRY["help"].handler)


def test_the_shells_own_argument_completers() -> None:
    assert complete(":connect h", profiles=("home", "work")) == ["home"]
    assert complete(":explain ST") == ["STARTTLS"]
    assert complete(":help rs") == ["RSET"]
    assert complete(":help :sa") == [":save"]
    assert complete(":help RSET x") == []  # the first argument only
    names = {c.name: c.complete for c in commands.registered()}
    assert names["send"] is names["save"] is commands.paths
    assert names["quit"] is None and names["raw"] is None
