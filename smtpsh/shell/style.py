"""The shell's colours: one prompt_toolkit Style from render.STYLES, and the colour depth.

Colours live in one table (render.STYLES, shared with script mode); the prompt's own classes
take theirs from it too.
"""

from __future__ import annotations

import sys

from prompt_toolkit.output import ColorDepth
from prompt_toolkit.styles import Style

from smtpsh.render import STYLES, use_color

# The prompt's own classes, coloured from render.STYLES so colours live in one table.
_UI_STYLES = {
    "prompt": "bold",
    "prompt.tls": STYLES["reply.2"][0],
    "prompt.state": STYLES["reply.3"][0],
    "prompt.data": STYLES["reply.3"][0],
}


def build_style() -> Style:
    rules = {name: pt for name, (pt, _) in STYLES.items() if pt}
    return Style.from_dict(rules | _UI_STYLES)


def color_depth(choice: str) -> ColorDepth | None:
    """--color: never -> monochrome; always -> colour even with NO_COLOR; auto -> as the tty."""
    if not use_color(choice, sys.stdout):
        return ColorDepth.DEPTH_1_BIT
    return ColorDepth.DEPTH_8_BIT if choice == "always" else None
