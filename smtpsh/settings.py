"""What a run of smtpsh is asked to do (`Settings`, filled from the arguments by smtpsh.app),
and the lines the options type for the user (`prelude`, `starttls_lines`).

A low module: the shell, --mx and the entry point read it; it imports nothing of theirs.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from smtpsh.tls import TlsOptions


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
    pipeline: bool = False
    lmtp: bool = False


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


def prelude(settings: Settings) -> list[str]:
    """The lines --starttls and --auth type for the user, before the user's own."""
    lines: list[str] = []
    if settings.starttls:
        lines += starttls_lines(settings.ehlo, settings.lmtp)
    if settings.auth:
        if not lines:
            hello = "LHLO" if settings.lmtp else "EHLO"
            lines.append(f"{hello} {settings.ehlo or local_name()}")
        lines.append(f"AUTH {settings.auth}")
    return lines
