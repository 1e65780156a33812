"""The shell's own commands, set apart from SMTP by the prefix ':' (`:help` lists them).

At the prompt a unique prefix is enough (`:q`). At the data prompt only the exact names are
commands, so that message text starting with ':' still goes out; '::' sends a literal ':' where
a command would match (`::help` sends `:help`), and other lines starting '::' go as typed.
"""

from __future__ import annotations

import os
import shlex
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, BinaryIO

from smtpsh.protocol import RCPT
from smtpsh.session import Sent
from smtpsh.shell import VERBS, keyword_meaning, verb_syntax

if TYPE_CHECKING:
    from smtpsh.shell.repl import Shell

PREFIX = ":"
CHUNK = 1 << 16


@dataclass(frozen=True)
class Command:
    name: str
    args: str
    help: str


COMMANDS = {
    c.name: c
    for c in (
        Command("help", "[VERB|:COMMAND]", "this list, or all about one verb or command"),
        Command("connect", "HOST [PORT] | PROFILE", "connect to another server"),
        Command("reconnect", "", "connect again to the last server"),
        Command("mx", "DOMAIN|ADDRESS [connect]",
                "which server an MTA would pick for a domain, and why; `connect` goes there"),
        Command("close", "", "say QUIT and close the connection"),
        Command("quit", "", "say QUIT and leave (also Ctrl-D)"),
        Command("send", "FILE", "send FILE as the message text and end it; DATA first if needed"),
        Command("save", "FILE", "write this session so far to FILE"),
        Command("caps", "", "the server's EHLO capabilities as a table"),
        Command("cert", "", "the TLS facts and the server's certificate"),
        Command("explain", "CODE|LINE|VERB|KEYWORD",
                "what a reply code, enhanced code, reply line, verb or keyword means"),
        Command("raw", "TEXT", "send TEXT as bytes, exactly: no CRLF added, no dot-stuffing;"
                " \\r \\n \\t \\\\ \\xNN escapes (e.g. :raw DATA\\n)"),
        Command("clear", "", "clear the screen"),
    )
}
KEYS = ("Tab completes · Up/Down and Ctrl-R search the history · Ctrl-C cancels the line"
        " · Ctrl-D says QUIT and leaves (in DATA: ends the message)")


def lookup(word: str, exact: bool = False) -> Command | None:
    """The command named by `word` (':name' or 'name'), or by a unique prefix of it."""
    name = word.removeprefix(PREFIX).lower()
    if name in COMMANDS:
        return COMMANDS[name]
    found = [c for n, c in COMMANDS.items() if n.startswith(name)] if name and not exact else []
    return found[0] if len(found) == 1 else None


def is_command(line: str) -> bool:
    """Whether `line` starts with a command name (or a unique prefix of one), as ':name'."""
    if not line.startswith(PREFIX):
        return False
    word = line.strip().partition(" ")[0]
    return lookup(word) is not None


async def run(shell: Shell, line: str, in_data: bool = False) -> bool:
    """Run a ':' line; False when it is not a command (at the data prompt: message text)."""
    word, _, rest = line.strip().partition(" ")
    cmd = lookup(word, exact=in_data)
    if cmd is None:
        if not in_data:
            shell.screen.warn(f"unknown command {word}; :help lists the shell's commands")
        return not in_data
    if cmd.name == "raw":  # its text is taken as typed: shlex would eat the backslashes
        await do_raw(shell, rest)
        return True
    try:
        args = shlex.split(rest)
    except ValueError as exc:
        shell.screen.warn(f"{PREFIX}{cmd.name}: {exc}")
        return True
    await HANDLERS[cmd.name](shell, args)
    return True


def _usage(shell: Shell, name: str) -> None:
    cmd = COMMANDS[name]
    shell.screen.warn(f"usage: {PREFIX}{cmd.name} {cmd.args}".rstrip())


async def do_help(shell: Shell, args: list[str]) -> None:
    if not args:
        width = max(len(f"{PREFIX}{c.name} {c.args}") for c in COMMANDS.values())
        out = ["Shell commands:"]
        out += [f"  {f'{PREFIX}{c.name} {c.args}':<{width}}  {c.help}" for c in COMMANDS.values()]
        out += ["SMTP verbs (typed as is, lower case works; :help VERB for more):"]
        out += [f"  {verb_syntax(v)}" for v in VERBS]
        out += ["Keys: " + KEYS]
        shell.screen.out("\n".join(out))
        return
    topic = args[0]
    verb = topic.upper()
    # A verb wins over a command of the same name given without ':' (QUIT, HELP).
    if not topic.startswith(PREFIX) and verb_syntax(verb) is not None:
        from smtpsh.explain import explain

        shell.screen.out(explain(verb))  # syntax, parameters, replies, RFC: as :explain VERB
        return
    cmd = lookup(topic) if topic.startswith(PREFIX) or topic.lower() in COMMANDS else None
    if cmd is not None:
        shell.screen.out(f"{PREFIX}{cmd.name} {cmd.args}".rstrip() + f"\n  {cmd.help}")
        return
    shell.screen.warn(f"no help on {topic}; :help lists the verbs and commands")


async def do_connect(shell: Shell, args: list[str]) -> None:
    if not 1 <= len(args) <= 2:
        return _usage(shell, "connect")
    profile = shell.config.profiles.get(args[0]) if len(args) == 1 else None
    if profile is not None:
        if profile.user:  # AUTH then asks only for the password
            shell.session.credentials["user"] = profile.user
        await shell.connect(profile.host, profile.port, tls=profile.tls)
        return
    port = args[1] if len(args) == 2 else "25"
    if not port.isdigit() or not 0 < int(port) < 65536:
        shell.screen.warn(f"bad port {port!r}: give a number from 1 to 65535")
        return
    await shell.connect(args[0], int(port))


async def do_mx(shell: Shell, args: list[str]) -> None:
    from dataclasses import replace

    from smtpsh.mxconnect import choose_server

    if not 1 <= len(args) <= 2 or args[1:] not in ([], ["connect"]):
        return _usage(shell, "mx")
    go = len(args) == 2
    # Port 25, as an MTA would use, unless smtpsh was started with --mx -p PORT.
    port = shell.settings.port if shell.settings.mx else 25
    settings = replace(shell.settings, host=args[0], port=port, mx=True, dry_run=not go)
    if go:
        await shell.hang_up()
    chosen = await choose_server(settings, shell.session)
    if go and not isinstance(chosen, int):
        shell.state.aim(chosen[0], port)
        shell.state.arrived()


async def do_reconnect(shell: Shell, args: list[str]) -> None:
    state = shell.state
    if not state.host:
        shell.screen.warn("no server yet: :connect HOST [PORT]")
        return
    await shell.connect(state.host, state.port, tls=state.tls_mode, prelude=state.prelude)


async def do_close(shell: Shell, args: list[str]) -> None:
    await shell.hang_up()


async def do_quit(shell: Shell, args: list[str]) -> None:
    await shell.hang_up()
    shell.done = True


async def do_save(shell: Shell, args: list[str]) -> None:
    if len(args) != 1:
        return _usage(shell, "save")
    path = os.path.expanduser(args[0])
    try:
        # The dialog only (C:, S:, --, !!), not what the shell's commands printed. It may
        # hold addresses and message text: readable by the owner only.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with open(fd, "w", encoding="utf-8", errors="backslashreplace") as f:
            f.writelines(line + "\n" for line in shell.screen.lines)
    except OSError as exc:
        shell.screen.warn(f"cannot write {path}: {exc.strerror}")
        return
    shell.screen.note(f"saved {len(shell.screen.lines)} lines to {path}")


async def do_send(shell: Shell, args: list[str]) -> None:
    if len(args) != 1:
        return _usage(shell, "send")
    path = os.path.expanduser(args[0])
    try:
        f = open(path, "rb")  # noqa: SIM115 - closed below, after the DATA command
    except OSError as exc:
        shell.screen.warn(f"cannot read {path}: {exc.strerror}")
        return
    with f:
        session = shell.session
        if not session.in_data:
            if session.dialog.state != RCPT:
                shell.screen.warn("no recipient accepted yet; sending DATA anyway")
            await shell.command("DATA")
            if not session.in_data:
                return
        octets = await _stream(shell, f)
    shell.screen.note(f"sent {path} as the message text: {octets} octets")
    await shell.end_data()


async def _stream(shell: Shell, f: BinaryIO) -> int:
    """Copy the file to the server in chunks; the session stuffs dots and fixes line ends."""
    session = shell.session
    octets = 0
    tail = b""
    while chunk := f.read(CHUNK):
        octets += len(chunk)
        if session.transcript is not None:  # the transcript gets every line, as in scripts
            lines = (tail + chunk).split(b"\n")
            tail = lines.pop()
            for raw in lines:
                text = raw.rstrip(b"\r").decode("utf-8", "backslashreplace")
                session.emit(Sent(text, data=True), ui=False)
        await session.data_chunk(chunk)
    if tail and session.transcript is not None:
        session.emit(Sent(tail.decode("utf-8", "backslashreplace"), data=True), ui=False)
    return octets


async def do_caps(shell: Shell, args: list[str]) -> None:
    dialog = shell.session.dialog
    caps = dialog.capabilities
    if not caps.keywords:
        why = "HELO gives none" if dialog.state != "connected" else "send EHLO first"
        shell.screen.note(f"no capabilities known ({why}); EHLO lists them")
        return
    rows = [(k, " ".join(p), keyword_meaning(k) or "") for k, p in caps.keywords.items()]
    kw_w = max(len(r[0]) for r in rows)
    par_w = min(max(len(r[1]) for r in rows), 30)
    tls = " over TLS" if dialog.tls else ""
    out = [f"{caps.domain or 'the server'} advertises{tls}:"]
    out += [f"  {k:<{kw_w}}  {p:<{par_w}}  {m}".rstrip() for k, p, m in rows]
    if caps.size:
        out.append(f"  (SIZE limit: {caps.size} octets, {human_size(caps.size)})")
    shell.screen.out("\n".join(out))


async def do_cert(shell: Shell, args: list[str]) -> None:
    if not shell.session.connected:
        shell.screen.note("not connected")
    else:
        shell.screen.out("\n".join(shell.session.certificate_card()))


async def do_explain(shell: Shell, args: list[str]) -> None:
    from smtpsh.explain import UnknownThing, explain

    if not args:
        return _usage(shell, "explain")
    try:
        shell.screen.out(explain(" ".join(args)))
    except UnknownThing as exc:
        shell.screen.warn(str(exc))


async def do_raw(shell: Shell, text: str) -> None:
    from smtpsh.protocol import unescape

    if not text:
        return _usage(shell, "raw")
    await shell.session.raw(unescape(text))


async def do_clear(shell: Shell, args: list[str]) -> None:
    shell.screen.clear()


def human_size(octets: int) -> str:
    size = float(octets)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{size:.0f} {unit}" if size == int(size) else f"{size:.1f} {unit}"
        size /= 1024
    return f"{octets} B"


HANDLERS: dict[str, Callable[[Shell, list[str]], Awaitable[None]]] = {
    "help": do_help,
    "connect": do_connect,
    "reconnect": do_reconnect,
    "mx": do_mx,
    "close": do_close,
    "quit": do_quit,
    "send": do_send,
    "save": do_save,
    "caps": do_caps,
    "cert": do_cert,
    "explain": do_explain,
    "clear": do_clear,
}
