"""--replay, --compare and --export end to end: Postfix and aiosmtpd on loopback, and the
exported commands run with swaks, curl, openssl and python."""

from __future__ import annotations

import base64
import os
import shutil
import subprocess
import sys
import time

import pytest
from conftest import PASSWORD, USER

from smtpsh.exitcodes import Exit

pytestmark = pytest.mark.timeout(120)


def out(p) -> str:
    return p.stdout.decode() + p.stderr.decode()


def need(program: str) -> str:
    """The CI installs these (scripts/install-test-deps.sh): missing there is a failure."""
    path = shutil.which(program)
    if path is None:
        msg = f"{program} not installed (run scripts/install-test-deps.sh)"
        if os.environ.get("CI"):
            pytest.fail(msg)
        pytest.skip(msg)
    return path


def dialog(rcpt: str) -> str:
    return (f"EHLO client.test\nMAIL FROM:<sender@client.test>\nRCPT TO:<x@elsewhere.test>\n"
            f"RCPT TO:<{rcpt}>\nDATA\nSubject: replayed\n\n.a dotted line\nbody\n.\nQUIT\n")


@pytest.fixture
def postfix_transcript(smtpsh, postfix_server, tmp_path):
    pf = postfix_server
    t = tmp_path / "postfix.log"
    p = smtpsh(pf.host, str(pf.port), "--transcript", str(t),
               input=dialog(f"replay@{pf.domain}"))
    assert p.returncode == Exit.PERMANENT, out(p)  # the relay denied
    return t


def test_replay_postfix_transcript_against_postfix_and_aiosmtpd(smtpsh, postfix_server,
                                                               postfix_transcript,
                                                               smtp_server, handler):
    pf = postfix_server
    p = smtpsh(pf.host, str(pf.port), "--replay", str(postfix_transcript))
    assert p.returncode == Exit.OK, out(p)
    assert "-- replay: all 8 steps as recorded (code and enhanced code)" in out(p)
    pf.wait_for_messages(2, recipient=f"replay@{pf.domain}")

    p = smtpsh("127.0.0.1", str(smtp_server.port), "--replay", str(postfix_transcript))
    assert p.returncode == Exit.EXPECT, out(p)
    text = out(p)
    assert "!! replay: " in text and " steps differ from " in text
    row = next(x for x in text.splitlines() if "RCPT TO:<x@elsewhere.test>" in x
               and x.startswith("!!"))
    recorded, got = (c.strip() for c in row.split(" | ")[1:])
    assert recorded.startswith("554 5.7.1") and got == "250 OK"
    (env,) = handler.envelopes
    assert env.original_content == b"Subject: replayed\r\n\r\n.a dotted line\r\nbody\r\n"

    # --replay-strict: the queue id differs from one run to the next
    p = smtpsh(pf.host, str(pf.port), "--replay", str(postfix_transcript), "--replay-strict")
    assert p.returncode == Exit.EXPECT and "queued as" in out(p)


def test_replay_plain_dialog_file(smtpsh, smtp_server, handler, tmp_path):
    f = tmp_path / "dialog.txt"
    f.write_text("S: 220 foo.com Simple Mail Transfer Service Ready\nC: EHLO bar.com\n"
                 "S: 250-foo.com greets bar.com\nS: 250 HELP\nC: MAIL FROM:<Smith@bar.com>\n"
                 "S: 250 OK\nC: RCPT TO:<Jones@foo.com>\nS: 250 OK\nC: DATA\n"
                 "S: 354 Start mail input; end with <CRLF>.<CRLF>\nC: Blah blah blah...\n"
                 "C: ...etc. etc. etc.\nC: .\nS: 250 2.0.0 OK\nC: QUIT\n"
                 "S: 221 foo.com Service closing transmission channel\n")
    p = smtpsh("127.0.0.1", str(smtp_server.port), "--replay", str(f))
    assert p.returncode == Exit.OK, out(p)
    assert "replaying" in out(p) and "(dialog, 7 steps)" in out(p)
    (env,) = handler.envelopes
    assert env.original_content == b"Blah blah blah...\r\n...etc. etc. etc.\r\n"
    p = smtpsh("127.0.0.1", str(smtp_server.port), "--replay", str(f), "--replay-strict")
    assert p.returncode == Exit.EXPECT
    (row,) = [x for x in out(p).splitlines() if "the greeting (line 1)" in x]
    assert row.startswith("!!") and "| 220 foo.com Simple" in row and "| 220 mx.test" in row


def test_replay_redacted_password(smtpsh, starttls_server, ca_file, tmp_path):
    t = tmp_path / "auth.log"
    port = str(starttls_server.port)
    p = smtpsh("127.0.0.1", port, "--cafile", ca_file, "--transcript", str(t), input=(
        f"EHLO c.test\nSTARTTLS\nEHLO c.test\nAUTH LOGIN\n{USER}\n{PASSWORD}\nQUIT\n"))
    assert p.returncode == Exit.OK, out(p)
    assert PASSWORD not in t.read_text()
    # No terminal and no SMTPSH_PASSWORD: one line says which line and how.
    p = smtpsh("127.0.0.1", port, "--cafile", ca_file, "--replay", str(t))
    assert p.returncode == Exit.USAGE
    (line,) = [x for x in out(p).splitlines() if "needs" in x]
    assert "the password of AUTH LOGIN" in line and "SMTPSH_PASSWORD" in line
    assert "line " in line and "Connected" not in out(p)
    p = smtpsh("127.0.0.1", port, "--cafile", ca_file, "--replay", str(t),
               env_extra={"SMTPSH_PASSWORD": PASSWORD})
    assert p.returncode == Exit.OK, out(p)
    assert "S: 235" in out(p) and PASSWORD not in out(p)


def test_compare_postfix_and_aiosmtpd(smtpsh, postfix_server, smtp_server):
    pf = postfix_server
    p = smtpsh(pf.host, str(pf.port), "--compare", f"127.0.0.1:{smtp_server.port}",
               input=dialog(f"compare@{pf.domain}"))
    assert p.returncode == Exit.EXPECT, out(p)
    text = out(p)
    rows = [x for x in text.splitlines() if " | " in x]
    assert rows[0].split(" | ")[1].strip() == f"{pf.host}:{pf.port}"
    assert any(x.startswith("!!") and "EHLO keywords only on one side" in x
               and "PIPELINING" in x for x in rows)
    assert any(x.startswith("!!") and "x@elsewhere.test" in x for x in rows)
    assert any(x.startswith("-- ") and "the greeting" in x for x in rows)  # alike
    assert "!! compare: " in text


def _export(smtpsh, fmt: str, port: int, body: str, *extra: str, env=None) -> str:
    p = smtpsh("127.0.0.1", str(port), "--export", fmt, *extra, input=body, env_extra=env)
    assert p.returncode == Exit.OK, out(p)
    assert "C: MAIL FROM" in p.stderr.decode()  # the dialog on stderr, the command on stdout
    return p.stdout.decode()


DIALOG = ("EHLO client.test\nMAIL FROM:<a@client.test>\nRCPT TO:<b@y.test>\n"
          "RCPT TO:<c@y.test>\nDATA\nSubject: exported\n\n.starts with a dot\nend\n.\nQUIT\n")


@pytest.mark.parametrize("fmt", ["swaks", "curl", "python"])
def test_export_runs_and_delivers_the_same_message(smtpsh, smtp_server, handler, tmp_path,
                                                    fmt):
    program = {"swaks": "swaks", "curl": "curl", "python": sys.executable}[fmt]
    if fmt != "python":
        need(program)
    text = _export(smtpsh, fmt, smtp_server.port, DIALOG)
    script = tmp_path / f"repro.{fmt}"
    script.write_text(text)
    cmd = [sys.executable, str(script)] if fmt == "python" else ["sh", str(script)]
    p = subprocess.run(cmd, cwd=tmp_path, capture_output=True, timeout=60, check=False)
    assert p.returncode == 0, text + out(p)
    sent, again = handler.envelopes
    assert (again.mail_from, again.rcpt_tos) == (sent.mail_from, sent.rcpt_tos)
    assert again.original_content == sent.original_content, text


def test_export_openssl_with_starttls_and_auth(smtpsh, starttls_server, handler, ca_file,
                                               tmp_path):
    need("openssl")
    body = (f"EHLO client.test\nSTARTTLS\nEHLO client.test\nAUTH LOGIN\n{USER}\n{PASSWORD}\n"
            + DIALOG.split("\n", 1)[1])
    text = _export(smtpsh, "openssl", starttls_server.port, body, "--cafile", ca_file)
    assert PASSWORD not in text
    lines = [x for x in text.splitlines() if not x.startswith("#")]
    command, typed = lines[0], lines[1:]
    assert command.startswith("openssl s_client -starttls smtp -connect 127.0.0.1:")
    secret = base64.b64encode(PASSWORD.encode()).decode()
    typed = [secret if x.startswith("<printf") else x for x in typed]
    proc = subprocess.Popen([*command.split(), "-CAfile", ca_file], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdin is not None
    time.sleep(1.0)  # the handshake
    for line in typed:  # as a person types: a line at a time
        proc.stdin.write(line.encode() + b"\n")
        proc.stdin.flush()
        time.sleep(0.15)
    try:
        got, err = proc.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        got, err = proc.communicate()
    assert b"235" in got, text + got.decode() + err.decode()
    sent, again = handler.envelopes
    assert again.rcpt_tos == sent.rcpt_tos
    assert again.original_content == sent.original_content
