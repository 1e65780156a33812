"""The one model for findings: verdicts, the card, JSON, Nagios, exit statuses."""

from __future__ import annotations

import json

from smtpsh.exitcodes import Exit
from smtpsh.findings import Card, Finding, Verdict, render_card


def card(*verdicts: Verdict) -> Card:
    c = Card("smtpsh --check example.test")
    s = c.section("mx.example.test [127.0.0.1]:25")
    for i, v in enumerate(verdicts):
        s.add(Finding(f"t.{i}", v, f"finding {i}", "seen \x1b[31m", "why", "RFC 5321 4.2"))
    return c


def test_the_worst_verdict_gives_the_exit_status() -> None:
    assert card(Verdict.PASS, Verdict.INFO).exit_status() == Exit.OK
    assert card(Verdict.PASS, Verdict.WARN).exit_status() == Exit.CARD_WARN
    assert card(Verdict.WARN, Verdict.FAIL, Verdict.SKIP).exit_status() == Exit.CARD_FAIL
    assert Card("empty").exit_status() == Exit.OK


def test_json_document() -> None:
    doc = json.loads(json.dumps(card(Verdict.PASS, Verdict.FAIL).to_json()))
    assert doc["v"] == 1 and doc["verdict"] == "fail"
    (section,) = doc["sections"]
    assert [f["verdict"] for f in section["findings"]] == ["pass", "fail"]
    assert set(section["findings"][0]) == {"id", "verdict", "title", "evidence", "why", "rfc"}


def test_nagios_line_and_code() -> None:
    line, code = card(Verdict.PASS, Verdict.WARN).nagios()
    assert code == 1 and line.startswith("SMTPSH WARNING - finding 1 |")
    assert "pass=1 warn=1 fail=0" in line
    assert card(Verdict.PASS).nagios()[1] == 0
    assert card(Verdict.FAIL).nagios()[1] == 2


def test_the_card_escapes_what_it_shows_and_wraps() -> None:
    text = "".join(t for _, t in render_card(card(Verdict.FAIL), width=40))
    assert "\x1b" not in text and "seen \\x1b[31m" in text
    assert "fail finding 0" in text and "overall: fail" in text
    assert max(len(x) for x in text.splitlines()) <= 48
