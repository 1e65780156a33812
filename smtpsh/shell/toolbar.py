"""The bottom toolbar: the syntax of what is being typed, then where the dialog stands.

`toolbar(text, dialog, connected)` is pure and cheap: prompt_toolkit calls it at each redraw.
"""

from __future__ import annotations

from smtpsh import explain
from smtpsh.protocol import CONNECTED, DATA, Dialog
from smtpsh.render import Fragments
from smtpsh.shell import VERBS, verb_syntax
from smtpsh.shell.commands import PREFIX, human_size, lookup

SEP = ("class:bottom-toolbar.sep", "  │  ")
# Shown with the size limit and the AUTH mechanisms instead of among the other keywords.
_OWN_FIELDS = ("SIZE", "AUTH")


def toolbar(text: str, dialog: Dialog, connected: bool, guide: bool = False) -> Fragments:
    left = syntax_hint(text, dialog)
    if guide and not text.strip():
        from smtpsh.guide import next_step

        return _join(next_step(dialog), status(dialog) if connected else "not connected")
    if not connected:
        return _join(left, "not connected: :reconnect, or :connect HOST [PORT]")
    if dialog.state == DATA:
        return _join(left or "message text; a line with only '.' ends it · :send FILE",
                     "DATA · Ctrl-C: end the message or keep typing")
    if not left and dialog.state == CONNECTED and not text:
        left = "start with EHLO your.name · Tab completes · :help"
    return _join(left, status(dialog))


def _join(left: str, right: str) -> Fragments:
    text = "class:bottom-toolbar.text"
    if not left:
        return [(text, f" {right} ")]
    return [(text, f" {left}"), SEP, (text, f"{right} ")]


def syntax_hint(text: str, dialog: Dialog) -> str:
    """The syntax of the verb or command being typed, once its first word is unambiguous."""
    word = text.lstrip().split(" ", 1)[0]
    if not word:
        return ""
    if word.startswith(PREFIX):
        cmd = lookup(word)
        return f"{PREFIX}{cmd.name} {cmd.args}".rstrip() + f" · {cmd.help}" if cmd else ""
    if dialog.state == DATA:
        return ""
    found = [v for v in VERBS if v.startswith(word.upper())]
    if len(found) != 1 and word.upper() not in VERBS:
        return ""
    verb = word.upper() if word.upper() in VERBS else found[0]
    hint = verb_syntax(verb) or verb
    params = _advertised_params(verb, dialog)
    return hint + (f" · server takes: {' '.join(params)}" if params else "")


def _advertised_params(verb: str, dialog: Dialog) -> list[str]:
    keys = (text.split("=", 1)[0] for text, kw, _ in explain.param_choices(verb)
            if dialog.capabilities.has(kw))
    return list(dict.fromkeys(keys))


def status(dialog: Dialog) -> str:
    caps = dialog.capabilities
    parts = [dialog.state, "TLS" if dialog.tls else "no TLS"]
    if dialog.user:
        parts.append(f"user {dialog.user}")
    if not caps.keywords:
        parts.append("no EHLO yet" if not dialog.greeted_with_ehlo else "no extensions")
        return " · ".join(parts)
    if caps.size:
        parts.append(f"SIZE {human_size(caps.size)}")
    if caps.auth_mechanisms:
        parts.append("AUTH " + " ".join(caps.auth_mechanisms))
    others = [k for k in caps.keywords if k not in _OWN_FIELDS]
    if others:
        parts.append(" ".join(others))
    return " · ".join(parts)
