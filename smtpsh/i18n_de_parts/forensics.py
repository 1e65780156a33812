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
}
