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


# --- real failures, one German line each ----------------------------------------------------


def german(smtpsh, *args: str, lang: str = "--lang") -> subprocess.CompletedProcess:
    """The console script in German: by --lang de, or (lang="LANG") by the locale."""
    if lang == "LANG":
        return smtpsh(*args, env_extra={"LANG": "de_DE.UTF-8", "LC_ALL": "", "LC_MESSAGES": ""})
    return smtpsh("--lang", "de", *args)


def one_line(proc: subprocess.CompletedProcess, prefix: str = "!! ") -> str:
    """The one line starting with `prefix`, no traceback."""
    text = proc.stdout.decode() + proc.stderr.decode()
    assert "Traceback" not in text, text
    lines = [line for line in text.splitlines() if line.startswith(prefix)]
    assert len(lines) == 1, text
    return lines[0]


@pytest.mark.parametrize("lang", ["--lang", "LANG"])
def test_a_refused_port_in_german(smtpsh, lang):
    from conftest import free_port

    from smtpsh.exitcodes import Exit

    port = free_port()
    p = german(smtpsh, "127.0.0.1", str(port), "-c", "QUIT", lang=lang)
    assert p.returncode == Exit.CONNECT
    assert one_line(p) == f"!! Verbindung zu 127.0.0.1 Port {port} abgelehnt: dort lauscht nichts"
    english = smtpsh("127.0.0.1", str(port), "-c", "QUIT")
    assert one_line(english) == (f"!! connection to 127.0.0.1 port {port} refused: nothing"
                                 " listens there")


def test_unknown_names_in_german(smtpsh):
    from dnsserver import ZoneServer

    from smtpsh.exitcodes import Exit

    with ZoneServer({"example.test": [("MX", "10 mx.example.test.")]}) as dns:
        p = german(smtpsh, "--mx", "--nameserver", dns.nameserver, "nosuch.test", "-c", "QUIT")
        assert p.returncode == Exit.DNS_BOUNCE
        assert one_line(p) == ("!! die Nachricht käme als unzustellbar zurück: nosuch.test"
                               " existiert nicht (NXDOMAIN)")
        out = p.stdout.decode()
        assert f"-- gefragt: DNS-Server {dns.nameserver}" in out
        assert "-- Mail für nosuch.test (Port 25): unzustellbar:" in out
        p = german(smtpsh, "--mx", "--nameserver", dns.nameserver, "example.test", "-c", "QUIT")
        out = p.stdout.decode()
        assert "übersprungen: den Namen gibt es nicht" in out
        assert one_line(p) == ("!! die Nachricht käme als unzustellbar zurück: kein MX-Host hat"
                               " eine Adresse")
    # A literal that is no address, and a host name DNS cannot take: refused before DNS.
    p = german(smtpsh, "--mx", "[300.1.2.3]", "-c", "QUIT")
    assert p.returncode == Exit.USAGE
    assert one_line(p) == "!! falsches Domain-Literal [300.1.2.3] (RFC 5321 §4.1.3)"
    p = german(smtpsh, "bad..host", "-c", "QUIT")
    assert p.returncode == Exit.USAGE
    assert one_line(p, "smtpsh: ") == (
        "smtpsh: falscher Hostname 'bad..host': ein leeres Label (zwei Punkte hintereinander"
        " oder ein Punkt am Anfang) (siehe smtpsh --help)")


def test_tls_failures_in_german(smtpsh, starttls_server, smtp_server, ca_file):
    from smtpsh.exitcodes import Exit

    p = german(smtpsh, "--starttls", "127.0.0.1", str(starttls_server.port))
    assert p.returncode == Exit.TLS
    line = one_line(p, "!! TLS: ")
    assert line.startswith("!! TLS: das Zertifikat kommt von einem Aussteller, dem smtpsh nicht"
                           " vertraut (OU=Testing CA")
    assert line.endswith("; oder die Prüfung mit --insecure auslassen"
                         " (OpenSSL: unable to get local issuer certificate)")
    p = german(smtpsh, "--starttls", "--cafile", ca_file, "--tls-servername", "wrong.test",
               "127.0.0.1", str(starttls_server.port), lang="LANG")
    assert "!! TLS: das Zertifikat gilt nicht für 'wrong.test': es nennt localhost, mx.test," \
           " 127.0.0.1;" in one_line(p, "!! TLS: ")
    p = german(smtpsh, "--tls", "127.0.0.1", str(smtp_server.port))
    assert p.returncode == Exit.TLS
    assert one_line(p, "!! TLS: ").startswith("!! TLS: kein TLS auf diesem Port: er spricht"
                                              " zuerst einfaches SMTP")
    p = german(smtpsh, "--starttls", "--cafile", "/nonexistent/ca.pem", "127.0.0.1",
               str(starttls_server.port))
    assert p.returncode == Exit.ERROR
    assert one_line(p) == ("!! kann --cafile /nonexistent/ca.pem nicht verwenden: Datei oder"
                           " Verzeichnis nicht gefunden")


def test_a_verified_dialog_in_german(smtpsh, starttls_server, ca_file):
    p = german(smtpsh, "--starttls", "--cafile", ca_file, "127.0.0.1", str(starttls_server.port),
               "-c", "RCPT TO:<bob@example.org>", "-c", "QUIT")
    out = p.stdout.decode()
    assert f"-- Verbunden mit 127.0.0.1 (127.0.0.1) Port {starttls_server.port}" in out
    assert "; Zertifikat geprüft für 127.0.0.1" in out
    assert "-- Fähigkeiten durch STARTTLS zurückgesetzt: noch einmal EHLO senden" in out
    assert "!! RCPT ohne offene Mail-Transaktion kommt außer der Reihe" in out
    assert "-- Ende der Eingabe" not in out  # -c lines end with QUIT given


def test_the_shell_speaks_german(tmp_path):
    """Under a pseudo-terminal: the connection note, a warning before sending, a shell
    command's error, Ctrl-C's note."""
    import shutil

    import pexpect
    from germanpty import expecter, german_env
    from shellfixtures import Recorder, aiosmtpd_server

    exe = shutil.which("smtpsh")
    assert exe, "pip install -e . first"
    with aiosmtpd_server(Recorder()) as server:
        child = pexpect.spawn(exe, [server.hostname, str(server.port)], env=german_env(tmp_path),
                              encoding="utf-8", timeout=20, dimensions=(30, 120))
        expect = expecter(child)

        try:
            expect(rf"-- Verbunden mit 127\.0\.0\.1 \(127\.0\.0\.1\) Port {server.port}")
            expect(r"smtp 127\.0\.0\.1:\d+>")
            child.send("MAIL FROM:<a@example.org>\r")
            expect(r"!! MAIL vor HELO/EHLO kommt außer der Reihe; der Server antwortet"
                   r" wahrscheinlich 503")
            child.send(":bogus\r")
            expect(r"!! unbekannter Befehl :bogus; :help zeigt die Befehle der Shell")
            child.send(":connect 127.0.0.1 99999\r")
            expect(r"!! falscher Port '99999': eine Zahl von 1 bis 65535 angeben")
            child.send(":caps\r")
            expect(r"keine Fähigkeiten bekannt \(zuerst EHLO senden\)")
        finally:
            child.close(force=True)


def test_json_keeps_its_fields_and_ids_english(smtpsh, smtp_server):
    import json

    p = german(smtpsh, "--json", "127.0.0.1", str(smtp_server.port), "-c", "NOOP", "-c", "QUIT")
    events = [json.loads(line) for line in p.stdout.decode().splitlines()]
    notes = [e["text"] for e in events if e["event"] == "note"]
    assert notes[0] == f"Verbunden mit 127.0.0.1 (127.0.0.1) Port {smtp_server.port}"
    replies = [e for e in events if e["event"] == "reply"]
    assert replies[0]["answering"] == "the connection (greeting)"
    assert replies[1]["answering"] == "NOOP" and replies[1]["verb"] == "NOOP"
