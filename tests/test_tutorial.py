"""docs/tutorial.md cannot go stale: its dialogs run against the sandbox, its outputs are checked.

Dialogs are the ```smtp blocks. Each one runs in a fresh `smtpsh --sandbox` in script mode:
the block's `C:` lines are its input, in order (message text included). After a typed
`AUTH LOGIN` or `AUTH PLAIN`, the `C:` lines of the exchange (base64, `[redacted]`) are what
smtpsh prints, not what is typed: the input there is the demo user and the sandbox's password
for this run, read from its banner. The matching rule, after the varying parts (port, sandbox
folder, password, TLS version and cipher) are replaced by placeholders on both sides:

- the `C:` lines smtpsh printed equal the block's, in order (so the redaction is checked too);
- the `S:` lines smtpsh printed equal the block's, in order: every reply code, and the text;
- the `!!` warnings equal the block's, in order;
- the block's `--` notes appear among the printed notes, in order (a block may leave some out,
  such as the sandbox banner);
- the exit status is what the block's replies imply (0, 7 for a 4xx, 8 for a 5xx).

A dialog that types STARTTLS (or AUTH) needs a sandbox that advertises STARTTLS (and prints
demo credentials): without it the block is skipped with a reason, and fails when CI=true.

The ```console blocks that run `smtpsh --explain` or `smtpsh --received` are run too (from the
project root): the lines the block shows must appear in the output, in order.
"""

from __future__ import annotations

import os
import queue
import re
import shlex
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import pytest

ROOT = Path(__file__).resolve().parent.parent
TUTORIAL = ROOT / "docs" / "tutorial.md"
SMTPSH = [sys.executable, "-m", "smtpsh"]
TIMEOUT = 30.0

_FENCE = re.compile(r"^```(\w+)[^\n]*\n(.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)
_AUTH_TYPED = re.compile(r"AUTH\s+(LOGIN|PLAIN)\s*$", re.IGNORECASE)
_PASSWORD = re.compile(r"(?:password|Passwort) (\S+)")  # the German banner: Passwort
# What changes from run to run, as it appears in smtpsh's notes.
_VARYING = [
    (re.compile(r"\b[Pp]ort \d+"), "port <port>"),  # Port in German
    (re.compile(r"\S*smtpsh-sandbox-[A-Za-z0-9_]+"), "<folder>"),
    (re.compile(r"\bpassword \S+"), "password <password>"),
    (re.compile(r"\bTLSv1\.\d \S+"), "<tls version and cipher>"),
]


@dataclass
class Block:
    kind: str  # the info string's first word: smtp, console, text ...
    line: int  # where it starts in the tutorial, for messages
    lines: list[str]

    @property
    def id(self) -> str:
        return f"tutorial.md:{self.line}"


def blocks(kind: str) -> list[Block]:
    text = TUTORIAL.read_text(encoding="utf-8")
    return [Block(m[1], text.count("\n", 0, m.start()) + 1, m[2].splitlines())
            for m in _FENCE.finditer(text) if m[1] == kind]


def stable(line: str, folder: str = "") -> str:
    line = line.rstrip()
    if folder:
        line = line.replace(folder, "<folder>")
    for pattern, placeholder in _VARYING:
        line = pattern.sub(placeholder, line)
    return line


def kind_of(line: str) -> str:
    """C:, S:, -- or !! ('' for anything else); a bare 'C:' is an empty line of message text."""
    line = line.rstrip()
    for mark in ("C:", "S:", "--", "!!"):
        if line == mark or line.startswith(mark + " "):
            return mark
    return ""


def script_of(block: Block, password: str) -> str:
    """What is typed for this dialog: its C: lines, with AUTH answered in clear."""
    typed: list[str] = []
    in_auth = False
    for line in block.lines:
        mark = kind_of(line)
        if mark == "S:" and in_auth and not line[3:].startswith("334"):
            in_auth = False
        if mark != "C:" or in_auth:
            continue
        text = line[3:]
        typed.append(text)
        if _AUTH_TYPED.fullmatch(text.strip()):
            typed += ["demo", password]
            in_auth = True
    return "".join(f"{t}\n" for t in typed)


def expected_exit(block: Block) -> int:
    codes = [line[3] for line in block.lines if kind_of(line) == "S:"]
    return 8 if "5" in codes else 7 if "4" in codes else 0


@dataclass
class Run:
    lines: list[str]
    status: int
    password: str | None
    starttls: bool


def run_sandbox(block: Block, folder: Path, *extra: str) -> Run:
    """`smtpsh --sandbox`, fed the block's input once the sandbox has told its password;
    `extra`: more options (the German tutorial's `--lang de`)."""
    env = {k: v for k, v in os.environ.items() if k not in ("SMTPSH_PASSWORD", "NO_COLOR")}
    proc = subprocess.Popen([*SMTPSH, "--sandbox", "--sandbox-dir", str(folder),
                             "--color", "never", "--timeout", "10", *extra],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True, env=env, cwd=ROOT)
    assert proc.stdin is not None and proc.stdout is not None
    lines: queue.Queue[str | None] = queue.Queue()

    def read(stream: IO[str]) -> None:
        for line in stream:
            lines.put(line.rstrip("\n"))
        lines.put(None)

    reader = threading.Thread(target=read, args=(proc.stdout,), daemon=True)
    reader.start()
    out: list[str] = []
    password = None
    try:
        while True:  # the banner, up to the greeting
            line = lines.get(timeout=TIMEOUT)
            if line is None:
                break
            out.append(line)
            found = _PASSWORD.search(line) if line.startswith("-- sandbox:") else None
            password = found[1] if found else password
            if line.startswith("S: "):
                break
        try:
            proc.stdin.write(script_of(block, password or "no-password-given"))
            proc.stdin.close()
        except BrokenPipeError:  # smtpsh stopped early: its output says why
            pass
        while (line := lines.get(timeout=TIMEOUT)) is not None:
            out.append(line)
        status = proc.wait(timeout=TIMEOUT)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    starttls = any(x.rstrip() in ("S: 250-STARTTLS", "S: 250 STARTTLS") for x in out)
    return Run(out, status, password, starttls)


def needs(block: Block) -> set[str]:
    typed = [line[3:].strip().upper() for line in block.lines if kind_of(line) == "C:"]
    out = set()
    if "STARTTLS" in typed:
        out.add("STARTTLS")
    if any(_AUTH_TYPED.fullmatch(t) for t in typed):
        out.add("AUTH")
    return out


def missing(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true: the tutorial must run in full)")
    pytest.skip(reason)


def of_kind(lines: list[str], marks: tuple[str, ...], folder: str) -> list[str]:
    return [stable(x, folder) for x in lines if kind_of(x) in marks]


def in_order(wanted: list[str], got: list[str]) -> list[str]:
    """The lines of `wanted` not found in `got` in order (an empty list: all there)."""
    rest = iter(got)
    return [w for w in wanted if not any(g == w for g in rest)]


SMTP_BLOCKS = blocks("smtp")


@pytest.mark.parametrize("block", SMTP_BLOCKS, ids=[b.id for b in SMTP_BLOCKS])
def test_dialog(block: Block, tmp_path: Path) -> None:
    run = run_sandbox(block, tmp_path)
    want = needs(block)
    if "STARTTLS" in want and not run.starttls:
        missing("the sandbox does not advertise STARTTLS yet")
    if "AUTH" in want and not run.password:
        missing("the sandbox prints no demo credentials yet")
    folder = str(tmp_path)
    shown = "smtpsh printed:\n" + "\n".join(run.lines)
    for marks in (("C:",), ("S:",), ("!!",)):
        assert of_kind(run.lines, marks, folder) == of_kind(block.lines, marks, folder), shown
    notes = in_order(of_kind(block.lines, ("--",), folder), of_kind(run.lines, ("--",), folder))
    assert not notes, f"notes not printed: {notes}\n{shown}"
    assert run.status == expected_exit(block), shown
    if run.password:  # only the sandbox's banner shows it; AUTH lines say [redacted]
        leaks = [x for x in run.lines if run.password in x and not x.startswith("-- sandbox:")]
        assert not leaks, leaks


@pytest.mark.parametrize("block", SMTP_BLOCKS, ids=[b.id for b in SMTP_BLOCKS])
def test_dialog_lines_are_smtpsh_lines(block: Block) -> None:
    odd = [x for x in block.lines if not kind_of(x)]
    assert not odd, f"{block.id}: lines smtpsh does not print: {odd}"


def test_dot_stuffing_as_the_tutorial_says(tmp_path: Path) -> None:
    """The saved message holds the dotted lines exactly as typed (the server unstuffed them)."""
    block = next(b for b in SMTP_BLOCKS if "C: .hidden in plain sight" in b.lines)
    run_sandbox(block, tmp_path)
    saved = (tmp_path / "0001.eml").read_bytes()
    assert b"\r\n.hidden in plain sight\r\n..two dots\r\n" in saved


def test_the_tutorial_covers_its_topics() -> None:
    typed = {line.upper() for b in SMTP_BLOCKS for line in b.lines if line.startswith("C: ")}
    replies = {line[3:6] for b in SMTP_BLOCKS for line in b.lines if line.startswith("S: ")}
    for verb in ("C: HELO", "C: EHLO", "C: RSET", "C: DATA", "C: STARTTLS", "C: AUTH LOGIN",
                 "C: AUTH PLAIN", "C: QUIT", "C: ."):
        assert any(t.startswith(verb) for t in typed), verb
    assert "C: .HIDDEN IN PLAIN SIGHT" in typed  # a body line starting with a dot
    assert {"220", "250", "354", "334", "235", "503", "221"} <= replies
    text = TUTORIAL.read_text(encoding="utf-8")
    for command in ("smtpsh --explain 550", "smtpsh --explain 5.1.1", "smtpsh --mx --dry-run",
                    "smtpsh --received docs/examples/received-chain.txt"):
        assert command in text, command


CONSOLE_BLOCKS = [b for b in blocks("console")
                  if b.lines and re.match(r"\$ smtpsh --(explain|received) ", b.lines[0])]


def test_console_blocks_found() -> None:
    commands = [b.lines[0] for b in CONSOLE_BLOCKS]
    assert "$ smtpsh --explain 550" in commands
    assert "$ smtpsh --explain 5.1.1" in commands
    assert "$ smtpsh --received docs/examples/received-chain.txt" in commands


@pytest.mark.parametrize("block", CONSOLE_BLOCKS, ids=[b.lines[0][2:] for b in CONSOLE_BLOCKS])
def test_console_output(block: Block) -> None:
    argv = shlex.split(block.lines[0][2:])[1:]
    done = subprocess.run([*SMTPSH, *argv], capture_output=True, text=True, cwd=ROOT,
                          timeout=TIMEOUT, env={**os.environ, "COLUMNS": "200"})
    assert done.returncode == 0, done.stderr
    got = [line.rstrip() for line in done.stdout.splitlines()]
    wanted = [line.rstrip() for line in block.lines[1:] if line.strip()]
    assert not in_order(wanted, got), f"not printed (in this order):\n{done.stdout}"


def test_example_is_the_shared_one() -> None:
    # tests/data/examples holds the project's copy of ../shared/examples.
    shared = ROOT / "tests" / "data" / "examples" / "received-chain.txt"
    assert (ROOT / "docs" / "examples" / "received-chain.txt").read_bytes() == shared.read_bytes()
