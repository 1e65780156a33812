"""Lessons (smtpsh --lesson): the data in English and German, the checker driven through the
real shell (pipe input) against the sandbox and the lesson's DNS server (each step marked done
from the wire, the DNS questions, :answer and :show; a wrong try not counted), and the new
lessons done by a scripted learner in `smtpsh --lesson N` under a pseudo-terminal."""

from __future__ import annotations

import json
import os
import re
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pexpect
import pytest
from test_shell import Driver, drive  # noqa: F401 - the drive fixture

from smtpsh import i18n, lessons
from smtpsh.sandbox import Sandbox
from smtpsh.sandbox_dns import LessonDns
from smtpsh.sandbox_rules import RuleSet

pytestmark = pytest.mark.usefixtures("home")  # HOME and XDG in tmp_path (shellfixtures)

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "smtpsh" / "data"
PLACEHOLDER = re.compile(r"\{[^{}]*\}")


@pytest.fixture(autouse=True)
def english_afterwards() -> Iterator[None]:
    yield
    i18n.set_language(None)


def sandbox_for(number: int, folder: Path) -> Sandbox:
    box = Sandbox(lambda _: None, folder=str(folder),
                  rules=RuleSet(lessons.lesson(number).sandbox_rules()))
    box.start()
    return box


def test_every_lesson_text_has_its_german_with_the_same_placeholders() -> None:
    english = json.loads((DATA / "lessons.json").read_text(encoding="utf-8"))["lessons"]
    german = json.loads((DATA / "de" / "lessons.json").read_text(encoding="utf-8"))["lessons"]
    assert list(german) == [x["name"] for x in english]
    for entry in english:
        de = german[entry["name"]]
        assert set(de["steps"]) == {s["name"] for s in entry["steps"]}, entry["name"]
        pairs = [(entry[k], de[k]) for k in ("title", "intro", "end")]
        pairs += [(s[k], de["steps"][s["name"]][k]) for s in entry["steps"]
                  for k in ("task", "hint", "explain") if k in s]
        for en, text in pairs:
            assert text.strip() and sorted(PLACEHOLDER.findall(en)) == \
                sorted(PLACEHOLDER.findall(text)), (en, text)
            refs = re.findall(r"RFC \d+(?: §[\d.]+)?", en)
            for term in ("EHLO", "MAIL FROM", "RCPT TO", "DATA", "QUIT", "STARTTLS", "AUTH",
                         "MUA", "MSA", "MTA", "MDA", "MX", *refs):
                if term in en:
                    assert term in text, (term, text)
    i18n.set_language("de")
    assert lessons.lesson(3).title == "Der erste Dialog"
    assert "Lektionen" in lessons.listing()


def test_the_list_and_an_unknown_lesson() -> None:
    text = lessons.listing()
    assert [line.split("  ")[1] for line in text.splitlines()[1:]] == [
        "1", "2", "3", "4", "5", "6"]
    for n, title in [(1, "Who is who"), (2, "Which server?"), (3, "The first dialog (6 steps)"),
                     (4, "Reply codes"), (5, "STARTTLS and AUTH"), (6, "The Received chain")]:
        assert f"  {n}  {title}" in text
    with pytest.raises(ValueError, match="no lesson 9"):
        lessons.lesson(9)


@pytest.mark.parametrize(("doc", "lang"), [("tutorial.md", "en"), ("de/tutorial.md", "de")])
def test_the_tutorials_list_the_lessons_as_smtpsh_does(doc: str, lang: str) -> None:
    i18n.set_language(lang)
    text = (ROOT / "docs" / doc).read_text(encoding="utf-8")
    assert f"```text\n{lessons.listing()}\n```" in text


def test_the_reference_names_every_lesson_in_its_order() -> None:
    text = (ROOT / "docs" / "reference.md").read_text(encoding="utf-8")
    section = text.partition("#### Lessons\n")[2].partition("\n#### ")[0]
    rows = re.findall(r"^\| (\d) \| ([^|]+) \|", section, re.MULTILINE)
    assert [(int(n), title.strip()) for n, title in rows] == [
        (x.number, x.title) for x in lessons.lessons("en")]
    assert "| `:answer TEXT` |" in text and "| `--lesson [N]` |" in text


async def test_the_first_dialog_through_the_shell_each_step_marked_done(drive, tmp_path) -> None:  # noqa: F811
    box = sandbox_for(3, tmp_path / "box")
    try:
        d: Driver = drive()
        tutor = lessons.start(3, d.shell.session, box, d.shell)
        toolbar = d.shell.prompt.bottom_toolbar
        assert callable(toolbar)
        assert "lesson 3 · step 1/6: greet the server" in toolbar()[0][1]
        d.start("127.0.0.1", box.port)
        expected = ["greet", "sender", "recipient", "data", "message", "quit"]
        lines = [("EHLO me.example", 1), ("RCPT TO:<bob@example.org>", 1),  # a wrong try
                 ("MAIL FROM:<alice@example.org>", 2), ("RCPT TO:<bob@example.org>", 3),
                 ("DATA", 4), ("Subject: Hallo", 4), ("", 4), ("hi", 4), (".", 5),
                 ("QUIT", 6)]
        for line, done in lines:
            await d.line(line)
            assert tutor.done == expected[:done], (line, d.screen())
            if done < 6:
                assert f"step {done + 1}/6" in toolbar()[0][1]
        await d.send("\x04")
        await d.finish()
    finally:
        box.stop()
    screen = d.screen()
    for n in range(1, 7):
        assert f"step {n}/6 done" in screen
    assert "not this step yet: the address goes in angle brackets" in screen
    assert "lesson 3 done: 6 of 6 steps, 1 tries that did not count" in screen
    assert tutor.finished and tutor.tries == 1


async def test_reply_codes_a_refusal(drive, tmp_path) -> None:  # noqa: F811
    box = sandbox_for(4, tmp_path / "box")
    try:
        d: Driver = drive()
        tutor = lessons.start(4, d.shell.session, box, d.shell)
        d.start("127.0.0.1", box.port)
        for line in ["EHLO me.example", "MAIL FROM:<alice@example.org>",
                     "RCPT TO:<bob@example.org>",  # accepted, but not what step 3 asks
                     "RCPT TO:bob@example.org", "RCPT TO:<nobody@example.org>",
                     "RCPT TO:<bob@example.org>", "QUIT"]:
            await d.line(line)
        assert tutor.finished and tutor.tries == 1, d.screen()
        await d.send("\x04")
        await d.finish()
    finally:
        box.stop()


async def test_starttls_and_auth(drive, tmp_path) -> None:  # noqa: F811
    box = sandbox_for(5, tmp_path / "box")
    try:
        d: Driver = drive()
        d.shell.session.options = lessons_tls(d.shell.session.options, box)
        d.shell._base_options = d.shell.session.options
        d.shell.session.credentials = dict(box.credentials)
        tutor = lessons.start(5, d.shell.session, box, d.shell)
        d.start("127.0.0.1", box.port)
        for line in ["EHLO me.example", "STARTTLS"]:
            await d.line(line)
        assert tutor.done == ["greet", "starttls"], d.screen()
        for line in ["EHLO me.example", "AUTH PLAIN", "MAIL FROM:<demo@example.org>",
                     "RCPT TO:<bob@example.org>", "DATA", "Subject: Hallo", "", "hi", "."]:
            await d.line(line)
        assert tutor.finished, d.screen()
        await d.send("\x04")
        await d.finish()
    finally:
        box.stop()


def lessons_tls(options, box: Sandbox):
    from dataclasses import replace

    return replace(options, tls=replace(options.tls, cafile=box.cafile))


# --- the terms ------------------------------------------------------------------------------


def test_answers_are_compared_without_case_punctuation_or_the_wrong_word() -> None:
    steps = {s.name: s for s in lessons.lesson(1).steps}
    assert steps["mua"].right("MUA") and steps["mua"].right("the MUA (Mail User Agent)")
    assert steps["mua"].right("  mail-user-agent! ")
    assert not steps["mua"].right("MTA") and not steps["mua"].right("MUA or MTA")
    assert not steps["mua"].right("") and not steps["mua"].right("?")
    assert steps["envelope"].right("Bob") and not steps["envelope"].right("carol, not bob")
    chain = {s.name: s for s in lessons.lesson(6).steps}
    for right in ("2", "#2", "hop 2", "Nr. 2", "the one from rapidmail"):
        assert chain["longest"].right(right), right
    for wrong in ("12", "11", "1", "22", "hop 3"):
        assert not chain["longest"].right(wrong), wrong
    defer = {s.name: s for s in lessons.lesson(2).steps}["defer"]
    for right in ("defer", "it defers it", "try again later", "keep it in the queue",
                  "später nochmal", "zurückstellen"):
        assert defer.right(right), right
    for wrong in ("bounce", "bounce it", "zurückschicken"):
        assert not defer.right(wrong), wrong


async def test_terms_answered_then_envelope_and_header_on_the_wire(drive, tmp_path) -> None:  # noqa: F811
    box = sandbox_for(1, tmp_path / "box")
    try:
        d: Driver = drive()
        tutor = lessons.start(1, d.shell.session, box, d.shell)
        d.start("127.0.0.1", box.port)
        steps = [s.name for s in tutor.lesson.steps]
        lines = [(":answer MTA", 0),  # wrong: not counted
                 ("EHLO me.example", 0),  # the wire, while a question is asked: nothing
                 (":answer the MUA", 1), (":answer MSA (submission)", 2),
                 (":answer mail transfer agent", 3), (":answer MDA", 4),
                 (":answer MX", 5),
                 (":answer bob", 5),  # a step on the wire: :answer does not do it
                 ("EHLO me.example", 6), ("MAIL FROM:<alice@example.org>", 7),
                 ("RCPT TO:<bob@example.org>", 8), ("DATA", 9),
                 ("To: carol@example.org", 9), ("", 9), ("hi", 9), (".", 10),
                 (":answer carol", 10),  # wrong: the header, not the envelope
                 (":answer bob", 11)]
        for line, done in lines:
            await d.line(line)
            assert tutor.done == steps[:done], (line, d.screen())
        await d.send("\x04")
        await d.finish()
    finally:
        box.stop()
    screen = d.screen()
    assert "not quite: the User writes: the Mail User Agent" in screen
    assert "this step is done on the wire, not with :answer: now you are the client" in screen
    assert "not quite: read the sandbox's note" in screen
    assert "right: bob. Servers deliver to the envelope" in screen
    assert "lesson 1 done: 11 of 11 steps, 3 tries that did not count" in screen
    assert tutor.tries == 3


async def test_answer_and_lesson_outside_a_lesson_are_one_line(drive, server) -> None:  # noqa: F811
    d: Driver = drive()
    d.start(*server)
    await d.line(":answer MTA")
    await d.line(":lesson")
    await d.send("\x04")
    await d.finish()
    assert ":answer answers a lesson's question: smtpsh --lesson lists the lessons" in \
        d.screen()
    assert ":lesson shows the task and hint of a lesson" in d.screen()


# --- server selection -----------------------------------------------------------------------


def test_the_lesson_dns_server_answers_its_zone_and_remembers_the_questions() -> None:
    import dns.message
    import dns.query
    import dns.rcode

    zone = lessons.lesson(2).dns
    server = LessonDns(zone)
    server.start()
    try:
        def ask(name: str, rdtype: str) -> dns.message.Message:
            return dns.query.udp(dns.message.make_query(name, rdtype), "127.0.0.1",
                                 port=server.port, timeout=5)

        mx = ask("Example.ORG.", "MX")
        assert mx.rcode() == dns.rcode.NOERROR and sorted(
            r.to_text().lower() for r in mx.answer[0]) == ["10 mx1.example.org.",
                                                       "20 mx2.example.org."]
        assert ask("mx2.example.org", "AAAA").answer == []  # NODATA
        assert ask("nowhere.example", "A").rcode() == dns.rcode.NXDOMAIN
        assert server.answer(b"\x00garbage") is None
        assert server.asked("MX example.org") and server.asked("a NOWHERE.example.")
        assert not server.asked("MX example.net")
    finally:
        server.close()
    assert server._thread is None and server._sock is None


async def test_server_selection_found_through_the_lessons_dns(drive, tmp_path) -> None:  # noqa: F811
    box = sandbox_for(2, tmp_path / "box")
    try:
        d: Driver = drive()
        tutor = lessons.start(2, d.shell.session, box, d.shell)
        assert tutor.dns is not None
        assert d.shell.settings.nameserver == tutor.dns.nameserver
        d.start("", 0)  # the lesson starts unconnected
        steps = [s.name for s in tutor.lesson.steps]
        lines = [(":answer mx1", 0),  # step 1 is done on the wire: a try
                 (":mx example.org", 1), (":answer mx2", 1), (":answer MX1", 2),
                 (f":connect 127.0.0.1 {box.port}", 2),  # straight there: not the MTA's way
                 (":mx example.org connect", 3), (":mx example.net", 4),
                 (":answer bounce it", 4), (":answer defer it", 5), ("QUIT", 6)]
        for line, done in lines:
            await d.line(line)
            assert tutor.done == steps[:done], (line, d.screen())
        await d.send("\x04")
        await d.finish()
    finally:
        box.stop()
        tutor.close()
    assert tutor.dns is None
    screen = d.screen()
    assert re.search(r"try mx1\.example\.org \[::1\]:\d+: failed", screen), screen
    assert "Connected to mx2.example.org (127.0.0.1)" in screen
    # what the tutor says comes after the command's output: the plan, then "done"
    assert screen.index("try mx2.example.org [127.0.0.1]") < screen.index("step 3/6 done")
    assert "not this step yet: not :connect with an address" in screen
    assert "lesson 2 done: 6 of 6 steps, 4 tries that did not count" in screen


# --- the Received chain ---------------------------------------------------------------------


async def test_the_received_chain_own_message_then_the_talks_12_hops(drive, tmp_path) -> None:  # noqa: F811
    box = sandbox_for(6, tmp_path / "box")
    try:
        d: Driver = drive()
        d.shell.session.options = lessons_tls(d.shell.session.options, box)
        d.shell._base_options = d.shell.session.options
        d.shell.sandbox = box
        tutor = lessons.start(6, d.shell.session, box, d.shell)
        d.start("127.0.0.1", box.port)
        for line in ["EHLO me.example", "STARTTLS", "EHLO me.example",
                     "MAIL FROM:<alice@example.org>", "RCPT TO:<bob@example.org>", "DATA",
                     "Subject: Hallo", "", "hi", ".", "QUIT"]:
            await d.line(line)
        assert tutor.done == ["greet", "starttls", "message", "quit"], d.screen()
        for line, done in [(":show 2", 4),  # no such message: a try
                           (":show 1", 5), (":answer 12", 5), (":answer hop 2", 6),
                           (":answer spam", 6), (":answer Greylisting", 7)]:
            await d.line(line)
            assert len(tutor.done) == done, (line, d.screen())
        assert tutor.finished and tutor.tries == 3
        await d.send("\x04")
        await d.finish()
    finally:
        box.stop()
    screen = d.screen()
    assert "me.example (localhost) [127.0.0.1]" in screen  # :show 1
    # the chain to read is shown as it is (raw), not the table that names the slowest hop
    assert "X-Greylist: delayed 898 seconds by postgrey-1.34 at rootbox" in screen
    assert "slowest" not in screen
    assert "right: hop 2, from r19.mail3.rapidmail.de" in screen
    assert "smtpsh --received " + str(tmp_path / "box" / "0001.eml") in screen


# --- as a learner: smtpsh --lesson N under a pseudo-terminal ------------------------------


class Learner:
    """`python -m smtpsh ARGS` (this checkout) in a pseudo-terminal; `say` types a line at the
    prompt and waits for what should follow on the screen (ANSI codes removed)."""

    ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b[()][0-9A-Za-z]|\x1b[=>78]|\r")
    PROMPT = r"(?m)^ *(smtp( [^\n]*)?|data)>"

    def __init__(self, tmp_path: Path, *args: str, lang: str = "C.UTF-8") -> None:
        env = {k: v for k, v in os.environ.items() if k not in ("LC_ALL", "LC_MESSAGES")}
        env.update(LANG=lang, PYTHONPATH=str(ROOT), NO_COLOR="1", TERM="xterm-256color",
                   PROMPT_TOOLKIT_NO_CPR="1", HOME=str(tmp_path),
                   XDG_CONFIG_HOME=str(tmp_path / "cfg"), XDG_STATE_HOME=str(tmp_path / "state"))
        self.child = pexpect.spawn(sys.executable, ["-m", "smtpsh", *args], env=env,
                                   encoding="utf-8", timeout=20, dimensions=(40, 160), cwd=ROOT)
        self.raw = ""
        self.pos = 0  # in the text: where the next expect starts

    @property
    def text(self) -> str:
        return self.ANSI.sub("", self.raw)

    def expect(self, pattern: str) -> None:
        deadline = time.monotonic() + 20
        while True:
            m = re.compile(pattern).search(self.text, self.pos)
            if m:
                self.pos = m.end()
                return
            assert time.monotonic() < deadline, \
                f"{pattern!r} not on the screen:\n{self.text[self.pos:][-3000:]}"
            try:
                self.raw += self.child.read_nonblocking(65536, timeout=0.05)
            except pexpect.TIMEOUT:
                pass
            except pexpect.EOF:
                deadline = 0

    def say(self, line: str, *then: str) -> None:
        self.expect(self.PROMPT)
        self.child.send(line + "\r")
        for pattern in then:
            self.expect(pattern)

    def leave(self) -> int | None:
        self.child.sendcontrol("d")
        self.child.expect(pexpect.EOF)
        self.child.close()
        return self.child.exitstatus


@pytest.fixture
def learner(tmp_path: Path) -> Iterator[Callable[..., Learner]]:
    made: list[Learner] = []

    def make(*args: str, lang: str = "C.UTF-8") -> Learner:
        made.append(Learner(tmp_path, *args, lang=lang))
        return made[-1]

    yield make
    for one in made:
        one.child.close(force=True)


def test_pty_the_terms_lesson_done_by_a_learner(learner) -> None:
    me = learner("--lesson", "1")
    me.expect(r"lesson 1: Who is who")
    me.expect(r"step 1/11: the program you write and read mail in")
    me.say(":answer MDA", r"not quite: the User writes")
    me.say(":lesson", r"step 1/11: the program you write", r"hint: the User writes",
           r"0 of 11 steps done, 1 tries that did not count")  # asking is not a try
    for n, word in enumerate(["MUA", "MSA", "MTA", "MDA", "MX"], 1):
        me.say(f":answer {word}", rf"step {n}/11 done", rf"right: the {word} ")
    for n, (line, reply) in enumerate([("EHLO me.example", "250 HELP"),
                                       ("MAIL FROM:<alice@example.org>", "250 OK"),
                                       ("RCPT TO:<bob@example.org>", "250 OK"),
                                       ("DATA", "354 ")], 6):
        me.say(line, reply, rf"step {n}/11 done")
    for line in ["To: carol@example.org", "", "hi"]:
        me.say(line)
    me.say(".", r"envelope from <alice@example\.org> to <bob@example\.org>",
           r"step 10/11 done")
    me.say(":answer bob", r"step 11/11 done",
           r"lesson 1 done: 11 of 11 steps, 1 tries that did not count")
    assert me.leave() == 0


def test_pty_server_selection_in_german_through_the_lessons_dns(learner) -> None:
    me = learner("--lesson", "2", lang="de_DE.UTF-8")
    me.expect(r"Lektion 2: Welcher Server\?")
    me.expect(r"Schritt 1/6: frage das DNS nach den Mailservern von example\.org")
    assert "Connected to" not in me.text  # the lesson starts unconnected
    me.say(":mx example.org", r"20 +mx2\.example\.org +127\.0\.0\.1", r"Schritt 1/6 erledigt",
           r"Schritt 2/6: welchen Host versucht ein MTA zuerst")
    me.say(":answer mx2", r"nicht ganz: der niedrigste Präferenzwert kommt zuerst")
    me.say(":answer mx1", r"Schritt 2/6 erledigt", r"richtig: mx1")
    me.say(":mx example.org connect",
           r"versuche mx1\.example\.org \[::1\]:\d+: gescheitert",
           r"220 sandbox\.smtpsh\.test", r"Schritt 3/6 erledigt")
    me.say(":mx example.net", r"implizites MX", r"Schritt 4/6 erledigt")
    me.say(":answer zurückstellen und später noch einmal", r"Schritt 5/6 erledigt",
           r"richtig: er stellt sie zurück")
    me.say("QUIT", r"221 ", r"Lektion 2 geschafft: 6 von 6 Schritten, 1 Versuche")
    assert me.leave() == 0


def test_pty_the_received_chain_lesson_done_by_a_learner(learner, tmp_path) -> None:
    me = learner("--lesson", "6", "--sandbox-dir", str(tmp_path / "box"))
    me.expect(r"step 1/7: greet the server")
    for line, then in [("EHLO me.example", r"step 1/7 done"),
                       ("STARTTLS", r"220 "), ("EHLO me.example", r"step 2/7 done"),
                       ("MAIL FROM:<alice@example.org>", r"250 "),
                       ("RCPT TO:<bob@example.org>", r"250 "), ("DATA", r"354 "),
                       ("Subject: Hallo", ""), ("", ""), ("hi", ""),
                       (".", r"step 3/7 done"), ("QUIT", r"step 4/7 done")]:
        me.say(line, *[then] if then else [])
    me.say(":show 1", r"with ESMTPS", r"step 5/7 done")
    me.expect(r"X-Greylist: delayed 898 seconds")
    me.expect(r"step 6/7: above: the header of a real message with 12 Received lines")
    me.say(":answer 1", r"not quite: read from the bottom up")
    me.say(":answer 2", r"step 6/7 done", r"step 7/7: what held it there")
    me.say(":answer greylisting", r"lesson 6 done: 7 of 7 steps, 1 tries that did not count")
    assert me.leave() == 0


def test_pty_the_first_dialog_done_by_a_learner(learner, tmp_path) -> None:
    me = learner("--lesson", "3", "--sandbox-dir", str(tmp_path / "box"))
    me.expect(r"step 1/6: greet the server")
    me.say("EHLO me.example", r"250 HELP", r"step 1/6 done")
    me.say("RCPT TO:<bob@example.org>", r"503 ", r"not this step yet")  # a wrong try
    for n, (line, reply) in enumerate([("MAIL FROM:<alice@example.org>", "250 "),
                                       ("RCPT TO:<bob@example.org>", "250 "),
                                       ("DATA", "354 ")], 2):
        me.say(line, reply, rf"step {n}/6 done")
    for line in ["Subject: Hallo", "", "hi"]:
        me.say(line)
    me.say(".", r"250 ", r"step 5/6 done")
    me.say("QUIT", r"221 ", r"lesson 3 done: 6 of 6 steps, 1 tries that did not count")
    assert me.leave() == 0


def test_pty_reply_codes_done_by_a_learner(learner, tmp_path) -> None:
    me = learner("--lesson", "4", "--sandbox-dir", str(tmp_path / "box"))
    me.expect(r"step 1/6: greet the server")
    me.say("EHLO me.example", r"step 1/6 done")
    me.say("MAIL FROM:<alice@example.org>", r"step 2/6 done")
    me.say("RCPT TO:bob@example.org", r"501 ", r"step 3/6 done")  # the refusal asked for
    me.say("RCPT TO:<nobody@example.org>", r"550 ", r"step 4/6 done")
    me.say("RCPT TO:<bob@example.org>", r"250 ", r"step 5/6 done")
    me.say("QUIT", r"221 ", r"lesson 4 done: 6 of 6 steps, 0 tries that did not count")
    assert me.leave() == 0


def test_pty_starttls_and_auth_done_by_a_learner(learner, tmp_path) -> None:
    """The learner types AUTH PLAIN and answers the shell's questions with the user and
    password the sandbox printed: the 334 in between is not a wrong try."""
    me = learner("--lesson", "5", "--sandbox-dir", str(tmp_path / "box"))
    me.expect(r"step 1/5: greet the server")
    password = re.search(r"user demo, password (\S+)", me.text)
    assert password, me.text
    me.say("EHLO me.example", r"step 1/5 done")
    me.say("STARTTLS", r"220 ", r"certificate verified", r"step 2/5 done")
    me.say("EHLO me.example", r"250-AUTH LOGIN PLAIN", r"step 3/5 done")
    me.say("AUTH PLAIN", r"334")
    me.expect(r"Username:")
    me.child.send("demo\r")
    me.expect(r"Password for demo:")
    me.child.send(password.group(1) + "\r")
    me.expect(r"235 ")
    me.expect(r"step 4/5 done")
    assert "not this step yet" not in me.text
    for line, reply in [("MAIL FROM:<demo@example.org>", "250 "),
                        ("RCPT TO:<bob@example.org>", "250 "), ("DATA", "354 ")]:
        me.say(line, reply)
    for line in ["Subject: Hallo", "", "hi"]:
        me.say(line)
    me.say(".", r"250 ", r"lesson 5 done: 5 of 5 steps, 0 tries that did not count")
    assert password.group(1) not in me.text.replace(f"password {password.group(1)}", "")
    assert me.leave() == 0
