"""What the TLS options ask for (`TlsOptions`) and the versions they name: without ssl, so
that the arguments and Settings are made without loading it (--help, --explain); smtpsh.tls
makes the context of them. Imports nothing of smtpsh (no cycle through settings or tls)."""

from __future__ import annotations

from dataclasses import dataclass

# The versions --tls-min/--tls-max take (smtpsh.tls maps them to ssl.TLSVersion).
TLS_VERSIONS = ("1.0", "1.1", "1.2", "1.3")


@dataclass(frozen=True)
class TlsOptions:
    """What the TLS options asked for; smtpsh.tls.make_context makes the context of it."""

    insecure: bool = False  # skip verification of chain and name
    cafile: str | None = None
    servername: str | None = None  # SNI and the name to verify, when not the host typed
    min_version: str | None = None
    max_version: str | None = None
    certfile: str | None = None
    keyfile: str | None = None
    keylog: str | None = None
