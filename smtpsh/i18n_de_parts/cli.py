"""German for the sentences of smtpsh's cli part (see smtpsh/i18n_de_parts/__init__.py)."""

CATALOG: dict[str, str] = {
    # smtpsh/app.py: argparse's own words (asked for through _argparse_speaks_german)
    "usage: ": "Aufruf: ",
    "positional arguments": "Argumente",
    "options": "Optionen",
    "show this help message and exit": "diese Hilfe zeigen und beenden",
    "show program's version number and exit": "die Versionsnummer zeigen und beenden",
    "argument %(argument_name)s: %(message)s": "Argument %(argument_name)s: %(message)s",
    "unrecognized arguments: %s": "unbekannte Argumente: %s",
    "not allowed with argument %s": "nicht erlaubt zusammen mit dem Argument %s",
    "ignored explicit argument %r": "nicht erwarteter Wert %r",
    "the following arguments are required: %s": "diese Argumente fehlen: %s",
    "one of the arguments %s is required": "eines der Argumente %s ist nötig",
    "expected one argument": "erwartet einen Wert",
    "expected at most one argument": "erwartet höchstens einen Wert",
    "expected at least one argument": "erwartet mindestens einen Wert",
    "expected %s argument": "erwartet %s Wert",
    "expected %s arguments": "erwartet %s Werte",
    "ambiguous option: %(option)s could match %(matches)s":
        "mehrdeutige Option: %(option)s kann %(matches)s sein",
    "unexpected option string: %s": "unerwartete Option: %s",
    "invalid %(type)s value: %(value)r": "ungültiger Wert für %(type)s: %(value)r",
    "invalid choice: %(value)r (choose from %(choices)s)":
        "ungültige Wahl: %(value)r (möglich sind %(choices)s)",
    # smtpsh/app.py: --help
    "exit status:": "Exit-Status:",
    "See docs/reference.md for everything.": "Alles Weitere steht in docs/reference.md.",
    "server selection": "Serverauswahl",
    "proxies": "Proxys",
    "probes": "Tests",
    "offline": "offline",
    "replay, compare, export": "wiederholen, vergleichen, exportieren",
    "An interactive SMTP shell: talk to a mail server by hand, with help.":
        "Eine interaktive SMTP-Shell: von Hand mit einem Mailserver sprechen, mit Hilfe.",
    "server as host, host:port, [v6addr]:port": "der Server als host, host:port, [v6addr]:port",
    "port, as telnet takes it": "der Port, wie bei telnet",
    "port (default 25)": "der Port (Standard 25)",
    "run this line as if typed (repeatable); then quit":
        "diese Zeile ausführen, als wäre sie getippt (mehrfach möglich); dann beenden",
    "seconds to wait for the connection and for each reply (default 30)":
        "Sekunden, die auf die Verbindung und auf jede Antwort gewartet wird (Standard 30)",
    "IPv4 only": "nur IPv4",
    "IPv6 only": "nur IPv6",
    "local address to connect from": "lokale Adresse, von der aus verbunden wird",
    "append the session to FILE": "die Sitzung an FILE anhängen",
    "colour the output (default auto; NO_COLOR is honoured)":
        "die Ausgabe färben (Standard auto; NO_COLOR wird beachtet)",
    "start a local SMTP server on loopback and connect to it":
        "einen lokalen SMTP-Server auf Loopback starten und mit ihm verbinden",
    "with --sandbox: only run the server (on PORT) until Ctrl-C":
        "mit --sandbox: nur den Server laufen lassen (auf PORT), bis Strg-C",
    "where the sandbox saves messages (kept; without it, a temporary folder removed at exit)":
        "wo die Sandbox Nachrichten speichert (sie bleiben; ohne die Option ein temporärer"
        " Ordner, der am Ende gelöscht wird)",
    "with --sandbox: accept what a strict RFC 5321 server refuses (no angle brackets, bare"
    " LF, undeclared 8-bit text)":
        "mit --sandbox: annehmen, was ein strenger Server nach RFC 5321 ablehnt (keine spitzen"
        " Klammern, einzelnes LF, nicht angemeldeter 8-Bit-Text)",
    "with --sandbox: keep the exact bytes each client sent, one file per client in DIR (what"
    " arrives through a relay, byte for byte)":
        "mit --sandbox: die genauen Bytes jedes Clients aufheben, eine Datei pro Client in DIR"
        " (was über ein Relay ankommt, Byte für Byte)",
    "with --sandbox: fault rules (TOML [[rule]] tables) saying what the server does at each"
    " stage":
        "mit --sandbox: Fehlerregeln (TOML-Tabellen [[rule]]), die sagen, was der Server in"
        " jeder Phase tut",
    "with --sandbox: a ready-made classroom scenario (greylisting, full-mailbox,"
    " tls-required, auth-required, slow-greeting, flaky ...; NAME:SECS for its number);"
    " `--scenario list` lists them":
        "mit --sandbox: ein fertiges Szenario für den Unterricht (greylisting, full-mailbox,"
        " tls-required, auth-required, slow-greeting, flaky ...; NAME:SECS für seine Zahl);"
        " `--scenario list` zählt sie auf",
    "name for EHLO sent by --starttls/--auth": "der Name für das EHLO von --starttls/--auth",
    "in script mode, send the command groups RFC 2920 allows in one write when the server"
    " advertises PIPELINING":
        "im Skriptmodus die Befehlsgruppen, die RFC 2920 erlaubt, auf einmal senden, wenn der"
        " Server PIPELINING anbietet",
    "in script mode, write each event as one JSON line (schema version 1, see"
    " docs/reference.md)":
        "im Skriptmodus jedes Ereignis als eine JSON-Zeile ausgeben (Schema-Version 1, siehe"
        " docs/reference.md)",
    "speak LMTP (RFC 2033): LHLO, one reply per recipient after the message; port 24 by"
    " default; TARGET may be unix:/path/to/socket":
        "LMTP sprechen (RFC 2033): LHLO, nach der Nachricht eine Antwort pro Empfänger;"
        " Standardport 24; TARGET darf unix:/pfad/zum/socket sein",
    "implicit TLS from the first byte (RFC 8314; port 465 implies it)":
        "implizites TLS ab dem ersten Byte (RFC 8314; Port 465 bedeutet es)",
    "after connecting: EHLO, STARTTLS, EHLO again":
        "nach dem Verbinden: EHLO, STARTTLS, noch einmal EHLO",
    "after the handshake, show the certificate card (as :cert does)":
        "nach dem Handshake die Zertifikatskarte zeigen (wie :cert)",
    "do not verify the certificate (shown as unverified TLS)":
        "das Zertifikat nicht prüfen (angezeigt als ungeprüftes TLS)",
    "trust the CA certificates in FILE": "den CA-Zertifikaten in FILE vertrauen",
    "name for SNI and verification (default: the host)":
        "der Name für SNI und die Prüfung (Standard: der Host)",
    "lowest TLS version": "niedrigste TLS-Version",
    "highest TLS version": "höchste TLS-Version",
    "client certificate (PEM)": "Client-Zertifikat (PEM)",
    "key of the client certificate": "Schlüssel des Client-Zertifikats",
    "write TLS keys for Wireshark (SSLKEYLOGFILE is honoured too)":
        "TLS-Schlüssel für Wireshark schreiben (SSLKEYLOGFILE wird auch beachtet)",
    "authenticate after connecting (PLAIN, LOGIN, CRAM-MD5, XOAUTH2, OAUTHBEARER); password"
    " from SMTPSH_PASSWORD, ~/.netrc or a prompt":
        "nach dem Verbinden anmelden (PLAIN, LOGIN, CRAM-MD5, XOAUTH2, OAUTHBEARER); das"
        " Passwort aus SMTPSH_PASSWORD, ~/.netrc oder einer Abfrage",
    "user name for --auth": "Benutzername für --auth",
    "authorization identity for PLAIN": "Autorisierungsidentität für PLAIN",
    "OAuth token for XOAUTH2/OAUTHBEARER (or SMTPSH_TOKEN)":
        "OAuth-Token für XOAUTH2/OAUTHBEARER (oder SMTPSH_TOKEN)",
    "in script mode, allow AUTH over a connection without TLS (loopback is always allowed,"
    " with a warning)":
        "im Skriptmodus AUTH über eine Verbindung ohne TLS erlauben (auf Loopback immer"
        " erlaubt, mit einer Warnung)",
    "do not redact passwords and tokens (for a lab only)":
        "Passwörter und Tokens nicht verbergen (nur für ein Labor)",
    "TARGET is a mail domain or address: pick its server as an MTA does":
        "TARGET ist eine Mail-Domain oder -Adresse: ihren Server wählen, wie ein MTA es tut",
    "DNS server for --mx, --check": "DNS-Server für --mx, --check",
    "TARGET is a mail domain (or user@domain): check its MX hosts (DNS, SMTP, TLS, DANE,"
    " MTA-STS, TLS-RPT) and print a report card":
        "TARGET ist eine Mail-Domain (oder user@domain): ihre MX-Hosts prüfen (DNS, SMTP,"
        " TLS, DANE, MTA-STS, TLS-RPT) und ein Zeugnis ausgeben",
    "with --mx: show the plan only": "mit --mx: nur den Plan zeigen",
    "connect through a proxy: socks5://[user:pass@]host:port (socks5h:// to let the proxy"
    " resolve names), socks4://, http:// (CONNECT); `env`: the one ALL_PROXY names":
        "über einen Proxy verbinden: socks5://[user:pass@]host:port (socks5h://, damit der"
        " Proxy die Namen auflöst), socks4://, http:// (CONNECT); `env`: der aus ALL_PROXY",
    "send a PROXY protocol header (HAProxy) before the SMTP dialog":
        "vor dem SMTP-Dialog einen Header des PROXY-Protokolls (HAProxy) senden",
    "with --proxy-protocol: the client the header claims (default: our own address)":
        "mit --proxy-protocol: der Client, den der Header angibt (Standard: die eigene"
        " Adresse)",
    'print the completion script for bash, zsh or fish and exit (bash: eval "$(smtpsh'
    ' --print-completion bash)")':
        'das Vervollständigungsskript für bash, zsh oder fish ausgeben und beenden (bash:'
        ' eval "$(smtpsh --print-completion bash)")',
    "print the man page (roff) and exit: smtpsh --print-man | man -l -":
        "die Manpage (roff) ausgeben und beenden: smtpsh --print-man | man -l -",
    "run active probes against TARGET (smuggling, bare-lf, ...; `all`) and show a card of"
    " findings; `--probe list` lists them":
        "aktive Tests gegen TARGET laufen lassen (smuggling, bare-lf, ...; `all`) und eine"
        " Karte der Befunde zeigen; `--probe list` zählt sie auf",
    "the envelope sender probes use (default: the null sender <>)":
        "der Envelope-Absender der Tests (Standard: der leere Absender <>)",
    "a recipient the probes that send a message may use; without it they are skipped":
        "ein Empfänger für die Tests, die eine Nachricht senden; ohne ihn werden sie"
        " übersprungen",
    "with --probe or --check: one Nagios plugin line, and its exit code":
        "mit --probe oder --check: eine Zeile als Nagios-Plugin, mit dessen Exit-Code",
    "explain a reply code, enhanced code, reply line, verb or keyword":
        "einen Antwortcode, erweiterten Code, eine Antwortzeile, einen Befehl oder ein"
        " Schlüsselwort erklären",
    "read the Received chain of a message (- for stdin)":
        "die Received-Kette einer Nachricht lesen (- für stdin)",
    "read a message's Authentication-Results, verify its DKIM-Signature and ARC fields (keys"
    " through --nameserver if given) and print a card of findings (- for stdin; --json)":
        "die Authentication-Results einer Nachricht lesen, ihre DKIM-Signature- und"
        " ARC-Felder prüfen (Schlüssel über --nameserver, wenn angegeben) und eine Karte der"
        " Befunde ausgeben (- für stdin; --json)",
    "a lesson on the sandbox: one task at a time, each step checked from the dialog; without"
    " N the list of lessons":
        "eine Lektion auf der Sandbox: eine Aufgabe nach der anderen, jeder Schritt am Dialog"
        " geprüft; ohne N die Liste der Lektionen",
    "learner's mode: the shell suggests the next step and explains rejects in terms of what"
    " you typed (on by default in the sandbox)":
        "Lernmodus: die Shell schlägt den nächsten Schritt vor und erklärt Ablehnungen an dem,"
        " was du getippt hast (in der Sandbox von selbst an)",
    "in script mode, add the meaning under each 4xx/5xx reply":
        "im Skriptmodus unter jede 4xx/5xx-Antwort ihre Bedeutung schreiben",
    "language of what smtpsh says: help, messages, explanations, the guide (default: de when"
    " the locale, LC_ALL/LC_MESSAGES/LANG, is German, else en)":
        "die Sprache von smtpsh: Hilfe, Meldungen, Erklärungen, Anleitung (Standard: de,"
        " wenn die Locale, LC_ALL/LC_MESSAGES/LANG, deutsch ist, sonst en)",
    "re-send the client side of a saved dialog (a transcript, a C:/S: dialog, a netcat"
    " dialog) to TARGET and compare each reply with the recorded one; exit 13 when one"
    " differs":
        "die Client-Seite eines gespeicherten Dialogs (ein Transcript, ein C:/S:-Dialog, ein"
        " netcat-Dialog) erneut an TARGET senden und jede Antwort mit der aufgezeichneten"
        " vergleichen; Exit 13, wenn eine abweicht",
    "with --replay/--compare: compare the reply text too":
        "mit --replay/--compare: auch den Text der Antworten vergleichen",
    "run the dialog (stdin, -c or --replay) against TARGET, then TARGET2, and show the"
    " replies side by side; exit 13 when they differ":
        "den Dialog (stdin, -c oder --replay) gegen TARGET, dann gegen TARGET2 laufen lassen"
        " und die Antworten nebeneinander zeigen; Exit 13, wenn sie sich unterscheiden",
    "after the dialog, print the command that reproduces it: swaks, curl, openssl or python"
    " (the dialog goes to stderr)":
        "nach dem Dialog den Befehl ausgeben, der ihn wiederholt: swaks, curl, openssl oder"
        " python (der Dialog geht nach stderr)",
    # smtpsh/exitcodes.py: the exit statuses in --help
    "the dialog ran to its end and no reply in it was 4xx or 5xx":
        "der Dialog lief bis zum Ende, und keine Antwort darin war 4xx oder 5xx",
    "a local problem (a file that cannot be read or written, an internal error)":
        "ein lokales Problem (eine Datei, die sich nicht lesen oder schreiben lässt, ein"
        " interner Fehler)",
    "bad arguments": "falsche Argumente",
    "could not connect (unknown host, connection refused, unreachable)":
        "keine Verbindung (unbekannter Host, Verbindung abgelehnt, nicht erreichbar)",
    "no connection, no reply, or no data taken within --timeout":
        "keine Verbindung, keine Antwort oder keine Daten angenommen innerhalb von --timeout",
    "the server closed the connection before the dialog ended":
        "der Server hat die Verbindung vor dem Ende des Dialogs geschlossen",
    "TLS failed (handshake, certificate, STARTTLS refused under --starttls)":
        "TLS gescheitert (Handshake, Zertifikat, STARTTLS abgelehnt bei --starttls)",
    "a reply in the dialog was 4xx (and none was 5xx)":
        "eine Antwort im Dialog war 4xx (und keine 5xx)",
    "a reply in the dialog was 5xx": "eine Antwort im Dialog war 5xx",
    "--mx: the domain does not exist or accepts no mail (would bounce)":
        "--mx: die Domain gibt es nicht, oder sie nimmt keine Mail an (würde zurückgehen)",
    "--mx: temporary DNS failure, or no server could be reached (would defer)":
        "--mx: vorübergehender DNS-Fehler, oder kein Server war erreichbar (würde"
        " zurückgestellt)",
    "AUTH ended without a 235: not authenticated, though no reply said 4xx/5xx":
        "AUTH endete ohne 235: nicht angemeldet, obwohl keine Antwort 4xx/5xx war",
    "the server broke the protocol (a reply code outside 200-599, a 3xx where none is due):"
    " the dialog was stopped":
        "der Server hat das Protokoll verletzt (ein Antwortcode außerhalb 200-599, ein 3xx,"
        " wo keines fällig ist): der Dialog wurde abgebrochen",
    "a reply did not match what the dialog expected (a ?-line), or --replay / --compare found"
    " a reply that differs":
        "eine Antwort passte nicht zu dem, was der Dialog erwartete (eine ?-Zeile), oder"
        " --replay / --compare fand eine abweichende Antwort",
    "--check/--probe: warnings, and no finding failed":
        "--check/--probe: Warnungen, und kein Befund ist gescheitert",
    "--check/--probe: at least one finding failed":
        "--check/--probe: mindestens ein Befund ist gescheitert",
    "--proxy: the proxy could not be reached, refused the authentication, or refused the"
    " connection to the server":
        "--proxy: der Proxy war nicht erreichbar, hat die Anmeldung abgelehnt oder die"
        " Verbindung zum Server abgelehnt",
    "interrupted (Ctrl-C) outside the shell": "abgebrochen (Strg-C) außerhalb der Shell",
    # smtpsh/app.py: usage errors and the program's own messages
    "{message} (see smtpsh --help)": "{message} (siehe smtpsh --help)",
    "--replay-strict goes with --replay or --compare":
        "--replay-strict gehört zu --replay oder --compare",
    "--replay, --compare and --export take a TARGET (not --sandbox or --mx)":
        "--replay, --compare und --export brauchen ein TARGET (nicht --sandbox oder --mx)",
    "--replay FILE is the dialog: give no -c lines":
        "--replay FILE ist der Dialog: keine -c-Zeilen angeben",
    "the port is given twice ({ports})": "der Port ist zweimal angegeben ({ports})",
    " and ": " und ",
    "{flag} goes with --probe": "{flag} gehört zu --probe",
    "--probe runs on its own: not with --sandbox, --mx, -c or --lmtp":
        "--probe läuft für sich: nicht mit --sandbox, --mx, -c oder --lmtp",
    "{flag}: give the bare address, without <> or spaces":
        "{flag}: die bloße Adresse angeben, ohne <> oder Leerzeichen",
    "--proxy-source goes with --proxy-protocol": "--proxy-source gehört zu --proxy-protocol",
    "--proxy and --proxy-protocol take a TARGET (not --sandbox)":
        "--proxy und --proxy-protocol brauchen ein TARGET (nicht --sandbox)",
    "--lesson opens the shell on the sandbox: no TARGET, no --serve":
        "--lesson öffnet die Shell auf der Sandbox: kein TARGET, kein --serve",
    "--tls and --starttls exclude each other: one TLS at a time":
        "--tls und --starttls schließen sich aus: nur ein TLS auf einmal",
    "--key goes with --cert": "--key gehört zu --cert",
    "--nameserver goes with --mx or --check": "--nameserver gehört zu --mx oder --check",
    "--dry-run goes with --mx": "--dry-run gehört zu --mx",
    "--nagios goes with --check or --probe": "--nagios gehört zu --check oder --probe",
    "--check runs on its own: no --mx, --probe, --sandbox, -c, --tls, --starttls or --lmtp":
        "--check läuft für sich: kein --mx, --probe, --sandbox, -c, --tls, --starttls oder"
        " --lmtp",
    "--timeout must be a number of seconds more than 0":
        "--timeout muss eine Zahl von Sekunden größer als 0 sein",
    "--serve goes with --sandbox": "--serve gehört zu --sandbox",
    "{flag} goes with --sandbox": "{flag} gehört zu --sandbox",
    "--sandbox starts its own server: give no TARGET":
        "--sandbox startet einen eigenen Server: kein TARGET angeben",
    "no server given: smtpsh HOST [PORT], or smtpsh --sandbox":
        "kein Server angegeben: smtpsh HOST [PORT] oder smtpsh --sandbox",
    "with --check, give the port with -p": "mit --check den Port mit -p angeben",
    "with --mx, give the port with -p": "mit --mx den Port mit -p angeben",
    "standard output is closed: nowhere to show the dialog (send it to /dev/null to run"
    " without it)":
        "die Standardausgabe ist geschlossen: der Dialog kann nirgends erscheinen (nach"
        " /dev/null umleiten, um ohne sie zu laufen)",
    "cannot write to standard output: {error}":
        "kann nicht in die Standardausgabe schreiben: {error}",
    "interrupted": "abgebrochen",
    "internal error: {error}": "interner Fehler: {error}",
    " (details in {file})": " (Einzelheiten in {file})",
    "cannot read --token-file {file}: {error}": "kann --token-file {file} nicht lesen: {error}",
    "--auth needs --user (or a ~/.netrc entry for {host})":
        "--auth braucht --user (oder einen Eintrag in ~/.netrc für {host})",
    "--auth needs a token: give it with --token-file, SMTPSH_TOKEN, or run on a terminal to"
    " be asked":
        "--auth braucht ein Token: mit --token-file oder SMTPSH_TOKEN angeben, oder in einem"
        " Terminal starten, um danach gefragt zu werden",
    "--auth needs a password: give it with SMTPSH_PASSWORD, ~/.netrc, or run on a terminal"
    " to be asked":
        "--auth braucht ein Passwort: mit SMTPSH_PASSWORD oder ~/.netrc angeben, oder in"
        " einem Terminal starten, um danach gefragt zu werden",
    "Token for {user}: ": "Token für {user}: ",
    "Password for {user}: ": "Passwort für {user}: ",
    "no token given": "kein Token angegeben",
    "no password given": "kein Passwort angegeben",
    "cannot write the transcript {file}: {error}":
        "kann das Transcript {file} nicht schreiben: {error}",
    "warning: {warning}": "Warnung: {warning}",
    "port {port}": "Port {port}",
    "cannot start the sandbox{where}: {error}":
        "kann die Sandbox nicht starten{where}: {error}",
    "scenario {name}: {text}": "Szenario {name}: {text}",
    "sandbox: rule {rule}": "Sandbox: Regel {rule}",
    "sandbox: serving until Ctrl-C; each client's dialog is shown as the server sees it, and"
    " its report card when it leaves":
        "Sandbox: läuft bis Strg-C; der Dialog jedes Clients erscheint, wie der Server ihn"
        " sieht, und sein Zeugnis, wenn er geht",
}
