"""German for the sentences smtpsh's code words itself, keyed by the English sentence.

The knowledge base's German is in smtpsh/data/de/; see smtpsh/i18n.py. tests/test_i18n.py
checks that every sentence marked with _() or N_() is here, with the same {placeholders},
RFC references and protocol terms.
"""

CATALOG: dict[str, str] = {
    # smtpsh/explain.py
    "go on": "weiter",
    "temporary: retry later": "vorübergehend: später erneut versuchen",
    "permanent: do not retry unchanged": "dauerhaft: nicht unverändert wiederholen",
    "success": "Erfolg",
    "intermediate": "weiter",
    "temporary": "vorübergehend",
    "permanent": "dauerhaft",
    "other": "andere",
    "after the greeting": "nach der Begrüßung",
    "after EHLO/HELO": "nach EHLO/HELO",
    "after MAIL FROM": "nach MAIL FROM",
    "after RCPT TO": "nach RCPT TO",
    "while sending the message": "beim Senden der Nachricht",
    "Source:": "Quelle:",
    " (IANA SMTP Enhanced Status Codes registry)":
        " (IANA-Registry der SMTP Enhanced Status Codes)",
    "Syntax:": "Syntax:",
    "Example:": "Beispiel:",
    "Valid:": "Gültig:",
    "Replies:": "Antworten:",
    "Advertised:": "Angeboten:",
    "What to do:": "Was tun:",
    "Goes with:": "Passt zu:",
    "In reply to:": "Antwort auf:",
    "Server said:": "Server sagte:",
    "once per session": "einmal pro Sitzung",
    "Needs:": "Braucht:",
    "Note:": "Hinweis:",
    "  Parameters (each only when the EHLO reply lists its extension):":
        "  Parameter (jeder nur, wenn die EHLO-Antwort seine Erweiterung nennt):",
    "Parameter:": "Parameter:",
    "not an SMTP reply code": "kein SMTP-Antwortcode",
    "No RFC defines this code; it is read by its digits.":
        "Kein RFC definiert diesen Code. Er wird über seine Ziffern gelesen.",
    "Deprecated: do not use it.": "Veraltet: nicht benutzen.",
    "SMTP command": "SMTP-Befehl",
    " (obsolete)": " (veraltet)",
    "Command:": "Befehl:",
    "No subject sub-code of this number is registered; only the class digit tells anything.":
        "Kein Subject-Code mit dieser Nummer ist registriert. Nur die Klassenziffer sagt"
        " etwas.",
    "nothing known about {thing}: give a reply code (550), an enhanced code (5.7.1), a reply"
    " line, a verb or an EHLO keyword":
        "nichts bekannt über {thing}: gib einen Antwortcode (550), einen erweiterten Code"
        " (5.7.1), eine Antwortzeile, einen Befehl oder ein EHLO-Schlüsselwort an",
    "{name}: EHLO keyword, {title}": "{name}: EHLO-Schlüsselwort, {title}",
    "Second digit {digit}: {meaning}.": "Zweite Ziffer {digit}: {meaning}.",
    "{text} is not an SMTP reply code: the first digit is 2, 3, 4 or 5 and the second 0 to 5"
    " (RFC 5321 §4.2)":
        "{text} ist kein SMTP-Antwortcode: die erste Ziffer ist 2, 3, 4 oder 5, die zweite"
        " 0 bis 5 (RFC 5321 §4.2)",
    "{text} is not an enhanced status code: the class digit is 2, 4 or 5 (RFC 3463 §2)":
        "{text} ist kein erweiterter Statuscode: die Klassenziffer ist 2, 4 oder 5"
        " (RFC 3463 §2)",
    "Subject {number}, {title}: {meaning} Who can fix it: {who}.":
        "Subject {number}, {title}: {meaning} Wer es beheben kann: {who}.",
    "Note: {note}": "Hinweis: {note}",
    "basic codes {codes}": "Basiscodes {codes}",
    "Class {digit}, {title}: {meaning}": "Klasse {digit}, {title}: {meaning}",
    "Used as {codes}.": "Benutzt als {codes}.",
    "{keyword} in the EHLO reply": "{keyword} in der EHLO-Antwort",
    "{title} (detail {detail} is not registered)":
        "{title} (Detail {detail} ist nicht registriert)",
    "The registry lists no code {pattern}: only its class and subject tell what it is about.":
        "Die Registry nennt keinen Code {pattern}. Nur Klasse und Subject sagen, worum es geht.",
    "Unregistered subject {subject}": "Nicht registriertes Subject {subject}",
    "Note: the enhanced code's class ({digit}) disagrees with the basic code ({basic}xx);"
    " clients act on the basic code (RFC 3463 §2).":
        "Hinweis: die Klasse des erweiterten Codes ({digit}) passt nicht zum Basiscode"
        " ({basic}xx). Clients richten sich nach dem Basiscode (RFC 3463 §2).",
    "{name}: parameter of {verb} ({extension} extension)":
        "{name}: Parameter von {verb} (Erweiterung {extension})",
    # smtpsh/guide.py
    "the server does not take a parameter typed after the address: use only those its EHLO"
    " reply lists":
        "der Server nimmt einen Parameter nach der Adresse nicht an: nutze nur die, die seine"
        " EHLO-Antwort nennt",
    "at least one accepted RCPT TO": "mindestens ein angenommenes RCPT TO",
    "the server wants STARTTLS/AUTH first": "der Server will zuerst STARTTLS/AUTH",
    "type the message; a line with a lone . ends it":
        "tippe die Nachricht; eine Zeile nur mit . beendet sie",
    "next: EHLO your.name (say hello; EHLO asks for the server's extensions)":
        "weiter: EHLO dein.name (begrüßen; EHLO fragt nach den Erweiterungen des Servers)",
    "next: DATA (or another RCPT TO)": "weiter: DATA (oder noch ein RCPT TO)",
    "the server will not talk to you (RFC 5321 3.1): it may block your address or network;"
    " it answers 503 to everything but QUIT":
        "der Server spricht nicht mit dir (RFC 5321 3.1): vielleicht sperrt er deine Adresse"
        " oder dein Netz; auf alles außer QUIT antwortet er 503",
    "AUTH was cancelled, as asked with *: 501 is the server's confirmation (RFC 4954 4)":
        "AUTH wurde abgebrochen, wie mit * verlangt: 501 ist die Bestätigung des Servers"
        " (RFC 4954 4)",
    "the server could not decode the answer: it must be base64 (RFC 4954 4)":
        "der Server konnte die Antwort nicht dekodieren: sie muss base64 sein (RFC 4954 4)",
    "the server wants STARTTLS before AUTH": "der Server will STARTTLS vor AUTH",
    "the user name or the password was not accepted":
        "Benutzername oder Passwort wurde nicht angenommen",
    "the server wants a stronger AUTH mechanism (or TLS first)":
        "der Server will ein stärkeres AUTH-Verfahren (oder zuerst TLS)",
    "the command line is too long: at most 512 octets with the CRLF (RFC 5321 4.5.3.1.4)":
        "die Befehlszeile ist zu lang: höchstens 512 Oktette mit dem CRLF (RFC 5321 4.5.3.1.4)",
    "no recipient was accepted, so there is no one to send to: give a RCPT TO that the server"
    " accepts first":
        "kein Empfänger wurde angenommen, es gibt also niemanden zum Senden: gib zuerst ein"
        " RCPT TO an, das der Server annimmt",
    "the message is bigger than the server takes (see SIZE in its EHLO reply)":
        "die Nachricht ist größer, als der Server annimmt (siehe SIZE in seiner EHLO-Antwort)",
    "greet first: the server wants EHLO your.name (or HELO) before anything else"
    " (RFC 5321 4.1.4)":
        "erst begrüßen: der Server will vor allem anderen EHLO dein.name (oder HELO)"
        " (RFC 5321 4.1.4)",
    "this command came out of order: the order is EHLO, MAIL FROM, RCPT TO, DATA (RSET starts"
    " over)":
        "dieser Befehl kam außer der Reihe: die Reihenfolge ist EHLO, MAIL FROM, RCPT TO, DATA"
        " (RSET fängt neu an)",
    "the server wants STARTTLS first": "der Server will zuerst STARTTLS",
    "the server wants AUTH first (after STARTTLS)":
        "der Server will zuerst AUTH (nach STARTTLS)",
    "next: EHLO your.name (again: TLS made the server forget the first one)":
        "weiter: EHLO dein.name (noch einmal: durch TLS hat der Server das erste vergessen)",
    "next: STARTTLS (encrypt before anything else)":
        "weiter: STARTTLS (vor allem anderen verschlüsseln)",
    "the server refused the message{who} after reading it: {meaning}":
        "der Server hat die Nachricht{who} nach dem Lesen abgelehnt: {meaning}",
    ", and ": " und ",
    "the connection is closed: {command}": "die Verbindung ist geschlossen: {command}",
    "next: {example}": "weiter: {example}",
    "the server is closing the connection: try later with {command}":
        "der Server schließt die Verbindung: versuche es später mit {command}",
    "no command was waiting for this reply: the server spoke on its own ({meaning})":
        "kein Befehl wartete auf diese Antwort: der Server sprach von sich aus ({meaning})",
    " for <{address}>": " für <{address}>",
    "the server refused the message{who}: a line in it is too long (at most 1000 octets with"
    " the CRLF, RFC 5321 4.5.3.1.6)":
        "der Server hat die Nachricht{who} abgelehnt: eine Zeile darin ist zu lang"
        " (höchstens 1000 Oktette mit dem CRLF, RFC 5321 4.5.3.1.6)",
    "the message{who} is bigger than the server takes (see SIZE in its EHLO reply)":
        "die Nachricht{who} ist größer, als der Server annimmt (siehe SIZE in seiner"
        " EHLO-Antwort)",
    "the mailbox{who} is full (quota): the message was not stored":
        "das Postfach{who} ist voll (Quota): die Nachricht wurde nicht gespeichert",
    "the server read part of the chunk as a command ({seen}): the octets after BDAT did not"
    " match its size, so the rest came as command lines (RFC 3030 2)":
        "der Server hat einen Teil des Stücks als Befehl gelesen ({seen}): die Oktette nach"
        " BDAT passten nicht zu seiner Größe, also kam der Rest als Befehlszeilen"
        " (RFC 3030 2)",
    "the server did not read this line as {verb}: it saw {seen} (a line broken by a bare CR"
    " or LF, or bytes left from before)":
        "der Server hat diese Zeile nicht als {verb} gelesen: er sah {seen} (eine Zeile,"
        " die ein einzelnes CR oder LF zerbrach, oder Bytes von vorher)",
    "the server does not know {verb}: it is an old server; greet with HELO your.name instead":
        "der Server kennt {verb} nicht: es ist ein alter Server; begrüße ihn stattdessen mit"
        " HELO dein.name",
    "the server does not know {verb}": "der Server kennt {verb} nicht",
    "check the <angle brackets> around the address: {example}":
        "prüfe die <spitzen Klammern> um die Adresse: {example}",
    "the server could not read the address <{address}>: check it (user@domain)":
        "der Server konnte die Adresse <{address}> nicht lesen: prüfe sie (user@domain)",
    "the server could not read the arguments of {verb}":
        "der Server konnte die Argumente von {verb} nicht lesen",
    "the address <{address}> does not exist there": "die Adresse <{address}> gibt es dort nicht",
    "the server does not take mail for <{address}> from you: log in with AUTH to send through"
    " it, or send to the domain's own MX":
        "der Server nimmt von dir keine Mail für <{address}> an: melde dich mit AUTH an, um"
        " über ihn zu senden, oder sende an den MX der Domain selbst",
    "the server wants {first} before {command}": "der Server will {first} vor {command}",
    "next: AUTH {mechanism} (log in), or {example}":
        "weiter: AUTH {mechanism} (anmelden) oder {example}",
    "a command": "einen Befehl",
    "this command": "diesen Befehl",
    "{command} only once per session": "{command} nur einmal pro Sitzung",
    "no {command} inside a mail transaction (RSET ends one)":
        "kein {command} innerhalb einer Mail-Transaktion (RSET beendet sie)",
}
