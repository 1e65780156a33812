"""German on the command line: --help (argparse's own words too), usage errors and the one-line
errors of real failures, under --lang de and a German locale; English stays the default."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# What argparse says in English (usage, headings, its errors): none of it in a German run.
ARGPARSE_ENGLISH = ("usage:", "options:", "positional arguments", "show this help message",
                    "show program's version", "unrecognized arguments", "expected one argument",
                    "invalid choice", "choose from", "argument -")


def run(*args: str, input: str = "", **env: str) -> subprocess.CompletedProcess[str]:
    """python -m smtpsh from this checkout, in a locale of our choosing (none unless given)."""
    environ = {k: v for k, v in os.environ.items() if k not in ("LC_ALL", "LC_MESSAGES", "LANG")}
    environ.update(env, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "smtpsh", *args], capture_output=True,
                          text=True, env=environ, cwd=ROOT, timeout=60, input=input)


def english_words(text: str) -> list[str]:
    return [w for w in ARGPARSE_ENGLISH if w in text]


@pytest.mark.parametrize(("args", "env"), [
    (("--lang", "de", "--help"), {}),
    (("--lang=de", "--help"), {}),
    (("--help",), {"LANG": "de_DE.UTF-8"}),
    (("-h",), {"LC_ALL": "de_AT.UTF-8", "LANG": "en_US.UTF-8"}),
])
def test_help_is_german_throughout(args, env):
    out = run(*args, **env)
    assert out.returncode == 0, out.stderr
    text = out.stdout
    assert text.startswith("Aufruf: smtpsh [-h]")
    for german in ("Eine interaktive SMTP-Shell", "\nArgumente:\n", "\nOptionen:\n",
                   "diese Hilfe zeigen und beenden", "die Versionsnummer zeigen und beenden",
                   "Serverauswahl:", "Exit-Status:", "der Dialog lief bis zum Ende",
                   "Alles Weitere steht in docs/reference.md."):
        assert german in text, german
    assert not english_words(text), english_words(text)
    # Option names, metavars and protocol terms stay as they are.
    assert "--starttls" in text and "nach dem Verbinden: EHLO, STARTTLS, noch einmal EHLO" in text


def test_help_stays_english_by_default_and_with_lang_en():
    for out in (run("--help"), run("--lang", "en", "--help", LANG="de_DE.UTF-8")):
        assert out.stdout.startswith("usage: smtpsh [-h]")
        assert "\noptions:\n" in out.stdout and "exit status:" in out.stdout
        assert "Aufruf" not in out.stdout


@pytest.mark.parametrize(("args", "german"), [
    (("--port", "x"), "smtpsh: Argument -p/--port: ungültiger Wert für int: 'x'"
                      " (siehe smtpsh --help)"),
    (("--bogus",), "smtpsh: unbekannte Argumente: --bogus (siehe smtpsh --help)"),
    (("--color", "pink"), "smtpsh: Argument --color: ungültige Wahl: 'pink'"),
    (("--timeout",), "smtpsh: Argument --timeout: erwartet einen Wert"),
    (("--tls-min", "1.2", "-4", "-6"), "nicht erlaubt zusammen mit dem Argument -4"),
    (("--tls", "--starttls", "mx.test"),
     "smtpsh: --tls und --starttls schließen sich aus: nur ein TLS auf einmal"
     " (siehe smtpsh --help)"),
    (("--timeout", "0", "mx.test"), "--timeout muss eine Zahl von Sekunden größer als 0 sein"),
    ((), "kein Server angegeben: smtpsh HOST [PORT] oder smtpsh --sandbox"),
    (("mx.test:25", "26"), "der Port ist zweimal angegeben (25 und 26)"),
])
def test_usage_errors_are_german_one_liners(args, german):
    for out in (run("--lang", "de", *args), run(*args, LANG="de_DE.UTF-8")):
        assert out.returncode == 2
        assert german in out.stderr and out.stderr.count("\n") == 1, out.stderr
        assert not english_words(out.stderr), out.stderr
        assert "see smtpsh --help" not in out.stderr


def test_usage_errors_stay_english_by_default():
    out = run("--color", "pink")
    assert out.returncode == 2
    assert out.stderr.startswith("smtpsh: argument --color: invalid choice: 'pink'")
    assert out.stderr.endswith("(see smtpsh --help)\n")
    assert "no server given" in run().stderr


def test_an_unknown_lang_is_refused_in_the_locale_language():
    out = run("--lang", "fr", "--help", LANG="de_DE.UTF-8")
    assert out.returncode == 2
    assert "Argument --lang: ungültige Wahl: 'fr'" in out.stderr


def test_the_man_page_stays_english():
    out = run("--lang", "de", "--print-man")
    assert out.returncode == 0 and ".SH OPTIONS" in out.stdout
    assert "show this help message and exit" in out.stdout


def test_english_runs_do_not_load_the_german_catalog():
    code = ("import sys; from smtpsh.app import main\n"
            "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
            "print('LOADED', *sorted(m for m in sys.modules if 'i18n_de' in m), file=sys.stderr)")
    environ = {k: v for k, v in os.environ.items() if k not in ("LC_ALL", "LC_MESSAGES", "LANG")}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env=dict(environ, PYTHONPATH=str(ROOT)), cwd=ROOT, timeout=60)
    assert re.search(r"^LOADED$", out.stderr, re.M), out.stderr
