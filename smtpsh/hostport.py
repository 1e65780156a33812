"""`host`, `host:port`, `[v6]:port`, `[v6]`, a bare IPv6 address or `unix:/path`: the one
reader of them."""

from __future__ import annotations

UNIX_PREFIX = "unix:"


def unix_socket_path(host: str) -> str | None:
    """The socket path if `host` names a unix-domain socket (`unix:/path`), else None.

    `unix:25` stays a host called "unix" on port 25: a path is anything but a port number.
    """
    if host.startswith(UNIX_PREFIX) and not host[len(UNIX_PREFIX):].isdigit():
        return host[len(UNIX_PREFIX):]
    return None


def split_host_port(text: str) -> tuple[str, str | None]:
    """(host, port or None); ValueError with a one-line reason when the form is broken.

    `unix:/path` comes back whole as the host, with no port (a socket path may hold colons).
    """
    text = text.strip()
    path = unix_socket_path(text)
    if path is not None:
        if not path:
            raise ValueError(f"no socket path in {text!r}: give unix:/path/to/socket")
        return text, None
    if text.startswith("["):
        host, sep, rest = text[1:].partition("]")
        if not sep:
            raise ValueError(f"missing ']' in {text!r}")
        if rest and not rest.startswith(":"):
            raise ValueError(f"cannot read {text!r}: expected [address]:port")
        port = rest[1:] or None
    elif text.count(":") == 1:
        host, port = text.split(":")
    else:  # a host name, an IPv4 address, or a bare IPv6 address (several colons)
        host, port = text, None
    if not host:
        raise ValueError(f"no host in {text!r}")
    return host, port


def port_number(value: str) -> int:
    if not value.isdigit() or not 0 < int(value) < 65536:
        raise ValueError(f"bad port {value!r}: give a number from 1 to 65535")
    return int(value)
