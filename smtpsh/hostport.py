"""`host`, `host:port`, `[v6]:port`, `[v6]` or a bare IPv6 address: the one reader of them."""

from __future__ import annotations


def split_host_port(text: str) -> tuple[str, str | None]:
    """(host, port or None); ValueError with a one-line reason when the form is broken."""
    text = text.strip()
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
