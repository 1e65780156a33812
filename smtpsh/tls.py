"""TLS settings and the client context, through the stdlib ssl module only."""

from __future__ import annotations

import os
import ssl
from dataclasses import dataclass

_VERSIONS = {
    "1.0": ssl.TLSVersion.TLSv1,
    "1.1": ssl.TLSVersion.TLSv1_1,
    "1.2": ssl.TLSVersion.TLSv1_2,
    "1.3": ssl.TLSVersion.TLSv1_3,
}


@dataclass(frozen=True)
class TlsOptions:
    insecure: bool = False  # skip verification of chain and name
    cafile: str | None = None
    servername: str | None = None  # SNI and the name to verify, when not the host typed
    min_version: str | None = None
    max_version: str | None = None
    certfile: str | None = None
    keyfile: str | None = None
    keylog: str | None = None


def make_context(opts: TlsOptions) -> ssl.SSLContext:
    """A client context: chain and host name verified unless the user said --insecure."""
    ctx = ssl.create_default_context(cafile=opts.cafile)
    if opts.insecure:
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    if opts.min_version:
        ctx.minimum_version = _VERSIONS[opts.min_version]
    if opts.max_version:
        ctx.maximum_version = _VERSIONS[opts.max_version]
    if opts.certfile:
        ctx.load_cert_chain(opts.certfile, opts.keyfile)
    keylog = opts.keylog or os.environ.get("SSLKEYLOGFILE")
    if keylog:
        ctx.keylog_filename = keylog
    return ctx


def tls_versions() -> list[str]:
    return list(_VERSIONS)
