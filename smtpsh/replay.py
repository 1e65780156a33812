"""Replay and compare, without sockets: a saved dialog made into client lines and steps, and
two runs of a dialog set side by side.

`parse` reads three forms of a saved dialog:

- smtpsh's transcript (`TIMESTAMP [tls ]C: line`, `S:`, `--`, `!!`), and smtpsh's own output
  (the same lines without the timestamp): message text is as typed (not dot-stuffed);
- a plain `C:`/`S:` dialog, as RFCs write them: read the same way;
- a netcat dialog: no prefixes, a server line starts with a 3-digit code; message text is
  as it went on the wire, so one leading dot is taken off a stuffed line.

What comes out (`Recording`) is what the line runner reads (`script`: commands, AUTH answers,
message text, with `Need`s where the file holds `[redacted]`) and, per step, the replies the
file recorded, in the order `Runner.steps` names them: the greeting, each command, the end of
each message. An AUTH exchange is one step (its final reply); the 334s are kept apart.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from itertools import zip_longest

from smtpsh import auth
from smtpsh.i18n import _
from smtpsh.protocol import Reply, split_command
from smtpsh.transcript import REDACTED

_TIMESTAMP = re.compile(
    r"^\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:[.,]\d+)?(?:Z|[+-]\d\d:?\d\d)?[ \t]+(?:tls[ \t]+)?")
_PREFIXED = re.compile(r"^(C|S):(?: (.*)|)$", re.DOTALL)
_CODE = re.compile(r"^(\d{3})([ -]|$)(.*)$", re.DOTALL)
_HIDDEN_TEXT = re.compile(r"^-- \.\.\. (?:(\d+) )?more lines of message text not shown")

GREETING = "the greeting"
END_OF_MESSAGE = "the end of the message"


class ReplayError(Exception):
    """A dialog file that cannot be replayed, said in one line."""


@dataclass(frozen=True)
class Need:
    """A secret the file does not hold: `[redacted]` in its line `line`.

    `kind`: "user", "password", "token" (an input of AUTH MECH, which smtpsh encodes), or
    "text" (a base64 answer typed by hand, or any other line with a secret). The line sent is
    `template` with the secret in place of `{}`.
    """

    kind: str
    line: int
    shown: str  # the line as the file has it
    mech: str = ""
    template: str = "{}"


ScriptLine = str | Need


@dataclass
class Step:
    command: str  # as the runner labels it: the line, "the greeting", "the end of the message"
    line: int  # where it is in the file
    replies: list[Reply] = field(default_factory=list)  # the final replies (LMTP: several)
    interim: list[Reply] = field(default_factory=list)  # an AUTH exchange's 334s
    message: list[str] | None = None  # DATA: the message text (lines, unstuffed)
    auth: tuple[str, str | None] | None = None  # AUTH: the mechanism, and the user if known


@dataclass
class Recording:
    form: str  # "transcript", "dialog" (C:/S: without timestamps) or "netcat"
    steps: list[Step]
    script: list[ScriptLine]
    warnings: list[str] = field(default_factory=list)

    @property
    def needs(self) -> list[Need]:
        return [x for x in self.script if isinstance(x, Need)]

    def recorded(self) -> list[tuple[str, list[Reply]]]:
        return [(s.command, s.replies) for s in self.steps]


# --- reading the file ----------------------------------------------------------------------


def _classify(lines: list[str]) -> tuple[str, list[tuple[str, str, int]]]:
    """(form, [(direction "C"/"S"/"-", text, line number)]) for the lines of a file."""
    rows: list[tuple[str, str, int]] = []
    stamped = prefixed = False
    for number, raw in enumerate(lines, 1):
        line = raw.rstrip("\r\n")
        bare = _TIMESTAMP.sub("", line, count=1)
        m = _PREFIXED.match(bare)
        if m:
            stamped = stamped or bare != line
            prefixed = True
            rows.append((m.group(1), m.group(2) or "", number))
        elif _HIDDEN_TEXT.match(bare):
            rows.append(("-", bare, number))
    if prefixed:
        return ("transcript" if stamped else "dialog"), rows
    # netcat: no prefixes; message text runs from a 354 to the lone dot.
    rows, in_data, data_due = [], False, False
    for number, raw in enumerate(lines, 1):
        line = raw.rstrip("\r\n")
        if in_data:
            rows.append(("C", line, number))
            in_data = line != "."
            continue
        if not line.strip():
            continue
        m = _CODE.match(line)
        if m:
            rows.append(("S", line, number))
            if data_due and m.group(2) != "-":
                in_data, data_due = m.group(1) == "354", False
        else:
            rows.append(("C", line, number))
            data_due = split_command(line)[0] == "DATA"
    return "netcat", rows


def _raw_line(text: str) -> str:
    """A line the runner would not send as is (blank, '#', '?', ':'): a :raw line."""
    escaped = text.replace("\\", "\\\\")
    return f":raw {escaped}\\r\\n"


def _b64(text: str) -> bytes | None:
    try:
        return base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        return None


class _Auth:
    """An AUTH exchange being read: its answers, then the inputs the runner will read."""

    def __init__(self, step: Step, mech: str, initial: str | None, line: int,
                 at: int) -> None:
        self.step, self.mech, self.line, self.at = step, mech, line, at
        self.known = mech in auth.MECHANISMS
        self.answers: list[tuple[str, int]] = [] if initial is None else [(initial, line)]
        self.waiting = False  # a 334 came: the next client line answers it

    def inputs(self) -> list[ScriptLine]:
        """The lines the runner's AUTH reads: clear inputs (user, password...)."""
        needs = auth.NEEDS[self.mech]
        if not self.answers or any(a.strip() == auth.CANCEL for a, _ in self.answers):
            # Refused before asking, or cancelled: a '*' for each input cancels if asked.
            return [auth.CANCEL] * len(needs)
        values = self._decoded()
        out: list[ScriptLine] = []
        for name in needs:
            if values.get(name) is not None:
                out.append(values[name] or "")
            else:
                line, shown = self.answers[-1][1], self.answers[-1][0]
                out.append(Need(name, line, shown, self.mech))
        return out

    def _decoded(self) -> dict[str, str | None]:
        """What the answers that are not redacted say (a LOGIN user name; a PLAIN blob
        recorded with --show-secrets)."""
        clear = [(_b64(a) if REDACTED not in a else None) for a, _ in self.answers]
        got: dict[str, str | None] = {}
        if self.mech == "LOGIN":
            for name, raw in zip(("user", "password"), clear, strict=False):
                got[name] = None if raw is None else raw.decode("utf-8", "replace")
        elif self.mech == "PLAIN" and clear and clear[0] is not None:
            parts = clear[0].split(b"\0")
            if len(parts) == 3:
                got["user"], got["password"] = (p.decode("utf-8", "replace")
                                                for p in parts[1:])
        elif self.mech == "CRAM-MD5" and clear and clear[-1] is not None:
            got["user"] = clear[-1].rsplit(b" ", 1)[0].decode("utf-8", "replace")
        return got

    def user(self) -> str | None:
        return self._decoded().get("user")


def parse(text: str | Iterable[str]) -> Recording:
    """The client lines and recorded replies of a saved dialog (see the module's doc)."""
    lines = text.splitlines() if isinstance(text, str) else list(text)
    form, rows = _classify(lines)
    netcat = form == "netcat"
    steps: list[Step] = []
    script: list[ScriptLine] = []
    warnings: list[str] = []
    answered = 0  # steps[:answered] have their reply
    pending: list[str] = []  # the lines of a reply not yet ended
    in_data = False
    message: list[str] = []
    current: _Auth | None = None

    def finish_auth(a: _Auth) -> None:
        if a.known:
            script[a.at:a.at] = a.inputs()
            a.step.auth = (a.mech, a.user())
        else:
            a.step.auth = (a.mech, None)

    def reply_done(reply: Reply, line: int) -> None:
        nonlocal answered, in_data, current
        if not steps:
            steps.append(Step(GREETING, line, [reply]))
            answered = 1
            return
        if answered >= len(steps):  # more replies than commands: LMTP after the dot
            steps[-1].replies.append(reply)
            return
        step = steps[answered]
        if current is not None and step is current.step and reply.code == 334:
            step.interim.append(reply)
            current.waiting = True
            return
        step.replies.append(reply)
        answered += 1
        if current is not None and step is current.step:
            finish_auth(current)
            current = None
        if split_command(step.command)[0] == "DATA" and reply.code == 354:
            in_data = True
            message.clear()
            step.message = message.copy()

    for direction, body, number in rows:
        if direction == "-":
            m = _HIDDEN_TEXT.match(body)
            warnings.append(_("line {number}: {count} lines of message text were not shown"
                              " where this was saved: the replayed message lacks them (save"
                              " with --transcript to keep every line)").format(
                                  number=number, count=(m.group(1) if m else "") or _("some")))
            continue
        if direction == "S":
            m = _CODE.match(body)
            if m is None:
                continue  # a line that is no reply (smtpsh flagged it as the server's fault)
            pending.append(m.group(3))
            if m.group(2) != "-":
                reply_done(Reply(int(m.group(1)), tuple(pending)), number)
                pending = []
            continue
        if in_data:
            if body == ".":
                in_data = False
                data_step = next(s for s in reversed(steps) if s.message is not None)
                data_step.message = list(message)
                script.append(".")
                steps.append(Step(END_OF_MESSAGE, number))
                continue
            if netcat and body.startswith("."):
                body = body[1:]
            message.append(body)
            script.append(body)
            continue
        if current is not None and current.waiting:
            current.waiting = False
            current.answers.append((body, number))
            if not current.known:
                script.append(Need("text", number, body) if REDACTED in body else body)
            continue
        verb, rest = split_command(body)
        if verb == "BDAT":
            raise ReplayError(_("line {number}: BDAT is not replayed (a saved dialog does not"
                                " keep its chunks octet for octet): use DATA").format(
                                    number=number))
        step = Step(body, number)
        steps.append(step)
        if verb == "AUTH":
            words = rest.split()
            mech = words[0].upper() if words else ""
            initial = words[1] if len(words) > 1 else None
            if mech in auth.MECHANISMS:
                line = f"AUTH {mech}"
                script.append(line)
                current = _Auth(step, mech, initial, number, len(script))
            else:
                current = _Auth(step, mech, initial, number, len(script) + 1)
                if initial is not None and REDACTED in initial:
                    script.append(Need("text", number, body, mech, f"AUTH {mech} {{}}"))
                else:
                    script.append(body)
            step.command = script[-1] if isinstance(script[-1], str) else f"AUTH {mech}"
            continue
        if REDACTED in body:
            script.append(Need("text", number, body))
            continue
        stripped = body.lstrip()
        if not stripped or stripped[0] in "#?:":
            script.append(_raw_line(body))
            step.command = script[-1].strip()  # type: ignore[union-attr]
        else:
            script.append(body)
    if current is not None:
        finish_auth(current)
    if in_data:
        warnings.append(_("the file ends inside the message text: the message is ended with"
                          " the lone dot"))
    if not any(s.replies for s in steps):
        raise ReplayError(_("no dialog found: no C:/S: lines, and no server reply (a line"
                            " starting with a 3-digit code)"))
    return Recording(form, steps, script, warnings)


# --- secrets ------------------------------------------------------------------------------


def need_message(need: Need, source: str) -> str:
    """One line: which line needs a secret, and how to give it."""
    what = {"user": _("the user name"), "password": _("the password"),
            "token": _("the OAuth token"), "text": _("the text hidden as [redacted]")}[need.kind]
    if need.mech and need.kind != "text":
        what += _(" of AUTH {mechanism}").format(mechanism=need.mech)
    how = {"user": _("give it with --user"), "password": _("give it with SMTPSH_PASSWORD"),
           "token": _("give it with --token-file or SMTPSH_TOKEN"),
           "text": _("the file must hold it (record with --show-secrets in a lab)")}[need.kind]
    return _("{file} line {number} ({shown}) needs {what}, which the file does not keep:"
             " {how}, or replay on a terminal to be asked").format(
                 file=source, number=need.line, shown=need.shown.strip() or _("an answer"),
                 what=what, how=how)


def resolve(recording: Recording, provide: Callable[[Need], str | None],
            source: str = "the file") -> list[str]:
    """The script with each secret given by `provide` (None: not known: a ReplayError)."""
    out: list[str] = []
    for item in recording.script:
        if isinstance(item, str):
            out.append(item)
            continue
        value = provide(item)
        if value is None:
            raise ReplayError(need_message(item, source))
        out.append(item.template.replace("{}", value, 1))
    return out


# --- comparing ------------------------------------------------------------------------------


def capabilities(replies: list[Reply]) -> frozenset[str] | None:
    """The EHLO keywords of a 250 reply (upper case), None for any other reply."""
    if len(replies) != 1 or replies[0].code != 250:
        return None
    return frozenset(line.split()[0].upper() for line in replies[0].lines[1:] if line.split())


def _key(reply: Reply, strict: bool) -> tuple[object, ...]:
    return (reply.code, reply.enhanced, reply.lines if strict else ())


@dataclass
class Row:
    command: str
    left: list[Reply] | None  # None: no such step on this side
    right: list[Reply] | None
    same: bool
    only_left: frozenset[str] = frozenset()  # EHLO keywords on one side only
    only_right: frozenset[str] = frozenset()
    line: int = 0


def compare(left: list[tuple[str, list[Reply]]], right: list[tuple[str, list[Reply]]], *,
            strict: bool = False, keywords: bool = False,
            lines: list[int] | None = None) -> list[Row]:
    """Pair two runs step by step: each reply's code and enhanced code (`strict`: its text
    too); `keywords`: an EHLO's capabilities as sets of keywords."""
    rows: list[Row] = []
    for i, (a, b) in enumerate(zip_longest(left, right)):
        command = (a or b)[0]
        ra, rb = (a[1] if a else None), (b[1] if b else None)
        same = (ra is not None and rb is not None and len(ra) == len(rb)
                and all(_key(x, strict) == _key(y, strict) for x, y in zip(ra, rb, strict=True)))
        row = Row(command, ra, rb, same, line=(lines[i] if lines and i < len(lines) else 0))
        verb = split_command(command)[0]
        if keywords and ra and rb and verb in ("EHLO", "LHLO"):
            ka, kb = capabilities(ra), capabilities(rb)
            if ka is not None and kb is not None and ka != kb:
                row.only_left, row.only_right, row.same = ka - kb, kb - ka, False
        rows.append(row)
    return rows


def _cell(replies: list[Reply] | None) -> str:
    if replies is None:
        return "(no step)"
    if not replies:
        return "(no reply)"
    return " / ".join(r.wire_lines()[0] for r in replies)


def _fit(text: str, width: int) -> str:
    text = text.replace("\t", " ")
    if len(text) <= width:
        return text.ljust(width)
    return text[:max(width - 1, 0)] + "…"


def table(rows: list[Row], titles: tuple[str, str], width: int | None = None,
          only_differences: bool = False) -> list[tuple[bool, str]]:
    """Side by side: the step, the left reply, the right reply; (differs, text) per row.

    `width`: the terminal's (each column fitted, text cut with …); None: nothing cut.
    """
    shown = [r for r in rows if not (only_differences and r.same)]
    body: list[tuple[bool, str, str, str]] = []
    for r in shown:
        # The greeting and the end of the message are steps by their English names.
        named = _(r.command) if r.command in (GREETING, END_OF_MESSAGE) else r.command
        step = named if not r.line else _("{step} (line {number})").format(step=named,
                                                                          number=r.line)
        body.append((not r.same, step, _cell(r.left), _cell(r.right)))
        if r.only_left or r.only_right:
            body.append((True, _("  EHLO keywords only on one side"),
                         " ".join(sorted(r.only_left)) or "-",
                         " ".join(sorted(r.only_right)) or "-"))
    header = (_("step"), *titles)
    cells = [(a, b, c) for _, a, b, c in body]
    widths = [max([len(header[i])] + [len(row[i]) for row in cells]) for i in range(3)]
    if width is not None:
        room = max(width - 3 - 6, 30)  # "!! " and two " | "
        widths[0] = min(widths[0], max(room // 3, 12))
        rest = room - widths[0]
        widths[1] = min(widths[1], max(rest // 2, 8))
        widths[2] = min(widths[2], max(rest - widths[1], 8))

    def fmt(cells: tuple[str, str, str]) -> str:
        line = " | ".join(_fit(c, w) if width is not None or i < 2 else c
                          for i, (c, w) in enumerate(zip(cells, widths, strict=True)))
        return line.rstrip()

    out = [(False, fmt(header))]
    out += [(differs, fmt((a, b, c))) for differs, a, b, c in body]
    return out
