"""German: the knowledge base's translation (smtpsh/data/de/) and the catalog of the sentences
the code words (smtpsh/i18n_de.py) are complete, keep every placeholder and RFC reference,
and are what smtpsh says when German is chosen."""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from smtpsh import explain, i18n
from smtpsh.i18n_de import CATALOG

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "smtpsh" / "data"
KB_FILES = ("replycodes.json", "enhanced.json", "verbs.json", "keywords.json")
# Every module of smtpsh may mark sentences for translation with _(), N_() (and explain's
# _field labels); the catalogs themselves are not scanned.
MARKED = tuple(sorted(str(p.relative_to(ROOT / "smtpsh"))
                      for p in (ROOT / "smtpsh").rglob("*.py")
                      if not p.name.startswith("i18n") and "i18n_de_parts" not in p.parts))
MARKERS = {"_", "N_", "_field"}
PLACEHOLDER = re.compile(r"\{[^{}]*\}")
RFC_REF = re.compile(r"RFC \d+(?: §[\d.]+)?|§[\d.]*\d")
# Protocol terms stay as the RFCs write them.
PROTOCOL_TERMS = ("MAIL FROM", "RCPT TO", "STARTTLS", "EHLO", "HELO", "DATA", "AUTH", "RSET",
                  "QUIT", "BDAT")


@pytest.fixture(autouse=True)
def english_afterwards():
    yield
    i18n.set_language(None)


def load(*parts: str):
    return json.loads(DATA.joinpath(*parts).read_text(encoding="utf-8"))


def texts(facts, where=""):
    """(where, English text) of every human text of a knowledge-base file, in the shape the
    translation has (named list entries keyed by name)."""
    if isinstance(facts, dict):
        for key, value in facts.items():
            if key == "about":
                continue
            if isinstance(value, str):
                if key in explain.TEXT_FIELDS:
                    yield f"{where}.{key}", value
            else:
                yield from texts(value, f"{where}.{key}")
    elif isinstance(facts, list):
        named = all(isinstance(e, dict) and "name" in e for e in facts)
        for i, entry in enumerate(facts):
            yield from texts(entry, f"{where}[{entry['name'] if named else i}]")


def translated(name: str) -> dict[str, str]:
    return dict(texts(_as_lists(load(name), load("de", name))))


def _as_lists(facts, trans):
    """The translation with its named entries back in the English file's list shape."""
    if isinstance(facts, list) and isinstance(trans, dict):
        return [dict(_as_lists(e, trans.get(e["name"], {})), name=e["name"]) for e in facts]
    if isinstance(facts, list):
        return [_as_lists(f, t) for f, t in zip(facts, trans, strict=False)]
    if isinstance(facts, dict):
        return {k: _as_lists(facts[k], v) if k in facts else v for k, v in trans.items()}
    return trans


def check_pair(where: str, english: str, german: str) -> None:
    assert german and german.strip(), f"{where}: no German"
    assert sorted(PLACEHOLDER.findall(english)) == sorted(PLACEHOLDER.findall(german)), \
        f"{where}: placeholders differ: {english!r} / {german!r}"
    for ref in RFC_REF.findall(english):
        assert ref in german, f"{where}: the German drops {ref!r}: {german!r}"
    for term in PROTOCOL_TERMS:
        if re.search(rf"\b{term}\b", english):
            assert re.search(rf"\b{term}\b", german), f"{where}: the German drops {term}"


# --- the knowledge base -----------------------------------------------------------------------


@pytest.mark.parametrize("name", KB_FILES)
def test_every_knowledge_base_text_has_its_german(name):
    english = dict(texts(load(name)))
    german = translated(name)
    missing = sorted(set(english) - set(german))
    assert not missing, f"{name}: no German for {missing[:10]}"
    for where, text in english.items():
        check_pair(f"{name}{where}", text, german[where])


@pytest.mark.parametrize("name", KB_FILES)
def test_the_translation_holds_only_texts_one_place_per_fact(name):
    extra = sorted(set(translated(name)) - set(dict(texts(load(name)))))
    assert not extra, f"{name}: not in the English file: {extra}"

    def leaves(node, where=""):
        if isinstance(node, dict):
            for key, value in node.items():
                if isinstance(value, str):
                    assert key in explain.TEXT_FIELDS, f"{name}{where}.{key}: a fact"
                else:
                    leaves(value, f"{where}.{key}")
        elif isinstance(node, list):
            for i, value in enumerate(node):
                leaves(value, f"{where}[{i}]")
        else:
            raise AssertionError(f"{name}{where}: {node!r} is a fact")

    leaves(load("de", name))


def test_merge_refuses_a_key_the_english_lacks_and_a_fact():
    with pytest.raises(KeyError, match="not in the English"):
        explain.merge({"codes": {"250": {"title": "x"}}}, {"codes": {"251": {"title": "y"}}})
    with pytest.raises(KeyError, match="a fact"):
        explain.merge({"codes": {"250": {"source": "RFC 5321"}}},
                      {"codes": {"250": {"source": "RFC 1"}}})


def test_facts_stay_in_the_english_file():
    i18n.set_language("de")
    info = explain.reply_code(550)
    assert info["source"] == "RFC 5321 §4.2.3" and info["kind"] == "permanent"
    assert info["title"].startswith("Aktion nicht ausgeführt")
    assert explain.valid_states("RCPT") == frozenset({"mail", "rcpt"})
    assert explain.param_keyword("MAIL", "BODY", "BINARYMIME") == "BINARYMIME"


# --- the catalog --------------------------------------------------------------------------------


def marked_sentences() -> dict[str, str]:
    """Every sentence the code marks for translation, with where it is."""
    found: dict[str, str] = {}
    for name in MARKED:
        path = ROOT / "smtpsh" / name
        if not path.exists():
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                    and node.func.id in MARKERS and node.args
                    and isinstance(node.args[0], ast.Constant)
                    and isinstance(node.args[0].value, str)):
                found.setdefault(node.args[0].value, f"{name}:{node.lineno}")
    return found


def test_every_marked_sentence_has_its_german():
    marked = marked_sentences()
    assert len(marked) > 30
    missing = [f"{where}: {text!r}" for text, where in marked.items() if text not in CATALOG]
    assert not missing, "no German for:\n" + "\n".join(missing)
    for text, where in marked.items():
        check_pair(where, text, CATALOG[text])


def test_a_sentence_lives_in_one_catalog_only():
    import importlib

    from smtpsh import i18n_de
    from smtpsh.i18n_de_parts import PARTS

    seen: dict[str, str] = {}
    # the main catalog's own entries: CATALOG minus what the parts add
    parts = {p: importlib.import_module(f"smtpsh.i18n_de_parts.{p}").CATALOG for p in PARTS}
    for part, catalog in parts.items():
        for text in catalog:
            assert text not in seen, f"{text!r} in the parts {seen[text]} and {part}"
            seen[text] = part
    source = (ROOT / "smtpsh" / "i18n_de.py").read_text(encoding="utf-8")
    main = ast.literal_eval(source[source.index("{", source.index("CATALOG")):
                                   source.index("\n}\n") + 2])
    twice = sorted(set(main) & set(seen))
    assert not twice, f"in i18n_de.py and a part: {twice}"
    assert set(i18n_de.CATALOG) == set(main) | set(seen)


def test_the_catalog_holds_no_sentence_the_code_no_longer_says():
    unused = sorted(set(CATALOG) - set(marked_sentences()))
    assert not unused, unused


# --- choosing the language ------------------------------------------------------------------------


@pytest.mark.parametrize(("env", "lang"), [
    ({"LANG": "de_DE.UTF-8"}, "de"), ({"LANG": "de_AT.UTF-8"}, "de"),
    ({"LANG": "en_US.UTF-8"}, "en"), ({}, "en"), ({"LANG": "C.UTF-8"}, "en"),
    ({"LC_ALL": "de_DE.UTF-8", "LANG": "en_US.UTF-8"}, "de"),
    ({"LC_ALL": "C", "LANG": "de_DE.UTF-8"}, "en"),
    ({"LC_MESSAGES": "de_CH.UTF-8", "LANG": "en_GB.UTF-8"}, "de"),
])
def test_the_locale_chooses(env, lang):
    assert i18n.from_locale(env) == lang


def test_english_is_the_default_and_set_language_overrides(monkeypatch):
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)
    assert i18n.language() == "en"
    monkeypatch.setenv("LANG", "de_DE.UTF-8")
    assert i18n.language() == "en"  # the locale is read once
    i18n.set_language(None)  # ... and again after this
    assert i18n.language() == "de"
    i18n.set_language("en")
    assert i18n.language() == "en"
    with pytest.raises(ValueError):
        i18n.set_language("fr")


# --- numbers and counts ---------------------------------------------------------------------------


def test_decimal_writes_a_comma_in_german():
    assert i18n.decimal(0.25, 2) == "0.25" and i18n.decimal(8.64, 1) == "8.6"
    assert i18n.decimal(0.0, 3) == "0.000" and i18n.decimal(3.0) == "3"
    assert i18n.decimal(0.5) == "0.5" and i18n.decimal(1234.5, 1) == "1234.5"
    i18n.set_language("de")
    assert i18n.decimal(0.25, 2) == "0,25" and i18n.decimal(8.64, 1) == "8,6"
    assert i18n.decimal(0.0, 3) == "0,000" and i18n.decimal(3.0) == "3"
    assert i18n.decimal(0.5) == "0,5" and i18n.decimal(1234.5, 1) == "1234,5"
    assert i18n.decimal(12.0, 0) == "12"


def test_integer_groups_thousands_with_a_dot_in_german():
    assert i18n.integer(7) == "7" and i18n.integer(1000) == "1,000"
    assert i18n.integer(10_485_760) == "10,485,760"
    i18n.set_language("de")
    assert i18n.integer(7) == "7" and i18n.integer(1000) == "1.000"
    assert i18n.integer(10_485_760) == "10.485.760"


def test_timings_and_sizes_on_screen_use_the_decimal_comma():
    from smtpsh.render import took
    from smtpsh.shell import human_size

    english = [took(0.0004), took(0.003), took(12.5), human_size(1536), human_size(2048)]
    assert english == ["0.4 ms", "3 ms", "12.5 s", "1.5 KiB", "2 KiB"]
    i18n.set_language("de")
    german = [took(0.0004), took(0.003), took(12.5), human_size(1536), human_size(2048)]
    assert german == ["0,4 ms", "3 ms", "12,5 s", "1,5 KiB", "2 KiB"]


def test_plural_picks_the_form_by_the_count():
    def hosts(n: int) -> str:  # a sentence of the --check card, with its German
        return i18n.plural(n, i18n._("{count} MX host"), i18n._("{count} MX hosts"))

    assert [hosts(n) for n in (0, 1, 2)] == ["0 MX hosts", "1 MX host", "2 MX hosts"]
    assert hosts(1500) == "1,500 MX hosts"
    i18n.set_language("de")
    assert [hosts(n) for n in (0, 1, 2)] == ["0 MX-Hosts", "1 MX-Host", "2 MX-Hosts"]
    assert hosts(1500) == "1.500 MX-Hosts"
    assert i18n.plural(2, "{count} of {what}", "{count} of {what}s", what="x") == "2 of xs"


# --- what the user reads ------------------------------------------------------------------------


def test_explain_speaks_german():
    i18n.set_language("de")
    text = explain.explain("550 5.1.1 <x@y>: User unknown")
    assert "Falsche Zieladresse des Postfachs" in text
    assert "Was tun:" in text and "Server sagte:" in text
    assert explain.one_line(550, "5.1.1") == ("Falsche Zieladresse des Postfachs "
                                              "(dauerhaft: nicht unverändert wiederholen)")
    mail = explain.explain("MAIL")
    assert "MAIL: SMTP-Befehl" in mail and "Quelle:" in mail and "nach EHLO/HELO" in mail
    assert "Envelope-Absender" in mail
    assert "EHLO-Schlüsselwort" in explain.explain("PIPELINING")
    with pytest.raises(explain.UnknownThing, match="kein SMTP-Antwortcode"):
        explain.explain("600")
    i18n.set_language("en")
    assert explain.one_line(550, "5.1.1").startswith("Bad destination mailbox address")


def test_every_entry_is_explained_in_german_within_80_columns():
    i18n.set_language("de")
    things = [*load("replycodes.json")["codes"], *load("enhanced.json")["codes"],
              *explain.verbs(), *load("keywords.json")["keywords"], "422", "5.1.99", "5.9.1"]
    for thing in things:
        for line in explain.explain(thing).splitlines():
            assert len(line) <= 80, (thing, line)


def run_smtpsh(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if k not in ("LC_ALL", "LC_MESSAGES", "LANG")}
    environ.update(env, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "smtpsh", *args], capture_output=True, text=True,
                          env=environ, cwd=ROOT, timeout=60)


def test_lang_de_explain_on_the_command_line():
    out = run_smtpsh("--lang", "de", "--explain", "550 5.1.1")
    assert out.returncode == 0, out.stderr
    assert "Falsche Zieladresse des Postfachs" in out.stdout and "Was tun:" in out.stdout


def test_the_locale_chooses_german_on_the_command_line_and_lang_en_wins():
    assert "Was tun:" in run_smtpsh("--explain", "421", LANG="de_DE.UTF-8").stdout
    assert "What to do:" in run_smtpsh("--lang", "en", "--explain", "421",
                                       LANG="de_DE.UTF-8").stdout
    assert "What to do:" in run_smtpsh("--explain", "421").stdout


# --- the guide ------------------------------------------------------------------------------------


def test_the_guide_speaks_german():
    from smtpsh import guide
    from smtpsh.protocol import Dialog, Reply

    i18n.set_language("de")
    dialog = Dialog()
    assert guide.next_step(dialog).startswith("weiter: EHLO dein.name")
    reply = Reply(550, ["5.1.1 <nobody@example.org>: Recipient address rejected"])
    assert guide.explain_reject("RCPT TO:<nobody@example.org>", reply) == \
        "die Adresse <nobody@example.org> gibt es dort nicht"
    assert guide.explain_reject("MAIL FROM:x@y", Reply(501, ["5.1.7 Bad sender"])) == \
        "prüfe die <spitzen Klammern> um die Adresse: MAIL FROM:<alice@example.org>"
    i18n.set_language("en")
    assert guide.next_step(dialog).startswith("next: EHLO your.name")


def test_the_guide_in_the_sandbox_shell_under_a_pseudo_terminal(tmp_path):
    import pexpect
    from germanpty import expecter, german_env

    child = pexpect.spawn(sys.executable, ["-m", "smtpsh", "--sandbox", "--sandbox-dir",
                                           str(tmp_path / "box")], env=german_env(tmp_path),
                          encoding="utf-8", timeout=20, dimensions=(30, 120), cwd=ROOT)
    expect = expecter(child)

    try:
        expect(r"smtp 127\.0\.0\.1:\d+>")
        child.send("RCPT TO:<bob@example.org>\r")
        expect(r"erst begrüßen: der Server will vor allem anderen EHLO dein\.name")
        child.send("EHLO me.example\r")
        expect(r"250")
        child.send("RCPT TO:<bob@example.org>\r")
        expect(r"der Server will MAIL FROM vor RCPT TO")
    finally:
        child.close(force=True)


# --- the report card, the shell's help, the toolbar ---------------------------------------------


def test_the_findings_card_speaks_german_and_keeps_its_columns():
    from smtpsh.findings import Card, Finding, Verdict, render_card
    from smtpsh.render import to_plain

    card = Card("smtpsh --check example.org")
    section = card.section("mx.example.org")
    section.add(Finding("tls.version", Verdict.WARN, "TLS 1.0 accepted",
                        evidence="the handshake with TLS 1.0 succeeded " * 4,
                        why="old TLS versions are broken", rfc="RFC 8996"))
    english = to_plain(render_card(card, 80))
    assert "  warn TLS 1.0 accepted" in english and "       seen: the handshake" in english
    assert re.search(r"\n {13}\S", english) and english.endswith("overall: warn")
    i18n.set_language("de")
    german = to_plain(render_card(card, 80))
    assert "[Warnung] mx.example.org" in german and "  Warnung   TLS 1.0 accepted" in german
    assert "       gesehen: the handshake" in german and "       warum: old TLS" in german
    assert re.search(r"\n {16}\S", german)  # under the text, after "gesehen: "
    assert german.endswith("insgesamt: Warnung")
    assert card.to_json()["verdict"] == "warn"  # machine output stays English


def test_the_shell_help_and_the_toolbar_speak_german():
    from smtpsh.protocol import Dialog
    from smtpsh.shell.commands import lookup
    from smtpsh.shell.toolbar import toolbar

    cmd = lookup(":quit")
    assert cmd is not None and cmd.help_text == "say QUIT and leave (also Ctrl-D)"
    assert "no EHLO yet" in "".join(t for _s, t in toolbar("", Dialog(), True, width=200))
    i18n.set_language("de")
    assert cmd.help_text == "QUIT sagen und beenden (auch Strg-D)"
    assert cmd.help == "say QUIT and leave (also Ctrl-D)"
    bar = "".join(t for _s, t in toolbar("", Dialog(), True, width=200))
    assert "kein TLS" in bar and "noch kein EHLO" in bar
    assert "nicht verbunden" in "".join(t for _s, t in toolbar("", Dialog(), False))
    assert "QUIT sagen" in "".join(t for _s, t in toolbar(":quit", Dialog(), True, width=200))
