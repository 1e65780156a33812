"""German for the sentences of smtpsh's check part (see smtpsh/i18n_de_parts/__init__.py)."""

CATALOG: dict[str, str] = {
    # smtpsh/check/__init__.py
    "(checked in {seconds} s)": "(geprüft in {seconds} s)",
    # smtpsh/check/card.py: the run, the verdict lines of each MX and of the domain
    "unreachable": "nicht erreichbar",
    "takes mail without TLS": "nimmt Mail ohne TLS an",
    "refuses EHLO": "lehnt EHLO ab",
    "takes mail over {version} (verified certificate)":
        "nimmt Mail über {version} an (Zertifikat geprüft)",
    "takes mail over {version} (unverified certificate)":
        "nimmt Mail über {version} an (Zertifikat nicht geprüft)",
    "mail for {domain}: {facts}": "Mail für {domain}: {facts}",
    "DNS {domain} (asked {server})": "DNS {domain} (gefragt: {server})",
    "{domain}: {outcome}: {reason}": "{domain}: {outcome}: {reason}",
    "MTA-STS not checked": "MTA-STS nicht geprüft",
    "unfinished": "nicht fertig geworden",
    "{count} of {total} MX address answers": "{count} von {total} MX-Adresse antwortet",
    "{count} of {total} MX addresses answer": "{count} von {total} MX-Adressen antworten",
    "{count} with verified TLS": "{count} mit geprüftem TLS",
    "mail for {domain} would be deferred: no MX answers":
        "Mail für {domain} würde zurückgestellt: kein MX antwortet",
    "not checked": "nicht geprüft",
    " and ": " und ",
    "every MX host matches an mx pattern": "jeder MX-Host passt zu einem mx-Muster",
    "a sender finds no usable policy: {rule} failed":
        "ein Absender findet keine brauchbare Policy: {rule} gescheitert",
    "DANE: would deliver to {deliver}, defer at {defer}":
        "DANE: würde an {deliver} zustellen, bei {defer} zurückstellen",
    "what did not finish is shown as not checked":
        "was nicht fertig wurde, steht als nicht geprüft da",
    "MX RRset": "MX-RRset",
    "address records": "Adresseinträge",
    "policy mode {mode}": "Policy-Modus {mode}",
    "DNS gave no answer within --timeout {seconds} s":
        "DNS hat innerhalb von --timeout {seconds} s nicht geantwortet",
    "the certificate is not valid ({why})": "das Zertifikat ist nicht gültig ({why})",
    "MTA-STS fails at {rule}": "MTA-STS scheitert an: {rule}",
    "no mx pattern matches {hosts}": "kein mx-Muster passt zu {hosts}",
    "not finished within --timeout {seconds} s":
        "innerhalb von --timeout {seconds} s nicht fertig geworden",
    "{count} of {total} parts unfinished": "{count} von {total} Teilen nicht fertig",
    # smtpsh/check/dane.py
    "a DANE-enforcing sender would defer ({why})":
        "ein Absender, der DANE durchsetzt, würde zurückstellen ({why})",
    "a DANE-enforcing sender would deliver": "ein Absender, der DANE durchsetzt, würde zustellen",
    "matches no issuer certificate in the chain the server sent":
        "passt zu keinem Aussteller-Zertifikat in der Kette, die der Server geschickt hat",
    "PKIX-TA/PKIX-EE records are unusable in SMTP (RFC 7672 3.1.3)":
        "PKIX-TA-/PKIX-EE-Einträge sind in SMTP unbrauchbar (RFC 7672 3.1.3)",
    "unknown usage, selector or matching type: unusable":
        "unbekannte Verwendung, unbekannter Selektor oder Abgleichtyp: unbrauchbar",
    "no certificate to match": "kein Zertifikat zum Abgleichen",
    "does not match the server's certificate": "passt nicht zum Zertifikat des Servers",
    "DANE does not apply (TLSA not validated): a DANE sender uses opportunistic TLS":
        "DANE greift nicht (TLSA nicht validiert): ein DANE-Absender nutzt opportunistisches TLS",
    "expired on {date}": "abgelaufen am {date}",
    "not valid before {date}": "nicht gültig vor {date}",
    "matches the server's certificate (DANE-EE: no name or date check)":
        "passt zum Zertifikat des Servers (DANE-EE: keine Prüfung von Name oder Datum)",
    "TLSA lookup failed": "TLSA-Abfrage gescheitert",
    "a validating resolver answers SERVFAIL for bogus (forged or broken) signatures; a DANE"
    " sender defers":
        "ein validierender Resolver antwortet mit SERVFAIL auf ungültige (gefälschte oder"
        " kaputte) Signaturen; ein DANE-Absender stellt zurück",
    "no TLSA records": "keine TLSA-Einträge",
    "DANE does not apply to this MX": "DANE greift für diesen MX nicht",
    "a DANE sender uses TLSA records only when DNSSEC proves them; these are ignored":
        "ein DANE-Absender nutzt TLSA-Einträge nur, wenn DNSSEC sie belegt; diese werden"
        " ignoriert",
    "a DANE sender applies TLSA records only when the MX RRset and the host's addresses are"
    " validated too: here it does not":
        "ein DANE-Absender wendet TLSA-Einträge nur an, wenn auch das MX-RRset und die"
        " Adressen des Hosts validiert sind: hier nicht",
    "no TLSA record matches": "kein TLSA-Eintrag passt",
    "matches chain certificate {index} as trust anchor; the chain verifies up to it, is within"
    " its dates and the certificate covers {host}":
        "passt zu Zertifikat {index} der Kette als Vertrauensanker; die Kette ist bis dorthin"
        " gültig signiert, in ihrem Gültigkeitszeitraum, und das Zertifikat deckt {host} ab",
    "DANE does not apply ({why})": "DANE greift nicht ({why})",
    "DANE does not apply ({what} not validated): opportunistic TLS":
        "DANE greift nicht ({what} nicht validiert): opportunistisches TLS",
    "no usable TLSA record": "kein brauchbarer TLSA-Eintrag",
    "no STARTTLS": "kein STARTTLS",
    "no TLS handshake": "kein TLS-Handshake",
    "matches chain certificate {index}, but the chain below it does not verify":
        "passt zu Zertifikat {index} der Kette, aber die Kette darunter ist nicht gültig"
        " signiert",
    "matches trust anchor {index}, but the certificate does not cover {host}":
        "passt zu Vertrauensanker {index}, aber das Zertifikat deckt {host} nicht ab",
    "unreadable TLSA record": "unlesbarer TLSA-Eintrag",
    "{count} TLSA record, not DNSSEC-validated":
        "{count} TLSA-Eintrag, nicht per DNSSEC validiert",
    "{count} TLSA records, not DNSSEC-validated":
        "{count} TLSA-Einträge, nicht per DNSSEC validiert",
    "{count} TLSA record, DNSSEC-validated": "{count} TLSA-Eintrag, per DNSSEC validiert",
    "{count} TLSA records, DNSSEC-validated": "{count} TLSA-Einträge, per DNSSEC validiert",
    "{what} not DNSSEC-validated": "{what} nicht per DNSSEC validiert",
    "the TLSA records are validated, the {what} not":
        "die TLSA-Einträge sind validiert, {what} nicht",
    "matches trust anchor {index}, but {subject} below it is not valid now ({problem})":
        "passt zu Vertrauensanker {index}, aber {subject} darunter ist jetzt nicht gültig"
        " ({problem})",
    # smtpsh/check/dns.py
    "DNSSEC-validated (AD bit set)": "per DNSSEC validiert (AD-Bit gesetzt)",
    "no PTR name resolves back to the address":
        "kein PTR-Name löst wieder auf die Adresse auf",
    "names agree": "Namen stimmen überein",
    "not validated (no AD bit from {server}): the zone is unsigned, or the resolver does not"
    " validate DNSSEC":
        "nicht validiert (kein AD-Bit von {server}): die Zone ist nicht signiert, oder der"
        " Resolver validiert DNSSEC nicht",
    "PTR record": "PTR-Eintrag",
    "the banner names another host": "das Banner nennt einen anderen Host",
    "the PTR names another host": "der PTR nennt einen anderen Host",
    "the certificate does not cover the banner name":
        "das Zertifikat deckt den Namen im Banner nicht ab",
    "NOT validated: signatures came but no AD bit, so {server} does not validate DNSSEC (or"
    " has no trust anchor for the zone)":
        "NICHT validiert: Signaturen kamen, aber kein AD-Bit, also validiert {server} DNSSEC"
        " nicht (oder hat keinen Vertrauensanker für die Zone)",
    "null MX: the domain accepts no mail": "Null-MX: die Domain nimmt keine Mail an",
    "senders bounce at once rather than queue":
        "Absender weisen die Mail sofort zurück, statt sie in die Warteschlange zu stellen",
    "no server can be tried": "kein Server kann versucht werden",
    "no MX records: implicit MX": "keine MX-Einträge: impliziter MX",
    "the domain's own address takes the mail; an MX record says so explicitly":
        "die Adresse der Domain selbst nimmt die Mail an; ein MX-Eintrag sagt das ausdrücklich",
    "no PTR record": "kein PTR-Eintrag",
    "many receivers distrust hosts without reverse DNS, and a missing PTR hints at a"
    " misconfigured host":
        "viele Empfänger misstrauen Hosts ohne Reverse-DNS, und ein fehlender PTR deutet auf"
        " einen falsch eingerichteten Host",
    "forward-confirmed reverse DNS": "vorwärts bestätigtes Reverse-DNS",
    "reverse DNS not forward-confirmed": "Reverse-DNS nicht vorwärts bestätigt",
    "FCrDNS is what receivers check; a mismatch looks forged":
        "Empfänger prüfen FCrDNS; eine Abweichung sieht gefälscht aus",
    "banner {name}": "Banner {name}",
    "names differ: {what}": "Namen weichen ab: {what}",
    "consistent names make the host easy to verify and to trust":
        "stimmige Namen machen den Host leicht prüfbar und vertrauenswürdig",
    "this MX cannot be reached": "dieser MX ist nicht erreichbar",
    "certificate {names}": "Zertifikat {names}",
    "mail would bounce": "die Mail würde zurückgewiesen",
    "mail would be deferred": "die Mail würde zurückgestellt",
    "{count} MX host": "{count} MX-Host",
    "{count} MX hosts": "{count} MX-Hosts",
    "some MTAs refuse or mishandle it": "manche MTAs lehnen das ab oder behandeln es falsch",
    "{name} resolves back to {address}": "{name} löst wieder auf {address} auf",
    "{name} has no {type} records": "{name} hat keine {type}-Einträge",
    "{host}: address records": "{host}: Adresseinträge",
    "{host}: no usable address": "{host}: keine brauchbare Adresse",
    "{name} does not exist (NXDOMAIN)": "{name} existiert nicht (NXDOMAIN)",
    "{name} {type}: {rcode} from {server}": "{name} {type}: {rcode} von {server}",
    "{name} {type}: no answer within {seconds}s": "{name} {type}: keine Antwort in {seconds}s",
    "{host}: MX target is an alias": "{host}: das MX-Ziel ist ein Alias",
    "the DNS server {server} refused the query (nothing listens there)":
        "der DNS-Server {server} hat die Anfrage abgewiesen (dort lauscht nichts)",
    # smtpsh/check/mtasts.py
    "an MTA-STS-enforcing sender would not deliver to {host}: it matches no mx pattern"
    " ({patterns}; RFC 8461 4.1)":
        "ein Absender, der MTA-STS durchsetzt, würde nicht an {host} zustellen: es passt zu"
        " keinem mx-Muster ({patterns}; RFC 8461 4.1)",
    "an MTA-STS-enforcing sender would not deliver to {host}: {why} (RFC 8461 4.2)":
        "ein Absender, der MTA-STS durchsetzt, würde nicht an {host} zustellen: {why}"
        " (RFC 8461 4.2)",
    "in testing mode a sender reports, then delivers; enforced, it would not deliver to"
    " {host}: it matches no mx pattern ({patterns}; RFC 8461 4.1)":
        "im Modus testing meldet ein Absender und stellt dann zu; durchgesetzt würde er nicht"
        " an {host} zustellen: es passt zu keinem mx-Muster ({patterns}; RFC 8461 4.1)",
    "in testing mode a sender reports, then delivers; enforced, it would not deliver to"
    " {host}: {why} (RFC 8461 4.2)":
        "im Modus testing meldet ein Absender und stellt dann zu; durchgesetzt würde er nicht"
        " an {host} zustellen: {why} (RFC 8461 4.2)",
    "an MTA-STS-enforcing sender would deliver to {host}":
        "ein Absender, der MTA-STS durchsetzt, würde an {host} zustellen",
    "the record must start with v=STSv1;": "der Eintrag muss mit v=STSv1; beginnen",
    "no valid max_age": "kein gültiges max_age",
    "no mx pattern": "kein mx-Muster",
    "MTA-STS record": "MTA-STS-Eintrag",
    "policy fetched over HTTPS": "Policy über HTTPS geholt",
    "MTA-STS mode none: no requirement": "MTA-STS-Modus none: keine Anforderung",
    "MTA-STS TXT lookup failed": "MTA-STS-TXT-Abfrage gescheitert",
    "no MTA-STS record": "kein MTA-STS-Eintrag",
    "senders do not require TLS for this domain (unless DANE)":
        "Absender verlangen für diese Domain kein TLS (außer mit DANE)",
    "invalid MTA-STS record": "ungültiger MTA-STS-Eintrag",
    "senders take the domain as having no policy":
        "Absender behandeln die Domain, als hätte sie keine Policy",
    "{host} has no address": "{host} hat keine Adresse",
    "the policy cannot be fetched": "die Policy kann nicht geholt werden",
    "policy fetch failed": "Holen der Policy gescheitert",
    "senders keep a cached policy, or none":
        "Absender behalten eine zwischengespeicherte Policy, oder keine",
    "invalid policy": "ungültige Policy",
    "senders ignore an invalid policy": "Absender ignorieren eine ungültige Policy",
    "testing: failures are only reported (TLS-RPT); none: no policy":
        "testing: Fehler werden nur gemeldet (TLS-RPT); none: keine Policy",
    "{count} records start with v=STSv1; exactly one is allowed":
        "{count} Einträge beginnen mit v=STSv1; genau einer ist erlaubt",
    "id={id!r}: 1 to 32 letters and digits are required":
        "id={id!r}: 1 bis 32 Buchstaben und Ziffern sind verlangt",
    "version is {version!r}, not STSv1": "version ist {version!r}, nicht STSv1",
    "mode is {mode!r}: enforce, testing or none": "mode ist {mode!r}: enforce, testing oder none",
    "{where}: 200 {type}, {size} octets": "{where}: 200 {type}, {size} Oktette",
    "bad field {field!r}": "fehlerhaftes Feld {field!r}",
    "line {number} is not 'key: value': {line!r}":
        "Zeile {number} ist nicht 'key: value': {line!r}",
    "line {number}: {key} given twice": "Zeile {number}: {key} doppelt angegeben",
    "max_age {value} is over {limit} (one year)": "max_age {value} ist über {limit} (ein Jahr)",
    "TXT record ({problem})": "TXT-Eintrag ({problem})",
    "policy fetch ({problem})": "Holen der Policy ({problem})",
    "Content-Type {type}, not text/plain": "Content-Type {type}, nicht text/plain",
    "policy syntax ({problem})": "Syntax der Policy ({problem})",
    "line {number}: bad mx pattern {value!r}": "Zeile {number}: fehlerhaftes mx-Muster {value!r}",
    "cannot use --cafile {file}: {error}": "--cafile {file} nicht nutzbar: {error}",
    "certificate not valid for {host}: {why}": "Zertifikat nicht gültig für {host}: {why}",
    "no v=STSv1 TXT record": "kein TXT-Eintrag v=STSv1",
    " redirect to {location} (redirects are not followed)":
        " Umleitung nach {location} (Umleitungen wird nicht gefolgt)",
    "(none)": "(keiner)",
    "the policy is over {size} octets": "die Policy ist über {size} Oktette groß",
    "; ignored fields: {fields}": "; ignorierte Felder: {fields}",
    "line {number}: max_age {value!r} is not 1-10 digits":
        "Zeile {number}: max_age {value!r} hat nicht 1 bis 10 Ziffern",
    # smtpsh/check/smtp.py
    "the largest message the server takes, said up front":
        "die größte Nachricht, die der Server annimmt, im Voraus gesagt",
    "senders save round trips": "Absender sparen Umläufe",
    "BDAT: message data without dot-stuffing": "BDAT: Nachrichtendaten ohne Punkt-Verdopplung",
    "internationalised addresses": "internationalisierte Adressen",
    "senders can require TLS on every hop": "Absender können TLS auf jeder Etappe verlangen",
    "the server's limits on recipients and transactions":
        "die Grenzen des Servers für Empfänger und Transaktionen",
    "no EHLO": "kein EHLO",
    "STARTTLS not offered": "STARTTLS nicht angeboten",
    "no SMTP connection": "keine SMTP-Verbindung",
    "senders try the next MX, or defer":
        "Absender versuchen den nächsten MX oder stellen zurück",
    "the server turns senders away": "der Server weist Absender ab",
    "senders wait 5 minutes at most, but slow greetings delay mail":
        "Absender warten höchstens 5 Minuten, aber eine langsame Begrüßung verzögert Mail",
    "legal, but old clients read only the first line":
        "erlaubt, aber alte Clients lesen nur die erste Zeile",
    "EHLO refused": "EHLO abgelehnt",
    "no extensions: no STARTTLS": "keine Erweiterungen: kein STARTTLS",
    "AUTH offered before TLS": "AUTH vor TLS angeboten",
    "passwords may be sent in clear text": "Passwörter gehen womöglich im Klartext",
    "greeted with {code}": "begrüßt mit {code}",
    "EHLO answered {code}": "EHLO beantwortet mit {code}",
    "STARTTLS answered {reply}": "STARTTLS beantwortet mit {reply}",
    "STARTTLS was not accepted: {reply}": "STARTTLS wurde nicht angenommen: {reply}",
    "sent {probe} in one segment; the NOOP was answered in clear text after the 220:"
    " {reply!r}":
        "{probe} in einem Segment gesendet; das NOOP wurde nach der 220 im Klartext"
        " beantwortet: {reply!r}",
    "sent {probe} in one segment; after the handshake the server answered the NOOP before"
    " QUIT: {reply!r}":
        "{probe} in einem Segment gesendet; nach dem Handshake hat der Server das NOOP vor"
        " QUIT beantwortet: {reply!r}",
    "sent {probe} in one segment; the only reply after the handshake was {reply!r}, not 221"
    " to QUIT: inconclusive":
        "{probe} in einem Segment gesendet; die einzige Antwort nach dem Handshake war"
        " {reply!r}, nicht 221 auf QUIT: nicht eindeutig",
    "sent {probe} in one segment; after the handshake the first reply was the 221 to QUIT:"
    " the NOOP was discarded":
        "{probe} in einem Segment gesendet; nach dem Handshake war die erste Antwort die 221"
        " auf QUIT: das NOOP wurde verworfen",
    "sent {probe} in one segment; the server closed without a reply to QUIT":
        "{probe} in einem Segment gesendet; der Server hat ohne Antwort auf QUIT geschlossen",
    "sent {probe} in one segment; no reply to QUIT after the handshake within --timeout":
        "{probe} in einem Segment gesendet; nach dem Handshake keine Antwort auf QUIT"
        " innerhalb von --timeout",
    "greeting {code} after {seconds} s": "Begrüßung {code} nach {seconds} s",
    "greeting {code}": "Begrüßung {code}",
    "multi-line greeting ({count} lines)": "mehrzeilige Begrüßung ({count} Zeilen)",
    "MAIL FROM accepted before STARTTLS (then RSET)":
        "MAIL FROM vor STARTTLS angenommen (danach RSET)",
    "MAIL FROM refused before STARTTLS": "MAIL FROM vor STARTTLS abgelehnt",
    "no reply": "keine Antwort",
    "submission must require TLS first": "Submission muss zuerst TLS verlangen",
    "usual on port 25: TLS is opportunistic between MTAs":
        "üblich auf Port 25: zwischen MTAs ist TLS opportunistisch",
    "internal error: {error}": "interner Fehler: {error}",
    "the probe failed: {error}": "die Probe ist gescheitert: {error}",
    "{error} (clear text after the 220, sent later than the probe waited for it, would also"
    " do this)":
        "{error} (Klartext nach der 220, später gesendet, als die Probe darauf gewartet hat,"
        " würde das auch bewirken)",
    "{keyword} advertised": "{keyword} angeboten",
    "{keyword} not advertised": "{keyword} nicht angeboten",
    # smtpsh/check/tls.py
    "STARTTLS offered": "STARTTLS angeboten",
    "no STARTTLS in the EHLO reply": "kein STARTTLS in der Antwort auf EHLO",
    "mail to this host travels in clear text": "Mail an diesen Host geht im Klartext",
    "TLS handshake failed": "TLS-Handshake gescheitert",
    "senders fall back to clear text or defer":
        "Absender fallen auf Klartext zurück oder stellen zurück",
    "certificate not verified": "Zertifikat nicht geprüft",
    "a sender that verifies (MTA-STS, DANE-TA) will not deliver":
        "ein Absender, der prüft (MTA-STS, DANE-TA), stellt nicht zu",
    "certificate chain verified": "Zertifikatskette geprüft",
    "certificate covers the MX name": "das Zertifikat deckt den MX-Namen ab",
    "certificate does not cover the MX name": "das Zertifikat deckt den MX-Namen nicht ab",
    "MTA-STS and DANE-TA senders check the MX name and will not deliver":
        "Absender mit MTA-STS und DANE-TA prüfen den MX-Namen und stellen nicht zu",
    "verifying senders will not deliver": "prüfende Absender stellen nicht zu",
    "STARTTLS injection probe not run": "STARTTLS-Injection-Probe nicht gelaufen",
    "TLS 1.2 or 1.3 is expected": "TLS 1.2 oder 1.3 wird erwartet",
    "TLS 1.0 and 1.1 are deprecated": "TLS 1.0 und 1.1 sind veraltet",
    "chain of {count} certificate": "Kette aus {count} Zertifikat",
    "chain of {count} certificates": "Kette aus {count} Zertifikaten",
    "STARTTLS command injection: a command sent in clear text before the handshake was"
    " answered":
        "STARTTLS-Command-Injection: ein vor dem Handshake im Klartext gesendeter Befehl wurde"
        " beantwortet",
    "a man in the middle can inject commands that run inside the TLS session":
        "ein Angreifer dazwischen kann Befehle einschleusen, die in der TLS-Sitzung laufen",
    "not vulnerable to STARTTLS command injection":
        "nicht anfällig für STARTTLS-Command-Injection",
    "negotiated {version}": "ausgehandelt: {version}",
    "cipher {cipher}": "Cipher {cipher}",
    "verified for {host}": "geprüft für {host}",
    "{host} in {names}": "{host} in {names}",
    "{host} not in {names}": "{host} nicht in {names}",
    "certificate expired {days} days ago": "Zertifikat vor {days} Tagen abgelaufen",
    "not after {date}": "nicht nach {date}",
    "{version} accepted": "{version} angenommen",
    "{version} refused": "{version} abgelehnt",
    "a handshake limited to {version} succeeded":
        "ein auf {version} beschränkter Handshake ist gelungen",
    "a handshake limited to {version} failed":
        "ein auf {version} beschränkter Handshake ist gescheitert",
    "certificate expires in {days} days": "Zertifikat läuft in {days} Tagen ab",
    "under {days} days: renew": "unter {days} Tagen: erneuern",
    "certificate valid for {days} more days": "Zertifikat noch {days} Tage gültig",
    "{subject} (issuer {issuer})": "{subject} (Aussteller {issuer})",
    # smtpsh/check/tlsrpt.py
    "TLS-RPT lookup failed": "TLS-RPT-Abfrage gescheitert",
    "no TLS-RPT record": "kein TLS-RPT-Eintrag",
    "senders cannot report TLS failures to the domain":
        "Absender können der Domain keine TLS-Fehler melden",
    "more than one TLS-RPT record": "mehr als ein TLS-RPT-Eintrag",
    "senders use none of them": "Absender nutzen keinen davon",
    "invalid TLS-RPT record": "ungültiger TLS-RPT-Eintrag",
    "it must start with v=TLSRPTv1;": "er muss mit v=TLSRPTv1; beginnen",
    "TLS-RPT record without a usable rua": "TLS-RPT-Eintrag ohne brauchbares rua",
    "rua= takes mailto: and https: URIs, comma-separated":
        "rua= nimmt mailto:- und https:-URIs, durch Kommas getrennt",
    "TLS-RPT reports go to {addresses}": "TLS-RPT-Berichte gehen an {addresses}",
    "no v=TLSRPTv1 TXT record": "kein TXT-Eintrag v=TLSRPTv1",
}
