"""Read a message's Received: chain into hops, oldest first, and render it as a table.

The table is stdlib only; smtpsh.message puts the message's forensics under it (`--received`,
`:show N`). Each server prepends its Received: field (RFC 5321 §4.4), so the header lists
hops newest first; the syntax is RFC 5321 §4.4 / RFC 5322 §3.6.7, but real servers bend it,
so every clause is optional and a line that cannot be read is kept raw with a note.

Times: a numeric zone (+0200) is used as is; a zone name is read from `_ZONES`, a small table
(RFC 5322 §4.3's obsolete names, then a few common names that are not ambiguous); any other
name keeps the time as written, with a note, out of the delays.

The slowest hop is flagged only when it stands out: a delay of at least `SLOW` (60 s) and at
least twice that of any other hop. Ties, and chains where every hop takes a second, flag none.
"""

from __future__ import annotations

import email.utils
import ipaddress
import os
import re
import sys
import textwrap
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from smtpsh.escape import escape
from smtpsh.i18n import _

_CLAUSES = ("from", "by", "via", "with", "id", "for")
# RFC 3848 (and RFC 6531 for UTF8*): protocol names that say TLS (S) and/or AUTH (A).
_TLS_PROTOCOLS = {"ESMTPS", "ESMTPSA", "LMTPS", "LMTPSA", "UTF8SMTPS", "UTF8SMTPSA",
                  "UTF8LMTPS", "UTF8LMTPSA", "SMTPS"}
_AUTH_PROTOCOLS = {"ESMTPA", "ESMTPSA", "LMTPA", "LMTPSA", "UTF8SMTPA", "UTF8SMTPSA",
                   "UTF8LMTPA", "UTF8LMTPSA"}
# TLS as servers note it in comments: Postfix "(using TLSv1.3 ...)", Sendmail and Gmail
# "(version=TLS1_3 cipher=...)", Exim "(TLS1.3) tls TLS_AES...".
_TLS_COMMENT = re.compile(r"\busing TLS|\bversion=TLS|^TLS\d|\bcipher=", re.IGNORECASE)
_AUTH_COMMENT = re.compile(r"\bauthenticated\b", re.IGNORECASE)
# Internal (not routed on the Internet) ranges, listed so that documentation ranges such as
# 192.0.2.0/24 in examples are not taken for internal hops.
_INTERNAL = [ipaddress.ip_network(n) for n in
             ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "fc00::/7")]
# Zone names and their offsets in hours. RFC 5322 §4.3 (obs-zone): UT, GMT, and the North
# American zones; then common names seen in Received fields. Names that stand for several
# zones (IST: India, Ireland, Israel) are left out: their times are kept with a note.
_ZONES = {
    "UT": 0, "GMT": 0, "UTC": 0, "Z": 0,
    "EST": -5, "EDT": -4, "CST": -6, "CDT": -5, "MST": -7, "MDT": -6, "PST": -8, "PDT": -7,
    "WET": 0, "WEST": 1, "BST": 1, "CET": 1, "CEST": 2, "MET": 1, "MEST": 2, "EET": 2,
    "EEST": 3, "MSK": 3, "HKT": 8, "JST": 9, "KST": 9, "AEST": 10, "AEDT": 11,
    "NZST": 12, "NZDT": 13,
}  # fmt: skip
# The slowest hop is flagged only when its delay is at least this, and twice any other's.
SLOW = timedelta(seconds=60)
_GREYLIST = re.compile(r"delayed\s+(?:(\d+)\s+seconds|for\s+(\d+):(\d\d):(\d\d))",
                       re.IGNORECASE)


@dataclass
class Hop:
    """One Received: field: who handed the message to whom, how and when."""

    raw: str
    from_helo: str | None = None
    from_rdns: str | None = None
    from_ip: str | None = None
    by: str | None = None
    software: str | None = None
    with_: str | None = None
    tls: bool = False
    authenticated: bool = False
    id: str | None = None
    for_: str | None = None
    timestamp: datetime | None = None
    # The time as written when its zone is not known (then timestamp is None).
    unzoned: datetime | None = None
    delay: timedelta | None = None
    greylist: timedelta | None = None
    internal: bool = False
    backwards: bool = False
    slowest: bool = False
    parsed: bool = True
    partly: bool = False  # read, but some of it could not be (its notes say what)
    notes: list[str] = field(default_factory=list)


def parse_chain(text: str) -> list[Hop]:
    """The hops of a message (or of its header alone), oldest first."""
    hops: list[Hop] = []
    greylists: list[tuple[int, str]] = []  # (number of Received fields above it, value)
    for name, value in _header_fields(text):
        if name == "received":
            hops.append(_parse_received(value))
        elif name == "x-greylist":
            greylists.append((len(hops), value))
    hops.reverse()
    for above, value in greylists:
        _attach_greylist(hops, above, value)
    _measure(hops)
    return hops


def _header_fields(text: str) -> list[tuple[str, str]]:
    """(lower-case name, unfolded value) of each header field; stops at the body."""
    fields: list[tuple[str, str]] = []
    for line in text.replace("\r\n", "\n").split("\n"):
        if not line.strip():
            if fields:
                break  # the empty line that ends the header
            continue
        if line[0] in " \t":
            if fields:  # a folded line continues the field above (RFC 5322 §2.2.3)
                name, value = fields[-1]
                fields[-1] = (name, f"{value} {line.strip()}")
            continue
        name, colon, value = line.partition(":")
        if colon and name.strip() and " " not in name.strip():
            fields.append((name.strip().lower(), value.strip()))
    return fields


def _tokens(text: str) -> tuple[list[tuple[str, str]], bool]:
    """Words, <angle-addresses> and (nested (comments)) of a Received value, in order.

    Also whether a '(' was never closed: it is skipped and what follows is read as words,
    so that a broken comment does not swallow the clauses after it.
    """
    tokens: list[tuple[str, str]] = []
    unclosed = False
    i = 0
    while i < len(text):
        char = text[i]
        if char.isspace():
            i += 1
        elif char == "(":
            end = closing_paren(text, i)
            if end is None:
                unclosed = True
                i += 1
                continue
            tokens.append(("comment", text[i + 1:end].strip()))
            i = end + 1
        else:
            start = i
            end = text.find(">", i) + 1 if char == "<" else 0
            if end:
                i = end
            else:
                while i < len(text) and not text[i].isspace() and text[i] != "(":
                    i += 1
            tokens.append(("word", text[start:i]))
    return tokens, unclosed


def closing_paren(text: str, start: int) -> int | None:
    """Where the comment opened at text[start] closes, or None if it never does (nested
    comments count; a backslash quotes the next character, RFC 5322 3.2.2)."""
    depth, i = 0, start
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        depth += {"(": 1, ")": -1}.get(text[i], 0)
        if depth == 0:
            return i
        i += 1
    return None


def _split_date(value: str) -> tuple[str, str]:
    """The clauses and the date-time: after the last ';' outside comments.

    When a '(' is never closed, "outside comments" means nothing: the last ';' then.
    """
    depth, cut = 0, -1
    for i, char in enumerate(value):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == ";" and depth <= 0:
            cut = i
    if depth > 0:
        cut = value.rfind(";")
    if cut < 0:
        return value, ""
    return value[:cut], value[cut + 1:].strip()


def _read_date(hop: Hop, text: str) -> None:
    """The hop's time; a zone not known keeps the time as written (unzoned), with a note."""
    text = re.sub(r"\([^)]*\)", " ", text).strip()
    if not text:
        return
    words = text.split()
    zone = words[-1].upper() if words[-1].isalpha() else None
    if zone in _ZONES:
        hours = _ZONES[zone]
        words[-1] = f"{'-' if hours < 0 else '+'}{abs(hours):02d}00"
    try:
        when = email.utils.parsedate_to_datetime(" ".join(words))
    except (TypeError, ValueError, IndexError, OverflowError):
        hop.notes.append(_("time not understood: {text}").format(text=text))
        return
    if when.tzinfo is not None:
        hop.timestamp = when
    elif words[-1] == "-0000":  # UTC, with no word on the local zone (RFC 5322 §3.3)
        hop.timestamp = when.replace(tzinfo=UTC)
    else:
        hop.unzoned = when
        hop.notes.append(
            _("time zone {zone} not known: the time is shown as written and left out of the"
              " delays").format(zone=words[-1]) if zone else
            _("no time zone: the time is shown as written and left out of the delays"))


def _ip(text: str) -> str | None:
    """The address in "[192.0.2.1]", "[IPv6:2001:db8::1]", "192.0.2.1:25", "2001:db8::1"."""
    text = text.strip("[]")
    if text.lower().startswith("ipv6:"):
        text = text[5:]
    for candidate in (text, text.rsplit(":", 1)[0].strip("[]")):
        try:
            return str(ipaddress.ip_address(candidate))
        except ValueError:
            continue
    return None


def _is_internal(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    if ip.is_loopback or ip.is_link_local:
        return True
    return any(ip.version == net.version and ip in net for net in _INTERNAL)


def _parse_received(value: str) -> Hop:
    hop = Hop(raw=value)
    clauses_text, date_text = _split_date(value)
    _read_date(hop, date_text)
    tokens, unclosed = _tokens(clauses_text)
    if unclosed:
        hop.partly = True
        hop.notes.append(_("partly not understood: a '(' is never closed; it was skipped and"
                           " the rest read as words"))
    clauses: dict[str, list[tuple[str, str]]] = {}
    current = "head"
    for kind, token in tokens:
        if kind == "word" and token.lower() in _CLAUSES and token.lower() not in clauses:
            current = token.lower()
            clauses[current] = []
        else:
            clauses.setdefault(current, []).append((kind, token))
    head = [t for kind, t in clauses.get("head", []) if kind == "comment"]
    if "from" not in clauses and "by" not in clauses:
        # Only a comment, as qmail writes "(qmail 123 invoked from network)": keep its time.
        hop.parsed = bool(head) and (hop.timestamp or hop.unzoned) is not None
        hop.notes.append(_("no from or by clause: {comments}").format(comments="; ".join(head))
                         if hop.parsed else
                         _("could not read this Received line (no from or by clause)"))
        return hop
    _read_from(hop, clauses.get("from", []))
    local = next((c for c in head if c.lower().startswith("from ")), None)
    if local and "from" not in clauses:  # Sendmail's "(from user@localhost)"
        hop.from_helo = local[5:].strip()
        hop.notes.append(_("submitted locally, not over the network"))
    _read_by(hop, clauses.get("by", []))
    _read_with(hop, clauses.get("with", []))
    hop.id = _first_word(clauses.get("id", []))
    recipient = _first_word(clauses.get("for", []))
    hop.for_ = recipient.strip("<>;") if recipient else None
    comments = [t for part in clauses.values() for kind, t in part if kind == "comment"]
    if any(_TLS_COMMENT.search(c) for c in comments):
        hop.tls = True
    if any(_AUTH_COMMENT.search(c) for c in comments):
        hop.authenticated = True
    if hop.software is None:  # Exim names itself in a comment after "with"
        hop.software = next((c for c in comments if re.match(r"Exim \d", c)), None)
    hop.internal = hop.from_ip is not None and _is_internal(hop.from_ip)
    return hop


def _first_word(part: list[tuple[str, str]]) -> str | None:
    return next((t for kind, t in part if kind == "word"), None)


def _read_from(hop: Hop, part: list[tuple[str, str]]) -> None:
    words = [t for kind, t in part if kind == "word"]
    comments = [t for kind, t in part if kind == "comment"]
    if words:
        hop.from_helo = words[0]
        hop.from_ip = _ip(words[0]) if words[0].startswith("[") else None
    if not comments:
        return
    # The first comment says who connected: "rdns [ip]", "(ip)", "([ip]:port helo=name)".
    for item in comments[0].split():
        if item.lower().startswith("helo="):
            hop.from_rdns, hop.from_helo = hop.from_helo, item[5:]
        elif _ip(item) and (item.startswith("[") or hop.from_ip is None):
            hop.from_ip = _ip(item)
        elif hop.from_rdns is None and ("." in item or item == "localhost"):
            hop.from_rdns = item.rstrip(".")


def _read_by(hop: Hop, part: list[tuple[str, str]]) -> None:
    hop.by = _first_word(part)
    # The by-host's own "(name [address])" comment is skipped; the next one names the software.
    hop.software = next((text for kind, text in part
                         if kind == "comment" and text and not _ip(text.split()[-1])), None)


def _read_with(hop: Hop, part: list[tuple[str, str]]) -> None:
    words = [t for kind, t in part if kind == "word"]
    if not words:
        return
    protocol = words[0].upper()
    hop.with_ = " ".join(words) if words[0] == "Microsoft" else words[0]
    if protocol in _TLS_PROTOCOLS or "tls" in (w.lower() for w in words[1:]):
        hop.tls = True
    if protocol in _AUTH_PROTOCOLS:
        hop.authenticated = True


def _attach_greylist(hops: list[Hop], above: int, value: str) -> None:
    """Greylisting delayed the hop into the server that wrote the X-Greylist field.

    postgrey and milter-greylist fields stand just above the Received field of the hop
    they held back, so a field belongs to the Received field below it (or, if none is
    below, to the nearest one above).
    """
    match = _GREYLIST.search(value)
    if not match or not hops:
        return
    if match[1]:
        delay = timedelta(seconds=int(match[1]))
    else:
        delay = timedelta(hours=int(match[2]), minutes=int(match[3]), seconds=int(match[4]))
    index = len(hops) - 1 - above if above < len(hops) else 0
    hop = hops[max(index, 0)]
    hop.greylist = delay
    who = _split_date(value)[0].split(" by ", 1)[-1].strip() if " by " in value else ""
    seconds, duration = int(delay.total_seconds()), _duration(delay)
    hop.notes.append(
        _("greylisted: delayed {seconds} s ({duration}) by {who}").format(
            seconds=seconds, duration=duration, who=who) if who else
        _("greylisted: delayed {seconds} s ({duration})").format(seconds=seconds,
                                                                 duration=duration))


def _measure(hops: list[Hop]) -> None:
    """Delays between hops, clocks that went backwards, and the slowest hop."""
    previous = None
    for hop in hops:
        if hop.timestamp and previous and previous.timestamp:
            hop.delay = hop.timestamp - previous.timestamp
            if hop.delay < timedelta(0):
                hop.backwards = True
                hop.notes.append(_("clock went backwards by {duration}: the two hosts'"
                                   " clocks disagree").format(duration=_duration(-hop.delay)))
        if hop.timestamp:
            previous = hop
    delays = sorted((hop.delay, n) for n, hop in enumerate(hops) if hop.delay is not None)
    if delays and delays[-1][0] >= SLOW:
        longest, n = delays[-1]
        if len(delays) == 1 or longest >= 2 * max(delays[-2][0], timedelta(0)):
            hops[n].slowest = True


def _duration(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    sign, seconds = ("-", -seconds) if seconds < 0 else ("", seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    if hours:
        return f"{sign}{hours}h{minutes:02d}m{seconds:02d}s"
    if minutes:
        return f"{sign}{minutes}m{seconds:02d}s"
    return f"{sign}{seconds}s"


def _from_text(hop: Hop) -> str:
    text = hop.from_helo or ""
    if hop.from_rdns and hop.from_rdns != hop.from_helo:
        text += f" ({hop.from_rdns})"
    if hop.from_ip and _ip(hop.from_helo or "") != hop.from_ip:
        text += f" [{hop.from_ip}]"
    return text.strip() or "-"


def _flags(hop: Hop) -> str:
    flags = [name for name, on in (("TLS", hop.tls), ("auth", hop.authenticated),
                                   (_("internal"), hop.internal), (_("slowest"), hop.slowest),
                                   (_("greylisted"), hop.greylist is not None),
                                   (_("clock-back"), hop.backwards)) if on]
    return " ".join(flags)


def terminal_width(stream: Any = None) -> int | None:
    """The width to lay text out for: $COLUMNS when set, else the terminal's when `stream`
    (stdout by default) is one; None when the output goes to a file or a pipe, where lines
    are kept whole for grep and scripts."""
    try:
        columns = int(os.environ.get("COLUMNS", ""))
        if columns > 0:
            return columns
    except ValueError:
        pass
    stream = sys.stdout if stream is None else stream
    try:
        if stream is None or not stream.isatty():
            return None
        return os.get_terminal_size(stream.fileno()).columns or None
    except (AttributeError, ValueError, OSError):
        return None


def wrap(text: str, width: int | None, indent: str = "", more: str = "") -> list[str]:
    """`text` (one line) in lines of at most `width` columns, broken between words only;
    `indent` starts the first line, `more` the others. A word longer than a line stands
    alone on its line, whole. `width` None: one line."""
    if width is None or len(indent) + len(text) <= width:
        return [indent + text]
    return textwrap.wrap(text, width, initial_indent=indent, subsequent_indent=more,
                         break_long_words=False, break_on_hyphens=False) or [indent]


def render(hops: list[Hop], width: int | None = None) -> str:
    """The route as a plain-text table, oldest hop first, then a summary.

    `width`: the columns to fit (None: no limit). When the table is wider, each hop becomes a
    block (number, time, delay and flags on its first line; from, by and with below), and
    long lines wrap between words: nothing is cut off.
    """
    if not hops:
        return _("No Received: header field found.")
    days = {hop.timestamp.date() for hop in hops if hop.timestamp}
    # One date for the whole chain goes in the heading, to keep the table narrow.
    stamp = "%H:%M:%S %z" if len(days) == 1 else "%Y-%m-%d %H:%M:%S %z"
    # from, by and with are the Received field's own words (RFC 5321 §4.4): not translated.
    head = ("#", _("time ({date})").format(date=days.pop()) if len(days) == 1 else _("time"),
            _("delay"), "from", "by", "with", _("flags"))
    rows = []
    for number, hop in enumerate(hops, 1):
        if hop.timestamp:
            when = hop.timestamp.strftime(stamp)
        else:  # the time as written, its zone not known
            when = f"{hop.unzoned:%Y-%m-%d %H:%M:%S} ?" if hop.unzoned else "?"
        delay = "" if hop.delay is None else ("+" if hop.delay >= timedelta(0) else "")
        delay += _duration(hop.delay) if hop.delay is not None else "-"
        by = (hop.by or "-") + (f" ({hop.software})" if hop.software else "")
        row: tuple[str, ...]
        if not hop.parsed:
            row = (str(number), when, delay, "?", "?", "", "")
        else:
            row = (str(number), when, delay, _from_text(hop), by, hop.with_ or "", _flags(hop))
        # The fields are the message's (any server on the way wrote them): shown escaped.
        rows.append(tuple(escape(cell, tab=True) for cell in row))
    widths = [max(len(row[i]) for row in (head, *rows)) for i in range(len(head))]
    table = width is None or sum(widths) + 2 * (len(widths) - 1) <= width
    if table:
        lines = [_row(head, widths), _row(tuple("-" * w for w in widths), widths)]
        indent = " " * (widths[0] + 2)
    else:
        short = (head[0], head[1], head[2], head[6])
        first = [max(len(row[i]) for row in (head, *rows)) for i in (0, 1, 2)] + [len(head[6])]
        lines = [_row(short, first), _row(tuple("-" * w for w in first), first)]
        indent = " " * (first[0] + 2)
    for hop, row in zip(hops, rows, strict=True):
        if table:
            lines.append(_row(row, widths))
        else:  # a block per hop
            lines.append(_row((row[0], row[1], row[2], row[6]), first))
            for name, value in (("from", row[3]), ("by", row[4]), ("with", row[5])):
                if value:
                    lines += wrap(value, width, f"{indent}{name:<5}", indent + " " * 7)
        details = [f"id {hop.id}" if hop.id else "", f"for {hop.for_}" if hop.for_ else ""]
        if any(details):
            lines += wrap(escape("  ".join(d for d in details if d), tab=True), width,
                          indent, indent)
        if not hop.parsed or hop.partly:
            raw = (_("raw: {value}").format(value=hop.raw) if hop.raw else
                   _("raw: the field is empty"))
            lines += wrap(escape(raw, tab=True), width, indent, indent + _hang(raw))
        for note in hop.notes:
            text = _("note: {note}").format(note=note)
            lines += wrap(escape(text, tab=True), width, indent, indent + _hang(text))
    summary = [part for line in _summary(hops) for part in wrap(escape(line), width, "", "  ")]
    return "\n".join(escape(line) for line in [*lines, "", *summary])


def _hang(text: str) -> str:
    """The indent that puts wrapped lines under the text after a "label: " (in any
    language)."""
    return " " * (text.index(": ") + 2 if ": " in text else 0)


def _row(cells: tuple[str, ...], widths: list[int]) -> str:
    return "  ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True)).rstrip()


def _summary(hops: list[Hop]) -> list[str]:
    count = _("1 hop") if len(hops) == 1 else _("{count} hops").format(count=len(hops))
    lines = [count]
    timed = [hop for hop in hops if hop.timestamp]
    if len(timed) >= 2:
        first, last = timed[0], timed[-1]
        assert first.timestamp and last.timestamp
        lines[0] = _("{hops}, {start} to {end}: total transit time {duration}").format(
            hops=count, start=f"{first.timestamp:%Y-%m-%d %H:%M:%S %z}",
            end=f"{last.timestamp:%Y-%m-%d %H:%M:%S %z}",
            duration=_duration(last.timestamp - first.timestamp))
        if any(hop.backwards for hop in hops):
            lines[0] += " " + _("(not reliable: a clock went backwards)")
    for number, hop in enumerate(hops, 1):
        if hop.slowest and hop.delay is not None:
            previous = hops[number - 2].by if number > 1 else None
            route = f"{previous or '?'} -> {hop.by or '?'}"
            grey = " " + _("(greylisting held it there)") if hop.greylist else ""
            lines.append(_("slowest hop: #{number} {route}, {duration}").format(
                number=number, route=route, duration=_duration(hop.delay)) + grey)
        if hop.greylist is not None:
            lines.append(_("greylisting: hop #{number} was delayed {duration} by greylisting"
                           " (the first attempt was refused with a 4xx, as greylisting does,"
                           " and the sender retried)").format(
                number=number, duration=_duration(hop.greylist)))
        if hop.backwards:
            lines.append(_("clock: hop #{number} is stamped earlier than the hop before it;"
                           " delays around it are not real").format(number=number))
    internal = [str(n) for n, hop in enumerate(hops, 1) if hop.internal]
    if internal:
        lines.append(_("internal hops (private or loopback sender address): {hops}").format(
            hops=", ".join(internal)))
    unread = [str(n) for n, hop in enumerate(hops, 1) if not hop.parsed]
    if unread:
        lines.append(_("not understood: hop {hops} (shown raw)").format(
            hops=", ".join(unread)))
    partly = [str(n) for n, hop in enumerate(hops, 1) if hop.parsed and hop.partly]
    if partly:
        lines.append(_("partly not understood: hop {hops} (shown raw too)").format(
            hops=", ".join(partly)))
    return lines
