"""Bytes over TCP, with or without TLS, on asyncio streams. Knows nothing of SMTP.

Every failure comes out as a TransportError whose message is one line a user can act on.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
from dataclasses import dataclass

from smtpsh.exitcodes import Exit, Failure


class TransportError(Failure):
    """A connection problem, said in one line."""


@dataclass(frozen=True)
class TlsInfo:
    version: str
    cipher: str
    verified: bool
    server_hostname: str | None


def _connect_error(host: str, port: int, exc: BaseException) -> TransportError:
    if isinstance(exc, socket.gaierror):
        return TransportError(f"cannot resolve host {host!r}: {exc.strerror}", Exit.CONNECT)
    if isinstance(exc, ConnectionRefusedError):
        return TransportError(
            f"connection to {host} port {port} refused: nothing listens there", Exit.CONNECT
        )
    if isinstance(exc, TimeoutError):
        return TransportError(f"no connection to {host} port {port} (timed out)", Exit.TIMEOUT)
    if isinstance(exc, ssl.SSLError):
        return tls_error(exc)
    reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
    return TransportError(f"cannot connect to {host} port {port}: {reason}", Exit.CONNECT)


def tls_error(exc: BaseException) -> TransportError:
    reason = getattr(exc, "verify_message", None) or getattr(exc, "reason", None) or str(exc)
    return TransportError(f"TLS handshake failed: {reason}", Exit.TLS)


class Transport:
    """One connection: read, write, upgrade to TLS, close."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer
        self.tls: TlsInfo | None = None
        peer = writer.get_extra_info("peername") or ("?", 0)
        self.peer: tuple[str, int] = (peer[0], peer[1])

    @classmethod
    async def open(
        cls,
        host: str,
        port: int,
        *,
        timeout: float = 30.0,
        family: int = 0,
        source: str | None = None,
        ssl_context: ssl.SSLContext | None = None,
        server_hostname: str | None = None,
    ) -> Transport:
        try:
            reader, writer = await asyncio.wait_for(
                asyncio.open_connection(
                    host,
                    port,
                    family=family,
                    local_addr=(source, 0) if source else None,
                    ssl=ssl_context,
                    server_hostname=server_hostname if ssl_context else None,
                    limit=1 << 20,
                ),
                timeout,
            )
        except (OSError, TimeoutError, ssl.SSLError) as exc:
            raise _connect_error(host, port, exc) from None
        t = cls(reader, writer)
        if ssl_context is not None:
            t.tls = t._tls_info(ssl_context, server_hostname)
        return t

    async def read(self) -> bytes:
        """Whatever bytes have arrived (waiting for some); b"" when the peer has closed."""
        try:
            return await self.reader.read(1 << 16)
        except (ConnectionError, OSError):
            return b""
        except ssl.SSLError as exc:
            raise tls_error(exc) from None

    def buffered(self) -> bytes:
        """Take the bytes that arrived but were not read yet (for the STARTTLS guard)."""
        buf = self.reader._buffer  # noqa: SLF001 - asyncio has no public peek
        data = bytes(buf)
        buf.clear()
        return data

    async def write(self, data: bytes) -> None:
        try:
            self.writer.write(data)
            await self.writer.drain()
        except (ConnectionError, OSError) as exc:
            raise TransportError(f"connection lost while sending: {exc}", Exit.LOST) from None

    async def start_tls(
        self, ctx: ssl.SSLContext, server_hostname: str | None, timeout: float
    ) -> TlsInfo:
        try:
            await asyncio.wait_for(
                self.writer.start_tls(ctx, server_hostname=server_hostname), timeout
            )
        except TimeoutError:
            raise TransportError("TLS handshake timed out", Exit.TLS) from None
        except (ssl.SSLError, ConnectionError, OSError) as exc:
            raise tls_error(exc) from None
        self.tls = self._tls_info(ctx, server_hostname)
        return self.tls

    def _tls_info(self, ctx: ssl.SSLContext, server_hostname: str | None) -> TlsInfo:
        obj: ssl.SSLObject | None = self.writer.get_extra_info("ssl_object")
        cipher = obj.cipher() if obj else None
        return TlsInfo(
            version=(obj.version() or "?") if obj else "?",
            cipher=cipher[0] if cipher else "?",
            verified=ctx.verify_mode == ssl.CERT_REQUIRED,
            server_hostname=server_hostname,
        )

    @property
    def ssl_object(self) -> ssl.SSLObject | None:
        return self.writer.get_extra_info("ssl_object")

    async def close(self) -> None:
        try:
            self.writer.close()
            await asyncio.wait_for(self.writer.wait_closed(), 2)
        except (OSError, TimeoutError, ssl.SSLError):
            pass
