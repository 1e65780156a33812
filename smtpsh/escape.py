"""The one rule for showing text that came from the network (or any untrusted source).

Whatever a server, a certificate, a DNS answer or a message header says goes through
`escape()` before it reaches a screen or a file: a control character could retitle or
overwrite the user's terminal (ESC ] 0 ; TITLE BEL), move the cursor over what was shown, or
hide text, so each one is shown as `\\xNN` text instead. Bytes that were not UTF-8 (kept as
lone surrogates by the `surrogateescape` error handler, as argv and file names carry them)
are shown as `\\xNN` too, the byte they stood for.

Escaped: C0 controls but TAB (unless `tab=True`), DEL, C1 controls (U+0080-U+009F: CSI
U+009B acts as ESC [ on some terminals), lone surrogates, and the invisible characters that
reorder or break lines (bidi embeddings, overrides and isolates, LINE/PARAGRAPH SEPARATOR).
Printable text, non-ASCII letters included, is left as it is; a backslash is not doubled
(as `decode_line` in protocol.py, whose rule this is).
"""

from __future__ import annotations

import re

_UNSAFE = re.compile(
    "[\x00-\x08\x0a-\x1f\x7f-\x9f"  # C0 but TAB, DEL, C1
    "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"  # bidi marks, embeddings, isolates
    "\u2028\u2029"  # line and paragraph separators
    "\ud800-\udfff]"  # lone surrogates (surrogateescape'd bytes among them)
)
_UNSAFE_TAB = re.compile(_UNSAFE.pattern.replace("\x00-\x08\x0a-\x1f", "\x00-\x1f"))


def _show(m: re.Match[str]) -> str:
    code = ord(m.group())
    if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8 (surrogateescape)
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def escape(text: str, *, tab: bool = False) -> str:
    """`text` safe to print or write: every control and invisible reordering character
    shown as `\\xNN` / `\\uNNNN`. `tab=True` escapes TAB as well (one-line fields)."""
    return (_UNSAFE_TAB if tab else _UNSAFE).sub(_show, text)


def escape_bytes(raw: bytes, *, tab: bool = False) -> str:
    """Bytes from the wire as safe text: UTF-8 where it is, `\\xNN` for any other byte."""
    return escape(raw.decode("utf-8", "surrogateescape"), tab=tab)


def is_clean(text: str) -> bool:
    """True when `escape(text)` would change nothing (TAB allowed)."""
    return _UNSAFE.search(text) is None
