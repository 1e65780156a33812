"""--check, MTA-STS (RFC 8461): the _mta-sts TXT record, the policy fetched over HTTPS from
mta-sts.<domain> (no redirects, text/plain, 64 KB at most, a certificate valid for that
name), parsed strictly; each MX matched against its mx patterns; the verdict of a sender
that enforces it, naming the rule that failed.

The policy host is resolved through the same --nameserver as everything else and the
connection goes to that address (SNI, certificate and Host: use the name). The port is 443;
tests point it elsewhere with SMTPSH_MTASTS_PORT.
"""

from __future__ import annotations

import asyncio
import http.client
import os
import re
import socket
import ssl
from dataclasses import dataclass, field

from smtpsh.check.dns import Answer, CheckLookup
from smtpsh.findings import Finding, Section, Verdict
from smtpsh.i18n import _

MAX_POLICY = 64 * 1024  # RFC 8461 3.3
MAX_AGE = 31557600
PATH = "/.well-known/mta-sts.txt"
PORT_ENV = "SMTPSH_MTASTS_PORT"
_ID = re.compile(r"[A-Za-z0-9]{1,32}")
_LABEL = r"(?!-)[A-Za-z0-9-]{1,63}(?<!-)"
_MX_PATTERN = re.compile(rf"(\*\.)?({_LABEL}\.)+{_LABEL}")
_FIELD = re.compile(r"([A-Za-z0-9_]{1,32}):[ \t]*([\x21-\x7e]([\x20-\x7e]*[\x21-\x7e])?)[ \t]*")


@dataclass
class Policy:
    version: str = ""
    mode: str = ""
    max_age: int | None = None
    mx: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)


def parse_txt(records: tuple[str, ...]) -> tuple[str | None, str]:
    """-> (id, "") for exactly one valid v=STSv1 record, else (None, what is wrong)."""
    sts = [r for r in records if r.startswith("v=STSv1")]
    if len(sts) != 1:
        return None, _("{count} records start with v=STSv1; exactly one is allowed").format(
            count=len(sts))
    fields: dict[str, str] = {}
    for part in sts[0].split(";"):
        key, eq, value = part.strip().partition("=")
        if not part.strip():
            continue
        if not eq:
            return None, _("bad field {field!r}").format(field=part.strip())
        fields.setdefault(key, value)
    if sts[0].split(";")[0].strip() != "v=STSv1":
        return None, _("the record must start with v=STSv1;")
    sts_id = fields.get("id", "")
    if not _ID.fullmatch(sts_id):
        return None, _("id={id!r}: 1 to 32 letters and digits are required").format(id=sts_id)
    return sts_id, ""


def parse_policy(text: str) -> Policy:
    """RFC 8461 3.2, strictly: key: value lines ended by LF or CRLF."""
    policy = Policy()
    seen: set[str] = set()
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    for number, raw in enumerate(lines, 1):
        line = raw[:-1] if raw.endswith("\r") else raw
        m = _FIELD.fullmatch(line)
        if m is None:
            policy.errors.append(_("line {number} is not 'key: value': {line!r}").format(
                number=number, line=line))
            continue
        key, value = m.group(1), m.group(2)
        if key == "mx":
            if not _MX_PATTERN.fullmatch(value):
                policy.errors.append(_("line {number}: bad mx pattern {value!r}").format(
                    number=number, value=value))
            else:
                policy.mx.append(value.lower())
            continue
        if key in seen and key in ("version", "mode", "max_age"):
            policy.errors.append(_("line {number}: {key} given twice").format(number=number,
                                                                               key=key))
            continue
        seen.add(key)
        if key == "version":
            policy.version = value
        elif key == "mode":
            policy.mode = value
        elif key == "max_age":
            if not value.isdigit() or len(value) > 10:
                policy.errors.append(_("line {number}: max_age {value!r} is not 1-10 digits")
                                     .format(number=number, value=value))
            else:
                policy.max_age = int(value)
        else:
            policy.ignored.append(key)
    if policy.version != "STSv1":
        policy.errors.append(_("version is {version!r}, not STSv1").format(
            version=policy.version))
    if policy.mode not in ("enforce", "testing", "none"):
        policy.errors.append(_("mode is {mode!r}: enforce, testing or none").format(
            mode=policy.mode))
    if policy.max_age is None:
        policy.errors.append(_("no valid max_age"))
    elif policy.max_age > MAX_AGE:
        policy.errors.append(_("max_age {value} is over {limit} (one year)").format(
            value=policy.max_age, limit=MAX_AGE))
    if not policy.mx and policy.mode in ("enforce", "testing"):
        policy.errors.append(_("no mx pattern"))
    return policy


def mx_matches(host: str, patterns: list[str]) -> bool:
    """RFC 8461 4.1: exact, or "*." standing for exactly one leftmost label."""
    host = host.rstrip(".").lower()
    for p in patterns:
        if p == host:
            return True
        if p.startswith("*.") and host.partition(".")[2] == p[2:] and host.partition(".")[0]:
            return True
    return False


class PinnedHTTPSConnection(http.client.HTTPSConnection):
    """TCP to a given address; SNI, the certificate check and Host: use the host name."""

    def __init__(self, host: str, *, address: str, port: int, context: ssl.SSLContext,
                 timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=context)
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(  # type: ignore[attr-defined]
            sock, server_hostname=self.host)


@dataclass
class Fetched:
    status: int = 0
    content_type: str = ""
    body: bytes = b""
    too_big: bool = False
    location: str = ""
    error: str = ""


def fetch(host: str, address: str, port: int, cafile: str | None, timeout: float) -> Fetched:
    """GET the policy; no redirect is followed (http.client follows none)."""
    try:
        ctx = ssl.create_default_context(cafile=cafile)
    except OSError as exc:
        return Fetched(error=_("cannot use --cafile {file}: {error}").format(file=cafile,
                                                                              error=exc))
    conn = PinnedHTTPSConnection(host, address=address, port=port, context=ctx,
                                 timeout=timeout)
    try:
        conn.request("GET", PATH, headers={"User-Agent": "smtpsh --check"})
        resp = conn.getresponse()
        body = resp.read(MAX_POLICY + 1)
        return Fetched(resp.status, resp.getheader("Content-Type", ""), body[:MAX_POLICY],
                       len(body) > MAX_POLICY, resp.getheader("Location", ""))
    except ssl.SSLCertVerificationError as exc:
        return Fetched(error=_("certificate not valid for {host}: {why}").format(
            host=host, why=exc.verify_message))
    except (OSError, http.client.HTTPException) as exc:
        return Fetched(error=f"{type(exc).__name__}: {exc}")
    finally:
        conn.close()


@dataclass
class StsResult:
    policy: Policy | None = None  # a usable policy (None: no MTA-STS, or a broken one)
    failed: str = ""  # the rule that failed, when the domain tries MTA-STS and fails it


async def check(domain: str, lookup: CheckLookup, txt: Answer, family: int | None,
                cafile: str | None, timeout: float, section: Section) -> StsResult:
    rfc = "RFC 8461 3.1"
    name = f"_mta-sts.{domain}"
    if txt.status == "tempfail":
        section.add(Finding("mtasts.txt", Verdict.WARN, _("MTA-STS TXT lookup failed"),
                            txt.message, "", rfc))
        return StsResult()
    sts = [r for r in txt.records if r.startswith("v=STSv1")]
    if not sts:
        section.add(Finding("mtasts.txt", Verdict.INFO, _("no MTA-STS record"),
                            f"{name}: {txt.message or _('no v=STSv1 TXT record')}",
                            _("senders do not require TLS for this domain (unless DANE)"),
                            rfc))
        return StsResult()
    sts_id, problem = parse_txt(txt.records)
    if sts_id is None:
        section.add(Finding("mtasts.txt", Verdict.FAIL, _("invalid MTA-STS record"),
                            f"{name}: {problem}", _("senders take the domain as having no"
                                                    " policy"), rfc))
        return StsResult(failed=_("TXT record ({problem})").format(problem=problem))
    section.add(Finding("mtasts.txt", Verdict.PASS, _("MTA-STS record"), f"{name}: {sts[0]}",
                        "", rfc))
    host = f"mta-sts.{domain}"
    addresses: list[str] = []
    for fam in ([socket.AF_INET6, socket.AF_INET] if family is None else [family]):
        addresses += (await lookup.addresses(host, fam)).addresses
    if not addresses:
        no_address = _("{host} has no address").format(host=host)
        section.add(Finding("mtasts.fetch", Verdict.FAIL, no_address,
                            "", _("the policy cannot be fetched"), "RFC 8461 3.3"))
        return StsResult(failed=_("policy fetch ({problem})").format(problem=no_address))
    port = int(os.environ.get(PORT_ENV, "443"))
    got = await asyncio.to_thread(fetch, host, addresses[0], port, cafile, timeout)
    # (a port other than 443: only in tests, said the way the rest of smtpsh says a port)
    where = f"https://{host}{PATH} ({addresses[0]}" + (
        " " + _("port {port}").format(port=port) + ")" if port != 443 else ")")
    rule = "RFC 8461 3.3"
    fail = ""
    if got.error:
        fail = got.error
    elif got.status != 200:
        fail = f"HTTP {got.status}" + (_(" redirect to {location} (redirects are not"
                                         " followed)").format(location=got.location)
                                       if 300 <= got.status < 400 else "")
    elif got.content_type.split(";")[0].strip().lower() != "text/plain":
        fail = _("Content-Type {type}, not text/plain").format(
            type=got.content_type or _("(none)"))
    elif got.too_big:
        fail = _("the policy is over {size} octets").format(size=MAX_POLICY)
    if fail:
        section.add(Finding("mtasts.fetch", Verdict.FAIL, _("policy fetch failed"),
                            f"{where}: {fail}", _("senders keep a cached policy, or none"),
                            rule))
        return StsResult(failed=_("policy fetch ({problem})").format(problem=fail))
    section.add(Finding("mtasts.fetch", Verdict.PASS, _("policy fetched over HTTPS"),
                        _("{where}: 200 {type}, {size} octets").format(
                            where=where, type=got.content_type, size=len(got.body)), "", rule))
    try:
        text = got.body.decode("utf-8")
    except UnicodeDecodeError:
        text = "\x00"
    policy = parse_policy(text)
    if policy.errors:
        section.add(Finding("mtasts.policy", Verdict.FAIL, _("invalid policy"),
                            "; ".join(policy.errors), _("senders ignore an invalid policy"),
                            "RFC 8461 3.2"))
        return StsResult(failed=_("policy syntax ({problem})").format(
            problem=policy.errors[0]))
    verdict = Verdict.PASS if policy.mode == "enforce" else Verdict.INFO
    section.add(Finding("mtasts.policy", verdict,
                        _("policy mode {mode}").format(mode=policy.mode),
                        f"version {policy.version}, max_age {policy.max_age},"
                        f" mx {', '.join(policy.mx) or '-'}"
                        + (_("; ignored fields: {fields}").format(
                            fields=", ".join(policy.ignored))
                           if policy.ignored else ""),
                        "" if policy.mode == "enforce" else
                        _("testing: failures are only reported (TLS-RPT); none: no policy"),
                        "RFC 8461 5"))
    return StsResult(policy=policy)


def mx_verdict(policy: Policy, host: str, tls_ok: bool, tls_why: str) -> tuple[Verdict, str]:
    """Would a sender that applies this policy deliver to `host`? -> (verdict, sentence)."""
    if policy.mode == "none":
        return Verdict.INFO, _("MTA-STS mode none: no requirement")
    bad = Verdict.FAIL if policy.mode == "enforce" else Verdict.WARN
    if policy.mode == "enforce":
        no_mx = _("an MTA-STS-enforcing sender would not deliver to {host}: it matches no mx"
                  " pattern ({patterns}; RFC 8461 4.1)")
        no_tls = _("an MTA-STS-enforcing sender would not deliver to {host}: {why}"
                   " (RFC 8461 4.2)")
    else:
        no_mx = _("in testing mode a sender reports, then delivers; enforced, it would not"
                  " deliver to {host}: it matches no mx pattern ({patterns}; RFC 8461 4.1)")
        no_tls = _("in testing mode a sender reports, then delivers; enforced, it would not"
                   " deliver to {host}: {why} (RFC 8461 4.2)")
    if not mx_matches(host, policy.mx):
        return bad, no_mx.format(host=host, patterns=", ".join(policy.mx))
    if not tls_ok:
        return bad, no_tls.format(host=host, why=tls_why)
    return Verdict.PASS, _("an MTA-STS-enforcing sender would deliver to {host}").format(
        host=host)
