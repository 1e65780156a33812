"""What `smtpsh --received FILE` and the sandbox's `:show N` show of a message: its route
(smtpsh.received: the Received chain, hop by hop) and then its forensics (smtpsh.forensics:
Authentication-Results, DKIM, ARC, DMARC alignment). Here, so that neither of those two
modules needs the other's view."""

from __future__ import annotations

import sys

from smtpsh.exitcodes import Exit
from smtpsh.forensics import KeyLookup, checked_lookup, forensics_title, forensics_view
from smtpsh.i18n import _
from smtpsh.received import parse_chain, render, terminal_width


def message_view(message: bytes, width: int | None, lookup: KeyLookup,
                 ansi: bool = False) -> str:
    """What `--received` and `:show N` show of a message: the hop table, then the forensics
    (smtpsh.forensics: Authentication-Results, DKIM, ARC, DMARC alignment), keys looked up
    through `lookup`."""
    hops = render(parse_chain(message.decode("utf-8", "replace")), width)
    forensics, _card = forensics_view(message, lookup, width, title=forensics_title(),
                                      ansi=ansi)
    return f"{hops}\n\n{forensics}"


def main_received(path: str, nameserver: str | None = None, color: str = "auto",
                  timeout: float = 5.0) -> int:
    """`smtpsh --received FILE` (`-` for stdin): print the route of a message, then its
    forensics (keys through `nameserver` when given, else the system's resolver)."""
    from smtpsh.render import use_color

    try:
        lookup = checked_lookup(nameserver, timeout)
    except ValueError as exc:
        print(f"smtpsh: --nameserver: {exc}", file=sys.stderr)
        return Exit.USAGE
    try:
        if path == "-":
            stdin = getattr(sys.stdin, "buffer", None)  # a text stream only in tests
            message = stdin.read() if stdin is not None else sys.stdin.read().encode()
        else:
            with open(path, "rb") as f:
                message = f.read()
    except OSError as exc:
        print(f"smtpsh: cannot read {path}: {exc.strerror or exc}", file=sys.stderr)
        return Exit.ERROR
    if not parse_chain(message.decode("utf-8", "replace")):
        print("smtpsh: " + _("no Received: header field in {path}").format(path=path),
              file=sys.stderr)
        return Exit.ERROR
    print(message_view(message, terminal_width(), lookup, use_color(color, sys.stdout)))
    return Exit.OK
