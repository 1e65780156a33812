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


def check_host(host: str) -> str:
    """`host` if it can be looked up as written; ValueError with a one-line reason if not.

    A host name (RFC 1035 §2.3.4: labels of 1 to 63 octets, 253 in all, one final dot
    allowed), an IP address, or `unix:/path`. Bytes that are not UTF-8 (an argument from a
    file name, kept as surrogates) and control characters are refused here, before the
    resolver trips on them.
    """
    from smtpsh.escape import escape, is_clean

    shown = f"'{escape(host, tab=True)}'"
    if unix_socket_path(host) is not None:
        return host
    if not is_clean(host) or "\t" in host:
        kind = ("bytes that are not UTF-8" if any("\udc80" <= c <= "\udcff" for c in host)
                else "control characters")
        raise ValueError(f"bad host name {shown}: it holds {kind}")
    if ":" in host:  # an IPv6 address (maybe with a %zone): the resolver says the rest
        return host
    name = host[:-1] if host.endswith(".") else host
    if not name:
        raise ValueError(f"no host name in {shown}")
    if "" in name.split("."):
        raise ValueError(f"bad host name {shown}: an empty label (two dots in a row,"
                             " or a dot at the start)")
    try:
        labels = name.encode("idna").split(b".")
    except UnicodeError as exc:
        labels = [part.encode("utf-8") for part in name.split(".")]
        if all(len(octets) <= 63 for octets in labels):
            raise ValueError(f"bad host name {shown}: {exc.__cause__ or exc}") from None
    for octets in labels:
        if len(octets) > 63:
            raise ValueError(f"bad host name {shown}: a label of {len(octets)} characters,"
                             " more than the 63 DNS allows (RFC 1035)")
    if sum(len(octets) + 1 for octets in labels) - 1 > 253:
        raise ValueError(f"bad host name {shown}: longer than the 253 characters DNS allows")
    return host
