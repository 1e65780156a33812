"""--replay, --compare and --export: a dialog run through the line runner against one server
or two, and what the runs say side by side (the parsing and the tables are in replay.py,
the commands of other tools in export.py)."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING

from smtpsh import replay
from smtpsh.events import Note, Warn
from smtpsh.exitcodes import Exit, Failure
from smtpsh.i18n import _
from smtpsh.oswords import reason
from smtpsh.protocol import Reply
from smtpsh.runner import Runner
from smtpsh.script import ScriptInput, ScriptInteraction
from smtpsh.script import run as run_script
from smtpsh.session import Session

if TYPE_CHECKING:
    from smtpsh.render import Printer
    from smtpsh.settings import Settings
    from smtpsh.transcript import Redactor, Transcript


@dataclass(frozen=True)
class ReplayOptions:
    replay: str | None = None  # the file to replay
    strict: bool = False  # compare the reply text too
    compare: tuple[str, int] | None = None  # the second server
    export: str | None = None  # swaks, curl, openssl, python


class ReplayInteraction(ScriptInteraction):
    """The script's lines answer AUTH, as in script mode; a '*' stands for every input of an
    AUTH the file shows refused before it asked: if this server asks, the first cancels and
    the others go with it (they are never sent as commands)."""

    async def ask(self, prompt: str, secret: bool) -> str | None:
        line = self.inp.readline()
        if line == "*":
            while (more := self.inp.readline()) == "*":
                pass
            if more is not None:
                self.inp.unread(more)
        return line


def read_file(path: str) -> replay.Recording:
    try:
        with open(path, encoding="utf-8", errors="surrogateescape") as f:
            text = f.read()
    except OSError as exc:
        raise Failure(_("cannot read {path}: {error}").format(path=path, error=reason(exc)),
                      Exit.ERROR) from None
    try:
        return replay.parse(text)
    except replay.ReplayError as exc:
        raise Failure(f"{path}: {exc}", Exit.USAGE) from None


def secrets(recording: replay.Recording, creds: dict[str, str], source: str) -> list[str]:
    """The script with the secrets the file hides: from --user, SMTPSH_PASSWORD,
    SMTPSH_TOKEN/--token-file, else asked on a terminal; never guessed."""
    interactive = sys.stdin is not None and sys.stdin.isatty()

    def provide(need: replay.Need) -> str | None:
        key = {"user": "user", "password": "password", "token": "token"}.get(need.kind)
        if key and key in creds:
            return creds[key]
        if not interactive:
            return None
        import getpass

        what = {"user": _("User name"), "password": _("Password"), "token": _("OAuth token"),
                "text": _("The text hidden as [redacted]")}[need.kind]
        prompt = _("{file} line {number} ({shown}): {what}: ").format(
            file=source, number=need.line, shown=need.shown.strip(), what=what)
        try:
            if need.kind == "user":
                sys.stderr.write(prompt)
                sys.stderr.flush()
                return sys.stdin.readline().rstrip("\n") or None
            return getpass.getpass(prompt) or None
        except (EOFError, KeyboardInterrupt):
            return None

    try:
        return replay.resolve(recording, provide, source)
    except replay.ReplayError as exc:
        raise Failure(str(exc), Exit.USAGE) from None


class Runs:
    """The sessions of one invocation, all printing to one printer."""

    def __init__(self, settings: Settings, creds: dict[str, str], transcript: Transcript | None,
                 redactor: Redactor, printer: Printer) -> None:
        self.settings, self.creds = settings, creds
        self.transcript, self.redactor, self.printer = transcript, redactor, printer
        self.session: Session | None = None
        self.histories: list[list[tuple[str, str]]] = []  # each run's dialog (for export)

    async def run(self, host: str, port: int, lines: list[str],
                  prelude: list[str]) -> tuple[int, list[tuple[str, list[Reply]]]]:
        inp = ScriptInput(lines=lines)
        session = Session(self.printer, self.settings.connect_options(), self.transcript,
                          self.redactor, ReplayInteraction(inp, self.settings.plain_auth),
                          self.creds)
        self.printer.tls = lambda: bool(session.transport and session.transport.tls)
        if self.transcript is not None:
            self.transcript.on_error = session.warn
        self.session = session
        runner = Runner(session, pipeline=self.settings.pipeline)
        status = await run_script(session, inp, host, port, None, prelude,
                                  require_tls=self.settings.starttls,
                                  pipeline=self.settings.pipeline, runner=runner)
        self.histories.append(list(session.events.history))
        return status, runner.steps

    def say(self, text: str, warn: bool = False) -> None:
        event = Warn(text) if warn else Note(text)
        if self.session is not None:
            self.session.emit(event)
        else:
            self.printer(event)


def _where(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _show(runs: Runs, rows: list[replay.Row], titles: tuple[str, str],
          only_differences: bool) -> None:
    from smtpsh.received import terminal_width

    width = terminal_width(runs.printer.stream)
    for differs, text in replay.table(rows, titles, width, only_differences):
        runs.say(text, warn=differs)


async def run(settings: Settings, creds: dict[str, str], transcript: Transcript | None,
              redactor: Redactor, printer: Printer, opts: ReplayOptions) -> int:
    from smtpsh.settings import prelude as prelude_of

    runs = Runs(settings, creds, transcript, redactor, printer)
    host, port = settings.host or "", settings.port
    recording: replay.Recording | None = None
    try:
        if opts.replay:
            recording = read_file(opts.replay)
            lines = secrets(recording, creds, opts.replay)
            prelude: list[str] = []
            for w in recording.warnings:
                runs.say(f"{opts.replay}: {w}", warn=True)
            runs.say(_("replaying {file} ({form}, {count} steps) against {server}").format(
                file=opts.replay, form=recording.form, count=len(recording.steps),
                server=_where(host, port)))
        else:
            lines = _stdin_lines(settings)
            prelude = prelude_of(settings)
    except Failure as exc:
        runs.say(str(exc), warn=True)
        return exc.exit
    status, steps = await runs.run(host, port, lines, prelude)
    exit_status = status
    what = _("code, enhanced code and text") if opts.strict else _("code and enhanced code")
    if recording is not None and opts.compare is None:
        rows = replay.compare(recording.recorded(), steps, strict=opts.strict,
                              lines=[s.line for s in recording.steps])
        differ = [r for r in rows if not r.same]
        if differ:
            _show(runs, rows, (_("recorded"), _("got")), only_differences=True)
            runs.say(_("replay: {count} of {total} steps differ from {file} ({what})").format(
                count=len(differ), total=len(rows), file=opts.replay, what=what), warn=True)
            exit_status = Exit.EXPECT
        else:
            runs.say(_("replay: all {total} steps as recorded ({what})").format(
                total=len(rows), what=what))
            exit_status = Exit.OK
    if opts.compare is not None:
        host2, port2 = opts.compare
        runs.say(_("the same dialog against {server}").format(server=_where(host2, port2)))
        status2, steps2 = await runs.run(host2, port2, lines, prelude)
        rows = replay.compare(steps, steps2, strict=opts.strict, keywords=True)
        _show(runs, rows, (_where(host, port), _where(host2, port2)), only_differences=False)
        differ = [r for r in rows if not r.same]
        if differ:
            runs.say(_("compare: {count} of {total} steps differ ({what}; EHLO keywords as"
                       " sets)").format(count=len(differ), total=len(rows), what=what),
                     warn=True)
            exit_status = Exit.EXPECT
        else:
            runs.say(_("compare: all {total} steps alike ({what}; EHLO keywords as sets)")
                     .format(total=len(rows), what=what))
            exit_status = Exit.OK if recording is not None else max(status, status2)
    if opts.export:
        from smtpsh.export import export

        history = runs.histories[0]  # with --compare, the first server's dialog
        dialog = replay.parse([f"{d} {t}" for d, t in history]) if history else None
        if dialog is None:
            runs.say(_("nothing to export: no dialog took place"), warn=True)
        else:
            printer.flush()
            tls = "implicit" if settings.implicit_tls else "none"
            sys.stdout.write(export(opts.export, dialog, host, port, tls))
            sys.stdout.flush()
    return exit_status


def _stdin_lines(settings: Settings) -> list[str]:
    """The dialog from -c lines or stdin, read whole (it may run twice)."""
    if settings.commands:
        return list(settings.commands)
    if sys.stdin is None:
        return []
    data = sys.stdin.buffer.read()
    return data.decode("utf-8", "surrogateescape").splitlines()
