"""--check, SMTP TLS Reporting (RFC 8460): one v=TLSRPTv1 record at _smtp._tls.<domain>,
with rua= mailto: or https: addresses."""

from __future__ import annotations

from smtpsh.check.dns import Answer
from smtpsh.findings import Finding, Section, Verdict

RFC = "RFC 8460 3"


def check(domain: str, txt: Answer, section: Section) -> None:
    name = f"_smtp._tls.{domain}"
    if txt.status == "tempfail":
        section.add(Finding("tlsrpt.txt", Verdict.WARN, "TLS-RPT lookup failed", txt.message,
                            "", RFC))
        return
    records = [r for r in txt.records if r.startswith("v=TLSRPTv1")]
    if not records:
        section.add(Finding("tlsrpt.txt", Verdict.INFO, "no TLS-RPT record",
                            f"{name}: {txt.message or 'no v=TLSRPTv1 TXT record'}",
                            "senders cannot report TLS failures to the domain", RFC))
        return
    if len(records) > 1:
        section.add(Finding("tlsrpt.txt", Verdict.WARN, "more than one TLS-RPT record",
                            " | ".join(records), "senders use none of them", RFC))
        return
    record = records[0]
    fields: dict[str, str] = {}
    for part in record.split(";"):
        key, _, value = part.strip().partition("=")
        if key:
            fields.setdefault(key.strip(), value.strip())
    if record.split(";")[0].strip() != "v=TLSRPTv1":
        section.add(Finding("tlsrpt.txt", Verdict.WARN, "invalid TLS-RPT record", record,
                            "it must start with v=TLSRPTv1;", RFC))
        return
    rua = [u.strip() for u in fields.get("rua", "").split(",") if u.strip()]
    bad = [u for u in rua if not (u.startswith("mailto:") or u.startswith("https:"))]
    if not rua or bad:
        section.add(Finding("tlsrpt.rua", Verdict.WARN, "TLS-RPT record without a usable rua",
                            record, "rua= takes mailto: and https: URIs, comma-separated",
                            RFC))
        return
    section.add(Finding("tlsrpt.rua", Verdict.PASS, "TLS-RPT reports go to "
                        + ", ".join(rua), f"{name}: {record}", "", RFC))
