"""The shell's own commands, set apart from SMTP by the prefix ':' (`:help` lists them).

One registry: `@command(name, args, help, complete=...)` registers a handler with its
argument syntax, its help line and its argument completer. `:help`, the completer (names and
arguments) and the toolbar's syntax hint all read it; the order of registration is the order
of `:help` and of completion.

At the prompt a unique prefix is enough (`:q`). At the data prompt only the exact names are
commands, so that message text starting with ':' still goes out; '::' sends a literal ':' where
a command would match (`::help` sends `:help`), and other lines starting '::' go as typed.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shlex
import time
from collections.abc import Awaitable, Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from prompt_toolkit.completion import CompleteEvent, Completion, PathCompleter
from prompt_toolkit.document import Document

from smtpsh.i18n import _, decimal
from smtpsh.oswords import reason
from smtpsh.protocol import RCPT, Dialog, Reply
from smtpsh.runner import stream_message
from smtpsh.shell import VERBS, human_size, keyword_meaning, matches, verb_syntax

if TYPE_CHECKING:
    from smtpsh.config import Config
    from smtpsh.session import Session
    from smtpsh.settings import Settings
    from smtpsh.shell.screen import Screen
    from smtpsh.shell.state import ShellState

# Marks a sentence for the catalog (tests/test_i18n.py); it is translated where it is shown
# (a command's help line by Command.help_text).
N_ = str
PREFIX = ":"
CHUNK = 1 << 16
KEYS = N_("Tab completes · Up/Down and Ctrl-R search the history · Ctrl-C cancels the line,"
          " or the wait for a reply · Ctrl-D says QUIT and leaves (in DATA: ends the"
          " message); a typed QUIT closes the connection and the shell stays")


class ShellApi(Protocol):
    """What a command uses of the shell (repl.Shell is one; a test may bring another)."""

    settings: Settings
    config: Config
    session: Session
    state: ShellState
    screen: Screen
    done: bool
    progress: Callable[[], str] | None  # what the status line says while :send streams

    async def connect(self, host: str, port: int, *, tls: str = "none",
                      prelude: list[str] | None = None) -> bool: ...

    async def hang_up(self) -> None: ...

    async def command(self, line: str) -> Reply: ...

    async def end_data(self) -> None: ...

    async def drop_message(self) -> None: ...


@dataclass(frozen=True)
class ArgContext:
    """What an argument completer may read, fresh at each keystroke."""

    dialog: Dialog
    addresses: Sequence[str] = ()
    profiles: Sequence[str] = ()
    event: CompleteEvent = CompleteEvent()


# (the text of the arguments before the cursor, the context) -> completions of its end.
ArgCompleter = Callable[[str, ArgContext], Iterable[Completion]]
Handler = Callable[[ShellApi, list[str]], Awaitable[None]]


@dataclass(frozen=True)
class Command:
    name: str
    args: str  # their syntax, for :help and the toolbar
    help: str
    handler: Handler
    complete: ArgCompleter | None = None
    verbatim: bool = False  # the rest of the line is one argument, taken as typed

    @property
    def usage(self) -> str:
        return f"{PREFIX}{self.name} {self.args}".rstrip()

    @property
    def help_text(self) -> str:
        """The help line in the language in use (`help` is the English one)."""
        return _(self.help)


REGISTRY: dict[str, Command] = {}


def command(name: str, args: str, help: str, *, complete: ArgCompleter | None = None,
            verbatim: bool = False) -> Callable[[Handler], Handler]:
    """Register the decorated handler as the shell command `:name`."""

    def register(handler: Handler) -> Handler:
        if name in REGISTRY:
            raise ValueError(f"{PREFIX}{name} is registered twice")
        REGISTRY[name] = Command(name, args, help, handler, complete, verbatim)
        return handler

    return register


def registered() -> list[Command]:
    """Every command, in the order of registration."""
    return list(REGISTRY.values())


def lookup(word: str, exact: bool = False) -> Command | None:
    """The command named by `word` (':name' or 'name'), or by a unique prefix of it."""
    name = word.removeprefix(PREFIX).lower()
    if name in REGISTRY:
        return REGISTRY[name]
    found = [c for n, c in REGISTRY.items() if n.startswith(name)] if name and not exact else []
    return found[0] if len(found) == 1 else None


def is_command(line: str) -> bool:
    """Whether `line` starts with a command name (or a unique prefix of one), as ':name'."""
    if not line.startswith(PREFIX):
        return False
    word = line.strip().partition(" ")[0]
    return lookup(word) is not None


async def run(shell: ShellApi, line: str, in_data: bool = False) -> bool:
    """Run a ':' line; False when it is not a command (at the data prompt: message text)."""
    word, _sep, rest = line.strip().partition(" ")
    cmd = lookup(word, exact=in_data)
    if cmd is None:
        if not in_data:
            shell.screen.warn(_("unknown command {word}; :help lists the shell's commands")
                              .format(word=word))
        return not in_data
    if cmd.verbatim:  # e.g. :raw's text: shlex would eat the backslashes
        args = [rest] if rest else []
    else:
        try:
            args = shlex.split(rest)
        except ValueError as exc:
            shell.screen.warn(f"{PREFIX}{cmd.name}: {exc}")
            return True
    tutor = getattr(shell, "tutor", None)  # a lesson (smtpsh --lesson) follows commands too
    with tutor.command(cmd.name, args) if tutor is not None else contextlib.nullcontext():
        await cmd.handler(shell, args)
    return True


def _usage(shell: ShellApi, name: str) -> None:
    shell.screen.warn(_("usage: {usage}").format(usage=REGISTRY[name].usage))


# --- argument completers ---------------------------------------------------------------


def _offer(word: str, candidates: Iterable[tuple[str, str]]) -> Iterator[Completion]:
    """(text, meaning) candidates that continue `word`, the command's first argument."""
    if " " in word.strip():
        return  # words are offered for the first argument only
    for text, meta in candidates:
        if matches(text, word):
            yield Completion(text, -len(word), display_meta=meta)


def paths(text: str, ctx: ArgContext) -> Iterable[Completion]:
    """A file name (all of the arguments: it may hold spaces); ~ is the home folder."""
    return PathCompleter(expanduser=True).get_completions(Document(text), ctx.event)


def profiles(text: str, ctx: ArgContext) -> Iterable[Completion]:
    return _offer(text, ((p, _("profile in config.toml")) for p in ctx.profiles))


def verbs(text: str, ctx: ArgContext) -> Iterable[Completion]:
    return _offer(text, ((v, verb_syntax(v) or "") for v in VERBS))


def topics(text: str, ctx: ArgContext) -> Iterable[Completion]:
    """What :help knows: the verbs, then the shell's commands."""
    return _offer(text, [*((v, verb_syntax(v) or "") for v in VERBS),
                         *((PREFIX + c.name, c.help_text) for c in registered())])


# --- the commands, in the order :help lists them -----------------------------------------

@command("help", "[VERB|:COMMAND]", N_("this list, or all about one verb or command"),
         complete=topics)
async def do_help(shell: ShellApi, args: list[str]) -> None:
    if not args:
        width = max(len(f"{PREFIX}{c.name} {c.args}") for c in registered())
        out = [_("Shell commands:")]
        out += [f"  {f'{PREFIX}{c.name} {c.args}':<{width}}  {c.help_text}"
                for c in registered()]
        out += [_("SMTP verbs (typed as is, lower case works; :help VERB for more):")]
        out += [f"  {verb_syntax(v)}" for v in VERBS]
        out += [_("Keys: ") + _(KEYS)]
        shell.screen.out("\n".join(out))
        return
    topic = args[0]
    verb = topic.upper()
    # A verb wins over a command of the same name given without ':' (QUIT, HELP).
    if not topic.startswith(PREFIX) and verb_syntax(verb) is not None:
        from smtpsh.explain import explain

        shell.screen.out(explain(verb))  # syntax, parameters, replies, RFC: as :explain VERB
        return
    cmd = lookup(topic) if topic.startswith(PREFIX) or topic.lower() in REGISTRY else None
    if cmd is not None:
        shell.screen.out(f"{cmd.usage}\n  {cmd.help_text}")
        return
    shell.screen.warn(_("no help on {topic}; :help lists the verbs and commands").format(
        topic=topic))


@command("connect", "HOST [PORT] | PROFILE", N_("connect to another server"),
         complete=profiles)
async def do_connect(shell: ShellApi, args: list[str]) -> None:
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
        shell.screen.warn(_("bad port {port}: give a number from 1 to 65535").format(
            port=repr(port)))
        return
    await shell.connect(args[0], int(port))


@command("reconnect", "", N_("connect again to the last server"))
async def do_reconnect(shell: ShellApi, args: list[str]) -> None:
    state = shell.state
    if not state.host:
        shell.screen.warn(_("no server yet: :connect HOST [PORT]"))
        return
    await shell.connect(state.host, state.port, tls=state.tls_mode, prelude=state.prelude)


@command("mx", "DOMAIN|ADDRESS [connect]",
         N_("which server an MTA would pick for a domain, and why; `connect` goes there"))
async def do_mx(shell: ShellApi, args: list[str]) -> None:
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


@command("check", "DOMAIN|ADDRESS",
         N_("report card of a mail domain: DNS, SMTP, TLS, DANE, MTA-STS, TLS-RPT (as --check)"))
async def do_check(shell: ShellApi, args: list[str]) -> None:
    from dataclasses import replace

    from smtpsh.check.card import run
    from smtpsh.findings import render_card

    if len(args) != 1:
        return _usage(shell, "check")
    port = shell.settings.port if shell.settings.check else 25
    shell.screen.note(_("checking the MX hosts of {domain} (port {port}): only reads, no mail")
                      .format(domain=args[0], port=port))
    try:
        outcome = await run(args[0], replace(shell.settings, host=args[0], port=port))
    except ValueError as exc:
        shell.screen.warn(str(exc))
        return
    shell.screen.show(render_card(outcome.card, shell.screen.columns()))


@command("timing", "", N_("how long each stage of this connection took: connect, greeting,"
         " TLS handshake, each command"))
async def do_timing(shell: ShellApi, args: list[str]) -> None:
    timings = shell.session.timings
    if not timings:
        shell.screen.note(_("nothing timed yet: :connect HOST [PORT] first"))
        return
    # The session's stages by their English names; a command's by its line.
    names = {"connect": _("connect"), "greeting": _("greeting"),
             "TLS handshake": _("TLS handshake"), _(GREETING_STAGE): _("greeting")}
    rows = [(names.get(stage, stage), decimal(s * 1000, 1)) for stage, s in timings]
    rows.append((_("total"), decimal(sum(s for _st, s in timings) * 1000, 1)))
    ms_w = max(len("ms"), *(len(ms) for _st, ms in rows))
    room = max(shell.screen.columns() - 1 - 2 - 2 - ms_w, 8)  # indent, gap, the ms column
    stage_w = min(max(len(_("stage")), *(len(st) for st, _ms in rows)), room)

    def cut(text: str) -> str:
        return text if len(text) <= stage_w else text[:stage_w - 1] + "…"

    out = [f"  {_('stage'):<{stage_w}}  {'ms':>{ms_w}}"]
    out += [f"  {cut(st):<{stage_w}}  {ms:>{ms_w}}" for st, ms in rows]
    shell.screen.out("\n".join(out))


GREETING_STAGE = "the connection (greeting)"  # how the session names the greeting's wait


@command("close", "", N_("say QUIT and close the connection"))
async def do_close(shell: ShellApi, args: list[str]) -> None:
    await shell.hang_up()


@command("quit", "", N_("say QUIT and leave (also Ctrl-D)"))
async def do_quit(shell: ShellApi, args: list[str]) -> None:
    await shell.hang_up()
    shell.done = True


@command("send", "FILE",
         N_("send FILE as the message text and end it; DATA first if needed"), complete=paths)
async def do_send(shell: ShellApi, args: list[str]) -> None:
    if len(args) != 1:
        return _usage(shell, "send")
    path = os.path.expanduser(args[0])
    try:
        f = open(path, "rb")  # noqa: SIM115 - closed below, after the DATA command
    except OSError as exc:
        shell.screen.warn(_("cannot read {path}: {error}").format(path=path, error=reason(exc)))
        return
    with f:
        session = shell.session
        if not session.in_data:
            if session.dialog.state != RCPT:
                shell.screen.warn(_("no recipient accepted yet; sending DATA anyway"))
            await shell.command("DATA")
            if not session.in_data:
                return
        # The one message streamer (as for a script's message): the transcript gets every
        # line, the screen the first ones, and the octets counted are those on the wire.
        meter = Meter(os.path.basename(path), os.fstat(f.fileno()).st_size, f.tell,
                      lambda: session.client.encoder.octets if session.client.encoder else 0)
        shell.progress = meter.line
        try:
            await stream_message(session, iter(lambda: f.read(CHUNK), b""), echo=0, end=False)
        except asyncio.CancelledError:  # Ctrl-C: no final dot, the connection closed
            await shell.drop_message()
            raise
        finally:
            shell.progress = None
        octets, seconds = meter.wire(), time.monotonic() - meter.started
    shell.screen.note(_("sent {path} as the message text: {octets} octets on the wire in"
                        " {seconds} s ({rate}/s)").format(
                            path=path, octets=octets, seconds=decimal(seconds, 1),
                            rate=human_size(int(octets / max(seconds, 1e-3)))))
    await shell.end_data()


class Meter:
    """The progress of :send, as one line: bar, share, rate and time left."""

    WIDTH = 20  # the bar's

    def __init__(self, name: str, size: int, done: Callable[[], int],
                 wire: Callable[[], int]) -> None:
        self.name, self.size, self.done, self.wire = name, size, done, wire
        self.started = time.monotonic()

    def line(self, now: float | None = None) -> str:
        seconds = max((time.monotonic() if now is None else now) - self.started, 1e-3)
        done, wire = min(self.done(), self.size), self.wire()
        share = done / self.size if self.size else 1.0
        filled = int(share * self.WIDTH)
        bar = "#" * filled + "." * (self.WIDTH - filled)
        rate = wire / seconds
        left = (self.size - done) / (done / seconds) if done else None
        eta = f"ETA {left:.0f} s" if left is not None else "ETA ?"
        return _("sending {name} [{bar}] {share} · {done} of {size} · {wire} on the wire ·"
                 " {rate}/s · {eta}").format(
                     name=self.name, bar=bar, share=f"{share:4.0%}", done=human_size(done),
                     size=human_size(self.size), wire=human_size(wire),
                     rate=human_size(int(rate)), eta=eta)


@command("save", "FILE", N_("write this session so far to FILE"), complete=paths)
async def do_save(shell: ShellApi, args: list[str]) -> None:
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
        shell.screen.warn(_("cannot write {path}: {error}").format(path=path,
                                                                   error=reason(exc)))
        return
    shell.screen.note(_("saved {count} lines to {path}").format(count=len(shell.screen.lines),
                                                                path=path))


@command("export", "swaks|curl|openssl|python", N_("print the command that reproduces this"
         " connection's dialog with another tool (secrets as placeholders)"),
         complete=lambda text, ctx: (Completion(f, -len(text)) for f in
                                     ("swaks", "curl", "openssl", "python")
                                     if f.startswith(text)))
async def do_export(shell: ShellApi, args: list[str]) -> None:
    from smtpsh import export, replay

    if len(args) != 1 or args[0] not in export.FORMATS:
        return _usage(shell, "export")
    history = shell.session.events.history
    try:
        dialog = replay.parse([f"{d} {t}" for d, t in history])
    except replay.ReplayError:
        shell.screen.warn(_("nothing to export yet: :connect HOST [PORT] and talk first"))
        return
    shell.screen.out(export.export(args[0], dialog, shell.state.host, shell.state.port,
                                   shell.state.tls_mode).rstrip("\n"))


@command("caps", "", N_("the server's EHLO capabilities as a table"))
async def do_caps(shell: ShellApi, args: list[str]) -> None:
    dialog = shell.session.dialog
    caps = dialog.capabilities
    if not caps.keywords:
        shell.screen.note(_("no capabilities known (HELO gives none); EHLO lists them")
                          if dialog.state != "connected" else
                          _("no capabilities known (send EHLO first); EHLO lists them"))
        return
    rows = [(k, " ".join(p), keyword_meaning(k) or "") for k, p in caps.keywords.items()]
    kw_w = max(len(r[0]) for r in rows)
    par_w = min(max(len(r[1]) for r in rows), 30)
    if caps.domain:
        head = (_("{server} advertises over TLS:") if dialog.tls else
                _("{server} advertises:")).format(server=caps.domain)
    else:
        head = _("the server advertises over TLS:") if dialog.tls else _("the server advertises:")
    out = [head]
    out += [f"  {k:<{kw_w}}  {p:<{par_w}}  {m}".rstrip() for k, p, m in rows]
    if caps.size:
        out.append(_("  (SIZE limit: {octets} octets, {size})").format(
            octets=caps.size, size=human_size(caps.size)))
    shell.screen.out("\n".join(out))


@command("cert", "", N_("the TLS facts and the server's certificate"))
async def do_cert(shell: ShellApi, args: list[str]) -> None:
    if not shell.session.connected:
        shell.screen.note(_("not connected"))
    else:
        shell.screen.out("\n".join(shell.session.certificate_card()))


@command("explain", "CODE|LINE|VERB|KEYWORD",
         N_("what a reply code, enhanced code, reply line, verb or keyword means"),
         complete=verbs)
async def do_explain(shell: ShellApi, args: list[str]) -> None:
    from smtpsh.explain import UnknownThing, explain

    if not args:
        return _usage(shell, "explain")
    try:
        shell.screen.out(explain(" ".join(args)))
    except UnknownThing as exc:
        shell.screen.warn(str(exc))


@command("raw", "TEXT", N_("send TEXT as bytes, exactly: no CRLF added, no dot-stuffing;"
         " \\r \\n \\t \\\\ \\xNN escapes (e.g. :raw DATA\\n)"), verbatim=True)
async def do_raw(shell: ShellApi, args: list[str]) -> None:
    from smtpsh.protocol import unescape

    if not args:
        return _usage(shell, "raw")
    await shell.session.raw(unescape(args[0]))


@command("clear", "", N_("clear the screen"))
async def do_clear(shell: ShellApi, args: list[str]) -> None:
    shell.screen.clear()


@command("probe", "NAME[,NAME...] | list",
         N_("run --probe's checks against this server, on connections of their own; the"
         " envelope from --from/--to"))
async def do_probe(shell: ShellApi, args: list[str]) -> None:
    from smtpsh.findings import render_card
    from smtpsh.probes import listing, names
    from smtpsh.probes.cli import probe_card

    if len(args) != 1:
        return _usage(shell, "probe")
    if args[0].lower() == "list":
        shell.screen.out(listing())
        return
    if not shell.state.host:
        shell.screen.warn(_("no server yet: :connect HOST [PORT]"))
        return
    try:
        names(args[0])
    except ValueError as exc:
        shell.screen.warn(str(exc))
        return
    from dataclasses import replace

    settings = replace(shell.settings, probe=args[0])
    shell.screen.note(_("probing {host} port {port}: {probes}").format(
        host=shell.state.host, port=shell.state.port, probes=args[0]))
    card, stopped = await probe_card(settings, shell.state.host, shell.state.port)
    if stopped is not None:
        card.summary = _("stopped: {reason}").format(reason=stopped)
    shell.screen.show(render_card(card, shell.screen.columns()))


def _x_attributes(verb: str) -> Callable[[str, ArgContext], Iterable[Completion]]:
    """Complete ATTR= from the attributes the server listed after XCLIENT/XFORWARD."""
    def complete(text: str, ctx: ArgContext) -> Iterable[Completion]:
        from smtpsh.xclient import XCLIENT_ATTRS, XFORWARD_ATTRS

        word = text.rsplit(" ", 1)[-1]
        offered = ctx.dialog.capabilities.keywords.get(verb) or \
            (XCLIENT_ATTRS if verb == "XCLIENT" else XFORWARD_ATTRS)
        return (Completion(f"{a}=", -len(word)) for a in offered
                if "=" not in word and matches(f"{a}=", word))
    return complete


async def _x_command(shell: ShellApi, verb: str, args: list[str]) -> None:
    from smtpsh.xclient import build

    dialog = shell.session.dialog
    offered = dialog.capabilities.keywords.get(verb, ())
    if verb not in dialog.capabilities.keywords:
        shell.screen.note(_("the server did not offer {verb} in its EHLO reply (Postfix offers"
                            " it only to smtpd_authorized_{lower}_hosts): sending anyway")
                          .format(verb=verb, lower=verb.lower()))
    try:
        line, warnings = build(verb, args, offered)
    except ValueError as exc:
        shell.screen.warn(str(exc))
        return _usage(shell, verb.lower())
    for w in warnings:
        shell.screen.note(w)
    reply = await shell.command(line)
    if reply.code == 550:
        shell.screen.note(_("{verb} refused: this client is not in the server's"
                            " smtpd_authorized_{lower}_hosts (Postfix: 550 5.7.0 insufficient"
                            " authorization); the session goes on unchanged").format(
                                verb=verb, lower=verb.lower()))
    elif verb == "XCLIENT" and reply.code == 220:
        shell.screen.note(_("XCLIENT accepted: the 220 is a new greeting, the session starts"
                            " over as if from the claimed client: capabilities forgotten, say"
                            " EHLO again"))


@command("xclient", "ATTR=VALUE ...", N_("Postfix XCLIENT: claim another client (ADDR= NAME="
         " HELO= PORT= PROTO= LOGIN=), values xtext-encoded; a 220 is a new session"),
         complete=_x_attributes("XCLIENT"))
async def do_xclient(shell: ShellApi, args: list[str]) -> None:
    await _x_command(shell, "XCLIENT", args)


@command("xforward", "ATTR=VALUE ...", N_("Postfix XFORWARD: the original client's details for"
         " the next message (ADDR= NAME= HELO= PROTO= SOURCE= IDENT=), values xtext-encoded"),
         complete=_x_attributes("XFORWARD"))
async def do_xforward(shell: ShellApi, args: list[str]) -> None:
    await _x_command(shell, "XFORWARD", args)


@command("rule", "[stage=STAGE match=PATTERN reply=\"CODE text\" attempts=N delay=SECS"
         " disconnect=true | list | del N | clear]",
         N_("the sandbox's fault rules: add one, list them, delete one, clear them"))
async def do_rule(shell: ShellApi, args: list[str]) -> None:
    sandbox = getattr(shell, "sandbox", None)
    if sandbox is None:
        shell.screen.warn(_(":rule changes the sandbox's answers: start it with smtpsh"
                            " --sandbox"))
        return
    from smtpsh.sandbox_rules import STAGES, make_rule

    rules = sandbox.options.rules
    if not args or args == ["list"]:
        if not rules.rules:
            shell.screen.note(_("no rules: the sandbox answers normally; stages: {stages}")
                              .format(stages=", ".join(STAGES)))
        for n, rule in enumerate(list(rules.rules), 1):
            shell.screen.note(_("rule {number}: {rule}").format(number=n, rule=rule.describe()))
        return
    if args == ["clear"]:
        rules.clear()
        shell.screen.note(_("rules cleared: the sandbox answers normally"))
        return
    if args[0] in ("del", "delete") and len(args) == 2 and args[1].isdigit():
        try:
            gone = rules.remove(int(args[1]) - 1)
        except IndexError:
            shell.screen.warn(_("no rule {number}: :rule list shows them").format(
                number=args[1]))
            return
        shell.screen.note(_("rule deleted: {rule}").format(rule=gone.describe()))
        return
    values: dict[str, str] = {}
    for word in args:
        key, eq, value = word.partition("=")
        if not eq:
            _usage(shell, "rule")
            return
        values[key.strip().lower()] = value
    try:
        rule = make_rule(values)
    except ValueError as exc:
        shell.screen.warn(f":rule: {exc}")
        return
    rules.add(rule)
    shell.screen.note(_("rule {number}: {rule}").format(number=len(rules.rules),
                                                        rule=rule.describe()))


def _sandbox(shell: ShellApi, name: str) -> Any:
    sandbox = getattr(shell, "sandbox", None)
    if sandbox is None:
        shell.screen.warn(_(":{name} reads the sandbox's saved messages: start it with smtpsh"
                            " --sandbox").format(name=name))
    return sandbox


@command("messages", "", N_("the sandbox's saved messages: number, from, to, subject,"
                               " size"))
async def do_messages(shell: ShellApi, args: list[str]) -> None:
    from smtpsh.received import terminal_width
    from smtpsh.sandbox import message_listing

    sandbox = _sandbox(shell, "messages")
    if sandbox is not None:
        shell.screen.out(message_listing(sandbox.messages(), terminal_width()))


@command("show", "N", N_("one of the sandbox's saved messages: its Received chain and"
                         " forensics, then its text"))
async def do_show(shell: ShellApi, args: list[str]) -> None:
    from smtpsh.received import terminal_width

    sandbox = _sandbox(shell, "show")
    if sandbox is None:
        return
    if len(args) != 1 or not args[0].isdigit():
        return _usage(shell, "show")
    found = [m for m in sandbox.messages() if m.number == int(args[0])]
    if not found:
        shell.screen.warn(_("no message {number}: :messages lists them").format(number=args[0]))
        return
    # DKIM and ARC keys only through a nameserver given, never the system's resolver.
    nameserver = getattr(getattr(shell, "settings", None), "nameserver", None)
    shell.screen.out(found[0].show(terminal_width(), nameserver=nameserver))


@command("answer", "TEXT", N_("answer the question of the lesson's step (smtpsh --lesson N)"),
         verbatim=True)
async def do_answer(shell: ShellApi, args: list[str]) -> None:
    tutor = getattr(shell, "tutor", None)
    if tutor is None:
        shell.screen.warn(_(":answer answers a lesson's question: smtpsh --lesson lists the"
                            " lessons"))
    elif not args or not args[0].strip():
        _usage(shell, "answer")
    else:
        tutor.answer(args[0])


@command("lesson", "", N_("in a lesson: its task now, the hint for it, and how far you are"))
async def do_lesson(shell: ShellApi, args: list[str]) -> None:
    tutor = getattr(shell, "tutor", None)
    if tutor is None:
        shell.screen.warn(_(":lesson shows the task and hint of a lesson: smtpsh --lesson lists"
                            " the lessons"))
    else:
        shell.screen.out(tutor.status())


@command("server", "[on|off]", N_("the sandbox's side of the dialog, as its server sees it,"
                                  " shown among yours (on), or not (off)"))
async def do_server(shell: ShellApi, args: list[str]) -> None:
    sandbox = getattr(shell, "sandbox", None)
    if sandbox is None:
        shell.screen.warn(_(":server shows the sandbox's side: start it with smtpsh --sandbox"))
        return
    if args not in ([], ["on"], ["off"]):
        return _usage(shell, "server")
    on = not sandbox.options.view if not args else args[0] == "on"
    sandbox.options.view = on
    shell.screen.note(_("the server's view is on: each line as the sandbox reads and answers"
                        " it, marked #N for its client") if on else
                      _("the server's view is off"))
