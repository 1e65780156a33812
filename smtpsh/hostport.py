"""`host`, `host:port`, `[v6]:port`, `[v6]`, a bare IPv6 address or `unix:/path`: the one
reader of them."""

from __future__ import annotations

from smtpsh.i18n import _

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
            raise ValueError(_("no socket path in {text}: give unix:/path/to/socket").format(
                text=repr(text)))
        return text, None
    if text.startswith("["):
        host, sep, rest = text[1:].partition("]")
        if not sep:
            raise ValueError(_("missing ']' in {text}").format(text=repr(text)))
        if rest and not rest.startswith(":"):
            raise ValueError(_("cannot read {text}: expected [address]:port").format(
                text=repr(text)))
        port = rest[1:] or None
    elif text.count(":") == 1:
        host, port = text.split(":")
    else:  # a host name, an IPv4 address, or a bare IPv6 address (several colons)
        host, port = text, None
    if not host:
        raise ValueError(_("no host in {text}").format(text=repr(text)))
    return host, port


def port_number(value: str) -> int:
    if not value.isdigit() or not 0 < int(value) < 65536:
        raise ValueError(_("bad port {port}: give a number from 1 to 65535").format(
            port=repr(value)))
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
        raise ValueError((_("bad host name {host}: it holds bytes that are not UTF-8")
                          if any("\udc80" <= c <= "\udcff" for c in host) else
                          _("bad host name {host}: it holds control characters")).format(
                              host=shown))
    if ":" in host:  # an IPv6 address (maybe with a %zone): the resolver says the rest
        return host
    name = host[:-1] if host.endswith(".") else host
    if not name:
        raise ValueError(_("no host name in {host}").format(host=shown))
    if "" in name.split("."):
        raise ValueError(_("bad host name {host}: an empty label (two dots in a row, or a dot"
                           " at the start)").format(host=shown))
    try:
        labels = name.encode("idna").split(b".")
    except UnicodeError as exc:
        labels = [part.encode("utf-8") for part in name.split(".")]
        if all(len(octets) <= 63 for octets in labels):
            raise ValueError(_("bad host name {host}: {error}").format(
                host=shown, error=exc.__cause__ or exc)) from None
    for octets in labels:
        if len(octets) > 63:
            raise ValueError(_("bad host name {host}: a label of {count} characters, more than"
                               " the 63 DNS allows (RFC 1035)").format(host=shown,
                                                                       count=len(octets)))
    if sum(len(octets) + 1 for octets in labels) - 1 > 253:
        raise ValueError(_("bad host name {host}: longer than the 253 characters DNS"
                           " allows").format(host=shown))
    return host
