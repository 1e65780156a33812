"""The operating system's error texts that reach the user (strerror, gai_strerror: English
from the C library whatever the locale, as Python does not call setlocale), marked for the
catalog: `_(exc.strerror)` words the common ones in the language in use and leaves any other
as it is."""

from __future__ import annotations

from smtpsh.i18n import N_, _

_WORDS = (
    N_("Name or service not known"), N_("Temporary failure in name resolution"),
    N_("No address associated with hostname"), N_("Connection refused"),
    N_("Connection reset by peer"), N_("Connection timed out"), N_("Network is unreachable"),
    N_("No route to host"), N_("Cannot assign requested address"),
    N_("Address already in use"), N_("No such file or directory"), N_("Permission denied"),
    N_("Is a directory"), N_("Not a directory"), N_("Broken pipe"),
    N_("No space left on device"), N_("Read-only file system"),
)


def reason(exc: BaseException) -> str:
    """What went wrong, in a few words: the OS's text (translated when known), else the
    exception's own."""
    text = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
    return _(text)
