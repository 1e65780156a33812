"""Hardening: text from the network shown escaped, secret files made private, ordinary
mistakes said in one line (never "internal error"), probes that leave no stray exception."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import ssl
import stat
import subprocess
import sys
from collections.abc import Iterator

import pytest
import trustme
from aiosmtpd.controller import Controller
from conftest import free_port
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from smtpsh.escape import escape, escape_bytes
from smtpsh.exitcodes import Exit

EVIL = "\x1b]0;TITLE\x07"  # would retitle the terminal if printed raw


def out(proc: subprocess.CompletedProcess) -> str:
    return proc.stdout.decode("utf-8", "surrogateescape") + proc.stderr.decode(
        "utf-8", "surrogateescape")


# --- A: one escaping rule ------------------------------------------------------------------


def test_escape_rule():
    assert escape(f"cn{EVIL}x") == "cn\\x1b]0;TITLE\\x07x"
    assert escape("a\tb") == "a\tb" and escape("a\tb", tab=True) == "a\\x09b"
    assert escape("\r\n\x7f\x9b") == "\\x0d\\x0a\\x7f\\x9b"  # C1 CSI too
    assert escape("h\udcff.example") == "h\\xff.example"  # a surrogateescape'd byte
    assert escape("abc\u202edef") == "abc\\u202edef"  # bidi override
    assert escape("bücher.example ✓") == "bücher.example ✓"
    assert escape_bytes(b"ok \xff \x1b") == "ok \\xff \\x1b"


def _evil_certificate(ca: trustme.CA, tmp_path) -> tuple[str, str]:
    """A leaf signed by `ca` whose CN and a SAN name hold ESC ] 0 ; TITLE BEL."""
    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"cn{EVIL}x")]))
        .issuer_name(ca._certificate.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.SubjectAlternativeName(
            [x509.DNSName(f"san{EVIL}.test"), x509.DNSName("localhost")]), critical=False)
        .sign(ca._private_key, hashes.SHA256())
    )
    chain, keyfile = tmp_path / "evil.pem", tmp_path / "evil.key"
    chain.write_bytes(cert.public_bytes(serialization.Encoding.PEM) + ca.cert_pem.bytes())
    keyfile.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                          serialization.PrivateFormat.PKCS8,
                                          serialization.NoEncryption()))
    return str(chain), str(keyfile)


@pytest.fixture
def evil_cn_server(handler, ca, tmp_path) -> Iterator[tuple[Controller, Controller]]:
    """(implicit TLS server, STARTTLS server) presenting the certificate with ESC in it."""
    chain, key = _evil_certificate(ca, tmp_path)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(chain, key)
    tls = Controller(handler, hostname="127.0.0.1", port=free_port(),
                     server_hostname="mx.test", ssl_context=ctx)
    starttls = Controller(handler, hostname="127.0.0.1", port=free_port(),
                          server_hostname="mx.test", tls_context=ctx)
    tls.start()
    starttls.start()
    yield tls, starttls
    tls.stop()
    starttls.stop()


def _no_raw_controls(text: str) -> None:
    assert "\x1b" not in text and "\x07" not in text, repr(text)
    assert "\\x1b]0;TITLE\\x07" in text, text


def test_certificate_card_is_escaped(smtpsh, evil_cn_server, ca_file, tmp_path):
    tls, _ = evil_cn_server
    log = tmp_path / "t.log"
    p = smtpsh("--tls", "--show-cert", "--cafile", ca_file, "--tls-servername", "localhost",
               "--transcript", str(log), "127.0.0.1", str(tls.port), "-c", "QUIT")
    text = out(p)
    assert p.returncode == 0, text
    assert "subject      CN=cn\\x1b]0\\;TITLE\\x07x" in text
    assert "san\\x1b]0;TITLE\\x07.test" in text  # the names line
    _no_raw_controls(text)
    _no_raw_controls(log.read_text())


@pytest.mark.parametrize("mode", ["--tls", "--starttls"])
def test_tls_error_line_is_escaped(smtpsh, evil_cn_server, ca_file, tmp_path, mode):
    tls, starttls = evil_cn_server
    port = tls.port if mode == "--tls" else starttls.port
    log = tmp_path / "t.log"
    p = smtpsh(mode, "--cafile", ca_file, "--tls-servername", "wrong.test",
               "--transcript", str(log), "127.0.0.1", str(port), "-c", "QUIT")
    text = out(p)
    assert p.returncode == Exit.TLS, text
    assert "it holds san\\x1b]0;TITLE\\x07.test, localhost" in text
    _no_raw_controls(text)
    _no_raw_controls(log.read_text())


async def test_mx_plan_names_are_escaped():
    from smtpsh.resolve import AddressAnswer, MXAnswer, MXRecord, plan

    class Evil:
        async def mx(self, domain: str) -> MXAnswer:
            return MXAnswer("ok", (MXRecord(10, f"mx{EVIL}.example"),))

        async def addresses(self, host: str, family: int) -> AddressAnswer:
            return AddressAnswer("ok", ("192.0.2.1",), cname=f"c{EVIL}.example")

    text = (await plan("example.org", Evil(), None)).render()
    assert "\x1b" not in text and "\x07" not in text
    assert "mx\\x1b]0;TITLE\\x07.example" in text and "c\\x1b]0;TITLE\\x07.example" in text


# --- C: ordinary mistakes in one line --------------------------------------------------------


def _one_clean_line(p: subprocess.CompletedProcess, status: int, tmp_path) -> str:
    text = out(p)
    assert p.returncode == status, text
    assert "internal error" not in text and "Traceback" not in text, text
    assert not (tmp_path / "state" / "smtpsh" / "crash.log").exists()
    lines = [line for line in p.stderr.decode("utf-8", "replace").splitlines() if line]
    assert len(lines) == 1, text
    return lines[0]


@pytest.mark.parametrize(("host", "says"), [
    ("a" * 64 + ".example", "a label of 64 characters"),
    ("bad..host", "an empty label"),
    (os.fsencode("h\udcff.example"), "h\\xff.example': it holds bytes that are not UTF-8"),
])
def test_bad_host_is_a_usage_error(smtpsh, tmp_path, host, says):
    p = smtpsh(host, "-c", "QUIT", "--timeout", "3")  # bytes: as argv carries them
    line = _one_clean_line(p, Exit.USAGE, tmp_path)
    assert says in line, line


def test_bad_host_from_a_second_place_is_a_connect_error():
    from smtpsh.transport import Transport, TransportError

    async def go() -> None:
        await Transport.open("bad..host", 25, timeout=2)

    with pytest.raises(TransportError) as err:
        asyncio.run(go())
    assert err.value.exit == Exit.CONNECT and "an empty label" in str(err.value)


# --- B: files that may hold secrets are private ----------------------------------------------


@pytest.fixture
def umask_022() -> Iterator[None]:
    old = os.umask(0o022)  # the usual umask: files 0644 unless the program says otherwise
    yield
    os.umask(old)


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.mark.parametrize("how", ["--keylog", "SSLKEYLOGFILE"])
def test_keylog_is_created_0600(smtpsh, starttls_server, ca_file, tmp_path, umask_022, how):
    keylog = tmp_path / "keys.log"
    args = ["--keylog", str(keylog)] if how == "--keylog" else []
    env = {"SSLKEYLOGFILE": str(keylog)} if how == "SSLKEYLOGFILE" else {}
    p = smtpsh("--starttls", "--cafile", ca_file, *args, "127.0.0.1",
               str(starttls_server.port), "-c", "QUIT", env_extra=env)
    assert p.returncode == 0, out(p)
    assert "CLIENT_TRAFFIC_SECRET" in keylog.read_text() or "CLIENT_RANDOM" in keylog.read_text()
    assert _mode(keylog) == 0o600


def test_transcript_is_created_0600(smtpsh, smtp_server, tmp_path, umask_022):
    log = tmp_path / "t.log"
    p = smtpsh("--transcript", str(log), "127.0.0.1", str(smtp_server.port), "-c", "QUIT")
    assert p.returncode == 0, out(p)
    assert _mode(log) == 0o600 and "warning" not in out(p)


def test_existing_transcript_readable_by_others_is_warned_about(smtpsh, smtp_server, tmp_path):
    log = tmp_path / "t.log"
    log.write_text("")
    log.chmod(0o644)
    p = smtpsh("--transcript", str(log), "127.0.0.1", str(smtp_server.port), "-c", "QUIT")
    assert p.returncode == 0, out(p)
    warnings = [line for line in p.stderr.decode().splitlines() if "readable by others" in line]
    assert warnings == [f"smtpsh: warning: the transcript {log} is readable by others (mode"
                        f" 0644): chmod 600 {log} to keep the dialog private"]
    assert "C: QUIT" in log.read_text()


def test_crash_log_0600_in_a_0700_folder(tmp_path, monkeypatch, umask_022):
    from smtpsh.config import record_crash

    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    try:
        raise RuntimeError("a bug")
    except RuntimeError as exc:
        where = record_crash(exc)
    assert where == tmp_path / "state" / "smtpsh" / "crash.log"
    assert "RuntimeError: a bug" in where.read_text()
    assert _mode(where) == 0o600 and _mode(where.parent) == 0o700


# --- C: a transcript that cannot be written ------------------------------------------------


def test_transcript_on_a_full_disk(smtpsh, smtp_server, tmp_path):
    p = smtpsh("--transcript", "/dev/full", "127.0.0.1", str(smtp_server.port),
               "-c", "EHLO me.example", "-c", "QUIT")
    text = out(p)
    assert p.returncode == Exit.ERROR, text
    assert "internal error" not in text and "Traceback" not in text, text
    assert not (tmp_path / "state" / "smtpsh" / "crash.log").exists()
    assert text.count("cannot write the transcript /dev/full: No space left on device") == 1
    assert "C: QUIT" in text and "S: 221" in text  # the dialog went on to its end


# --- C: standard output that fails, or cannot encode -----------------------------------------


async def _greet_utf8(reader, writer, received):
    writer.write("220 mx.test ESMTP prêt ✓\r\n".encode())
    while line := await reader.readline():
        received.append(line)
        if line.upper().startswith(b"QUIT"):
            writer.write(b"221 2.0.0 bye\r\n")
            await writer.drain()
            return
        writer.write(b"250 ok\r\n")


def _run(args: list[str], tmp_path, **kw) -> subprocess.CompletedProcess:
    """python3 -m smtpsh with its streams set up by `kw` (stdout=..., env additions)."""
    env = dict(os.environ, HOME=str(tmp_path), XDG_STATE_HOME=str(tmp_path / "state"),
               PYTHONPATH=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    env.update(kw.pop("env", {}))
    return subprocess.run([sys.executable, "-m", "smtpsh", *args], env=env,
                          stdin=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=30,
                          check=False, **kw)


def test_ascii_stdout_and_a_utf8_greeting(scripted, tmp_path):
    server = scripted(_greet_utf8)
    p = _run(["127.0.0.1", str(server.port), "-c", "QUIT"], tmp_path,
             stdout=subprocess.PIPE, env={"PYTHONIOENCODING": "ascii"})
    assert p.returncode == 0, p.stderr
    assert b"S: 220 mx.test ESMTP pr\\xeat \\u2713\n" in p.stdout, p.stdout
    assert b"internal error" not in p.stderr and p.stderr == b""
    assert not (tmp_path / "state" / "smtpsh" / "crash.log").exists()


def test_stdout_closed(scripted, tmp_path):
    server = scripted(_greet_utf8)
    p = _run(["127.0.0.1", str(server.port), "-c", "QUIT"], tmp_path,
             stdout=subprocess.DEVNULL, pass_fds=(), preexec_fn=lambda: os.close(1))
    assert p.returncode == Exit.ERROR
    assert p.stderr.decode() == ("smtpsh: standard output is closed: nowhere to show the"
                                 " dialog (send it to /dev/null to run without it)\n")
    assert not (tmp_path / "state" / "smtpsh" / "crash.log").exists()


def test_stdout_on_a_full_disk(scripted, tmp_path):
    server = scripted(_greet_utf8)
    with open("/dev/full", "wb") as full:
        p = _run(["127.0.0.1", str(server.port), "-c", "EHLO me.example", "-c", "QUIT"],
                 tmp_path, stdout=full)
    assert p.returncode == Exit.ERROR, p.stderr
    assert p.stderr.decode() == "smtpsh: cannot write to standard output: No space left on" \
                                " device\n"
    assert not (tmp_path / "state" / "smtpsh" / "crash.log").exists()
    assert server.received[-1].startswith(b"QUIT")  # the dialog went on to its end


# --- D: the no-greeting TLS probe leaves no exception unread ---------------------------------


@pytest.mark.parametrize("answer", [True, False], ids=["answers-plain-text", "silent"])
async def test_tls_probe_leaves_no_exception_unretrieved(scripted, smtps_server, answer):
    import gc

    from smtpsh.transport import fetch_certificate, no_greeting_error

    async def never_greets(reader, writer, received):
        hello = await reader.read(100)  # the probe's ClientHello
        if hello and answer:  # plain text where a TLS record was due: WRONG_VERSION_NUMBER
            writer.write(b"500 5.5.2 syntax error\r\n")
            await writer.drain()
        await asyncio.sleep(2)

    server = scripted(never_greets)
    reports: list[dict] = []
    loop = asyncio.get_running_loop()
    loop.set_exception_handler(lambda _loop, context: reports.append(context))
    try:
        for _ in range(15):
            assert await no_greeting_error("127.0.0.1", server.port, 0.3) is None
            assert await fetch_certificate("127.0.0.1", server.port, None, starttls=False,
                                           timeout=0.3) is None
            gc.collect()  # an unread future reports when it is collected
            await asyncio.sleep(0)
        # the probe still tells a TLS port
        assert await no_greeting_error("127.0.0.1", smtps_server.port, 2) is not None
        gc.collect()
        await asyncio.sleep(0.05)
    finally:
        loop.set_exception_handler(None)
    assert reports == []
