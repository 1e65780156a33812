"""The whole client against a server that answers arbitrary bytes (hypothesis).

For any replies: no exception escapes the script runner (a Failure is its exit status), no
wait outlives its bound, no raw control byte reaches the output or the transcript, and the
AUTH password shows nowhere. In process, on loopback, so that a few hundred dialogs run in
well under a minute.
"""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smtpsh.exitcodes import Exit
from smtpsh.render import render, to_plain
from smtpsh.script import ScriptInput, ScriptInteraction
from smtpsh.script import run as run_script
from smtpsh.session import ConnectOptions, Output, Session
from smtpsh.transcript import Redactor, Transcript

SECRET = "Fuzz-S3cret-pw!"
SCRIPT = ["EHLO fuzz.test", "AUTH PLAIN", "alice", SECRET, "MAIL FROM:<a@x.test>",
          "RCPT TO:<b@x.test>", "DATA", "Subject: fuzz", "", "body", ".", "NOOP", "QUIT"]
# What may appear on screen: printable text, newlines, and tabs (kept as sent).
_RAW_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\x80-\x9f]")

_LINE = st.one_of(
    st.binary(max_size=80),
    st.sampled_from([b"220 ok", b"250 ok", b"250-multi", b"334 ", b"334 VXNlcm5hbWU6",
                     b"235 2.7.0 ok", b"354 go", b"421 bye", b"535 no", b"999 x", b"000",
                     b"250 \x1b]0;pwned\x07", b"250-\xff\xfe", b"", b"5", b"25"]),
).map(lambda b: b + st_choice_end(b))


def st_choice_end(b: bytes) -> bytes:
    # Most lines end in CRLF; some in a bare LF, some not at all (the next chunk goes on).
    return b"\r\n" if len(b) % 5 else (b"\n" if len(b) % 2 else b"")


REPLIES = st.lists(st.lists(_LINE, max_size=4).map(b"".join), min_size=1, max_size=14)


async def _dialog(replies: list[bytes], transcript_path: Path) -> tuple[str, int]:
    queue = list(replies)

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            writer.write(queue.pop(0) if queue else b"")
            await writer.drain()
            while queue and await reader.readline():
                writer.write(queue.pop(0))
                await writer.drain()
        except (ConnectionError, OSError, asyncio.CancelledError):
            pass  # the client went away, or the dialog is over and the loop closes
        finally:
            writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    shown: list[str] = []

    def sink(event: Output) -> None:
        shown.append(to_plain(render(event)))

    transcript = Transcript(str(transcript_path))
    inp = ScriptInput(lines=SCRIPT)
    session = Session(sink, ConnectOptions(timeout=0.15), transcript, Redactor(),
                      ScriptInteraction(inp, plain_auth=True), {})
    try:
        async with server:
            status = await asyncio.wait_for(
                run_script(session, inp, "127.0.0.1", port), 15)
    finally:
        transcript.close()
    return "\n".join(shown), status


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(REPLIES)
def test_any_server_bytes(tmp_path: Path, replies: list[bytes]) -> None:
    path = tmp_path / "transcript.log"
    path.unlink(missing_ok=True)
    text, status = asyncio.run(_dialog(replies, path))
    assert status in set(Exit)
    logged = path.read_text(encoding="utf-8")
    for where in (text, logged):
        assert not _RAW_CONTROL.search(where), repr(_RAW_CONTROL.search(where))
        assert SECRET not in where
