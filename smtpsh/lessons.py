"""Lessons: `smtpsh --lesson` lists them, `smtpsh --lesson N` opens the shell on the sandbox
with one task at a time, each step checked from what happened on the wire.

The lessons are data: smtpsh/data/lessons.json (English, in the order of `--lesson N`, the
checks, the sandbox's fault rules and DNS zone for a lesson) and smtpsh/data/de/lessons.json
(the German texts, keyed by lesson and step name). A `Tutor` watches the session's events: a
reply to the current step's command that meets its check (reply code, enhanced code, the
command line, TLS, logged in, the server's name) marks the step done and shows the next task;
a reply to that command that does not is a wrong try, not counted, and shows the step's hint
(so does a refusal of any other command). A question is answered with `:answer TEXT`, a step
may ask for a shell command (`:show N`), and a lesson with a DNS zone runs its own DNS server
on loopback (smtpsh.sandbox_dns) that the shell's `:mx` asks: a step is then checked from the
questions it was asked. The shell's toolbar shows the task while nothing is typed.
"""

from __future__ import annotations

import contextlib
import glob
import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from importlib import resources
from typing import TYPE_CHECKING, Any

from smtpsh.client import Kind
from smtpsh.events import Note, Output, Received
from smtpsh.i18n import _, language

if TYPE_CHECKING:
    from smtpsh.render import Fragments
    from smtpsh.sandbox import Sandbox
    from smtpsh.sandbox_dns import LessonDns
    from smtpsh.sandbox_rules import Rule
    from smtpsh.session import Session
    from smtpsh.shell.repl import Shell

_TEXT = "class:bottom-toolbar.text"
_WORDS = re.compile(r"\W+")  # what an answer is compared without: punctuation, spacing


def normal(text: str) -> str:
    """An answer as it is compared: lower case, punctuation and runs of spaces as one space."""
    return _WORDS.sub(" ", text.lower()).strip()


@dataclass(frozen=True)
class Step:
    name: str
    task: str
    hint: str
    check: dict[str, Any]
    explain: str = ""  # said when the step is done
    show: str = ""  # a file of smtpsh/data/examples, printed when the step begins

    @property
    def question(self) -> bool:
        """Answered with :answer, not on the wire."""
        return "answer" in self.check

    def answers(self, event: Received) -> bool:
        """Whether the reply answers the command this step asks for."""
        if self.check.get("greeting"):
            return event.command is not None and event.command.kind is Kind.GREETING
        verbs: list[str] = self.check.get("verbs") or []
        return event.verb in verbs

    def right(self, answer: str) -> bool:
        """Whether `answer` (to :answer) is one this step takes."""
        text = normal(answer)
        if not text or any(re.search(p, text) for p in self.check.get("wrong", [])):
            return False
        return any(re.search(p, text) for p in self.check.get("answer", []))

    def met(self, event: Output, session: Session, dns: LessonDns | None = None) -> bool:
        """Whether what happened (`event`, the dialog now, the questions the lesson's DNS
        server was asked) does what this step asks."""
        check, dialog = self.check, session.dialog
        if self.question or "command" in check:
            return False  # :answer and the shell's commands say so (Tutor.answer, .ran)
        if check.get("tls") and not dialog.tls:
            return False
        if check.get("user") and dialog.user is None:
            return False
        if check.get("dns") and (dns is None or not dns.asked(check["dns"])):
            return False
        if check.get("host") and (session.host or "").lower() != check["host"]:
            return False
        if not check.get("verbs") and not check.get("greeting"):
            return True  # a check of the state alone
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
    dns: dict[str, dict[str, list[str]]] = field(default_factory=dict)  # its DNS zone
    connect: bool = True  # the shell starts connected to the sandbox
    name: str = ""  # its key in lessons.json (the German texts are found by it)

    def sandbox_rules(self) -> list[Rule]:
        from smtpsh.sandbox_rules import make_rule

        return [make_rule(r) for r in self.rules]


def _read(*parts: str) -> Any:
    return json.loads(resources.files("smtpsh").joinpath("data", *parts)
                      .read_text(encoding="utf-8"))


def lessons(lang: str | None = None) -> list[Lesson]:
    """The lessons, numbered in their order, their texts in `lang` (default: the language in
    use)."""
    lang = lang or language()
    english = _read("lessons.json")["lessons"]
    texts = _read(lang, "lessons.json")["lessons"] if lang != "en" else {}
    out = []
    for number, entry in enumerate(english, 1):
        own = texts.get(entry["name"], {})
        steps = []
        for s in entry["steps"]:
            mine = own.get("steps", {}).get(s["name"], {})
            steps.append(Step(s["name"], mine.get("task", s["task"]),
                              mine.get("hint", s["hint"]), s["check"],
                              mine.get("explain", s.get("explain", "")), s.get("show", "")))
        out.append(Lesson(number, own.get("title", entry["title"]),
                          own.get("intro", entry["intro"]), own.get("end", entry["end"]),
                          steps, entry.get("rules", []), entry.get("dns", {}),
                          entry.get("connect", True), entry["name"]))
    return out


def example(name: str) -> str:
    """A file of smtpsh/data/examples (a step's `show`), its header only, tabs as spaces."""
    text = resources.files("smtpsh").joinpath("data", "examples", name).read_text(
        encoding="utf-8")
    return text.partition("\n\n")[0].expandtabs(4)


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

    def __init__(self, lesson: Lesson, session: Session, folder: str = "",
                 dns: LessonDns | None = None) -> None:
        self.lesson, self.session, self.folder = lesson, session, folder
        self.dns = dns  # the lesson's DNS server, if it has a zone
        self.at = 0  # the current step
        self.done: list[str] = []  # the names of the steps done, in order
        self.tries = 0  # wrong tries (not counted as steps)
        self._busy = False
        self._held: list[str] | None = None  # notes held while a shell command runs
        events = session.events
        self._output = events.output
        events.output = self._observe

    def close(self) -> None:
        """Stop the lesson's DNS server (with the sandbox, at the end of the session)."""
        if self.dns is not None:
            self.dns.close()
            self.dns = None

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
        self._next()

    def task_line(self) -> str:
        """"step 2/6: name the sender: ...", or the lesson's end."""
        step = self.step
        if step is None:
            return _("lesson {number} done").format(number=self.lesson.number)
        return _("step {n}/{total}: {task}").format(n=self.at + 1, total=len(self.lesson.steps),
                                                   task=step.task)

    def _say(self, text: str) -> None:
        """A note on screen, not in the transcript (the lesson is not part of the dialog)."""
        if self._held is not None:
            self._held.append(text)  # after the shell command's output (Tutor.command)
        else:
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
        if step.met(event, self.session, self.dns):
            self._done(step)
        elif isinstance(event, Received) and event.command is not None and \
                event.reply.code // 100 != 3 and (step.answers(event) or event.reply.is_error):
            # (a 334 or 354 is the middle of a step, not its outcome: AUTH PLAIN typed
            # without its argument gets 334, then the shell asks for the user and password)
            self._wrong(step)

    def answer(self, text: str) -> None:
        """`:answer TEXT`: the current step's question answered, rightly or not."""
        step = self.step
        if step is None:
            self._say(_("lesson {number} done: nothing left to answer").format(
                number=self.lesson.number))
        elif not step.question:
            self._wrong(step, _("this step is done on the wire, not with :answer: {task}")
                        .format(task=step.task))
        elif step.right(text):
            self._done(step)
        else:
            self._wrong(step, _("not quite: {hint}").format(hint=step.hint))

    @contextlib.contextmanager
    def command(self, name: str, args: list[str]) -> Iterator[None]:
        """Around a shell command: what the tutor has to say while it runs (a step done by
        the DNS question or the connection it made) waits until its output is all there."""
        outer = self._held is None  # (a command inside another's: the outer one says it)
        if outer:
            self._held = []
        try:
            yield
            self.ran(name, args)
        finally:
            if outer:
                held, self._held = self._held or [], None
                for text in held:
                    self._say(text)

    def ran(self, name: str, args: list[str]) -> None:
        """A shell command ran (`:show 1`): done if it is the one the step asks for."""
        step = self.step
        if step is None or step.check.get("command") != name:
            return
        # :show N of a message the sandbox saved (a wrong number was only a warning).
        if name == "show" and not (args and args[0].isdigit() and self.folder and
                                   os.path.exists(os.path.join(self.folder,
                                                               f"{int(args[0]):04d}.eml"))):
            self._wrong(step)
            return
        self._done(step)

    def _done(self, step: Step) -> None:
        self.done.append(step.name)
        self.at += 1
        self._say(_("step {n}/{total} done").format(n=self.at, total=len(self.lesson.steps)))
        if step.explain:
            self._say(step.explain)
        if self.finished:
            self._say(self.summary())
        else:
            self._next()

    def _wrong(self, step: Step, text: str | None = None) -> None:
        self.tries += 1
        self._say(text or _("not this step yet: {hint}").format(hint=step.hint))

    def _next(self) -> None:
        """The task of the step that begins now (and what it shows to read)."""
        step = self.step
        if step is not None and step.show:
            self._say(example(step.show))
        self._say(self.task_line())

    def status(self) -> str:
        """What `:lesson` says: the lesson, the task now and its hint, the progress."""
        lines = [_("lesson {number}: {title}").format(number=self.lesson.number,
                                                     title=self.lesson.title),
                 self.task_line()]
        step = self.step
        if step is not None:
            lines.append(_("hint: {hint}").format(hint=step.hint))
        lines.append(_("{done} of {total} steps done, {tries} tries that did not count").format(
            done=len(self.done), total=len(self.lesson.steps), tries=self.tries))
        return "\n".join(lines)

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
    typed (the shell's own toolbar otherwise), and `:answer` and its commands seen by it.

    A lesson with a DNS zone starts its DNS server here (`Tutor.close()` stops it): the
    shell's `:mx` asks it and connects on the sandbox's port, as with --mx --nameserver -p."""
    chosen = lesson(number)
    dns = None
    if chosen.dns:
        from smtpsh.sandbox_dns import LessonDns

        dns = LessonDns(chosen.dns)
        dns.start()
    tutor = Tutor(chosen, session, sandbox.folder if sandbox is not None else "", dns)
    if shell is not None:
        if dns is not None and sandbox is not None:
            shell.settings = replace(shell.settings, mx=True, nameserver=dns.nameserver,
                                     port=sandbox.port)
        target: Any = shell  # :answer and the command hook find the lesson here
        target.tutor = tutor
        own = shell.prompt.bottom_toolbar

        def bar() -> Any:
            text = shell.prompt.default_buffer.document.text_before_cursor
            if text.strip() or shell.wait_line() is not None or tutor.finished:
                return own() if callable(own) else own
            return tutor.toolbar()

        shell.prompt.bottom_toolbar = bar
    tutor.begin()
    return tutor
