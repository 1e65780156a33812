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
    # smtpsh/forensics.py
    "the sending IP address is allowed by the SPF record of the envelope sender's domain"
    ' (smtp.mailfrom)':
        'der SPF-Eintrag der Domain des Envelope-Absenders (smtp.mailfrom) erlaubt der'
        ' sendenden IP-Adresse das Senden',
    "the SPF record of the envelope sender's domain says this IP address may not send for"
    ' it: a forgery, or a forwarder the domain does not know':
        'laut SPF-Eintrag der Domain des Envelope-Absenders darf diese IP-Adresse nicht für'
        ' sie senden: eine Fälschung oder eine Weiterleitung, die die Domain nicht kennt',
    'the SPF record says this IP address is probably not allowed (~all): many receivers'
    ' count it towards spam':
        'laut SPF-Eintrag ist diese IP-Adresse wahrscheinlich nicht erlaubt (~all): viele'
        ' Empfänger werten das als Spam-Hinweis',
    'the SPF record makes no statement about this IP address (?all)':
        'der SPF-Eintrag sagt nichts über diese IP-Adresse (?all)',
    "the envelope sender's domain publishes no SPF record, or there was no domain to check":
        'die Domain des Envelope-Absenders veröffentlicht keinen SPF-Eintrag, oder es gab'
        ' keine Domain zu prüfen',
    'a DNS error that may pass: the SPF check may succeed later':
        'ein DNS-Fehler, der vorübergehen kann: die SPF-Prüfung gelingt vielleicht später',
    "the domain's SPF record is broken (a syntax error, too many DNS lookups): only its"
    ' owner can fix it':
        'der SPF-Eintrag der Domain ist kaputt (ein Syntaxfehler, zu viele DNS-Abfragen):'
        ' nur ihr Inhaber kann ihn reparieren',
    'a DKIM signature verified: the signing domain (header.d) vouches for the signed header'
    ' fields and the body':
        'eine DKIM-Signatur ist gültig: die signierende Domain (header.d) bürgt für die'
        ' signierten Header-Felder und den Body',
    'a DKIM signature did not verify: the message was changed after signing, or the key does'
    ' not match':
        'eine DKIM-Signatur ist ungültig: die Nachricht wurde nach dem Signieren geändert,'
        ' oder der Schlüssel passt nicht',
    'the signature could not be checked, for a reason that is not a failure (for example, a'
    ' syntax error in it)':
        'die Signatur konnte nicht geprüft werden, aus einem Grund, der kein Fehlschlag ist'
        ' (zum Beispiel ein Syntaxfehler darin)',
    "the signature verified, but the receiver's policy does not accept it (for example, one"
    ' that does not cover the Subject)':
        'die Signatur ist gültig, aber die Richtlinie des Empfängers akzeptiert sie nicht'
        ' (zum Beispiel eine, die das Subject nicht abdeckt)',
    'the message was not signed with DKIM': 'die Nachricht wurde nicht mit DKIM signiert',
    'the key could not be fetched now (a DNS error): it may verify later':
        'der Schlüssel war gerade nicht abrufbar (ein DNS-Fehler): später ist die Signatur'
        ' vielleicht gültig',
    'the signature can never verify: the key is missing or broken, or a required tag or'
    ' header field is absent':
        'die Signatur kann nie gültig sein: der Schlüssel fehlt oder ist kaputt, oder ein'
        ' nötiges Tag oder Header-Feld fehlt',
    'SPF or DKIM passed for a domain aligned with the From domain: the From address is not'
    ' forged':
        'SPF oder DKIM hat für eine Domain bestanden, die zur From-Domain passt (Alignment):'
        ' die From-Adresse ist nicht gefälscht',
    'neither SPF nor DKIM passed for a domain aligned with the From domain: the receiver'
    " applies the domain's policy (p=reject, quarantine, which means the spam folder, or"
    ' none)':
        'weder SPF noch DKIM hat für eine zur From-Domain passende Domain bestanden: der'
        ' Empfänger wendet die Richtlinie der Domain an (p=reject, quarantine, also den'
        ' Spam-Ordner, oder none)',
    'the From domain publishes no DMARC record':
        'die From-Domain veröffentlicht keinen DMARC-Eintrag',
    'a DNS error while looking up the DMARC record: it may pass later':
        'ein DNS-Fehler beim Abfragen des DMARC-Eintrags: später klappt es vielleicht',
    "the From domain's DMARC record is broken": 'der DMARC-Eintrag der From-Domain ist kaputt',
    'the ARC chain holds: the intermediaries that forwarded the message (mailing lists,'
    ' forwarders) vouch for the results they saw':
        'die ARC-Kette hält: die Zwischenstationen, die die Nachricht weitergeleitet haben'
        ' (Mailinglisten, Weiterleitungen), bürgen für die Ergebnisse, die sie sahen',
    "the ARC chain is broken: an intermediary's seal or the newest message signature does"
    ' not verify':
        'die ARC-Kette ist gebrochen: das Siegel einer Zwischenstation oder die neueste'
        ' Nachrichtensignatur ist ungültig',
    'the message carries no ARC chain': 'die Nachricht trägt keine ARC-Kette',
    'the check passed': 'die Prüfung hat bestanden',
    'the check failed': 'die Prüfung ist fehlgeschlagen',
    'the check failed, weakly': 'die Prüfung ist schwach fehlgeschlagen',
    'the check gave no verdict': 'die Prüfung ergab kein Urteil',
    'there was nothing to check': 'es gab nichts zu prüfen',
    "the check passed, but the receiver's policy does not accept the result":
        'die Prüfung hat bestanden, aber die Richtlinie des Empfängers akzeptiert das'
        ' Ergebnis nicht',
    'a temporary error: the check may succeed later':
        'ein vorübergehender Fehler: die Prüfung gelingt vielleicht später',
    'a permanent error: the check cannot succeed as things are':
        'ein dauerhafter Fehler: so kann die Prüfung nicht gelingen',
    "iprev: the client's IP address has a reverse DNS name that resolves back to it":
        'iprev: die IP-Adresse des Clients hat einen Reverse-DNS-Namen, der wieder auf sie'
        ' zeigt',
    'auth: the sender logged in with SMTP AUTH (smtp.auth names the user)':
        'auth: der Absender hat sich mit SMTP AUTH angemeldet (smtp.auth nennt den Benutzer)',
    "compauth: Microsoft's composite verdict from SPF, DKIM, DMARC and its own signals"
    " (reason= is Microsoft's code)":
        'compauth: Microsofts Gesamturteil aus SPF, DKIM, DMARC und eigenen Signalen'
        ' (reason= ist Microsofts Code)',
    'dkim-atps: whether the From domain authorises the third-party signer':
        'dkim-atps: ob die From-Domain den fremden Signierer autorisiert',
    "bimi: whether the From domain's brand logo may be shown":
        'bimi: ob das Markenlogo der From-Domain angezeigt werden darf',
    'a result the RFCs do not define': 'ein Ergebnis, das die RFCs nicht definieren',
    '(no authserv-id)': '(keine authserv-id)',
    'no authentication header fields': 'keine Header-Felder zur Authentifizierung',
    'ARC chain: {count} instance': 'ARC-Kette: {count} Instanz',
    'ARC chain: {count} instances': 'ARC-Kette: {count} Instanzen',
    'an ARC set needs all three fields with the same i=: this one is incomplete':
        'ein ARC-Satz braucht alle drei Felder mit demselben i=: dieser ist unvollständig',
    'DMARC alignment: From domain {domain}': 'DMARC-Alignment: From-Domain {domain}',
    'no DKIM signature holds': 'keine DKIM-Signatur hält',
    'the ARC chain holds': 'die ARC-Kette hält',
    'the ARC chain does not hold': 'die ARC-Kette hält nicht',
    'no authserv-id': 'keine authserv-id',
    'the field does not name the server that wrote it (Microsoft 365 writes it so): trust it'
    ' only if your own receiving servers add it':
        'das Feld nennt den Server nicht, der es schrieb (Microsoft 365 schreibt es so):'
        ' trau ihm nur, wenn deine eigenen empfangenden Server es hinzufügen',
    'no results': 'keine Ergebnisse',
    'the server checked nothing, or wrote "none"':
        'der Server hat nichts geprüft oder "none" geschrieben',
    'body hash mismatch: the body was changed after signing':
        'Body-Hash stimmt nicht: der Body wurde nach dem Signieren geändert',
    'signature verified': 'Signatur gültig',
    'l= limits the signed body': 'l= begrenzt den signierten Body',
    'anything appended after the signed length is not covered: someone could add text and'
    ' the signature still verifies':
        'was nach der signierten Länge angehängt wird, ist nicht abgedeckt: jemand könnte'
        ' Text anfügen, und die Signatur bliebe gültig',
    'signed with rsa-sha1': 'mit rsa-sha1 signiert',
    'SHA-1 is no longer safe: verifiers must not accept it as a pass':
        'SHA-1 ist nicht mehr sicher: Prüfer dürfen es nicht als bestanden werten',
    'not validated: the check stopped before this instance':
        'nicht geprüft: die Prüfung endete vor dieser Instanz',
    'the same domain as From: aligned, strict and relaxed':
        'dieselbe Domain wie From: passt (Alignment), strict und relaxed',
    'the topmost field is the newest': 'das oberste Feld ist das neueste',
    'each server adds its field on top; only the fields your own receiving servers wrote can'
    ' be trusted: anyone can write one':
        'jeder Server fügt sein Feld oben an; nur den Feldern deiner eigenen empfangenden'
        ' Server ist zu trauen: jeder kann eins schreiben',
    'no Authentication-Results, DKIM-Signature or ARC field':
        'kein Authentication-Results-, DKIM-Signature- oder ARC-Feld',
    'the receiving server records its checks in Authentication-Results; give the message as'
    ' it was delivered, with its whole header':
        'der empfangende Server hält seine Prüfungen in Authentication-Results fest; gib die'
        ' Nachricht so an, wie sie zugestellt wurde, mit ihrem ganzen Header',
    '{server} reported {results}': '{server} meldete {results}',
    'the receiving server': 'der empfangende Server',
    "a part of the field does not follow the RFC's syntax":
        'ein Teil des Felds folgt nicht der Syntax des RFC',
    'the signature has expired (its x= time is past)':
        'die Signatur ist abgelaufen (ihre x=-Zeit ist vorbei)',
    "this instance's ARC-Seal does not verify: the chain is broken here":
        'das ARC-Seal dieser Instanz ist ungültig: hier ist die Kette gebrochen',
    'the same organizational domain as From: aligned in relaxed mode (the default), not in'
    ' strict mode':
        'dieselbe Organisations-Domain wie From: passt im Modus relaxed (dem Standard),'
        ' nicht im Modus strict',
    'another domain than From: this pass does not count for DMARC':
        'eine andere Domain als From: dieses Bestehen zählt nicht für DMARC',
    'DKIM holds for {domains}': 'DKIM hält für {domains}',
    'the newest ARC-Message-Signature does not verify: the message changed after the last'
    ' hop sealed it':
        'die neueste ARC-Message-Signature ist ungültig: die Nachricht wurde geändert,'
        ' nachdem die letzte Station sie versiegelt hat',
    'no key for signature: {name} has no TXT record':
        'kein Schlüssel für die Signatur: {name} hat keinen TXT-Eintrag',
    'signature did not verify: a signed header field was changed, or the key does not match':
        'Signatur ungültig: ein signiertes Header-Feld wurde geändert, oder der Schlüssel'
        ' passt nicht',
    'an older ARC-Message-Signature does not verify: expected when a later hop changed the'
    ' message (a list footer, a subject tag)':
        'eine ältere ARC-Message-Signature ist ungültig: zu erwarten, wenn eine spätere'
        ' Station die Nachricht geändert hat (eine Listen-Fußzeile, ein Betreff-Präfix)',
    'seal and message signature verify; this hop saw the results it recorded in its'
    ' ARC-Authentication-Results':
        'Siegel und Nachrichtensignatur sind gültig; diese Station sah die Ergebnisse, die'
        ' sie in ihren ARC-Authentication-Results festhielt',
    'the key could not be fetched: {error}': 'der Schlüssel war nicht abrufbar: {error}',
    # smtpsh/lessons.py
    "no lesson {number}: smtpsh --lesson lists them":
        "keine Lektion {number}: smtpsh --lesson listet sie auf",
    "Lessons (smtpsh --lesson N opens the shell on the sandbox with lesson N):":
        "Lektionen (smtpsh --lesson N öffnet die Shell auf der Sandbox mit Lektion N):",
    "  {number}  {title} ({steps} steps)": "  {number}  {title} ({steps} Schritte)",
    "lesson {number}: {title}": "Lektion {number}: {title}",
    "lesson {number} done": "Lektion {number} geschafft",
    "step {n}/{total}: {task}": "Schritt {n}/{total}: {task}",
    "step {n}/{total} done": "Schritt {n}/{total} erledigt",
    "not this step yet: {hint}": "noch nicht dieser Schritt: {hint}",
    "lesson {number} done: {done} of {total} steps, {tries} tries that did not count. {end}":
        "Lektion {number} geschafft: {done} von {total} Schritten, {tries} Versuche, die nicht"
        " zählten. {end}",
    "lesson {number}": "Lektion {number}",
    # smtpsh/shell/commands.py: the :help lines
    "Tab completes · Up/Down and Ctrl-R search the history · Ctrl-C cancels the line, or the"
    " wait for a reply · Ctrl-D says QUIT and leaves (in DATA: ends the message); a typed QUIT"
    " closes the connection and the shell stays":
        "Tab ergänzt · Hoch/Runter und Strg-R durchsuchen den Verlauf · Strg-C verwirft die"
        " Zeile oder das Warten auf eine Antwort · Strg-D sagt QUIT und beendet (in DATA:"
        " beendet die Nachricht). Ein getipptes QUIT schließt die Verbindung, die Shell"
        " bleibt",
    "this list, or all about one verb or command":
        "diese Liste, oder alles über einen Befehl oder ein Kommando",
    "connect to another server": "mit einem anderen Server verbinden",
    "connect again to the last server": "noch einmal mit dem letzten Server verbinden",
    "which server an MTA would pick for a domain, and why; `connect` goes there":
        "welchen Server ein MTA für eine Domain wählen würde, und warum. `connect` geht dorthin",
    "report card of a mail domain: DNS, SMTP, TLS, DANE, MTA-STS, TLS-RPT (as --check)":
        "Zeugnis einer Mail-Domain: DNS, SMTP, TLS, DANE, MTA-STS, TLS-RPT (wie --check)",
    "how long each stage of this connection took: connect, greeting, TLS handshake, each"
    " command":
        "wie lange jeder Abschnitt dieser Verbindung dauerte: Verbinden, Begrüßung,"
        " TLS-Handshake, jeder Befehl",
    "say QUIT and close the connection": "QUIT sagen und die Verbindung schließen",
    "say QUIT and leave (also Ctrl-D)": "QUIT sagen und beenden (auch Strg-D)",
    "send FILE as the message text and end it; DATA first if needed":
        "FILE als Text der Nachricht senden und sie beenden. Vorher DATA, wenn nötig",
    "write this session so far to FILE": "diese Sitzung bis jetzt in FILE schreiben",
    "print the command that reproduces this connection's dialog with another tool (secrets"
    " as placeholders)":
        "den Befehl ausgeben, der den Dialog dieser Verbindung mit einem anderen Werkzeug"
        " wiederholt (Geheimnisse als Platzhalter)",
    "the server's EHLO capabilities as a table": "die EHLO-Fähigkeiten des Servers als Tabelle",
    "the TLS facts and the server's certificate": "die TLS-Daten und das Zertifikat des Servers",
    "what a reply code, enhanced code, reply line, verb or keyword means":
        "was ein Antwortcode, erweiterter Code, eine Antwortzeile, ein Befehl oder ein"
        " Schlüsselwort bedeutet",
    "send TEXT as bytes, exactly: no CRLF added, no dot-stuffing; \\r \\n \\t \\\\ \\xNN"
    " escapes (e.g. :raw DATA\\n)":
        "TEXT genau als Bytes senden: kein CRLF angehängt, kein Dot-Stuffing. Escapes \\r \\n"
        " \\t \\\\ \\xNN (z. B. :raw DATA\\n)",
    "clear the screen": "den Bildschirm leeren",
    "run --probe's checks against this server, on connections of their own; the envelope"
    " from --from/--to":
        "die Prüfungen von --probe gegen diesen Server laufen lassen, auf eigenen"
        " Verbindungen. Der Umschlag kommt von --from/--to",
    "Postfix XCLIENT: claim another client (ADDR= NAME= HELO= PORT= PROTO= LOGIN=), values"
    " xtext-encoded; a 220 is a new session":
        "Postfix XCLIENT: einen anderen Client vorgeben (ADDR= NAME= HELO= PORT= PROTO="
        " LOGIN=), Werte xtext-kodiert. Eine 220 ist eine neue Sitzung",
    "Postfix XFORWARD: the original client's details for the next message (ADDR= NAME="
    " HELO= PROTO= SOURCE= IDENT=), values xtext-encoded":
        "Postfix XFORWARD: die Angaben des ursprünglichen Clients für die nächste Nachricht"
        " (ADDR= NAME= HELO= PROTO= SOURCE= IDENT=), Werte xtext-kodiert",
    "the sandbox's fault rules: add one, list them, delete one, clear them":
        "die Fehlerregeln der Sandbox: eine hinzufügen, sie auflisten, eine löschen, alle"
        " löschen",
    "the sandbox's saved messages: number, from, to, subject, size":
        "die gespeicherten Nachrichten der Sandbox: Nummer, Absender, Empfänger, Betreff,"
        " Größe",
    "one of the sandbox's saved messages: its Received chain and forensics, then its text":
        "eine der gespeicherten Nachrichten der Sandbox: ihre Received-Kette und Forensik,"
        " dann ihr Text",
    "the sandbox's side of the dialog, as its server sees it, shown among yours (on), or not"
    " (off)":
        "die Seite der Sandbox im Dialog, wie ihr Server ihn sieht, zwischen Ihren Zeilen"
        " gezeigt (on) oder nicht (off)",
    "Shell commands:": "Shell-Kommandos:",
    "SMTP verbs (typed as is, lower case works; :help VERB for more):":
        "SMTP-Befehle (so getippt, Kleinschreibung geht auch. :help VERB sagt mehr):",
    "Keys: ": "Tasten: ",
    # smtpsh/shell/toolbar.py
    "Tab completes · :help": "Tab ergänzt · :help",
    "no TLS": "kein TLS",
    "not connected": "nicht verbunden",
    "message text; a line with only '.' ends it":
        "Text der Nachricht. Eine Zeile mit nur '.' beendet sie",
    "Ctrl-C: end the message or keep typing": "Strg-C: Nachricht beenden oder weitertippen",
    "no EHLO yet": "noch kein EHLO",
    "no extensions": "keine Erweiterungen",
    " +{count} more": " +{count} weitere",
    "server takes: {params}": "Server nimmt: {params}",
    "user {user}": "Benutzer {user}",
    "not connected: {command}, or :connect HOST [PORT]":
        "nicht verbunden: {command}, oder :connect HOST [PORT]",
    # smtpsh/findings.py: the report card
    "pass": "gut",
    "info": "Info",
    "skip": "ungeprüft",
    "warn": "Warnung",
    "fail": "Fehler",
    "seen": "gesehen",
    "why": "warum",
    "overall: {verdict}": "insgesamt: {verdict}",
}


def _merge() -> None:
    """The parts' catalogs (smtpsh/i18n_de_parts/) into CATALOG: one dict for the lookups."""
    import importlib

    from smtpsh.i18n_de_parts import PARTS

    for part in PARTS:
        CATALOG.update(importlib.import_module(f"smtpsh.i18n_de_parts.{part}").CATALOG)


_merge()
