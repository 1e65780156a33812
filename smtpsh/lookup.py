"""Name lookup for a connection: the system resolver, bounded in wall time.

getaddrinfo cannot be cancelled; it runs in a daemon thread so that neither a wait nor the
process's exit hangs on a resolver that does not answer. Used by transport.py and proxy.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import socket
import threading
from collections.abc import Callable
from typing import Any


# The blocking name lookup (getaddrinfo, as the system resolver does it). A module-level
# hook so that a test can put a slow or failing resolver in its place.
def system_getaddrinfo(host: str, port: int, family: int) -> list[tuple[int, Any]]:
    """-> [(family, sockaddr)] for a TCP connection, in the resolver's order (RFC 6724)."""
    infos = socket.getaddrinfo(host, port, family, socket.SOCK_STREAM)
    return [(info[0], info[4]) for info in infos]


getaddrinfo: Callable[[str, int, int], list[tuple[int, Any]]] = system_getaddrinfo


class ResolveTimeout(TimeoutError):
    """The resolver did not answer for `host` within `seconds`."""

    def __init__(self, host: str, seconds: float) -> None:
        from smtpsh.i18n import _, decimal

        super().__init__(_("no answer for {host} within {seconds} s").format(
            host=host, seconds=decimal(seconds)))
        self.host, self.seconds = host, seconds


def _numeric(host: str, port: int, family: int) -> list[tuple[int, Any]] | None:
    """An IP address needs no resolver: its sockaddr at once, or None for a name."""
    try:
        ipaddress.ip_address(host)  # (a %zone included) a name is never handed on here
    except ValueError:
        return None
    try:
        infos = socket.getaddrinfo(host, port, family, socket.SOCK_STREAM, 0,
                                   socket.AI_NUMERICHOST)
    except (socket.gaierror, UnicodeError):
        return None
    return [(info[0], info[4]) for info in infos]


async def resolve_address(host: str, port: int, family: int, timeout: float
                          ) -> list[tuple[int, Any]]:
    """[(family, sockaddr)] for host:port, within `timeout` seconds of wall time.

    getaddrinfo cannot be cancelled, so it runs in a daemon thread of its own: neither
    this wait nor the process's exit waits for a resolver that does not answer (asyncio's
    default executor would be joined at the end of asyncio.run). Raises socket.gaierror
    (the resolver's answer) or ResolveTimeout.
    """
    found = _numeric(host, port, family)
    if found is not None:
        return found
    loop = asyncio.get_running_loop()
    future: asyncio.Future[list[tuple[int, Any]]] = loop.create_future()
    lookup = getaddrinfo

    def settle(result: list[tuple[int, Any]] | None, exc: BaseException | None) -> None:
        if future.done():  # timed out, or cancelled: nobody waits for it any more
            return
        if exc is not None:
            future.set_exception(exc)
        else:
            future.set_result(result or [])

    def work() -> None:
        result, error = None, None
        try:
            result = lookup(host, port, family)
        except BaseException as exc:  # noqa: BLE001 - handed to the waiting task
            error = exc
        with contextlib.suppress(RuntimeError):  # the loop is closed: the run is over
            loop.call_soon_threadsafe(settle, result, error)

    threading.Thread(target=work, name="smtpsh-resolve", daemon=True).start()
    try:
        async with asyncio.timeout(timeout):
            return await future
    except TimeoutError:
        raise ResolveTimeout(host, timeout) from None
