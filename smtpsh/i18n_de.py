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
}
