"""Command line: arguments -> Settings, then the mode (script, shell, sandbox, explain...).

Imports stay light here: `smtpsh --version` and script mode must not pay for prompt_toolkit,
dnspython or aiosmtpd, so each mode imports what it needs when it runs.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from smtpsh import __version__
from smtpsh.exitcodes import Exit

if TYPE_CHECKING:
    from smtpsh.sandbox import Sandbox
    from smtpsh.session import Session

EPILOG = """\
exit status: 0 the dialog ran to its end with no 4xx/5xx reply; 1 local error; 2 bad
arguments; 3 could not connect; 4 timeout; 5 connection lost; 6 TLS failure; 7 a 4xx reply;
8 a 5xx reply; 9 --mx: the domain accepts no mail; 10 --mx: DNS failure or no server reached.
See docs/reference.md."""


class UsageError(Exception):
    pass


@dataclass
class Settings:
    host: str | None = None
    port: int = 25
    commands: list[str] = field(default_factory=list)
    timeout: float = 30.0
    family: int = 0
    source: str | None = None
    transcript: str | None = None
    color: str = "auto"
    sandbox: bool = False
    serve: int | None = None  # --serve: run only the sandbox server (0: a free port)
    sandbox_dir: str | None = None


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        # One clear line instead of argparse's usage block.
        self.exit(Exit.USAGE, f"smtpsh: {message} (see smtpsh --help)\n")


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="smtpsh",
        description="An interactive SMTP shell: talk to a mail server by hand, with help.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("target", nargs="?", metavar="TARGET",
                   help="server as host, host:port, [v6addr]:port")
    p.add_argument("port_arg", nargs="?", metavar="PORT", help="port, as telnet takes it")
    p.add_argument("-p", "--port", type=int, help="port (default 25)")
    p.add_argument("-c", "--command", action="append", default=[], metavar="LINE",
                   help="run this line as if typed (repeatable); then quit")
    p.add_argument("--timeout", type=float, default=30.0, metavar="SECS",
                   help="seconds to wait for the connection and for each reply (default 30)")
    fam = p.add_mutually_exclusive_group()
    fam.add_argument("-4", dest="family", action="store_const", const=4, help="IPv4 only")
    fam.add_argument("-6", dest="family", action="store_const", const=6, help="IPv6 only")
    p.add_argument("--source", metavar="ADDR", help="local address to connect from")
    p.add_argument("--transcript", metavar="FILE", help="append the session to FILE")
    p.add_argument("--color", choices=("auto", "always", "never"), default="auto",
                   help="colour the output (default auto; NO_COLOR is honoured)")
    p.add_argument("--sandbox", action="store_true",
                   help="start a local SMTP server on loopback and connect to it")
    p.add_argument("--serve", nargs="?", type=int, const=0, metavar="PORT",
                   help="with --sandbox: only run the server (on PORT) until Ctrl-C")
    p.add_argument("--sandbox-dir", metavar="DIR", help="where the sandbox saves messages")
    p.add_argument("--version", action="version", version=f"smtpsh {__version__}")
    return p


def parse_target(target: str, port_arg: str | None, port_opt: int | None) -> tuple[str, int]:
    """host, host:port, [v6]:port, [v6], bare v6, or host + port as telnet takes them."""
    host, port = target, None
    if target.startswith("["):
        end = target.find("]")
        if end < 0:
            raise UsageError(f"missing ']' in {target!r}")
        host, rest = target[1:end], target[end + 1:]
        if rest:
            if not rest.startswith(":"):
                raise UsageError(f"cannot read {target!r}: expected [address]:port")
            port = rest[1:]
    elif target.count(":") == 1:
        host, port = target.split(":")
    if not host:
        raise UsageError(f"no host in {target!r}")
    given = [x for x in (port, port_arg, None if port_opt is None else str(port_opt)) if x]
    if len(set(given)) > 1:
        raise UsageError(f"the port is given twice ({' and '.join(given)})")
    value = given[0] if given else "25"
    if not value.isdigit() or not 0 < int(value) < 65536:
        raise UsageError(f"bad port {value!r}: give a number from 1 to 65535")
    return host, int(value)


def settings_from_args(ns: argparse.Namespace) -> Settings:
    s = Settings(commands=ns.command, timeout=ns.timeout, source=ns.source,
                 transcript=ns.transcript, color=ns.color, sandbox=ns.sandbox,
                 serve=ns.serve, sandbox_dir=ns.sandbox_dir)
    if ns.timeout <= 0:
        raise UsageError("--timeout must be more than 0 seconds")
    import socket

    s.family = {4: socket.AF_INET, 6: socket.AF_INET6}.get(ns.family or 0, 0)
    if ns.serve is not None and not ns.sandbox:
        raise UsageError("--serve goes with --sandbox")
    if ns.sandbox:
        if ns.target:
            raise UsageError("--sandbox starts its own server: give no TARGET")
        return s
    if not ns.target:
        raise UsageError("no server given: smtpsh HOST [PORT], or smtpsh --sandbox")
    s.host, s.port = parse_target(ns.target, ns.port_arg, ns.port)
    return s


def main(argv: list[str] | None = None) -> None:
    try:
        ns = build_parser().parse_args(argv)
        settings = settings_from_args(ns)
    except UsageError as exc:
        sys.stderr.write(f"smtpsh: {exc} (see smtpsh --help)\n")
        sys.exit(Exit.USAGE)
    try:
        sys.exit(run(settings))
    except KeyboardInterrupt:
        sys.stderr.write("smtpsh: interrupted\n")
        sys.exit(130)


def run(settings: Settings) -> int:
    import asyncio

    from smtpsh.render import Printer, use_color
    from smtpsh.script import ScriptInput
    from smtpsh.script import run as run_script
    from smtpsh.session import ConnectOptions, Session
    from smtpsh.transcript import Redactor, Transcript

    redactor = Redactor()
    transcript = None
    if settings.transcript:
        try:
            transcript = Transcript(settings.transcript, redactor)
        except OSError as exc:
            sys.stderr.write(f"smtpsh: cannot write the transcript {settings.transcript}: "
                             f"{exc.strerror}\n")
            return Exit.ERROR
    printer = Printer(use_color(settings.color, sys.stdout))
    options = ConnectOptions(timeout=settings.timeout, family=settings.family,
                             source=settings.source)

    async def go() -> int:
        session = Session(printer, options, transcript, redactor)
        sandbox = None
        host, port = settings.host or "", settings.port
        if settings.sandbox:
            sandbox = _start_sandbox(settings, session)
            if settings.serve is not None:
                return await _serve(sandbox)
            host, port = "127.0.0.1", sandbox.port
        if settings.commands:
            inp = ScriptInput(lines=settings.commands)
        else:
            inp = ScriptInput(sys.stdin.buffer)
        try:
            return await run_script(session, inp, host, port)
        finally:
            if sandbox is not None:
                sandbox.stop()

    try:
        return asyncio.run(go())
    finally:
        if transcript is not None:
            transcript.close()


def _start_sandbox(settings: Settings, session: Session) -> Sandbox:
    import asyncio

    from smtpsh.sandbox import Sandbox

    loop = asyncio.get_running_loop()
    # The server runs in its own thread; its reports join the dialog through our loop.
    sandbox = Sandbox(lambda text: loop.call_soon_threadsafe(session.note, text),
                      port=settings.serve or None, folder=settings.sandbox_dir)
    try:
        sandbox.start()
    except OSError as exc:
        raise SystemExit(f"smtpsh: cannot start the sandbox on port {sandbox.port}: "
                         f"{exc.strerror}") from None
    session.note(f"sandbox: SMTP server on 127.0.0.1 port {sandbox.port}; messages are saved"
                 f" in {sandbox.folder}")
    return sandbox


async def _serve(sandbox: Sandbox) -> int:
    import asyncio

    print("sandbox: serving until Ctrl-C", flush=True)
    try:
        while True:
            await asyncio.sleep(3600)
    except asyncio.CancelledError:
        return Exit.OK
    finally:
        sandbox.stop()

