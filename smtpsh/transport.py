"""Bytes over TCP or a unix-domain socket, with or without TLS, on asyncio streams. Knows
nothing of SMTP.

A host of the form `unix:/path` (see smtpsh.hostport) names a unix socket; its port is ignored.

Every failure comes out as a TransportError whose message is one line a user can act on.
(The one exception to "nothing of SMTP": `fetch_certificate` replays EHLO + STARTTLS on a
second connection, to name what a certificate that failed verification holds.)
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import os
import socket
import ssl
import stat
from typing import TYPE_CHECKING, Any

from smtpsh.escape import escape
from smtpsh.exitcodes import Exit, Failure
from smtpsh.hostport import check_host, unix_socket_path
from smtpsh.i18n import _, decimal
from smtpsh.lookup import ResolveTimeout, resolve_address
from smtpsh.oswords import reason
from smtpsh.tls import TlsInfo, explain_failure, unverified_context

if TYPE_CHECKING:
    from smtpsh.proxy import ProxySpec

__all__ = ["TlsInfo", "Transport", "TransportError", "fetch_certificate", "no_greeting_error",
           "tls_error"]

_PROBE_TIMEOUT = 5.0  # cap for the second connections made only to explain a failure
_LIMIT = 1 << 20  # StreamReader buffer: a long reply line is the server's fault, not ours


class TransportError(Failure):
    """A connection problem, said in one line."""


# The name lookup lives in smtpsh.lookup (proxy.py uses it too); re-exported here.
class _SourceError(OSError):
    """The --source address could not be used (resolved, bound)."""


async def _connect_tcp(host: str, port: int, family: int, source: str | None,
                       timeout: float, early: bytes = b"") -> socket.socket:
    """A connected non-blocking socket to host:port: each address in the resolver's order
    (as asyncio does), name lookup and connection within `timeout` in all. `early` is
    written the moment the connection stands (an early talker, on purpose)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    try:
        targets = await resolve_address(host, port, family, timeout)
    except socket.gaierror as exc:
        if family not in (socket.AF_INET, socket.AF_INET6):
            raise
        # -4/-6 found nothing: say so if the other family has addresses, not "unknown".
        try:
            others = await resolve_address(host, port, 0, max(deadline - loop.time(), 0))
        except (OSError, TimeoutError):
            raise exc from None
        if not others:
            raise
        want, have = (4, 6) if family == socket.AF_INET else (6, 4)
        raise socket.gaierror(exc.errno, _("no IPv{want} address (the host has only"
                                           " IPv{have} addresses; drop -{want})").format(
                                               want=want, have=have)) from None
    local: list[tuple[int, Any]] = []
    if source:
        try:
            local = await resolve_address(source, 0, family, max(deadline - loop.time(), 0))
        except socket.gaierror as exc:
            raise _SourceError(exc.errno, _("cannot resolve the --source address '{source}':"
                                            " {error}").format(
                                                source=escape(source, tab=True),
                                                error=reason(exc))) from None
    errors: list[tuple[Any, OSError]] = []
    async with asyncio.timeout_at(deadline):
        for fam, sockaddr in dict.fromkeys(targets):
            sock = socket.socket(fam, socket.SOCK_STREAM, socket.IPPROTO_TCP)
            try:
                sock.setblocking(False)
                # No Nagle: the lone dot after the message (a second small write) would
                # wait for the server's delayed ACK, 40 ms a message. asyncio sets it only
                # for sockets it makes itself.
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                if source:
                    bind = next((addr for lfam, addr in local if lfam == fam), None)
                    if bind is None:
                        raise _SourceError(_("the --source address {source} is not of the"
                                             " family of {address}").format(
                                                 source=source, address=sockaddr[0]))
                    sock.bind(bind)
                await loop.sock_connect(sock, sockaddr)
                if early:
                    await loop.sock_sendall(sock, early)
            except OSError as exc:
                sock.close()
                errors.append((sockaddr, exc))
                continue
            except BaseException:
                sock.close()
                raise
            return sock
    if not errors:
        raise OSError(_("{host} has no address to connect to").format(host=host))
    first = errors[0][1]
    if len(errors) == 1 or all(type(e) is type(first) for _a, e in errors):
        raise first
    raise OSError("; ".join(f"{addr[0]}: {reason(e)}" for addr, e in errors))


async def _open_stream(host: str, port: int, *, family: int = 0, source: str | None = None,
                       timeout: float = _PROBE_TIMEOUT, early: bytes = b""
                       ) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """TCP to host:port, or the unix socket that a `unix:/path` host names; within
    `timeout` (for TCP: the name lookup too). `early`: see _connect_tcp."""
    path = unix_socket_path(host)
    if path is not None:
        reader, writer = await asyncio.wait_for(
            asyncio.open_unix_connection(path, limit=_LIMIT), timeout)
        if early:
            writer.write(early)
        return reader, writer
    sock = await _connect_tcp(host, port, family, source, timeout, early)
    try:
        return await asyncio.open_connection(sock=sock, limit=_LIMIT)
    except BaseException:
        sock.close()
        raise


async def _open_proxied(proxy: ProxySpec, host: str, port: int, family: int,
                        source: str | None, timeout: float
                        ) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """TCP to host:port through `proxy` (its failures: ProxyFailure, said in one line)."""
    from smtpsh.proxy import open_streams

    return await open_streams(proxy, host, port, timeout=timeout, family=family,
                              source=source, limit=_LIMIT)


def _header(spec: tuple[str, tuple[str, int] | None], writer: asyncio.StreamWriter,
            host: str, port: int, proxied: bool) -> bytes:
    """The PROXY protocol header for this connection: from the claimed source (or our own
    address) to the server's address (through a proxy: the target's, if it is an address)."""
    from smtpsh.proxy import proxy_header

    version, claimed = spec
    if proxied:
        try:
            dest = (str(ipaddress.ip_address(host)), port)
        except ValueError:
            dest = writer.get_extra_info("peername")[:2]
    else:
        dest = writer.get_extra_info("peername")[:2]
    source = claimed or writer.get_extra_info("sockname")[:2]
    try:
        return proxy_header(version, source, dest)
    except ValueError as exc:
        writer.transport.abort()
        raise TransportError(f"--proxy-protocol: {exc}", Exit.USAGE) from None


def _unix_connect_error(path: str, exc: BaseException) -> TransportError:
    shown = escape(path, tab=True)
    if isinstance(exc, TimeoutError):
        return TransportError(_("no connection to unix socket {path} (timed out)").format(
            path=shown), Exit.TIMEOUT)
    if isinstance(exc, ConnectionRefusedError):
        # Linux refuses a connect() to a file that is no socket the same way; tell them apart.
        try:
            is_socket = stat.S_ISSOCK(os.stat(path).st_mode)
        except OSError:
            is_socket = True
        if not is_socket:
            return TransportError(_("cannot connect to {path}: not a unix socket").format(
                path=shown), Exit.CONNECT)
        return TransportError(_("connection to unix socket {path} refused: nothing listens"
                                " there (a socket file left behind?)").format(path=shown),
                              Exit.CONNECT)
    return TransportError(_("cannot connect to unix socket {path}: {error}").format(
        path=shown, error=reason(exc)), Exit.CONNECT)


def _connect_error(host: str, port: int, exc: BaseException,
                   source: str | None = None) -> TransportError:
    path = unix_socket_path(host)
    if path is not None:
        return _unix_connect_error(path, exc)
    host = escape(host, tab=True)
    if isinstance(exc, ResolveTimeout):
        return TransportError(_("cannot resolve host '{host}': no answer within {seconds} s")
                              .format(host=host, seconds=decimal(exc.seconds)), Exit.CONNECT)
    if isinstance(exc, _SourceError | socket.gaierror):
        what = (_("cannot connect to {host} port {port}: {error}")
                if isinstance(exc, _SourceError) else _("cannot resolve host '{host}': {error}"))
        return TransportError(what.format(host=host, port=port, error=reason(exc)),
                              Exit.CONNECT)
    if isinstance(exc, ConnectionRefusedError):
        return TransportError(_("connection to {host} port {port} refused: nothing listens"
                                " there").format(host=host, port=port), Exit.CONNECT)
    if isinstance(exc, TimeoutError):
        return TransportError(_("no connection to {host} port {port} (timed out)").format(
            host=host, port=port), Exit.TIMEOUT)
    return TransportError(_("cannot connect to {host} port {port}: {error}").format(
        host=host, port=port, error=reason(exc)), Exit.CONNECT)


def tls_error(exc: BaseException, *, implicit: bool = False, ctx: ssl.SSLContext | None = None,
              server_hostname: str | None = None, cert: bytes | None = None) -> TransportError:
    reason = explain_failure(exc, implicit=implicit, ctx=ctx, server_hostname=server_hostname,
                             cert=cert)
    return TransportError(f"TLS: {reason}", Exit.TLS)


def _tls_name(host: str, server_hostname: str | None, ctx: ssl.SSLContext) -> str | None:
    """The name to send (SNI) and verify; over a unix socket only one the caller gave.

    A unix socket has no host name, and `unix:/path` is none either (it would go out as SNI).
    Without a name, TLS over it works only unverified: otherwise a one-line Failure.
    """
    path = unix_socket_path(host)
    if path is None:
        return server_hostname
    name = server_hostname
    if name is not None and unix_socket_path(name) is not None:
        name = None
    if name is None and ctx.check_hostname:
        raise TransportError(_("TLS: a unix socket ({path}) has no host name to verify the"
                               " certificate against: give --tls-servername NAME (or"
                               " --insecure)").format(path=path), Exit.TLS)
    return name


class Transport:
    """One connection: read, write, upgrade to TLS, close."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                 peer: tuple[str, int] | None = None) -> None:
        self.reader = reader
        self.writer = writer
        self.tls: TlsInfo | None = None
        if peer is None:
            name = writer.get_extra_info("peername") or ("?", 0)
            # A unix socket's peername is a bare path (or "" for an unnamed one).
            peer = (f"unix:{name}", 0) if isinstance(name, str) else (name[0], name[1])
        # ("unix:/path", 0) for a unix socket: printable, and it reconnects (fetch_certificate).
        self.peer: tuple[str, int] = peer
        self.closed = False
        self.proxy: ProxySpec | None = None  # the connection goes through this proxy
        self.proxy_header = b""  # the PROXY protocol header sent first, if one was

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
        early: bytes = b"",
        proxy: ProxySpec | None = None,
        proxy_protocol: tuple[str, tuple[str, int] | None] | None = None,
    ) -> Transport:
        """Connect; with `ssl_context`, TLS from the first byte (implicit TLS, RFC 8314).
        `early`: bytes written the moment the connection stands, before any greeting (in
        clear text; not with `ssl_context`).

        `host` may be `unix:/path`: then `port` and `family` are ignored, and TLS needs
        `server_hostname` (or an unverified context).

        `proxy`: through a SOCKS or HTTP CONNECT proxy (smtpsh.proxy; its failures are
        ProxyFailure). `proxy_protocol`: (version, claimed source or None for our own
        address): a PROXY protocol header goes out first of all (before TLS, before
        `early`); the header sent is `proxy_header`.
        """
        unix = unix_socket_path(host) is not None
        if unix and source:
            raise TransportError(_("--source {source} has no meaning for the unix socket"
                                   " {path}").format(source=source, path=unix_socket_path(host)),
                                 Exit.USAGE)
        if unix and (proxy is not None or proxy_protocol is not None):
            raise TransportError(_("--proxy and --proxy-protocol have no meaning for the unix"
                                   " socket {path}").format(path=unix_socket_path(host)),
                                 Exit.USAGE)
        if ssl_context is not None:
            _tls_name(host, server_hostname, ssl_context)  # refuse before connecting
        try:
            # A name the resolver cannot take (an empty or 64-octet label, bytes that are
            # not UTF-8) would come out of getaddrinfo as a UnicodeError: say why here.
            check_host(host)
            if source:
                check_host(source)
        except ValueError as exc:
            raise TransportError(_("cannot connect: {error}").format(error=exc),
                                 Exit.CONNECT) from None
        if ssl_context is not None or proxy_protocol is not None:
            early, later = b"", early  # after the header, or in TLS
        else:
            later = b""
        try:
            if proxy is not None:
                reader, writer = await _open_proxied(proxy, host, port, family, source,
                                                     timeout)
            else:
                reader, writer = await _open_stream(host, port, family=family, source=source,
                                                    timeout=timeout, early=early)
        except (OSError, TimeoutError) as exc:
            raise _connect_error(host, port, exc, source) from None
        # The path as given: the peername a server bound may be relative to its own cwd.
        # Through a proxy: the target as it was asked for (the peer is the proxy).
        t = cls(reader, writer, peer=(host, 0) if unix else (host, port) if proxy else None)
        t.proxy = proxy
        if proxy_protocol is not None:
            t.proxy_header = _header(proxy_protocol, writer, host, port, proxy is not None)
            await t.write(t.proxy_header)
        if later and ssl_context is None:
            await t.write(later)
        if ssl_context is not None:
            # TCP first, then the handshake: a TLS failure is not a connection failure.
            await t._handshake(ssl_context, server_hostname, timeout, implicit=True)
        return t

    async def read(self) -> bytes:
        """Whatever bytes have arrived (waiting for some); b"" when the peer has closed."""
        if self._unread:
            # StreamReader.read raises a connection error before it hands out what it
            # holds: a server's last words (a 452 in the middle of DATA) before its reset
            # must be read first.
            return self.buffered()
        try:
            return await self.reader.read(1 << 16)
        except ssl.SSLError as exc:
            # TLS 1.3 servers reject a missing client certificate only after the handshake.
            raise tls_error(exc) from None
        except (ConnectionError, OSError):
            return b""

    @property
    def _unread(self) -> bytearray:
        # asyncio's StreamReader has no public way to peek at what it holds.
        return self.reader._buffer  # type: ignore[attr-defined,no-any-return]

    def has_data(self) -> bool:
        """Bytes have arrived and wait to be read (a reply the client did not wait for)."""
        return bool(self._unread)

    def buffered(self) -> bytes:
        """Take the bytes that arrived but were not read yet (the STARTTLS guard, stray
        replies, a server's last words)."""
        buf = self._unread
        data = bytes(buf)
        buf.clear()
        return data

    async def write(self, data: bytes) -> None:
        try:
            self.writer.write(data)
            await self.writer.drain()
        except (ConnectionError, OSError) as exc:
            raise TransportError(_("connection lost while sending: {error}").format(
                error=reason(exc)), Exit.LOST) from None

    async def start_tls(
        self, ctx: ssl.SSLContext, server_hostname: str | None, timeout: float
    ) -> TlsInfo:
        """Upgrade in place after the server's 2xx to STARTTLS."""
        return await self._handshake(ctx, server_hostname, timeout, implicit=False)

    async def _handshake(self, ctx: ssl.SSLContext, server_hostname: str | None,
                         timeout: float, implicit: bool) -> TlsInfo:
        try:
            server_hostname = _tls_name(self.peer[0], server_hostname, ctx)
            if server_hostname is not None:
                try:  # ssl would fail on it with a UnicodeError
                    check_host(server_hostname)
                except ValueError as exc:
                    raise TransportError(_("TLS: cannot use it as the server name: {error}")
                                         .format(error=exc), Exit.TLS) from None
        except TransportError:
            await self.close()
            raise
        try:
            await asyncio.wait_for(
                self.writer.start_tls(ctx, server_hostname=server_hostname), timeout
            )
        except (ssl.SSLError, OSError, TimeoutError) as exc:
            self.abort()  # a handshake that failed leaves nothing worth a polite close
            cert = None
            if isinstance(exc, ssl.SSLCertVerificationError):
                cert = await fetch_certificate(self.peer[0], self.peer[1], server_hostname,
                                               starttls=not implicit, timeout=timeout)
            raise tls_error(exc, implicit=implicit, ctx=ctx, server_hostname=server_hostname,
                            cert=cert) from None
        self.tls = self._tls_info(ctx, server_hostname)
        return self.tls

    def _tls_info(self, ctx: ssl.SSLContext, server_hostname: str | None) -> TlsInfo:
        obj: ssl.SSLObject | None = self.writer.get_extra_info("ssl_object")
        cipher = obj.cipher() if obj else None
        return TlsInfo(
            # version() can be None right after a TLS 1.3 handshake; cipher() knows it too.
            version=(obj.version() or (cipher[1] if cipher else "?")) if obj else "?",
            cipher=cipher[0] if cipher else "?",
            verified=ctx.verify_mode == ssl.CERT_REQUIRED,
            server_hostname=server_hostname,
        )

    @property
    def ssl_object(self) -> ssl.SSLObject | None:
        return self.writer.get_extra_info("ssl_object")

    def abort(self) -> None:
        """Drop the connection at once (after a failed handshake: no close to wait for)."""
        self.closed = True
        self.writer.transport.abort()

    async def close(self) -> None:
        """Close politely, waiting at most 2 s; once only."""
        if self.closed:
            return
        self.closed = True
        try:
            self.writer.close()
            await asyncio.wait_for(self.writer.wait_closed(), 2)
        except (OSError, TimeoutError, ssl.SSLError):
            pass
        except asyncio.CancelledError:
            # A cancelled start_tls cancels the stream's close waiter too; only a cancel
            # of our own task is ours to pass on.
            task = asyncio.current_task()
            if task is not None and task.cancelling():
                raise


# --- second connections that explain a failure --------------------------------------------


async def _drop(writer: asyncio.StreamWriter) -> None:
    """End a probe's connection at once: no TLS close_notify exchange that could fail after
    the probe is over, and whatever the closing ended with is read here, so that no future
    is left with an exception nobody retrieved ("Future exception was never retrieved")."""
    writer.transport.abort()
    with contextlib.suppress(Exception):
        await asyncio.wait_for(writer.wait_closed(), 0.1)  # after abort: at once, or never


async def _final_reply(reader: asyncio.StreamReader) -> bytes:
    """The last line of one SMTP reply (the one without a '-' after the code)."""
    while True:
        line = await reader.readline()
        if not line:
            raise ConnectionError("closed")
        if line[3:4] != b"-":
            return line


async def fetch_certificate(host: str, port: int, server_hostname: str | None, *,
                            starttls: bool, timeout: float) -> bytes | None:
    """The server's certificate (DER) from an unverified handshake; None if that fails.

    With `starttls`, a fresh connection replays greeting, EHLO and STARTTLS first.
    """
    async def fetch() -> bytes | None:
        reader, writer = await _open_stream(host, port)
        try:
            if starttls:
                await _final_reply(reader)
                sockname = writer.get_extra_info("sockname")
                if isinstance(sockname, str):  # a unix socket: no address to name ourselves by
                    literal = "localhost"
                else:
                    ip = sockname[0]
                    literal = f"[IPv6:{ip}]" if ":" in ip else f"[{ip}]"
                for command in (f"EHLO {literal}", "STARTTLS"):
                    writer.write(f"{command}\r\n".encode())
                    reply = await _final_reply(reader)
                if not reply.startswith(b"2"):
                    return None
            await writer.start_tls(unverified_context(), server_hostname=server_hostname)
            obj: ssl.SSLObject = writer.get_extra_info("ssl_object")
            return obj.getpeercert(binary_form=True)
        finally:
            await _drop(writer)

    try:
        # In this task (no inner task of wait_for's whose failure could go unread).
        async with asyncio.timeout(min(timeout, _PROBE_TIMEOUT)):
            return await fetch()
    except (OSError, TimeoutError, ssl.SSLError, ValueError):
        return None


async def speaks_tls(host: str, port: int, timeout: float) -> bool:
    """Does the port answer a TLS ClientHello sent as the very first bytes?"""
    async def probe() -> bool:
        _reader, writer = await _open_stream(host, port)
        try:
            await writer.start_tls(unverified_context())
            return True
        except ssl.SSLError as exc:
            # A TLS alert is still TLS; plain text read as a record is not.
            return exc.reason != "WRONG_VERSION_NUMBER"
        finally:
            await _drop(writer)

    try:
        async with asyncio.timeout(min(timeout, _PROBE_TIMEOUT)):
            return await probe()
    except (OSError, TimeoutError, ValueError):
        return False


async def no_greeting_error(host: str, port: int, timeout: float) -> TransportError | None:
    """After a plain connection got no greeting in time: the reason, if the port wants TLS.

    None means the port does not answer TLS either: keep the timeout as it was.
    """
    if not await speaks_tls(host, port, timeout):
        return None
    return TransportError(_("no greeting: this port expects TLS from the first byte (it"
                            " answered a TLS handshake): try --tls"), Exit.TLS)
