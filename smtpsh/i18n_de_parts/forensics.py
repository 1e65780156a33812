"""German for the sentences of smtpsh's forensics part (see smtpsh/i18n_de_parts/__init__.py)."""

CATALOG: dict[str, str] = {
    # smtpsh/forensics.py: the forensics under --received and :show N
    "Message forensics: Authentication-Results, DKIM, ARC, DMARC alignment":
        "Forensik der Nachricht: Authentication-Results, DKIM, ARC, DMARC-Alignment",
    # without DNS (:show N on the sandbox: no --nameserver, never the system's resolver)
    "key not looked up (no --nameserver): the body hash matches, the signed header fields"
    " are not checked":
        "Schlüssel nicht abgefragt (kein --nameserver): der Body-Hash stimmt, die signierten"
        " Header-Felder sind nicht geprüft",
    "key not looked up (no --nameserver)": "Schlüssel nicht abgefragt (kein --nameserver)",
    "here smtpsh asks for keys only through --nameserver, never through the system's"
    " resolver; smtpsh --received FILE verifies the signature with its key from DNS":
        "hier fragt smtpsh Schlüssel nur über --nameserver ab, nie über den Resolver des"
        " Systems; smtpsh --received DATEI prüft die Signatur mit ihrem Schlüssel aus dem DNS",
    "not validated: the keys were not looked up (no --nameserver)":
        "nicht geprüft: die Schlüssel wurden nicht abgefragt (kein --nameserver)",
    "arc: not validated, the keys were not looked up (no --nameserver)":
        "arc: nicht geprüft, die Schlüssel wurden nicht abgefragt (kein --nameserver)",
    "here smtpsh asks for keys only through --nameserver, never through the system's"
    " resolver; smtpsh --received FILE validates the chain with the keys from DNS":
        "hier fragt smtpsh Schlüssel nur über --nameserver ab, nie über den Resolver des"
        " Systems; smtpsh --received DATEI prüft die Kette mit den Schlüsseln aus dem DNS",
    "DKIM not verified: no key looked up": "DKIM nicht geprüft: kein Schlüssel abgefragt",
    "the ARC chain was not validated": "die ARC-Kette wurde nicht geprüft",
    # smtpsh/received.py: the route of --received and :show N
    "time not understood: {text}": "Zeit nicht verstanden: {text}",
    "time zone {zone} not known: the time is shown as written and left out of the delays":
        "Zeitzone {zone} unbekannt: die Zeit steht da, wie sie geschrieben wurde, und zählt"
        " bei den Verzögerungen nicht mit",
    "no time zone: the time is shown as written and left out of the delays":
        "keine Zeitzone: die Zeit steht da, wie sie geschrieben wurde, und zählt bei den"
        " Verzögerungen nicht mit",
    "partly not understood: a '(' is never closed; it was skipped and the rest read as words":
        "teilweise nicht verstanden: eine '(' wird nie geschlossen; sie wurde übersprungen"
        " und der Rest als Wörter gelesen",
    "no from or by clause: {comments}": "keine from- oder by-Angabe: {comments}",
    "could not read this Received line (no from or by clause)":
        "diese Received-Zeile ist nicht lesbar (keine from- oder by-Angabe)",
    "submitted locally, not over the network": "lokal eingeliefert, nicht über das Netz",
    "greylisted: delayed {seconds} s ({duration}) by {who}":
        "Greylisting: {seconds} s ({duration}) aufgehalten von {who}",
    "greylisted: delayed {seconds} s ({duration})":
        "Greylisting: {seconds} s ({duration}) aufgehalten",
    "clock went backwards by {duration}: the two hosts' clocks disagree":
        "die Uhr ging um {duration} zurück: die Uhren der beiden Hosts gehen verschieden",
    "No Received: header field found.": "Kein Received:-Header-Feld gefunden.",
    "time ({date})": "Zeit ({date})",
    "time": "Zeit",
    "delay": "Verzögerung",
    "flags": "Merkmale",
    "internal": "intern",
    "slowest": "langsamste",
    "greylisted": "Greylisting",
    "clock-back": "Uhr-zurück",
    "raw: {value}": "roh: {value}",
    "raw: the field is empty": "roh: das Feld ist leer",
    "note: {note}": "Hinweis: {note}",
    "1 hop": "1 Station",
    "{count} hops": "{count} Stationen",
    "{hops}, {start} to {end}: total transit time {duration}":
        "{hops}, {start} bis {end}: gesamte Laufzeit {duration}",
    "(not reliable: a clock went backwards)": "(nicht verlässlich: eine Uhr ging zurück)",
    "(greylisting held it there)": "(Greylisting hielt sie dort auf)",
    "slowest hop: #{number} {route}, {duration}":
        "langsamste Station: #{number} {route}, {duration}",
    "greylisting: hop #{number} was delayed {duration} by greylisting (the first attempt was"
    " refused with a 4xx, as greylisting does, and the sender retried)":
        "Greylisting: Station #{number} wurde {duration} durch Greylisting aufgehalten (der"
        " erste Versuch wurde mit einem 4xx abgelehnt, wie Greylisting es tut, und der"
        " Absender versuchte es erneut)",
    "clock: hop #{number} is stamped earlier than the hop before it; delays around it are"
    " not real":
        "Uhr: Station #{number} trägt eine frühere Zeit als die Station davor; die"
        " Verzögerungen um sie herum sind nicht echt",
    "internal hops (private or loopback sender address): {hops}":
        "interne Stationen (private oder Loopback-Adresse des Absenders): {hops}",
    "not understood: hop {hops} (shown raw)": "nicht verstanden: Station {hops} (roh gezeigt)",
    "partly not understood: hop {hops} (shown raw too)":
        "teilweise nicht verstanden: Station {hops} (auch roh gezeigt)",
    "no Received: header field in {path}": "kein Received:-Header-Feld in {path}",
}
