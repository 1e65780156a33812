"""The SMTP Pygments lexer: typed commands, transcripts, the shared examples, and fuzzing."""

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pygments.token import (
    Comment,
    Error,
    Generic,
    Keyword,
    Name,
    Number,
    Operator,
    Punctuation,
    String,
    Text,
    _TokenType,
)

from smtpsh.lexer import SmtpLexer

# Copies of ../shared/examples, so that the tests do not depend on where the checkout lies.
DATA = Path(__file__).parent / "data" / "examples"
EXAMPLES = sorted(DATA.glob("*"))
assert EXAMPLES, DATA


def tokens(text: str) -> list[tuple[_TokenType, str]]:
    """The tokens that carry text, without the whitespace between them."""
    return [(t, v) for t, v in SmtpLexer().get_tokens(text) if v.strip()]


def test_mail_from_is_one_keyword() -> None:
    assert (Keyword, "MAIL FROM:") in list(SmtpLexer().get_tokens("MAIL FROM:<a@b.c>"))


def test_typed_mail_from_with_params() -> None:
    assert tokens("MAIL FROM:<a@b.c> SIZE=100 BODY=8BITMIME SMTPUTF8") == [
        (Keyword, "MAIL FROM:"),
        (Name.Variable, "<a@b.c>"),
        (Name.Attribute, "SIZE"),
        (Operator, "="),
        (String, "100"),
        (Name.Attribute, "BODY"),
        (Operator, "="),
        (String, "8BITMIME"),
        (Name.Attribute, "SMTPUTF8"),
    ]


def test_lower_case_and_null_path() -> None:
    assert tokens("rcpt to: <x@y.z> notify=never") == [
        (Keyword, "rcpt to:"),
        (Name.Variable, "<x@y.z>"),
        (Name.Attribute, "notify"),
        (Operator, "="),
        (String, "never"),
    ]
    assert tokens("mail from:<>")[1] == (Name.Variable, "<>")
    assert tokens("ehlo laptop.example") == [(Keyword, "ehlo"), (Text, "laptop.example")]


def test_half_typed_address_is_still_an_address() -> None:
    assert tokens("MAIL FROM:<alice@exa") == [
        (Keyword, "MAIL FROM:"),
        (Name.Variable, "<alice@exa"),
    ]


def test_auth_with_initial_response() -> None:
    assert tokens("AUTH PLAIN AHRpbQB0YW5zdGFhZnRhbnN0YWFm") == [
        (Keyword, "AUTH"),
        (Name.Constant, "PLAIN"),
        (String.Other, "AHRpbQB0YW5zdGFhZnRhbnN0YWFm"),
    ]
    assert tokens("auth login") == [(Keyword, "auth"), (Name.Constant, "login")]


def test_shell_commands() -> None:
    assert tokens(":connect mx.test 25") == [
        (Name.Builtin, ":connect"),
        (Text, "mx.test"),
        (Number, "25"),
    ]
    assert tokens(":help")[0] == (Name.Builtin, ":help")


TRANSCRIPT = """\
2026-11-23T18:20:27.123Z S: 220 mx.test ESMTP
2026-11-23T18:20:27.124Z C: EHLO laptop.example
2026-11-23T18:20:27.125Z S: 250-mx.test
2026-11-23T18:20:27.125Z S: 250 AUTH PLAIN LOGIN
2026-11-23T18:20:27.126Z C: AUTH LOGIN
2026-11-23T18:20:27.127Z S: 334 VXNlcm5hbWU6
2026-11-23T18:20:27.128Z C: YWxpY2U=
2026-11-23T18:20:27.129Z S: 334 UGFzc3dvcmQ6
2026-11-23T18:20:27.130Z C: [redacted]
2026-11-23T18:20:27.131Z S: 235 2.7.0 Authentication successful
2026-11-23T18:20:27.132Z C: DATA
2026-11-23T18:20:27.133Z S: 354 End data with <CR><LF>.<CR><LF>
2026-11-23T18:20:27.134Z S: 451 4.3.0 Try again later
2026-11-23T18:20:27.135Z S: 550 5.1.1 <bob@mx.test>: no such user
2026-11-23T18:20:27.136Z -- TLS 1.3 TLS_AES_256_GCM_SHA384
2026-11-23T18:20:27.137Z !! AUTH on a connection without TLS
C: *
"""


def test_transcript_reply_classes() -> None:
    got = tokens(TRANSCRIPT)
    for expected in [
        (Comment, "2026-11-23T18:20:27.123Z"),
        (Generic.Prompt, "S:"),
        (Generic.Prompt, "C:"),
        (Generic.Inserted, "220"),
        (Generic.Inserted, "250"),
        (Generic.Inserted, "235"),
        (Number, "2.7.0"),
        (Generic.Subheading, "334"),
        (String.Other, "VXNlcm5hbWU6"),
        (String.Other, "YWxpY2U="),
        (Comment.Special, "[redacted]"),
        (Generic.Subheading, "354"),
        (Generic.Traceback, "451"),
        (Number, "4.3.0"),
        (Generic.Error, "550"),
        (Name.Variable, "<bob@mx.test>"),
        (Comment, "-- TLS 1.3 TLS_AES_256_GCM_SHA384"),
        (Generic.Strong, "!! AUTH on a connection without TLS"),
        (Operator, "*"),
    ]:
        assert expected in got


def test_continuation_dash_is_not_part_of_the_code() -> None:
    assert tokens("S: 250-PIPELINING")[1:3] == [
        (Generic.Inserted, "250"),
        (Punctuation, "-"),
    ]


@pytest.mark.parametrize("line", ["250-8BITMIME", "250-SMTPUTF8", "250-2.1.0 ok", "250-8",
                                  "550-5.1.1 no such user", "451-4 things", "334-", "999-1x"])
def test_continuation_dash_is_punctuation_whatever_follows(line: str) -> None:
    # "250-8BITMIME" lexed the dash as text: "-?" gave it up before the digit 8.
    got = tokens(f"S: {line}")
    assert got[1:3] == [(got[1][0], line[:3]), (Punctuation, "-")]
    assert got[1][0] is not Text and "".join(v for _, v in got[2:]) == line[3:].replace(" ", "")


@pytest.mark.parametrize("line", ["2500 apples", "25000"])
def test_four_digits_are_not_a_code(line: str) -> None:
    assert not [v for t, v in tokens(line) if t in Generic]


def test_netcat_dialog() -> None:
    got = tokens((DATA / "netcat-dialog.txt").read_text())
    assert got[:3] == [
        (Generic.Prompt, ">"),
        (Generic.Inserted, "220"),
        (Text, "mail.dummy.local"),
    ]
    for expected in [
        (Keyword, "HELO"),
        (Keyword, "MAIL FROM:"),
        (Name.Variable, "<foo@bar.net>"),
        (Number, "2.1.0"),
        (Keyword, "RCPT TO:"),
        (Keyword, "DATA"),
        (Generic.Subheading, "354"),
        (Keyword, "QUIT"),
    ]:
        assert expected in got
    assert (Generic.Prompt, "<") in got


def test_bare_dialog_without_markers() -> None:
    got = tokens((DATA / "ehlo-fallback.txt").read_text())
    codes = [(t, v) for t, v in got if t in Generic]
    assert codes == [(Generic.Inserted, "220"), (Generic.Error, "500"), (Generic.Inserted, "250")]
    assert [v for t, v in got if t is Keyword] == ["ehlo", "helo"]


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_no_error_tokens_on_shared_examples(path: Path) -> None:
    assert not [v for t, v in SmtpLexer().get_tokens(path.read_text()) if t in Error]


def test_transcript_tls_marker() -> None:
    got = tokens("2026-11-23T18:30:42.520Z tls S: 550 5.1.1 no\n")
    assert got[:4] == [(Comment, "2026-11-23T18:30:42.520Z"), (Keyword.Pseudo, "tls"),
                       (Generic.Prompt, "S:"), (Generic.Error, "550")]


def test_registered_name() -> None:
    assert (SmtpLexer.name, SmtpLexer.aliases, SmtpLexer.filenames) == (
        "SMTP",
        ["smtp"],
        ["*.smtp"],
    )


def test_prompt_toolkit_fragments() -> None:
    import prompt_toolkit.lexers as lexers
    from prompt_toolkit.document import Document

    line = lexers.PygmentsLexer(SmtpLexer).lex_document(Document("EHLO x"))(0)
    assert line[0] == ("class:pygments.keyword", "EHLO")


@given(st.text())
def test_never_errors_and_round_trips(text: str) -> None:
    raw = list(SmtpLexer().get_tokens_unprocessed(text))
    assert "".join(v for _, _, v in raw) == text
    assert not [v for _, t, v in raw if t in Error]
    # Through get_tokens, Pygments drops a BOM, normalises newlines and adds a final one.
    normal = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    joined = "".join(v for _, v in SmtpLexer(stripnl=False).get_tokens(text))
    assert joined in (normal, normal + "\n")


SMTP_BITS = ["C: ", "S: ", "< ", "> ", "250-", "334 ", "MAIL FROM:", "<", "a=b", "\n", " ", "*"]
SMTP_BITS += ["2026-01-01T00:00:00Z ", "[redacted]", "AUTH PLAIN ", ":help", "-- ", "!! "]


@given(st.lists(st.sampled_from(SMTP_BITS)))
def test_never_errors_on_smtp_like_text(parts: list[str]) -> None:
    text = "".join(parts)
    raw = list(SmtpLexer().get_tokens_unprocessed(text))
    assert "".join(v for _, _, v in raw) == text
    assert not [v for _, t, v in raw if t in Error]
