"""docs/de/tutorial.md, the German tutorial, checked like the English one (tests/test_tutorial.py):
its dialogs run against the sandbox, its `smtpsh --lang de --explain` outputs are printed."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
from pathlib import Path

import pytest
from test_tutorial import (
    _FENCE,
    ROOT,
    SMTPSH,
    TIMEOUT,
    Block,
    expected_exit,
    in_order,
    kind_of,
    of_kind,
    run_sandbox,
)

TUTORIAL = ROOT / "docs" / "de" / "tutorial.md"


def blocks(kind: str) -> list[Block]:
    text = TUTORIAL.read_text(encoding="utf-8")
    return [Block(m[1], text.count("\n", 0, m.start()) + 1, m[2].splitlines())
            for m in _FENCE.finditer(text) if m[1] == kind]


SMTP_BLOCKS = blocks("smtp")
CONSOLE_BLOCKS = [b for b in blocks("console")
                  if b.lines and re.match(r"\$ smtpsh --lang de --explain ", b.lines[0])]


def test_the_german_tutorial_has_its_dialogs_and_explanations() -> None:
    assert len(SMTP_BLOCKS) >= 2 and len(CONSOLE_BLOCKS) >= 2
    text = TUTORIAL.read_text(encoding="utf-8")
    assert "## 1. Der klassische Dialog" in text and "MAIL FROM" in text


@pytest.mark.parametrize("block", SMTP_BLOCKS,
                         ids=[f"de/tutorial.md:{b.line}" for b in SMTP_BLOCKS])
def test_dialog(block: Block, tmp_path: Path) -> None:
    odd = [x for x in block.lines if not kind_of(x)]
    assert not odd, f"lines smtpsh does not print: {odd}"
    run = run_sandbox(block, tmp_path, "--lang", "de")  # as the tutorial starts it
    folder = str(tmp_path)
    shown = "smtpsh printed:\n" + "\n".join(run.lines)
    for marks in (("C:",), ("S:",), ("!!",)):
        assert of_kind(run.lines, marks, folder) == of_kind(block.lines, marks, folder), shown
    notes = in_order(of_kind(block.lines, ("--",), folder), of_kind(run.lines, ("--",), folder))
    assert not notes, f"notes not printed: {notes}\n{shown}"
    assert run.status == expected_exit(block), shown


@pytest.mark.parametrize("block", CONSOLE_BLOCKS, ids=[b.lines[0][2:] for b in CONSOLE_BLOCKS])
def test_console_output(block: Block) -> None:
    argv = shlex.split(block.lines[0][2:])[1:]
    env = {k: v for k, v in os.environ.items() if k not in ("LC_ALL", "LC_MESSAGES", "LANG")}
    done = subprocess.run([*SMTPSH, *argv], capture_output=True, text=True, cwd=ROOT,
                          timeout=TIMEOUT, env={**env, "COLUMNS": "200"})
    assert done.returncode == 0, done.stderr
    got = [line.rstrip() for line in done.stdout.splitlines()]
    wanted = [line.rstrip() for line in block.lines[1:] if line.strip()]
    assert not in_order(wanted, got), f"not printed (in this order):\n{done.stdout}"


# Parts 4-8: what the prose of part 5 and part 7 claims beyond the dialogs themselves.

def test_dot_stuffing_as_the_german_tutorial_says(tmp_path: Path) -> None:
    """Part 5's table: the saved message holds the dotted lines exactly as typed."""
    block = next(b for b in SMTP_BLOCKS if "C: .gut versteckt" in b.lines)
    run_sandbox(block, tmp_path, "--lang", "de")
    saved = (tmp_path / "0001.eml").read_bytes()
    assert b"\r\n.gut versteckt\r\n..zwei Punkte\r\n" in saved


def test_the_german_auth_dialogs_never_show_the_password(tmp_path: Path) -> None:
    """Part 7: the German banner names the "Passwort"; only that banner line shows it."""
    dialogs = [b for b in SMTP_BLOCKS if {"C: AUTH LOGIN", "C: AUTH PLAIN"} & set(b.lines)]
    assert len(dialogs) >= 2
    for n, block in enumerate(dialogs):
        folder = tmp_path / str(n)
        folder.mkdir()
        run = run_sandbox(block, folder, "--lang", "de")
        assert run.password, "the German sandbox banner names no password"
        leaks = [x for x in run.lines if run.password in x and not x.startswith("-- sandbox:")]
        assert not leaks, leaks
