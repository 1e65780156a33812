"""The sandbox: STARTTLS with its own CA, AUTH after TLS with demo credentials."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import time
from collections.abc import Iterator

import pytest

from smtpsh.exitcodes import Exit
from smtpsh.sandbox import CERT_NAMES, Sandbox, free_port, make_certificates


def out(proc: subprocess.CompletedProcess) -> str:
    return proc.stdout.decode() + proc.stderr.decode()


@pytest.fixture
def sandbox(tmp_path) -> Iterator[Sandbox]:
    reports: list[str] = []
    s = Sandbox(reports.append, folder=str(tmp_path / "box"))
    s.start()
    yield s
    s.stop()


def test_describe_says_port_folder_trust_and_credentials(sandbox):
    text = "\n".join(sandbox.describe())
    assert f"port {sandbox.port}" in text and sandbox.folder in text
    assert f"--cafile {sandbox.cafile}" in text and "--insecure" in text
    assert sandbox.credentials["user"] == "demo"
    assert f"user demo, password {sandbox.credentials['password']}" in text
    assert sandbox.cafile == os.path.join(sandbox.folder, "ca.pem")


def test_certificate_verifies_for_each_name(tmp_path):
    ca, cert, key = make_certificates(str(tmp_path))
    assert os.stat(key).st_mode & 0o077 == 0  # the key is private
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(cert, key)
    client = ssl.create_default_context(cafile=ca)
    client.verify_flags |= ssl.VERIFY_X509_STRICT  # as Python 3.13 does by default
    for name in CERT_NAMES:
        assert handshake_in_memory(client, server, name) == "TLSv1.3"


def handshake_in_memory(client: ssl.SSLContext, server: ssl.SSLContext, name: str) -> str:
    """Both sides of a handshake through memory BIOs; raises if verification fails."""
    c_in, c_out, s_in, s_out = (ssl.MemoryBIO() for _ in range(4))
    a = client.wrap_bio(c_in, c_out, server_hostname=name)
    b = server.wrap_bio(s_in, s_out, server_side=True)
    for _ in range(5):
        finished = 0
        for obj in (a, b):
            try:
                obj.do_handshake()
                finished += 1
            except ssl.SSLWantReadError:
                pass
            s_in.write(c_out.read())
            c_in.write(s_out.read())
        if finished == 2:
            return a.version() or "?"
    raise AssertionError("the handshake did not finish")


def test_start_is_fast(tmp_path):
    s = Sandbox(lambda _: None, folder=str(tmp_path))
    t0 = time.perf_counter()
    s.start()
    took = time.perf_counter() - t0
    s.stop()
    assert took < 2, f"sandbox start took {took:.2f} s"


def test_starttls_and_auth_typed_in_a_script(tmp_path):
    """As `printf 'EHLO x\\nSTARTTLS\\n...AUTH PLAIN\\ndemo\\n<pw>\\n' | smtpsh --sandbox`."""
    exe = shutil.which("smtpsh")
    assert exe
    env = dict(os.environ, HOME=str(tmp_path))
    env.pop("SMTPSH_PASSWORD", None)
    proc = subprocess.Popen([exe, "--sandbox", "--sandbox-dir", str(tmp_path / "box")],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=env)
    assert proc.stdout is not None
    seen = b""
    while not (m := re.search(rb"user demo, password (\S+)", seen)):
        line = proc.stdout.readline()
        assert line, seen
        seen += line
    script = f"EHLO x\nSTARTTLS\nEHLO x\nAUTH PLAIN\ndemo\n{m[1].decode()}\nQUIT\n"
    stdout, stderr = proc.communicate(script.encode(), timeout=30)
    text = (seen + stdout).decode()
    assert proc.returncode == Exit.OK, text + stderr.decode()
    assert stderr == b""  # no aiosmtpd log noise on the user's screen
    before, after = text.split("-- TLS ", 1)
    assert "250-STARTTLS" in before and "250-AUTH" not in before
    assert after.startswith("TLSv1.3 ") and "certificate verified for 127.0.0.1" in after
    assert "S: 250-AUTH LOGIN PLAIN" in after and "S: 235 " in after


def test_auth_flag_uses_demo_credentials(smtpsh):
    p = smtpsh("--sandbox", "--starttls", "--auth", "PLAIN", "-c", "MAIL FROM:<a@x.test>",
               "-c", "RCPT TO:<b@y.test>", "-c", "QUIT")
    assert p.returncode == Exit.OK, out(p)
    assert "S: 235 " in out(p) and "authenticated as demo" in out(p)


def test_wrong_password_gets_535_not_silence(smtpsh, sandbox):
    p = smtpsh("--cafile", str(sandbox.cafile), "127.0.0.1", str(sandbox.port),
               input="EHLO x\nSTARTTLS\nEHLO x\nAUTH LOGIN\ndemo\nnot-it\nQUIT\n", timeout=20)
    assert p.returncode == Exit.PERMANENT, out(p)
    assert "S: 535 " in out(p)


def test_other_clients_trust_it_by_name(smtpsh, sandbox):
    p = smtpsh("--starttls", "--cafile", str(sandbox.cafile), "--tls-servername",
               "sandbox.smtpsh.test", "127.0.0.1", str(sandbox.port), "-c", "QUIT")
    assert p.returncode == Exit.OK, out(p)
    assert "certificate verified for sandbox.smtpsh.test" in out(p)
    p = smtpsh("--starttls", "127.0.0.1", str(sandbox.port), "-c", "QUIT")
    assert p.returncode == Exit.TLS and "smtpsh does not trust" in out(p)


def _until_starttls(port: int) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    lines = sock.makefile("rb")
    assert lines.readline().startswith(b"220 ")
    sock.sendall(b"EHLO me.test\r\n")
    while not lines.readline().startswith(b"250 "):
        pass
    sock.sendall(b"STARTTLS\r\n")
    assert lines.readline().startswith(b"220 ")
    return sock


def test_serve_tells_a_failed_client_handshake_in_one_line(tmp_path):
    """`smtpsh --sandbox --serve PORT`: a client that sends STARTTLS then garbage, or hangs
    up, is one line each, not aiosmtpd's traceback."""
    exe = shutil.which("smtpsh")
    assert exe
    port = free_port()
    proc = subprocess.Popen([exe, "--sandbox", "--serve", str(port), "--sandbox-dir",
                             str(tmp_path / "box")], stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env=dict(os.environ, HOME=str(tmp_path)))
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "the sandbox did not start"
                time.sleep(0.05)
        with _until_starttls(port) as garbage:
            garbage.sendall(b"this is not a TLS ClientHello\r\n" * 4)
            garbage.recv(100)  # the sandbox hangs up
        with _until_starttls(port) as quitter:
            quitter_port = quitter.getsockname()[1]
        time.sleep(0.5)
    finally:
        proc.send_signal(signal.SIGINT)
        stdout, stderr = proc.communicate(timeout=10)
    text = stdout.decode() + stderr.decode()
    assert "Traceback" not in text and "TLSSetupException" not in text, text
    failed = [line for line in text.splitlines() if "TLS handshake failed" in line]
    assert len(failed) == 2, text
    assert re.fullmatch(r"-- client 127\.0\.0\.1:\d+: TLS handshake failed: the client did not"
                        r" speak TLS after STARTTLS \(it sent something else\)"
                        r" \(OpenSSL: WRONG_VERSION_NUMBER\)", failed[0]), text
    assert failed[1] == (f"-- client 127.0.0.1:{quitter_port}: TLS handshake failed: the"
                         " client closed the connection during the handshake"), text


def banner_notes(lines: list[str]) -> list[str]:
    """The sandbox's banner notes, each joined again from the lines it was wrapped into."""
    notes: list[str] = []
    for line in lines:
        if line.startswith("-- sandbox: "):
            notes.append(line[3:])
        elif line.startswith("--          ") and notes:
            notes[-1] += " " + line[12:]
    return notes


def test_banner_wraps_between_words_at_80_columns(smtpsh):
    p = smtpsh("--sandbox", "-c", "QUIT", env_extra={"COLUMNS": "80"})
    assert p.returncode == Exit.OK, out(p)
    lines = out(p).splitlines()
    assert max(len(line) for line in lines) <= 80, out(p)
    notes = banner_notes(lines)
    assert len(notes) == 5, out(p)
    assert re.fullmatch(r"sandbox: strict SMTP server on 127\.0\.0\.1 port \d+; messages are"
                        r" saved in \S+", notes[0]), notes
    assert notes[1] == ("sandbox: STARTTLS with a certificate made for this run, for"
                        " localhost, 127.0.0.1, sandbox.smtpsh.test")
    assert re.fullmatch(r"sandbox: to trust it: --cafile \S+/ca\.pem \(smtpsh --sandbox does"
                        r" this itself\), or skip the checks with --insecure", notes[2]), notes
    assert notes[3] == ("sandbox: the folder is removed at exit, messages and all: keep it with"
                        " --sandbox-dir DIR")
    assert re.search(r"(^|\n)-- +user demo, password \w+\n", out(p)), out(p)  # never split
    # To a pipe without COLUMNS, each note is one line, whole.
    whole = smtpsh("--sandbox", "-c", "QUIT", env_extra={"COLUMNS": ""})
    assert "(smtpsh --sandbox does this itself), or skip the checks with --insecure" in out(whole)


def test_record_raw_keeps_each_clients_exact_bytes(tmp_path):
    """--record-raw: what a client sent, byte for byte (bare LF, a lone dot, NUL), a file
    per client: the way to see which smuggling sequences a relay passes on unchanged."""
    import socket

    raw_dir = tmp_path / "raw"
    s = Sandbox(lambda _: None, folder=str(tmp_path / "box"), strict=False,
                record_raw=str(raw_dir))
    s.start()
    sent = (b"EHLO raw.test\r\nMAIL FROM:<a@x.test>\r\nRCPT TO:<b@y.test>\r\nDATA\r\n"
            b"one\n.\nMAIL FROM:<evil@x.test>\r\n\x00.\r\n.\r\nQUIT\r\n")
    try:
        with socket.create_connection(("127.0.0.1", s.port), timeout=5) as c:
            c.recv(1024)  # the greeting
            for line in sent.split(b"\r\n")[:-1]:
                c.sendall(line + b"\r\n")
                if not line.startswith((b"one", b"\x00")):
                    c.recv(4096)
    finally:
        s.stop()
    (f,) = raw_dir.iterdir()
    assert f.name.startswith("client-") and f.read_bytes() == sent
    assert oct(f.stat().st_mode & 0o777) == "0o600"
