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
    "offline": "Offline",
    "replay, compare, export": "wiederholen, vergleichen, exportieren",
    "An interactive SMTP shell: talk to a mail server by hand, with help.":
        "Eine interaktive SMTP-Shell: von Hand mit einem Mailserver sprechen, mit Hilfe.",
    "server as host, host:port, [v6addr]:port": "der Server als host, host:port, [v6addr]:port",
    "port, as telnet takes it": "der Port, wie bei telnet",
    "port (default 25)": "der Port (Standard 25)",
    "run this line as if typed (repeatable); then quit":
        "diese Zeile ausführen, als wäre sie getippt (mehrfach möglich); dann beenden",
    "seconds to wait for the connection and for each reply (default 30)":
        "wie viele Sekunden auf die Verbindung und auf jede Antwort gewartet wird (Standard 30)",
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
        "implizites TLS ab dem ersten Byte (RFC 8314; bei Port 465 von selbst)",
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
        "mit --probe oder --check: eine Zeile als Nagios-Plugin, mit passendem Exit-Code",
    "explain a reply code, enhanced code, reply line, verb or keyword":
        "einen Antwortcode, erweiterten Code, eine Antwortzeile, einen Befehl oder ein"
        " Schlüsselwort erklären",
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
        "--mx: die Domain gibt es nicht, oder sie nimmt keine Mail an (die Nachricht käme"
        " zurück)",
    "--mx: temporary DNS failure, or no server could be reached (would defer)":
        "--mx: vorübergehender DNS-Fehler, oder kein Server war erreichbar (die Nachricht"
        " würde aufgeschoben)",
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
    # smtpsh/oswords.py: the operating system's error texts
    "Name or service not known": "Name oder Dienst unbekannt",
    "Temporary failure in name resolution": "vorübergehender Fehler bei der Namensauflösung",
    "No address associated with hostname": "keine Adresse zu diesem Hostnamen",
    "Connection refused": "Verbindung abgelehnt",
    "Connection reset by peer": "Verbindung von der Gegenseite zurückgesetzt",
    "Connection timed out": "Zeitüberschreitung der Verbindung",
    "Network is unreachable": "Netz nicht erreichbar",
    "No route to host": "keine Route zum Host",
    "Cannot assign requested address": "die gewünschte Adresse kann nicht zugewiesen werden",
    "Address already in use": "Adresse wird schon benutzt",
    "No such file or directory": "Datei oder Verzeichnis nicht gefunden",
    "Permission denied": "keine Berechtigung",
    "Is a directory": "ist ein Verzeichnis",
    "Not a directory": "ist kein Verzeichnis",
    "Broken pipe": "Pipe unterbrochen",
    "No space left on device": "kein Platz mehr auf dem Gerät",
    "Read-only file system": "Dateisystem nur lesbar",
    # smtpsh/transport.py: connection errors
    "no IPv{want} address (the host has only IPv{have} addresses; drop -{want})":
        "keine IPv{want}-Adresse (der Host hat nur IPv{have}-Adressen; -{want} weglassen)",
    "cannot resolve the --source address '{source}': {error}":
        "kann die --source-Adresse '{source}' nicht auflösen: {error}",
    "the --source address {source} is not of the family of {address}":
        "die --source-Adresse {source} gehört nicht zur Adressfamilie von {address}",
    "{host} has no address to connect to": "{host} hat keine Adresse zum Verbinden",
    "no connection to unix socket {path} (timed out)":
        "keine Verbindung zum Unix-Socket {path} (Zeit abgelaufen)",
    "cannot connect to {path}: not a unix socket":
        "kann nicht mit {path} verbinden: kein Unix-Socket",
    "connection to unix socket {path} refused: nothing listens there (a socket file left"
    " behind?)":
        "Verbindung zum Unix-Socket {path} abgelehnt: dort lauscht nichts (eine"
        " zurückgelassene Socket-Datei?)",
    "cannot connect to unix socket {path}: {error}":
        "kann nicht mit dem Unix-Socket {path} verbinden: {error}",
    "cannot resolve host '{host}': no answer within {seconds} s":
        "kann den Host '{host}' nicht auflösen: keine Antwort innerhalb von {seconds} s",
    "cannot connect to {host} port {port}: {error}":
        "kann nicht mit {host} Port {port} verbinden: {error}",
    "cannot resolve host '{host}': {error}": "kann den Host '{host}' nicht auflösen: {error}",
    "connection to {host} port {port} refused: nothing listens there":
        "Verbindung zu {host} Port {port} abgelehnt: dort lauscht nichts",
    "no connection to {host} port {port} (timed out)":
        "keine Verbindung zu {host} Port {port} (Zeit abgelaufen)",
    "TLS: a unix socket ({path}) has no host name to verify the certificate against: give"
    " --tls-servername NAME (or --insecure)":
        "TLS: ein Unix-Socket ({path}) hat keinen Hostnamen, gegen den das Zertifikat geprüft"
        " werden kann: --tls-servername NAME angeben (oder --insecure)",
    "--source {source} has no meaning for the unix socket {path}":
        "--source {source} hat für den Unix-Socket {path} keine Bedeutung",
    "--proxy and --proxy-protocol have no meaning for the unix socket {path}":
        "--proxy und --proxy-protocol haben für den Unix-Socket {path} keine Bedeutung",
    "cannot connect: {error}": "kann nicht verbinden: {error}",
    "connection lost while sending: {error}": "Verbindung beim Senden verloren: {error}",
    "TLS: cannot use it as the server name: {error}":
        "TLS: nicht als Servername verwendbar: {error}",
    "no greeting: this port expects TLS from the first byte (it answered a TLS handshake):"
    " try --tls":
        "keine Begrüßung: dieser Port erwartet TLS ab dem ersten Byte (er hat auf einen"
        " TLS-Handshake geantwortet): --tls versuchen",
    # smtpsh/tls.py: TLS failures in plain words
    "no PEM certificate in it": "kein PEM-Zertifikat darin",
    "not a PEM certificate with its key": "kein PEM-Zertifikat mit seinem Schlüssel",
    "cannot use {flag} {path}: {error}": "kann {flag} {path} nicht verwenden: {error}",
    "no TLS on this port: it speaks plain SMTP first: use STARTTLS (--starttls instead of"
    " --tls)":
        "kein TLS auf diesem Port: er spricht zuerst einfaches SMTP: STARTTLS verwenden"
        " (--starttls statt --tls)",
    "the server agreed to STARTTLS but then did not speak TLS: its TLS set-up (or a proxy or"
    " firewall in between) is broken: tell its admin, or try port 465 with --tls":
        "der Server hat STARTTLS zugestimmt, dann aber kein TLS gesprochen: seine"
        " TLS-Einrichtung (oder ein Proxy oder eine Firewall dazwischen) ist kaputt: dem"
        " Admin Bescheid geben, oder Port 465 mit --tls versuchen",
    "no TLS version in common with the server{bounds}: widen --tls-min/--tls-max":
        "keine gemeinsame TLS-Version mit dem Server{bounds}: --tls-min/--tls-max weiter"
        " fassen",
    "no TLS version in common with the server: an old server may speak only TLS 1.0 or 1.1:"
    " try --tls-min 1.0":
        "keine gemeinsame TLS-Version mit dem Server: ein alter Server spricht vielleicht nur"
        " TLS 1.0 oder 1.1: --tls-min 1.0 versuchen",
    "no cipher in common with the server: an old server may offer only ciphers this OpenSSL"
    " turns down: try --tls-min 1.0 (it accepts old ones too)":
        "kein gemeinsames Cipher mit dem Server: ein alter Server bietet vielleicht nur"
        " Ciphers, die dieses OpenSSL ablehnt: --tls-min 1.0 versuchen (es nimmt auch alte an)",
    "the server's key or certificate is too weak for this OpenSSL's security level: tell its"
    " admin; to go on anyway, try --tls-min 1.0 (it accepts weak ones too)":
        "Schlüssel oder Zertifikat des Servers sind zu schwach für die Sicherheitsstufe"
        " dieses OpenSSL: dem Admin Bescheid geben; um trotzdem weiterzumachen, --tls-min 1.0"
        " versuchen (es nimmt auch schwache an)",
    "the server broke off the TLS handshake{bounds}: it may speak no TLS version in that"
    " range: widen --tls-min/--tls-max":
        "der Server hat den TLS-Handshake abgebrochen{bounds}: vielleicht spricht er keine"
        " TLS-Version in diesem Bereich: --tls-min/--tls-max weiter fassen",
    "the server broke off the TLS handshake (closed the connection): it may want TLS"
    " versions or ciphers smtpsh does not offer (try --tls-max 1.2 or --tls-min 1.0), or a"
    " client certificate (--cert FILE --key FILE)":
        "der Server hat den TLS-Handshake abgebrochen (die Verbindung geschlossen):"
        " vielleicht will er TLS-Versionen oder Ciphers, die smtpsh nicht anbietet"
        " (--tls-max 1.2 oder --tls-min 1.0 versuchen), oder ein Client-Zertifikat"
        " (--cert FILE --key FILE)",
    "the TLS handshake timed out: the server did not answer it: a firewall may drop TLS, or"
    " the server is overloaded: try again, or with a longer --timeout":
        "Zeitüberschreitung beim TLS-Handshake: der Server hat nicht geantwortet: vielleicht"
        " verwirft eine Firewall TLS, oder der Server ist überlastet: noch einmal versuchen,"
        " oder mit längerem --timeout",
    "the TLS handshake failed ({error}): check --tls-min/--tls-max and --tls-servername; the"
    " server's log may say more":
        "der TLS-Handshake ist gescheitert ({error}): --tls-min/--tls-max und"
        " --tls-servername prüfen; das Log des Servers sagt vielleicht mehr",
    "the TLS handshake failed: {error}": "der TLS-Handshake ist gescheitert: {error}",
    "the server ended the handshake with an alert ({alert})":
        "der Server hat den Handshake mit einem Alert beendet ({alert})",
    "the host typed": "den eingegebenen Host",
    "widen --tls-min/--tls-max": "--tls-min/--tls-max weiter fassen",
    "try --tls-min 1.0 or --tls-max 1.2": "--tls-min 1.0 oder --tls-max 1.2 versuchen",
    "it found no cipher or TLS version in common{bounds}, or it wants a client certificate:"
    " {versions}, or give --cert FILE --key FILE":
        "er fand kein gemeinsames Cipher und keine gemeinsame TLS-Version{bounds}, oder er"
        " will ein Client-Zertifikat: {versions}, oder --cert FILE --key FILE angeben",
    "it does not speak the TLS versions smtpsh offered{bounds}: widen --tls-min/--tls-max":
        "er spricht die TLS-Versionen nicht, die smtpsh angeboten hat{bounds}:"
        " --tls-min/--tls-max weiter fassen",
    "it does not speak the TLS versions smtpsh offered: an old server may speak only TLS 1.0"
    " or 1.1: try --tls-min 1.0":
        "er spricht die TLS-Versionen nicht, die smtpsh angeboten hat: ein alter Server"
        " spricht vielleicht nur TLS 1.0 oder 1.1: --tls-min 1.0 versuchen",
    "it may not have a certificate for this name ({name}), or it refuses this TLS version:"
    " try --tls-servername NAME with the name it serves, or --tls-max 1.2; the server's log"
    " says which":
        "vielleicht hat er kein Zertifikat für diesen Namen ({name}), oder er lehnt diese"
        " TLS-Version ab: --tls-servername NAME mit dem Namen versuchen, den er bedient, oder"
        " --tls-max 1.2; das Log des Servers sagt, was davon",
    "it serves no certificate for {name}: connect by the name it serves, or give it with"
    " --tls-servername NAME":
        "er hat kein Zertifikat für {name}: über den Namen verbinden, den er bedient, oder"
        " ihn mit --tls-servername NAME angeben",
    "it wants a client certificate it trusts: give --cert FILE --key FILE":
        "er will ein Client-Zertifikat, dem er vertraut: --cert FILE --key FILE angeben",
    "it wants a client certificate it trusts, and got none or one it refuses: give --cert"
    " FILE --key FILE, from a CA the server trusts and still valid":
        "er will ein Client-Zertifikat, dem er vertraut, und bekam keins oder eins, das er"
        " ablehnt: --cert FILE --key FILE angeben, von einer CA, der der Server vertraut, und"
        " noch gültig",
    "it does not let this client in (its address or certificate): ask its admin, or give"
    " the --cert FILE --key FILE it expects":
        "er lässt diesen Client nicht herein (seine Adresse oder sein Zertifikat): den Admin"
        " fragen, oder das --cert FILE --key FILE angeben, das er erwartet",
    "it wants stronger ciphers or a newer TLS: raise --tls-min or drop --tls-max":
        "er will stärkere Ciphers oder ein neueres TLS: --tls-min erhöhen oder --tls-max"
        " weglassen",
    "the server's log says why; try --tls-max 1.2, or --tls-servername NAME with the name it"
    " serves":
        "das Log des Servers sagt, warum; --tls-max 1.2 versuchen, oder --tls-servername NAME"
        " mit dem Namen, den er bedient",
    "; or skip the checks with --insecure": "; oder die Prüfung mit --insecure auslassen",
    "(could not fetch them)": "(konnten nicht abgerufen werden)",
    "the certificate is not valid for {name}: it holds {names}; connect by one of those"
    " names or give it with --tls-servername NAME":
        "das Zertifikat gilt nicht für {name}: es nennt {names}; über einen dieser Namen"
        " verbinden oder ihn mit --tls-servername NAME angeben",
    "the server's certificate expired on {date} ({ago}): the server must renew it":
        "das Zertifikat des Servers ist am {date} abgelaufen ({ago}): der Server muss es"
        " erneuern",
    "the server's certificate expired: the server must renew it":
        "das Zertifikat des Servers ist abgelaufen: der Server muss es erneuern",
    "the server's certificate is not valid before {date} (check this clock)":
        "das Zertifikat des Servers gilt erst ab {date} (die Uhr hier prüfen)",
    "the server's certificate is not valid yet (check this clock)":
        "das Zertifikat des Servers gilt noch nicht (die Uhr hier prüfen)",
    "the server's certificate is self-signed{who}: if you expect it, trust it with --cafile"
    " FILE":
        "das Zertifikat des Servers ist selbst signiert{who}: wenn das so sein soll, ihm mit"
        " --cafile FILE vertrauen",
    "the certificate comes from an issuer smtpsh does not trust{who}: trust that CA with"
    " --cafile FILE":
        "das Zertifikat kommt von einem Aussteller, dem smtpsh nicht vertraut{who}: dieser CA"
        " mit --cafile FILE vertrauen",
    "certificate verification failed: {error}":
        "die Prüfung des Zertifikats ist gescheitert: {error}",
    " within {bounds}": " innerhalb von {bounds}",
    "today": "heute",
    "{days} days ago": "vor {days} Tagen",
    "NOT YET VALID": "NOCH NICHT GÜLTIG",
    "EXPIRED {ago}": "ABGELAUFEN {ago}",
    "{days} days left": "noch {days} Tage",
    "{start} to {end} ({state})": "{start} bis {end} ({state})",
    "RSA {bits} bits": "RSA {bits} Bit",
    "no TLS on this connection (STARTTLS, or connect with --tls)":
        "kein TLS auf dieser Verbindung (STARTTLS, oder mit --tls verbinden)",
    " ({bits} bits)": " ({bits} Bit)",
    "verified for {name}": "geprüft für {name}",
    "NOT verified (--insecure)": "NICHT geprüft (--insecure)",
    "protocol": "Protokoll",
    "{version}, cipher {cipher}": "{version}, Cipher {cipher}",
    "certificate": "Zertifikat",
    "the server sent no certificate": "der Server hat kein Zertifikat gesendet",
    "subject": "Inhaber",
    "(empty)": "(leer)",
    "names": "Namen",
    "issuer": "Aussteller",
    "valid": "gültig",
    "key": "Schlüssel",
    "chain": "Kette",
    "not available from this Python (3.13 shows it)":
        "in diesem Python nicht verfügbar (3.13 zeigt sie)",
    "{count} certificate as the server sent it:":
        "{count} Zertifikat, wie der Server es gesendet hat:",
    "{count} certificates as the server sent them:":
        "{count} Zertifikate, wie der Server sie gesendet hat:",
    "{subject}  <- issued by {issuer}": "{subject}  <- ausgestellt von {issuer}",
    "(unreadable)": "(unlesbar)",
    # smtpsh/client.py: what the core concludes from replies, and warnings before sending
    "the connection (greeting)": "die Verbindung (Begrüßung)",
    "the end of the message": "das Ende der Nachricht",
    "the end of the message for <{address}>": "das Ende der Nachricht für <{address}>",
    "AUTH (cancel)": "AUTH (Abbruch)",
    "AUTH (response)": "AUTH (Antwort)",
    "the server refuses service: it will answer 503 to all but QUIT (RFC 5321 3.1)":
        "der Server verweigert den Dienst: auf alles außer QUIT antwortet er 503"
        " (RFC 5321 3.1)",
    "a refused BDAT leaves the transaction in doubt: send RSET (RFC 3030 2)":
        "ein abgelehntes BDAT lässt die Transaktion im Ungewissen: RSET senden (RFC 3030 2)",
    "XCLIENT accepted: the 220 is a new greeting; send EHLO again (Postfix XCLIENT_README)":
        "XCLIENT angenommen: die 220 ist eine neue Begrüßung; noch einmal EHLO senden"
        " (Postfix XCLIENT_README)",
    "354 though no recipient was accepted: send the lone dot to end an empty message"
    " (RFC 2920 3.1)":
        "354, obwohl kein Empfänger angenommen wurde: den einzelnen Punkt senden, um eine"
        " leere Nachricht zu beenden (RFC 2920 3.1)",
    "commands were sent after STARTTLS in the same group; their replies would come in clear"
    " text (RFC 3207 4.2)":
        "nach STARTTLS wurden in derselben Gruppe Befehle gesendet; ihre Antworten kämen im"
        " Klartext (RFC 3207 4.2)",
    "AUTH answered {code}, not 235: not counted as authenticated (RFC 4954 6)":
        "AUTH wurde mit {code} beantwortet, nicht mit 235: zählt nicht als angemeldet"
        " (RFC 4954 6)",
    "LMTP greets with LHLO, not {verb} (RFC 2033 4.1)":
        "LMTP begrüßt mit LHLO, nicht mit {verb} (RFC 2033 4.1)",
    "a non-ASCII address needs SMTPUTF8, which the server did not advertise (RFC 6531)":
        "eine Adresse mit Nicht-ASCII-Zeichen braucht SMTPUTF8, das der Server nicht anbietet"
        " (RFC 6531)",
    "a non-ASCII address: declare SMTPUTF8 on MAIL FROM (RFC 6531 3.4)":
        "eine Adresse mit Nicht-ASCII-Zeichen: SMTPUTF8 bei MAIL FROM angeben (RFC 6531 3.4)",
    "a non-ASCII address but MAIL FROM did not declare SMTPUTF8 (RFC 6531 3.4)":
        "eine Adresse mit Nicht-ASCII-Zeichen, aber MAIL FROM hat SMTPUTF8 nicht angegeben"
        " (RFC 6531 3.4)",
    "REQUIRETLS on a connection without TLS: the server must refuse it (RFC 8689 4.1)":
        "REQUIRETLS auf einer Verbindung ohne TLS: der Server muss es ablehnen (RFC 8689 4.1)",
    "more recipients than LIMITS RCPTMAX={limit} allows in one transaction (RFC 9422 4.2)":
        "mehr Empfänger, als LIMITS RCPTMAX={limit} in einer Transaktion erlaubt"
        " (RFC 9422 4.2)",
    "more transactions than LIMITS MAILMAX={limit} allows on one connection (RFC 9422 4.1)":
        "mehr Transaktionen, als LIMITS MAILMAX={limit} auf einer Verbindung erlaubt"
        " (RFC 9422 4.1)",
    "8-bit text but the server did not advertise 8BITMIME (RFC 6152)":
        "8-Bit-Text, aber der Server bietet 8BITMIME nicht an (RFC 6152)",
    "8-bit text but MAIL FROM did not declare BODY=8BITMIME (RFC 6152 3)":
        "8-Bit-Text, aber MAIL FROM hat BODY=8BITMIME nicht angegeben (RFC 6152 3)",
    "the message is {octets} octets, over the server's SIZE limit of {limit}":
        "die Nachricht hat {octets} Oktette, mehr als die SIZE-Grenze des Servers von {limit}",
    "the longest line has {octets} octets, over {limit}":
        "die längste Zeile hat {octets} Oktette, mehr als {limit}",
    "{code} is not an SMTP reply code (RFC 5321 4.2: 2xx to 5xx)":
        "{code} ist kein SMTP-Antwortcode (RFC 5321 4.2: 2xx bis 5xx)",
    "a {code} answers {command}, where no 3xx is due (RFC 5321 4.3.2)":
        "eine {code} antwortet auf {command}, wo kein 3xx fällig ist (RFC 5321 4.3.2)",
    "the connection": "die Verbindung",
    # smtpsh/events.py: checked expectations
    "line {number}: ": "Zeile {number}: ",
    "{expected} ok ({got})": "{expected} ok ({got})",
    "{command}: expected {expected}, got {got}": "{command}: erwartet {expected}, kam {got}",
    # smtpsh/session.py: the dialog's notes, warnings and failures
    "connecting to {host} port {port}": "verbinde mit {host} Port {port}",
    "Connected to {socket}": "Verbunden mit {socket}",
    "Connected to {host} ({ip}) port {port}": "Verbunden mit {host} ({ip}) Port {port}",
    "the greeting": "die Begrüßung",
    "a TLS probe of the silent port": "einen TLS-Test des stummen Ports",
    "timed out: no greeting within {seconds} s (see --timeout)":
        "Zeit abgelaufen: keine Begrüßung innerhalb von {seconds} s (siehe --timeout)",
    "through the proxy {proxy}": "über den Proxy {proxy}",
    "PROXY protocol {version} header sent ({octets} octets) before the greeting: the server"
    " takes the client it names for the real one":
        "Header des PROXY-Protokolls {version} vor der Begrüßung gesendet ({octets} Oktette):"
        " der Server hält den Client, den er nennt, für den echten",
    "raw: {octets} octets sent at once after connecting, before the greeting came, on"
    " purpose":
        "roh: {octets} Oktette gleich nach dem Verbinden gesendet, vor der Begrüßung, mit"
        " Absicht",
    "connection closed by the server": "Verbindung vom Server geschlossen",
    "Connection closed by the server": "Verbindung vom Server geschlossen",
    "the server": "den Server",
    "the reply to {command}": "die Antwort auf {command}",
    "the server stopped in the middle of a reply; its {count} line(s) so far:":
        "der Server hat mitten in einer Antwort aufgehört; seine {count} Zeile(n) bis dahin:",
    "the server broke the protocol: {violation}":
        "der Server hat das Protokoll verletzt: {violation}",
    "the server sent a reply no command was waiting for:":
        "der Server hat eine Antwort gesendet, auf die kein Befehl wartete:",
    "the server sent {count} bytes after its reply to STARTTLS and before the TLS handshake;"
    " discarded, not read as replies: {data}":
        "der Server hat nach seiner Antwort auf STARTTLS und vor dem TLS-Handshake {count}"
        " Bytes gesendet; verworfen, nicht als Antworten gelesen: {data}",
    "this server (or something between you and it) is vulnerable to STARTTLS command"
    " injection (CVE-2011-0411 class)":
        "dieser Server (oder etwas zwischen dir und ihm) ist anfällig für das Einschleusen"
        " von Befehlen bei STARTTLS (Klasse CVE-2011-0411)",
    "the server closed the connection in the middle of a reply:":
        "der Server hat die Verbindung mitten in einer Antwort geschlossen:",
    "raw: {octets} octets sent exactly as given": "roh: {octets} Oktette genau wie angegeben"
                                                  " gesendet",
    "; {count} line(s) in them may be answered": "; {count} Zeile(n) darin bekommen"
                                                 " vielleicht eine Antwort",
    "; no complete line in them, so no reply is awaited":
        "; keine vollständige Zeile darin, also wird keine Antwort erwartet",
    "no reply to {count} raw line(s) within {seconds} s (the server may be waiting for more);"
    " a reply that comes later is shown as unexpected":
        "keine Antwort auf {count} rohe Zeile(n) innerhalb von {seconds} s (der Server wartet"
        " vielleicht auf mehr); eine spätere Antwort erscheint als unerwartet",
    "whatever the server says": "das, was der Server sagt",
    "BDAT wants a size: BDAT <octets> [LAST]; sent as typed":
        "BDAT will eine Größe: BDAT <Oktette> [LAST]; so gesendet, wie getippt",
    "BDAT: no chunk to send (nothing was sent)":
        "BDAT: kein Stück zum Senden (nichts wurde gesendet)",
    "BDAT {size} but the chunk has {octets} octets; sent as given (the server will count"
    " what it gets)":
        "BDAT {size}, aber das Stück hat {octets} Oktette; so gesendet (der Server zählt,"
        " was er bekommt)",
    "({octets} octets of message data follow the command, as they are)":
        "({octets} Oktette Nachrichtendaten folgen dem Befehl, so wie sie sind)",
    "the TLS handshake": "den TLS-Handshake",
    "capabilities reset by STARTTLS: send EHLO again (RFC 3207 4.2)":
        "Fähigkeiten durch STARTTLS zurückgesetzt: noch einmal EHLO senden (RFC 3207 4.2)",
    "certificate verified for {name}": "Zertifikat geprüft für {name}",
    "certificate NOT verified (--insecure)": "Zertifikat NICHT geprüft (--insecure)",
    "line of {octets} octets, over the limit of {limit} (RFC 5322 2.1.1); servers may reject"
    " or break it":
        "Zeile mit {octets} Oktetten, über der Grenze von {limit} (RFC 5322 2.1.1); Server"
        " lehnen sie vielleicht ab oder brechen sie um",
    "not in DATA": "nicht in DATA",
    "the server answered in the middle of the message (above): stopped sending":
        "der Server hat mitten in der Nachricht geantwortet (oben): Senden angehalten",
    "the server to take the message text": "den Server, bis er den Nachrichtentext annimmt",
    "timed out: the server took no data for {seconds} s (see --timeout)":
        "Zeit abgelaufen: der Server hat {seconds} s lang keine Daten angenommen (siehe"
        " --timeout)",
    # smtpsh/shell/repl.py, screen.py, keys.py, completer.py: the shell's own words
    "the greeting of {host}": "die Begrüßung von {host}",
    "the server's greeting": "die Begrüßung des Servers",
    "waiting for {what}": "warte auf {what}",
    "{what} ({seconds} s)...": "{what} ({seconds} s)...",
    " [y/N] ": " [j/N] ",
    "y": "j",
    "yes": "ja",
    "type the {size} octets of the chunk; each line counts with its CRLF":
        "die {size} Oktette des Stücks tippen; jede Zeile zählt mit ihrem CRLF",
    "no history file ({error}); history is kept in memory only":
        "keine Verlaufsdatei ({error}); der Verlauf bleibt nur im Speicher",
    "Ctrl-C cancels": "Strg-C bricht ab",
    "not connected: :reconnect goes back to {host} port {port}":
        "nicht verbunden: :reconnect geht zurück zu {host} Port {port}",
    "gave up waiting for the greeting of {host} port {port}":
        "Warten auf die Begrüßung von {host} Port {port} aufgegeben",
    "gave up waiting for the connection to {host} port {port}":
        "Warten auf die Verbindung zu {host} Port {port} aufgegeben",
    "message not ended: connection closed so that the server drops it":
        "Nachricht nicht beendet: Verbindung geschlossen, damit der Server sie verwirft",
    "closing inside DATA: the server drops the unfinished message":
        "Schließen innerhalb von DATA: der Server verwirft die unfertige Nachricht",
    "error while reading from the server: {error}": "Fehler beim Lesen vom Server: {error}",
    "not connected: :reconnect connects to {host} port {port} again":
        "nicht verbunden: :reconnect verbindet wieder mit {host} Port {port}",
    "interrupted: not connected": "abgebrochen: nicht verbunden",
    "interrupted: still connected; {due} is still due and shown when it comes":
        "abgebrochen: noch verbunden; {due} steht noch aus und erscheint, wenn sie kommt",
    "interrupted: still connected, in the message text (DATA)":
        "abgebrochen: noch verbunden, im Nachrichtentext (DATA)",
    "interrupted: still connected": "abgebrochen: noch verbunden",
    "closed: :reconnect connects again, :save keeps the dialog; Ctrl-D or :quit leaves":
        "geschlossen: :reconnect verbindet wieder, :save hebt den Dialog auf; Strg-D oder"
        " :quit beendet",
    "SMTP cannot abort a message inside DATA (RFC 5321 4.1.1.4): the lone dot ends it and"
    " the server may deliver it; only closing the connection drops it.":
        "SMTP kann eine Nachricht innerhalb von DATA nicht abbrechen (RFC 5321 4.1.1.4): der"
        " einzelne Punkt beendet sie, und der Server stellt sie vielleicht zu; nur das"
        " Schließen der Verbindung verwirft sie.",
    "the unfinished line is not sent": "die unfertige Zeile wird nicht gesendet",
    "keep typing; a line with only '.' ends the message":
        "weiter tippen; eine Zeile nur mit '.' beendet die Nachricht",
    "Ctrl-D: ending the message (the lone dot)":
        "Strg-D: die Nachricht wird beendet (der einzelne Punkt)",
    "config ignored: {error}": "Konfiguration ignoriert: {error}",
    "… 1 more line from the server not shown (all kept for :save and in the transcript, if"
    " one is written)":
        "… 1 weitere Zeile vom Server nicht gezeigt (alles bleibt für :save und im"
        " Transcript, wenn eines geschrieben wird)",
    "… {count} more lines from the server not shown (all kept for :save and in the"
    " transcript, if one is written)":
        "… {count} weitere Zeilen vom Server nicht gezeigt (alles bleibt für :save und im"
        " Transcript, wenn eines geschrieben wird)",
    "e: end the message now · k (or Enter): keep typing · x: close the connection ":
        "e: die Nachricht jetzt beenden · k (oder Enter): weiter tippen · x: die Verbindung"
        " schließen ",
    "the null sender, as for bounces": "der leere Absender, wie bei Bounces",
    "used earlier": "schon benutzt",
    "advertised in EHLO": "in EHLO angeboten",
    # smtpsh/shell/commands.py: what the shell's commands say
    "unknown command {word}; :help lists the shell's commands":
        "unbekannter Befehl {word}; :help zeigt die Befehle der Shell",
    "usage: {usage}": "Aufruf: {usage}",
    "profile in config.toml": "Profil in config.toml",
    "no help on {topic}; :help lists the verbs and commands":
        "keine Hilfe zu {topic}; :help zeigt die Befehle",
    "bad port {port}: give a number from 1 to 65535":
        "falscher Port {port}: eine Zahl von 1 bis 65535 angeben",
    "no server yet: :connect HOST [PORT]": "noch kein Server: :connect HOST [PORT]",
    "checking the MX hosts of {domain} (port {port}): only reads, no mail":
        "prüfe die MX-Hosts von {domain} (Port {port}): nur lesen, keine Mail",
    "nothing timed yet: :connect HOST [PORT] first":
        "noch nichts gemessen: zuerst :connect HOST [PORT]",
    "connect": "verbinden",
    "greeting": "Begrüßung",
    "TLS handshake": "TLS-Handshake",
    "total": "gesamt",
    "stage": "Phase",
    "cannot read {path}: {error}": "kann {path} nicht lesen: {error}",
    "no recipient accepted yet; sending DATA anyway":
        "noch kein Empfänger angenommen; DATA wird trotzdem gesendet",
    "sent {path} as the message text: {octets} octets on the wire in {seconds} s ({rate}/s)":
        "{path} als Nachrichtentext gesendet: {octets} Oktette auf der Leitung in {seconds} s"
        " ({rate}/s)",
    "sending {name} [{bar}] {share} · {done} of {size} · {wire} on the wire · {rate}/s ·"
    " {eta}":
        "sende {name} [{bar}] {share} · {done} von {size} · {wire} auf der Leitung ·"
        " {rate}/s · {eta}",
    "cannot write {path}: {error}": "kann {path} nicht schreiben: {error}",
    "saved {count} lines to {path}": "{count} Zeilen in {path} gespeichert",
    "nothing to export yet: :connect HOST [PORT] and talk first":
        "noch nichts zu exportieren: zuerst :connect HOST [PORT] und etwas sagen",
    "no capabilities known (HELO gives none); EHLO lists them":
        "keine Fähigkeiten bekannt (HELO liefert keine); EHLO zählt sie auf",
    "no capabilities known (send EHLO first); EHLO lists them":
        "keine Fähigkeiten bekannt (zuerst EHLO senden); EHLO zählt sie auf",
    "{server} advertises over TLS:": "{server} bietet über TLS an:",
    "{server} advertises:": "{server} bietet an:",
    "  (SIZE limit: {octets} octets, {size})": "  (SIZE-Grenze: {octets} Oktette, {size})",
    "probing {host} port {port}: {probes}": "teste {host} Port {port}: {probes}",
    "the server did not offer {verb} in its EHLO reply (Postfix offers it only to"
    " smtpd_authorized_{lower}_hosts): sending anyway":
        "der Server hat {verb} in seiner EHLO-Antwort nicht angeboten (Postfix bietet es nur"
        " smtpd_authorized_{lower}_hosts an): wird trotzdem gesendet",
    "{verb} refused: this client is not in the server's smtpd_authorized_{lower}_hosts"
    " (Postfix: 550 5.7.0 insufficient authorization); the session goes on unchanged":
        "{verb} abgelehnt: dieser Client steht nicht in smtpd_authorized_{lower}_hosts des"
        " Servers (Postfix: 550 5.7.0 insufficient authorization); die Sitzung geht"
        " unverändert weiter",
    "XCLIENT accepted: the 220 is a new greeting, the session starts over as if from the"
    " claimed client: capabilities forgotten, say EHLO again":
        "XCLIENT angenommen: die 220 ist eine neue Begrüßung, die Sitzung beginnt neu wie vom"
        " angegebenen Client: Fähigkeiten vergessen, noch einmal EHLO sagen",
    ":rule changes the sandbox's answers: start it with smtpsh --sandbox":
        ":rule ändert die Antworten der Sandbox: sie mit smtpsh --sandbox starten",
    "no rules: the sandbox answers normally; stages: {stages}":
        "keine Regeln: die Sandbox antwortet normal; Phasen: {stages}",
    "rule {number}: {rule}": "Regel {number}: {rule}",
    "rules cleared: the sandbox answers normally":
        "Regeln gelöscht: die Sandbox antwortet normal",
    "no rule {number}: :rule list shows them": "keine Regel {number}: :rule list zeigt sie",
    "rule deleted: {rule}": "Regel gelöscht: {rule}",
    ":{name} reads the sandbox's saved messages: start it with smtpsh --sandbox":
        ":{name} liest die gespeicherten Nachrichten der Sandbox: sie mit smtpsh --sandbox"
        " starten",
    "no message {number}: :messages lists them":
        "keine Nachricht {number}: :messages zeigt sie",
    ":server shows the sandbox's side: start it with smtpsh --sandbox":
        ":server zeigt die Seite der Sandbox: sie mit smtpsh --sandbox starten",
    "the server's view is on: each line as the sandbox reads and answers it, marked #N for"
    " its client":
        "die Sicht des Servers ist an: jede Zeile, wie die Sandbox sie liest und beantwortet,"
        " mit #N für ihren Client",
    "the server's view is off": "die Sicht des Servers ist aus",
    # smtpsh/hostport.py: host names and ports as given
    "no socket path in {text}: give unix:/path/to/socket":
        "kein Socket-Pfad in {text}: unix:/pfad/zum/socket angeben",
    "missing ']' in {text}": "fehlendes ']' in {text}",
    "cannot read {text}: expected [address]:port":
        "kann {text} nicht lesen: erwartet [Adresse]:Port",
    "no host in {text}": "kein Host in {text}",
    "bad host name {host}: it holds bytes that are not UTF-8":
        "falscher Hostname {host}: er enthält Bytes, die kein UTF-8 sind",
    "bad host name {host}: it holds control characters":
        "falscher Hostname {host}: er enthält Steuerzeichen",
    "no host name in {host}": "kein Hostname in {host}",
    "bad host name {host}: an empty label (two dots in a row, or a dot at the start)":
        "falscher Hostname {host}: ein leeres Label (zwei Punkte hintereinander oder ein Punkt"
        " am Anfang)",
    "bad host name {host}: {error}": "falscher Hostname {host}: {error}",
    "bad host name {host}: a label of {count} characters, more than the 63 DNS allows"
    " (RFC 1035)":
        "falscher Hostname {host}: ein Label mit {count} Zeichen, mehr als die 63, die DNS"
        " erlaubt (RFC 1035)",
    "bad host name {host}: longer than the 253 characters DNS allows":
        "falscher Hostname {host}: länger als die 253 Zeichen, die DNS erlaubt",
    # smtpsh/lookup.py, resolve.py, mxconnect.py: names, MX and the server an MTA picks
    "no answer for {host} within {seconds} s": "keine Antwort für {host} innerhalb von"
                                               " {seconds} s",
    "bad nameserver {nameserver}: {error}; give an IP address (and port), as with dig @":
        "falscher Nameserver {nameserver}: {error}; eine IP-Adresse (und einen Port) angeben,"
        " wie bei dig @",
    "the system's DNS server": "der DNS-Server des Systems",
    "{query}: no answer within {seconds}s": "{query}: keine Antwort innerhalb von {seconds}s",
    "{name} has no {rdtype} records": "{name} hat keine {rdtype}-Einträge",
    "lowest preference first, equal preferences in random order (RFC 5321 §5.1)":
        "niedrigste Präferenz zuerst, gleiche Präferenzen in zufälliger Reihenfolge"
        " (RFC 5321 §5.1)",
    "IPv6 addresses before IPv4": "IPv6-Adressen vor IPv4",
    "bounce": "unzustellbar",
    "defer": "aufschieben",
    "mail for {domain} (port {port}): {outcome}: {reason}":
        "Mail für {domain} (Port {port}): {outcome}: {reason}",
    "pref": "Präf.",
    "host": "Host",
    "addresses": "Adressen",
    "why / notes": "warum / Hinweise",
    "order: {order}": "Reihenfolge: {order}",
    "bad domain literal {domain} (RFC 5321 §4.1.3)":
        "falsches Domain-Literal {domain} (RFC 5321 §4.1.3)",
    "no domain in {target}": "keine Domain in {target}",
    "bad domain {domain}: {error}": "falsche Domain {domain}: {error}",
    "warning: the MX target is an IP address, not a host name; used as given":
        "Warnung: das MX-Ziel ist eine IP-Adresse, kein Hostname; so benutzt, wie angegeben",
    "skipped: not of the address family asked for":
        "übersprungen: nicht aus der verlangten Adressfamilie",
    "warning: MX target is an alias (CNAME) of {name}; RFC 5321 §5.1 wants the canonical"
    " name":
        "Warnung: das MX-Ziel ist ein Alias (CNAME) von {name}; RFC 5321 §5.1 will den"
        " kanonischen Namen",
    "alias (CNAME) of {name}": "Alias (CNAME) von {name}",
    "the name does not exist": "den Namen gibt es nicht",
    "no address records": "keine Adresseinträge",
    "skipped: {why}": "übersprungen: {why}",
    "no IPv{want} address (the domain has only IPv{have} addresses; drop -{want})":
        "keine IPv{want}-Adresse (die Domain hat nur IPv{have}-Adressen; -{want} weglassen)",
    "no IPv{want} address (its MX hosts have only IPv{have} addresses; drop -{want})":
        "keine IPv{want}-Adresse (ihre MX-Hosts haben nur IPv{have}-Adressen; -{want}"
        " weglassen)",
    "domain literal: used as given, no DNS": "Domain-Literal: so benutzt, wie angegeben, kein"
                                              " DNS",
    "the literal is not of the address family asked for":
        "das Literal ist nicht aus der verlangten Adressfamilie",
    "domain literal": "Domain-Literal",
    "a single address": "eine einzige Adresse",
    "temporary DNS failure: {error}": "vorübergehender DNS-Fehler: {error}",
    "{domain} accepts no mail (null MX, RFC 7505)":
        "{domain} nimmt keine Mail an (null MX, RFC 7505)",
    "no MX records: the domain is its own mail host (implicit MX, RFC 5321 §5.1)":
        "keine MX-Einträge: die Domain ist ihr eigener Mailhost (implizites MX, RFC 5321 §5.1)",
    "preference {preference}": "Präferenz {preference}",
    ", {rank} of {count} equal, shuffled": ", {rank} von {count} gleichen, gemischt",
    "skipped: null MX target among other MX records":
        "übersprungen: null-MX-Ziel zwischen anderen MX-Einträgen",
    "{count} address(es) on {hosts} host(s)": "{count} Adresse(n) auf {hosts} Host(s)",
    ", implicit MX": ", implizites MX",
    "no address yet: a lookup failed temporarily":
        "noch keine Adresse: eine Abfrage ist vorübergehend gescheitert",
    "{domain} has neither MX nor address records":
        "{domain} hat weder MX- noch Adresseinträge",
    "no MX host has an address": "kein MX-Host hat eine Adresse",
    "connected": "verbunden",
    "connection refused": "Verbindung abgelehnt",
    "timed out": "Zeit abgelaufen",
    "asked DNS server {server}": "gefragt: DNS-Server {server}",
    "asked the system's DNS servers (--nameserver to choose one)":
        "gefragt: die DNS-Server des Systems (--nameserver wählt einen)",
    "the message would bounce: {reason}":
        "die Nachricht käme als unzustellbar zurück: {reason}",
    "the message would defer: {reason}": "die Nachricht würde aufgeschoben: {reason}",
    "greeted with {reply}": "begrüßt mit {reply}",
    "STARTTLS did not end in TLS": "STARTTLS endete nicht in TLS",
    "failed: {error}": "gescheitert: {error}",
    "try {host} [{address}]:{port}: {verdict} ({seconds} s)":
        "versuche {host} [{address}]:{port}: {verdict} ({seconds} s)",
    "no server of the plan could be reached: the message would be deferred":
        "kein Server des Plans war erreichbar: die Nachricht würde aufgeschoben",
    # smtpsh/proxy.py: proxies and the PROXY protocol
    "env: ALL_PROXY (or all_proxy) is not set": "env: ALL_PROXY (oder all_proxy) ist nicht"
                                                " gesetzt",
    "give a URL: socks5://host:port, socks5h://, socks4://, http:// (not '{text}')":
        "eine URL angeben: socks5://host:port, socks5h://, socks4://, http:// (nicht '{text}')",
    "https:// proxies are not supported: use http:// (CONNECT) or socks5://":
        "https://-Proxys werden nicht unterstützt: http:// (CONNECT) oder socks5:// verwenden",
    "unknown proxy type '{scheme}': use socks5://, socks5h://, socks4://, socks4a:// or"
    " http://":
        "unbekannte Proxy-Art '{scheme}': socks5://, socks5h://, socks4://, socks4a:// oder"
        " http:// verwenden",
    "a proxy URL has no path: {text}": "eine Proxy-URL hat keinen Pfad: {text}",
    "no proxy host in {text}": "kein Proxy-Host in {text}",
    "SOCKS4 has no password (only a user id): use socks5://":
        "SOCKS4 kennt kein Passwort (nur eine User-ID): socks5:// verwenden",
    "{host} port {port}": "{host} Port {port}",
    "proxy {name} unreachable: cannot resolve '{host}': {error}":
        "Proxy {name} nicht erreichbar: kann '{host}' nicht auflösen: {error}",
    "cannot resolve host '{host}' (for the proxy {name}; socks5h:// lets the proxy resolve"
    " it): {error}":
        "kann den Host '{host}' nicht auflösen (für den Proxy {name}; mit socks5h:// löst der"
        " Proxy ihn auf): {error}",
    "host '{host}' has no address": "der Host '{host}' hat keine Adresse",
    "proxy {name}: no connection to {target} within {seconds} s (the proxy or the target is"
    " slow)":
        "Proxy {name}: keine Verbindung zu {target} innerhalb von {seconds} s (der Proxy oder"
        " das Ziel ist langsam)",
    "proxy {name} unreachable: {error}": "Proxy {name} nicht erreichbar: {error}",
    "cannot use the --source address {source}: {error}":
        "kann die --source-Adresse {source} nicht verwenden: {error}",
    "the --source address {source} is not of the family of the proxy {address}":
        "die --source-Adresse {source} gehört nicht zur Adressfamilie des Proxys {address}",
    "the proxy closed the connection before its reply":
        "der Proxy hat die Verbindung vor seiner Antwort geschlossen",
    "the proxy's reply has no end": "die Antwort des Proxys hat kein Ende",
    "general failure": "allgemeiner Fehler",
    "connection not allowed by its rules": "Verbindung nach seinen Regeln nicht erlaubt",
    "network unreachable": "Netz nicht erreichbar",
    "host unreachable": "Host nicht erreichbar",
    "TTL expired": "TTL abgelaufen",
    "command not supported": "Befehl nicht unterstützt",
    "address type not supported": "Adresstyp nicht unterstützt",
    "it wants a user name and password (give them: scheme://user:pass@host:port)":
        "er will Benutzername und Passwort (angeben: scheme://user:pass@host:port)",
    "user {user} and the password were refused":
        "Benutzer {user} und das Passwort wurden abgelehnt",
    "proxy {name}: authentication refused: {why}": "Proxy {name}: Anmeldung abgelehnt: {why}",
    "proxy {name} refused the connection to {target}: {why}":
        "Proxy {name} hat die Verbindung zu {target} abgelehnt: {why}",
    "reply code {code}": "Antwortcode {code}",
    "CONNECT failed": "CONNECT gescheitert",
    "proxy {name}: the handshake failed: {error} (is it a {scheme} proxy?)":
        "Proxy {name}: der Handshake ist gescheitert: {error} (ist es ein {scheme}-Proxy?)",
    "give ADDR:PORT ([IPv6]:PORT), not '{text}'": "ADDR:PORT ([IPv6]:PORT) angeben, nicht"
                                                  " '{text}'",
    "'{address}' is no IP address": "'{address}' ist keine IP-Adresse",
    "--proxy-source {source} is IPv6, the server's address {address} is IPv4: the header"
    " cannot mix them":
        "--proxy-source {source} ist IPv6, die Adresse des Servers {address} ist IPv4: der"
        " Header kann sie nicht mischen",
    # smtpsh/sasl.py: AUTH
    "AUTH without TLS: fine on loopback, but on a network anyone on the path could read the"
    " password (use STARTTLS first)":
        "AUTH ohne TLS: auf Loopback in Ordnung, aber in einem Netz könnte jeder auf dem Weg"
        " das Passwort lesen (zuerst STARTTLS verwenden)",
    "AUTH without TLS sends the password readable by anyone on the path. Send it anyway?":
        "AUTH ohne TLS sendet das Passwort lesbar für jeden auf dem Weg. Trotzdem senden?",
    "AUTH not sent over a connection without TLS: use STARTTLS (or --starttls / --tls) first":
        "AUTH nicht über eine Verbindung ohne TLS gesendet: zuerst STARTTLS verwenden (oder"
        " --starttls / --tls)",
    "challenge: {challenge}": "Challenge: {challenge}",
    "base64 answer (* to cancel): ": "Antwort in base64 (* bricht ab): ",
    "{mechanism} has no answer to this challenge: cancelling":
        "{mechanism} hat keine Antwort auf diese Challenge: Abbruch",
    "authenticated": "angemeldet",
    "AUTH cancelled, as asked: the server's 501 confirms it (RFC 4954 4)":
        "AUTH abgebrochen, wie verlangt: die 501 des Servers bestätigt es (RFC 4954 4)",
    "Username: ": "Benutzername: ",
    "OAuth token: ": "OAuth-Token: ",
    "Password: ": "Passwort: ",
    "AUTH cancelled": "AUTH abgebrochen",
    # smtpsh/protocol.py: reading replies, and warnings before sending
    "line longer than {limit} octets without an end; cut":
        "Zeile länger als {limit} Oktette ohne Ende; abgeschnitten",
    "line not ended before the connection closed":
        "Zeile nicht beendet, bevor die Verbindung geschlossen wurde",
    "reply line of {octets} octets, over the limit of {limit} (RFC 5321 4.5.3.1.5)":
        "Antwortzeile mit {octets} Oktetten, über der Grenze von {limit} (RFC 5321 4.5.3.1.5)",
    "line ended by a bare LF instead of CRLF (RFC 5321 2.3.8)":
        "Zeile mit einzelnem LF statt CRLF beendet (RFC 5321 2.3.8)",
    "bare CR inside a reply line": "einzelnes CR in einer Antwortzeile",
    "reply contains bytes that are not UTF-8 (shown as \\xNN)":
        "die Antwort enthält Bytes, die kein UTF-8 sind (als \\xNN gezeigt)",
    "line without a reply code": "Zeile ohne Antwortcode",
    "code changed from {before} to {after} inside a multiline reply":
        "Code von {before} zu {after} gewechselt, mitten in einer mehrzeiligen Antwort",
    "reply of {count} lines: only the first {kept} and the last are kept":
        "Antwort mit {count} Zeilen: nur die ersten {kept} und die letzte bleiben",
    "a command cannot contain CR or LF": "ein Befehl kann kein CR oder LF enthalten",
    "{verb} before HELO/EHLO is out of sequence; the server will likely answer 503":
        "{verb} vor HELO/EHLO kommt außer der Reihe; der Server antwortet wahrscheinlich 503",
    "{verb} with no mail transaction open is out of sequence; the server will likely answer"
    " 503":
        "{verb} ohne offene Mail-Transaktion kommt außer der Reihe; der Server antwortet"
        " wahrscheinlich 503",
    "{verb} after MAIL is out of sequence; the server will likely answer 503":
        "{verb} nach MAIL kommt außer der Reihe; der Server antwortet wahrscheinlich 503",
    "{verb} after RCPT is out of sequence; the server will likely answer 503":
        "{verb} nach RCPT kommt außer der Reihe; der Server antwortet wahrscheinlich 503",
    "{verb} inside DATA is out of sequence; the server will likely answer 503":
        "{verb} innerhalb von DATA kommt außer der Reihe; der Server antwortet wahrscheinlich"
        " 503",
    "{verb} after the connection closed is out of sequence; the server will likely answer"
    " 503":
        "{verb} nach dem Schließen der Verbindung kommt außer der Reihe; der Server antwortet"
        " wahrscheinlich 503",
    "TLS is already on; a second STARTTLS is not allowed (RFC 3207)":
        "TLS ist schon an; ein zweites STARTTLS ist nicht erlaubt (RFC 3207)",
    "the server did not advertise the {mechanism} mechanism (it offers: {offered})":
        "der Server bietet das Verfahren {mechanism} nicht an (er bietet: {offered})",
    "already authenticated; a second AUTH is refused with 503 (RFC 4954)":
        "schon angemeldet; ein zweites AUTH wird mit 503 abgelehnt (RFC 4954)",
    "the server did not advertise {keyword} in its EHLO reply":
        "der Server bietet {keyword} in seiner EHLO-Antwort nicht an",
    "{key} is not a {verb} parameter smtpsh knows":
        "{key} ist kein Parameter von {verb}, den smtpsh kennt",
    "{parameter} needs {keyword}, which the server did not advertise":
        "{parameter} braucht {keyword}, das der Server nicht anbietet",
    "SIZE={size} is over the server's limit of {limit} octets":
        "SIZE={size} ist über der Grenze des Servers von {limit} Oktetten",
    "command line over {limit} octets (RFC 5321 4.5.3.1.4)":
        "Befehlszeile über {limit} Oktette (RFC 5321 4.5.3.1.4)",
    # smtpsh/script.py, runner.py, expect.py: script mode
    "the server refused the connection (554 greeting): only QUIT is sent":
        "der Server hat die Verbindung abgelehnt (Begrüßung 554): nur QUIT wird gesendet",
    "end of input: sending QUIT": "Ende der Eingabe: QUIT wird gesendet",
    "... {count} more lines of message text not shown":
        "... {count} weitere Zeilen Nachrichtentext nicht gezeigt",
    "the server broke the protocol: not going on":
        "der Server hat das Protokoll verletzt: es geht nicht weiter",
    "line {number}: {text} follows no command; ignored":
        "Zeile {number}: {text} folgt keinem Befehl; ignoriert",
    "the server does not know EHLO: greeting with HELO instead (RFC 5321 4.1.4); no"
    " extensions are known then":
        "der Server kennt EHLO nicht: Begrüßung stattdessen mit HELO (RFC 5321 4.1.4); dann"
        " sind keine Erweiterungen bekannt",
    "the server did not start TLS: not going on in clear text":
        "der Server hat TLS nicht gestartet: im Klartext geht es nicht weiter",
    "{verb} did not succeed: the rest is left to you":
        "{verb} ist nicht gelungen: der Rest bleibt dir überlassen",
    "the connection is closed; the rest of the script is not sent":
        "die Verbindung ist geschlossen; der Rest des Skripts wird nicht gesendet",
    "the server did not advertise PIPELINING: one command at a time (RFC 2920)":
        "der Server bietet PIPELINING nicht an: ein Befehl nach dem anderen (RFC 2920)",
    "AUTH ended before asking for them: the next {count} line(s) (its answers) are skipped,"
    " not sent as commands":
        "AUTH endete, bevor es danach fragte: die nächsten {count} Zeile(n) (seine Antworten)"
        " werden übersprungen, nicht als Befehle gesendet",
    "354 though no recipient was accepted: the message text is skipped and the message ended"
    " empty (RFC 2920 3.1)":
        "354, obwohl kein Empfänger angenommen wurde: der Nachrichtentext wird übersprungen"
        " und die Nachricht leer beendet (RFC 2920 3.1)",
    "end of input inside DATA: ending the message with the lone dot":
        "Ende der Eingabe innerhalb von DATA: die Nachricht wird mit dem einzelnen Punkt"
        " beendet",
    "{command}: shell commands other than :raw work in the interactive shell only; line"
    " skipped":
        "{command}: Shell-Befehle außer :raw gehen nur in der interaktiven Shell; Zeile"
        " übersprungen",
    "cannot read {line}: write ?CODE [ENHANCED] [/REGEX/], e.g. ?250, ?5, ?550 5.1.1, ?250"
    " /queued as/, ?250|251":
        "kann {line} nicht lesen: ?CODE [ENHANCED] [/REGEX/] schreiben, z. B. ?250, ?5,"
        " ?550 5.1.1, ?250 /queued as/, ?250|251",
    "bad regular expression in {line}: {error}": "falscher regulärer Ausdruck in {line}: {error}",
    # smtpsh/transcript.py, config.py
    "the transcript {path} is readable by others (mode {mode}): chmod 600 {path} to keep the"
    " dialog private":
        "das Transcript {path} ist für andere lesbar (Modus {mode}): chmod 600 {path}, damit"
        " der Dialog privat bleibt",
    "cannot write the transcript {path}: {error}; it stops here":
        "kann das Transcript {path} nicht schreiben: {error}; es endet hier",
    "{key} must be true or false": "{key} muss true oder false sein",
    "profiles must be a table: [profiles.NAME]": "profiles muss eine Tabelle sein: [profiles.NAME]",
    "{key} must be a table": "{key} muss eine Tabelle sein",
    "{key} is missing": "{key} fehlt",
    "{key} must be a number from 1 to 65535": "{key} muss eine Zahl von 1 bis 65535 sein",
    "{key} must be one of {values}": "{key} muss eines von {values} sein",
    "{key} must be a string": "{key} muss eine Zeichenkette sein",
    "unknown setting {key}": "unbekannte Einstellung {key}",
    # smtpsh/replayrun.py: --replay, --compare, --export
    "User name": "Benutzername",
    "Password": "Passwort",
    "OAuth token": "OAuth-Token",
    "The text hidden as [redacted]": "Der als [redacted] verborgene Text",
    "{file} line {number} ({shown}): {what}: ": "{file} Zeile {number} ({shown}): {what}: ",
    "replaying {file} ({form}, {count} steps) against {server}":
        "spiele {file} erneut ab ({form}, {count} Schritte) gegen {server}",
    "code, enhanced code and text": "Code, erweiterter Code und Text",
    "code and enhanced code": "Code und erweiterter Code",
    "recorded": "aufgezeichnet",
    "got": "bekommen",
    "replay: {count} of {total} steps differ from {file} ({what})":
        "replay: {count} von {total} Schritten weichen von {file} ab ({what})",
    "replay: all {total} steps as recorded ({what})":
        "replay: alle {total} Schritte wie aufgezeichnet ({what})",
    "the same dialog against {server}": "derselbe Dialog gegen {server}",
    "compare: {count} of {total} steps differ ({what}; EHLO keywords as sets)":
        "compare: {count} von {total} Schritten unterscheiden sich ({what};"
        " EHLO-Schlüsselwörter als Mengen)",
    "compare: all {total} steps alike ({what}; EHLO keywords as sets)":
        "compare: alle {total} Schritte gleich ({what}; EHLO-Schlüsselwörter als Mengen)",
    "nothing to export: no dialog took place": "nichts zu exportieren: es gab keinen Dialog",
    # smtpsh/render.py, events.py: what was wrong with a server's line
    "server: {warning}": "Server: {warning}",
    # smtpsh/replay.py: reading a saved dialog
    "line {number}: {count} lines of message text were not shown where this was saved: the"
    " replayed message lacks them (save with --transcript to keep every line)":
        "Zeile {number}: {count} Zeilen Nachrichtentext wurden beim Speichern nicht gezeigt:"
        " der wiederholten Nachricht fehlen sie (mit --transcript speichern, um jede Zeile zu"
        " behalten)",
    "some": "einige",
    "line {number}: BDAT is not replayed (a saved dialog does not keep its chunks octet for"
    " octet): use DATA":
        "Zeile {number}: BDAT wird nicht wiederholt (ein gespeicherter Dialog behält seine"
        " Stücke nicht Oktett für Oktett): DATA verwenden",
    "the file ends inside the message text: the message is ended with the lone dot":
        "die Datei endet im Nachrichtentext: die Nachricht wird mit dem einzelnen Punkt"
        " beendet",
    "no dialog found: no C:/S: lines, and no server reply (a line starting with a 3-digit"
    " code)":
        "kein Dialog gefunden: keine C:/S:-Zeilen und keine Serverantwort (eine Zeile, die mit"
        " einem dreistelligen Code beginnt)",
    "the user name": "den Benutzernamen",
    "the password": "das Passwort",
    "the OAuth token": "das OAuth-Token",
    "the text hidden as [redacted]": "den als [redacted] verborgenen Text",
    " of AUTH {mechanism}": " für AUTH {mechanism}",
    "give it with --user": "mit --user angeben",
    "give it with SMTPSH_PASSWORD": "mit SMTPSH_PASSWORD angeben",
    "give it with --token-file or SMTPSH_TOKEN": "mit --token-file oder SMTPSH_TOKEN angeben",
    "the file must hold it (record with --show-secrets in a lab)":
        "die Datei muss ihn enthalten (in einem Labor mit --show-secrets aufzeichnen)",
    "an answer": "eine Antwort",
    "{file} line {number} ({shown}) needs {what}, which the file does not keep: {how}, or"
    " replay on a terminal to be asked":
        "{file} Zeile {number} ({shown}) braucht {what} (nicht in der Datei enthalten): {how},"
        " oder in einem Terminal wiederholen, um danach gefragt zu werden",
    "{step} (line {number})": "{step} (Zeile {number})",
    "  EHLO keywords only on one side": "  EHLO-Schlüsselwörter nur auf einer Seite",
    "step": "Schritt",
    # smtpsh/xclient.py
    "give ATTR=VALUE words: {known}": "Wörter ATTR=VALUE angeben: {known}",
    "'{word}' is no ATTR=VALUE": "'{word}' ist kein ATTR=VALUE",
    "the server did not list {name} after {verb} in its EHLO reply (it lists {listed})":
        "der Server nennt {name} nicht nach {verb} in seiner EHLO-Antwort (er nennt {listed})",
    "{name} is no {verb} attribute Postfix knows ({known})":
        "{name} ist kein Attribut von {verb}, das Postfix kennt ({known})",
    "the port is given twice ({first} and {second})":
        "der Port ist zweimal angegeben ({first} und {second})",
    "the port is given three times ({first}, {second} and {third})":
        "der Port ist dreimal angegeben ({first}, {second} und {third})",
    "internal error": "interner Fehler",
    "{command}: expected {expected}, got no reply":
        "{command}: erwartet {expected}, keine Antwort bekommen",
    "timed out: the server took no data within {seconds} s (see --timeout)":
        "Zeit abgelaufen: der Server hat innerhalb von {seconds} s keine Daten angenommen"
        " (siehe --timeout)",
    "timed out: no reply to {command} within {seconds} s (see --timeout)":
        "Zeit abgelaufen: keine Antwort auf {command} innerhalb von {seconds} s (siehe"
        " --timeout)",
    "timed out: no reply within {seconds} s (see --timeout)":
        "Zeit abgelaufen: keine Antwort innerhalb von {seconds} s (siehe --timeout)",
    "the server advertises over TLS:": "der Server bietet über TLS an:",
    "the server advertises:": "der Server bietet an:",
    "(empty name)": "(leerer Name)",
    "DNS server for --mx, --check, and the DKIM and ARC keys of --received and --auth-results":
        "DNS-Server für --mx, --check und die DKIM- und ARC-Schlüssel von --received und"
        " --auth-results",
    "read the Received chain of a message (- for stdin), then its forensics:"
    " Authentication-Results, DKIM, ARC, DMARC alignment":
        "die Received-Kette einer Nachricht lesen (- für stdin), dann ihre Forensik:"
        " Authentication-Results, DKIM, ARC, DMARC-Alignment",
}
