"""What a run of smtpsh is asked to do (`Settings`, filled from the arguments by smtpsh.app),
and the lines the options type for the user (`prelude`, `starttls_lines`).

A low module: the shell, --mx and the entry point read it; it imports nothing of theirs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

# Defined without ssl (for --help and --explain); TLS_VERSIONS is for the arguments.
from smtpsh.tlsoptions import TLS_VERSIONS as TLS_VERSIONS
from smtpsh.tlsoptions import TlsOptions

if TYPE_CHECKING:
    from smtpsh.proxy import ProxySpec
    from smtpsh.session import ConnectOptions

@dataclass(frozen=True)
class Settings:
    """Built once from the command line; each mode makes its session from it."""

    host: str | None = None
    port: int = 25
    commands: tuple[str, ...] = ()
    timeout: float = 30.0
    family: int = 0
    source: str | None = None
    transcript: str | None = None
    color: str = "auto"
    sandbox: bool = False
    serve: int | None = None  # --serve: run only the sandbox server (0: a free port)
    sandbox_dir: str | None = None
    lenient: bool = False  # --lenient: the sandbox takes what a strict server refuses
    rules: str | None = None  # --rules FILE: the sandbox's fault rules (TOML)
    record_raw: str | None = None  # --record-raw DIR: the exact bytes each client sent
    scenario: str | None = None  # --scenario NAME[:SECS]: a classroom scenario's rules
    implicit_tls: bool = False
    starttls: bool = False
    show_cert: bool = False
    tls: TlsOptions = field(default_factory=TlsOptions)
    ehlo: str = ""
    auth: str | None = None
    user: str | None = None
    authzid: str | None = None
    token_file: str | None = None
    show_secrets: bool = False
    plain_auth: bool = False
    mx: bool = False
    nameserver: str | None = None
    dry_run: bool = False
    explain_replies: bool = False
    guide: bool = False
    lesson: int | None = None  # --lesson N: the lesson the shell on the sandbox follows
    pipeline: bool = False
    lmtp: bool = False
    json: bool = False  # script mode: events as JSON lines; --probe, --check: the card as JSON
    check: bool = False  # --check DOMAIN: the report card of a mail domain
    nagios: bool = False  # --probe, --check: one Nagios plugin line, its exit code
    probe: str | None = None  # --probe NAME[,NAME...] (or "list")
    mail_from: str | None = None  # --from: the envelope sender a probe uses
    rcpt_to: str | None = None  # --to: the recipient a probe may send a message to
    proxy: ProxySpec | None = None  # --proxy URL (or env): SOCKS4/5, HTTP CONNECT
    proxy_protocol: str | None = None  # --proxy-protocol v1|v2
    proxy_source: tuple[str, int] | None = None  # --proxy-source: the client it claims

    def connect_options(self) -> ConnectOptions:
        from smtpsh.session import ConnectOptions

        return ConnectOptions(timeout=self.timeout, family=self.family, source=self.source,
                              implicit_tls=self.implicit_tls, tls=self.tls,
                              show_cert=self.show_cert, lmtp=self.lmtp, proxy=self.proxy,
                              proxy_protocol=(self.proxy_protocol, self.proxy_source)
                              if self.proxy_protocol else None)


def local_name() -> str:
    # gethostname() asks no resolver (getfqdn() would, and may hang without DNS).
    import socket

    name = socket.gethostname()
    return name if "." in name else f"{name}.localdomain"


def starttls_lines(ehlo: str, lmtp: bool = False) -> list[str]:
    """EHLO, STARTTLS, EHLO again (RFC 3207 4.2): what --starttls and a profile type."""
    name = ehlo or local_name()
    hello = "LHLO" if lmtp else "EHLO"
    return [f"{hello} {name}", "STARTTLS", f"{hello} {name}"]


def prelude(settings: Settings, tls_done: bool = False) -> list[str]:
    """The lines --starttls and --auth type for the user, before the user's own.

    `tls_done`: --mx already said EHLO, STARTTLS, EHLO at the MX it chose.
    """
    if tls_done:
        return [f"AUTH {settings.auth}"] if settings.auth else []
    lines: list[str] = []
    if settings.starttls:
        lines += starttls_lines(settings.ehlo, settings.lmtp)
    if settings.auth:
        if not lines:
            hello = "LHLO" if settings.lmtp else "EHLO"
            lines.append(f"{hello} {settings.ehlo or local_name()}")
        lines.append(f"AUTH {settings.auth}")
    return lines
