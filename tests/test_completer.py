"""Completion: the pure suggest() step, the word lists, and the prompt_toolkit completer."""

from __future__ import annotations

import pytest
from prompt_toolkit.completion import CompleteEvent
from prompt_toolkit.document import Document

from smtpsh.protocol import DATA, GREETED, MAIL, RCPT, Capabilities, Dialog, Reply
from smtpsh.shell.completer import (
    ADDRESS,
    ARGUMENT,
    MECH,
    PARAM,
    PATH,
    SHELL,
    TOPIC,
    VERB,
    SmtpCompleter,
    suggest,
    verbs_for,
)

EHLO_FULL = Reply(250, ("mx.test", "SIZE 1048576", "8BITMIME", "SMTPUTF8", "DSN",
                        "AUTH PLAIN LOGIN", "STARTTLS", "CHUNKING"))


def dialog(state: str = GREETED, ehlo: Reply | None = None, tls: bool = False) -> Dialog:
    caps = Capabilities.from_ehlo(ehlo) if ehlo else Capabilities()
    return Dialog(state=state, capabilities=caps, greeted_with_ehlo=ehlo is not None, tls=tls)


def complete(text: str, d: Dialog | None = None, addresses: tuple[str, ...] = (),
             profiles: tuple[str, ...] = ()) -> list[str]:
    d = d or dialog()
    c = SmtpCompleter(lambda: d, lambda: addresses, profiles)
    return [x.text for x in c.get_completions(Document(text, len(text)), CompleteEvent())]


@pytest.mark.parametrize(("text", "kinds", "word"), [
    ("", (VERB,), ""),
    ("eh", (VERB,), "eh"),
    ("MAIL ", (PATH,), ""),
    ("mail fr", (PATH,), "fr"),
    ("MAIL FROM:", (ADDRESS,), ""),
    ("MAIL FROM:<al", (ADDRESS,), "<al"),
    ("rcpt to: <b", (ADDRESS,), "<b"),
    ("MAIL FROM:<a@b.test> ", (PARAM,), ""),
    ("MAIL FROM:<a@b.test> SIZE=10 BO", (PARAM,), "BO"),
    ("AUTH ", (MECH,), ""),
    ("HELP ma", (TOPIC,), "ma"),
    ("VRFY x", (ADDRESS,), "x"),
    ("EHLO x", (), ""),
    ("NOOP a b", (), ""),
    (":he", (SHELL,), ":he"),
    (":help MA", (ARGUMENT,), "MA"),
    (":send my fi", (ARGUMENT,), "my fi"),
    (":connect ", (ARGUMENT,), ""),
    (":close ", (), ""),
])
def test_suggest_kinds(text: str, kinds: tuple[str, ...], word: str) -> None:
    s = suggest(text, dialog())
    assert (s.kinds, s.word) == (kinds, word)


def test_suggest_knows_params_already_given() -> None:
    assert suggest("MAIL FROM:<a@b> SIZE=10 ", dialog()).used == ("SIZE",)


def test_verbs_lower_case_and_upper_result() -> None:
    assert complete("eh") == ["EHLO"]
    assert complete("ma") == ["MAIL FROM:<"]
    assert complete("RC") == ["RCPT TO:<"]
    assert complete("q") == ["QUIT"]


def test_a_verb_typed_in_full_is_not_offered_again() -> None:
    assert complete("EHLO") == []


def test_extension_verbs_only_when_advertised() -> None:
    plain = complete("", dialog())
    assert "STARTTLS" not in plain and "AUTH" not in plain and "BDAT" not in plain
    full = complete("", dialog(ehlo=EHLO_FULL))
    assert {"STARTTLS", "AUTH", "BDAT"} <= set(full)
    assert "STARTTLS" not in complete("", dialog(ehlo=EHLO_FULL, tls=True))


def test_verbs_valid_now_come_first() -> None:
    assert verbs_for(dialog("connected"))[:3] == ["EHLO", "HELO", "LHLO"]
    assert verbs_for(dialog(MAIL))[0] == "RCPT"
    assert verbs_for(dialog(RCPT))[:2] == ["RCPT", "DATA"]
    assert "LHLO" not in verbs_for(dialog(GREETED))


def test_path_keywords() -> None:
    assert complete("MAIL ") == ["FROM:<"]
    assert complete("rcpt t") == ["TO:<"]


def test_addresses_used_before() -> None:
    used = ("alice@x.test", "bob@y.test")
    assert complete("MAIL FROM:", addresses=used) == ["<>", "<alice@x.test>", "<bob@y.test>"]
    assert complete("RCPT TO:<b", addresses=used) == ["<bob@y.test>"]
    assert complete("rcpt to:B", addresses=used) == ["<bob@y.test>"]  # bracket optional
    assert complete("VRFY a", addresses=used) == ["alice@x.test"]


def test_params_only_when_advertised() -> None:
    assert complete("MAIL FROM:<a@b> ", dialog()) == []
    got = complete("MAIL FROM:<a@b> ", dialog(ehlo=EHLO_FULL))
    assert {"BODY=8BITMIME", "SMTPUTF8", "SIZE=", "RET=FULL", "ENVID=", "AUTH="} <= set(got)
    assert "BODY=BINARYMIME" not in got  # BINARYMIME was not advertised
    only_size = Reply(250, ("mx.test", "SIZE 100"))
    assert complete("mail from:<a@b> ", dialog(ehlo=only_size)) == ["SIZE="]


def test_params_lower_case_and_not_twice() -> None:
    d = dialog(ehlo=EHLO_FULL)
    assert complete("MAIL FROM:<a@b> bo", d) == ["BODY=7BIT", "BODY=8BITMIME"]
    assert "SIZE=" not in complete("MAIL FROM:<a@b> SIZE=5 ", d)


def test_rcpt_dsn_params() -> None:
    got = complete("RCPT TO:<a@b> ", dialog(ehlo=EHLO_FULL))
    assert {"NOTIFY=SUCCESS", "NOTIFY=NEVER", "ORCPT="} <= set(got)
    assert complete("RCPT TO:<a@b> ", dialog(ehlo=Reply(250, ("mx.test", "SIZE 5")))) == []


def test_auth_mechanisms_from_ehlo() -> None:
    assert complete("AUTH ", dialog(ehlo=EHLO_FULL)) == ["PLAIN", "LOGIN"]
    assert complete("auth l", dialog(ehlo=EHLO_FULL)) == ["LOGIN"]
    assert complete("AUTH ", dialog()) == []


def test_shell_commands() -> None:
    assert complete(":he") == [":help"]
    assert complete(":c") == [":connect", ":check", ":close", ":caps", ":cert", ":clear"]
    assert complete(":help :q") == [":quit"]
    assert complete(":connect w", profiles=("work", "home")) == ["work"]


def test_files_for_send(tmp_path, monkeypatch) -> None:
    (tmp_path / "message.eml").write_text("x")
    monkeypatch.chdir(tmp_path)
    assert complete(":send mes") == ["sage.eml"]  # PathCompleter inserts the rest


def test_nothing_in_message_text_but_commands() -> None:
    d = dialog(DATA)
    assert complete("Sub", d) == []
    assert complete("MAIL ", d) == []
    assert complete(":s", d) == [":send", ":save", ":show", ":server"]


def test_offered_verbs_and_params_come_from_the_knowledge_base() -> None:
    from smtpsh import explain
    from smtpsh.shell import VERBS

    assert set(VERBS) <= set(explain.verbs())
    caps = Reply(250, ("mx.test", "DSN", "8BITMIME", "SIZE 100", "RRVS"))
    d = dialog(MAIL)
    d.capabilities = d.capabilities.from_ehlo(caps)
    offered = set(complete("RCPT TO:<a@b> ", d))
    assert "RRVS=" in offered  # a parameter only the knowledge base lists
    assert "VRFY" in verbs_for(dialog(GREETED))  # base protocol: no EHLO keyword needed
