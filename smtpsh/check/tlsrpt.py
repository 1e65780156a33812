"""--check, SMTP TLS Reporting (RFC 8460): one v=TLSRPTv1 record at _smtp._tls.<domain>,
with rua= mailto: or https: addresses."""

from __future__ import annotations

from smtpsh.check.dns import Answer
from smtpsh.findings import Finding, Section, Verdict
from smtpsh.i18n import _

RFC = "RFC 8460 3"


def check(domain: str, txt: Answer, section: Section) -> None:
    name = f"_smtp._tls.{domain}"
    if txt.status == "tempfail":
        section.add(Finding("tlsrpt.txt", Verdict.WARN, _("TLS-RPT lookup failed"), txt.message,
                            "", RFC))
        return
    records = [r for r in txt.records if r.startswith("v=TLSRPTv1")]
    if not records:
        section.add(Finding("tlsrpt.txt", Verdict.INFO, _("no TLS-RPT record"),
                            f"{name}: {txt.message or _('no v=TLSRPTv1 TXT record')}",
                            _("senders cannot report TLS failures to the domain"), RFC))
        return
    if len(records) > 1:
        section.add(Finding("tlsrpt.txt", Verdict.WARN, _("more than one TLS-RPT record"),
                            " | ".join(records), _("senders use none of them"), RFC))
        return
    record = records[0]
    fields: dict[str, str] = {}
    for part in record.split(";"):
        key, _eq, value = part.strip().partition("=")
        if key:
            fields.setdefault(key.strip(), value.strip())
    if record.split(";")[0].strip() != "v=TLSRPTv1":
        section.add(Finding("tlsrpt.txt", Verdict.WARN, _("invalid TLS-RPT record"), record,
                            _("it must start with v=TLSRPTv1;"), RFC))
        return
    rua = [u.strip() for u in fields.get("rua", "").split(",") if u.strip()]
    bad = [u for u in rua if not (u.startswith("mailto:") or u.startswith("https:"))]
    if not rua or bad:
        section.add(Finding("tlsrpt.rua", Verdict.WARN,
                            _("TLS-RPT record without a usable rua"), record,
                            _("rua= takes mailto: and https: URIs, comma-separated"), RFC))
        return
    section.add(Finding("tlsrpt.rua", Verdict.PASS,
                        _("TLS-RPT reports go to {addresses}").format(addresses=", ".join(rua)),
                        f"{name}: {record}", "", RFC))
