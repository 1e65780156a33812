"""Exit statuses of smtpsh, documented in docs/reference.md (one place for each fact)."""

from enum import IntEnum

from smtpsh.i18n import N_


class Exit(IntEnum):
    OK = 0
    ERROR = 1
    USAGE = 2
    CONNECT = 3
    TIMEOUT = 4
    LOST = 5
    TLS = 6
    TRANSIENT = 7
    PERMANENT = 8
    DNS_BOUNCE = 9
    DNS_DEFER = 10
    AUTH = 11
    PROTOCOL = 12
    EXPECT = 13
    CARD_WARN = 14
    CARD_FAIL = 15
    PROXY = 16
    INTERRUPTED = 130  # the shell convention for a death by SIGINT (128 + 2)



# What each status means: `smtpsh --help` prints this; docs/reference.md says the same
# (a test holds the two together).
MEANING = {
    Exit.OK: N_("the dialog ran to its end and no reply in it was 4xx or 5xx"),
    Exit.ERROR: N_("a local problem (a file that cannot be read or written, an internal error)"),
    Exit.USAGE: N_("bad arguments"),
    Exit.CONNECT: N_("could not connect (unknown host, connection refused, unreachable)"),
    Exit.TIMEOUT: N_("no connection, no reply, or no data taken within --timeout"),
    Exit.LOST: N_("the server closed the connection before the dialog ended"),
    Exit.TLS: N_("TLS failed (handshake, certificate, STARTTLS refused under --starttls)"),
    Exit.TRANSIENT: N_("a reply in the dialog was 4xx (and none was 5xx)"),
    Exit.PERMANENT: N_("a reply in the dialog was 5xx"),
    Exit.DNS_BOUNCE: N_("--mx: the domain does not exist or accepts no mail (would bounce)"),
    Exit.DNS_DEFER: N_("--mx: temporary DNS failure, or no server could be reached (would defer)"),
    Exit.AUTH: N_("AUTH ended without a 235: not authenticated, though no reply said 4xx/5xx"),
    Exit.PROTOCOL: N_("the server broke the protocol (a reply code outside 200-599, a 3xx where"
    " none is due): the dialog was stopped"),
    Exit.EXPECT: N_("a reply did not match what the dialog expected (a ?-line), or --replay"
    " / --compare found a reply that differs"),
    Exit.CARD_WARN: N_("--check/--probe: warnings, and no finding failed"),
    Exit.CARD_FAIL: N_("--check/--probe: at least one finding failed"),
    Exit.PROXY: N_("--proxy: the proxy could not be reached, refused the authentication, or"
    " refused the connection to the server"),
    Exit.INTERRUPTED: N_("interrupted (Ctrl-C) outside the shell"),
}


class Failure(Exception):
    """A failure that ends a dialog, said in one line; `exit` is the status to exit with."""

    def __init__(self, message: str, exit: Exit) -> None:
        super().__init__(message)
        self.exit = exit
