"""AUTH end to end: every mechanism against a real aiosmtpd, and no secret left anywhere."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterator

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import MISSING, SMTP, AuthResult, LoginPassword
from conftest import RecordingHandler, free_port

from smtpsh.exitcodes import Exit

USER, PASSWORD = "alice", "Corr3ct-H0rse-Battery"
MECHS = ["PLAIN", "LOGIN", "CRAM-MD5", "XOAUTH2", "OAUTHBEARER"]


def _check(auth_data) -> AuthResult:
    ok = isinstance(auth_data, LoginPassword) and (
        auth_data.login, auth_data.password) == (USER.encode(), PASSWORD.encode())
    return AuthResult(success=ok, handled=False)  # handled=False, else no 535 is sent


class MechServer(SMTP):
    """aiosmtpd plus the mechanisms it lacks, done as their RFCs say."""

    async def auth_CRAM__MD5(self, server, args) -> AuthResult:  # noqa: N802
        challenge = b"<1896.697170952@mx.test>"
        answer = await self.challenge_auth(challenge)
        if answer is MISSING:
            return AuthResult(success=False)
        user, _, digest = answer.decode().partition(" ")
        good = hmac.new(PASSWORD.encode(), challenge, hashlib.md5).hexdigest()
        return AuthResult(success=user == USER and hmac.compare_digest(digest, good),
                          handled=False)

    async def _bearer(self, args, expected: bytes, error_answer: bytes) -> AuthResult:
        blob = base64.b64decode(args[1]) if len(args) > 1 else await self.challenge_auth("")
        if blob is MISSING:
            return AuthResult(success=False)
        if blob == expected:
            return AuthResult(success=True, handled=False)
        reply = await self.challenge_auth(b'{"status":"401"}')
        assert reply == error_answer, reply
        return AuthResult(success=False, handled=False)

    async def auth_XOAUTH2(self, server, args) -> AuthResult:  # noqa: N802
        return await self._bearer(
            args, f"user={USER}\x01auth=Bearer {PASSWORD}\x01\x01".encode(), b"")

    async def auth_OAUTHBEARER(self, server, args) -> AuthResult:  # noqa: N802
        # The host= and port= fields are optional; accept the blob with or without them.
        blob = base64.b64decode(args[1]) if len(args) > 1 else await self.challenge_auth("")
        if blob is MISSING:
            return AuthResult(success=False)
        ok = blob.startswith(f"n,a={USER},".encode()) and blob.endswith(
            f"\x01auth=Bearer {PASSWORD}\x01\x01".encode())
        if not ok:
            assert await self.challenge_auth(b'{"status":"invalid_token"}') == b"\x01"
        return AuthResult(success=ok, handled=False)


class MechController(Controller):
    def factory(self):
        return MechServer(self.handler, **self.SMTP_kwargs)


@pytest.fixture
def auth_server() -> Iterator[Controller]:
    c = MechController(RecordingHandler(), hostname="127.0.0.1", port=free_port(),
                       server_hostname="mx.test", auth_require_tls=False,
                       authenticator=lambda *a: _check(a[-1]))
    c.start()
    yield c
    c.stop()


def _run(smtpsh, port, *args, password=PASSWORD, transcript=None, input=""):
    env_args = ["--transcript", str(transcript)] if transcript else []
    return smtpsh("127.0.0.1", str(port), *env_args, *args, input=input,
                  env_extra={"SMTPSH_PASSWORD": password})


@pytest.mark.parametrize("mech", MECHS)
def test_each_mechanism_good_and_bad(smtpsh, auth_server, mech, tmp_path):
    p = _run(smtpsh, auth_server.port, "--auth", mech, "--user", USER, "-c", "QUIT")
    assert p.returncode == Exit.OK, p.stdout.decode()
    assert "S: 235" in p.stdout.decode() and "-- authenticated as alice" in p.stdout.decode()
    p = _run(smtpsh, auth_server.port, "--auth", mech, "--user", USER, "-c", "QUIT",
             password="wrong-password")
    assert p.returncode == Exit.PERMANENT and "S: 535" in p.stdout.decode()


def test_script_lines_after_auth_are_clear_answers(smtpsh, auth_server):
    p = smtpsh("127.0.0.1", str(auth_server.port),
               input=f"EHLO me.test\nAUTH LOGIN\n{USER}\n{PASSWORD}\nQUIT\n")
    out = p.stdout.decode()
    assert p.returncode == 0, out
    assert "-- challenge: Password" in out and "C: [redacted]" in out
    assert f"C: {base64.b64encode(USER.encode()).decode()}" in out and "-- (alice)" in out


def test_base64_typed_by_hand_is_sent_as_typed(smtpsh, auth_server, tmp_path):
    blob = base64.b64encode(f"\0{USER}\0{PASSWORD}".encode()).decode()
    t = tmp_path / "t.log"
    p = smtpsh("127.0.0.1", str(auth_server.port), "--transcript", str(t),
               "-c", "EHLO me.test", "-c", f"AUTH PLAIN {blob}", "-c", "QUIT")
    assert p.returncode == 0 and "S: 235" in p.stdout.decode()
    assert "C: AUTH PLAIN [redacted]" in p.stdout.decode()
    assert blob not in t.read_text()


def test_cancel_with_star(smtpsh, auth_server):
    p = smtpsh("127.0.0.1", str(auth_server.port), input="EHLO x\nAUTH LOGIN\n*\nQUIT\n")
    out = p.stdout.decode()
    assert "-- AUTH cancelled" in out and "C: *" in out and "S: 501" in out


def test_auth_option_without_password_fails_clearly(smtpsh, auth_server):
    p = smtpsh("127.0.0.1", str(auth_server.port), "--auth", "PLAIN", "--user", USER,
               "-c", "QUIT")
    assert p.returncode == Exit.USAGE
    assert p.stderr.decode().startswith("smtpsh: --auth needs a password")
    assert "C: QUIT" not in p.stdout.decode()


def test_unadvertised_mechanism_warns(smtpsh, auth_server):
    p = smtpsh("127.0.0.1", str(auth_server.port), "-c", "EHLO x", "-c", "AUTH GSSAPI",
               "-c", "QUIT")
    assert "did not advertise the GSSAPI mechanism" in p.stdout.decode()


def test_no_secret_in_any_file_or_on_screen(smtpsh, auth_server, tmp_path):
    """Every mechanism, good and bad: grep all we wrote for the secret in any form."""
    t = tmp_path / "transcript.log"
    screens = []
    for mech in MECHS:
        for pw in (PASSWORD, PASSWORD + "-wrong"):
            p = _run(smtpsh, auth_server.port, "--auth", mech, "--user", USER, "-c", "QUIT",
                     password=pw, transcript=t)
            screens.append(p.stdout.decode() + p.stderr.decode())
        p = smtpsh("127.0.0.1", str(auth_server.port), "--transcript", str(t),
                   input=f"EHLO x\nAUTH {mech}\n{USER}\n{PASSWORD}\nQUIT\n")
        screens.append(p.stdout.decode() + p.stderr.decode())
    b64 = lambda s: base64.b64encode(s.encode()).decode()  # noqa: E731
    forbidden = [PASSWORD, b64(PASSWORD), b64(f"\0{USER}\0{PASSWORD}"),
                 b64(f"user={USER}\x01auth=Bearer {PASSWORD}\x01\x01")]
    written = [t.read_text()] + [
        f.read_text(errors="replace") for f in tmp_path.rglob("*") if f.is_file()]
    for text in written + screens:
        for secret in forbidden:
            assert secret not in text
        assert PASSWORD[:12] not in text
    assert "[redacted]" in written[0]


@pytest.mark.parametrize("mech", ["XOAUTH2", "OAUTHBEARER"])
def test_token_from_file_or_env(smtpsh, auth_server, mech, tmp_path):
    f = tmp_path / "token"
    f.write_text(PASSWORD + "\n")
    p = smtpsh("127.0.0.1", str(auth_server.port), "--auth", mech, "--user", USER,
               "--token-file", str(f), "-c", "QUIT")
    assert p.returncode == Exit.OK and "S: 235" in p.stdout.decode()
    p = smtpsh("127.0.0.1", str(auth_server.port), "--auth", mech, "--user", USER,
               "-c", "QUIT", env_extra={"SMTPSH_TOKEN": PASSWORD})
    assert p.returncode == Exit.OK and PASSWORD not in p.stdout.decode()
    p = smtpsh("127.0.0.1", str(auth_server.port), "--auth", mech, "--user", USER,
               "--token-file", str(tmp_path / "missing"), "-c", "QUIT")
    assert p.returncode == Exit.USAGE
    assert p.stderr.decode().startswith("smtpsh: cannot read --token-file")


def test_script_auth_reads_the_script_even_with_user_option(smtpsh, auth_server):
    """--user is for --auth; a typed AUTH in a script takes its answers from the script."""
    p = smtpsh("127.0.0.1", str(auth_server.port), "--user", "someone-else",
               input=f"EHLO x\nAUTH LOGIN\n{USER}\n{PASSWORD}\nQUIT\n",
               env_extra={"SMTPSH_PASSWORD": "not-this-one"})
    out = p.stdout.decode()
    assert p.returncode == 0, out
    assert "S: 235" in out and PASSWORD not in out and "C: QUIT" in out


def test_auth_option_in_a_script_needs_a_user(smtpsh, auth_server):
    p = smtpsh("127.0.0.1", str(auth_server.port), "--auth", "LOGIN", input="NOOP\n",
               env_extra={"SMTPSH_PASSWORD": PASSWORD})
    assert p.returncode == Exit.USAGE
    assert p.stderr.decode().startswith("smtpsh: --auth needs --user")


def test_lower_case_mechanism_is_sent_upper_case(smtpsh, auth_server):
    p = smtpsh("127.0.0.1", str(auth_server.port),
               input=f"EHLO x\nauth login\n{USER}\n{PASSWORD}\nQUIT\n")
    assert "C: AUTH LOGIN" in p.stdout.decode() and "S: 235" in p.stdout.decode()


def test_a_secret_echoed_by_the_server_is_redacted_everywhere(smtpsh, scripted, tmp_path):
    blob = base64.b64encode(f"\0{USER}\0{PASSWORD}".encode()).decode()

    async def script(r, w, received):
        w.write(b"220 x\r\n")
        await w.drain()
        while line := await r.readline():
            if line.startswith(b"EHLO"):
                w.write(b"250-x\r\n250 AUTH PLAIN\r\n")
            elif line.startswith(b"AUTH"):
                w.write(b"334 \r\n")
            elif line.startswith(b"QUIT"):
                w.write(b"221 bye\r\n")
            else:  # echo the client's line back in the rejection
                w.write(b"535 5.7.8 bad credentials: " + line.strip() + b"\r\n")
            await w.drain()

    srv = scripted(script)
    t = tmp_path / "t.log"
    p = smtpsh("127.0.0.1", str(srv.port), "--transcript", str(t),
               input=f"EHLO x\nAUTH PLAIN\n{USER}\n{PASSWORD}\nQUIT\n")
    for text in (p.stdout.decode(), t.read_text()):
        assert blob not in text and PASSWORD not in text
        assert "535 5.7.8 bad credentials: [redacted]" in text
