"""Postfix's XCLIENT and XFORWARD (https://www.postfix.org/XCLIENT_README.html,
XFORWARD_README.html): build the command from ATTR=VALUE words, values xtext-encoded
(RFC 3461 §4: '+', '=' and bytes outside '!'..'~' as +HH), and check the attributes against
those the server listed after the keyword in its EHLO reply."""

from __future__ import annotations

from collections.abc import Sequence

from smtpsh.i18n import _

# The attributes Postfix knows (3.7); the server's EHLO line says which it takes.
XCLIENT_ATTRS = ("NAME", "REVERSE_NAME", "ADDR", "PORT", "PROTO", "HELO", "LOGIN",
                 "DESTADDR", "DESTPORT")
XFORWARD_ATTRS = ("NAME", "ADDR", "PORT", "PROTO", "HELO", "IDENT", "SOURCE")
SPECIAL = ("[UNAVAILABLE]", "[TEMPUNAVAIL]")  # sent as they are


def xtext(value: str) -> str:
    """RFC 3461 §4 xtext: '+', '=' and what is not printable US-ASCII as +HH (UTF-8)."""
    out = []
    for byte in value.encode("utf-8"):
        if 0x21 <= byte <= 0x7E and byte not in (0x2B, 0x3D):
            out.append(chr(byte))
        else:
            out.append(f"+{byte:02X}")
    return "".join(out)


def build(verb: str, words: Sequence[str], offered: Sequence[str] = ()) -> tuple[str, list[str]]:
    """('XCLIENT ADDR=... NAME=...', warnings) from ATTR=VALUE words; ValueError when a word
    is no ATTR=VALUE. `offered`: the attributes the EHLO reply listed (none: not checked)."""
    verb = verb.upper()
    known = XCLIENT_ATTRS if verb == "XCLIENT" else XFORWARD_ATTRS
    offered_up = {a.upper() for a in offered}
    parts, warnings = [], []
    if not words:
        raise ValueError(_("give ATTR=VALUE words: {known}").format(known=", ".join(known)))
    for word in words:
        name, sep, value = word.partition("=")
        if not sep or not name:
            raise ValueError(_("'{word}' is no ATTR=VALUE").format(word=word))
        name = name.upper()
        if offered_up and name not in offered_up:
            warnings.append(_("the server did not list {name} after {verb} in its EHLO reply"
                              " (it lists {listed})").format(
                                  name=name, verb=verb, listed=" ".join(sorted(offered_up))))
        elif not offered_up and name not in known:
            warnings.append(_("{name} is no {verb} attribute Postfix knows ({known})").format(
                name=name, verb=verb, known=", ".join(known)))
        parts.append(f"{name}={value if value.upper() in SPECIAL else xtext(value)}")
    return f"{verb} {' '.join(parts)}", warnings
