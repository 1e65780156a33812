"""TLS end to end: real handshakes on loopback with certificates made by trustme."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import re
import shutil
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Callable, Iterator

import pytest
import trustme
from aiosmtpd.controller import Controller
from conftest import PASSWORD, USER, free_port
from cryptography import x509
from cryptography.hazmat.primitives import hashes

from smtpsh.exitcodes import Exit
from smtpsh.tls import TlsOptions, certificate_card, make_context
from smtpsh.transport import Transport, no_greeting_error

EHLO_STARTTLS = b"250-mx.test\r\n250 STARTTLS\r\n"


def out(proc: subprocess.CompletedProcess) -> str:
    return proc.stdout.decode() + proc.stderr.decode()


def tls_failure(proc: subprocess.CompletedProcess) -> str:
    """The one reason line of a TLS failure; also checks the exit status and no traceback."""
    text = out(proc)
    assert proc.returncode == Exit.TLS, text
    assert "Traceback" not in text, text
    reasons = {line for line in text.splitlines()
               if line.startswith(("!! TLS: ", "!! no greeting: "))}
    assert len(reasons) == 1, text
    return reasons.pop()


def server_context(cert: trustme.LeafCert) -> ssl.SSLContext:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    cert.configure_cert(ctx)
    return ctx


@pytest.fixture
def serve(handler) -> Iterator[Callable[..., Controller]]:
    """Start aiosmtpd with any TLS setup: serve(tls_context=...) or serve(ssl_context=...)."""
    started: list[Controller] = []

    def start(**kw) -> Controller:
        c = Controller(handler, hostname="127.0.0.1", port=free_port(),
                       server_hostname="mx.test", **kw)
        c.start()
        started.append(c)
        return c

    yield start
    for c in started:
        c.stop()


# --- success -------------------------------------------------------------------------------


def test_starttls_flag_verified_with_cafile(smtpsh, starttls_server, ca_file):
    p = smtpsh("--starttls", "--cafile", ca_file, "127.0.0.1", str(starttls_server.port),
               "-c", "QUIT")
    text = out(p)
    assert p.returncode == Exit.OK, text
    assert re.search(r"^-- TLS TLSv1\.3 \S+; certificate verified for 127\.0\.0\.1$", text,
                     re.M), text
    before, after = text.split("-- TLS ", 1)
    assert "250-STARTTLS" in before and "AUTH" not in before
    assert "S: 250-AUTH LOGIN PLAIN" in after


def test_typed_starttls_then_auth_after_tls(smtpsh, starttls_server, ca_file):
    script = f"EHLO me.test\nSTARTTLS\nEHLO me.test\nAUTH LOGIN\n{USER}\n{PASSWORD}\nQUIT\n"
    p = smtpsh("--cafile", ca_file, "127.0.0.1", str(starttls_server.port), input=script)
    text = out(p)
    assert p.returncode == Exit.OK, text
    before, after = text.split("-- TLS TLSv1.3 ", 1)
    assert "AUTH" not in before.replace("C: AUTH", "")
    assert "certificate verified for 127.0.0.1" in after.splitlines()[0]
    assert "send EHLO again" in after
    assert "S: 250-AUTH LOGIN PLAIN" in after and "S: 235" in after
    assert PASSWORD not in text


def test_implicit_tls(smtpsh, smtps_server, ca_file):
    p = smtpsh("--tls", "--cafile", ca_file, "127.0.0.1", str(smtps_server.port),
               "-c", "EHLO me.test", "-c", "QUIT")
    text = out(p)
    assert p.returncode == Exit.OK, text
    lines = text.splitlines()
    tls = next(i for i, x in enumerate(lines) if x.startswith("-- TLS "))
    greeting = next(i for i, x in enumerate(lines) if x.startswith("S: 220"))
    assert tls < greeting and "certificate verified for 127.0.0.1" in lines[tls]


def test_insecure_is_shown_as_unverified(smtpsh, smtps_server):
    p = smtpsh("--tls", "--insecure", "127.0.0.1", str(smtps_server.port), "-c", "QUIT")
    assert p.returncode == Exit.OK, out(p)
    assert "certificate NOT verified (--insecure)" in out(p)


def test_client_certificate(smtpsh, serve, ca, ca_file, tmp_path):
    ctx = server_context(ca.issue_cert("127.0.0.1"))
    ctx.verify_mode = ssl.CERT_REQUIRED
    ca.configure_trust(ctx)
    c = serve(ssl_context=ctx)
    client = ca.issue_cert("client.test")
    cert, key = tmp_path / "client.pem", tmp_path / "client.key"
    client.cert_chain_pems[0].write_to_path(str(cert))
    client.private_key_pem.write_to_path(str(key))
    p = smtpsh("--tls", "--cafile", ca_file, "--cert", str(cert), "--key", str(key),
               "127.0.0.1", str(c.port), "-c", "EHLO me.test", "-c", "QUIT")
    assert p.returncode == Exit.OK, out(p)


def test_client_certificate_missing(smtpsh, ca, ca_file, tmp_path):
    # openssl s_server, because it sends the TLS alert that asyncio servers leave unsent.
    pem = tmp_path / "server.pem"
    ca.issue_cert("127.0.0.1").private_key_and_cert_chain_pem.write_to_path(str(pem))
    port = free_port()
    server = subprocess.Popen(
        ["openssl", "s_server", "-quiet", "-accept", f"127.0.0.1:{port}", "-cert", str(pem),
         "-Verify", "1", "-CAfile", ca_file], stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_port(port)
        p = smtpsh("--tls", "--cafile", ca_file, "127.0.0.1", str(port), "-c", "QUIT")
        assert "wants a client certificate it trusts: give --cert" in tls_failure(p)
    finally:
        server.kill()
        server.wait()


def wait_for_port(port: int, seconds: float = 5) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


# --- failures: one line each, exit 6 -------------------------------------------------------


def test_unknown_issuer(smtpsh, starttls_server):
    reason = tls_failure(smtpsh("--starttls", "127.0.0.1", str(starttls_server.port)))
    assert "issuer smtpsh does not trust (OU=Testing CA" in reason
    assert "--cafile" in reason and "--insecure" in reason


def test_self_signed(smtpsh, serve, tmp_path):
    # A CA's own certificate is self-signed: serve it as the server's certificate.
    other = trustme.CA()
    other.cert_pem.write_to_path(str(tmp_path / "c.pem"))
    other.private_key_pem.write_to_path(str(tmp_path / "k.pem"))
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(tmp_path / "c.pem", tmp_path / "k.pem")
    c = serve(tls_context=ctx)
    reason = tls_failure(smtpsh("--starttls", "127.0.0.1", str(c.port)))
    assert "self-signed (OU=Testing CA" in reason and "--cafile" in reason


@pytest.mark.parametrize("mode", ["--starttls", "--tls"])
def test_name_mismatch_names_what_the_certificate_holds(smtpsh, starttls_server, smtps_server,
                                                       ca_file, mode):
    port = starttls_server.port if mode == "--starttls" else smtps_server.port
    p = smtpsh(mode, "--cafile", ca_file, "--tls-servername", "wrong.test", "127.0.0.1",
               str(port))
    reason = tls_failure(p)
    assert "not valid for 'wrong.test': it holds localhost, mx.test, 127.0.0.1;" in reason
    assert "--tls-servername" in reason


def test_expired(smtpsh, serve, ca, ca_file):
    now = dt.datetime.now(dt.UTC)
    cert = ca.issue_cert("127.0.0.1", not_before=now - dt.timedelta(days=30),
                         not_after=now - dt.timedelta(days=3))
    c = serve(tls_context=server_context(cert))
    reason = tls_failure(smtpsh("--starttls", "--cafile", ca_file, "127.0.0.1", str(c.port)))
    day = (now - dt.timedelta(days=3)).strftime("%Y-%m-%d")
    assert f"expired on {day}" in reason and "(3 days ago)" in reason


def test_tls_on_a_plain_port(smtpsh, smtp_server, ca_file):
    reason = tls_failure(smtpsh("--tls", "--cafile", ca_file, "127.0.0.1",
                                str(smtp_server.port)))
    assert "speaks plain SMTP first: use STARTTLS" in reason


async def test_no_greeting_on_an_implicit_tls_port(smtps_server, scripted):
    err = await no_greeting_error("127.0.0.1", smtps_server.port, 2)
    assert err is not None and err.exit == Exit.TLS and "try --tls" in str(err)

    async def silent(reader, writer, received):
        await asyncio.sleep(10)

    quiet = scripted(silent)
    assert await no_greeting_error("127.0.0.1", quiet.port, 0.5) is None


def test_plain_client_on_an_implicit_tls_port(smtpsh, smtps_server):
    reason = tls_failure(smtpsh("--timeout", "1", "127.0.0.1", str(smtps_server.port),
                                "-c", "QUIT"))
    assert "try --tls" in reason


@pytest.mark.parametrize(("server_bound", "flag"), [
    ("maximum_version", ["--tls-min", "1.3"]),
    ("minimum_version", ["--tls-max", "1.2"]),
])
def test_tls_version_outside_bounds(smtpsh, serve, ca, ca_file, server_bound, flag):
    ctx = server_context(ca.issue_cert("127.0.0.1"))
    setattr(ctx, server_bound,
            ssl.TLSVersion.TLSv1_2 if server_bound == "maximum_version" else
            ssl.TLSVersion.TLSv1_3)
    c = serve(tls_context=ctx)
    reason = tls_failure(smtpsh("--starttls", "--cafile", ca_file, *flag, "127.0.0.1",
                                str(c.port)))
    assert f"within {' '.join(flag)}" in reason and "--tls-min/--tls-max" in reason


def test_tls_max_12_is_used(smtpsh, starttls_server, ca_file):
    p = smtpsh("--starttls", "--cafile", ca_file, "--tls-max", "1.2", "127.0.0.1",
               str(starttls_server.port), "-c", "QUIT")
    assert p.returncode == Exit.OK and "-- TLS TLSv1.2 " in out(p), out(p)


async def _smtp_until_starttls(reader, writer, after_220: bytes = b"") -> None:
    writer.write(b"220 mx.test ESMTP\r\n")
    while line := await reader.readline():
        if line.upper().startswith(b"STARTTLS"):
            writer.write(b"220 Ready\r\n" + after_220)  # one write: one segment
            await writer.drain()
            return
        writer.write(EHLO_STARTTLS if line.upper().startswith(b"EHLO") else b"250 OK\r\n")
        await writer.drain()


def test_handshake_broken_off(smtpsh, scripted, ca_file):
    async def script(reader, writer, received):
        await _smtp_until_starttls(reader, writer)
        received.append(await reader.read(100))  # the ClientHello, then hang up
        writer.transport.abort()

    s = scripted(script)
    reason = tls_failure(smtpsh("--starttls", "--cafile", ca_file, "127.0.0.1", str(s.port)))
    assert "broke off the TLS handshake" in reason
    assert s.received and s.received[0][:1] == b"\x16"  # it was a TLS handshake record


def test_unusable_files_are_one_line_not_a_traceback(smtpsh, smtps_server, tmp_path):
    junk = tmp_path / "junk.pem"
    junk.write_text("not a certificate\n")
    for flags, says in ((["--cafile", str(tmp_path / "missing.pem")], "No such file"),
                        (["--cafile", str(junk)], "no PEM certificate in it"),
                        (["--cert", str(junk)], "not a PEM certificate with its key")):
        p = smtpsh("--tls", *flags, "127.0.0.1", str(smtps_server.port), "-c", "QUIT")
        assert p.returncode == Exit.ERROR and "Traceback" not in out(p), out(p)
        assert f"!! cannot use {flags[0]}" in out(p) and says in out(p)


# --- a server's TLS alert, in plain words -------------------------------------------------


def alerting_server(ctx: ssl.SSLContext, starttls: bool) -> int:
    """One connection: SMTP up to STARTTLS (or none), then the handshake with `ctx`, on a
    blocking socket: unlike an asyncio server (aiosmtpd), it sends the alert it fails with."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(20)

    def run() -> None:
        with listener, listener.accept()[0] as conn:
            if starttls:
                conn.sendall(b"220 mx.test ESMTP\r\n")
                lines = conn.makefile("rb")
                while line := lines.readline():
                    if line.upper().startswith(b"STARTTLS"):
                        conn.sendall(b"220 Ready\r\n")
                        break
                    conn.sendall(EHLO_STARTTLS if line.upper().startswith(b"EHLO")
                                 else b"250 OK\r\n")
            try:
                with ctx.wrap_socket(conn, server_side=True) as tls:
                    tls.recv(100)
            except OSError:
                pass

    threading.Thread(target=run, daemon=True).start()
    return listener.getsockname()[1]


def _sni_alert(alert: int) -> Callable[[ssl.SSLContext], None]:
    def setup(ctx: ssl.SSLContext) -> None:
        ctx.sni_callback = lambda *_: alert
    return setup


def _client_cert_required(ctx: ssl.SSLContext) -> None:
    ctx.verify_mode = ssl.CERT_REQUIRED  # in TLS 1.2 a missing one is a handshake_failure
    ctx.maximum_version = ssl.TLSVersion.TLSv1_2


def _tls12_only(ctx: ssl.SSLContext) -> None:
    ctx.maximum_version = ssl.TLSVersion.TLSv1_2


@pytest.mark.parametrize(("setup", "flags", "says"), [
    (_sni_alert(ssl.ALERT_DESCRIPTION_INTERNAL_ERROR), [],
     "an alert (internal error): it may not have a certificate for this name ('mx.test'), or"
     " it refuses this TLS version: try --tls-servername NAME"),
    (_sni_alert(ssl.ALERT_DESCRIPTION_UNRECOGNIZED_NAME), [],
     "an alert (unrecognized name): it serves no certificate for 'mx.test': connect by the"
     " name it serves, or give it with --tls-servername NAME"),
    (_client_cert_required, [], "an alert (handshake failure): it found no cipher or TLS"
     " version in common, or it wants a client certificate: try --tls-min 1.0 or --tls-max"
     " 1.2, or give --cert FILE --key FILE"),
    (_tls12_only, ["--tls-min", "1.3"], "an alert (protocol version): it does not speak the"
     " TLS versions smtpsh offered within --tls-min 1.3: widen --tls-min/--tls-max"),
    (_sni_alert(ssl.ALERT_DESCRIPTION_ACCESS_DENIED), [], "an alert (access denied): it does"
     " not let this client in"),
], ids=["internal_error", "unrecognized_name", "handshake_failure", "protocol_version",
        "access_denied"])
@pytest.mark.parametrize("mode", ["--starttls", "--tls"])
def test_server_alert_in_plain_words(smtpsh, ca, ca_file, setup, flags, says, mode):
    ctx = server_context(ca.issue_cert("mx.test"))
    ca.configure_trust(ctx)
    setup(ctx)
    port = alerting_server(ctx, starttls=mode == "--starttls")
    reason = tls_failure(smtpsh(mode, "--cafile", ca_file, "--tls-servername", "mx.test",
                                *flags, "127.0.0.1", str(port), "-c", "QUIT"))
    assert reason.startswith("!! TLS: the server ended the handshake with ") and says in reason
    assert re.search(r" \(OpenSSL: (SSLV3|TLSV1)_[A-Z_]+\)$", reason), reason
    assert "TLS: TLS" not in reason and "[SSL:" not in reason and "_ssl.c" not in reason


def test_every_failure_reads_plainly():
    """Whatever OpenSSL says, one line in words with a way on, OpenSSL's reason at the end."""
    from smtpsh.tls import explain_failure

    def failure(reason: str, text: str = "") -> ssl.SSLError:
        exc = ssl.SSLError(1, f"[SSL: {reason}] {text or reason.lower()} (_ssl.c:1006)")
        exc.reason = reason
        return exc

    wrong = explain_failure(failure("WRONG_VERSION_NUMBER"), implicit=False)
    assert wrong.startswith("the server agreed to STARTTLS but then did not speak TLS: ")
    assert "try port 465 with --tls" in wrong and wrong.endswith("(OpenSSL: WRONG_VERSION_NUMBER)")
    odd = explain_failure(failure("SSLV3_ALERT_ILLEGAL_PARAMETER"), implicit=True)
    assert odd.startswith("the server ended the handshake with an alert (illegal parameter):")
    assert "the server's log says why" in odd
    unknown = explain_failure(failure("BAD_KEY_SHARE", "bad key share"), implicit=True)
    assert unknown == ("the TLS handshake failed (bad key share): check --tls-min/--tls-max"
                       " and --tls-servername; the server's log may say more"
                       " (OpenSSL: BAD_KEY_SHARE)")
    assert explain_failure(TimeoutError(), implicit=True).startswith(
        "the TLS handshake timed out: the server did not answer it: ")
    for reason in ("TLSV1_ALERT_UNKNOWN_CA", "SSLV3_ALERT_BAD_CERTIFICATE",
                   "TLSV13_ALERT_CERTIFICATE_REQUIRED"):
        assert "give --cert FILE --key FILE" in explain_failure(failure(reason), implicit=True)


# --- the STARTTLS injection guard ----------------------------------------------------------


def test_bytes_after_starttls_reply_are_discarded(smtpsh, scripted, server_tls_context,
                                                  ca_file):
    async def script(reader, writer, received):
        await _smtp_until_starttls(reader, writer, after_220=b"250 injected\r\n")
        await writer.start_tls(server_tls_context)  # server side: this is a server stream
        while line := await reader.readline():
            received.append(line)
            if line.upper().startswith(b"QUIT"):
                writer.write(b"221 Bye\r\n")
                await writer.drain()
                return
            writer.write(b"250-mx.test\r\n250 AUTH PLAIN\r\n" if line.startswith(b"EHLO")
                         else b"250 OK\r\n")
            await writer.drain()

    s = scripted(script)
    p = smtpsh("--cafile", ca_file, "127.0.0.1", str(s.port),
               input="EHLO me.test\nSTARTTLS\nEHLO me.test\nNOOP\nQUIT\n")
    text = out(p)
    assert p.returncode == Exit.OK, text
    assert "!! the server sent 14 bytes after its reply to STARTTLS" in text
    assert "'250 injected\\r\\n'" in text and "command injection" in text
    assert "S: 250 injected" not in text
    # Each command after TLS got its own reply: the injected line did not shift them.
    after = text.split("-- TLS ", 1)[1]
    assert re.search(r"C: EHLO me\.test\nS: 250-mx\.test\nS: 250 AUTH PLAIN\nC: NOOP\n"
                     r"S: 250 OK\nC: QUIT\nS: 221 Bye", after), after
    assert s.received == [b"EHLO me.test\r\n", b"NOOP\r\n", b"QUIT\r\n"]


# --- key log -------------------------------------------------------------------------------


def test_keylog_flag(smtpsh, starttls_server, ca_file, tmp_path):
    log = tmp_path / "keys.log"
    p = smtpsh("--starttls", "--cafile", ca_file, "--keylog", str(log), "127.0.0.1",
               str(starttls_server.port), "-c", "QUIT")
    assert p.returncode == Exit.OK, out(p)
    assert re.search(r"^CLIENT_HANDSHAKE_TRAFFIC_SECRET [0-9a-f]{64} [0-9a-f]+$",
                     log.read_text(), re.M)


def test_sslkeylogfile_is_honoured(smtps_server, ca_file, tmp_path):
    log = tmp_path / "env-keys.log"
    env = dict(os.environ, SSLKEYLOGFILE=str(log), HOME=str(tmp_path))
    exe = shutil.which("smtpsh")
    assert exe
    p = subprocess.run([exe, "--tls", "--cafile", ca_file, "127.0.0.1",
                        str(smtps_server.port), "-c", "QUIT"], capture_output=True, env=env,
                       timeout=30, check=False)
    assert p.returncode == Exit.OK, out(p)
    assert "CLIENT_TRAFFIC_SECRET_0 " in log.read_text()


# --- the certificate card ------------------------------------------------------------------


async def test_certificate_card(serve, ca):
    inter = ca.create_child_ca()
    leaf = inter.issue_cert("localhost", "127.0.0.1")
    c = serve(ssl_context=server_context(leaf))
    ctx = make_context(TlsOptions())
    ca.configure_trust(ctx)
    t = await Transport.open("127.0.0.1", c.port, timeout=5, ssl_context=ctx,
                             server_hostname="127.0.0.1")
    try:
        card = "\n".join(certificate_card(t.ssl_object, t.tls))
    finally:
        await t.close()
    der = x509.load_pem_x509_certificate(leaf.cert_chain_pems[0].bytes())
    sha = der.fingerprint(hashes.SHA256()).hex(":").upper()
    assert re.search(r"^protocol +TLSv1\.3, cipher \S+ \(\d+ bits\)$", card, re.M), card
    assert "certificate  verified for 127.0.0.1" in card
    assert "names        localhost, 127.0.0.1" in card
    assert re.search(r"^issuer +OU=Testing CA", card, re.M)
    assert re.search(r"^valid +\d{4}-\d\d-\d\d .* \(\d+ days left\)$", card, re.M), card
    assert f"sha256       {sha}" in card
    assert "chain        2 certificates as the server sent them:" in card
    assert re.search(r"^  1  OU=Testing CA.*<- issued by OU=Testing CA", card, re.M), card


async def test_certificate_card_insecure_and_plain(smtps_server):
    t = await Transport.open("127.0.0.1", smtps_server.port, timeout=5,
                             ssl_context=make_context(TlsOptions(insecure=True)),
                             server_hostname="127.0.0.1")
    try:
        card = certificate_card(t.ssl_object, t.tls)
    finally:
        await t.close()
    assert "certificate  NOT verified (--insecure)" in card
    assert any(x.startswith("names        localhost, mx.test, 127.0.0.1") for x in card)
    assert certificate_card(None, None) == [
        "no TLS on this connection (STARTTLS, or connect with --tls)"]


# --- Postfix -------------------------------------------------------------------------------


def test_postfix_starttls_verified(smtpsh, request):
    pf = request.getfixturevalue("postfix_server")  # skips when Postfix is not installed
    p = smtpsh("--starttls", "--cafile", str(pf.ca_path), "127.0.0.1", str(pf.port),
               "-c", "QUIT")
    text = out(p)
    assert p.returncode == Exit.OK, text
    assert re.search(r"^-- TLS TLSv1\.3 \S+; certificate verified for 127\.0\.0\.1$", text,
                     re.M), text


def test_postfix_submission_offers_auth_only_after_tls(smtpsh, request):
    pf = request.getfixturevalue("postfix_server")
    p = smtpsh("--cafile", str(pf.ca_path), "127.0.0.1", str(pf.submission_port),
               input="EHLO me.test\nSTARTTLS\nEHLO me.test\nQUIT\n")
    text = out(p)
    assert p.returncode == Exit.OK, text
    before, after = text.split("-- TLS ", 1)
    assert "250-STARTTLS" in before and "AUTH" not in before
    assert re.search(r"^S: 250-AUTH .*PLAIN", after, re.M), after


def test_show_cert_prints_the_card(smtpsh, starttls_server, ca_file):
    p = smtpsh("--starttls", "--show-cert", "--cafile", ca_file, "127.0.0.1",
               str(starttls_server.port), "-c", "QUIT")
    text = p.stdout.decode()
    assert p.returncode == 0, text
    for key in ("-- subject", "-- names", "-- issuer", "-- valid", "-- sha256", "-- chain"):
        assert key in text, key
