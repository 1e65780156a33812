"""Lessons (smtpsh --lesson): the data in English and German, and the checker driven through
the real shell (pipe input) against the sandbox: each step marked done from the wire, a wrong
try not counted."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_shell import Driver, drive  # noqa: F401 - the drive fixture

from smtpsh import i18n, lessons
from smtpsh.sandbox import Sandbox
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
            for term in ("EHLO", "MAIL FROM", "RCPT TO", "DATA", "QUIT", "STARTTLS", "AUTH"):
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


async def test_lesson_1_through_the_shell_each_step_marked_done(drive, tmp_path) -> None:  # noqa: F811
    box = sandbox_for(1, tmp_path / "box")
    try:
        d: Driver = drive()
        tutor = lessons.start(1, d.shell.session, box, d.shell)
        toolbar = d.shell.prompt.bottom_toolbar
        assert callable(toolbar)
        assert "lesson 1 · step 1/6: greet the server" in toolbar()[0][1]
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
    assert "lesson 1 done: 6 of 6 steps, 1 tries that did not count" in screen
    assert tutor.finished and tutor.tries == 1


async def test_lesson_2_a_refusal_and_lesson_3_tls_and_auth(drive, tmp_path) -> None:  # noqa: F811
    box = sandbox_for(2, tmp_path / "box")
    try:
        d: Driver = drive()
        tutor = lessons.start(2, d.shell.session, box, d.shell)
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


async def test_lesson_3_starttls_and_auth(drive, tmp_path) -> None:  # noqa: F811
    box = sandbox_for(3, tmp_path / "box")
    try:
        d: Driver = drive()
        d.shell.session.options = lessons_tls(d.shell.session.options, box)
        d.shell._base_options = d.shell.session.options
        d.shell.session.credentials = dict(box.credentials)
        tutor = lessons.start(3, d.shell.session, box, d.shell)
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


async def test_lesson_4_ends_with_the_way_to_read_the_received_chain(drive, tmp_path) -> None:  # noqa: F811
    box = sandbox_for(4, tmp_path / "box")
    try:
        d: Driver = drive()
        d.shell.session.options = lessons_tls(d.shell.session.options, box)
        d.shell._base_options = d.shell.session.options
        tutor = lessons.start(4, d.shell.session, box, d.shell)
        d.start("127.0.0.1", box.port)
        for line in ["EHLO me.example", "STARTTLS", "EHLO me.example",
                     "MAIL FROM:<alice@example.org>", "RCPT TO:<bob@example.org>", "DATA",
                     "Subject: Hallo", "", "hi", ".", "QUIT"]:
            await d.line(line)
        assert tutor.finished, d.screen()
        await d.send("\x04")
        await d.finish()
    finally:
        box.stop()
    assert ":show 1 here, or smtpsh --received " in d.screen()
    assert str(tmp_path / "box" / "0001.eml") in d.screen()
