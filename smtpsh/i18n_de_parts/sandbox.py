"""German for the sentences of smtpsh's sandbox part (see smtpsh/i18n_de_parts/__init__.py).

The sandbox's replies on the wire stay English, as a real server's do (they are protocol
data); what smtpsh prints around them is here: the banner, the server's view, the client
report card, the scenarios, the fault rules' errors and the guide's reasons for a strict
server's refusals.
"""

CATALOG: dict[str, str] = {
    # smtpsh/app.py: the sandbox's notes there
    "sandbox: serving until Ctrl-C; each client's dialog is shown as the server sees it, and"
    " its report card when it leaves":
        "sandbox: läuft bis Strg-C. Der Dialog jedes Clients wird so gezeigt, wie der Server"
        " ihn sieht, und sein Zeugnis, wenn er geht",
    "sandbox: rule {rule}": "sandbox: Regel {rule}",
    # smtpsh/sandbox.py: the banner, :messages, :show
    "sandbox: strict SMTP server on 127.0.0.1 port {port}; messages are saved in {folder}":
        "sandbox: strenger SMTP-Server auf 127.0.0.1 Port {port}. Nachrichten werden in"
        " {folder} gespeichert",
    "sandbox: lenient SMTP server on 127.0.0.1 port {port}; messages are saved in {folder}":
        "sandbox: nachsichtiger SMTP-Server auf 127.0.0.1 Port {port}. Nachrichten werden in"
        " {folder} gespeichert",
    "sandbox: STARTTLS with a certificate made for this run, for {names}":
        "sandbox: STARTTLS mit einem für diesen Lauf erzeugten Zertifikat, für {names}",
    "sandbox: to trust it: --cafile {cafile} (smtpsh --sandbox does this itself), or skip the"
    " checks with --insecure":
        "sandbox: um ihm zu vertrauen: --cafile {cafile} (smtpsh --sandbox tut das selbst),"
        " oder die Prüfungen mit --insecure auslassen",
    "sandbox: the folder is removed at exit, messages and all: keep it with --sandbox-dir DIR":
        "sandbox: der Ordner wird beim Beenden gelöscht, samt Nachrichten. Behalten mit"
        " --sandbox-dir DIR",
    "sandbox: AUTH PLAIN or LOGIN after STARTTLS, demo credentials: {credentials}":
        "sandbox: AUTH PLAIN oder LOGIN nach STARTTLS, Demo-Zugang: {credentials}",
    "user {user}, password {password}": "Benutzer {user}, Passwort {password}",
    "message {number}: {path}, {size} octets": "Nachricht {number}: {path}, {size} Oktette",
    "Received chain (smtpsh --received):": "Received-Kette (smtpsh --received):",
    "[{count} more lines: {path}]": "[{count} weitere Zeilen: {path}]",
    "no messages yet: the sandbox saves each message it accepts":
        "noch keine Nachrichten: die Sandbox speichert jede Nachricht, die sie annimmt",
    "from|to|subject|size": "von|an|Betreff|Größe",
    # smtpsh/sandbox_smtp.py: the server's view
    "the client did not speak TLS after STARTTLS (it sent something else)":
        "der Client sprach nach STARTTLS kein TLS (er schickte etwas anderes)",
    "the client does not trust the sandbox's certificate: give it the sandbox's CA (smtpsh:"
    " --cafile, as printed above), or let it skip the checks":
        "der Client vertraut dem Zertifikat der Sandbox nicht: gib ihm die CA der Sandbox"
        " (smtpsh: --cafile, wie oben ausgegeben), oder lass ihn die Prüfungen auslassen",
    "no TLS version in common with the client (the sandbox speaks TLS 1.2 and 1.3)":
        "keine gemeinsame TLS-Version mit dem Client (die Sandbox spricht TLS 1.2 und 1.3)",
    "no cipher or TLS version in common with the client":
        "kein gemeinsames Verschlüsselungsverfahren und keine gemeinsame TLS-Version mit dem"
        " Client",
    "the client closed the connection during the handshake":
        "der Client hat die Verbindung während des Handshakes geschlossen",
    "the client did not finish the handshake in time":
        "der Client hat den Handshake nicht rechtzeitig beendet",
    "the client's handshake was not valid TLS": "der Handshake des Clients war kein gültiges TLS",
    "[an AUTH answer, not shown]": "[eine AUTH-Antwort, nicht gezeigt]",
    "client #{number} {peer}: connected": "Client #{number} {peer}: verbunden",
    "client #{number} {peer}: disconnected after {seconds} s":
        "Client #{number} {peer}: nach {seconds} s getrennt",
    "--record-raw: cannot write {path}: {error}":
        "--record-raw: kann {path} nicht schreiben: {error}",
    "QUIT (then closed, not waiting for the 221)":
        "QUIT (dann geschlossen, ohne auf die 221 zu warten)",
    "a retry: {retry}": "eine Wiederholung: {retry}",
    "rule: {rule}": "Regel: {rule}",
    "authenticated as {user}": "angemeldet als {user}",
    "client {peer}: TLS handshake failed: {reason}":
        "Client {peer}: TLS-Handshake fehlgeschlagen: {reason}",
    "client {peer}: {report}": "Client {peer}: {report}",
    "client {peer}: the sandbox failed on it: {error}":
        "Client {peer}: die Sandbox ist an ihm gescheitert: {error}",
    "sandbox: message {n} accepted, {octets} octets, saved as {path}":
        "sandbox: Nachricht {n} angenommen, {octets} Oktette, gespeichert als {path}",
    "sandbox:   envelope from {sender} to {recipients}":
        "sandbox:   Umschlag von {sender} an {recipients}",
    # smtpsh/sandbox_smtp.py: what the record notes, shown on the card
    "{verb} and more before the reply to {verb}": "{verb} und mehr vor der Antwort auf {verb}",
    "a line and more before the reply to it": "eine Zeile und mehr vor der Antwort darauf",
    "commands right after the final dot": "Befehle direkt nach dem abschließenden Punkt",
    "command {n} ({verb})": "Befehl {n} ({verb})",
    "command {n} ({octets} octets)": "Befehl {n} ({octets} Oktette)",
    "message {number} line {n}": "Nachricht {number} Zeile {n}",
    "{where} ({octets} octets)": "{where} ({octets} Oktette)",
    "greeting: {reply}": "Begrüßung: {reply}",
    "the connection: {reply}": "die Verbindung: {reply}",
    "{what}: {reply} on client #{number}, retried {seconds} s later":
        "{what}: {reply} bei Client #{number}, {seconds} s später wiederholt",
    "the connection: {reply} on client #{number}, retried {seconds} s later":
        "die Verbindung: {reply} bei Client #{number}, {seconds} s später wiederholt",
    # smtpsh/sandbox_smtp.py: the client report card
    "smtpsh sandbox: report card of client #{number}":
        "smtpsh-Sandbox: Zeugnis von Client #{number}",
    "client #{number} {peer}": "Client #{number} {peer}",
    "spoke before the greeting": "hat vor der Begrüßung gesprochen",
    "{count} octets before the 220": "{count} Oktette vor der 220",
    "a client waits for the server's 220; spam software famously does not, and servers such"
    " as Postfix's postscreen drop it":
        "ein Client wartet auf die 220 des Servers. Spam-Software tut das bekanntlich nicht,"
        " und Server wie postscreen von Postfix werfen sie hinaus",
    "waited for the greeting": "hat auf die Begrüßung gewartet",
    "never said EHLO or HELO": "hat nie EHLO oder HELO gesagt",
    "the dialog starts with EHLO (or HELO)": "der Dialog beginnt mit EHLO (oder HELO)",
    "greeted with HELO {name}, not EHLO": "hat mit HELO {name} begrüßt, nicht mit EHLO",
    "HELO asks for no extensions: no STARTTLS, SIZE, 8BITMIME, PIPELINING":
        "HELO fragt nach keinen Erweiterungen: kein STARTTLS, SIZE, 8BITMIME, PIPELINING",
    "EHLO {name}: not a fully-qualified domain name":
        "EHLO {name}: kein vollständiger Domainname (FQDN)",
    "EHLO takes the client's FQDN, or an address literal like [192.0.2.1]":
        "EHLO nimmt den FQDN des Clients oder ein Adressliteral wie [192.0.2.1]",
    "greeted with EHLO {name}": "hat mit EHLO {name} begrüßt",
    "used STARTTLS ({tls})": "hat STARTTLS benutzt ({tls})",
    "did not say EHLO again after STARTTLS": "hat nach STARTTLS nicht noch einmal EHLO gesagt",
    "TLS starts the session over: the server forgets the first EHLO":
        "TLS beginnt die Sitzung neu: der Server vergisst das erste EHLO",
    "did not use STARTTLS, though the sandbox offered it":
        "hat STARTTLS nicht benutzt, obwohl die Sandbox es anbot",
    "without it the message and any password cross the network in clear":
        "ohne STARTTLS gehen die Nachricht und jedes Passwort im Klartext durchs Netz",
    "AUTH {mechanism} as {user}": "AUTH {mechanism} als {user}",
    "AUTH {mechanism} (not accepted)": "AUTH {mechanism} (nicht angenommen)",
    "sent lines that do not end in CRLF": "hat Zeilen gesendet, die nicht auf CRLF enden",
    "bare LF: {lf}; bare CR: {cr}": "einzelnes LF: {lf}; einzelnes CR: {cr}",
    "bare LF: {lf}; bare CR: none": "einzelnes LF: {lf}; einzelnes CR: keins",
    "bare LF: none; bare CR: {cr}": "einzelnes LF: keins; einzelnes CR: {cr}",
    "SMTP lines end in CR LF; servers read a bare LF in different ways, which is how SMTP"
    " smuggling works":
        "SMTP-Zeilen enden auf CR LF. Server lesen ein einzelnes LF verschieden, und genau"
        " darauf baut SMTP-Smuggling",
    "every line ended in CRLF": "jede Zeile endete auf CRLF",
    "sent lines longer than SMTP allows": "hat Zeilen gesendet, die länger sind, als SMTP erlaubt",
    "512 octets a command line, 1000 a line of text (CRLF included)":
        "512 Oktette je Befehlszeile, 1000 je Textzeile (mit CRLF)",
    "an address without angle brackets": "eine Adresse ohne spitze Klammern",
    "a space after FROM: or TO:": "ein Leerzeichen nach FROM: oder TO:",
    "the grammar has no space there; Postfix takes it, strict servers do not":
        "die Grammatik hat dort kein Leerzeichen. Postfix nimmt es hin, strenge Server nicht",
    "addresses in angle brackets": "Adressen in spitzen Klammern",
    "8-bit text without BODY=8BITMIME": "8-Bit-Text ohne BODY=8BITMIME",
    "a client declares 8-bit text on MAIL FROM, when the server lists 8BITMIME":
        "ein Client kündigt 8-Bit-Text bei MAIL FROM an, wenn der Server 8BITMIME nennt",
    "a non-ASCII address without SMTPUTF8": "eine Nicht-ASCII-Adresse ohne SMTPUTF8",
    "UTF-8 addresses need the SMTPUTF8 parameter on MAIL FROM":
        "UTF-8-Adressen brauchen den Parameter SMTPUTF8 bei MAIL FROM",
    "a line of text began with a single dot": "eine Textzeile begann mit einem einzelnen Punkt",
    "a client doubles a leading dot; the server removed this one, so the line arrived without"
    " it (or the client meant it)":
        "ein Client verdoppelt einen Punkt am Zeilenanfang. Der Server hat diesen entfernt,"
        " die Zeile kam also ohne ihn an (oder der Client meinte es so)",
    "doubled the leading dot ({count} lines)":
        "hat den Punkt am Zeilenanfang verdoppelt ({count} Zeile(n))",
    "sent commands before the replies (PIPELINING not advertised)":
        "hat Befehle vor den Antworten gesendet (PIPELINING nicht angeboten)",
    "without PIPELINING in the EHLO reply, a client waits for each reply":
        "ohne PIPELINING in der EHLO-Antwort wartet ein Client auf jede Antwort",
    "waited for each reply": "hat auf jede Antwort gewartet",
    "came back after a temporary refusal (4xx)":
        "kam nach einer vorübergehenden Ablehnung (4xx) wieder",
    "a 4xx reply means: keep the message and try again later (greylisting counts on it)":
        "eine 4xx-Antwort heißt: Nachricht behalten und später erneut versuchen (Greylisting"
        " zählt darauf)",
    "got {count} temporary refusal (4xx)":
        "hat {count} vorübergehende Ablehnung bekommen (4xx)",
    "got {count} temporary refusals (4xx)":
        "hat {count} vorübergehende Ablehnungen bekommen (4xx)",
    "a sender keeps the message and tries again later; a retry shows on the card of the"
    " connection that makes it (none seen yet)":
        "ein Absender behält die Nachricht und versucht es später erneut. Eine Wiederholung"
        " steht auf dem Zeugnis der Verbindung, die sie macht (noch keine gesehen)",
    "the sandbox refused {count} commands": "die Sandbox hat {count} Befehl(e) abgelehnt",
    "{count} message accepted": "{count} Nachricht angenommen",
    "{count} messages accepted": "{count} Nachrichten angenommen",
    "ended with QUIT": "hat mit QUIT beendet",
    "closed the connection without QUIT": "hat die Verbindung ohne QUIT geschlossen",
    "a client ends the session with QUIT and waits for the 221":
        "ein Client beendet die Sitzung mit QUIT und wartet auf die 221",
    "good SMTP manners": "gute SMTP-Manieren",
    "{count} thing a strict server refuses": "{count} Sache, die ein strenger Server ablehnt",
    "{count} things a strict server refuses": "{count} Sachen, die ein strenger Server"
                                              " ablehnt",
    "works, with warnings": "funktioniert, mit Warnungen",
    # smtpsh/sandbox_rules.py: the fault rules' errors
    "unknown rule key {key} (known: {known})": "unbekannter Regelschlüssel {key} (bekannt:"
                                               " {known})",
    "stage must be one of {stages} (got {stage})":
        "stage muss eins von {stages} sein (bekommen: {stage})",
    "reply must be one line, a code 2xx-5xx and a text (got {reply})":
        "reply muss eine Zeile sein, ein Code 2xx-5xx und ein Text (bekommen: {reply})",
    "attempts and every take a whole number, delay and greylist a number of seconds":
        "attempts und every nehmen eine ganze Zahl, delay und greylist eine Zahl von Sekunden",
    "attempts must be 0 or more, delay 0 to 600 seconds":
        "attempts muss 0 oder mehr sein, delay 0 bis 600 Sekunden",
    "every must be 0 or more, greylist 0 to 86400 seconds":
        "every muss 0 oder mehr sein, greylist 0 bis 86400 Sekunden",
    "unless takes tls or auth": "unless nimmt tls oder auth",
    "{name} goes with stage=helo": "{name} gehört zu stage=helo",
    "{name} takes EHLO keywords (got {value})":
        "{name} nimmt EHLO-Schlüsselwörter (bekommen: {value})",
    "at stage text the only reply is 421 (then the connection closes)":
        "bei stage text ist die einzige Antwort 421 (dann schließt die Verbindung)",
    "disconnect takes true or false": "disconnect nimmt true oder false",
    "a rule needs a reply, a delay, disconnect=true, hide or advertise":
        "eine Regel braucht reply, delay, disconnect=true, hide oder advertise",
    "cannot read the rule: {error}": "kann die Regel nicht lesen: {error}",
    "write each part as key=value (got {word})":
        "schreib jeden Teil als key=value (bekommen: {word})",
    "cannot read {path}: {reason}": "kann {path} nicht lesen: {reason}",
    "{path} is not valid TOML: {error}": "{path} ist kein gültiges TOML: {error}",
    "{path}: write each rule as a [[rule]] table":
        "{path}: schreib jede Regel als [[rule]]-Tabelle",
    "{path}: rule {n}: {error}": "{path}: Regel {n}: {error}",
    # smtpsh/sandbox_scenarios.py: the classroom scenarios
    "scenario {name}: {text}": "Szenario {name}: {text}",
    "no scenario {name}; --scenario list shows them: {known}":
        "kein Szenario {name}. --scenario list zeigt sie: {known}",
    "the scenario {name} takes no number": "das Szenario {name} nimmt keine Zahl",
    "{name}:{number}: give a number of seconds, 0 to 3600":
        "{name}:{number}: gib eine Zahl von Sekunden an, 0 bis 3600",
    " ({name}:SECS, default {default} s)": " ({name}:SEK, Standard {default} s)",
    "the first attempt is deferred (451 4.7.1), a retry later accepted":
        "der erste Versuch wird aufgeschoben (451 4.7.1), eine spätere Wiederholung"
        " angenommen",
    "Greylisting. The server does not know this sender yet, so it answers the first attempt"
    " of each triplet (client address, sender, recipient) with 451 4.7.1, a temporary"
    ' refusal: "try again later". A real mail server keeps the message in its queue and'
    " tries again after a few minutes; spam software that fires and forgets usually does not"
    " come back. Here a retry of the same triplet is accepted from {n} seconds after the"
    " first attempt, on any later connection. Watch the queue: the message is delayed, not"
    " lost, and the sender is told nothing unless it waits too long.":
        "Greylisting. Der Server kennt diesen Absender noch nicht. Darum beantwortet er den"
        " ersten Versuch jedes Tripels (Client-Adresse, Absender, Empfänger) mit 451 4.7.1,"
        ' einer vorübergehenden Ablehnung: "versuch es später noch einmal". Ein echter'
        " Mailserver behält die Nachricht in seiner Warteschlange und versucht es nach ein"
        " paar Minuten erneut. Spam-Software, die abschickt und vergisst, kommt meist nicht"
        " wieder. Hier wird eine Wiederholung desselben Tripels ab {n} Sekunden nach dem"
        " ersten Versuch angenommen, auf jeder späteren Verbindung. Achte auf die"
        " Warteschlange: die Nachricht ist verzögert, nicht verloren, und der Absender"
        " erfährt nichts, solange er nicht zu lange wartet.",
    "a recipient over quota: 452 at RCPT, 552 after DATA":
        "ein Empfänger über dem Kontingent: 452 bei RCPT, 552 nach DATA",
    "A full mailbox. Mail to full@ any domain gets 452 4.2.2 at RCPT TO: the mailbox is full"
    " for now, so the sender keeps the message and retries, hoping the owner makes room."
    " Mail to quota@ any domain is taken up to the final dot and then refused with 552"
    " 5.2.2: a permanent refusal, so the sender gives up and returns the message to its"
    " author with a bounce that quotes the reply. Other recipients are accepted as usual:"
    " one full mailbox does not stop a message to the others.":
        "Ein volles Postfach. Mail an full@ einer beliebigen Domain bekommt 452 4.2.2 bei"
        " RCPT TO: das Postfach ist im Moment voll. Der Absender behält die Nachricht und"
        " versucht es erneut, in der Hoffnung, dass der Inhaber Platz schafft. Mail an"
        " quota@ einer beliebigen Domain wird bis zum abschließenden Punkt angenommen und"
        " dann mit 552 5.2.2 abgelehnt: eine dauerhafte Ablehnung. Der Absender gibt auf und"
        " schickt die Nachricht mit einer Unzustellbarkeitsnachricht (Bounce), die die"
        " Antwort zitiert, an ihren Verfasser zurück. Andere Empfänger werden wie üblich"
        " angenommen: ein volles Postfach hält eine Nachricht an die anderen nicht auf.",
    "530 5.7.0 to MAIL FROM until STARTTLS": "530 5.7.0 auf MAIL FROM bis STARTTLS",
    "TLS required. The server refuses MAIL FROM with 530 5.7.0 until the client has said"
    " STARTTLS and said EHLO again over the encrypted connection. This is the policy of"
    " submission servers and of MX hosts that insist on encryption. A client that does not"
    " look for STARTTLS in the EHLO reply, or that gives up on encryption when the handshake"
    " fails, cannot send here; one that upgrades first goes through.":
        "TLS verlangt. Der Server lehnt MAIL FROM mit 530 5.7.0 ab, bis der Client STARTTLS"
        " gesagt hat und über die verschlüsselte Verbindung noch einmal EHLO. So halten es"
        " Submission-Server und MX-Hosts, die auf Verschlüsselung bestehen. Ein Client, der"
        " in der EHLO-Antwort nicht nach STARTTLS sucht oder die Verschlüsselung aufgibt,"
        " wenn der Handshake scheitert, kann hier nicht senden. Einer, der zuerst"
        " verschlüsselt, kommt durch.",
    "530 5.7.0 to MAIL FROM until AUTH": "530 5.7.0 auf MAIL FROM bis AUTH",
    "Authentication required. Like a submission server on port 587, the sandbox takes mail"
    " only from authenticated users: MAIL FROM gets 530 5.7.0 until the client has logged in"
    " with AUTH. AUTH itself is offered only after STARTTLS, so that the password never"
    " crosses the network in clear: the order is EHLO, STARTTLS, EHLO, AUTH, then MAIL FROM."
    " The demo user and password are printed above.":
        "Anmeldung verlangt. Wie ein Submission-Server auf Port 587 nimmt die Sandbox Mail"
        " nur von angemeldeten Benutzern an: MAIL FROM bekommt 530 5.7.0, bis sich der"
        " Client mit AUTH angemeldet hat. AUTH selbst wird erst nach STARTTLS angeboten,"
        " damit das Passwort nie im Klartext durchs Netz geht. Die Reihenfolge ist EHLO,"
        " STARTTLS, EHLO, AUTH, dann MAIL FROM. Demo-Benutzer und Passwort stehen oben.",
    "the 220 greeting comes after a pause": "die Begrüßung 220 kommt nach einer Pause",
    "A slow greeting. The server waits {n} seconds before its 220 greeting, as busy servers"
    " do, and as anti-spam front ends such as Postfix's postscreen do on purpose: a client"
    " must wait for the greeting before it speaks (RFC 5321 allows the server 5 minutes)."
    " Spam software that talks first, or a client with a short timeout, gives itself away; a"
    " patient client sees the greeting and carries on as usual.":
        "Eine langsame Begrüßung. Der Server wartet {n} Sekunden vor seiner Begrüßung 220,"
        " wie es ausgelastete Server tun und Anti-Spam-Vorposten wie postscreen von Postfix"
        " mit Absicht: ein Client muss auf die Begrüßung warten, bevor er spricht (RFC 5321"
        " gibt dem Server 5 Minuten). Spam-Software, die zuerst redet, oder ein Client mit"
        " kurzem Timeout verrät sich. Ein geduldiger Client sieht die Begrüßung und macht"
        " wie gewohnt weiter.",
    "421 and close on every other connection": "421 und Schluss bei jeder zweiten Verbindung",
    "A flaky server. Every other connection is answered with 421 4.3.2 and closed at once,"
    " as a server does when it is overloaded or shutting down. 421 is temporary: a good"
    " sender keeps the message and tries again later, on a new connection, and that one is"
    " served normally. An application that treats the first failure as final loses mail.":
        "Ein unzuverlässiger Server. Jede zweite Verbindung bekommt 421 4.3.2 und wird sofort"
        " geschlossen, wie bei einem Server, der überlastet ist oder herunterfährt. 421 ist"
        " vorübergehend: ein guter Absender behält die Nachricht und versucht es später"
        " erneut, auf einer neuen Verbindung, und die wird normal bedient. Eine Anwendung,"
        " die den ersten Fehlschlag für endgültig hält, verliert Mail.",
    "STARTTLS hidden from the EHLO reply and refused":
        "STARTTLS in der EHLO-Antwort versteckt und abgelehnt",
    "No encryption on offer. The server leaves STARTTLS out of its EHLO reply and refuses it"
    " with 454 4.7.0 if asked anyway, as an old server, or a man in the middle that strips"
    " STARTTLS, would. Opportunistic senders go on in clear text; a sender that requires TLS"
    " (MTA-STS, DANE, smtp_tls_security_level = encrypt) keeps the message and reports the"
    " failure. Which one is your client?":
        "Keine Verschlüsselung im Angebot. Der Server lässt STARTTLS in seiner EHLO-Antwort"
        " weg und lehnt es mit 454 4.7.0 ab, wenn trotzdem danach gefragt wird. So täte es"
        " ein alter Server oder ein Angreifer in der Mitte, der STARTTLS entfernt."
        " Opportunistische Absender machen im Klartext weiter. Ein Absender, der TLS verlangt"
        " (MTA-STS, DANE, smtp_tls_security_level = encrypt), behält die Nachricht und meldet"
        " den Fehlschlag. Welcher ist dein Client?",
    "the connection drops in the middle of DATA, once":
        "die Verbindung bricht mitten in DATA ab, einmal",
    "A dropped connection. The first time a client sends a message from a sender to a set of"
    " recipients, the server drops the connection in the middle of the message text, without"
    " a reply. The message was not accepted: no 250 came after the final dot, so a sender"
    " must keep it and try again. A retry of the same message is accepted. A sender that"
    " counts a message as sent before the 250 loses it.":
        "Eine abgebrochene Verbindung. Wenn ein Client zum ersten Mal eine Nachricht von"
        " einem Absender an bestimmte Empfänger sendet, bricht der Server die Verbindung"
        " mitten im Text der Nachricht ab, ohne Antwort. Die Nachricht wurde nicht"
        " angenommen: nach dem abschließenden Punkt kam keine 250. Ein Absender muss sie also"
        " behalten und es erneut versuchen. Eine Wiederholung derselben Nachricht wird"
        " angenommen. Ein Absender, der eine Nachricht schon vor der 250 als gesendet zählt,"
        " verliert sie.",
    # smtpsh/guide_strict.py: the guide's reasons for a strict server's refusals
    "the line had a bare {bare}: SMTP lines end in CR LF (RFC 5321 2.3.8), and a strict"
    " server refuses anything else (smtpsh sends CR LF: this came from a program or a"
    " paste)":
        "die Zeile hatte ein einzelnes {bare}: SMTP-Zeilen enden auf CR LF (RFC 5321 2.3.8),"
        " und ein strenger Server lehnt alles andere ab (smtpsh sendet CR LF: das kam von"
        " einem Programm oder aus einem Einfügen)",
    "a mail transaction is open already: one MAIL FROM per transaction; finish it with DATA,"
    " or end it with RSET, before another":
        "eine Mail-Transaktion ist schon offen: ein MAIL FROM pro Transaktion. Schließe sie"
        " mit DATA ab oder beende sie mit RSET, bevor eine neue beginnt",
    "the address <{address}> has non-ASCII characters: they need SMTPUTF8 on MAIL FROM"
    " (MAIL FROM:<...> SMTPUTF8, when the server lists it; RFC 6531 3.4), or an ASCII"
    " address":
        "die Adresse <{address}> hat Nicht-ASCII-Zeichen: die brauchen SMTPUTF8 bei MAIL FROM"
        " (MAIL FROM:<...> SMTPUTF8, wenn der Server es nennt; RFC 6531 3.4), oder nimm eine"
        " ASCII-Adresse",
    "the server takes no more transactions in this session (see LIMITS MAILMAX in its EHLO"
    " reply, RFC 9422): QUIT and connect again":
        "der Server nimmt in dieser Sitzung keine Transaktionen mehr an (siehe LIMITS MAILMAX"
        " in seiner EHLO-Antwort, RFC 9422): QUIT und neu verbinden",
    "the server takes no more recipients for this message (see LIMITS RCPTMAX in its EHLO"
    " reply, RFC 9422): send it, then the rest in a new transaction":
        "der Server nimmt für diese Nachricht keine Empfänger mehr an (siehe LIMITS RCPTMAX in"
        " seiner EHLO-Antwort, RFC 9422): sende sie, dann den Rest in einer neuen"
        " Transaktion",
    "the server refused the message{who}: a line in it has a bare {bare} where SMTP wants CR"
    " LF (RFC 5321 2.3.8); send the text with CR LF line ends":
        "der Server hat die Nachricht{who} abgelehnt: eine Zeile darin hat ein einzelnes"
        " {bare}, wo SMTP CR LF will (RFC 5321 2.3.8). Sende den Text mit CR LF als"
        " Zeilenende",
    "the server refused the message{who}: it has 8-bit characters (UTF-8 letters, say) but"
    " MAIL FROM did not declare them: add BODY=8BITMIME to MAIL FROM when the server lists"
    " 8BITMIME (RFC 6152 3), or encode the text (quoted-printable, base64)":
        "der Server hat die Nachricht{who} abgelehnt: sie hat 8-Bit-Zeichen (etwa"
        " UTF-8-Buchstaben), aber MAIL FROM hat sie nicht angekündigt. Hänge BODY=8BITMIME an"
        " MAIL FROM an, wenn der Server 8BITMIME nennt (RFC 6152 3), oder kodiere den Text"
        " (quoted-printable, base64)",
}
