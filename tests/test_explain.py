"""The knowledge base (smtpsh/data/*.json) and explain(): completeness and answers."""

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from smtpsh import explain as kb
from smtpsh.explain import (
    UnknownThing,
    enhanced_code,
    explain,
    keyword,
    main_explain,
    one_line,
    reply_code,
    verb,
    verbs,
)

DATA = Path(kb.__file__).parent / "data"
SOURCE = re.compile(r"\bRFC \d+|draft-")

# RFC 5321 §4.2.3, "Reply Codes in Numeric Order".
RFC5321_CODES = [211, 214, 220, 221, 250, 251, 252, 354, 421, 450, 451, 452, 455, 500, 501,
                 502, 503, 504, 550, 551, 552, 553, 554, 555]
LATER_CODES = {235: "RFC 4954", 334: "RFC 4954", 432: "RFC 4954", 454: "RFC 3207",
               530: "RFC 4954", 534: "RFC 4954", 535: "RFC 4954", 538: "RFC 4954",
               521: "RFC 7504", 556: "RFC 7504"}

# The IANA "Enumerated Status Codes" registry as updated 2024-12-06 holds 81 codes:
# X.0.0, X.1.0-X.1.10, X.2.0-X.2.4, X.3.0-X.3.6, X.4.0-X.4.7, X.5.0-X.5.6, X.6.0-X.6.10
# and X.7.0-X.7.30.
IANA_COUNT = 81
IANA_RANGES = {0: 0, 1: 10, 2: 4, 3: 6, 4: 7, 5: 6, 6: 10, 7: 30}

VERBS = ["HELO", "EHLO", "MAIL", "RCPT", "DATA", "RSET", "NOOP", "QUIT", "VRFY", "EXPN", "HELP",
         "STARTTLS", "AUTH", "BDAT", "ETRN", "LHLO", "ATRN", "TURN"]
KEYWORDS = ["SIZE", "8BITMIME", "PIPELINING", "DSN", "ETRN", "ENHANCEDSTATUSCODES", "STARTTLS",
            "AUTH", "CHUNKING", "BINARYMIME", "SMTPUTF8", "DELIVERBY", "CHECKPOINT",
            "MT-PRIORITY", "REQUIRETLS", "FUTURERELEASE", "BURL", "NO-SOLICITING", "CONPERM",
            "CONNEG", "RRVS", "LIMITS", "HELP", "VRFY", "EXPN", "SEND", "SOML", "SAML"]
STATES = {"connected", "greeted", "mail", "rcpt", "data"}


def load(name):
    return json.loads((DATA / name).read_text(encoding="utf-8"))


# --- completeness of the data ---------------------------------------------------------------


def test_every_rfc5321_reply_code_is_there():
    for code in RFC5321_CODES:
        info = reply_code(code)
        assert info and info["registered"], code
        assert info["source"].startswith("RFC 5321"), code


def test_reply_codes_added_since_are_there():
    for code, rfc in LATER_CODES.items():
        info = reply_code(code)
        assert info and info["registered"], code
        sources = [info["source"]] + [c["source"] for c in info.get("contexts", [])]
        assert any(s.startswith(rfc) for s in sources), (code, sources)


def test_every_reply_code_says_what_to_do():
    for code, entry in load("replycodes.json")["codes"].items():
        assert entry["title"] and entry["meaning"] and entry["action"], code


def test_iana_enumerated_codes_are_all_there():
    codes = load("enhanced.json")["codes"]
    assert len(codes) >= IANA_COUNT
    expected = {f"X.{s}.{d}" for s, last in IANA_RANGES.items() for d in range(last + 1)}
    assert expected <= set(codes)


def test_enhanced_entries_are_complete_and_consistent():
    for pattern, entry in load("enhanced.json")["codes"].items():
        assert entry["title"] and entry["description"], pattern
        assert set(entry["classes"]) <= {2, 4, 5} and entry["classes"], pattern
        for basic in entry["basic"]:  # a basic code's class is one the code is used with
            assert int(str(basic)[0]) in entry["classes"], (pattern, basic)


def test_class_and_subject_tables():
    data = load("enhanced.json")
    assert set(data["classes"]) == {"2", "4", "5"}
    assert [data["subjects"][str(n)]["title"].split()[0] for n in range(8)] == [
        "Other", "Addressing", "Mailbox", "Mail", "Network", "Mail", "Message", "Security"]


def test_every_entry_names_its_rfc():
    sources = []
    for name in ("replycodes.json", "enhanced.json"):
        data = load(name)
        for section in ("first_digit", "second_digit", "classes", "subjects", "codes"):
            for entry in data.get(section, {}).values():
                sources.append(entry["source"])
                sources += [c["source"] for c in entry.get("contexts", [])]
    for entry in load("verbs.json")["verbs"].values():
        sources.append(entry["source"])
        sources += [p["source"] for p in entry.get("params", [])]
    sources += [entry["source"] for entry in load("keywords.json")["keywords"].values()]
    assert len(sources) > 200
    for source in sources:
        assert SOURCE.search(source), source


def test_verbs_and_keywords_are_there():
    assert set(VERBS) <= set(verbs())
    keywords = list(load("keywords.json")["keywords"])
    assert set(KEYWORDS) <= set(keywords)
    for name in verbs():
        entry = verb(name)
        assert entry["syntax"] and entry["help"] and entry["example"], name
        assert entry["states"] and set(entry["states"]) <= STATES, name
    for name in keywords:
        entry = keyword(name)
        assert entry["syntax"] and entry["help"] and entry["example"], name


def test_mail_and_rcpt_parameters():
    mail = {p["name"]: p for p in verb("MAIL")["params"]}
    rcpt = {p["name"]: p for p in verb("RCPT")["params"]}
    assert {"SIZE", "BODY", "SMTPUTF8", "RET", "ENVID", "AUTH", "REQUIRETLS",
            "MT-PRIORITY"} <= set(mail)
    assert set(mail["BODY"]["values"]) == {"7BIT", "8BITMIME", "BINARYMIME"}
    assert mail["BODY"]["values"]["BINARYMIME"] == "BINARYMIME"
    assert set(mail["RET"]["values"]) == {"FULL", "HDRS"}
    assert {"NOTIFY", "ORCPT"} <= set(rcpt)
    assert set(rcpt["NOTIFY"]["values"]) == {"NEVER", "SUCCESS", "FAILURE", "DELAY"}
    for p in [*mail.values(), *rcpt.values()]:
        assert keyword(p["extension"]), p["name"]


def test_dialog_states_of_the_core_verbs():
    assert verb("MAIL")["states"] == ["greeted"]
    assert verb("RCPT")["states"] == ["mail", "rcpt"]
    assert verb("DATA")["states"] == ["rcpt"]
    assert "connected" in verb("EHLO")["states"]
    assert verb("STARTTLS")["states"] == ["greeted"]


def test_loading_is_lazy_and_stdlib_only():
    code = ("import sys, smtpsh.explain as e, smtpsh.received; "
            "print(e._data.cache_info().currsize, "
            "[m for m in sys.modules if m.split('.')[0] in ('prompt_toolkit', 'dns')])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "0 []"


# --- the lookup functions ---------------------------------------------------------------------


def test_reply_code():
    assert reply_code(550)["kind"] == "permanent"
    assert reply_code(421)["kind"] == "temporary"
    assert reply_code(354)["kind"] == "intermediate"
    unlisted = reply_code(422)
    assert unlisted["registered"] is False and unlisted["kind"] == "temporary"
    assert "connections" in unlisted["title"]
    for bad in (600, 199, 99, 1000, 560, True):
        assert reply_code(bad) is None, bad


def test_enhanced_code():
    info = enhanced_code("5.7.26")
    assert info["title"] == "Multiple authentication checks failed"
    assert info["kind"] == "permanent" and "RFC 7372" in info["source"]
    assert enhanced_code("x.7.26")["class"] is None
    assert enhanced_code("4.2.2")["title"] == "Mailbox full"
    assert enhanced_code("5.01.001")["code"] == "5.1.1"
    unregistered = enhanced_code("5.1.99")
    assert unregistered["registered"] is False
    assert unregistered["subject"]["title"] == "Addressing status"
    assert "Addressing status" in unregistered["title"]
    assert enhanced_code("4.9.1")["subject"] is None
    for bad in ("6.1.1", "5.1", "5.1.1.1", "5.1.1000", "abc"):
        assert enhanced_code(bad) is None, bad


def test_verb_and_keyword_lookup_ignores_case():
    assert verb("rcpt")["name"] == "RCPT"
    assert keyword("starttls")["name"] == "STARTTLS"
    assert keyword("8bitmime")["source"].startswith("RFC 6152")
    assert verb("FOO") is None and keyword("FOO") is None


def test_one_line():
    assert one_line(550, "5.1.1") == ("Bad destination mailbox address "
                                      "(permanent: do not retry unchanged)")
    assert one_line(421, None) == ("Service not available, closing transmission channel "
                                   "(temporary: retry later)")
    assert one_line(550, "5.1.99").startswith("Requested action not taken")
    assert one_line(451, "4.7.1").startswith("Delivery not authorized")
    assert one_line(451, "4.3.0") == "Requested action aborted: local error in processing " \
        "(temporary: retry later)"


@pytest.mark.parametrize("code, enhanced", [(235, "2.7.0"), (250, "2.1.5"), (250, None),
                                            (221, "2.0.0"), (220, None)])
def test_one_line_of_a_success_does_not_say_success_twice(code, enhanced):
    # "Authentication succeeded (success)": a 2xx needs no class word after its title.
    assert "success)" not in one_line(code, enhanced)
    assert one_line(235, "2.7.0") == "Authentication succeeded"
    assert one_line(334, None) == "Server challenge (AUTH) (go on)"
    assert one_line(999, None) == "not an SMTP reply code"


# --- explain() --------------------------------------------------------------------------------


def test_explain_basic_code():
    text = explain("550")
    assert text.startswith("550 Requested action not taken: mailbox unavailable")
    assert "Permanent" in text and "What to do:" in text and "RFC 5321 §4.2.3" in text
    assert all(len(line) <= 80 for line in text.splitlines())


def test_explain_unlisted_basic_code_by_digits():
    text = explain("422")
    assert "read by its digits" in text and "temporary" in text


def test_explain_code_with_contexts():
    text = explain("454")
    assert "RFC 3207" in text and "After AUTH" in text and "RFC 4954" in text


@pytest.mark.parametrize("code, title", [
    ("5.7.26", "Multiple authentication checks failed"),
    ("X.7.26", "Multiple authentication checks failed"),
    ("4.2.2", "Mailbox full"),
    ("5.7.1", "Delivery not authorized, message refused"),
    ("5.1.10", "Recipient address has null MX"),
    ("5.7.30", "REQUIRETLS support required"),
])
def test_explain_enhanced_code(code, title):
    text = explain(code)
    assert text.splitlines()[0] == f"{code} {title}"
    assert "IANA" in text


def test_explain_enhanced_code_answers_like_an_admin():
    text = explain("5.7.26")
    assert "SPF" in text and "DKIM" in text and "DMARC" in text
    assert "Permanent failure" in text
    assert "4.2.2" in explain("4.2.2") and "temporary" in explain("4.2.2").lower()


def goes_with(text):
    found = re.search(r"Goes with: +basic codes ([\d, ]+)", text)
    return [int(c) for c in found[1].split(", ")] if found else []


def test_explain_enhanced_code_lists_basic_codes_of_its_own_class():
    # "--explain 5.1.1" said "Goes with: basic codes 451, 550": a 5.x.x never goes with 451.
    assert goes_with(explain("5.1.1")) == [550]
    assert goes_with(explain("4.1.1")) == [451]
    assert goes_with(explain("4.2.2")) == []  # the registry lists only 552 for X.2.2
    assert "Goes with" not in explain("4.2.2")
    assert goes_with(explain("X.1.1")) == [451, 550]  # no class: every class's codes
    for pattern, entry in load("enhanced.json")["codes"].items():
        for klass in "245":
            listed = goes_with(explain(klass + pattern[1:]))
            assert all(str(c)[0] == klass for c in listed), (klass + pattern[1:], listed)
            assert listed == [c for c in entry["basic"] if str(c)[0] == klass]


def test_explain_reply_lists_basic_codes_of_the_enhanced_code_class():
    assert goes_with(explain("550 5.1.1 <x@y>: User unknown")) == [550]


def test_explain_unregistered_enhanced_code():
    text = explain("5.1.99")
    assert "Addressing status" in text and "not registered" in text
    assert "Permanent failure" in text


def test_explain_reply_line():
    text = explain("550 5.1.1 <x@y>: User unknown")
    assert text.startswith("550 5.1.1: Bad destination mailbox address")
    assert "<x@y>: User unknown" in text
    assert "What to do:" in text and "typos" in text


def test_explain_reply_line_without_enhanced_code():
    text = explain("554 mail.example.org ESMTP not accepting messages")
    assert text.startswith("554: Transaction failed")
    assert "not accepting messages" in text


def test_explain_multiline_reply():
    pasted = ("550-5.1.1 The email account that you tried to reach does not exist. Please\n"
              "550-5.1.1 try double-checking the recipient's email address for typos.\n"
              "550 5.1.1 https://support.google.com/mail/?p=NoSuchUser a1si123 - gsmtp")
    text = explain(pasted)
    assert text.startswith("550 5.1.1: Bad destination mailbox address")
    assert "550-" not in text and "Please try double-checking" in " ".join(text.split())


def test_explain_postfix_log_line():
    line = ("Nov 23 10:00:01 mx postfix/smtp[123]: 4Bx: to=<x@y.org>, "
            "relay=mx.y.org[192.0.2.1]:25, delay=1, dsn=5.1.1, status=bounced "
            "(host mx.y.org[192.0.2.1] said: 550 5.1.1 <x@y.org>: Recipient address "
            "rejected: User unknown (in reply to RCPT TO command))")
    text = explain(line)
    assert text.startswith("550 5.1.1: Bad destination mailbox address")
    assert re.search(r"In reply to: +RCPT TO\n", text)
    said = text.split("Server said:")[1].split("\n\n")[0]
    assert " ".join(said.split()) == "<x@y.org>: Recipient address rejected: User unknown"


def test_explain_dsn_field_of_a_log_line():
    text = explain("to=<x@y.org>, dsn=4.4.1, status=deferred (connect to mx.y.org: timeout)")
    assert text.startswith("4.4.1 No answer from host")


def test_explain_notes_a_class_mismatch():
    assert "disagrees" in explain("550 4.7.1 go away")


@pytest.mark.parametrize("name", ["RCPT", "rcpt", "Rcpt"])
def test_explain_verb(name):
    text = explain(name)
    assert text.startswith("RCPT: SMTP command")
    assert "RCPT TO:<forward-path>" in text and "NOTIFY=" in text and "RFC 5321" in text


def test_explain_command_line():
    assert explain("MAIL FROM:<alice@example.org> SIZE=100").startswith("MAIL: SMTP command")


@pytest.mark.parametrize("name, expect", [
    ("STARTTLS", "RFC 3207"),
    ("SIZE", "SIZE=<bytes>"),
    ("CHUNKING", "BDAT <chunk-size> [LAST]"),
    ("smtputf8", "RFC 6531"),
    ("8bitmime", "BODY=7BIT|8BITMIME|BINARYMIME"),
    ("DSN", "NOTIFY=NEVER|SUCCESS,FAILURE,DELAY"),
])
def test_explain_keyword(name, expect):
    text = explain(name)
    assert "EHLO keyword" in text and expect in text


def test_every_entry_can_be_explained_within_80_columns():
    data = load("replycodes.json"), load("enhanced.json")
    things = [*data[0]["codes"], *("5" + k[1:] for k in data[1]["codes"]), *verbs(),
              *load("keywords.json")["keywords"]]
    for thing in things:
        for line in explain(thing).splitlines():
            assert len(line) <= 80, (thing, line)


def test_explain_word_that_is_verb_and_keyword():
    text = explain("STARTTLS")
    assert "STARTTLS: SMTP command" in text and "STARTTLS: EHLO keyword" in text


def test_explain_parameter():
    text = explain("BODY=8BITMIME")
    assert text.startswith("BODY: parameter of MAIL") and "RFC 6152" in text


@pytest.mark.parametrize("thing", ["FOO", "", "   ", "600", "6.1.1", "hello world",
                                   "999 what", "<x@y>"])
def test_explain_unknown(thing):
    with pytest.raises(UnknownThing) as caught:
        explain(thing)
    message = str(caught.value)
    assert message.startswith("smtpsh: ") and "\n" not in message


def test_unknown_thing_is_a_value_error():
    assert issubclass(UnknownThing, ValueError)


def test_main_explain(capsys):
    assert main_explain("5.7.26") == 0
    out, err = capsys.readouterr()
    assert "Multiple authentication checks failed" in out and err == ""
    assert main_explain("FOO") == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and "'FOO'" in err
