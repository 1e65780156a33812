"""The sans-IO core, tested without any socket."""

from __future__ import annotations

import pathlib
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from smtpsh import protocol
from smtpsh.protocol import (
    NEED_DATA,
    Capabilities,
    Closed,
    DataEncoder,
    Garbage,
    LocalProtocolError,
    Reply,
    ReplyParser,
    encode_command,
    encode_message,
    esmtp_params,
    split_command,
    unstuff,
)

EHLO = b"250-mx.test\r\n250-SIZE 33554432\r\n250-8BITMIME\r\n250 HELP\r\n"
EHLO_REPLY = Reply(250, ("mx.test", "SIZE 33554432", "8BITMIME", "HELP"))


def events(data: bytes, eof: bool = False) -> list:
    p = ReplyParser()
    p.receive_data(data)
    if eof:
        p.receive_eof()
    out = []
    while (ev := p.next_event()) is not NEED_DATA:
        out.append(ev)
    return out


def test_reply_parser_whole_and_bytewise():
    assert events(EHLO) == [EHLO_REPLY]
    p, got = ReplyParser(), []
    for i in range(len(EHLO)):
        p.receive_data(EHLO[i:i + 1])
        if (ev := p.next_event()) is not NEED_DATA:
            got.append(ev)
    assert got == [EHLO_REPLY]


def test_trailing_bytes_are_left_alone():
    p = ReplyParser()
    p.receive_data(b"220 2.0.0 Ready to start TLS\r\n\x16\x03\x01rest")
    assert p.next_event() == Reply(220, ("2.0.0 Ready to start TLS",))
    assert p.next_event() is NEED_DATA
    assert p.trailing_data == b"\x16\x03\x01rest"
    assert p.take_trailing_data() == b"\x16\x03\x01rest" and p.trailing_data == b""


def test_two_replies_in_one_read():
    assert events(b"250 a\r\n354 go\r\n") == [Reply(250, ("a",)), Reply(354, ("go",))]


def test_reply_class_and_enhanced_code():
    r = events(b"550 5.1.1 <x@y.test>: Recipient address rejected\r\n")[0]
    assert (r.code, r.klass, r.enhanced, r.is_error) == (550, 5, "5.1.1", True)
    assert events(b"250 2.0.0 Ok\r\n")[0].enhanced == "2.0.0"
    # A class that does not match the code is not an enhanced code of this reply.
    assert events(b"250 5.1.1 odd\r\n")[0].enhanced is None
    assert events(b"250 ok 2.0.0\r\n")[0].enhanced is None


def test_code_alone_and_wire_lines():
    r = events(b"250-first\r\n250\r\n")[0]
    assert r.lines == ("first", "")
    assert r.wire_lines() == ["250-first", "250"]
    assert EHLO_REPLY.wire_lines()[-1] == "250 HELP"


def test_line_without_code_is_garbage_not_an_exception():
    assert events(b"hello there\r\n250 ok\r\n") == [
        Garbage("hello there", "line without a reply code"), Reply(250, ("ok",))]


def test_code_change_inside_multiline_is_flagged():
    (r,) = events(b"250-one\r\n251 two\r\n")
    assert r.code == 250 and r.lines == ("one", "two")
    assert any("changed from 250 to 251" in w for w in r.warnings)


def test_bare_lf_is_accepted_and_flagged():
    (r,) = events(b"220 mx.test ESMTP\n")
    assert r.lines == ("mx.test ESMTP",)
    assert any("bare LF" in w for w in r.warnings)


def test_over_long_line_is_shown_and_flagged():
    text = "x" * 600
    (r,) = events(b"250 " + text.encode() + b"\r\n")
    assert r.lines == (text,)
    assert any("over the limit of 512" in w for w in r.warnings)


def test_non_utf8_is_escaped_and_flagged():
    (r,) = events(b"250 caf\xe9\r\n")
    assert r.lines == ("caf\\xe9",)
    assert any("not UTF-8" in w for w in r.warnings)


def test_out_of_range_code_is_parsed_and_keeps_its_digits():
    # The parser reads it; the client core calls it a protocol violation (test_client.py).
    (r,) = events(b"199 what\r\n000 zero\r\n")[:1]
    assert r.code == 199
    (z,) = events(b"000 zero\r\n")
    assert z.wire_lines() == ["000 zero"]


def test_close_mid_reply():
    assert events(b"250-one\r\n250-two\r\n", eof=True) == [Closed(("one", "two"))]
    # A last line cut off by the close is still shown, flagged, then the close.
    first, last = events(b"250-one\r\n250 tw", eof=True)
    assert first.lines == ("one", "tw") and any("not ended" in w for w in first.warnings)
    assert last == Closed(())
    assert events(b"", eof=True) == [Closed(())]


def test_endless_line_is_cut():
    p = ReplyParser()
    p.receive_data(b"250 " + b"a" * (protocol.MAX_BUFFERED_LINE + 10))
    ev = p.next_event()
    assert isinstance(ev, Reply) and any("without an end" in w for w in ev.warnings)


@given(st.binary(max_size=2000), st.integers(min_value=1, max_value=50))
def test_parser_never_raises(data, step):
    p = ReplyParser()
    for i in range(0, len(data), step):
        p.receive_data(data[i:i + step])
        while p.next_event() is not NEED_DATA:
            pass
    p.receive_eof()
    evs = []
    while not isinstance(ev := p.next_event(), Closed):
        assert ev is not NEED_DATA
        evs.append(ev)
    assert len(evs) <= 1  # at most the cut-off last line, then the close


@given(st.lists(st.tuples(st.integers(200, 599),
                          st.lists(st.text(st.characters(blacklist_categories=("Cs", "Cc")),
                                           max_size=40), min_size=1, max_size=5)),
                max_size=5))
def test_parser_reads_back_what_a_server_writes(replies):
    wire = b""
    for code, lines in replies:
        wire += b"".join(
            f"{code}{'-' if i < len(lines) - 1 else ' '}{line}\r\n".encode()
            for i, line in enumerate(lines))
    got = events(wire)
    assert [(r.code, list(r.lines)) for r in got] == [(c, ls) for c, ls in replies]


# --- capabilities --------------------------------------------------------------------------


def test_capabilities_from_ehlo():
    reply = events(b"250-mx.test Hello\r\n250-SIZE 10240000\r\n250-AUTH PLAIN LOGIN\r\n"
                   b"250-AUTH=LOGIN\r\n250-starttls\r\n250-DSN\r\n250 8BITMIME\r\n")[0]
    caps = Capabilities.from_ehlo(reply)
    assert caps.domain == "mx.test"
    assert caps.size == 10240000
    assert caps.auth_mechanisms == ("PLAIN", "LOGIN")
    assert caps.has("STARTTLS") and caps.has("dsn") and not caps.has("SMTPUTF8")
    assert Capabilities.from_ehlo(Reply(500, ("no",))).keywords == {}
    assert Capabilities.from_ehlo(events(b"250-x\r\n250 SIZE 0\r\n")[0]).size is None


# --- commands ------------------------------------------------------------------------------


def test_encode_command():
    assert encode_command("EHLO me.test") == b"EHLO me.test\r\n"
    assert encode_command("MAIL FROM:<jörg@x.test> SMTPUTF8") == (
        "MAIL FROM:<jörg@x.test> SMTPUTF8\r\n".encode())
    for bad in ("RSET\r\nQUIT", "NOOP\n", "a\rb"):
        with pytest.raises(LocalProtocolError):
            encode_command(bad)


def test_split_command_and_params():
    assert split_command("mail from:<a@b.test> SIZE=10") == ("MAIL", "from:<a@b.test> SIZE=10")
    assert split_command("MAIL FROM:<a@b.test>") == ("MAIL", "FROM:<a@b.test>")
    assert split_command("rcpt to: <c@d.test>") == ("RCPT", "to: <c@d.test>")
    assert split_command("  ehlo   x ") == ("EHLO", "x")
    assert esmtp_params("FROM:<a@b> SIZE=100 body=8bitmime SMTPUTF8") == {
        "SIZE": "100", "BODY": "8bitmime", "SMTPUTF8": None}
    assert esmtp_params("TO:<c@d>") == {}


# --- message text ------------------------------------------------------------------------


def test_data_encoder_crlf_and_dot_stuffing():
    assert encode_message(b"Subject: x\n\n.hidden\n..two\nend") == (
        b"Subject: x\r\n\r\n..hidden\r\n...two\r\nend\r\n.\r\n")
    assert encode_message(b".first\r\nbare\rcr\r\n") == b"..first\r\nbare\r\ncr\r\n.\r\n"
    assert encode_message(b"") == b".\r\n"
    assert encode_message(b"a\r\n") == b"a\r\n.\r\n"


def test_data_encoder_chunk_boundaries():
    text = b"a\r\n.b\r\n\r\n.\r\nc\rd\n.e"
    whole = encode_message(text)
    for size in range(1, len(text) + 1):
        enc = DataEncoder()
        out = b"".join(enc.feed(text[i:i + size]) for i in range(0, len(text), size))
        assert out + enc.end() == whole, size


def test_data_encoder_measures():
    enc = DataEncoder()
    enc.feed(b"short\n" + b"x" * 1200 + b"\nab")
    enc.feed("ü\n".encode())
    enc.end()
    assert enc.max_line == 1200 and enc.eight_bit and enc.lines == 3


@given(st.binary(max_size=3000), st.integers(1, 64))
def test_wire_has_no_bare_cr_or_lf(text, size):
    enc = DataEncoder()
    wire = b"".join(enc.feed(text[i:i + size]) for i in range(0, len(text), size)) + enc.end()
    assert re.search(rb"\r(?!\n)|(?<!\r)\n", wire) is None
    assert wire.endswith(b"\r\n.\r\n") or wire == b".\r\n"
    assert b"\r\n.\r\n" not in wire[:-3]  # the only lone dot is the end


def reference_encode(text: bytes) -> tuple[bytes, int, int, bool]:
    """The rules of DataEncoder written plainly, line by line, for the whole text at once:
    (wire, lines, longest line, eight_bit)."""
    lines = re.split(rb"\r\n|\r|\n", text)
    ended = len(lines) - 1
    if lines[-1] == b"":
        lines.pop()
    wire = b"".join((b"." + x if x.startswith(b".") else x) + b"\r\n" for x in lines)
    return wire + b".\r\n", ended, max(map(len, lines), default=0), not text.isascii()


def feed_split(text: bytes, cuts: list[int]) -> tuple[DataEncoder, bytes]:
    enc = DataEncoder()
    bounds = [0, *sorted({c % (len(text) + 1) for c in cuts}), len(text)]
    wire = b"".join(enc.feed(text[a:b]) for a, b in zip(bounds, bounds[1:], strict=False))
    return enc, wire + enc.end()


# Text made of the octets that matter (line ends, dots, one 8-bit byte), with long runs
# now and then so that lines around the 998-octet limit come up, in LF, CRLF or mixed form.
_PIECES = st.one_of(
    st.sampled_from([b"\n", b"\r\n", b"\r", b".", b"..", b"x", b"\xe9", b"\n.", b"\r\n."]),
    st.integers(990, 1010).map(lambda n: b"y" * n),
    st.binary(max_size=20))
_TEXT = st.one_of(
    st.lists(_PIECES, max_size=40).map(b"".join),
    st.lists(st.tuples(st.integers(0, 1100), st.booleans(), st.sampled_from([b"\n", b"\r\n"])),
             max_size=12).map(lambda ls: b"".join((b"." if dot else b"") + b"z" * n + end
                                                  for n, dot, end in ls)))


@given(_TEXT, st.lists(st.integers(0, 1 << 16), max_size=8))
def test_data_encoder_any_split_gives_the_whole(text, cuts):
    whole_enc, whole = feed_split(text, [])
    enc, wire = feed_split(text, cuts)
    assert wire == whole
    assert (enc.octets, enc.lines, enc.eight_bit) == (
        whole_enc.octets, whole_enc.lines, whole_enc.eight_bit)
    if whole_enc.max_line > protocol.MAX_DATA_LINE:
        assert enc.max_line == whole_enc.max_line
    else:
        assert enc.max_line <= protocol.MAX_DATA_LINE


@given(_TEXT, st.lists(st.integers(0, 1 << 16), max_size=8))
def test_data_encoder_matches_the_plain_rules(text, cuts):
    wire, lines, longest, eight_bit = reference_encode(text)
    enc, got = feed_split(text, cuts)
    assert got == wire
    assert enc.octets == len(wire) - 3  # the dot line is not counted
    assert (enc.lines, enc.eight_bit) == (lines, eight_bit)
    if longest > protocol.MAX_DATA_LINE:
        assert enc.max_line == longest  # exact when there is something to warn about
    else:
        assert enc.max_line <= protocol.MAX_DATA_LINE


@pytest.mark.parametrize("end", [b"\n", b"\r\n", b"\r"])
@pytest.mark.parametrize("size", [997, 998, 999, 1000, 2500])
@pytest.mark.parametrize("where", ["first", "inner", "last", "alone"])
def test_data_encoder_long_line_at_the_limit(end, size, where):
    long = b"q" * size
    short = end.join([b"a", b"bb", b".c"] * 40)
    text = {"first": long + end + short + end, "inner": short + end + long + end + short,
            "last": short + end + long, "alone": long}[where]
    for cuts in ([], [1], [len(text) // 2], list(range(0, len(text), 64))):
        enc, wire = feed_split(text, cuts)
        assert wire == reference_encode(text)[0]
        if size > protocol.MAX_DATA_LINE:
            assert enc.max_line == size, cuts
        else:
            assert enc.max_line <= protocol.MAX_DATA_LINE, cuts


@given(st.lists(st.text(st.characters(blacklist_characters="\r\n", blacklist_categories=("Cs",)),
                        max_size=30), max_size=20))
def test_dot_stuffing_round_trip(lines):
    text = "".join(f"{x}\n" for x in lines).encode()
    assert unstuff(encode_message(text)) == "".join(f"{x}\r\n" for x in lines).encode()


@pytest.mark.parametrize("module", ["protocol.py", "client.py", "auth.py"])
def test_protocol_module_is_sans_io(module):
    src = (pathlib.Path(protocol.__file__).parent / module).read_text()
    for mod in ("socket", "ssl", "asyncio", "prompt_toolkit"):
        assert not re.search(rf"^\s*(import|from) {mod}\b", src, re.M), mod
