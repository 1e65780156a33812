"""Exit statuses of smtpsh, documented in docs/reference.md (one place for each fact)."""

from enum import IntEnum


class Exit(IntEnum):
    OK = 0  # the dialog ran to its end and no reply was 4xx/5xx
    ERROR = 1  # a local problem: a file that cannot be read or written, an internal error
    USAGE = 2  # bad arguments
    CONNECT = 3  # could not connect: unknown host, refused, unreachable
    TIMEOUT = 4  # no reply within --timeout (or no connection within it)
    LOST = 5  # the server closed the connection before the dialog ended
    TLS = 6  # the TLS handshake or certificate verification failed
    TRANSIENT = 7  # a reply in the dialog was 4xx (and none was 5xx)
    PERMANENT = 8  # a reply in the dialog was 5xx
    DNS_BOUNCE = 9  # --mx: the domain does not exist or accepts no mail (null MX)
    DNS_DEFER = 10  # --mx: temporary DNS failure, or every mail server failed


class Failure(Exception):
    """A failure that ends a dialog, said in one line; `exit` is the status to exit with."""

    def __init__(self, message: str, exit: Exit) -> None:
        super().__init__(message)
        self.exit = exit
