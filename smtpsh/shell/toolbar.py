"""The bottom toolbar: the syntax of what is being typed, then where the dialog stands.

`toolbar(text, dialog, connected)` is pure and cheap: prompt_toolkit calls it at each redraw.
It fits the terminal's width (`width`, else the running application's, else 80 columns): when
it would be longer, the least useful parts give way first, in the order of `_GIVE_WAY` (the
other EHLO keywords, shortened then dropped; the tips; the AUTH mechanisms; the SIZE limit;
the state, TLS and user, which the prompt shows too; the parameters the server takes; the
why of the next step); then the room left is given back, the most useful part first. What
still does not fit is cut with "…".
"""

from __future__ import annotations

from dataclasses import dataclass

from prompt_toolkit.application.current import get_app_or_none
from prompt_toolkit.utils import get_cwidth

from smtpsh import explain, guide
from smtpsh.i18n import _
from smtpsh.protocol import CONNECTED, DATA, Dialog
from smtpsh.render import Fragments
from smtpsh.shell import VERBS, human_size, verb_syntax
from smtpsh.shell.commands import PREFIX, lookup

SEP = ("class:bottom-toolbar.sep", "  │  ")
DOT = " · "
DEFAULT_WIDTH = 80
# Shown with the size limit and the AUTH mechanisms instead of among the other keywords.
_OWN_FIELDS = ("SIZE", "AUTH")
# What gives way when the toolbar is too long, first to last; other parts never shrink.
_GIVE_WAY = ("keywords", "tips", "auth", "size", "state", "params", "why")
_TEXT = "class:bottom-toolbar.text"


@dataclass
class _Part:
    """A piece of the toolbar: its texts, longest first, and what kind of piece it is."""

    forms: list[str]
    kind: str = ""
    at: int = 0  # the form shown

    @property
    def text(self) -> str:
        return self.forms[self.at]

    @property
    def rank(self) -> int:
        return _GIVE_WAY.index(self.kind) if self.kind in _GIVE_WAY else len(_GIVE_WAY)


def toolbar(text: str, dialog: Dialog, connected: bool, guide: bool = False,
            width: int | None = None, waiting: str | None = None) -> Fragments:
    """The toolbar's fragments; with `guide`, the next step when nothing is typed. What the
    session is `waiting` for, if anything, is the status then (before all else)."""
    left, right = _parts(text, dialog, connected, guide)
    if waiting:
        hint = syntax_hint(text, dialog)
        left, right = ([_Part([hint, ""], "tips")] if hint else []), [_Part([waiting])]
    return _fit(left, right, _columns() if width is None else width)


def _parts(text: str, dialog: Dialog, connected: bool,
           guiding: bool) -> tuple[list[_Part], list[_Part]]:
    """The hint (left) and the status (right), as parts that may give way."""
    hint = syntax_hint(text, dialog)
    left = [_Part([hint])] if hint else []
    if not connected:  # the capabilities are the old connection's: no "server takes"
        return left, [_Part([_("not connected: {command}, or :connect HOST [PORT]").format(
                                 command=guide.RECONNECT), _("not connected")], "why")]
    if guiding and not text.strip():
        return [_next_step(dialog, short=False)], _status(dialog)
    if dialog.state == DATA:
        left = left or [_Part([_("message text; a line with only '.' ends it")]),
                        _Part([":send FILE", ""], "tips")]
        return left, [_Part(["DATA"]), _Part([_("Ctrl-C: end the message or keep typing"),
                                               "Ctrl-C"], "tips")]
    params = _advertised_params(text, dialog)
    if params:
        left.append(_Part([_("server takes: {params}").format(params=" ".join(params)), ""],
                          "params"))
    if not left and dialog.state == CONNECTED and not text:
        left = [_next_step(dialog, short=True), _Part([_("Tab completes · :help"), ""], "tips")]
    return left, _status(dialog)


def _next_step(dialog: Dialog, short: bool) -> _Part:
    """The guide's next step; its "(why)" is the first thing of it to give way."""
    step = guide.next_step(dialog)
    bare = step.split(" (", 1)[0]
    if short:
        return _Part([bare])
    return _Part([step, bare] if bare != step else [step], "why")


def _columns() -> int:
    """The running application's width; 80 when there is none (tests, no terminal)."""
    app = get_app_or_none()
    try:
        return app.output.get_size().columns if app else DEFAULT_WIDTH
    except (OSError, ValueError):
        return DEFAULT_WIDTH


def _fit(left: list[_Part], right: list[_Part], width: int) -> Fragments:
    parts = [*left, *right]

    def fits() -> bool:
        return _length(_joined(left), _joined(right)) <= width

    # Of two parts of one kind, the later gives way first.
    order = {id(p): (p.rank, -n) for n, p in enumerate(parts)}
    while not fits():
        shrinkable = [p for p in parts if p.at < len(p.forms) - 1]
        if not shrinkable:
            break
        min(shrinkable, key=lambda p: order[id(p)]).at += 1
    # Give back what fits again now that a longer part gave way, the most useful first.
    for part in sorted(parts, key=lambda p: order[id(p)], reverse=True):
        while part.at > 0:
            part.at -= 1
            if not fits():
                part.at += 1
                break
    right = [p for p in right if p.text]
    while len(right) > 1 and _length(_joined(left), _joined(right)) > width:
        right.pop()  # the status gives way from its end: the prompt shows the state too
    hint, status = _joined(left), _joined(right)
    if _length(hint, status) > width and hint:
        status = ""
    if _length(hint, status) > width:
        hint, status = _cut(hint or status, width - 2), ""
    if hint and status:
        return [(_TEXT, f" {hint}"), SEP, (_TEXT, f"{status} ")]
    return [(_TEXT, f" {hint or status} ")]


def _joined(parts: list[_Part]) -> str:
    return DOT.join(p.text for p in parts if p.text)


def _length(hint: str, status: str) -> int:
    """The width on screen of the toolbar with this hint and status."""
    if hint and status:
        return get_cwidth(hint) + get_cwidth(SEP[1]) + get_cwidth(status) + 2
    return get_cwidth(hint or status) + 2


def _cut(text: str, room: int) -> str:
    """The text cut to `room` columns, ending in "…" when something was cut."""
    if get_cwidth(text) <= room:
        return text
    out = ""
    for char in text:
        if get_cwidth(out + char) > room - 1:
            break
        out += char
    return out.rstrip() + "…" if room > 0 else ""


def syntax_hint(text: str, dialog: Dialog) -> str:
    """The syntax of the verb or command being typed, once its first word is unambiguous."""
    word = text.lstrip().split(" ", 1)[0]
    if not word:
        return ""
    if word.startswith(PREFIX):
        cmd = lookup(word)
        return f"{cmd.usage} · {cmd.help_text}" if cmd else ""
    if dialog.state == DATA:
        return ""
    verb = _typed_verb(word)
    return (verb_syntax(verb) or verb) if verb else ""


def _typed_verb(word: str) -> str | None:
    found = [v for v in VERBS if v.startswith(word.upper())]
    if word.upper() in VERBS:
        return word.upper()
    return found[0] if len(found) == 1 else None


def _advertised_params(text: str, dialog: Dialog) -> list[str]:
    """The parameters of the verb being typed that the server's EHLO reply allows."""
    word = text.lstrip().split(" ", 1)[0]
    verb = _typed_verb(word) if word and not word.startswith(PREFIX) else None
    if verb is None or dialog.state == DATA:
        return []
    keys = (typed.split("=", 1)[0] for typed, kw, _ in explain.param_choices(verb)
            if dialog.capabilities.has(kw))
    return list(dict.fromkeys(keys))


def _status(dialog: Dialog) -> list[_Part]:
    caps = dialog.capabilities
    parts = [_Part([dialog.state, ""], "state"),
             _Part(["TLS" if dialog.tls else _("no TLS"), ""], "state")]
    if dialog.user:
        parts.append(_Part([_("user {user}").format(user=dialog.user), ""], "state"))
    if not caps.keywords:
        parts.append(_Part([_("no EHLO yet") if not dialog.greeted_with_ehlo
                            else _("no extensions"), ""], "keywords"))
        return parts
    if caps.size:
        parts.append(_Part([f"SIZE {human_size(caps.size)}", ""], "size"))
    if caps.auth_mechanisms:
        parts.append(_Part(["AUTH " + " ".join(caps.auth_mechanisms), ""], "auth"))
    others = [k for k in caps.keywords if k not in _OWN_FIELDS]
    if others:
        shorter = [" ".join(others[:n]) + _(" +{count} more").format(count=len(others) - n)
                   for n in range(len(others) - 1, 0, -1)]
        parts.append(_Part([" ".join(others), *shorter, ""], "keywords"))
    return parts
