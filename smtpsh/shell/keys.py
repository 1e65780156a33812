"""Keys: the single-key choice (Ctrl-C inside DATA), and keys typed while no prompt runs.

Between prompts the terminal holds typed keys back, unechoed (`keys_wait_for_prompt`, and
`quiet_input` for what prompt_toolkit prints above a running prompt), so that nothing typed
ahead is lost, echoed into the output or taken as an end of file.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING

from prompt_toolkit.application import get_app_session
from prompt_toolkit.filters import Condition
from prompt_toolkit.input import Input
from prompt_toolkit.key_binding import (
    ConditionalKeyBindings,
    KeyBindings,
    KeyBindingsBase,
    KeyPressEvent,
    merge_key_bindings,
)

from smtpsh.i18n import N_

if TYPE_CHECKING:
    from smtpsh.shell.state import ShellState

# Ctrl-C inside DATA: one key, no Enter. Enter and Escape (and Ctrl-C again) keep typing.
# (The question is translated where it is asked; the keys stay e, k, x in every language.)
CTRL_C_CHOICE = N_("e: end the message now · k (or Enter): keep typing · x: close the"
                   " connection ")
CHOICES = "ekx"


def shell_bindings(state: ShellState, base: KeyBindingsBase | None = None) -> KeyBindingsBase:
    """The prompt's key bindings: `base` (prompt_toolkit's own, if any) and the choice keys,
    active while `state.choosing`."""
    choice = ConditionalKeyBindings(choice_bindings(), Condition(lambda: state.choosing))
    return merge_key_bindings([base, choice]) if base else choice


def choice_bindings() -> KeyBindings:
    """Keys of a single-key choice: one of CHOICES, Enter/Escape for 'k', others ignored."""
    kb = KeyBindings()

    def choose(event: KeyPressEvent, key: str) -> None:
        event.current_buffer.text = key  # the prompt's last frame shows the answer
        event.app.exit(result=key)

    for key in CHOICES:
        for k in (key, key.upper()):
            kb.add(k)(lambda event, key=key: choose(event, key))
    kb.add("enter")(lambda event: choose(event, "k"))
    kb.add("escape", eager=True)(lambda event: choose(event, "k"))
    # Anything else (letters, a paste, history and completion keys) is not an answer and
    # does not edit the prompt either.
    for other in ("<any>", "<bracketed-paste>", "up", "down", "c-p", "c-n", "c-r", "c-s",
                  "tab", "s-tab"):
        kb.add(other)(lambda event: None)
    return kb


@contextlib.contextmanager
def keys_wait_for_prompt(fd: int) -> Iterator[None]:
    """Between prompts, keys typed ahead are not echoed and not taken as line edits.

    prompt_toolkit puts the tty in raw mode only while a prompt runs. In cooked mode, a
    Ctrl-D typed during a slow reply would be swallowed as an end of file, and other keys
    echoed through the output; with ICANON and ECHO off they wait, intact, for the next
    prompt. ISIG stays on, so Ctrl-C still interrupts a command.
    """
    try:
        import termios
    except ImportError:  # not POSIX
        yield
        return
    try:
        old = termios.tcgetattr(fd)
    except (OSError, ValueError, termios.error):
        yield  # not a terminal (tests, pipes): nothing to do
        return
    new = list(old)
    new[3] &= ~(termios.ICANON | termios.ECHO)
    termios.tcsetattr(fd, termios.TCSANOW, new)
    try:
        yield
    finally:
        termios.tcsetattr(fd, termios.TCSANOW, old)


def quiet_input() -> Input | None:
    """The terminal input, but printing above the prompt no longer echoes typed keys.

    prompt_toolkit prints above a running prompt (run_in_terminal) in the tty's cooked mode,
    where the kernel echoes keys typed meanwhile into the output. Here "cooked" is the mode
    of keys_wait_for_prompt: the keys wait, unechoed, for the prompt to read them.
    """
    try:
        from prompt_toolkit.input.vt100 import Vt100Input
    except ImportError:  # not POSIX
        return None
    current = get_app_session().input
    if type(current) is not Vt100Input:  # a pipe (tests) or another kind of input
        return None

    class QuietInput(Vt100Input):
        def cooked_mode(self) -> AbstractContextManager[None]:
            return keys_wait_for_prompt(self.fileno())

    return QuietInput(current.stdin)
