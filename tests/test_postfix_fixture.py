"""Self-test of the Postfix + Dovecot fixture, with the stdlib smtplib as the client."""

from __future__ import annotations

import smtplib
import socket
import ssl
import time
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from postfix import Postfix

pytestmark = pytest.mark.timeout(30)

# smtplib would otherwise call socket.getfqdn(), i.e. the system resolver.
CLIENT = "client.test"


def client_context(server: Postfix) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(server.ca_path))


def connect(server: Postfix, port: int) -> smtplib.SMTP:
    return smtplib.SMTP(server.host, port, local_hostname=CLIENT, timeout=10)


def starttls(server: Postfix, port: int) -> smtplib.SMTP:
    s = connect(server, port)
    s.starttls(context=client_context(server))
    s.ehlo()
    return s


def authenticate(s: smtplib.SMTP, mechanism: str, user: str, password: str) -> tuple[int, bytes]:
    s.user, s.password = user, password
    authobject = {"PLAIN": s.auth_plain, "LOGIN": s.auth_login, "CRAM-MD5": s.auth_cram_md5}
    return s.auth(mechanism, authobject[mechanism], initial_response_ok=False)


def test_greeting(postfix_server: Postfix) -> None:
    with smtplib.SMTP(local_hostname=CLIENT, timeout=10) as s:
        code, msg = s.connect(postfix_server.host, postfix_server.port)
        assert code == 220
        assert msg.startswith(b"mx.postfix.test ESMTP")


def test_delivery_byte_for_byte(postfix_server: Postfix) -> None:
    body = (
        b"From: Alice <alice@example.com>\r\n"
        b"To: Bob <bob@postfix.test>\r\n"
        b"Subject: fixture self-test\r\n"
        b"\r\n"
        b"first line\r\n"
        b".a line that starts with a dot\r\n"
        b"..and one with two\r\n"
        b".\r\n"
        b"last line\r\n"
    )
    with connect(postfix_server, postfix_server.port) as s:
        assert s.sendmail("alice@example.com", ["bob@postfix.test"], body) == {}
    [got] = postfix_server.wait_for_messages(1, recipient="bob@postfix.test")
    # Postfix stores LF line ends and prepends its trace headers; the rest is untouched.
    stored = body.replace(b"\r\n", b"\n")
    assert got.endswith(b"\n" + stored)
    head = got[: -len(stored)].splitlines()
    assert head[:3] == [
        b"Return-Path: <alice@example.com>",
        b"X-Original-To: bob@postfix.test",
        b"Delivered-To: bob@postfix.test",
    ]
    assert head[3].startswith(b"Received: from client.test (unknown [127.0.0.1])")


def test_any_local_part_is_delivered(postfix_server: Postfix) -> None:
    rcpts = ["Carol.Smith@postfix.test", "odd+tag=x@postfix.test"]
    with connect(postfix_server, postfix_server.port) as s:
        assert s.sendmail("", rcpts, b"Subject: x\r\n\r\nx\r\n") == {}
    for rcpt in rcpts:
        [got] = postfix_server.wait_for_messages(1, recipient=rcpt)
        assert got.startswith(b"Return-Path: <>\n")


def test_plain_port_refuses_relay_and_auth(postfix_server: Postfix) -> None:
    with connect(postfix_server, postfix_server.port) as s:
        s.ehlo()
        assert s.has_extn("starttls") and not s.has_extn("auth")
        s.mail("alice@example.com")
        code, msg = s.rcpt("someone@example.com")
        assert code == 554 and b"Relay access denied" in msg


def test_starttls_verifies_against_ca(postfix_server: Postfix) -> None:
    with connect(postfix_server, postfix_server.port) as s:
        s.ehlo()
        assert s.starttls(context=client_context(postfix_server))[0] == 220
        assert isinstance(s.sock, ssl.SSLSocket) and s.sock.version() in ("TLSv1.2", "TLSv1.3")
        assert s.ehlo()[0] == 250
        assert not s.has_extn("auth")  # SASL is off on this port, TLS or not


def test_submission_auth_only_after_tls(postfix_server: Postfix) -> None:
    with connect(postfix_server, postfix_server.submission_port) as s:
        s.ehlo()
        assert s.has_extn("starttls") and not s.has_extn("auth")
        assert s.mail("alice@example.com")[0] == 530
        s.starttls(context=client_context(postfix_server))
        s.ehlo()
        assert s.esmtp_features["auth"].split() == ["PLAIN", "LOGIN", "CRAM-MD5"]


@pytest.mark.parametrize("mechanism", ["PLAIN", "LOGIN", "CRAM-MD5"])
def test_submission_good_password(postfix_server: Postfix, mechanism: str) -> None:
    with starttls(postfix_server, postfix_server.submission_port) as s:
        code, msg = authenticate(s, mechanism, postfix_server.user, postfix_server.password)
        assert (code, msg) == (235, b"2.7.0 Authentication successful")
        # Authenticated, so relaying is allowed (the discard transport drops it).
        s.mail("alice@example.com")
        assert s.rcpt("someone@example.com")[0] == 250


@pytest.mark.parametrize("mechanism", ["PLAIN", "LOGIN", "CRAM-MD5"])
def test_submission_bad_password_fails_fast(postfix_server: Postfix, mechanism: str) -> None:
    with starttls(postfix_server, postfix_server.submission_port) as s:
        started = time.monotonic()
        with pytest.raises(smtplib.SMTPAuthenticationError) as err:
            authenticate(s, mechanism, postfix_server.user, "wrong")
        assert err.value.smtp_code == 535
        # Dovecot 2.3 holds a failed PLAIN/LOGIN for 0.5 s; no anvil penalty comes on top.
        assert time.monotonic() - started < 1.5
        # The session stays usable after a failure.
        assert authenticate(s, mechanism, postfix_server.user, postfix_server.password)[0] == 235


def test_smtps_implicit_tls_login(postfix_server: Postfix) -> None:
    ctx = client_context(postfix_server)
    with smtplib.SMTP_SSL(
        postfix_server.host,
        postfix_server.smtps_port,
        local_hostname=CLIENT,
        context=ctx,
        timeout=10,
    ) as s:
        s.ehlo()
        assert s.has_extn("auth") and not s.has_extn("starttls")
        assert s.login(postfix_server.user, postfix_server.password)[0] == 235
        s.sendmail("alice@postfix.test", ["dave@postfix.test"], b"Subject: smtps\r\n\r\nhi\r\n")
    [got] = postfix_server.wait_for_messages(1, recipient="dave@postfix.test")
    assert got.endswith(b"\n\nhi\n")


def test_certificate_names_mx_hostname(postfix_server: Postfix) -> None:
    ctx = client_context(postfix_server)
    with socket.create_connection((postfix_server.host, postfix_server.smtps_port), 10) as raw:
        with ctx.wrap_socket(raw, server_hostname=postfix_server.hostname) as tls:
            assert tls.recv(100).startswith(b"220 mx.postfix.test ")
