"""Reaching a server through a proxy (--proxy: SOCKS4, SOCKS5, HTTP CONNECT), and the PROXY
protocol header that tells a server behind HAProxy who the client is (--proxy-protocol).

The proxy handshakes are python-socks' (imported only when a proxy is used); the names are
looked up by smtpsh's own resolver (lookup.resolve_address: a daemon thread, bounded by
--timeout): the proxy's name always, the target's unless the proxy is to resolve it
(socks5h://, and http:// whose CONNECT carries the name).

Every failure is a ProxyFailure (exit status Exit.PROXY), one line that names the proxy and
the reason: the proxy cannot be reached, it refused our authentication, or it refused (or
failed) the connection to the target.
"""

from __future__ import annotations

import asyncio
import ipaddress
import os
import socket
import struct
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from smtpsh.escape import escape
from smtpsh.exitcodes import Exit, Failure
from smtpsh.i18n import N_, _, decimal

SCHEMES = ("socks5", "socks5h", "socks4", "socks4a", "http")
DEFAULT_PORTS = {"socks5": 1080, "socks5h": 1080, "socks4": 1080, "socks4a": 1080, "http": 8080}
ENV_NAMES = ("ALL_PROXY", "all_proxy")  # what --proxy env reads, in this order


class ProxyFailure(Failure):
    """A proxy failure, said in one line. `next_server`: the proxy works, but refused or could
    not reach this target (--mx goes on to the next server, as for a refused connection)."""

    def __init__(self, message: str, next_server: bool = False,
                 exit: Exit = Exit.PROXY) -> None:
        super().__init__(message, exit)
        self.next_server = next_server


@dataclass(frozen=True)
class ProxySpec:
    """A proxy parsed from its URL (secrets kept, never shown: see `shown`)."""

    scheme: str  # one of SCHEMES
    host: str
    port: int
    user: str | None = None
    password: str | None = None

    @property
    def remote_dns(self) -> bool:
        """The proxy resolves the target's name (socks5h, socks4a, http CONNECT)."""
        return self.scheme in ("socks5h", "socks4a", "http")

    @property
    def shown(self) -> str:
        """The URL without the password: what messages name."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        user = f"{escape(self.user, tab=True)}@" if self.user else ""
        return f"{self.scheme}://{user}{escape(host, tab=True)}:{self.port}"


def parse_proxy(text: str, environ: Mapping[str, str] | None = None) -> ProxySpec:
    """`scheme://[user:pass@]host[:port]`, or `env` for ALL_PROXY/all_proxy. ValueError
    with a message for --proxy when it cannot be used."""
    if text.strip().lower() == "env":
        env = os.environ if environ is None else environ
        for name in ENV_NAMES:
            value = env.get(name, "").strip()
            if value:
                try:
                    return parse_proxy(value)
                except ValueError as exc:
                    raise ValueError(f"env ({name}): {exc}") from None
        raise ValueError(_("env: ALL_PROXY (or all_proxy) is not set"))
    if "://" not in text:
        raise ValueError(_("give a URL: socks5://host:port, socks5h://, socks4://, http://"
                           " (not '{text}')").format(text=escape(text, tab=True)))
    parts = urlsplit(text)
    scheme = parts.scheme.lower()
    if scheme == "https":
        raise ValueError(_("https:// proxies are not supported: use http:// (CONNECT) or"
                           " socks5://"))
    if scheme not in SCHEMES:
        raise ValueError(_("unknown proxy type '{scheme}': use socks5://, socks5h://,"
                           " socks4://, socks4a:// or http://").format(
                               scheme=escape(parts.scheme, tab=True)))
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ValueError(_("a proxy URL has no path: {text}").format(
            text=escape(text, tab=True)))
    try:
        host, port = parts.hostname, parts.port
    except ValueError as exc:  # a port that is no number, or out of range
        raise ValueError(f"{escape(text, tab=True)}: {exc}") from None
    if not host:
        raise ValueError(_("no proxy host in {text}").format(text=escape(text, tab=True)))
    user = unquote(parts.username) if parts.username is not None else None
    password = unquote(parts.password) if parts.password is not None else None
    if scheme.startswith("socks4") and password:
        raise ValueError(_("SOCKS4 has no password (only a user id): use socks5://"))
    return ProxySpec(scheme, host, port or DEFAULT_PORTS[scheme], user or None, password)


def _reason(exc: BaseException) -> str:
    errno = getattr(exc, "errno", None)
    if isinstance(errno, int) and errno > 0 and not isinstance(exc, socket.gaierror):
        return _(os.strerror(errno))  # not asyncio's "Connect call failed ('127.0.0.1', 1)"
    return _(getattr(exc, "strerror", None) or str(exc) or type(exc).__name__)


async def open_streams(spec: ProxySpec, host: str, port: int, *, timeout: float,
                       family: int = 0, source: str | None = None, limit: int = 1 << 16
                       ) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """Streams to host:port through the proxy; within `timeout` for all of it (name
    lookups, the proxy's connection, its handshake)."""
    from python_socks import ProxyConnectionError, ProxyError, ProxyTimeoutError

    from smtpsh.lookup import ResolveTimeout, resolve_address

    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    name = spec.shown
    target = _("{host} port {port}").format(host=escape(host, tab=True), port=port)

    def left() -> float:
        return max(deadline - loop.time(), 0.001)

    try:
        proxies = await resolve_address(spec.host, spec.port, 0, left())
    except (OSError, ResolveTimeout) as exc:
        raise ProxyFailure(_("proxy {name} unreachable: cannot resolve '{host}': {error}")
                           .format(name=name, host=escape(spec.host, tab=True),
                                   error=_reason(exc))) from None
    dest = host
    if not spec.remote_dns:
        # SOCKS4 carries IPv4 addresses only
        fam = (family or socket.AF_INET) if spec.scheme == "socks4" else family
        try:
            found = await resolve_address(host, port, fam, left())
        except socket.gaierror as exc:
            raise ProxyFailure(_("cannot resolve host '{host}' (for the proxy {name};"
                                 " socks5h:// lets the proxy resolve it): {error}").format(
                                     host=escape(host, tab=True), name=name,
                                     error=_reason(exc)), exit=Exit.CONNECT) from None
        except ResolveTimeout as exc:
            raise ProxyFailure(_("cannot resolve host '{host}': {error}").format(
                host=escape(host, tab=True), error=exc), exit=Exit.CONNECT) from None
        if not found:
            raise ProxyFailure(_("host '{host}' has no address").format(
                host=escape(host, tab=True)), exit=Exit.CONNECT)
        dest = found[0][1][0]
    errors: list[str] = []
    for _family, sockaddr in dict.fromkeys(proxies):
        try:
            async with asyncio.timeout(left()):
                if spec.scheme == "http":
                    return await _http_connect(spec, sockaddr[0], dest, port, source, limit)
                sock = await _socks_connect(spec, sockaddr[0], dest, port, source, left())
                try:
                    return await asyncio.open_connection(sock=sock, limit=limit)
                except BaseException:
                    sock.close()
                    raise
        except (ProxyTimeoutError, TimeoutError):
            raise ProxyFailure(_("proxy {name}: no connection to {target} within {seconds} s"
                                 " (the proxy or the target is slow)").format(
                                     name=name, target=target, seconds=decimal(timeout)),
                               exit=Exit.TIMEOUT) from None
        except ProxyConnectionError as exc:
            cause = exc.__cause__
            errors.append(_reason(cause) if cause is not None else _reason(exc))
        except ProxyError as exc:
            raise _refusal(spec, target, exc) from None
        except OSError as exc:
            errors.append(_reason(exc))
    raise ProxyFailure(_("proxy {name} unreachable: {error}").format(
        name=name, error="; ".join(dict.fromkeys(errors))))


async def _socks_connect(spec: ProxySpec, proxy_ip: str, dest: str, port: int,
                         source: str | None, timeout: float) -> socket.socket:
    """SOCKS4/5: python-socks' client (it reads exactly the proxy's reply, no more)."""
    from python_socks import ProxyType
    from python_socks.async_.asyncio import Proxy

    kind = ProxyType.SOCKS5 if spec.scheme.startswith("socks5") else ProxyType.SOCKS4
    proxy = Proxy(kind, proxy_ip, spec.port, username=spec.user, password=spec.password,
                  rdns=spec.remote_dns, loop=asyncio.get_running_loop())
    local = await _local(source, proxy_ip, timeout)
    return await proxy.connect(dest, port, timeout=timeout, local_addr=local)


async def _local(source: str | None, proxy_ip: str, timeout: float) -> tuple[str, int] | None:
    if not source:
        return None
    from smtpsh.lookup import ResolveTimeout, resolve_address

    fam = socket.AF_INET6 if ":" in proxy_ip else socket.AF_INET
    try:
        bound = await resolve_address(source, 0, fam, timeout)
    except (OSError, ResolveTimeout) as exc:
        raise ProxyFailure(_("cannot use the --source address {source}: {error}").format(
            source=source, error=_reason(exc)), exit=Exit.CONNECT) from None
    if not bound:
        raise ProxyFailure(_("the --source address {source} is not of the family of the proxy"
                             " {address}").format(source=source, address=proxy_ip),
                           exit=Exit.CONNECT)
    return bound[0][1][0], 0


async def _http_connect(spec: ProxySpec, proxy_ip: str, dest: str, port: int,
                        source: str | None, limit: int
                        ) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """HTTP CONNECT: python-socks' request and reply parser, on smtpsh's stream, which
    reads the reply up to its blank line only: a server that speaks first (an SMTP
    greeting) may send its first bytes in the same segment, and they must stay unread.
    (python-socks' own HTTP client reads 64 KiB at once, and those bytes would be lost.)"""
    from python_socks._errors import ProxyConnectionError, ProxyError
    from python_socks._protocols.errors import ReplyError
    from python_socks._protocols.http import ConnectReply, ConnectRequest

    try:
        reader, writer = await asyncio.open_connection(
            proxy_ip, spec.port, limit=limit,
            local_addr=await _local(source, proxy_ip, 30.0))
    except OSError as exc:
        raise ProxyConnectionError(exc.errno, _reason(exc)) from exc
    try:
        writer.write(ConnectRequest(dest, port, spec.user, spec.password).dumps())
        await writer.drain()
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except asyncio.IncompleteReadError:
            raise ProxyError(_("the proxy closed the connection before its reply")) from None
        except asyncio.LimitOverrunError:
            raise ProxyError(_("the proxy's reply has no end")) from None
        try:
            ConnectReply.loads(head)
        except ReplyError as exc:
            raise ProxyError(str(exc), error_code=exc.error_code) from None
    except BaseException:
        writer.transport.abort()
        raise
    return reader, writer


# SOCKS5 (RFC 1928 §6), SOCKS4 and HTTP replies that mean "the proxy works, but the target
# could not be reached or is not allowed".
_SOCKS5 = {1: N_("general failure"), 2: N_("connection not allowed by its rules"),
           3: N_("network unreachable"), 4: N_("host unreachable"), 5: N_("connection refused"),
           6: N_("TTL expired"), 7: N_("command not supported"),
           8: N_("address type not supported")}


def _refusal(spec: ProxySpec, target: str, exc: BaseException) -> ProxyFailure:
    name = spec.shown
    code = getattr(exc, "error_code", None)
    text = str(exc)
    low = text.lower()
    if "authentication" in low or code == 407 or "user was rejected" in low:
        if spec.user is None:
            why = _("it wants a user name and password (give them:"
                    " scheme://user:pass@host:port)")
        else:
            why = _("user {user} and the password were refused").format(
                user=escape(spec.user, tab=True))
        return ProxyFailure(_("proxy {name}: authentication refused: {why}").format(
            name=name, why=why))
    refused = _("proxy {name} refused the connection to {target}: {why}")
    if code is not None and spec.scheme.startswith("socks5"):
        why = _(_SOCKS5[code]) if code in _SOCKS5 else _("reply code {code}").format(code=code)
        return ProxyFailure(refused.format(name=name, target=target, why=why),
                            next_server=True)
    if code is not None and spec.scheme == "http":
        said = text.split(":", 1)[-1].strip() or _("CONNECT failed")
        return ProxyFailure(refused.format(name=name, target=target,
                                           why=f"HTTP {code} ({said})"),
                            next_server=code not in (400, 405))
    if code is not None:  # SOCKS4: 0x5B rejected or failed, 0x5C/0x5D identd
        return ProxyFailure(refused.format(name=name, target=target, why=text),
                            next_server=True)
    return ProxyFailure(_("proxy {name}: the handshake failed: {error} (is it a {scheme}"
                          " proxy?)").format(name=name, error=text,
                                             scheme=spec.scheme.rstrip("h")))


# --- the PROXY protocol (HAProxy, https://www.haproxy.org/download/2.9/doc/proxy-protocol.txt)

V2_SIGNATURE = b"\r\n\r\n\x00\r\nQUIT\n"


def parse_source(text: str) -> tuple[str, int]:
    """--proxy-source ADDR:PORT ([v6]:port): the client the header claims. ValueError."""
    text = text.strip()
    if text.startswith("["):
        addr, sep, port = text[1:].partition("]:")
    else:
        addr, sep, port = text.rpartition(":")
    if not sep or not port.isdigit() or not 0 <= int(port) <= 65535:
        raise ValueError(_("give ADDR:PORT ([IPv6]:PORT), not '{text}'").format(
            text=escape(text, tab=True)))
    try:
        ip = ipaddress.ip_address(addr)
    except ValueError:
        raise ValueError(_("'{address}' is no IP address").format(
            address=escape(addr, tab=True))) from None
    return str(ip), int(port)


def proxy_header(version: str, source: tuple[str, int], dest: tuple[str, int]) -> bytes:
    """The PROXY header claiming a TCP connection from `source` to `dest` (v1: a text line,
    v2: binary). An IPv4 source to an IPv6 server is sent IPv4-mapped; the other way round
    is a ValueError."""
    src, dst = ipaddress.ip_address(source[0]), ipaddress.ip_address(dest[0])
    if isinstance(dst, ipaddress.IPv6Address) and dst.ipv4_mapped is not None:
        dst = dst.ipv4_mapped
    if isinstance(src, ipaddress.IPv6Address) and src.ipv4_mapped is not None:
        src = src.ipv4_mapped
    if src.version != dst.version:
        if src.version == 4:
            src = ipaddress.IPv6Address(f"::ffff:{src}")
        else:
            raise ValueError(_("--proxy-source {source} is IPv6, the server's address"
                               " {address} is IPv4: the header cannot mix them").format(
                                   source=src, address=dst))
    if version == "v1":
        proto = "TCP4" if src.version == 4 else "TCP6"
        mapped = isinstance(src, ipaddress.IPv6Address) and src.ipv4_mapped is not None
        shown = f"::ffff:{src.ipv4_mapped}" if mapped else str(src)  # type: ignore[union-attr]
        return f"PROXY {proto} {shown} {dst} {source[1]} {dest[1]}\r\n".encode("ascii")
    fam = 0x11 if src.version == 4 else 0x21  # AF_INET/AF_INET6 + STREAM
    body = src.packed + dst.packed + struct.pack("!HH", source[1], dest[1])
    return V2_SIGNATURE + bytes([0x21, fam]) + struct.pack("!H", len(body)) + body
