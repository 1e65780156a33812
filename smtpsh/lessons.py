"""Lessons: `smtpsh --lesson` lists them, `smtpsh --lesson N` opens the shell on the sandbox
with one task at a time, each step checked from what happened on the wire.

The lessons are data: smtpsh/data/lessons.json (English, the checks, the sandbox's fault
rules for a lesson) and smtpsh/data/de/lessons.json (the German texts, keyed by lesson and
step name). A `Tutor` watches the session's events: a reply to the current step's command
that meets its check (reply code, enhanced code, the command line, TLS, logged in) marks the
step done and shows the next task; a reply to that command that does not is a wrong try, not
counted, and shows the step's hint (so does a refusal of any other command). The shell's
toolbar shows the task while nothing is typed.
"""

from __future__ import annotations

import glob
import json
import os
from dataclasses import dataclass, field
from importlib import resources
from typing import TYPE_CHECKING, Any

from smtpsh.events import Note, Output, Received
from smtpsh.i18n import _, language

if TYPE_CHECKING:
    from smtpsh.render import Fragments
    from smtpsh.sandbox import Sandbox
    from smtpsh.sandbox_rules import Rule
    from smtpsh.session import Session
    from smtpsh.shell.repl import Shell

_TEXT = "class:bottom-toolbar.text"


@dataclass(frozen=True)
class Step:
    name: str
    task: str
    hint: str
    check: dict[str, Any]

    def answers(self, event: Received) -> bool:
        """Whether the reply answers the command this step asks for."""
        verbs: list[str] = self.check.get("verbs") or []
        return event.verb in verbs

    def met(self, event: Output, session: Session) -> bool:
        """Whether what happened (`event`, and the dialog now) does what this step asks."""
        check, dialog = self.check, session.dialog
        if check.get("tls") and not dialog.tls:
            return False
        if check.get("user") and dialog.user is None:
            return False
        if not check.get("verbs"):
            return True  # a check of the dialog's state alone
        if not isinstance(event, Received) or not self.answers(event):
            return False
        reply, command = event.reply, event.command
        line = command.line if command is not None else ""
        return (str(reply.code).startswith(check.get("code", ""))
                and (reply.enhanced or "").startswith(check.get("enhanced", ""))
                and check.get("line_has", "") in line
                and ("line_lacks" not in check or check["line_lacks"] not in line))


@dataclass(frozen=True)
class Lesson:
    number: int
    title: str
    intro: str
    end: str
    steps: list[Step]
    rules: list[dict[str, Any]] = field(default_factory=list)

    def sandbox_rules(self) -> list[Rule]:
        from smtpsh.sandbox_rules import make_rule

        return [make_rule(r) for r in self.rules]


def _read(*parts: str) -> Any:
    return json.loads(resources.files("smtpsh").joinpath("data", *parts)
                      .read_text(encoding="utf-8"))


def lessons(lang: str | None = None) -> list[Lesson]:
    """The lessons, their texts in `lang` (default: the language in use)."""
    lang = lang or language()
    english = _read("lessons.json")["lessons"]
    texts = _read(lang, "lessons.json")["lessons"] if lang != "en" else {}
    out = []
    for entry in english:
        own = texts.get(entry["name"], {})
        steps = [Step(s["name"], own.get("steps", {}).get(s["name"], {}).get("task", s["task"]),
                      own.get("steps", {}).get(s["name"], {}).get("hint", s["hint"]),
                      s["check"]) for s in entry["steps"]]
        out.append(Lesson(int(entry["name"]), own.get("title", entry["title"]),
                          own.get("intro", entry["intro"]), own.get("end", entry["end"]),
                          steps, entry.get("rules", [])))
    return out


def lesson(number: int) -> Lesson:
    """Lesson `number`; ValueError when there is none."""
    found = [x for x in lessons() if x.number == number]
    if not found:
        raise ValueError(_("no lesson {number}: smtpsh --lesson lists them").format(
            number=number))
    return found[0]


def listing() -> str:
    """What `smtpsh --lesson` prints."""
    lines = [_("Lessons (smtpsh --lesson N opens the shell on the sandbox with lesson N):")]
    for x in lessons():
        lines.append(_("  {number}  {title} ({steps} steps)").format(
            number=x.number, title=x.title, steps=len(x.steps)))
    return "\n".join(lines)


class Tutor:
    """Follows one lesson on a session: marks steps done from its events, says what next."""

    def __init__(self, lesson: Lesson, session: Session, folder: str = "") -> None:
        self.lesson, self.session, self.folder = lesson, session, folder
        self.at = 0  # the current step
        self.done: list[str] = []  # the names of the steps done, in order
        self.tries = 0  # wrong tries (not counted as steps)
        self._busy = False
        events = session.events
        self._output = events.output
        events.output = self._observe

    @property
    def finished(self) -> bool:
        return self.at >= len(self.lesson.steps)

    @property
    def step(self) -> Step | None:
        return None if self.finished else self.lesson.steps[self.at]

    def begin(self) -> None:
        self._say(_("lesson {number}: {title}").format(number=self.lesson.number,
                                                     title=self.lesson.title))
        self._say(self.lesson.intro)
        self._say(self.task_line())

    def task_line(self) -> str:
        """"step 2/6: name the sender: ...", or the lesson's end."""
        step = self.step
        if step is None:
            return _("lesson {number} done").format(number=self.lesson.number)
        return _("step {n}/{total}: {task}").format(n=self.at + 1, total=len(self.lesson.steps),
                                                   task=step.task)

    def _say(self, text: str) -> None:
        """A note on screen, not in the transcript (the lesson is not part of the dialog)."""
        self._output(Note(text))

    def _observe(self, event: Output) -> None:
        self._output(event)
        if self._busy or self.finished:
            return
        self._busy = True
        try:
            self.check(event)
        finally:
            self._busy = False

    def check(self, event: Output) -> None:
        step = self.step
        if step is None:
            return
        if step.met(event, self.session):
            self.done.append(step.name)
            self.at += 1
            self._say(_("step {n}/{total} done").format(n=self.at,
                                                        total=len(self.lesson.steps)))
            if self.finished:
                self._say(self.summary())
            else:
                self._say(self.task_line())
        elif isinstance(event, Received) and event.command is not None and (
                step.answers(event) or event.reply.is_error):
            self.tries += 1
            self._say(_("not this step yet: {hint}").format(hint=step.hint))

    def summary(self) -> str:
        files = sorted(glob.glob(os.path.join(self.folder, "*.eml"))) if self.folder else []
        file = files[-1] if files else os.path.join(self.folder or ".", "0001.eml")
        stem = os.path.splitext(os.path.basename(file))[0]
        end = self.lesson.end.format(folder=self.folder, file=file,
                                     number=int(stem) if stem.isdigit() else 1)
        return _("lesson {number} done: {done} of {total} steps, {tries} tries that did not"
                 " count. {end}").format(number=self.lesson.number, done=len(self.done),
                                         total=len(self.lesson.steps), tries=self.tries,
                                         end=end)

    def toolbar(self) -> Fragments:
        """The lesson's line in the toolbar: "lesson 1 · step 2/6: task"."""
        return [(_TEXT, f" {_('lesson {number}').format(number=self.lesson.number)}"
                        f" · {self.task_line()} ")]


def start(number: int, session: Session, sandbox: Sandbox | None = None,
          shell: Shell | None = None) -> Tutor:
    """Lesson `number` on `session`; in the shell, its task in the toolbar while nothing is
    typed (the shell's own toolbar otherwise)."""
    tutor = Tutor(lesson(number), session, sandbox.folder if sandbox is not None else "")
    if shell is not None:
        own = shell.prompt.bottom_toolbar

        def bar() -> Any:
            text = shell.prompt.default_buffer.document.text_before_cursor
            if text.strip() or shell.wait_line() is not None or tutor.finished:
                return own() if callable(own) else own
            return tutor.toolbar()

        shell.prompt.bottom_toolbar = bar
    tutor.begin()
    return tutor
