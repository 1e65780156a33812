"""Expected replies in dialog files (?250, ?5, ?550 5.1.1, ?250 /regex/): parsing, matching,
and end to end against Postfix and aiosmtpd, lockstep and pipelined."""

from __future__ import annotations

import uuid

import pytest

from smtpsh.exitcodes import Exit
from smtpsh.expect import BadExpectation, Expectation
from smtpsh.protocol import Reply

pytestmark = pytest.mark.timeout(60)


def reply(code: int, *lines: str) -> Reply:
    return Reply(code, lines or ("",))


@pytest.mark.parametrize(("line", "r", "ok"), [
    ("?250", reply(250, "2.0.0 ok"), True),
    ("?2", reply(251, "ok"), True),
    ("?5", reply(450, "later"), False),
    ("?550 5.1.1", reply(550, "5.1.1 <x>: unknown"), True),
    ("?550 5.1.1", reply(550, "5.1.2 bad domain"), False),
    ("?250 /queued as/", reply(250, "2.0.0 Ok: queued as 4Bx"), True),
    ("?250 /queued as/", reply(250, "2.0.0 Ok"), False),
    ("?250|251", reply(251, "will forward"), True),
    ("? 221", reply(221, "bye"), True),
    ("?000", reply(0, "zero"), True),
])
def test_expectations_match(line: str, r: Reply, ok: bool) -> None:
    assert Expectation.parse(line).matches(r) is ok


@pytest.mark.parametrize("line", ["?", "?abc", "?2500", "?250 /[unclosed/", "?250 5.1"])
def test_bad_expectations_say_how_to_write_them(line: str) -> None:
    with pytest.raises(BadExpectation) as exc:
        Expectation.parse(line)
    assert "?" in str(exc.value)


def out(p) -> str:
    return p.stdout.decode() + p.stderr.decode()


def test_an_expected_refusal_is_a_success(smtpsh, smtp_server):
    """aiosmtpd answers RCPT before MAIL with 503: expected, so exit 0."""
    dialog = "?220\nEHLO me.test\n?250\nRCPT TO:<b@x.test>\n?503\nQUIT\n?221\n"
    p = smtpsh("127.0.0.1", str(smtp_server.port), input=dialog)
    assert p.returncode == Exit.OK, out(p)
    assert out(p).count("?? line") == 4


def test_a_failed_expectation_names_the_line_and_the_command(smtpsh, smtp_server):
    dialog = "EHLO me.test\nMAIL FROM:<a@x.test>\n?550\nQUIT\n"
    p = smtpsh("127.0.0.1", str(smtp_server.port), input=dialog)
    assert p.returncode == Exit.EXPECT
    assert "?! line 3: MAIL FROM:<a@x.test>: expected 550, got 250" in out(p)


def test_a_bad_expectation_fails_the_dialog(smtpsh, smtp_server):
    p = smtpsh("127.0.0.1", str(smtp_server.port), input="NOOP\n?25x\n")
    assert p.returncode == Exit.EXPECT
    assert "line 2: cannot read '?25x'" in out(p)


def _postfix_dialog(pf, tag: str) -> str:
    return (f"EHLO client.test\n?250\n"
            f"MAIL FROM:<sender@client.test>\n?250 2.1.0\n"
            f"RCPT TO:<ok-{tag}@{pf.domain}>\n?250 2.1.5\n"
            f"RCPT TO:<nobody-{tag}@elsewhere.test>\n?554 5.7.1 /Relay access denied/\n"
            f"DATA\n?354\n"
            f"Subject: expected {tag}\n\nhello\n.\n?250 /queued as/\n"
            f"QUIT\n?221\n")


@pytest.mark.parametrize("pipeline", [False, True], ids=["lockstep", "pipelined"])
def test_a_dialog_with_expectations_against_postfix(smtpsh, postfix_server, pipeline):
    """Every reply as expected (the relay refusal included): exit 0, each ?-line said ok."""
    tag = uuid.uuid4().hex[:8]
    args = ["--pipeline"] if pipeline else []
    p = smtpsh(*args, postfix_server.host, str(postfix_server.port),
               input=_postfix_dialog(postfix_server, tag))
    text = out(p)
    assert p.returncode == Exit.OK, text
    assert text.count("?? line") == 7 and "?!" not in text


def test_a_changed_server_fails_the_expectation(smtpsh, postfix_server):
    """The same dialog expecting the refused recipient to be accepted: exit 13."""
    tag = uuid.uuid4().hex[:8]
    dialog = _postfix_dialog(postfix_server, tag).replace(
        "?554 5.7.1 /Relay access denied/", "?250")
    p = smtpsh("--pipeline", postfix_server.host, str(postfix_server.port), input=dialog)
    assert p.returncode == Exit.EXPECT
    assert "expected 250, got 554 5.7.1" in out(p)
