"""The guide's reasons for a strict server's refusals (the sandbox's, Postfix's, Exim's):
a bare LF or CR, a non-ASCII address without SMTPUTF8, 8-bit text without BODY=8BITMIME,
the LIMITS of RFC 9422, a nested MAIL FROM.

Pure, like smtpsh.guide, which asks these first: None when the reply is none of them.
"""

from __future__ import annotations

import re

from smtpsh.i18n import _
from smtpsh.protocol import Reply

_BARE = re.compile(r"bare\s*<?(LF|CR)\b>?|bare (line ?feed|newline|carriage return)",
                   re.IGNORECASE)
_8BIT = re.compile(r"8-?bit|8BITMIME", re.IGNORECASE)
_SMTPUTF8 = re.compile(r"SMTPUTF8|not ASCII|non-ASCII", re.IGNORECASE)
_TOO_MANY = re.compile(r"too many (recipients|transactions|messages)|RCPTMAX|MAILMAX",
                       re.IGNORECASE)


def _bare(reply: Reply) -> str | None:
    m = _BARE.search(reply.text)
    if m is None:
        return None
    word = (m.group(1) or m.group(2) or "LF").upper()
    return "CR" if word.startswith(("CR", "CARRIAGE")) else "LF"


def command_reason(reply: Reply, verb: str, address: str | None) -> str | None:
    """Why a strict server refused a command line, or None."""
    detail = reply.enhanced[2:] if reply.enhanced else ""
    envelope = verb in ("MAIL", "RCPT")
    bare = _bare(reply)
    if bare and reply.code in (500, 501, 521):
        return _("the line had a bare {bare}: SMTP lines end in CR LF (RFC 5321 2.3.8), and"
                 " a strict server refuses anything else (smtpsh sends CR LF: this came from"
                 " a program or a paste)").format(bare=bare)
    if reply.code == 503 and "nested" in reply.text.lower():
        return _("a mail transaction is open already: one MAIL FROM per transaction; finish"
                 " it with DATA, or end it with RSET, before another")
    if envelope and (detail == "6.7" or reply.code in (550, 553)
                     and _SMTPUTF8.search(reply.text)):
        return _("the address <{address}> has non-ASCII characters: they need SMTPUTF8 on"
                 " MAIL FROM (MAIL FROM:<...> SMTPUTF8, when the server lists it;"
                 " RFC 6531 3.4), or an ASCII address").format(address=address or "?")
    if envelope and reply.code in (452, 451, 550, 552) and (
            detail == "5.3" or _TOO_MANY.search(reply.text)):
        if verb == "MAIL":
            return _("the server takes no more transactions in this session (see LIMITS"
                     " MAILMAX in its EHLO reply, RFC 9422): QUIT and connect again")
        return _("the server takes no more recipients for this message (see LIMITS RCPTMAX"
                 " in its EHLO reply, RFC 9422): send it, then the rest in a new"
                 " transaction")
    return None


def message_reason(reply: Reply, who: str = "") -> str | None:
    """Why a strict server refused a message after the final dot, or None. `who` is
    " for <address>" (LMTP) or ""."""
    detail = reply.enhanced[2:] if reply.enhanced else ""
    bare = _bare(reply)
    if bare:
        return _("the server refused the message{who}: a line in it has a bare {bare} where"
                 " SMTP wants CR LF (RFC 5321 2.3.8); send the text with CR LF line"
                 " ends").format(who=who, bare=bare)
    if _8BIT.search(reply.text) and (detail.startswith("6") or "BODY" in reply.text):
        return _("the server refused the message{who}: it has 8-bit characters (UTF-8"
                 " letters, say) but MAIL FROM did not declare them: add BODY=8BITMIME to"
                 " MAIL FROM when the server lists 8BITMIME (RFC 6152 3), or encode the text"
                 " (quoted-printable, base64)").format(who=who)
    return None
