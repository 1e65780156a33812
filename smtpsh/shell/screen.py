"""The shell's output: every line printed goes through a Screen.

The session's events are rendered once (render.render), kept as plain text for :save
(`lines`: C:, S:, --, !!) and printed above the running prompt in colour, with what a
rejection means (the guide's words in terms of the command it answers, or the reply's
meaning). The shell's own commands print with `out`: on screen only, not part of the dialog.
"""

from __future__ import annotations

from collections.abc import Callable

from prompt_toolkit import print_formatted_text
from prompt_toolkit.formatted_text import FormattedText
from prompt_toolkit.output import ColorDepth
from prompt_toolkit.output import Output as Terminal
from prompt_toolkit.styles import Style

from smtpsh.render import Fragments, meaning, render, to_plain
from smtpsh.session import Note, Output, Received, Sent, Warn


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

    def emit(self, event: Output) -> None:
        """The session's events: kept for :save, shown unless it echoes what was typed."""
        frags = render(event)
        if isinstance(event, Received):
            self.after_334 = event.reply.code == 334
            if self.guide or self.explain:
                frags += meaning(event.reply, event.command, known=True)
        self.lines.append(to_plain(frags))
        if isinstance(event, Sent) and self.typed:
            self.typed = False  # only the typed line itself is on screen already; what
            return  # the shell sends for it (AUTH answers, base64) is shown
        self.show(frags)

    def show(self, frags: Fragments) -> None:
        # Above the running prompt when there is one (prompt_toolkit redraws it after).
        print_formatted_text(FormattedText(frags), style=self.style, output=self.terminal(),
                             color_depth=self.color_depth, include_default_pygments_style=False)

    def out(self, text: str) -> None:
        """A shell command's output: on screen only (:save keeps the dialog)."""
        self.show([("", text)])

    def note(self, text: str) -> None:
        self.emit(Note(text))

    def warn(self, text: str) -> None:
        self.emit(Warn(text))

    def clear(self) -> None:
        terminal = self.terminal()
        terminal.erase_screen()
        terminal.cursor_goto(0, 0)
        terminal.flush()
