"""The language of what smtpsh says: English (the default) or German.

Chosen by `--lang` or else by the locale (LC_ALL, LC_MESSAGES, LANG: a value starting with
"de" means German). Two kinds of text are translated:

- the knowledge base (smtpsh/data/*.json): its German texts live in smtpsh/data/de/*.json,
  beside the English ones and with the same keys; only the human texts are there, codes, RFC
  references and states stay in the English file (smtpsh.explain merges the two);
- the sentences the code words itself (smtpsh.explain, smtpsh.guide, smtpsh.forensics): a
  catalog keyed by the English sentence, in smtpsh/i18n_de.py. The code marks them with
  `_("...")` (or `N_("...")` in a table, translated where it is used);
  tests/test_i18n.py checks that every marked sentence has its German, with the
  same {placeholders}.

Stdlib only and light: importing it costs nothing at start-up.
"""

from __future__ import annotations

import os

LANGUAGES = ("en", "de")
_chosen: str | None = None
_from_locale: str | None = None  # the locale's language, read once (every sentence asks)


def from_locale(environ: os._Environ[str] | dict[str, str] | None = None) -> str:
    """The language the locale asks for: the first of LC_ALL, LC_MESSAGES, LANG that is set."""
    env = os.environ if environ is None else environ
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(name, "")
        if value:
            return "de" if value.lower().startswith("de") else "en"
    return "en"


def set_language(lang: str | None) -> None:
    """Choose the language ("en", "de"); None goes back to the locale's (read again)."""
    if lang is not None and lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}: {', '.join(LANGUAGES)}")
    global _chosen, _from_locale
    _chosen, _from_locale = lang, None


def language() -> str:
    """The language in use: the one chosen, else the locale's (read at the first call: the
    environment is asked once, not for each of the thousands of sentences of a long dialog)."""
    global _from_locale
    if _chosen is not None:
        return _chosen
    if _from_locale is None:
        _from_locale = from_locale()
    return _from_locale


def N_(text: str) -> str:
    """Marks a sentence for the catalog where it is defined (a module-level table) without
    translating it: `_()` translates it where it is used, in the language chosen by then."""
    return text


def _(text: str) -> str:
    """The sentence in the language in use (the English one when there is no translation)."""
    if language() == "en":
        return text
    from smtpsh.i18n_de import CATALOG

    return CATALOG.get(text, text)


# --- numbers and counts in the language in use ------------------------------------------------
# One place for them: German writes 0,25 and 1.000 where English writes 0.25 and 1,000. Only
# for what a person reads; JSON, transcripts and the wire keep their own (English) numbers.


def decimal(value: float, places: int | None = None) -> str:
    """`value` with `places` decimals ("0.25" / German "0,25"); None: as short as it goes
    (Python's `g` format: "3", "0.5")."""
    text = f"{value:g}" if places is None else f"{value:.{places}f}"
    return text.replace(".", ",") if language() == "de" else text


def integer(n: int) -> str:
    """`n` with thousands grouped: "1,000" (German: "1.000")."""
    text = f"{n:,}"
    return text.replace(",", ".") if language() == "de" else text


def plural(n: int, one: str, many: str, **fields: object) -> str:
    """`one` when n is 1, else `many`, formatted with count=n (grouped, see `integer`) and
    `fields`. Both forms come already translated, each a sentence of its own in the catalog:
    `plural(n, _("{count} TLSA record"), _("{count} TLSA records"))`. English and German
    share the rule (1: singular; 0 and more: plural)."""
    return (one if n == 1 else many).format(count=integer(n), **fields)
