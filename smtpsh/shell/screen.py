"""The shell's output: every line printed goes through a Screen.

The session's events are rendered once (render.render), kept as plain text for :save
(`lines`: C:, S:, --, !!) and printed above the running prompt in colour, with what a
rejection means (the guide's words in terms of the command it answers, or the reply's
meaning). The shell's own commands print with `out`: on screen only, not part of the dialog.

Printing is batched: what is shown waits in a queue and is printed in one go per turn of the
event loop (at most one print per `interval` while lines keep coming, and one at a time above
the running prompt), so a server that floods the shell costs a redraw per batch, not per
line. While the screen cannot keep up, at most `bound` lines wait: beyond that, what the server
sends unasked (stray replies, garbage, the session's warnings) is counted, not queued, and one
note says how many lines were left out; `lines` (:save) and the transcript keep them all.
Replies to commands, what was sent and notes are always shown.

On screen each reply ends with how long it took, dim (`S: 250 2.0.0 Ok  (3 ms)`); `lines`
keep the dialog without it, as script mode prints it.

Between prompts one status line may stand under the output (`status`): what the session
waits for, or the progress of :send. Each print erases it first and draws it again after.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from prompt_toolkit.application import get_app_or_none, run_in_terminal
from prompt_toolkit.formatted_text import FormattedText
from prompt_toolkit.output import ColorDepth
from prompt_toolkit.output import Output as Terminal
from prompt_toolkit.renderer import print_formatted_text
from prompt_toolkit.styles import Style, default_ui_style, merge_styles
from prompt_toolkit.utils import get_cwidth

from smtpsh.i18n import _, integer
from smtpsh.protocol import Garbage
from smtpsh.render import Fragments, meaning, render, to_plain
from smtpsh.session import Note, Output, Received, Sent, Warn

BOUND = 2_000  # lines waiting to be printed, at most (then the server's are counted only)
INTERVAL = 0.05  # seconds between two prints while lines keep coming


def _head(frags: Fragments, n: int) -> Fragments:
    """The first `n` lines of `frags`."""
    out: Fragments = []
    for style, text in frags:
        breaks = text.count("\n")
        if breaks >= n:
            out.append((style, "\n".join(text.split("\n")[:n])))
            return out
        n -= breaks
        out.append((style, text))
    return out


class Screen:
    def __init__(self, terminal: Callable[[], Terminal], style: Style,
                 color_depth: ColorDepth | None, *, guide: bool = False,
                 explain: bool = False) -> None:
        self.terminal = terminal  # the running prompt's output
        self.style = style
        self.color_depth = color_depth
        self.guide = guide  # explain rejects in terms of what was typed
        self.explain = explain  # the meaning under each 4xx/5xx reply
        self.lines: list[str] = []  # the dialog as plain text (C:/S:/--/!!), for :save
        self.after_334 = False  # the last reply was a SASL challenge
        self.typed = False  # the line being run was typed: its echo is already on screen
        self.bound = BOUND
        self.interval = INTERVAL
        self.flushes = 0  # prints so far
        self.not_shown = 0  # lines left out of the screen so far (all in `lines`)
        # What waits to be printed, in order: fragments, or a count of lines left out there.
        self._waiting: list[Fragments | int] = []
        self._held = 0  # lines in _waiting
        self._timer: asyncio.Handle | None = None  # the print to come
        self._busy = False  # a print above the running prompt is under way
        self._last = -INTERVAL  # when the last print was made (time.monotonic)
        self._status: Fragments | None = None  # the status line (between prompts)
        self._status_shown = False  # it is on the terminal now

    def emit(self, event: Output) -> None:
        """The session's events: kept for :save, shown unless it echoes what was typed.

        What the server sends unasked (and the session's warnings) may be left out of the
        screen when too much waits to be printed; see the module's docstring."""
        chatter = isinstance(event, Garbage | Warn) or (
            isinstance(event, Received) and event.command is None)
        self._emit(event, chatter)

    def _emit(self, event: Output, chatter: bool) -> None:
        frags = render(event)
        shown = frags
        if isinstance(event, Received):
            self.after_334 = event.reply.code == 334
            shown = render(event, timing=True)  # on screen: how long the reply took
            if self.guide or self.explain:
                extra = meaning(event.reply, event.command, known=True)
                frags, shown = frags + extra, shown + extra
        plain = to_plain(frags)
        self.lines.append(plain)
        if isinstance(event, Sent) and self.typed:
            self.typed = False  # only the typed line itself is on screen already; what
            return  # the shell sends for it (AUTH answers, base64) is shown
        self._queue(shown, plain.count("\n") + 1, chatter)

    def show(self, frags: Fragments) -> None:
        """Print `frags` (soon, with whatever else waits), above the running prompt if any."""
        self._queue(frags, to_plain(frags).count("\n") + 1, False)

    def out(self, text: str) -> None:
        """A shell command's output: on screen only (:save keeps the dialog)."""
        self.show([("", text)])

    def note(self, text: str) -> None:
        self._emit(Note(text), False)

    def warn(self, text: str) -> None:
        self._emit(Warn(text), False)

    # --- batching ----------------------------------------------------------------------

    def _queue(self, frags: Fragments, n: int, chatter: bool) -> None:
        room = self.bound - self._held
        if n > room and (chatter or n > self.bound):
            keep = max(room, 0) if chatter else self.bound
            if keep:
                self._waiting.append(_head(frags, keep))
                self._held += keep
            self._left_out(n - keep)
        else:
            self._waiting.append(frags)
            self._held += n
        self._soon()

    def _left_out(self, n: int) -> None:
        self.not_shown += n
        last = self._waiting[-1] if self._waiting else None
        if isinstance(last, int):
            self._waiting[-1] = last + n
        else:
            self._waiting.append(n)
            self._held += 1  # the note's line

    def _soon(self) -> None:
        """Have what waits printed: in the next turn of the loop, or when the interval since
        the last print is over; at once when no event loop runs."""
        if self._timer is not None or self._busy:
            return  # a print is due already (or under way, and it calls again when done)
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self.flush()
            return
        wait = self._last + self.interval - time.monotonic()
        self._timer = loop.call_later(wait, self.flush) if wait > 0 else loop.call_soon(
            self.flush)

    def flush(self) -> None:
        """Print what waits, in one print; above the running prompt when there is one
        (prompt_toolkit erases it, runs the print, draws it again)."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if not self._waiting or self._busy:
            return
        batch, held = self._waiting, self._held
        self._waiting, self._held = [], 0
        self._last = time.monotonic()
        self.flushes += 1
        app = get_app_or_none()
        if app is None or not app.is_running:
            self._print(batch)
            return
        self._busy = True
        printed = False

        def run() -> None:
            nonlocal printed
            printed = True
            self._print(batch)

        def done(_: object) -> None:
            self._busy = False
            if not printed:  # the print never ran (its task was cancelled): put it back
                self._waiting[:0] = batch
                self._held += held
            if self._waiting:
                self._soon()

        asyncio.ensure_future(run_in_terminal(run)).add_done_callback(done)

    def _print(self, batch: list[Fragments | int]) -> None:
        self._erase_status()
        frags: Fragments = []
        for item in batch:
            if isinstance(item, int):
                item = [("class:note", (_("… 1 more line from the server not shown (all"
                                          " kept for :save and in the transcript, if one is"
                                          " written)") if item == 1 else
                                        _("… {count} more lines from the server not shown"
                                          " (all kept for :save and in the transcript, if"
                                          " one is written)").format(count=integer(item))))]
            frags += item
            frags.append(("", "\n"))
        style = merge_styles([default_ui_style(), self.style])  # as print_formatted_text does
        print_formatted_text(self.terminal(), FormattedText(frags), style,
                             color_depth=self.color_depth)
        self._draw_status()
        self.terminal().flush()

    def clear(self) -> None:
        self.flush()
        terminal = self.terminal()
        terminal.erase_screen()
        terminal.cursor_goto(0, 0)
        self._status_shown = False
        self._draw_status()
        terminal.flush()

    # --- the status line ---------------------------------------------------------------

    def columns(self) -> int:
        """The terminal's width (80 when it cannot say)."""
        try:
            return self.terminal().get_size().columns or 80
        except (OSError, ValueError):
            return 80

    def status(self, frags: Fragments | None) -> None:
        """Show `frags` as the status line under the output (None: erase it), drawn over
        the one shown before. Only between prompts: a running prompt owns the bottom lines."""
        app = get_app_or_none()
        if frags is not None and (self._busy or (app is not None and app.is_running)):
            return
        if frags == self._status and (frags is None) != self._status_shown:
            return  # as it is on the terminal already
        self._status = frags
        self._erase_status()
        self._draw_status()
        self.terminal().flush()

    def _erase_status(self) -> None:
        if self._status_shown:
            terminal = self.terminal()
            terminal.write_raw("\r")
            terminal.erase_end_of_line()
            self._status_shown = False

    def _draw_status(self) -> None:
        """The status line, cut to the width so that it never wraps (its start, "\r", must
        stay on its line); the cursor stays at its end."""
        app = get_app_or_none()
        if self._status is None or self._status_shown or (app is not None and app.is_running):
            return
        room = self.columns() - 1
        frags: Fragments = []
        for style, text in self._status:
            text = text.replace("\n", " ")
            while text and get_cwidth(text) > room:
                text = text[:-1]
            room -= get_cwidth(text)
            frags.append((style, text))
        terminal = self.terminal()
        terminal.write_raw("\r")
        terminal.erase_end_of_line()
        print_formatted_text(terminal, FormattedText(frags),
                             merge_styles([default_ui_style(), self.style]),
                             color_depth=self.color_depth)
        self._status_shown = True
