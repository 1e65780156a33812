"""Events -> styled fragments. Renderers return fragments and never print.

Fragments are (style, text) pairs as prompt_toolkit's FormattedText takes them, so the REPL
prints them with its Style, and script mode turns them into ANSI (or plain text) here,
without importing prompt_toolkit.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Callable
from typing import TextIO

from smtpsh.client import Command, Kind
from smtpsh.events import Checked, Note, Output, Received, Sent, Warn, describe_check
from smtpsh.i18n import _, decimal
from smtpsh.protocol import Garbage, Reply

Fragments = list[tuple[str, str]]

# One table of styles: the REPL builds its prompt_toolkit Style from it, script mode its ANSI.
STYLES: dict[str, tuple[str, str]] = {
    # class: (prompt_toolkit style, ANSI SGR)
    "dir": ("#888888", "90"),
    "client": ("bold", "1"),
    "data": ("", ""),
    "reply.2": ("ansigreen", "32"),
    "reply.3": ("ansicyan", "36"),
    "reply.4": ("ansiyellow", "33"),
    "reply.5": ("ansired", "31"),
    "enhanced": ("bold", "1"),
    "note": ("#888888 italic", "2"),
    "warn": ("ansimagenta bold", "35;1"),
    "explain": ("#888888", "2"),
    "timing": ("#888888", "2"),  # how long a reply took (the shell only)
    # What is typed, as the `smtp` Pygments lexer names it (prompt_toolkit's class for a
    # token is "pygments." + its full name in lower case, String being Literal.String; a
    # rule covers the tokens under it).
    # ANSI colour names, so the terminal's own palette keeps them readable on dark and light
    # backgrounds alike.
    "pygments.keyword": ("bold", "1"),  # verbs, MAIL FROM: / RCPT TO:
    "pygments.name.builtin": ("ansimagenta", "35"),  # :commands
    "pygments.name.variable": ("ansicyan", "36"),  # <addresses>
    "pygments.name.attribute": ("ansiyellow", "33"),  # ESMTP parameter names
    "pygments.name.constant": ("ansigreen", "32"),  # an AUTH mechanism
    "pygments.literal.string": ("ansigreen", "32"),  # parameter values, base64
    "pygments.literal.number": ("ansibrightblue", "94"),  # ports, sizes, 5.1.1
    "pygments.operator": ("", ""),
    "pygments.punctuation": ("", ""),
    "pygments.comment": ("#888888 italic", "2"),
    "pygments.comment.special": ("ansimagenta", "35"),  # [redacted]
    "pygments.generic.prompt": ("#888888", "90"),  # C: / S:
    "pygments.generic.strong": ("ansimagenta bold", "35;1"),  # !! warnings
    "pygments.generic.inserted": ("ansigreen", "32"),  # reply codes, as replies are shown
    "pygments.generic.subheading": ("ansicyan", "36"),
    "pygments.generic.traceback": ("ansiyellow", "33"),
    "pygments.generic.error": ("ansired", "31"),
}


def render(event: Output, timing: bool = False) -> Fragments:
    """Fragments for one event; secrets were already redacted by the session.

    With `timing` (the shell), a reply ends with how long it took, dim: `S: 250 Ok  (3 ms)`
    (the replies of a pipelined group or of LMTP say it on their "^" line instead).
    """
    match event:
        case Sent(text, data, _):
            return [("class:dir", "C: "), ("class:data" if data else "class:client", text)]
        case Received(reply, command, elapsed, grouped):
            took = timing_suffix(elapsed) if timing and not grouped else []
            return render_reply(reply, took) + _answering(
                command, elapsed if grouped else None, grouped)
        case Garbage(line, reason):
            return [("class:dir", "S: "), ("class:warn", line), ("", "\n"),
                    ("class:warn", "!! " + _("server: {warning}").format(warning=reason))]
        case Note(text):
            return [("class:note", _prefixed("-- ", text))]
        case Warn(text):
            return [("class:warn", _prefixed("!! ", text))]
        case Checked(ok=ok):
            text = describe_check(event)
            return [("class:reply.2" if ok else "class:reply.5", ("?? " if ok else "?! ") + text)]
    return []


def _answering(command: Command | None, elapsed: float | None,
               grouped: bool = False) -> Fragments:
    """Under a reply of a pipelined group or an LMTP delivery: which command it answers."""
    if command is None:
        return []
    per_rcpt = command.kind is Kind.DATA_END and command.recipient is not None
    if not grouped and not per_rcpt:
        return []
    took = f" ({decimal(elapsed * 1000, 1)} ms)" if elapsed is not None else ""
    return [("", "\n"), ("class:note", f"   ^ {command.label}{took}")]


def took(seconds: float) -> str:
    """A duration as the shell shows it: 0.4 ms, 3 ms, 1250 ms, 12.5 s."""
    ms = seconds * 1000
    if ms < 1:
        return f"{decimal(ms, 1)} ms"
    return f"{ms:.0f} ms" if ms < 10_000 else f"{decimal(seconds, 1)} s"


def timing_suffix(elapsed: float | None) -> Fragments:
    """After a reply's last line, how long it took (nothing when not known)."""
    return [("class:timing", f"  ({took(elapsed)})")] if elapsed is not None else []


def _prefixed(prefix: str, text: str) -> str:
    return "\n".join(prefix + line for line in text.split("\n"))


def render_reply(reply: Reply, suffix: Fragments | None = None) -> Fragments:
    """A reply's lines, `suffix` after the last one, then what was wrong with it."""
    style = f"class:reply.{reply.klass}" if 2 <= reply.klass <= 5 else "class:warn"
    out: Fragments = []
    enhanced = reply.enhanced
    for i, line in enumerate(reply.wire_lines()):
        if i:
            out.append(("", "\n"))
        out.append(("class:dir", "S: "))
        head, rest = line[:4], line[4:]
        if enhanced and rest.startswith(enhanced):
            out += [(style, head), (f"{style} class:enhanced", enhanced),
                    (style, rest[len(enhanced):])]
        else:
            out.append((style, line))
    out += suffix or []
    for w in reply.warnings:
        out += [("", "\n"), ("class:warn", "!! " + _("server: {warning}").format(warning=w))]
    return out


def meaning(reply: Reply, command: Command | None = None, *, known: bool = False) -> Fragments:
    """A dim line saying what a 4xx/5xx reply (or AUTH's 235) means, or nothing.

    Decided from the reply and the command it answers (`known`: the caller knows it, and
    None means no command was waiting), never from the code alone when the command is
    known. A 334 gets none: its decoded challenge is shown instead.
    """
    if not reply.is_error and reply.code != 235:
        return []
    if reply.is_error and (command is not None or known):
        from smtpsh.guide import explain_answer

        text = explain_answer(reply, command)
    else:
        from smtpsh.explain import one_line

        text = one_line(reply.code, reply.enhanced)
    return [("", "\n"), ("class:explain", f"   = {text}")] if text else []


def to_plain(fragments: Fragments) -> str:
    return "".join(text for _, text in fragments)


def to_ansi(fragments: Fragments) -> str:
    parts = []
    for style, text in fragments:
        codes = ";".join(
            STYLES[c[6:]][1] for c in style.split() if c.startswith("class:") and c[6:] in STYLES
        )
        # Colour each line separately so a pager or a cut line never bleeds colour.
        parts.append("\n".join(f"\x1b[{codes}m{t}\x1b[0m" if codes and t else t
                               for t in text.split("\n")))
    return "".join(parts)


def use_color(choice: str, stream: TextIO) -> bool:
    """--color always|never|auto; auto honours NO_COLOR (no-color.org) and needs a tty."""
    if choice == "always":
        return True
    if choice == "never" or os.environ.get("NO_COLOR"):
        return False
    return stream.isatty()


class Printer:
    """Prints events line by line for script mode.

    Lines are gathered and written once per turn of the event loop, before it waits for the
    network again: a dialog of thousands of commands does not pay a system call per line
    (even with PYTHONUNBUFFERED), and a reader of the output (a pipe, `tee`) still sees each
    reply as it comes. `flush()` writes what is left; outside a loop lines go out at once.
    """

    def __init__(self, color: bool, stream: TextIO | None = None,
                 explain: bool = False, json: bool = False) -> None:
        self.color = color
        self.stream = stream or sys.stdout
        self.explain = explain
        self.json = json  # --json: one JSON object per event (smtpsh.jsonlines)
        self.tls: Callable[[], bool] = lambda: False  # set once the session exists
        self._lines: list[str] = []
        # The first failure to write (a full disk, a closed pipe): output stops there, the
        # dialog goes on, and the caller says it once and exits 1.
        self.error: OSError | None = None

    def __call__(self, event: Output) -> None:
        if self.json:
            from smtpsh.jsonlines import dumps

            self._lines.append(dumps(event, self.tls()))
        else:
            frags = render(event)
            # AUTH's replies are explained always: their codes are the least known (RFC 4954).
            if isinstance(event, Received) and (self.explain or event.verb == "AUTH"):
                frags += meaning(event.reply, event.command, known=True)
            self._lines.append(to_ansi(frags) if self.color else to_plain(frags))
        if len(self._lines) == 1:
            try:
                asyncio.get_running_loop().call_soon(self.flush)
            except RuntimeError:  # no loop (before or after the dialog): now
                self.flush()

    def flush(self) -> None:
        if not self._lines:
            return
        text = "\n".join(self._lines) + "\n"
        self._lines.clear()
        if self.error is not None:
            return
        try:
            self.stream.write(text)
            self.stream.flush()
        except OSError as exc:
            self.error = exc
