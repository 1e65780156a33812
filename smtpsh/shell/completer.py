"""Completion in two steps, as pgcli does it.

`suggest(text_before_cursor, dialog)` is pure: it says what kind of token goes at the cursor
(a verb, a path, an address, an ESMTP parameter...) and which text the completion replaces.
`words(...)` then fills each kind from the dialog: what EHLO advertised, the addresses used
earlier in the session, the shell's commands. The shell's commands, and what completes their
arguments, come from their registry (smtpsh.shell.commands). `SmtpCompleter` joins both for
prompt_toolkit.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from prompt_toolkit.completion import CompleteEvent, Completer, Completion
from prompt_toolkit.document import Document

from smtpsh import explain
from smtpsh.i18n import _
from smtpsh.protocol import CONNECTED, DATA, Capabilities, Dialog, esmtp_params
from smtpsh.shell import VERBS, matches, verb_syntax
from smtpsh.shell.commands import PREFIX, ArgContext, lookup, registered

# Kinds of token.
VERB = "verb"
SHELL = "shell command"
TOPIC = "help topic"
PATH = "path keyword"  # FROM:< / TO:<
ADDRESS = "address"
PARAM = "esmtp parameter"
MECH = "auth mechanism"
ARGUMENT = "argument"  # of a shell command: its registered completer fills it

PATHS = {"MAIL": "FROM:<", "RCPT": "TO:<"}
_ANYWHERE = frozenset({"connected", "greeted", "mail", "rcpt"})
_PATH_ARG = re.compile(r"^(FROM|TO)\s*:\s*(\S*)$", re.IGNORECASE)


@dataclass(frozen=True)
class Suggestion:
    kinds: tuple[str, ...] = ()
    word: str = ""  # the text before the cursor that a completion replaces
    verb: str = ""  # the verb or shell command this token belongs to
    used: tuple[str, ...] = ()  # ESMTP parameters already on the line


def suggest(text: str, dialog: Dialog) -> Suggestion:
    """What kind of token goes at the end of `text`; pure."""
    line = text.lstrip()
    if line.startswith(PREFIX):
        return _suggest_shell(line)
    if dialog.state == DATA:
        return Suggestion()  # message text: nothing to complete
    verb, space, rest = line.partition(" ")
    if not space:
        return Suggestion((VERB,), line)
    verb, rest = verb.upper(), rest.lstrip()
    if verb in PATHS:
        return _suggest_path(verb, rest)
    if " " in rest:
        return Suggestion()
    kind = {"AUTH": MECH, "HELP": TOPIC, "VRFY": ADDRESS, "EXPN": ADDRESS}.get(verb)
    return Suggestion((kind,), rest, verb) if kind else Suggestion()


def _suggest_shell(line: str) -> Suggestion:
    name, space, rest = line.partition(" ")
    if not space:
        return Suggestion((SHELL,), name)
    cmd = lookup(name)
    if cmd is None or cmd.complete is None:
        return Suggestion()
    return Suggestion((ARGUMENT,), rest.lstrip(), cmd.name)


def _suggest_path(verb: str, rest: str) -> Suggestion:
    if ":" not in rest and " " not in rest:
        return Suggestion((PATH,), rest, verb)
    m = _PATH_ARG.match(rest)
    if m:
        return Suggestion((ADDRESS,), m.group(2), verb)
    # After the path: parameters, one word at a time.
    word = rest.rsplit(" ", 1)[-1] if " " in rest else "<"
    if word.startswith("<"):
        return Suggestion()
    return Suggestion((PARAM,), word, verb, tuple(esmtp_params(rest)))


def verbs_for(dialog: Dialog) -> list[str]:
    """The verbs worth offering now: base ones plus the extensions the server advertised.

    Those valid in the current state come first, then those valid anywhere, then the rest
    (still offered: smtpsh sends what it is told, to see what the server says).
    """
    caps = dialog.capabilities
    # A verb that needs an extension is offered only when EHLO advertised it.
    names = [v for v in VERBS if v != "LHLO" and (
        (kw := explain.needs_keyword(v)) is None or caps.has(kw))]
    if dialog.state == CONNECTED:
        names.append("LHLO")  # LMTP's greeting; only useful at the start
    if dialog.tls and "STARTTLS" in names:
        names.remove("STARTTLS")
    if dialog.user and "AUTH" in names:
        names.remove("AUTH")

    def rank(v: str) -> int:
        # First what moves the dialog on from here, then what is valid anywhere (RSET,
        # NOOP, EHLO ...), then the rest.
        valid = explain.valid_states(v)
        if valid is None or valid >= _ANYWHERE:
            return 1
        return 0 if dialog.state in valid else 2

    return sorted(names, key=lambda v: (rank(v), VERBS.index(v)))


def _params(verb: str, caps: Capabilities, used: Sequence[str]) -> list[tuple[str, str]]:
    out = []
    for text, keyword, meaning in explain.param_choices(verb):
        key = text.split("=", 1)[0]
        if caps.has(keyword) and key not in used:
            if key == "SIZE" and caps.size:
                meaning += f"; limit {caps.size}"
            out.append((text, meaning))
    return out


def words(s: Suggestion, dialog: Dialog,
          addresses: Sequence[str] = ()) -> list[tuple[str, str]]:
    """(text, meaning) candidates for the kinds of `s`, not yet filtered by what is typed.

    A shell command's argument (ARGUMENT) is left to the command's own completer.
    """
    out: list[tuple[str, str]] = []
    for kind in s.kinds:
        if kind == VERB:
            out += [(f"{v} {PATHS[v]}" if v in PATHS else v, verb_syntax(v) or "")
                    for v in verbs_for(dialog)]
        elif kind == SHELL:
            out += [(PREFIX + c.name, c.help_text) for c in registered()]
        elif kind == TOPIC:
            out += [(v, verb_syntax(v) or "") for v in VERBS]
        elif kind == PATH:
            out.append((PATHS[s.verb], verb_syntax(s.verb) or ""))
        elif kind == ADDRESS:
            if s.verb == "MAIL":
                out.append(("<>", _("the null sender, as for bounces")))
            wrap = s.verb in PATHS
            out += [(f"<{a}>" if wrap else a, _("used earlier")) for a in addresses]
        elif kind == PARAM:
            out += _params(s.verb, dialog.capabilities, s.used)
        elif kind == MECH:
            out += [(m, _("advertised in EHLO")) for m in dialog.capabilities.auth_mechanisms]
    return out


class SmtpCompleter(Completer):
    """prompt_toolkit's side: the dialog and the addresses are read at each keystroke."""

    def __init__(self, dialog: Callable[[], Dialog], addresses: Callable[[], Sequence[str]],
                 profiles: Sequence[str] = ()) -> None:
        self.dialog = dialog
        self.addresses = addresses
        self.profiles = profiles

    def get_completions(self, document: Document,
                        complete_event: CompleteEvent) -> Iterable[Completion]:
        s = suggest(document.text_before_cursor, self.dialog())
        cmd = lookup(s.verb) if ARGUMENT in s.kinds else None
        if cmd is not None and cmd.complete is not None:
            context = ArgContext(self.dialog(), self.addresses(), self.profiles, complete_event)
            yield from cmd.complete(s.word, context)
            return
        for text, meta in words(s, self.dialog(), self.addresses()):
            if matches(text, s.word):
                yield Completion(text, -len(s.word), display_meta=meta)
