"""German for the sentences of smtpsh's probes part (see smtpsh/i18n_de_parts/__init__.py).

What each probe says it sent, what it saw, its verdict's reasons, `--probe list`. The bytes
and replies quoted in the evidence stay as they were on the wire.
"""

CATALOG: dict[str, str] = {
    # smtpsh/probes/__init__.py, base.py, cli.py
    " (needs --to for the parts that send a message)":
        " (braucht --to für die Teile, die eine Nachricht senden)",
    "--probe needs a name: --probe list shows them":
        "--probe braucht einen Namen: --probe list zeigt sie",
    "no probe called {name}: --probe list shows them ({known})":
        "keine Prüfung namens {name}: --probe list zeigt sie ({known})",
    "{what}: not checked, it sends a message and needs --to ADDRESS (a recipient you may send"
    " to)":
        "{what}: nicht geprüft, das sendet eine Nachricht und braucht --to ADRESSE (einen"
        " Empfänger, an den du senden darfst)",
    "probes never invent a recipient": "die Prüfungen erfinden nie einen Empfänger",
    "the server refuses service: {reply}": "der Server verweigert den Dienst: {reply}",
    "--starttls: STARTTLS refused: {reply}": "--starttls: STARTTLS abgelehnt: {reply}",
    "probe {name}": "Prüfung {name}",
    " within {seconds} s": " innerhalb von {seconds} s",
    ", then the connection closed": ", dann wurde die Verbindung geschlossen",
    ", the connection closed": ", die Verbindung wurde geschlossen",
    "stopped: {reason}": "abgebrochen: {reason}",
    "sent {data}; seen {replies}": "gesendet {data}; gesehen {replies}",
    "sent {line}; seen {replies}": "gesendet {line}; gesehen {replies}",
    "seen {replies}": "gesehen {replies}",
    "could not open a transaction to test with":
        "konnte keine Transaktion zum Testen öffnen",
    "the probe needs a 354 for --to (and --from)":
        "die Prüfung braucht eine 354 für --to (und --from)",
    # smtpsh/probes/smuggling.py
    "end-of-data variants (<LF>.<LF>, <CR>.<CR>, ...) each with a smuggled MAIL FROM: taken"
    " as the end of the message = SMTP smuggling (inbound)":
        "Varianten des Datenendes (<LF>.<LF>, <CR>.<CR>, ...), jede mit einem"
        " eingeschmuggelten MAIL FROM: als Ende der Nachricht genommen = SMTP-Smuggling"
        " (eingehend)",
    "an attacker can produce this through a vulnerable outbound relay: the dot follows a bare"
    " CR or LF (or a NUL), so a relay that passes bare line ends on does not dot-stuff it":
        "ein Angreifer kann das über ein verwundbares ausgehendes Relay erzeugen: der Punkt"
        " folgt auf ein einzelnes CR oder LF (oder ein NUL), also verdoppelt ein Relay, das"
        " einzelne Zeilenenden durchreicht, ihn nicht (kein Dot-Stuffing)",
    "RFC hygiene only: the dot starts a line after a real CRLF, so any outbound relay that"
    " dot-stuffs (RFC 5321 4.5.2) doubles it before it reaches this server":
        "nur RFC-Hygiene: der Punkt beginnt eine Zeile nach einem echten CRLF, also verdoppelt"
        " ihn jedes ausgehende Relay mit Dot-Stuffing (RFC 5321 4.5.2), bevor er diesen"
        " Server erreicht",
    "SMTP smuggling": "SMTP-Smuggling",
    "not run: give --to": "nicht gelaufen: gib --to an",
    "takes {variants} as the end of data: vulnerable to SMTP smuggling as an inbound server":
        "nimmt {variants} als Datenende: als eingehender Server für SMTP-Smuggling"
        " verwundbar",
    "no variant was taken as the end of data": "keine Variante wurde als Datenende genommen",
    "sent {mail}, {rcpt}, DATA; seen {replies}": "gesendet {mail}, {rcpt}, DATA; gesehen"
                                                 " {replies}",
    "the probe needs a 354 for --to (and --from); check the envelope":
        "die Prüfung braucht eine 354 für --to (und --from). Prüfe den Umschlag",
    "{variant} taken as the end of data; the smuggled MAIL FROM was answered {code}":
        "{variant} als Datenende genommen; das eingeschmuggelte MAIL FROM wurde mit {code}"
        " beantwortet",
    "{variant} taken as the end of data": "{variant} als Datenende genommen",
    "vulnerable as an inbound server: a message that carries {variant} ends there and the"
    " rest is read as new commands (a forged second message); {label}":
        "als eingehender Server verwundbar: eine Nachricht, die {variant} enthält, endet dort,"
        " und der Rest wird als neue Befehle gelesen (eine gefälschte zweite Nachricht);"
        " {label}",
    "{variant} refused": "{variant} abgelehnt",
    "the server refused what it was sent; {label}":
        "der Server hat abgelehnt, was er bekam; {label}",
    "; then <CR><LF>.<CR><LF>: {replies}": "; dann <CR><LF>.<CR><LF>: {replies}",
    "{variant} not taken as the end of data (kept in the message)":
        "{variant} nicht als Datenende genommen (in der Nachricht behalten)",
    "the server waited for <CR><LF>.<CR><LF>; it accepted the variant as message text (if it"
    " relays mail, check what the next hop receives); {label}":
        "der Server wartete auf <CR><LF>.<CR><LF>; er nahm die Variante als Text der"
        " Nachricht an (wenn er Mail weiterleitet: prüfe, was die nächste Station bekommt);"
        " {label}",
    "{variant} not taken as the end of data (message refused)":
        "{variant} nicht als Datenende genommen (Nachricht abgelehnt)",
    "the server waited for <CR><LF>.<CR><LF>, then refused the message; {label}":
        "der Server wartete auf <CR><LF>.<CR><LF> und lehnte dann die Nachricht ab; {label}",
    # smtpsh/probes/bare_lf.py
    "a bare LF and a bare CR ending a command, and inside a message: refused, or read as a"
    " line end":
        "ein einzelnes LF und ein einzelnes CR am Ende eines Befehls und in einer Nachricht:"
        " abgelehnt oder als Zeilenende gelesen",
    "a bare LF inside a message": "ein einzelnes LF in einer Nachricht",
    "a bare CR inside a message": "ein einzelnes CR in einer Nachricht",
    "bare line ends are refused": "einzelne Zeilenenden werden abgelehnt",
    "bare line ends are accepted: see which above":
        "einzelne Zeilenenden werden angenommen: welche, steht oben",
    "a bare LF ends a command line": "ein einzelnes LF beendet eine Befehlszeile",
    "the server reads <LF> alone as a line end: lenient parsing that SMTP smuggling builds on":
        "der Server liest <LF> allein als Zeilenende: nachsichtiges Parsen, auf das"
        " SMTP-Smuggling baut",
    "a command ended by a bare LF is refused":
        "ein Befehl, der mit einem einzelnen LF endet, wird abgelehnt",
    "the server insists on <CR><LF>": "der Server besteht auf <CR><LF>",
    "a bare LF does not end a command line": "ein einzelnes LF beendet keine Befehlszeile",
    "the server waits for <CR><LF>": "der Server wartet auf <CR><LF>",
    "a bare CR ends a command line (two replies to one line)":
        "ein einzelnes CR beendet eine Befehlszeile (zwei Antworten auf eine Zeile)",
    "the server reads <CR> alone as a line end": "der Server liest <CR> allein als Zeilenende",
    "a bare CR is kept inside the command line":
        "ein einzelnes CR bleibt in der Befehlszeile",
    "one reply: the CR was taken as part of the line (NOOP ignores its argument)":
        "eine Antwort: das CR wurde als Teil der Zeile genommen (NOOP ignoriert sein"
        " Argument)",
    "a command line with a bare CR is refused":
        "eine Befehlszeile mit einem einzelnen CR wird abgelehnt",
    "the server refuses bare CR": "der Server lehnt einzelne CR ab",
    "a bare {name} inside a message is accepted":
        "ein einzelnes {name} in einer Nachricht wird angenommen",
    "the message with a bare <{name}> was taken (as a line end or as text); refusing it"
    " (Postfix: smtpd_forbid_bare_newline = reject) closes the inbound half of SMTP"
    " smuggling":
        "die Nachricht mit einem einzelnen <{name}> wurde genommen (als Zeilenende oder als"
        " Text); sie abzulehnen (Postfix: smtpd_forbid_bare_newline = reject) schließt die"
        " eingehende Hälfte von SMTP-Smuggling",
    "a bare {name} inside a message is refused":
        "ein einzelnes {name} in einer Nachricht wird abgelehnt",
    "the server refuses bare <{name}> in message text":
        "der Server lehnt einzelne <{name}> im Text einer Nachricht ab",
    "no reply to a message with a bare {name}":
        "keine Antwort auf eine Nachricht mit einem einzelnen {name}",
    "the server did not answer the end of data: it may have read the bare line end as part of"
    " the last line":
        "der Server hat das Datenende nicht beantwortet: vielleicht hat er das einzelne"
        " Zeilenende als Teil der letzten Zeile gelesen",
    # smtpsh/probes/unauth_pipelining.py
    "an early talker (EHLO before the greeting) and a pipelined group without PIPELINING"
    " advertised: refused, or accepted":
        "ein Frühsprecher (EHLO vor der Begrüßung) und eine Befehlsgruppe ohne angebotenes"
        " PIPELINING: abgelehnt oder angenommen",
    "protocol synchronization is enforced": "die Protokoll-Synchronisation wird durchgesetzt",
    "commands out of lockstep are accepted": "Befehle außer Takt werden angenommen",
    "sent {data} the moment the connection stood, before the greeting (try {attempt} of"
    " {attempts}); seen {replies}":
        "gesendet {data}, sobald die Verbindung stand, vor der Begrüßung (Versuch {attempt}"
        " von {attempts}); gesehen {replies}",
    "sent {data} the moment the connection stood, before the greeting; seen {replies}":
        "gesendet {data}, sobald die Verbindung stand, vor der Begrüßung; gesehen {replies}",
    "an early talker is refused": "ein Frühsprecher wird abgelehnt",
    "the server saw the client speak before its greeting and refused it":
        "der Server sah den Client vor seiner Begrüßung sprechen und lehnte ihn ab",
    "the server noticed the client spoke before the greeting":
        "der Server hat bemerkt, dass der Client vor der Begrüßung sprach",
    "no reply to the early EHLO": "keine Antwort auf das frühe EHLO",
    "the server ignored the early talk": "der Server hat das frühe Sprechen übergangen",
    "an early talker is accepted ({attempts} tries: EHLO sent before the greeting was answered"
    " 2xx)":
        "ein Frühsprecher wird angenommen ({attempts} Versuche: EHLO vor der Begrüßung wurde"
        " mit 2xx beantwortet)",
    "the server does not refuse clients that talk before the greeting; or it greets so fast"
    " that the EHLO never arrived first (a server that pauses before the greeting, as"
    " postscreen's pregreet test or Postfix's `sleep` restriction does, catches early talkers"
    " reliably); Postfix: smtpd_forbid_unauth_pipelining = yes":
        "der Server lehnt Clients nicht ab, die vor der Begrüßung sprechen; oder er begrüßt so"
        " schnell, dass das EHLO nie zuerst ankam (ein Server, der vor der Begrüßung eine"
        " Pause macht, wie der pregreet-Test von postscreen oder die `sleep`-Restriktion von"
        " Postfix, fängt Frühsprecher zuverlässig); Postfix: smtpd_forbid_unauth_pipelining"
        " = yes",
    "sent {data} in one write (HELO advertises no PIPELINING); seen {replies}":
        "gesendet {data} in einem Schreibvorgang (HELO bietet kein PIPELINING an); gesehen"
        " {replies}",
    "a pipelined group without PIPELINING is accepted":
        "eine Befehlsgruppe ohne PIPELINING wird angenommen",
    "the server answers commands a client was not allowed to send together (Postfix 3.9"
    " refuses them: smtpd_forbid_unauth_pipelining = yes)":
        "der Server beantwortet Befehle, die ein Client nicht zusammen senden durfte (Postfix"
        " 3.9 lehnt sie ab: smtpd_forbid_unauth_pipelining = yes)",
    "a pipelined group without PIPELINING is refused":
        "eine Befehlsgruppe ohne PIPELINING wird abgelehnt",
    "the server enforces protocol synchronization, as Postfix 3.9 does":
        "der Server setzt die Protokoll-Synchronisation durch, wie Postfix 3.9",
    "the pipelined group got fewer replies than commands":
        "die Befehlsgruppe bekam weniger Antworten als Befehle",
    "the server may have dropped or delayed the second command":
        "der Server hat den zweiten Befehl vielleicht verworfen oder verzögert",
    # smtpsh/probes/starttls_enforced.py
    "before STARTTLS: AUTH not advertised, MAIL and AUTH refused (530 5.7.0); port 25 may take"
    " plaintext by design":
        "vor STARTTLS: AUTH nicht angeboten, MAIL und AUTH abgelehnt (530 5.7.0); Port 25"
        " darf planmäßig Klartext annehmen",
    "port 25 may accept plaintext by design: a publicly-referenced MX MUST NOT require"
    " STARTTLS to deliver mail locally (RFC 3207 4); the rule applies to submission (587,"
    " RFC 8314 3.3; RFC 6409) and to anything that takes a password":
        "Port 25 darf planmäßig Klartext annehmen: ein öffentlich genannter MX DARF für die"
        " lokale Zustellung KEIN STARTTLS verlangen (RFC 3207 4); die Regel gilt für"
        " Submission (587, RFC 8314 3.3; RFC 6409) und für alles, was ein Passwort nimmt",
    "implicit TLS (--tls): nothing is sent in plaintext on this port, there is no STARTTLS to"
    " enforce":
        "implizites TLS (--tls): auf diesem Port geht nichts im Klartext, es gibt kein"
        " STARTTLS durchzusetzen",
    "every command on this port goes under TLS (RFC 8314 3.3)":
        "jeder Befehl auf diesem Port geht unter TLS (RFC 8314 3.3)",
    "not applicable: implicit TLS": "nicht anwendbar: implizites TLS",
    "port 25: plaintext may be accepted by design":
        "Port 25: Klartext darf planmäßig angenommen werden",
    "TLS comes first: nothing is taken before STARTTLS":
        "TLS kommt zuerst: vor STARTTLS wird nichts angenommen",
    "mail or a password can be sent in plaintext: see above":
        "Mail oder ein Passwort kann im Klartext gesendet werden: siehe oben",
    "sent {line}; seen {replies}; keywords: {keywords}":
        "gesendet {line}; gesehen {replies}; Schlüsselwörter: {keywords}",
    "sent {line}; seen {replies}; keywords: none":
        "gesendet {line}; gesehen {replies}; Schlüsselwörter: keine",
    "STARTTLS is offered": "STARTTLS wird angeboten",
    "a client can protect the session before it sends mail or a password":
        "ein Client kann die Sitzung schützen, bevor er Mail oder ein Passwort sendet",
    "STARTTLS is not offered": "STARTTLS wird nicht angeboten",
    "the session cannot be protected on this port: mail and passwords go in plaintext":
        "die Sitzung kann auf diesem Port nicht geschützt werden: Mail und Passwörter gehen im"
        " Klartext",
    "AUTH is not advertised before TLS": "AUTH wird vor TLS nicht angeboten",
    "no password mechanism is offered in plaintext":
        "kein Passwort-Verfahren wird im Klartext angeboten",
    "AUTH {mechanisms} is advertised before TLS": "AUTH {mechanisms} wird vor TLS angeboten",
    "a plaintext password mechanism (PLAIN, LOGIN) is offered on an unprotected session: a"
    " client that takes the offer sends its password in the clear (RFC 4954 4: not without"
    " TLS or an equivalent)":
        "ein Klartext-Passwortverfahren (PLAIN, LOGIN) wird auf einer ungeschützten Sitzung"
        " angeboten: ein Client, der das Angebot annimmt, sendet sein Passwort im Klartext"
        " (RFC 4954 4: nicht ohne TLS oder Gleichwertiges)",
    "no plaintext mechanism, but the user name (and whatever the mechanism reveals) travels"
    " in the clear":
        "kein Klartext-Verfahren, aber der Benutzername (und was das Verfahren sonst"
        " preisgibt) geht im Klartext",
    "sent {line} before STARTTLS; seen {replies}":
        "gesendet {line} vor STARTTLS; gesehen {replies}",
    "; then RSET: {replies} (no message is sent)":
        "; dann RSET: {replies} (keine Nachricht wird gesendet)",
    "MAIL is accepted before STARTTLS (port 25)": "MAIL wird vor STARTTLS angenommen (Port 25)",
    "MAIL is accepted before STARTTLS": "MAIL wird vor STARTTLS angenommen",
    "a client can send mail without TLS on this port; a submission port must refuse it with"
    " 530 5.7.0 (Postfix: smtpd_tls_security_level = encrypt); if this port is an MX on"
    " another number, plaintext is allowed by design":
        "ein Client kann auf diesem Port Mail ohne TLS senden; ein Submission-Port muss das"
        " mit 530 5.7.0 ablehnen (Postfix: smtpd_tls_security_level = encrypt); ist dieser"
        " Port ein MX auf einer anderen Nummer, ist Klartext planmäßig erlaubt",
    "MAIL is refused before STARTTLS": "MAIL wird vor STARTTLS abgelehnt",
    "MAIL is refused before STARTTLS ({code}, not the 530 of RFC 3207)":
        "MAIL wird vor STARTTLS abgelehnt ({code}, nicht die 530 aus RFC 3207)",
    "the server takes no mail before TLS": "der Server nimmt vor TLS keine Mail an",
    "the server takes no mail before TLS; RFC 3207 4 names 530 5.7.0 for this refusal":
        "der Server nimmt vor TLS keine Mail an; RFC 3207 4 nennt 530 5.7.0 für diese"
        " Ablehnung",
    "MAIL before STARTTLS is refused only for now":
        "MAIL vor STARTTLS wird nur vorübergehend abgelehnt",
    "a 4xx says try again later, not that TLS is required: a client may retry in plaintext":
        "eine 4xx sagt: später erneut versuchen, nicht: TLS ist nötig. Ein Client versucht"
        " es vielleicht wieder im Klartext",
    "sent {data} before STARTTLS (no credentials); seen {replies}":
        "gesendet {data} vor STARTTLS (ohne Zugangsdaten); gesehen {replies}",
    "; then {data} (cancel, RFC 4954 4): {replies}":
        "; dann {data} (Abbruch, RFC 4954 4): {replies}",
    "AUTH is accepted before STARTTLS (334: the server waits for the credentials)":
        "AUTH wird vor STARTTLS angenommen (334: der Server wartet auf die Zugangsdaten)",
    "a client would send its password in plaintext; the server must answer 530 5.7.0 until"
    " TLS is up (Postfix: smtpd_tls_auth_only = yes)":
        "ein Client würde sein Passwort im Klartext senden; der Server muss mit 530 5.7.0"
        " antworten, bis TLS steht (Postfix: smtpd_tls_auth_only = yes)",
    "AUTH is refused before STARTTLS": "AUTH wird vor STARTTLS abgelehnt",
    "AUTH is refused before STARTTLS ({code})": "AUTH wird vor STARTTLS abgelehnt ({code})",
    "the server takes no password before TLS": "der Server nimmt vor TLS kein Passwort an",
    "the server takes no password before TLS; 530 5.7.0 says why (RFC 4954 6)":
        "der Server nimmt vor TLS kein Passwort an; 530 5.7.0 sagt, warum (RFC 4954 6)",
    "the server takes no password before TLS: it offers no AUTH in plaintext at all":
        "der Server nimmt vor TLS kein Passwort an: er bietet im Klartext gar kein AUTH an",
    "no reply to AUTH before STARTTLS": "keine Antwort auf AUTH vor STARTTLS",
    "the server did not answer": "der Server hat nicht geantwortet",
    "AUTH before STARTTLS answered {code}": "AUTH vor STARTTLS mit {code} beantwortet",
    "neither a challenge nor a refusal: check what the server means":
        "weder eine Challenge noch eine Ablehnung: prüfe, was der Server meint",
    "STARTTLS is advertised but refused": "STARTTLS wird angeboten, aber abgelehnt",
    "sent STARTTLS; seen {replies}": "gesendet STARTTLS; gesehen {replies}",
    "the session cannot be protected": "die Sitzung kann nicht geschützt werden",
    "could not look behind STARTTLS": "konnte nicht hinter STARTTLS schauen",
    "sent STARTTLS; seen {replies}; {error}": "gesendet STARTTLS; gesehen {replies}; {error}",
    "the TLS handshake failed here (--cafile or --insecure to look further); the findings"
    " above stand":
        "der TLS-Handshake ist hier gescheitert (--cafile oder --insecure, um weiter zu"
        " schauen); die Befunde oben gelten",
    "sent STARTTLS, EHLO {name} (TLS up); seen {replies}":
        "gesendet STARTTLS, EHLO {name} (TLS steht); gesehen {replies}",
    "AUTH {mechanisms} is advertised only after TLS":
        "AUTH {mechanisms} wird erst nach TLS angeboten",
    "AUTH {mechanisms} is advertised after TLS too":
        "AUTH {mechanisms} wird auch nach TLS angeboten",
    "AUTH is not advertised after TLS either": "AUTH wird auch nach TLS nicht angeboten",
    "what a client is offered once the session is protected":
        "was einem Client angeboten wird, sobald die Sitzung geschützt ist",
    # smtpsh/probes/open_relay.py
    "a relay attempt, outside sender to outside recipient (--from/--to, default .invalid"
    " names), stopped before DATA: an accepted RCPT is an open relay":
        "ein Relay-Versuch, fremder Absender an fremden Empfänger (--from/--to, sonst"
        " .invalid-Namen), vor DATA abgebrochen: ein angenommenes RCPT ist ein offenes Relay",
    " (the default: {address} is in the reserved .invalid TLD, never deliverable)":
        " (der Standard: {address} liegt in der reservierten TLD .invalid, nie zustellbar)",
    "the outside sender is refused: relaying not tested":
        "der fremde Absender wird abgelehnt: Relaying nicht getestet",
    "the server refuses this sender before any recipient; name an outside sender it takes"
    " with --from to test relaying":
        "der Server lehnt diesen Absender vor jedem Empfänger ab; nenne mit --from einen"
        " fremden Absender, den er annimmt, um Relaying zu testen",
    "not tested: the sender was refused": "nicht getestet: der Absender wurde abgelehnt",
    "sent {mail}: {mail_reply}; {rcpt}{named}: {rcpt_reply}; then RSET (no DATA: nothing is"
    " relayed)":
        "gesendet {mail}: {mail_reply}; {rcpt}{named}: {rcpt_reply}; dann RSET (kein DATA:"
        " nichts wird weitergeleitet)",
    "RCPT to an outside recipient is accepted ({code}): an open relay":
        "RCPT an einen fremden Empfänger wird angenommen ({code}): ein offenes Relay",
    "the server takes mail from a stranger for a domain it does not serve; spammers find and"
    " use such servers within hours (unless --to names a domain this server receives mail"
    " for: then the test says nothing)":
        "der Server nimmt von einem Fremden Mail für eine Domain an, die er nicht bedient;"
        " Spammer finden und nutzen solche Server binnen Stunden (außer --to nennt eine"
        " Domain, für die dieser Server Mail empfängt: dann sagt der Test nichts)",
    "the server relays only for its own clients (mynetworks, AUTH); but the reason given is"
    " the domain itself, not relaying: name a real outside recipient with --to to be sure":
        "der Server leitet nur für seine eigenen Clients weiter (mynetworks, AUTH); aber der"
        " genannte Grund ist die Domain selbst, nicht das Relaying: nenne mit --to einen"
        " echten fremden Empfänger, um sicher zu sein",
    "the server relays only for its own clients (mynetworks, AUTH)":
        "der Server leitet nur für seine eigenen Clients weiter (mynetworks, AUTH)",
    "RCPT to an outside recipient is refused ({code})":
        "RCPT an einen fremden Empfänger wird abgelehnt ({code})",
    "RCPT to an outside recipient is refused for now ({code})":
        "RCPT an einen fremden Empfänger wird vorübergehend abgelehnt ({code})",
    "a 4xx (greylisting, a lookup that failed) hides the answer: try again later":
        "eine 4xx (Greylisting, eine gescheiterte Abfrage) verdeckt die Antwort: versuche es"
        " später erneut",
    "an open relay: it relays for strangers": "ein offenes Relay: es leitet für Fremde weiter",
    "no relaying for strangers": "kein Relaying für Fremde",
    "relaying not decided": "Relaying nicht entschieden",
    # smtpsh/probes/vrfy_expn.py
    "VRFY and EXPN of --to (or postmaster): mailboxes and list members disclosed (250/251),"
    " or not (252, 502, 550)":
        "VRFY und EXPN von --to (oder postmaster): Postfächer und Listenmitglieder"
        " preisgegeben (250/251) oder nicht (252, 502, 550)",
    "mailboxes are not disclosed": "Postfächer werden nicht preisgegeben",
    "VRFY or EXPN discloses mailboxes: see above": "VRFY oder EXPN gibt Postfächer preis:"
                                                   " siehe oben",
    "sent {line} (postmaster: every server must have it, so asking reveals nothing new); seen"
    " {replies}":
        "gesendet {line} (postmaster: jeder Server muss es haben, die Frage verrät also"
        " nichts Neues); gesehen {replies}",
    "VRFY discloses a mailbox ({code})": "VRFY gibt ein Postfach preis ({code})",
    "EXPN discloses the members of a list ({code})":
        "EXPN gibt die Mitglieder einer Liste preis ({code})",
    "a stranger learns which addresses exist ({verb} answers with the mailbox): address"
    " harvesting; turn it off (Postfix: disable_vrfy_command = yes) or answer 252":
        "ein Fremder erfährt, welche Adressen es gibt ({verb} antwortet mit dem Postfach):"
        " Adressen-Sammeln; schalte es ab (Postfix: disable_vrfy_command = yes) oder"
        " antworte 252",
    "{verb} is answered {code} without naming a mailbox":
        "{verb} wird mit {code} beantwortet, ohne ein Postfach zu nennen",
    "a yes without the address: it may still confirm that the mailbox exists":
        "ein Ja ohne die Adresse: es bestätigt vielleicht trotzdem, dass es das Postfach gibt",
    "{verb}: 252, cannot verify (will accept and try)":
        "{verb}: 252, kann nicht prüfen (nimmt an und versucht es)",
    "the answer RFC 5321 3.5.3 suggests: it neither confirms nor denies the mailbox":
        "die Antwort, die RFC 5321 3.5.3 vorschlägt: sie bestätigt das Postfach weder, noch"
        " bestreitet sie es",
    "{verb} is not implemented or turned off ({code})":
        "{verb} ist nicht eingebaut oder abgeschaltet ({code})",
    "{verb} discloses nothing here": "{verb} gibt hier nichts preis",
    "{verb} is refused ({code})": "{verb} wird abgelehnt ({code})",
    "{verb} confirms no mailbox (a 550 for an address that does not exist says only that)":
        "{verb} bestätigt kein Postfach (eine 550 für eine Adresse, die es nicht gibt, sagt"
        " nur das)",
    # smtpsh/probes/limits.py
    "a command line over 512 octets, SIZE honoured, 1,000 RCPTs and message lines over 998 and"
    " 1,000 octets: what the server does at each":
        "eine Befehlszeile über 512 Oktette, SIZE eingehalten, 1.000 RCPTs und Zeilen in der"
        " Nachricht über 998 und 1.000 Oktette: was der Server bei jedem tut",
    "{count} RCPTs in one transaction": "{count} RCPTs in einer Transaktion",
    "a message line of {octets} octets": "eine Zeile von {octets} Oktetten in der Nachricht",
    "the limits are kept": "die Grenzen werden eingehalten",
    "what the server does at each limit: see above":
        "was der Server an jeder Grenze tut: siehe oben",
    "sent NOOP and {xs} x ({octets} octets with the CRLF) in one line: {data}...; seen"
    " {replies}":
        "gesendet NOOP und {xs} x ({octets} Oktette mit dem CRLF) in einer Zeile: {data}...;"
        " gesehen {replies}",
    "a command line of {octets} octets is split ({count} replies to one line)":
        "eine Befehlszeile von {octets} Oktetten wird geteilt ({count} Antworten auf eine"
        " Zeile)",
    "the server cut the line and read the rest as another command: what follows the cut is"
    " executed, the lenient parsing injection builds on":
        "der Server hat die Zeile abgeschnitten und den Rest als weiteren Befehl gelesen: was"
        " nach dem Schnitt kommt, wird ausgeführt, das nachsichtige Parsen, auf das Injection"
        " baut",
    "a command line of {octets} octets is accepted":
        "eine Befehlszeile von {octets} Oktetten wird angenommen",
    "over the 512 octets RFC 5321 guarantees, taken as one line: servers SHOULD accept longer"
    " lines where they can":
        "über den 512 Oktetten, die RFC 5321 zusichert, als eine Zeile genommen: Server"
        " SOLLTEN längere Zeilen annehmen, wo sie können",
    "a command line of {octets} octets is refused ({code})":
        "eine Befehlszeile von {octets} Oktetten wird abgelehnt ({code})",
    "the server refuses the over-long line as a whole, and the session goes on":
        "der Server lehnt die überlange Zeile als Ganzes ab, und die Sitzung geht weiter",
    "a command line of {octets} octets closes the connection":
        "eine Befehlszeile von {octets} Oktetten schließt die Verbindung",
    "a reply (500 line too long) would tell the client why":
        "eine Antwort (500 line too long) würde dem Client sagen, warum",
    "no reply to a command line of {octets} octets":
        "keine Antwort auf eine Befehlszeile von {octets} Oktetten",
    "the server may still be reading the line": "der Server liest die Zeile vielleicht noch",
    "SIZE is not advertised with a limit (SIZE {params}: no fixed limit)":
        "SIZE wird nicht mit einer Grenze angeboten (SIZE {params}: keine feste Grenze)",
    "SIZE is not advertised": "SIZE wird nicht angeboten",
    "EHLO keywords: {keywords}": "EHLO-Schlüsselwörter: {keywords}",
    "EHLO keywords: none": "EHLO-Schlüsselwörter: keine",
    "no limit to test: a client may not send SIZE= without the keyword, and a large message is"
    " refused (if at all) only after it was sent":
        "keine Grenze zu testen: ein Client darf SIZE= ohne das Schlüsselwort nicht senden,"
        " und eine große Nachricht wird (wenn überhaupt) erst abgelehnt, nachdem sie gesendet"
        " wurde",
    "EHLO advertised SIZE {limit}; sent {line} (no message follows); seen {replies}":
        "EHLO bot SIZE {limit} an; gesendet {line} (keine Nachricht folgt); gesehen"
        " {replies}",
    "; then RSET: {replies}": "; dann RSET: {replies}",
    "MAIL with SIZE={over} (over the advertised {limit}) is accepted":
        "MAIL mit SIZE={over} (über den angebotenen {limit}) wird angenommen",
    "the server does not honour its own SIZE: a client sends the whole message only to have it"
    " refused at the end (or it is taken over the limit); it must refuse with 552 5.3.4":
        "der Server hält sein eigenes SIZE nicht ein: ein Client sendet die ganze Nachricht,"
        " nur damit sie am Ende abgelehnt wird (oder sie wird über der Grenze genommen); er"
        " muss mit 552 5.3.4 ablehnen",
    "MAIL with SIZE={over} is refused ({code})": "MAIL mit SIZE={over} wird abgelehnt ({code})",
    "the server refuses a message over its limit before it is sent":
        "der Server lehnt eine Nachricht über seiner Grenze ab, bevor sie gesendet wird",
    "the server refuses a message over its limit before it is sent (no enhanced status code:"
    " RFC 3463 names 5.3.4)":
        "der Server lehnt eine Nachricht über seiner Grenze ab, bevor sie gesendet wird (kein"
        " erweiterter Statuscode: RFC 3463 nennt 5.3.4)",
    "refused before the message is sent; RFC 1870 6.1 names 552 (5.3.4) for a message over"
    " the fixed limit":
        "abgelehnt, bevor die Nachricht gesendet wird; RFC 1870 6.1 nennt 552 (5.3.4) für eine"
        " Nachricht über der festen Grenze",
    "MAIL with SIZE={over} is refused only for now ({code})":
        "MAIL mit SIZE={over} wird nur vorübergehend abgelehnt ({code})",
    "a 4xx (452: insufficient storage for now) makes the client try again; over a fixed"
    " limit, RFC 1870 6.1 says 552":
        "eine 4xx (452: im Moment zu wenig Speicher) lässt den Client es erneut versuchen;"
        " über einer festen Grenze sagt RFC 1870 6.1 552",
    "the probe needs MAIL accepted (check --from)":
        "die Prüfung braucht ein angenommenes MAIL (prüfe --from)",
    "sent {mail}, then {rcpt} up to {count} times in groups of {group} (PIPELINING), then RSET"
    " (no DATA); {accepted} accepted":
        "gesendet {mail}, dann {rcpt} bis zu {count}-mal in Gruppen zu {group} (PIPELINING),"
        " dann RSET (kein DATA); {accepted} angenommen",
    "sent {mail}, then {rcpt} up to {count} times one at a time, then RSET (no DATA);"
    " {accepted} accepted":
        "gesendet {mail}, dann {rcpt} bis zu {count}-mal einzeln, dann RSET (kein DATA);"
        " {accepted} angenommen",
    ", then {replies}": ", dann {replies}",
    "all {count} RCPTs are accepted in one transaction":
        "alle {count} RCPTs werden in einer Transaktion angenommen",
    "; the last: {replies}": "; die letzte: {replies}",
    "no recipient limit up to 1,000 (Postfix: smtpd_recipient_limit, 1000 by default); a"
    " spammer can address that many in one message":
        "keine Empfängergrenze bis 1.000 (Postfix: smtpd_recipient_limit, Standard 1000);"
        " ein Spammer kann so viele in einer Nachricht adressieren",
    "the recipient is refused: the limit was not tested":
        "der Empfänger wird abgelehnt: die Grenze wurde nicht getestet",
    "the probe needs --to accepted as a recipient":
        "die Prüfung braucht --to als angenommenen Empfänger",
    "only {count} RCPTs are taken in one transaction":
        "nur {count} RCPTs werden in einer Transaktion angenommen",
    "RFC 5321 4.5.3.1.8: a server MUST take at least {minimum} recipients; below that,"
    " legitimate mail to many recipients is split or lost":
        "RFC 5321 4.5.3.1.8: ein Server MUSS mindestens {minimum} Empfänger annehmen;"
        " darunter wird legitime Mail an viele Empfänger geteilt oder geht verloren",
    "a recipient limit at {count} (then 452)": "eine Empfängergrenze bei {count} (dann 452)",
    "over the limit, 452 (too many recipients) makes the client send the rest in another"
    " transaction, as RFC 5321 4.5.3.1.10 asks":
        "über der Grenze lässt 452 (zu viele Empfänger) den Client den Rest in einer weiteren"
        " Transaktion senden, wie RFC 5321 4.5.3.1.10 es verlangt",
    "a recipient limit at {count} (then {code})":
        "eine Empfängergrenze bei {count} (dann {code})",
    "RFC 5321 4.5.3.1.10 asks for 452 (a 552 there is an old habit: clients should take it as"
    " 452)":
        "RFC 5321 4.5.3.1.10 verlangt 452 (eine 552 dort ist eine alte Gewohnheit: Clients"
        " sollten sie als 452 nehmen)",
    "the connection closed after {count} RCPTs":
        "die Verbindung wurde nach {count} RCPTs geschlossen",
    "a reply (452 too many recipients) would let the client go on":
        "eine Antwort (452 too many recipients) ließe den Client weitermachen",
    "sent a message whose body holds one line of {xs} x ({octets} octets with the CRLF), then"
    " {end}; seen {replies}":
        "gesendet eine Nachricht, deren Body eine Zeile aus {xs} x enthält ({octets} Oktette"
        " mit dem CRLF), dann {end}; gesehen {replies}",
    "a message line of {octets} octets is accepted":
        "eine Zeile von {octets} Oktetten in der Nachricht wird angenommen",
    "over the limit (998 octets of text, 1,000 with the CRLF), taken anyway: what the next hop"
    " gets (the line kept, folded or cut) is not visible from here":
        "über der Grenze (998 Oktette Text, 1.000 mit dem CRLF), trotzdem genommen: was die"
        " nächste Station bekommt (die Zeile behalten, umbrochen oder abgeschnitten), ist von"
        " hier nicht zu sehen",
    "a message line of {octets} octets is refused ({code})":
        "eine Zeile von {octets} Oktetten in der Nachricht wird abgelehnt ({code})",
    "the server refuses text over the line limit (500 line too long is RFC 5321 4.5.3.1.9's"
    " answer)":
        "der Server lehnt Text über der Zeilengrenze ab (500 line too long ist die Antwort aus"
        " RFC 5321 4.5.3.1.9)",
    "a message line of {octets} octets closes the connection":
        "eine Zeile von {octets} Oktetten in der Nachricht schließt die Verbindung",
    "no reply says why": "keine Antwort sagt, warum",
    "no reply to a message with a line of {octets} octets":
        "keine Antwort auf eine Nachricht mit einer Zeile von {octets} Oktetten",
    "the server did not answer the end of data": "der Server hat das Datenende nicht"
                                                  " beantwortet",
}
