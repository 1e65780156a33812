"""The Received-chain reader on the shared example and on Gmail, Exim and Sendmail headers."""

import email.utils
import io
import re
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from smtpsh.message import main_received
from smtpsh.received import Hop, parse_chain, render

DATA = Path(__file__).parent / "data"
CEST = timezone(timedelta(hours=2))


def read(name: str) -> str:
    return (DATA / name).read_text(encoding="utf-8")


@pytest.fixture
def chain() -> list[Hop]:
    return parse_chain(read("received-chain.txt"))


# --- the shared example: 12 hops through PowerMTA, Postfix, amavis and Exchange -------------


def test_example_has_twelve_hops_oldest_first(chain):
    assert len(chain) == 12
    first, last = chain[0], chain[-1]
    assert (first.from_helo, first.from_ip, first.by) == (
        "rs-connection-smtp", "10.19.29.15", "r19.mail3.rapidmail.de")
    assert first.software == "PowerMTA(TM) v3.5r16"
    assert (last.from_helo, last.by) == ("ex2k3-service.tassoev.local", "exchange.TASSOeV.local")
    assert all(hop.parsed for hop in chain)


def test_example_timestamps_keep_their_zones(chain):
    assert chain[0].timestamp == datetime(2013, 5, 12, 11, 9, 6, tzinfo=CEST)
    assert chain[-1].timestamp == datetime(2013, 5, 12, 11, 22, 54, tzinfo=CEST)
    for hop in chain:
        assert hop.timestamp and hop.timestamp.utcoffset() == timedelta(hours=2)


def test_example_delays(chain):
    seconds = [hop.delay.total_seconds() if hop.delay is not None else None for hop in chain]
    assert seconds == [None, 636, 30, 35, 24, 2, 20, 35, 36, 10, 0, 0]
    assert sum(s for s in seconds if s) == 13 * 60 + 48
    assert not any(hop.backwards for hop in chain)


def test_example_slowest_hop_and_greylisting(chain):
    assert [n for n, hop in enumerate(chain, 1) if hop.slowest] == [2]
    hop = chain[1]
    assert (hop.from_helo, hop.by) == ("r19.mail3.rapidmail.de", "mail.lutz-uwe-lehmann.de")
    assert hop.greylist == timedelta(seconds=898)
    assert any("898 s" in note and "postgrey-1.34" in note for note in hop.notes)
    assert [n for n, hop in enumerate(chain, 1) if hop.greylist] == [2]


def test_example_internal_hops(chain):
    internal = [n for n, hop in enumerate(chain, 1) if hop.internal]
    assert internal == [1, 3, 4, 5, 6, 7, 8, 10, 11, 12]  # 10.x, 127.0.0.1, 192.168.x
    assert chain[1].from_ip == "193.238.61.208" and chain[8].from_ip == "188.40.71.209"
    assert chain[9].from_ip == "192.168.1.1" and chain[9].from_rdns == "ass.tasso.net"


def test_example_folded_lines(chain):
    amavis = chain[2]  # the date is folded before "+0200 (CEST)"
    assert amavis.timestamp == datetime(2013, 5, 12, 11, 20, 12, tzinfo=CEST)
    assert (amavis.by, amavis.software) == ("localhost", "amavisd-new, port 10024")
    assert amavis.id == "tid_QTycapo7" and amavis.for_ == "lutz@lutz-uwe-lehmann.de"
    postfix = chain[5]  # "(CEST)" alone on the continuation line
    assert postfix.timestamp == datetime(2013, 5, 12, 11, 21, 13, tzinfo=CEST)
    assert postfix.for_ == "lutz.lehmann@tasso.net" and postfix.id == "6361B15BE009"


def test_example_exchange_hops(chain):
    assert chain[4].with_ == "Microsoft SMTPSVC"
    assert (chain[11].with_, chain[11].id) == ("Microsoft SMTP Server", "8.3.298.1")
    assert chain[11].from_ip == "192.168.1.249"
    assert not any(hop.tls or hop.authenticated for hop in chain)


def test_example_render(chain):
    text = render(chain)
    assert "total transit time 13m48s" in text
    assert "slowest hop: #2 r19.mail3.rapidmail.de -> mail.lutz-uwe-lehmann.de, 10m36s" in text
    assert "greylisting: hop #2 was delayed 14m58s" in text
    assert "internal hops (private or loopback sender address): 1, 3, 4, 5, 6, 7, 8, 10" in text
    rows = [line for line in text.splitlines() if re.match(r"\d+  ", line)]
    assert len(rows) == 12 and rows[0].startswith("1 ") and rows[-1].startswith("12 ")


def test_header_only_and_crlf_give_the_same_chain(chain):
    header = read("received-chain.txt").split("\n\n")[0]
    assert [h.raw for h in parse_chain(header)] == [h.raw for h in chain]
    crlf = read("received-chain.txt").replace("\n", "\r\n")
    assert [h.timestamp for h in parse_chain(crlf)] == [h.timestamp for h in chain]


# --- other servers ------------------------------------------------------------------------------


def test_gmail_chain():
    hops = parse_chain(read("received-gmail.txt"))
    assert len(hops) == 3  # X-Received is not a Received field
    submit, mx, internal = hops
    assert submit.with_ == "ESMTPSA" and submit.tls and submit.authenticated
    assert (submit.from_helo, submit.from_rdns, submit.from_ip) == (
        "[192.168.1.23]", "dsl-203-0-113-77.example.net", "203.0.113.77")
    assert not submit.internal  # the HELO literal is private, the connecting address is not
    assert mx.by == "mx.google.com" and mx.tls and not mx.authenticated
    assert (mx.from_rdns, mx.from_ip, mx.for_) == (
        "mail.example.org", "198.51.100.25", "bob.example@gmail.com")
    assert internal.from_helo is None and internal.by.startswith("2002:a05:")
    assert internal.with_ == "SMTP" and internal.id == "c12csp1874523dyc"
    assert [h.delay for h in hops[1:]] == [timedelta(seconds=2), timedelta(seconds=1)]


def test_exim_chain():
    hops = parse_chain(read("received-exim.txt"))
    assert [h.by for h in hops] == ["gmailapi.google.com", "mail-wm1-f54.google.com",
                                    "mx.example.net", "mx.example.net"]
    api, google, exim, lmtp = hops
    assert (api.from_helo, api.with_) == ("123456789012", "HTTPREST")
    assert (exim.from_ip, exim.with_, exim.software) == ("209.85.128.54", "esmtps", "Exim 4.96")
    assert exim.tls and not exim.authenticated
    assert exim.id == "1rhBqv-00AbCd-2N" and exim.for_ == "dave@example.net"
    assert lmtp.with_ == "LMTP" and lmtp.for_ == "dave@example.net"
    assert all(h.delay == timedelta(seconds=1) for h in hops[1:])
    # Every hop took a second: none is "slowest".
    assert not any(h.slowest for h in hops)
    assert "slowest" not in render(hops)


def test_exim_helo_in_comment():
    hop = parse_chain("Received: from host.example.net ([192.0.2.9] helo=laptop)\n"
                      " by mx.example.org with esmtpsa (TLS1.3) tls TLS_AES_256_GCM_SHA384\n"
                      " (Exim 4.96) (envelope-from <a@example.net>) id 1r-2; "
                      "Mon, 04 Mar 2024 19:15:10 +0100\n")[0]
    assert (hop.from_helo, hop.from_rdns, hop.from_ip) == ("laptop", "host.example.net",
                                                           "192.0.2.9")
    assert hop.tls and hop.authenticated


def test_sendmail_chain_with_a_clock_going_backwards():
    hops = parse_chain(read("received-sendmail.txt"))
    assert len(hops) == 5
    local, loopback, relay, mx, final = hops
    assert local.from_helo == "frank@localhost" and any("locally" in n for n in local.notes)
    assert local.software == "8.15.2/8.15.2/Submit"
    assert loopback.internal and loopback.from_ip == "127.0.0.1"
    assert relay.internal and relay.authenticated and relay.tls
    assert mx.backwards and mx.delay == timedelta(minutes=-2, seconds=-17)
    assert not mx.internal and mx.tls
    assert final.from_ip == "::1" and final.internal
    text = render(hops)
    assert "clock: hop #4" in text and "not reliable" in text


def test_exchange_online_hop_with_ipv6_and_tls():
    hop = parse_chain(
        "Received: from AM0PR02MB1234.eurprd02.prod.outlook.com (2603:10a6:208:1::23) by\n"
        " AM0PR02MB5678.eurprd02.prod.outlook.com (2603:10a6:208:2::11) with Microsoft SMTP\n"
        " Server (version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id\n"
        " 15.20.7362.4 via Frontend Transport; Mon, 4 Mar 2024 18:15:05 +0000\n")[0]
    assert hop.from_ip == "2603:10a6:208:1::23" and hop.tls
    assert hop.with_ == "Microsoft SMTP Server" and hop.id == "15.20.7362.4"


# --- the slowest hop: flagged only when it stands out ------------------------------------------


def chain_with_delays(*seconds: int) -> list[Hop]:
    """A chain whose hops follow each other by these delays (oldest first)."""
    start = datetime(2024, 3, 4, 10, 0, tzinfo=UTC)
    times = [start]
    for delay in seconds:
        times.append(times[-1] + timedelta(seconds=delay))
    fields = [f"Received: from h{n} by h{n + 1}; {email.utils.format_datetime(when)}\n"
              for n, when in enumerate(times)]
    return parse_chain("".join(reversed(fields)))


@pytest.mark.parametrize(("seconds", "slowest"), [
    ((1, 1, 1), []),  # the Exim example: nothing stands out
    ((1, 5, 2), []),  # the slowest is still quick
    ((59, 2), []),  # under a minute
    ((600, 600, 3), []),  # a tie
    ((120, 100), []),  # not clearly slower than the other
    ((636, 30, 36), [2]),  # as in the shared example
    ((2, 60, 30), [3]),  # a minute, twice the next
    ((300,), [2]),  # the only delay, and a long one
    ((-137, 900, 20), [3]),  # a clock going backwards does not count as fast
])
def test_slowest_hop_only_when_it_stands_out(seconds: tuple[int, ...], slowest: list[int]):
    hops = chain_with_delays(*seconds)
    assert [h.delay.total_seconds() for h in hops[1:]] == list(seconds)
    assert [n for n, hop in enumerate(hops, 1) if hop.slowest] == slowest
    assert ("slowest hop:" in render(hops)) == bool(slowest)


# --- zone names -------------------------------------------------------------------------------


@pytest.mark.parametrize(("zone", "offset"), [
    ("CEST", 2), ("CET", 1), ("GMT", 0), ("UT", 0), ("UTC", 0), ("EST", -5), ("EDT", -4),
    ("CST", -6), ("CDT", -5), ("MST", -7), ("MDT", -6), ("PST", -8), ("PDT", -7), ("BST", 1),
    ("MSK", 3), ("JST", 9), ("cest", 2),
])
def test_zone_names_keep_the_time(zone: str, offset: int):
    hop = parse_chain(f"Received: from a by b; Sun, 12 May 2013 11:22:54 {zone}\n")[0]
    assert hop.timestamp == datetime(2013, 5, 12, 11, 22, 54,
                                     tzinfo=timezone(timedelta(hours=offset)))
    assert not hop.notes


def test_zone_name_lets_delays_be_measured():
    hops = parse_chain("Received: from b by c; Sun, 12 May 2013 11:22:54 CEST\n"
                       "Received: from a by b; Sun, 12 May 2013 09:20:54 GMT\n")
    assert hops[1].delay == timedelta(minutes=2)
    assert "11:22:54 +0200" in render(hops)


@pytest.mark.parametrize("zone", ["IST", "XYZT"])
def test_unknown_zone_keeps_the_time_with_a_note(zone: str):
    hops = parse_chain(f"Received: from b by c; Sun, 12 May 2013 11:22:54 {zone}\n"
                       "Received: from a by b; Sun, 12 May 2013 09:20:54 GMT\n")
    hop = hops[1]
    assert hop.timestamp is None and hop.delay is None  # not compared with a zoned time
    assert hop.unzoned == datetime(2013, 5, 12, 11, 22, 54)
    assert any(f"time zone {zone} not known" in note for note in hop.notes)
    out = render(hops)
    assert "2013-05-12 11:22:54 ?" in out and f"note: time zone {zone} not known" in out


# --- what cannot be read ------------------------------------------------------------------------


def test_milter_greylist_field():
    hops = parse_chain("X-Greylist: Delayed for 00:12:03 by milter-greylist-4.6.4 "
                       "(mx.example.org [10.1.1.1]); Mon, 04 Mar 2024 19:27:13 +0100\n"
                       "Received: from a.example.net (a.example.net [192.0.2.7]) by "
                       "mx.example.org (8.17.1/8.17.1) with ESMTP id 1; "
                       "Mon, 04 Mar 2024 19:27:12 +0100\n")
    assert hops[0].greylist == timedelta(minutes=12, seconds=3)
    assert "milter-greylist-4.6.4" in hops[0].notes[0]


def test_garbage_lines_are_kept_raw_and_do_not_crash():
    text = ("Received: this line is garbage ;; and has no date\n"
            "Received:\n"
            "a header line without a colon\n"
            "Received: (qmail 1234 invoked from network); 4 Mar 2024 10:00:00 -0000\n"
            + read("received-chain.txt"))
    hops = parse_chain(text)
    assert len(hops) == 15
    assert hops[12].timestamp == datetime(2024, 3, 4, 10, 0, tzinfo=UTC)
    unread = [hop for hop in hops if not hop.parsed]
    assert len(unread) == 2 and all(hop.notes for hop in unread)
    out = render(hops)
    assert "raw: this line is garbage ;; and has no date" in out
    assert "not understood: hop 14, 15 (shown raw)" in out


def test_unclosed_comment_does_not_swallow_the_rest():
    hop = parse_chain("Received: from a.example (a.example [192.0.2.1] by mx.example.org "
                      "with ESMTP id 123; Mon, 4 Mar 2024 10:00:00 +0000\n")[0]
    assert (hop.from_helo, hop.by, hop.with_, hop.id) == (
        "a.example", "mx.example.org", "ESMTP", "123")
    assert hop.timestamp == datetime(2024, 3, 4, 10, 0, tzinfo=UTC)
    assert hop.partly and any("not understood" in note for note in hop.notes)
    out = render([hop])
    assert "note: partly not understood: a '(' is never closed" in out
    assert "raw: from a.example (a.example" in out and "partly not understood: hop 1" in out


@pytest.mark.parametrize("value", ["from a (b by c with d", "by c (x; Mon, 4 Mar 2024 10:00 +0000",
                                   "from (((", "by ;(", "(qmail 1 invoked; 4 Mar 2024 10:00 +0000"])
def test_an_unclosed_comment_is_never_silent(value):
    hop = parse_chain(f"Received: {value}\n")[0]
    assert not hop.parsed or any("not understood" in note for note in hop.notes)
    assert "not understood" in render([hop])


@pytest.mark.parametrize("value", ["from (((", "from [", "; ; ;", "by ;(", "from ) by ( ;",
                                   "from <unclosed by x", "for", "with", "from [IPv6:zz]",
                                   "id ; Mon, 99 Foo 2024 99:99:99 +9999", "\x00\xff",
                                   "from a (b [c] helo=) by d; Mon, 4 Mar 2024 10:00 +0000"])
def test_malformed_values_never_raise(value):
    hops = parse_chain(f"Received: {value}\nReceived: from a by b; Mon, 4 Mar 2024 10:00 +0000\n")
    assert len(hops) == 2
    render(hops)


def test_nothing_to_read():
    assert parse_chain("") == [] and parse_chain("Subject: hi\n\nbody") == []
    assert render([]) == "No Received: header field found."


# --- the command ---------------------------------------------------------------------------------


def test_main_received_file(capsys, monkeypatch):
    monkeypatch.delenv("COLUMNS", raising=False)
    assert main_received(str(DATA / "received-chain.txt")) == 0
    out, err = capsys.readouterr()
    assert "total transit time 13m48s" in out and err == ""


def test_main_received_stdin(capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO(read("received-exim.txt")))
    assert main_received("-") == 0
    assert "Exim 4.96" in capsys.readouterr().out


def test_main_received_unreadable(capsys, tmp_path):
    assert main_received(str(tmp_path / "missing.eml")) == 1
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and "missing.eml" in err
    assert main_received(str(tmp_path)) == 1  # a directory
    assert capsys.readouterr().err.count("\n") == 1


def test_main_received_without_received_fields(capsys, tmp_path):
    path = tmp_path / "plain.eml"
    path.write_text("Subject: hi\n\nbody\n")
    assert main_received(str(path)) == 1
    assert "no Received:" in capsys.readouterr().err


# --- the width ---------------------------------------------------------------------------------


def test_table_when_it_fits_blocks_when_it_does_not(chain):
    wide = render(chain)
    assert max(len(line) for line in wide.splitlines()) > 160  # the whole table, one row a hop
    assert render(chain, 200) == wide
    narrow = render(chain, 80)
    lines = narrow.splitlines()
    assert max(len(line) for line in lines) <= 80, narrow
    assert lines[0].split() == ["#", "time", "(2013-05-12)", "delay", "flags"]
    hops = [line for line in lines if re.match(r"\d+ +\d\d:", line)]
    assert [line.split()[0] for line in hops] == [str(n) for n in range(1, 13)]
    assert hops[1].split() == ["2", "11:19:42", "+0200", "+10m36s", "slowest", "greylisted"]
    # Nothing cut off, no word broken: every field of the table is in the blocks whole.
    for hop in chain:
        for text in (hop.by, hop.from_ip, hop.software, hop.with_, hop.id, hop.for_):
            assert text is None or text in narrow
    assert "    by   r19.mail3.rapidmail.de (PowerMTA(TM) v3.5r16)" in lines
    assert "greylisting: hop #2 was delayed 14m58s by greylisting (the first attempt was" in lines
    assert "  refused with a 4xx, as greylisting does, and the sender retried)" in lines


def test_in_german_at_80_columns():
    from smtpsh import i18n

    i18n.set_language("de")  # before reading: the notes are worded as the hops are read
    try:
        text = render(parse_chain(read("received-chain.txt")), 80)
    finally:
        i18n.set_language(None)
    assert max(len(line) for line in text.splitlines()) <= 80, text
    flat = " ".join(text.split())
    assert text.splitlines()[0].split() == ["#", "Zeit", "(2013-05-12)", "Verzögerung",
                                            "Merkmale"]
    assert "12 Stationen, 2013-05-12 11:09:06 +0200 bis 2013-05-12 11:22:54 +0200: gesamte" \
        " Laufzeit 13m48s" in flat
    assert "langsamste Station: #2 r19.mail3.rapidmail.de -> mail.lutz-uwe-lehmann.de," \
        " 10m36s (Greylisting hielt sie dort auf)" in flat
    assert "Hinweis: Greylisting: 898 s (14m58s) aufgehalten von postgrey-1.34" in flat
    assert "+10m36s langsamste Greylisting" in flat  # the flags
    assert "from r19.mail3.rapidmail.de" in flat  # the field's own words stay


def test_a_word_longer_than_the_line_stays_whole():
    host = "a-very-long-host-name-" * 5 + ".example"
    hops = parse_chain(f"Received: from {host} ([192.0.2.1]) by mx.example.org with ESMTP;"
                       " Sun, 12 May 2013 11:09:06 +0200\n")
    assert host in render(hops, 40)


def test_main_received_follows_columns(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    assert main_received(str(DATA / "received-chain.txt")) == 0
    out = capsys.readouterr().out
    assert max(len(line) for line in out.splitlines()) <= 80, out
    assert "total transit" in out and "13m48s" in out
    monkeypatch.delenv("COLUMNS")  # not a terminal (capsys) and no COLUMNS: lines kept whole
    assert main_received(str(DATA / "received-chain.txt")) == 0
    assert "total transit time 13m48s" in capsys.readouterr().out


def test_received_command_at_80_columns(smtpsh):
    p = smtpsh("--received", str(DATA / "received-exim.txt"), env_extra={"COLUMNS": "80"})
    assert p.returncode == 0, p.stderr
    text = p.stdout.decode()
    assert "Exim 4.96" in text and max(len(line) for line in text.splitlines()) <= 80, text
