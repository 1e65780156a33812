"""SASL mechanisms against the RFCs' own examples, and the redaction forms of secrets."""

import ast
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from smtpsh import auth
from smtpsh.auth import (
    CANCEL,
    NEEDS,
    CramMd5,
    Login,
    OAuthBearer,
    Plain,
    Response,
    UnexpectedChallenge,
    XOAuth2,
    b64,
    create,
    decode_challenge_for_display,
    secret_forms,
    unb64,
)


def redact(text: str, forms: list[str]) -> str:
    for form in forms:
        text = text.replace(form, "[redacted]")
    return text


# RFC 4616 §4 examples, and RFC 4954 §4's "AUTH PLAIN dGVzdAB0ZXN0ADEyMzQ=".
@pytest.mark.parametrize(
    ("authzid", "user", "password", "wire"),
    [
        ("", "tim", "tanstaaftanstaaf", b"\0tim\0tanstaaftanstaaf"),
        ("Ursel", "Kurt", "xipj3plmq", b"Ursel\0Kurt\0xipj3plmq"),
        ("test", "test", "1234", unb64("dGVzdAB0ZXN0ADEyMzQ=")),
    ],
)
def test_plain_rfc_examples(authzid: str, user: str, password: str, wire: bytes) -> None:
    assert Plain(user, password, authzid).initial_response() == Response(wire, secret=True)


def test_plain_without_initial_response_answers_the_empty_challenge() -> None:
    mech = Plain("tim", "tanstaaftanstaaf", initial=False)
    assert mech.initial_response() is None
    assert mech.respond(b"") == Response(b"\0tim\0tanstaaftanstaaf", secret=True)
    with pytest.raises(UnexpectedChallenge):
        mech.respond(b"")


def test_login_answers_by_position_whatever_the_challenge_says() -> None:
    mech = Login("alice", "s3cret")
    assert mech.initial_response() is None
    assert mech.respond(b"Password:") == Response(b"alice", secret=False)
    assert mech.respond(b"\x00odd") == Response(b"s3cret", secret=True)
    with pytest.raises(UnexpectedChallenge):
        mech.respond(b"Username:")


def test_login_with_initial_response() -> None:
    mech = Login("alice", "s3cret", initial=True)
    assert mech.initial_response() == Response(b"alice", secret=False)
    assert mech.respond(unb64("UGFzc3dvcmQ6") or b"") == Response(b"s3cret", secret=True)


def test_cram_md5_rfc2195_example() -> None:
    mech = CramMd5("tim", "tanstaaftanstaaf")
    assert mech.initial_response() is None
    challenge = unb64("PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+")
    assert challenge == b"<1896.697170952@postoffice.reston.mci.net>"
    answer = mech.respond(challenge)
    assert answer == Response(b"tim b913a602c7eda7a495b4e6e7334d3890", secret=True)
    assert b64(answer.data) == "dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw"


def test_cram_md5_never_sends_an_initial_response() -> None:
    assert create("cram-md5", user="tim", password="x", initial=True).initial_response() is None


def test_xoauth2_google_example_and_error_challenge() -> None:
    mech = XOAuth2("someuser@example.com", "ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg")
    first = mech.initial_response()
    assert first is not None and first.secret
    assert b64(first.data) == (
        "dXNlcj1zb21ldXNlckBleGFtcGxlLmNvbQFhdXRoPUJlYXJlciB5YTI5LnZGOWRmdDRxbVRjMk52YjNSbGNr"
        "QmhkSFJoZG1semRHRXVZMjl0Q2cBAQ=="
    )
    assert mech.respond(b'{"status":"401"}') == Response(b"", secret=False)
    with pytest.raises(UnexpectedChallenge):
        mech.respond(b"")


def test_oauthbearer_rfc7628_example_and_error_challenge() -> None:
    mech = OAuthBearer(
        "user@example.com", "vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==", "server.example.com", 143
    )
    first = mech.initial_response()
    assert first is not None and first.secret
    # RFC 7628 §4.1, the IMAP example.
    assert b64(first.data) == (
        "bixhPXVzZXJAZXhhbXBsZS5jb20sAWhvc3Q9c2VydmVyLmV4YW1wbGUuY29tAXBvcnQ9MTQzAWF1dGg9QmVhcmVy"
        "IHZGOWRmdDRxbVRjMk52YjNSbGNrQmhiSFJoZG1semRHRXVZMjl0Q2c9PQEB"
    )
    # RFC 7628 §3.2.3: the client answers an error challenge with a single %x01.
    assert mech.respond(b'{"status":"invalid_token"}') == Response(b"\x01", secret=False)


def test_oauthbearer_escapes_the_gs2_name_and_omits_what_is_unknown() -> None:
    first = OAuthBearer("a,b=c", "t").initial_response()
    assert first is not None and first.data == b"n,a=a=2Cb=3Dc,\x01auth=Bearer t\x01\x01"


def test_oauthbearer_without_initial_response() -> None:
    mech = create("OAUTHBEARER", user="u", token="t", initial=False)
    assert mech.initial_response() is None
    assert mech.respond(b"").data == b"n,a=u,\x01auth=Bearer t\x01\x01"


def test_needs_covers_every_mechanism() -> None:
    assert set(NEEDS) == set(auth.MECHANISMS)
    for name, inputs in NEEDS.items():
        assert isinstance(create(name, **{i: "x" for i in inputs}), auth.MECHANISMS[name])
    with pytest.raises(ValueError):
        create("GSSAPI")


def test_cancel_is_rfc4954_star() -> None:
    assert CANCEL == "*"


@pytest.mark.parametrize("junk", ["not base64!", "QUJD=X", "YQ", "ééé", "A==="])
def test_unb64_of_junk_is_none(junk: str) -> None:
    assert unb64(junk) is None


def test_unb64_of_empty_challenge_is_empty() -> None:
    assert unb64("") == b""


@given(st.binary())
def test_b64_round_trip(data: bytes) -> None:
    assert unb64(b64(data)) == data


def test_decode_challenge_for_display() -> None:
    assert decode_challenge_for_display("VXNlcm5hbWU6") == "Username:"
    assert decode_challenge_for_display(b64(b"\x00\xffok\x01")) == r"\x00\xffok\x01"
    assert decode_challenge_for_display("Username:") == "Username:"


@given(st.binary())
def test_decode_challenge_for_display_is_one_printable_line(data: bytes) -> None:
    assert decode_challenge_for_display(b64(data)).isprintable()


def test_secret_forms_cover_plain_blob_given_only_the_password() -> None:
    blob = b64(b"\0alice\0hunter22")
    shown = redact(
        f"C: AUTH PLAIN {blob}\nC: hunter22\nC: {b64(b'hunter22')}", secret_forms(["hunter22"])
    )
    assert "hunter22" not in shown and b64(b"hunter22") not in shown
    assert blob not in shown and "[redacted]" in shown.splitlines()[0]


def test_secret_forms_redact_a_whole_response_when_given() -> None:
    blob = XOAuth2("u@example.org", "tok3n").initial_response()
    assert blob is not None
    forms = secret_forms(["tok3n", blob.data])
    assert redact(f"C: AUTH XOAUTH2 {b64(blob.data)}", forms) == "C: AUTH XOAUTH2 [redacted]"


def test_secret_forms_skip_empty_secrets() -> None:
    assert secret_forms(["", b""]) == []


# Below 4 bytes the fragments are too short to redact safely (see secret_forms).
@given(st.binary(min_size=4, max_size=40), st.binary(max_size=10), st.binary(max_size=10))
def test_secret_forms_find_the_secret_inside_any_base64(
    secret: bytes, before: bytes, after: bytes
) -> None:
    wire = b64(before + secret + after)
    assert any(form in wire for form in secret_forms([secret]))


def test_module_is_sans_io() -> None:
    tree = ast.parse(Path(auth.__file__).read_text())
    imported = {
        a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names
    }
    imported |= {
        n.module.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module
    }
    assert not imported & {"socket", "ssl", "asyncio", "prompt_toolkit"}
