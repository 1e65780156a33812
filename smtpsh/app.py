"""The program: arguments -> Settings, then the mode (script, shell, sandbox, explain...).

Imports stay light here: `smtpsh --version` and script mode must not pay for prompt_toolkit,
dnspython or aiosmtpd, so each mode imports what it needs when it runs.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from smtpsh import __version__
from smtpsh.exitcodes import Exit, Failure
from smtpsh.i18n import N_, _
from smtpsh.settings import TLS_VERSIONS, Settings, TlsOptions, local_name, prelude

if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    from smtpsh.findings import Card
    from smtpsh.render import Printer
    from smtpsh.replayrun import ReplayOptions
    from smtpsh.sandbox import Sandbox
    from smtpsh.session import ConnectOptions, Session
    from smtpsh.transcript import Redactor, Transcript

def _epilog() -> str:
    from smtpsh.exitcodes import MEANING

    rows = "\n".join(f"  {int(code):>3}  {_(text)}" for code, text in MEANING.items())
    return _("exit status:") + f"\n{rows}\n" + _("See docs/reference.md for everything.")


def _lang_in(argv: list[str]) -> str | None:
    """--lang's value, read before the parser is built: its help and errors are worded in
    the language chosen (argparse would take --la and --lan too)."""
    for i, arg in enumerate(argv):
        if arg == "--":
            break
        name, eq, value = arg.partition("=")
        if len(name) >= 4 and "--lang".startswith(name):
            if not eq:
                value = argv[i + 1] if i + 1 < len(argv) else ""
            if value in ("en", "de"):
                return value
    return None


def _argparse_speaks_german() -> None:
    """argparse's own words ("usage:", "options", its error messages) through our catalog.

    argparse looks up its module-level `_` and `ngettext` (gettext's, with no catalog for
    it) each time it words something, so replacing those two is enough; done only when
    German is chosen, English runs keep gettext's.
    """
    argparse._ = _  # type: ignore[attr-defined]
    argparse.ngettext = (  # type: ignore[attr-defined]
        lambda one, many, n: _(one) if n == 1 else _(many))


# argparse's sentences that reach the user (Python 3.11's argparse.py), marked for the
# catalog's check; argparse asks for their German through _argparse_speaks_german.
_ARGPARSE_WORDS = (
    N_("usage: "), N_("positional arguments"), N_("options"),
    N_("show this help message and exit"),
    N_("argument %(argument_name)s: %(message)s"), N_("unrecognized arguments: %s"),
    N_("not allowed with argument %s"), N_("ignored explicit argument %r"),
    N_("the following arguments are required: %s"), N_("one of the arguments %s is required"),
    N_("expected one argument"), N_("expected at most one argument"),
    N_("expected at least one argument"), N_("expected %s argument"),
    N_("expected %s arguments"), N_("ambiguous option: %(option)s could match %(matches)s"),
    N_("unexpected option string: %s"), N_("invalid %(type)s value: %(value)r"),
    N_("invalid choice: %(value)r (choose from %(choices)s)"),
)


class UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    # While the arguments are added, argparse makes a formatter for each only to check that
    # its metavar can be shown; a formatter of its own asks the terminal for its width,
    # which imports shutil (and zlib, bz2, lzma): a fixed width until --help needs the real.
    building = True

    def _get_formatter(self) -> argparse.HelpFormatter:
        if self.building:
            return argparse.RawDescriptionHelpFormatter(prog=self.prog, width=80)
        return super()._get_formatter()

    def error(self, message: str) -> None:  # type: ignore[override]
        # One clear line instead of argparse's usage block.
        self.exit(Exit.USAGE, "smtpsh: " + _("{message} (see smtpsh --help)").format(
            message=message) + "\n")


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="smtpsh",
        description=_("An interactive SMTP shell: talk to a mail server by hand, with help."),
        epilog=_epilog(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("target", nargs="?", metavar="TARGET",
                   help=_("server as host, host:port, [v6addr]:port"))
    p.add_argument("port_arg", nargs="?", metavar="PORT", help=_("port, as telnet takes it"))
    p.add_argument("-p", "--port", type=int, help=_("port (default 25)"))
    p.add_argument("-c", "--command", action="append", default=[], metavar="LINE",
                   help=_("run this line as if typed (repeatable); then quit"))
    p.add_argument("--timeout", type=float, default=30.0, metavar="SECS",
                   help=_("seconds to wait for the connection and for each reply (default 30)"))
    fam = p.add_mutually_exclusive_group()
    fam.add_argument("-4", dest="family", action="store_const", const=4, help=_("IPv4 only"))
    fam.add_argument("-6", dest="family", action="store_const", const=6, help=_("IPv6 only"))
    p.add_argument("--source", metavar="ADDR", help=_("local address to connect from"))
    p.add_argument("--transcript", metavar="FILE", help=_("append the session to FILE"))
    p.add_argument("--color", choices=("auto", "always", "never"), default="auto",
                   help=_("colour the output (default auto; NO_COLOR is honoured)"))
    p.add_argument("--sandbox", action="store_true",
                   help=_("start a local SMTP server on loopback and connect to it"))
    p.add_argument("--serve", nargs="?", type=int, const=0, metavar="PORT",
                   help=_("with --sandbox: only run the server (on PORT) until Ctrl-C"))
    p.add_argument("--sandbox-dir", metavar="DIR", help=_("where the sandbox saves messages"
                   " (kept; without it, a temporary folder removed at exit)"))
    p.add_argument("--lenient", action="store_true",
                   help=_("with --sandbox: accept what a strict RFC 5321 server refuses (no"
                   " angle brackets, bare LF, undeclared 8-bit text)"))
    p.add_argument("--record-raw", metavar="DIR",
                   help=_("with --sandbox: keep the exact bytes each client sent, one file per"
                   " client in DIR (what arrives through a relay, byte for byte)"))
    p.add_argument("--rules", metavar="FILE",
                   help=_("with --sandbox: fault rules (TOML [[rule]] tables) saying what the"
                   " server does at each stage"))
    p.add_argument("--scenario", metavar="NAME",
                   help=_("with --sandbox: a ready-made classroom scenario (greylisting,"
                   " full-mailbox, tls-required, auth-required, slow-greeting, flaky ...;"
                   " NAME:SECS for its number); `--scenario list` lists them"))
    p.add_argument("--ehlo", metavar="NAME", help=_("name for EHLO sent by --starttls/--auth"))
    p.add_argument("--pipeline", action="store_true",
                   help=_("in script mode, send the command groups RFC 2920 allows in one"
                   " write when the server advertises PIPELINING"))
    p.add_argument("--json", action="store_true",
                   help=_("in script mode, write each event as one JSON line (schema version 1,"
                   " see docs/reference.md)"))
    p.add_argument("--lmtp", action="store_true",
                   help=_("speak LMTP (RFC 2033): LHLO, one reply per recipient after the"
                   " message; port 24 by default; TARGET may be unix:/path/to/socket"))
    t = p.add_argument_group("TLS")
    t.add_argument("--tls", action="store_true",
                   help=_("implicit TLS from the first byte (RFC 8314; port 465 implies it)"))
    t.add_argument("--starttls", action="store_true",
                   help=_("after connecting: EHLO, STARTTLS, EHLO again"))
    t.add_argument("--show-cert", action="store_true",
                   help=_("after the handshake, show the certificate card (as :cert does)"))
    t.add_argument("--insecure", action="store_true",
                   help=_("do not verify the certificate (shown as unverified TLS)"))
    t.add_argument("--cafile", metavar="FILE", help=_("trust the CA certificates in FILE"))
    t.add_argument("--tls-servername", metavar="NAME",
                   help=_("name for SNI and verification (default: the host)"))
    t.add_argument("--tls-min", choices=TLS_VERSIONS, help=_("lowest TLS version"))
    t.add_argument("--tls-max", choices=TLS_VERSIONS, help=_("highest TLS version"))
    t.add_argument("--cert", metavar="FILE", help=_("client certificate (PEM)"))
    t.add_argument("--key", metavar="FILE", help=_("key of the client certificate"))
    t.add_argument("--keylog", metavar="FILE", help=_("write TLS keys for Wireshark"
                   " (SSLKEYLOGFILE is honoured too)"))
    a = p.add_argument_group("AUTH")
    a.add_argument("--auth", metavar="MECH", type=str.upper,
                   help=_("authenticate after connecting (PLAIN, LOGIN, CRAM-MD5, XOAUTH2, "
                   "OAUTHBEARER); password from SMTPSH_PASSWORD, ~/.netrc or a prompt"))
    a.add_argument("--user", metavar="NAME", help=_("user name for --auth"))
    a.add_argument("--authzid", metavar="ID", help=_("authorization identity for PLAIN"))
    a.add_argument("--token-file", metavar="FILE",
                   help=_("OAuth token for XOAUTH2/OAUTHBEARER (or SMTPSH_TOKEN)"))
    a.add_argument("--plain-auth", action="store_true",
                   help=_("in script mode, allow AUTH over a connection without TLS"
                   " (loopback is always allowed, with a warning)"))
    a.add_argument("--show-secrets", action="store_true",
                   help=_("do not redact passwords and tokens (for a lab only)"))
    m = p.add_argument_group(_("server selection"))
    m.add_argument("--mx", action="store_true",
                   help=_("TARGET is a mail domain or address: pick its server as an MTA does"))
    m.add_argument("--nameserver", metavar="ADDR[:PORT]",
                   help=_("DNS server for --mx, --check, and the DKIM and ARC keys of"
                   " --received and --auth-results"))
    m.add_argument("--check", action="store_true",
                   help=_("TARGET is a mail domain (or user@domain): check its MX hosts (DNS,"
                   " SMTP, TLS, DANE, MTA-STS, TLS-RPT) and print a report card"))
    m.add_argument("--dry-run", action="store_true", help=_("with --mx: show the plan only"))
    x = p.add_argument_group(_("proxies"))
    x.add_argument("--proxy", metavar="URL",
                   help=_("connect through a proxy: socks5://[user:pass@]host:port (socks5h://"
                   " to let the proxy resolve names), socks4://, http:// (CONNECT); `env`:"
                   " the one ALL_PROXY names"))
    x.add_argument("--proxy-protocol", choices=("v1", "v2"),
                   help=_("send a PROXY protocol header (HAProxy) before the SMTP dialog"))
    x.add_argument("--proxy-source", metavar="ADDR:PORT",
                   help=_("with --proxy-protocol: the client the header claims (default: our"
                   " own address)"))
    p.add_argument("--print-completion", choices=("bash", "zsh", "fish"), metavar="SHELL",
                   help=_("print the completion script for bash, zsh or fish and exit (bash:"
                   " eval \"$(smtpsh --print-completion bash)\")"))
    p.add_argument("--print-man", action="store_true",
                   help=_("print the man page (roff) and exit: smtpsh --print-man | man -l -"))
    r = p.add_argument_group(_("probes"))
    r.add_argument("--probe", metavar="NAME[,NAME...]",
                   help=_("run active probes against TARGET (smuggling, bare-lf, ...; `all`) and"
                   " show a card of findings; `--probe list` lists them"))
    r.add_argument("--from", dest="mail_from", metavar="ADDRESS",
                   help=_("the envelope sender probes use (default: the null sender <>)"))
    r.add_argument("--to", dest="rcpt_to", metavar="ADDRESS",
                   help=_("a recipient the probes that send a message may use; without it"
                   " they are skipped"))
    r.add_argument("--nagios", action="store_true",
                   help=_("with --probe or --check: one Nagios plugin line, and its exit code"))
    k = p.add_argument_group(_("offline"))
    k.add_argument("--explain", metavar="THING",
                   help=_("explain a reply code, enhanced code, reply line, verb or keyword"))
    k.add_argument("--received", metavar="FILE",
                   help=_("read the Received chain of a message (- for stdin), then its"
                   " forensics: Authentication-Results, DKIM, ARC, DMARC alignment"))
    k.add_argument("--auth-results", metavar="FILE",
                   help=_("read a message's Authentication-Results, verify its DKIM-Signature"
                   " and ARC fields (keys through --nameserver if given) and print a card of"
                   " findings (- for stdin; --json)"))
    k.add_argument("--lesson", metavar="N", nargs="?", type=int, const=0,
                   help=_("a lesson on the sandbox: one task at a time, each step checked from"
                   " the dialog; without N the list of lessons"))
    k.add_argument("--guide", action="store_true",
                   help=_("learner's mode: the shell suggests the next step and explains"
                   " rejects in terms of what you typed (on by default in the sandbox)"))
    k.add_argument("--explain-replies", action="store_true",
                   help=_("in script mode, add the meaning under each 4xx/5xx reply"))
    k.add_argument("--lang", choices=("en", "de"),
                   help=_("language of what smtpsh says: help, messages, explanations, the"
                   " guide (default: de when the locale, LC_ALL/LC_MESSAGES/LANG, is German,"
                   " else en)"))
    r = p.add_argument_group(_("replay, compare, export"))
    r.add_argument("--replay", metavar="FILE",
                   help=_("re-send the client side of a saved dialog (a transcript, a C:/S:"
                   " dialog, a netcat dialog) to TARGET and compare each reply with the"
                   " recorded one; exit 13 when one differs"))
    r.add_argument("--replay-strict", action="store_true",
                   help=_("with --replay/--compare: compare the reply text too"))
    r.add_argument("--compare", metavar="TARGET2",
                   help=_("run the dialog (stdin, -c or --replay) against TARGET, then TARGET2,"
                   " and show the replies side by side; exit 13 when they differ"))
    r.add_argument("--export", metavar="FORMAT", choices=EXPORT_FORMATS,
                   help=_("after the dialog, print the command that reproduces it: swaks,"
                   " curl, openssl or python (the dialog goes to stderr)"))
    p.add_argument("--version", action="version", version=f"smtpsh {__version__}",
                   help=_("show program's version number and exit"))
    p.building = False
    return p


EXPORT_FORMATS = ("swaks", "curl", "openssl", "python")  # smtpsh.export.FORMATS


def replay_options(ns: argparse.Namespace, settings: Settings) -> ReplayOptions | None:
    """--replay, --compare, --export (None when none is given)."""
    if not (ns.replay or ns.compare or ns.export):
        if ns.replay_strict:
            raise UsageError(_("--replay-strict goes with --replay or --compare"))
        return None
    if ns.sandbox or ns.mx:
        raise UsageError(_("--replay, --compare and --export take a TARGET (not --sandbox or"
                           " --mx)"))
    if ns.replay and ns.command:
        raise UsageError(_("--replay FILE is the dialog: give no -c lines"))
    from smtpsh.replayrun import ReplayOptions

    second = None
    if ns.compare:
        second = parse_target(ns.compare, None, None, settings.port)
    return ReplayOptions(ns.replay, ns.replay_strict, second, ns.export)


def parse_target(target: str, port_arg: str | None, port_opt: int | None,
                 default: int = 25) -> tuple[str, int]:
    """host, host:port, [v6]:port, [v6], bare v6, or host + port as telnet takes them."""
    from smtpsh.hostport import check_host, port_number, split_host_port

    try:
        host, port = split_host_port(target)
        check_host(host)
        given = [x for x in (port, port_arg, None if port_opt is None else str(port_opt)) if x]
        if len(set(given)) > 1:
            ports = list(dict.fromkeys(given))
            raise ValueError(_("the port is given twice ({first} and {second})").format(
                first=ports[0], second=ports[1]) if len(ports) == 2 else
                _("the port is given three times ({first}, {second} and {third})").format(
                    first=ports[0], second=ports[1], third=ports[2]))
        return host, port_number(given[0] if given else str(default))
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def _check_names(ns: argparse.Namespace) -> None:
    """Names that go into DNS, TLS or the dialog, refused here when they cannot (a label
    too long, bytes that are not UTF-8 from argv): a usage error, not a crash later."""
    from smtpsh.hostport import check_host

    for flag, value in (("--source", ns.source), ("--tls-servername", ns.tls_servername)):
        if value:
            try:
                check_host(value)
            except ValueError as exc:
                raise UsageError(f"{flag}: {exc}") from None


def _check_probe(ns: argparse.Namespace) -> None:
    """--probe's names, and the options that go with it."""
    if ns.probe is None:
        for flag, value in (("--from", ns.mail_from), ("--to", ns.rcpt_to)):
            if value:
                raise UsageError(_("{flag} goes with --probe").format(flag=flag))
        return
    if ns.sandbox or ns.mx or ns.command or ns.lmtp:
        raise UsageError(_("--probe runs on its own: not with --sandbox, --mx, -c or --lmtp"))
    for flag, value in (("--from", ns.mail_from), ("--to", ns.rcpt_to)):
        if value is not None and any(c in value for c in "<>\r\n \t"):
            raise UsageError(_("{flag}: give the bare address, without <> or spaces").format(
                flag=flag))
    if ns.probe.strip().lower() != "list":
        from smtpsh.probes import names

        try:
            names(ns.probe)
        except ValueError as exc:
            raise UsageError(str(exc)) from None


def _proxy_settings(ns: argparse.Namespace) -> dict[str, Any]:
    """--proxy, --proxy-protocol, --proxy-source, checked (smtpsh.proxy parses them)."""
    if ns.proxy is None and ns.proxy_protocol is None:
        if ns.proxy_source is not None:
            raise UsageError(_("--proxy-source goes with --proxy-protocol"))
        return {}
    from smtpsh import proxy

    got: dict[str, Any] = {"proxy_protocol": ns.proxy_protocol}
    if ns.proxy is not None:
        try:
            got["proxy"] = proxy.parse_proxy(ns.proxy)
        except ValueError as exc:
            raise UsageError(f"--proxy: {exc}") from None
    if ns.proxy_source is not None:
        if ns.proxy_protocol is None:
            raise UsageError(_("--proxy-source goes with --proxy-protocol"))
        try:
            got["proxy_source"] = proxy.parse_source(ns.proxy_source)
        except ValueError as exc:
            raise UsageError(f"--proxy-source: {exc}") from None
    if ns.sandbox:
        raise UsageError(_("--proxy and --proxy-protocol take a TARGET (not --sandbox)"))
    return got


def settings_from_args(ns: argparse.Namespace) -> Settings:
    import socket
    from dataclasses import replace

    if ns.lesson:  # a lesson runs on the sandbox
        from smtpsh.lessons import lesson

        try:
            lesson(ns.lesson)
        except ValueError as exc:
            raise UsageError(str(exc)) from None
        if ns.serve is not None or ns.target:
            raise UsageError(_("--lesson opens the shell on the sandbox: no TARGET, no"
                               " --serve"))
        ns.sandbox = True
    s = Settings(commands=tuple(ns.command), lesson=ns.lesson or None,
                 timeout=ns.timeout, source=ns.source,
                 transcript=ns.transcript, color=ns.color, sandbox=ns.sandbox,
                 serve=ns.serve, sandbox_dir=ns.sandbox_dir, lenient=ns.lenient,
                 rules=ns.rules, record_raw=ns.record_raw, implicit_tls=ns.tls,
                 show_cert=ns.show_cert,
                 starttls=ns.starttls, auth=ns.auth, user=ns.user, authzid=ns.authzid,
                 token_file=ns.token_file,
                 show_secrets=ns.show_secrets, plain_auth=ns.plain_auth, mx=ns.mx,
                 nameserver=ns.nameserver, guide=ns.guide or ns.sandbox, dry_run=ns.dry_run,
                 explain_replies=ns.explain_replies, pipeline=ns.pipeline, lmtp=ns.lmtp,
                 json=ns.json, check=ns.check, nagios=ns.nagios,
                 probe=ns.probe, mail_from=ns.mail_from, rcpt_to=ns.rcpt_to,
                 tls=TlsOptions(insecure=ns.insecure, cafile=ns.cafile,
                                servername=ns.tls_servername, min_version=ns.tls_min,
                                max_version=ns.tls_max, certfile=ns.cert, keyfile=ns.key,
                                keylog=ns.keylog),
                 ehlo=ns.ehlo or local_name(),
                 family={4: socket.AF_INET, 6: socket.AF_INET6}.get(ns.family or 0, 0))
    _check_names(ns)
    s = replace(s, **_proxy_settings(ns))
    if ns.scenario:
        from smtpsh.sandbox_scenarios import parse as parse_scenario

        try:
            parse_scenario(ns.scenario)
        except ValueError as exc:
            raise UsageError(f"--scenario: {exc}") from None
        s = replace(s, scenario=ns.scenario)
    if ns.tls and ns.starttls:
        raise UsageError(_("--tls and --starttls exclude each other: one TLS at a time"))
    if ns.key and not ns.cert:
        raise UsageError(_("--key goes with --cert"))
    if ns.nameserver and not (ns.mx or ns.check):
        raise UsageError(_("--nameserver goes with --mx or --check"))
    if ns.dry_run and not ns.mx:
        raise UsageError(_("--dry-run goes with --mx"))
    if ns.nagios and not (ns.check or ns.probe):
        raise UsageError(_("--nagios goes with --check or --probe"))
    if ns.check and (ns.mx or ns.probe or ns.sandbox or ns.command or ns.tls or ns.starttls
                     or ns.lmtp):
        raise UsageError(_("--check runs on its own: no --mx, --probe, --sandbox, -c, --tls,"
                           " --starttls or --lmtp"))
    if not 0 < ns.timeout < float("inf"):  # also refuses nan
        raise UsageError(_("--timeout must be a number of seconds more than 0"))
    if ns.serve is not None and not ns.sandbox:
        raise UsageError(_("--serve goes with --sandbox"))
    for flag, value in (("--lenient", ns.lenient), ("--rules", ns.rules),
                        ("--record-raw", ns.record_raw), ("--scenario", ns.scenario)):
        if value and not ns.sandbox:
            raise UsageError(_("{flag} goes with --sandbox").format(flag=flag))
    _check_probe(ns)
    if ns.probe == "list":
        return s
    if ns.sandbox:
        if ns.target:
            raise UsageError(_("--sandbox starts its own server: give no TARGET"))
        return s
    if not ns.target:
        raise UsageError(_("no server given: smtpsh HOST [PORT], or smtpsh --sandbox"))
    if ns.check:
        if ns.port_arg:
            raise UsageError(_("with --check, give the port with -p"))
        return replace(s, host=ns.target, port=ns.port or 25)
    if ns.mx:
        if ns.port_arg:
            raise UsageError(_("with --mx, give the port with -p"))
        return replace(s, host=ns.target, port=ns.port or (465 if ns.tls else 25))
    default = 465 if ns.tls else 24 if ns.lmtp else 25
    host, port = parse_target(ns.target, ns.port_arg, ns.port, default)
    # RFC 8314: port 465 speaks TLS from the first byte
    implicit = ns.tls or (port == 465 and not ns.starttls)
    return replace(s, host=host, port=port, implicit_tls=implicit)


def _check_output() -> None:
    """Standard output must be there; text it cannot encode is shown escaped, never a crash
    (PYTHONIOENCODING=ascii and a server that greets in UTF-8)."""
    if sys.stdout is None:  # started with >&-
        if sys.stderr is not None:
            sys.stderr.write("smtpsh: " + _("standard output is closed: nowhere to show the"
                                            " dialog (send it to /dev/null to run without"
                                            " it)") + "\n")
        sys.exit(Exit.ERROR)
    for stream in (sys.stdout, sys.stderr):
        if stream is not None and hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")


def _output_lost(error: OSError) -> None:
    """Standard output failed mid-dialog: say it once (not for a reader that went away,
    as `| head`), and let Python's last flush of stdout go nowhere instead of failing."""
    import os

    if not isinstance(error, BrokenPipeError):
        sys.stderr.write("smtpsh: " + _("cannot write to standard output: {error}").format(
            error=error.strerror or error) + "\n")
    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def main(argv: list[str] | None = None) -> None:
    from smtpsh.i18n import language, set_language

    lang = _lang_in(sys.argv[1:] if argv is None else argv)
    if lang is not None:
        set_language(lang)
    if language() == "de":
        _argparse_speaks_german()
    try:
        ns = build_parser().parse_args(argv)
        if ns.lang:
            set_language(ns.lang)
        if ns.print_completion or ns.print_man:
            from smtpsh import ecosystem

            # Files for packages, made the same whatever the locale of who builds them.
            set_language("en")

            sys.stdout.write(ecosystem.completion(build_parser(), ns.print_completion)
                             if ns.print_completion else
                             ecosystem.manpage(build_parser(), __version__))
            sys.exit(Exit.OK)
        if ns.explain is not None:
            from smtpsh.explain import main_explain

            sys.exit(main_explain(ns.explain))
        if ns.scenario and ns.scenario.strip().lower() == "list":
            from smtpsh.sandbox_scenarios import listing as scenarios

            print(scenarios())
            sys.exit(Exit.OK)
        if ns.lesson == 0:
            from smtpsh.lessons import listing

            print(listing())
            sys.exit(Exit.OK)
        if ns.received is not None:
            from smtpsh.message import main_received

            sys.exit(main_received(ns.received, ns.nameserver, ns.color,
                                   max(0.5, min(10.0, ns.timeout))))
        if ns.auth_results is not None:
            from smtpsh.forensics import main_auth_results

            sys.exit(main_auth_results(ns.auth_results, ns.nameserver, ns.json, ns.color,
                                       max(0.5, min(10.0, ns.timeout))))
        settings = settings_from_args(ns)
        extra = replay_options(ns, settings)
    except UsageError as exc:
        sys.stderr.write("smtpsh: " + _("{message} (see smtpsh --help)").format(
            message=exc) + "\n")
        sys.exit(Exit.USAGE)
    _check_output()
    try:
        sys.exit(run(settings, extra))
    except KeyboardInterrupt:
        sys.stderr.write("smtpsh: " + _("interrupted") + "\n")
        sys.exit(Exit.INTERRUPTED)
    except BrokenPipeError:  # the reader of our output went away (| head): not an error
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(Exit.ERROR)
    except Exception as exc:  # a bug of ours: one line here, the traceback in a file
        from smtpsh.config import record_crash

        where = record_crash(exc)
        sys.stderr.write("smtpsh: " + _("internal error") + f": {type(exc).__name__}: {exc}"
            + (_(" (details in {file})").format(file=where) if where else "") + "\n")
        sys.exit(Exit.ERROR)


def credentials(settings: Settings, host: str) -> dict[str, str]:
    """--user, --authzid and the secrets known before AUTH (the rest is asked for then).

    A password comes from SMTPSH_PASSWORD or ~/.netrc; an OAuth token (XOAUTH2,
    OAUTHBEARER) from --token-file or SMTPSH_TOKEN; with --auth and neither, from a no-echo
    prompt on a terminal.
    """
    import os

    creds: dict[str, str] = {}
    if settings.user:
        creds["user"] = settings.user
    if settings.authzid:
        creds["authzid"] = settings.authzid
    password = os.environ.get("SMTPSH_PASSWORD")
    if password is None and settings.auth:
        import netrc

        try:
            entry = netrc.netrc().authenticators(host)
        except (OSError, netrc.NetrcParseError):
            entry = None
        if entry:
            creds.setdefault("user", entry[0])
            password = entry[2]
    token = os.environ.get("SMTPSH_TOKEN")
    if settings.token_file:
        try:
            with open(settings.token_file, encoding="utf-8") as f:
                token = f.read().strip()
        except OSError as exc:
            raise UsageError(_("cannot read --token-file {file}: {error}").format(
                file=settings.token_file, error=exc.strerror)) from None
    token = password if token is None else token  # a token given as the password works
    if password is not None:
        creds["password"] = password
    if token is not None:
        creds["token"] = token
    need = "token" if settings.auth in ("XOAUTH2", "OAUTHBEARER") else "password"
    interactive = sys.stdin is not None and sys.stdin.isatty()
    if settings.auth and "user" not in creds and not settings.sandbox and not interactive:
        raise UsageError(_("--auth needs --user (or a ~/.netrc entry for {host})").format(
            host=host))
    if settings.auth and need not in creds and not settings.sandbox:
        if not interactive:
            # Never take a script line for the secret: say where it can come from.
            raise UsageError(
                _("--auth needs a token: give it with --token-file, SMTPSH_TOKEN, or run on a"
                  " terminal to be asked") if need == "token" else
                _("--auth needs a password: give it with SMTPSH_PASSWORD, ~/.netrc, or run on"
                  " a terminal to be asked"))
        import getpass

        try:
            creds[need] = getpass.getpass(
                (_("Token for {user}: ") if need == "token" else
                 _("Password for {user}: ")).format(user=creds.get("user", "AUTH")))
        except (EOFError, KeyboardInterrupt):
            raise UsageError(_("no token given") if need == "token" else
                             _("no password given")) from None
    return creds


def run(settings: Settings, extra: ReplayOptions | None = None) -> int:
    import asyncio

    if settings.check:
        from smtpsh.check import main_check

        return main_check(settings, settings.nagios)
    try:
        creds = credentials(settings, settings.host or "")
    except UsageError as exc:
        sys.stderr.write(f"smtpsh: {exc}\n")
        return Exit.USAGE

    from smtpsh.transcript import Redactor, Transcript

    if settings.probe and settings.probe.strip().lower() == "list":
        from smtpsh.probes.cli import listing

        print(listing())
        return Exit.OK
    redactor = Redactor(settings.show_secrets)
    transcript = None
    if settings.transcript:
        try:
            transcript = Transcript(settings.transcript)
        except OSError as exc:
            sys.stderr.write("smtpsh: " + _("cannot write the transcript {file}: {error}")
                             .format(file=settings.transcript, error=exc.strerror) + "\n")
            return Exit.ERROR
        if transcript.warning:
            sys.stderr.write("smtpsh: " + _("warning: {warning}").format(
                warning=transcript.warning) + "\n")
    if settings.probe:
        from smtpsh.probes.cli import main as main_probe

        try:
            return main_probe(settings, transcript, redactor)
        finally:
            if transcript is not None:
                transcript.close()
    printers: list[Printer] = []
    try:
        status = asyncio.run(_dialog(settings, creds, transcript, redactor, printers, extra))
    finally:
        if transcript is not None:
            transcript.close()
    if printers and printers[0].error is not None:
        _output_lost(printers[0].error)
        status = status or Exit.ERROR
    if transcript is not None and transcript.error is not None:
        if transcript.on_error is None:  # not said in the dialog: say it here
            sys.stderr.write(f"smtpsh: {transcript.error}\n")
        # The dialog went on without it; a lost record is a local problem (exit 1).
        return status or Exit.ERROR
    return status


async def _dialog(settings: Settings, creds: dict[str, str], transcript: Transcript | None,
                  redactor: Redactor, printers: list[Printer] | None = None,
                  extra: ReplayOptions | None = None) -> int:
    """Make the session for the mode (the shell's screen, or script mode's printer), then
    the sandbox and --mx, then the dialog."""
    if extra is not None:  # --replay, --compare, --export: script mode, a terminal or not
        from smtpsh.render import Printer, use_color
        from smtpsh.replayrun import run as run_replay

        out = sys.stderr if extra.export else sys.stdout
        printer = Printer(use_color(settings.color, out) and not settings.json, out,
                          explain=settings.explain_replies, json=settings.json)
        if printers is not None:
            printers.append(printer)
        try:
            return await run_replay(settings, creds, transcript, redactor, printer, extra)
        finally:
            printer.flush()
    from smtpsh.script import ScriptInput, ScriptInteraction
    from smtpsh.script import run as run_script
    from smtpsh.session import Session

    shell = None
    if not settings.commands and sys.stdin is not None and sys.stdin.isatty():
        from smtpsh.shell.repl import make_shell

        shell = make_shell(settings, transcript=transcript, redactor=redactor,
                           credentials=creds)
        session = shell.session
    else:
        from smtpsh.render import Printer, use_color

        # No stdin at all (closed by the caller) reads as an empty script.
        stream = None if settings.commands or sys.stdin is None else sys.stdin.buffer
        inp = ScriptInput(stream, list(settings.commands))
        printer = Printer(use_color(settings.color, sys.stdout) and not settings.json,
                          explain=settings.explain_replies, json=settings.json)
        inp.before_read = printer.flush
        if printers is not None:
            printers.append(printer)  # the caller checks it for a failed write
        session = Session(printer, settings.connect_options(), transcript, redactor,
                          ScriptInteraction(inp, settings.plain_auth), creds)
        printer.tls = lambda: bool(session.transport and session.transport.tls)
    if transcript is not None:
        transcript.on_error = session.warn
    sandbox = None
    host, port, greeting = settings.host or "", settings.port, None
    tls_done = False  # --mx --starttls: STARTTLS already done at the chosen MX
    tutor = None  # --lesson: the lesson's tutor (its DNS server stops with the sandbox)
    try:
        if settings.sandbox:
            sandbox = _start_sandbox(settings, session)
            if settings.serve is not None:
                return await _serve(sandbox, settings)
            host, port = "127.0.0.1", sandbox.port
            session.options = _sandbox_options(session, sandbox)
            if shell is not None:  # the shell connects (and reconnects) with its own base
                shell._base_options = session.options
        if settings.mx:
            from smtpsh.mxconnect import choose_server

            chosen = await choose_server(settings, session)
            if isinstance(chosen, int):
                return chosen
            host, greeting = chosen
            tls_done = settings.starttls and session.dialog.tls
        if sandbox is not None and settings.auth:
            session.credentials = {**sandbox.credentials, **session.credentials}
        if settings.lesson and sandbox is not None:
            from smtpsh.lessons import start

            tutor = start(settings.lesson, session, sandbox, shell)
            if not tutor.lesson.connect and shell is not None:
                host = ""  # the learner finds the server (the lesson's DNS zone)
        if shell is not None:
            shell.sandbox = sandbox
            return await shell.run(host, port, greeting, prelude(settings, tls_done))
        return await run_script(session, inp, host, port, greeting, prelude(settings, tls_done),
                                require_tls=settings.starttls, pipeline=settings.pipeline)
    except Failure as exc:  # before the dialog proper: the sandbox, --mx
        session.warn(str(exc))
        return exc.exit
    finally:
        if tutor is not None:
            tutor.close()
        if sandbox is not None:
            sandbox.stop()
        if shell is None:
            printer.flush()


def _sandbox_options(session: Session, sandbox: Sandbox) -> ConnectOptions:
    """Trust the sandbox's own CA unless the user chose otherwise."""
    from dataclasses import replace

    tls = session.options.tls
    if sandbox.cafile and not tls.cafile and not tls.insecure:
        tls = replace(tls, cafile=sandbox.cafile)
    return replace(session.options, tls=tls)


def _start_sandbox(settings: Settings, session: Session) -> Sandbox:
    import asyncio

    from smtpsh.i18n import _
    from smtpsh.sandbox import Sandbox
    from smtpsh.sandbox_rules import RuleSet, load

    loop = asyncio.get_running_loop()
    # The server runs in its own thread; its reports join the dialog through our loop.

    def report(text: str) -> None:
        loop.call_soon_threadsafe(session.note, text)

    rules = RuleSet()
    if settings.rules:
        try:
            rules = RuleSet(load(settings.rules))
        except ValueError as exc:
            raise Failure(f"--rules: {exc}", Exit.USAGE) from None
    scenario, number = None, None
    if settings.scenario:
        from smtpsh.sandbox_scenarios import parse as parse_scenario

        scenario, number = parse_scenario(settings.scenario)
        for rule in scenario.rules(number):
            rules.add(rule)
    if settings.lesson:
        from smtpsh.lessons import lesson

        for rule in lesson(settings.lesson).sandbox_rules():
            rules.add(rule)
    serving = settings.serve is not None
    try:
        sandbox = Sandbox(report, port=settings.serve or None, folder=settings.sandbox_dir,
                          strict=not settings.lenient, rules=rules, view=serving,
                          record_raw=settings.record_raw,
                          card=_card_printer(settings, loop) if serving else None)
        sandbox.start()
    except OSError as exc:
        where = settings.sandbox_dir or (_("port {port}").format(port=settings.serve)
                                         if settings.serve else "")
        raise Failure(_("cannot start the sandbox{where}: {error}").format(
            where=f" ({where})" if where else "", error=exc.strerror or exc),
            Exit.ERROR) from None
    password = sandbox.credentials.get("password")
    for line in _banner(sandbox):
        if password and password in line:
            # The demo password is for the screen only: the transcript gets it hidden, and
            # from now on the session hides it wherever it would appear.
            from smtpsh.events import Note

            session.emit(Note(line), record=False)
            session.emit(Note(line.replace(password, "[shown on screen only]")), ui=False)
        else:
            session.note(line)
    if scenario is not None:
        from smtpsh.received import terminal_width, wrap

        width = terminal_width()
        text = scenario.heading(number)
        for line in wrap(text, width - 3 if width else None, "", "  "):
            session.note(line)
    for rule in rules.rules:
        session.note(_("sandbox: rule {rule}").format(rule=rule.describe()))
    if password:
        session.add_secret(password)
    return sandbox


def _card_printer(settings: Settings, loop: Any) -> Callable[[Card], None]:
    """--serve: each client's report card, printed when it leaves (JSON with --json)."""
    from smtpsh.findings import render_card
    from smtpsh.received import terminal_width
    from smtpsh.render import to_ansi, to_plain, use_color

    color = use_color(settings.color, sys.stdout) and not settings.json

    def show(card: Card) -> None:
        if settings.json:
            import json

            text = json.dumps(card.to_json(), ensure_ascii=False)
        else:
            fragments = render_card(card, terminal_width() or 100)
            text = to_ansi(fragments) if color else to_plain(fragments)
        print(text, flush=True)

    return lambda card: loop.call_soon_threadsafe(show, card)


def _banner(sandbox: Sandbox) -> list[str]:
    """The sandbox's notes, wrapped between words to the width (after the "-- " each note
    gets); a path and the demo credentials never split. Unwrapped to a file or a pipe."""
    from smtpsh.received import terminal_width, wrap

    width = terminal_width()
    whole = [f"--cafile {sandbox.cafile}", "smtpsh --sandbox"] if sandbox.cafile else []
    if sandbox.credentials:
        whole.append(sandbox.credentials_phrase())
    lines: list[str] = []
    for line in sandbox.describe():
        for phrase in whole:
            line = line.replace(phrase, phrase.replace(" ", "\xa0"))
        lines += [part.replace("\xa0", " ") for part in
                  wrap(line, width - 3 if width else None, "", " " * len("sandbox: "))]
    return lines


async def _serve(sandbox: Sandbox, settings: Settings) -> int:
    import asyncio

    from smtpsh.i18n import _

    print(_("sandbox: serving until Ctrl-C; each client's dialog is shown as the server sees"
            " it, and its report card when it leaves"), flush=True)
    try:
        while True:
            await asyncio.sleep(3600)
    except asyncio.CancelledError:
        return Exit.OK
