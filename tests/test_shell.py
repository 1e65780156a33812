"""The real PromptSession in process (pipe input, DummyOutput) against servers on loopback,
plus the pure parts around it: history rule, config file, toolbar, prompt."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from prompt_toolkit.application import create_app_session
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput
from shellfixtures import PASSWORD, USER, aiosmtpd_server, scripted_server

from smtpsh.config import Config, ConfigError, Profile, config_path, load, state_dir
from smtpsh.exitcodes import Exit
from smtpsh.protocol import Dialog, Reply
from smtpsh.render import to_plain
from smtpsh.session import ConnectOptions
from smtpsh.settings import Settings
from smtpsh.shell.history import keep
from smtpsh.shell.repl import Shell
from smtpsh.shell.toolbar import toolbar

TIMEOUT = 10

pytestmark = pytest.mark.usefixtures("home")  # HOME and XDG in tmp_path


async def until(cond: Callable[[], object], what: str) -> None:
    deadline = time.monotonic() + TIMEOUT
    while not cond():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.01)


class _Tee(list):
    """The shell's dialog lines (what :save writes), each also copied to the driver's log."""

    def __init__(self, log: list[str]) -> None:
        super().__init__()
        self.log = log

    def append(self, item: str) -> None:
        super().append(item)
        self.log.append(item)


class Driver:
    """Types into a Shell the way a person does: one line per prompt."""

    task: asyncio.Task[int]

    def __init__(self, shell: Shell, inp) -> None:
        self.shell, self.inp = shell, inp
        # The screen as text: the dialog, plus what the shell's own commands print (which
        # is not part of the dialog :save writes).
        self.log: list[str] = []
        shell.screen.lines = _Tee(self.log)
        shown = shell.screen.out

        def out(text: str) -> None:
            self.log.append(text)
            shown(text)

        shell.screen.out = out  # type: ignore[method-assign]

    def start(self, host: str, port: int) -> None:
        self.task = asyncio.create_task(self.shell.run(host, port))

    async def prompt(self) -> int:
        """Wait for a prompt waiting for input; its number."""
        await until(lambda: self.shell.prompt.app.is_running or self.task.done(), "a prompt")
        assert not self.task.done(), self.screen()
        return self.shell.prompts

    async def send(self, keys: str) -> None:
        """Keys that end this prompt; returns once the shell is at the next one (or done)."""
        n = await self.prompt()
        self.inp.send_text(keys)
        await until(lambda: self.shell.prompts > n or self.task.done(), f"the end of {keys!r}")

    async def line(self, text: str) -> None:
        await self.send(text + "\r")

    async def finish(self) -> int:
        return await asyncio.wait_for(self.task, TIMEOUT)

    def screen(self) -> str:
        return "\n".join(self.log)


@pytest.fixture
def drive() -> Iterator[Callable[..., Driver]]:
    with create_pipe_input() as inp, create_app_session(input=inp, output=DummyOutput()):

        def make(config: Config | None = None, **settings: object) -> Driver:
            s = Settings(color="never", ehlo="me.test", **settings)  # type: ignore[arg-type]
            return Driver(Shell(s, config or Config(), options=ConnectOptions(timeout=5)), inp)

        yield make


async def test_full_dialog_with_dot_stuffing(drive, server, recorder) -> None:
    d = drive()
    d.start(*server)
    for line in ["EHLO me.test", "MAIL FROM:<a@x.test>", "RCPT TO:<b@y.test>", "DATA",
                 "Subject: test", "", ".hidden line", "::colon", "::1 is localhost",
                 "::help me", "::q", "::cl", ":he", ".", "QUIT"]:
        await d.line(line)
    # QUIT closes the connection; the shell stays (Ctrl-D or :quit leaves).
    assert not d.shell.session.connected and not d.task.done()
    await d.send("\x04")
    assert await d.finish() == Exit.OK
    # '::' loses a colon only where the rest would be a command (a name or unique prefix).
    assert recorder.envelopes[0].content == (
        b"Subject: test\r\n\r\n.hidden line\r\n::colon\r\n::1 is localhost\r\n"
        b":help me\r\n:q\r\n::cl\r\n:he\r\n")
    screen = d.screen()
    assert "S: 250-mx.test" in screen and "S: 250 2.0.0 OK queued" in screen
    assert "C: .hidden line" in screen  # kept for :save; on screen the prompt shows it


async def test_history_keeps_commands_but_not_auth_or_bodies(drive, server, home) -> None:
    d = drive()
    d.start(*server)
    for line in ["EHLO me.test", "AUTH PLAIN AGFsaWNlAHMzY3JldA==", "MAIL FROM:<a@x.test>",
                 "RCPT TO:<b@y.test>", "DATA", "secret body line", "."]:
        await d.line(line)
    await d.send("\x1b[A" * 3 + "\r")  # Up x3: DATA, RCPT, MAIL (no body, no ".")
    await d.send("\x04")
    assert await d.finish() == Exit.OK
    assert d.screen().count("C: MAIL FROM:<a@x.test>") == 2
    stored = (state_dir() / "history").read_text()
    assert "EHLO me.test" in stored and "MAIL FROM:<a@x.test>" in stored
    assert "AUTH" not in stored and "AGFsaWNl" not in stored and "secret body" not in stored
    assert (state_dir() / "history").stat().st_mode & 0o077 == 0


async def test_ctrl_c_drops_the_line_and_ctrl_d_quits_politely(drive, server) -> None:
    d = drive()
    d.start(*server)
    await d.send("NOOP\x03")
    await d.send("\x04")
    assert await d.finish() == Exit.OK
    screen = d.screen()
    assert "C: NOOP" not in screen
    assert "C: QUIT" in screen and "S: 221 Bye" in screen


async def test_ctrl_c_in_data_offers_to_end_or_keep(drive, server, recorder) -> None:
    d = drive()
    d.start(*server)
    for line in ["EHLO me.test", "MAIL FROM:<a@x.test>", "RCPT TO:<b@y.test>", "DATA", "one"]:
        await d.line(line)
    await d.send("\x03")
    assert "no way to abort" in d.screen() or "cannot abort" in d.screen()
    await d.send("k")  # keep typing: one key, no Enter
    await d.line("two")
    await d.send("\x03")
    await d.send("e")  # end it now
    assert d.shell.session.dialog.state == "greeted"
    await d.send("\x04")
    assert await d.finish() == Exit.OK
    assert recorder.envelopes[0].content == b"one\r\ntwo\r\n"


async def test_ctrl_c_in_data_is_one_key_and_keep_gives_the_line_back(drive, server,
                                                                      recorder) -> None:
    d = drive()
    d.start(*server)
    for line in ["EHLO me.test", "MAIL FROM:<a@x.test>", "RCPT TO:<b@y.test>", "DATA"]:
        await d.line(line)
    buf = d.shell.prompt.default_buffer
    await d.prompt()
    d.inp.send_text("body")
    await until(lambda: buf.text == "body", "the half-typed line")
    await d.send("\x03")
    n = await d.prompt()
    d.inp.send_text("qz y\x1b[A\t")  # not an answer (nor Up, Tab): ignored, nothing typed
    await asyncio.sleep(0.2)
    assert d.shell.prompts == n and buf.text == ""
    await d.send("k")
    await until(lambda: buf.text == "body", "the line given back")
    await d.line(" line")  # the rest of the line, Enter: it goes out whole
    await d.send("\x03")
    await d.send("\r")  # Enter keeps typing
    await d.line("two")
    await d.send("\x03")
    await d.send("\x1b")  # Escape keeps typing
    await d.line("three")
    await d.send("\x03")
    await d.send("E")  # upper case works
    assert d.shell.session.dialog.state == "greeted" and d.shell.session.connected
    assert recorder.envelopes[0].content == b"body line\r\ntwo\r\nthree\r\n"
    for line in ["MAIL FROM:<a@x.test>", "RCPT TO:<b@y.test>", "DATA", "text"]:
        await d.line(line)
    await d.send("\x03")
    await d.send("x")  # close the connection
    assert not d.shell.session.connected and ":reconnect" in d.screen()
    assert len(recorder.envelopes) == 1
    await d.send("\x04")
    assert await d.finish() == Exit.OK


async def test_tab_completes_a_verb(drive, server) -> None:
    d = drive()
    d.start(*server)
    await d.prompt()
    buf = d.shell.prompt.default_buffer
    d.inp.send_text("eh")
    await until(lambda: buf.complete_state and buf.complete_state.completions, "completions")
    d.inp.send_text("\t")
    await until(lambda: buf.text == "EHLO", "EHLO in the buffer")
    await d.line(" me.test")
    assert "C: EHLO me.test" in d.screen() and "S: 250-mx.test" in d.screen()
    await d.send("\x04")
    await d.finish()


async def test_addresses_used_are_offered_later(drive, server) -> None:
    d = drive()
    d.start(*server)
    await d.line("EHLO me.test")
    await d.line("mail from:<first@x.test>")
    assert list(d.shell.state.addresses) == ["first@x.test"]
    await d.send("\x04")
    await d.finish()


async def test_send_file_streams_a_stuffed_message(drive, server, recorder, tmp_path) -> None:
    body = tmp_path / "msg.eml"
    body.write_bytes(b"Subject: file\n\n.starts with a dot\n.\nend")
    d = drive()
    d.start(*server)
    for line in ["EHLO me.test", "MAIL FROM:<a@x.test>", "RCPT TO:<b@y.test>",
                 f":send {body}"]:
        await d.line(line)
    assert "C: DATA" in d.screen()
    assert recorder.envelopes[0].content == (
        b"Subject: file\r\n\r\n.starts with a dot\r\n.\r\nend\r\n")
    for line in [":help", ":caps", ":explain 250", ":help MAIL"]:
        await d.line(line)
    assert "Shell commands:" in d.screen() and "advertises" in d.screen()
    await d.line(":save " + str(tmp_path / "saved.txt"))
    saved = (tmp_path / "saved.txt").read_text()
    assert "C: MAIL FROM:<a@x.test>" in saved and "S: 250 2.0.0 OK queued" in saved
    # The dialog only: not what :help, :caps and :explain printed.
    assert "Shell commands:" not in saved and "advertises" not in saved
    assert "Syntax:" not in saved
    prefixes = ("C: ", "S: ", "-- ", "!! ", "   = ")
    assert all(line.startswith(prefixes) for line in saved.splitlines()), saved
    await d.line(":quit")
    assert await d.finish() == Exit.OK


async def test_reply_meaning_and_warning_before_sending(drive, server) -> None:
    d = drive()
    d.start(*server)
    await d.line("RCPT TO:<b@y.test>")
    screen = d.screen()
    assert "!! RCPT before HELO/EHLO is out of sequence" in screen
    assert "S: 503" in screen and "   = " in screen  # the one-line meaning under it
    await d.line(":help MAIL")
    assert "MAIL FROM:<reverse-path>" in d.screen()
    # All the knowledge base says, as :explain MAIL: parameters, replies, the RFC.
    assert "SIZE=<bytes>" in d.screen() and "Replies:" in d.screen()
    assert "RFC 5321 §4.1.1.2" in d.screen()
    await d.line(":help quit")  # the verb, not the shell's :quit
    assert "QUIT: SMTP command" in d.screen()
    await d.line(":help :quit")
    assert "say QUIT and leave" in d.screen()
    await d.line(":help")
    assert "Shell commands:" in d.screen() and "SMTP verbs" in d.screen()
    await d.line(":caps")
    assert "no capabilities known" in d.screen()  # no EHLO yet: nothing known
    await d.send("\x04")
    await d.finish()


async def test_no_meaning_when_config_says_so(drive, server) -> None:
    d = drive(Config(explain=False))
    d.start(*server)
    await d.line("RCPT TO:<b@y.test>")
    assert "S: 503" in d.screen() and "   = " not in d.screen()
    await d.send("\x04")
    await d.finish()


async def test_server_speaking_unasked_shows_at_once_then_reconnect(drive) -> None:
    async def script(line: str, writer) -> bool:
        if line == "NOOP":
            writer.write(b"250 2.0.0 ok\r\n")
            await asyncio.sleep(0.2)  # the user is typing again by now
            writer.write(b"421 4.4.2 bad.test idle for too long\r\n")
            return False
        writer.write(b"221 bye\r\n" if line == "QUIT" else b"250 ok\r\n")
        return line != "QUIT"

    server = await scripted_server(script)
    port = server.sockets[0].getsockname()[1]
    d = drive()
    d.start("127.0.0.1", port)
    await d.line("NOOP")
    n = d.shell.prompts
    await until(lambda: "S: 421 4.4.2 bad.test idle for too long" in d.screen(), "the 421")
    assert d.shell.prompts == n  # shown while the prompt waited, not after a new line
    assert ":reconnect" in d.screen()
    assert to_plain(d.shell.message()) == f"smtp 127.0.0.1:{port} closed> "
    await d.line("NOOP")  # not connected: one line, no traceback
    assert "not connected" in d.screen()
    await d.line(":reconnect")
    assert d.screen().count("S: 220 bad.test ESMTP") == 2
    await d.send("\x04")
    assert await d.finish() == Exit.OK
    server.close()


async def test_connection_lost_returns_to_the_prompt(drive) -> None:
    async def script(line: str, writer) -> bool:
        return False  # hang up on the first command, without a word

    server = await scripted_server(script)
    d = drive()
    d.start("127.0.0.1", server.sockets[0].getsockname()[1])
    await d.line("EHLO me.test")
    screen = d.screen()
    assert "connection closed by the server" in screen.lower() and ":reconnect" in screen
    assert "Traceback" not in screen
    await d.line(":quit")
    assert await d.finish() == Exit.OK
    server.close()


async def test_auth_asks_and_nothing_secret_is_kept(drive, recorder) -> None:
    with aiosmtpd_server(recorder, auth=True) as c:
        d = drive()
        d.start(c.hostname, c.port)
        await d.line("EHLO me.test")
        await d.line("AUTH LOGIN")  # the session asks: Username, then Password
        await d.line(USER)
        await d.line(PASSWORD)
        await until(lambda: "S: 235" in d.screen(), "235")
        assert to_plain(d.shell.message()) == f"smtp 127.0.0.1:{c.port} [{USER}]> "
        await d.send("\x04")
        assert await d.finish() == Exit.OK
    stored = (state_dir() / "history").read_text()
    assert "AUTH" not in stored and USER not in stored and PASSWORD not in stored
    assert PASSWORD not in d.screen()


async def test_shell_commands_profile_close_and_unknown(drive, server) -> None:
    host, port = server
    d = drive(Config(profiles={"lab": Profile(host, port, user="bob")}))
    d.start(host, port)
    await d.line(":close")
    assert "C: QUIT" in d.screen() and to_plain(d.shell.message()).endswith(" closed> ")
    await d.line(":connect lab")
    assert d.shell.session.connected and d.shell.session.credentials["user"] == "bob"
    await d.line(":nope")
    assert "unknown command :nope" in d.screen()
    await d.line(":help :sen")  # a unique prefix (":se" is also :server)
    assert ":send FILE" in d.screen()
    await d.line(":cert")
    assert "no TLS on this connection" in d.screen()
    await d.line(":clear")
    await d.line(":q")  # a unique prefix is enough
    assert await d.finish() == Exit.OK


async def test_failed_connect_keeps_the_working_server_for_reconnect(drive, server) -> None:
    dead = await scripted_server(lambda line, w: asyncio.sleep(0, False))
    dead_port = dead.sockets[0].getsockname()[1]
    dead.close()
    await dead.wait_closed()
    host, port = server
    d = drive()
    d.start(host, port)
    await d.line(f":connect 127.0.0.1 {dead_port}")
    screen = d.screen()
    assert "refused" in screen
    assert f":reconnect goes back to {host} port {port}" in screen
    assert (d.shell.state.host, d.shell.state.port) == (host, port)
    assert to_plain(d.shell.message()) == f"smtp {host}:{port} closed> "
    await d.line(":reconnect")
    assert d.shell.session.connected and d.shell.session.port == port
    assert d.screen().count("S: 220 mx.test") == 2
    await d.send("\x04")
    assert await d.finish() == Exit.OK


async def test_connect_failure_is_one_line_and_an_exit_status(drive) -> None:
    server = await scripted_server(lambda line, w: asyncio.sleep(0, False))
    port = server.sockets[0].getsockname()[1]
    server.close()
    await server.wait_closed()
    d = drive()
    d.start("127.0.0.1", port)
    assert await d.finish() == Exit.CONNECT
    assert "refused" in d.screen()


# --- the pure parts ----------------------------------------------------------------------


@pytest.mark.parametrize(("line", "in_data", "after_334", "kept"), [
    ("EHLO me.test", False, False, True),
    ("auth plain AGFsaWNlAHMzY3JldA==", False, False, False),
    ("AUTH LOGIN", False, False, False),
    ("YWxpY2U=", False, True, False),
    ("*", False, True, False),
    (":help", False, True, True),
    ("Subject: hello", True, False, False),
    ("   ", False, False, False),
])
def test_history_rule(line: str, in_data: bool, after_334: bool, kept: bool) -> None:
    assert keep(line, in_data=in_data, after_334=after_334) is kept


def test_config_defaults_without_a_file(tmp_path: Path) -> None:
    assert load(tmp_path / "none.toml") == Config()


def test_config_paths_follow_xdg(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert config_path() == home / "cfg" / "smtpsh" / "config.toml"
    assert state_dir() == home / "state" / "smtpsh"
    monkeypatch.setenv("XDG_STATE_HOME", "relative")  # ignored, as the spec says
    assert state_dir() == home / ".local" / "state" / "smtpsh"


def test_config_profiles(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text('explain = false\n[profiles.work]\nhost = "mail.example.org"\nport = 587\n'
                    'tls = "starttls"\nuser = "alice"\n')
    config = load(path)
    assert config.explain is False and config.history is True
    assert config.profiles["work"] == Profile("mail.example.org", 587, "starttls", "alice")


@pytest.mark.parametrize(("text", "message"), [
    ("colour = 1\n", "unknown setting colour"),
    ("explain = 'yes'\n", "explain must be true or false"),
    ('[profiles.x]\nport = 25\n', "profiles.x.host is missing"),
    ('[profiles.x]\nhost = "h"\ntls = "maybe"\n', "profiles.x.tls must be one of"),
    ("explain = \n", "Invalid value"),
])
def test_config_errors_name_the_problem(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "c.toml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=message):
        load(path)


def test_toolbar_shows_syntax_state_and_limits() -> None:
    d = Dialog(state="greeted", greeted_with_ehlo=True)
    d.capabilities = d.capabilities.from_ehlo(
        Reply(250, ("mx.test", "SIZE 10485760", "8BITMIME", "AUTH PLAIN")))
    text = to_plain(toolbar("mail", d, True, width=200))
    assert "MAIL FROM:<reverse-path>" in text and "server takes: SIZE BODY AUTH" in text
    assert "greeted · no TLS · SIZE 10 MiB · AUTH PLAIN · 8BITMIME" in text
    assert "not connected" in to_plain(toolbar("", d, False))
    assert "EHLO" in to_plain(toolbar("", Dialog(), True))


async def test_guide_explains_rejects_and_explain_command(drive, server) -> None:
    d = drive(guide=True)
    d.start(*server)
    await d.prompt()  # connected and greeted by now
    assert "EHLO" in to_plain(d.shell._toolbar())  # the next step, before anything is typed
    await d.line("RCPT TO:<b@y.test>")
    # aiosmtpd's "503 Error: send HELO first", explained from the state, not the verb
    assert "greet first" in d.screen() and "MAIL FROM before" not in d.screen()
    await d.line(":explain 5.7.26")
    assert "Multiple authentication checks failed" in d.screen()
    await d.line(":explain NOPE")
    assert "!! smtpsh: nothing known about 'NOPE'" in d.screen()
    await d.line(":cert")
    assert "no TLS on this connection" in d.screen()
    await d.send("\x04")
    await d.finish()


async def test_guide_explains_the_command_the_reply_answers(drive, server,
                                                            tmp_path) -> None:
    body = tmp_path / "msg.eml"
    body.write_text("Subject: x\n\nhi\n")
    d = drive(guide=True)
    d.start(*server)
    await d.line("EHLO me.test")
    await d.line(f":send {body}")  # DATA sent by the shell, with no recipient yet
    screen = d.screen()
    assert "S: 503 Error: need RCPT command" in screen
    # Explained as DATA's reply, not as one to EHLO (the last line typed).
    assert "the server wants at least one accepted RCPT TO before DATA" in screen
    await d.send("\x04")
    await d.finish()


def test_typed_tokens_have_readable_ansi_colours() -> None:
    from smtpsh.shell.style import build_style

    style = build_style()
    for cls, colour in [("pygments.name.variable", "ansicyan"),
                        ("pygments.name.attribute", "ansiyellow"),
                        ("pygments.name.builtin", "ansimagenta")]:
        assert style.get_attrs_for_style_str(f"class:{cls}").color == colour
    assert style.get_attrs_for_style_str("class:pygments.keyword").bold
    # Every token the lexer finds in typed commands gets a colour (or bold) of the table.
    from prompt_toolkit.styles.pygments import pygments_token_to_classname
    from pygments.token import Operator, Punctuation, Text

    from smtpsh.lexer import SmtpLexer

    typed = ["MAIL FROM:<a@x.test> SIZE=100 BODY=8BITMIME", "AUTH PLAIN AGFsaWNl",
             ":connect mx.test 587", "RCPT TO:<b@y.test> NOTIFY=NEVER", "VRFY <c@z.test>"]
    for line in typed:
        for token, text in SmtpLexer().get_tokens(line):
            if token in Text or token in Operator or token in Punctuation:
                continue
            attrs = style.get_attrs_for_style_str(f"class:{pygments_token_to_classname(token)}")
            assert attrs.color or attrs.bold, (line, token, text)
            assert not attrs.color or attrs.color.startswith("ansi"), token  # the palette


async def test_the_prompt_leaves_out_pygments_default_colours(drive) -> None:
    d = drive()
    attrs = d.shell.prompt.app._merged_style.get_attrs_for_style_str(
        "class:pygments.name.variable")
    assert attrs.color == "ansicyan"  # not 000080, the default style's dark navy
    attrs = d.shell.prompt.app._merged_style.get_attrs_for_style_str(
        "class:pygments.generic.prompt")
    assert attrs.color == "888888"


def test_double_colon_unescapes_only_commands() -> None:
    from smtpsh.shell.commands import is_command

    assert is_command(":help") and is_command(":he x") and is_command(":q")
    assert not is_command(":1 is localhost") and not is_command(":cl")  # cl: close or clear
    assert not is_command(":") and not is_command("help")


async def test_mx_command_shows_the_plan_and_connects(drive, server) -> None:
    from dnsserver import ZoneServer

    zone = {"example.test": [("MX", "10 dead.example.test."), ("MX", "20 live.example.test.")],
            "dead.example.test": [("A", "127.0.0.2")], "live.example.test": [("A", "127.0.0.1")]}
    with ZoneServer(zone) as dns:
        d = drive(mx=True, port=server[1], nameserver=dns.nameserver, family=2)
        d.start(*server)
        await d.line(":mx user@example.test")
        screen = d.screen()
        assert screen.index("dead.example.test") < screen.index("live.example.test")
        assert "try " not in screen  # the plan only
        await d.line(":mx example.test connect")
        screen = d.screen()
        assert "try dead.example.test [127.0.0.2]" in screen
        assert "try live.example.test [127.0.0.1]" in screen and "connected" in screen
        assert d.shell.state.host == "live.example.test" and d.shell.session.connected
        await d.line("NOOP")
        assert d.screen().count("S: 250") >= 1
        await d.send("\x04")
        await d.finish()


async def test_raw_sends_bytes_as_typed(drive, server) -> None:
    d = drive()
    d.start(*server)
    await d.line(r":raw NOOP\r\n")
    screen = d.screen()
    assert "C: NOOP\\r\\n" in screen and "raw: 6 octets sent exactly as given" in screen
    assert "S: 250" in screen
    await d.send("\x04")
    await d.finish()


async def test_a_pasted_block_runs_as_lines_and_leaves_the_message_open(drive, server,
                                                                        recorder) -> None:
    """A multi-line paste is a little script: each line sent (lockstep here: aiosmtpd does
    not advertise PIPELINING), the message text after DATA's 354, and the data prompt kept
    for what is typed next."""
    d = drive()
    d.start(*server)
    await d.line("EHLO me.test")
    await d.send("\x1b[200~MAIL FROM:<a@x.test>\nRCPT TO:<b@y.test>\nDATA\nSubject: pasted\n"
                 "\n.dot\x1b[201~\r")
    assert d.shell.session.in_data
    screen = d.screen()
    assert "did not advertise PIPELINING" in screen
    assert "C: RCPT TO:<b@y.test>" in screen and "S: 354" in screen
    await d.line("typed after")
    await d.line(".")
    await d.line("QUIT")
    await d.line(":quit")
    assert await d.finish() == Exit.OK
    assert recorder.envelopes[0].content == b"Subject: pasted\r\n\r\n.dot\r\ntyped after\r\n"
