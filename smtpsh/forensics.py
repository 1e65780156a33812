"""Message forensics: why did this message land in spam, was it really from them.

`smtpsh --received FILE` shows it after the hop table, `:show N` in the sandbox's shell too, and
`smtpsh --auth-results FILE` (`-` for stdin) alone (with --json and the card's exit status):
one function, `forensics_view`, renders it for all three. It is a findings card
(smtpsh.findings):

- each Authentication-Results field (RFC 8601) parsed into its resinfos (method=result,
  reason=, ptype.property=value, comments) per authserv-id, each result explained;
- each DKIM-Signature (RFC 6376) verified with dkimpy, the key fetched through `--nameserver`
  when given (dnspython pointed at it), with the reason when it fails (body hash, signature,
  key missing, expired);
- the ARC chain (RFC 8617): its instances, each ARC-Seal's cv=, validated with dkimpy;
- DMARC alignment (RFC 7489 §3.1): the From domain against the DKIM d= and SPF domains.

The sentences a reader reads are marked with _() (smtpsh.i18n); their German is in
smtpsh/i18n_de.py and smtpsh/i18n_de_parts/forensics.py. The fields are the message's (anyone
on the way wrote them): they are shown as data, escaped by the card's renderer.
"""

from __future__ import annotations

import email.utils
import json
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from smtpsh.exitcodes import Exit
from smtpsh.findings import Card, Finding, Section, Verdict
from smtpsh.i18n import _, plural
from smtpsh.received import _header_fields, closing_paren

N_ = str  # marks a sentence for the catalog; _() translates it where it is used

# --- Authentication-Results (RFC 8601 §2.2) -----------------------------------------------------


@dataclass
class ResInfo:
    """One `method=result` of an Authentication-Results field, with what goes with it."""

    method: str
    result: str
    version: str | None = None
    reason: str | None = None
    props: list[tuple[str, str]] = field(default_factory=list)  # ("smtp.mailfrom", "x@y")
    comments: list[str] = field(default_factory=list)

    def prop(self, name: str) -> str | None:
        return next((v for k, v in self.props if k.lower() == name), None)

    def text(self) -> str:
        parts = [f"{self.method}{'/' + self.version if self.version else ''}={self.result}"]
        parts += [f"({c})" for c in self.comments]
        if self.reason is not None:
            parts.append(f"reason={_quoted(self.reason)}")
        parts += [f"{k}={v}" if k else v for k, v in self.props]
        return " ".join(parts)


def _quoted(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


@dataclass
class AuthResults:
    raw: str
    authserv_id: str | None = None  # None: the field names none (Microsoft writes it so)
    version: str | None = None
    results: list[ResInfo] = field(default_factory=list)
    instance: int | None = None  # ARC-Authentication-Results: its i=
    notes: list[str] = field(default_factory=list)


def _ar_tokens(text: str) -> list[tuple[str, str]]:
    """("comment"|"quoted"|"special"|"word", text): ';' and '=' are specials; a word runs to
    the next space, special, comment or quote (so "header.from" and "a@b.c" stay whole)."""
    tokens: list[tuple[str, str]] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char.isspace():
            i += 1
        elif char == "(":
            end = closing_paren(text, i)
            j = len(text) if end is None else end  # never closed: the rest is the comment
            tokens.append(("comment", text[i + 1:j].strip()))
            i = j + 1
        elif char == '"':
            j, value = i + 1, []
            while j < len(text) and text[j] != '"':
                if text[j] == "\\" and j + 1 < len(text):
                    j += 1
                value.append(text[j])
                j += 1
            tokens.append(("quoted", "".join(value)))
            i = j + 1
        elif char in ";=":
            tokens.append(("special", char))
            i += 1
        else:
            j = i
            while j < len(text) and not text[j].isspace() and text[j] not in ';=()"':
                j += 1
            tokens.append(("word", text[i:j]))
            i = j
    return tokens


def parse_auth_results(value: str, arc: bool = False) -> AuthResults:
    """One Authentication-Results (or, `arc`, ARC-Authentication-Results) field value."""
    ar = AuthResults(raw=value)
    tokens = _ar_tokens(value)
    if arc and len(tokens) >= 3 and tokens[0][1].lower() == "i" and tokens[1][1] == "=":
        ar.instance = int(tokens[2][1]) if tokens[2][1].isdigit() else None
        tokens = tokens[4:] if len(tokens) > 3 and tokens[3][1] == ";" else tokens[3:]
    words = [t for t in tokens if t[0] != "comment"]
    # The authserv-id comes first, unless the field opens with a method=result.
    if words and words[0][0] in ("word", "quoted") and not (len(words) > 1 and words[1][1] == "="):
        ar.authserv_id = words[0][1]
        start = tokens.index(words[0]) + 1
        if len(words) > 1 and words[1][0] == "word" and words[1][1].isdigit():
            ar.version = words[1][1]
            start = tokens.index(words[1], start) + 1
        tokens = tokens[start:]
    else:
        ar.notes.append("no authserv-id")
    # Split into resinfos at ';'.
    chunks: list[list[tuple[str, str]]] = [[]]
    for token in tokens:
        if token == ("special", ";"):
            chunks.append([])
        else:
            chunks[-1].append(token)
    for chunk in chunks:
        info = _resinfo(chunk)
        if info is None:
            if any(kind != "comment" for kind, _t in chunk):
                ar.notes.append("not understood: " + " ".join(t for _k, t in chunk))
            continue
        ar.results.append(info)
    return ar


def _resinfo(chunk: list[tuple[str, str]]) -> ResInfo | None:
    words = [t for t in chunk if t[0] != "comment"]
    if len(words) == 1 and words[0][1].lower() == "none":
        return None  # no-result: "; none"
    if len(words) < 3 or words[1] != ("special", "="):
        return None
    method, _slash, version = words[0][1].partition("/")
    info = ResInfo(method=method.lower(), result=words[2][1].lower(), version=version or None)
    position = chunk.index(words[2]) + 1
    rest = chunk[position:]
    i = 0
    while i < len(rest):
        kind, text = rest[i]
        if kind == "comment":
            info.comments.append(text)
            i += 1
            continue
        # key = value (comments between are kept)
        j = i + 1
        while j < len(rest) and rest[j][0] == "comment":
            info.comments.append(rest[j][1])
            j += 1
        if kind == "word" and j < len(rest) and rest[j] == ("special", "="):
            k = j + 1
            while k < len(rest) and rest[k][0] == "comment":
                info.comments.append(rest[k][1])
                k += 1
            value = rest[k][1] if k < len(rest) else ""
            # A value may run on: "user"@example.com is a quoted local-part and a domain.
            if k + 1 < len(rest) and rest[k][0] == "quoted" and rest[k + 1][1].startswith("@"):
                value = _quoted(value) + rest[k + 1][1]
                k += 1
            if text.lower() == "reason":
                info.reason = value
            else:
                info.props.append((text.lower() if "." in text else text, value))
            i = k + 1
        else:
            info.props.append(("", text))
            i = j
    return info


# --- what each result means -------------------------------------------------------------------

_RFC = {"spf": "RFC 7208 §2.6, RFC 8601 §2.7.2", "dkim": "RFC 6376 §6.1, RFC 8601 §2.7.1",
        "dmarc": "RFC 7489 §11.2, RFC 8601 §2.7", "arc": "RFC 8617 §4.4, RFC 8601 §2.7",
        "iprev": "RFC 8601 §2.7.3", "auth": "RFC 8601 §2.7.4"}
_MEANING: dict[tuple[str, str], str] = {
    ("spf", "pass"): N_("the sending IP address is allowed by the SPF record of the envelope"
                       " sender's domain (smtp.mailfrom)"),
    ("spf", "fail"): N_("the SPF record of the envelope sender's domain says this IP address"
                       " may not send for it: a forgery, or a forwarder the domain does not"
                       " know"),
    ("spf", "softfail"): N_("the SPF record says this IP address is probably not allowed"
                           " (~all): many receivers count it towards spam"),
    ("spf", "neutral"): N_("the SPF record makes no statement about this IP address (?all)"),
    ("spf", "none"): N_("the envelope sender's domain publishes no SPF record, or there was no"
                       " domain to check"),
    ("spf", "temperror"): N_("a DNS error that may pass: the SPF check may succeed later"),
    ("spf", "permerror"): N_("the domain's SPF record is broken (a syntax error, too many DNS"
                            " lookups): only its owner can fix it"),
    ("dkim", "pass"): N_("a DKIM signature verified: the signing domain (header.d) vouches for"
                        " the signed header fields and the body"),
    ("dkim", "fail"): N_("a DKIM signature did not verify: the message was changed after"
                        " signing, or the key does not match"),
    ("dkim", "neutral"): N_("the signature could not be checked, for a reason that is not a"
                           " failure (for example, a syntax error in it)"),
    ("dkim", "policy"): N_("the signature verified, but the receiver's policy does not accept"
                          " it (for example, one that does not cover the Subject)"),
    ("dkim", "none"): N_("the message was not signed with DKIM"),
    ("dkim", "temperror"): N_("the key could not be fetched now (a DNS error): it may verify"
                             " later"),
    ("dkim", "permerror"): N_("the signature can never verify: the key is missing or broken,"
                             " or a required tag or header field is absent"),
    ("dmarc", "pass"): N_("SPF or DKIM passed for a domain aligned with the From domain: the"
                         " From address is not forged"),
    ("dmarc", "fail"): N_("neither SPF nor DKIM passed for a domain aligned with the From"
                         " domain: the receiver applies the domain's policy (p=reject,"
                         " quarantine, which means the spam folder, or none)"),
    ("dmarc", "none"): N_("the From domain publishes no DMARC record"),
    ("dmarc", "temperror"): N_("a DNS error while looking up the DMARC record: it may pass"
                              " later"),
    ("dmarc", "permerror"): N_("the From domain's DMARC record is broken"),
    ("arc", "pass"): N_("the ARC chain holds: the intermediaries that forwarded the message"
                       " (mailing lists, forwarders) vouch for the results they saw"),
    ("arc", "fail"): N_("the ARC chain is broken: an intermediary's seal or the newest message"
                       " signature does not verify"),
    ("arc", "none"): N_("the message carries no ARC chain"),
}
_GENERIC = {
    "pass": N_("the check passed"),
    "fail": N_("the check failed"),
    "softfail": N_("the check failed, weakly"),
    "hardfail": N_("the check failed"),
    "neutral": N_("the check gave no verdict"),
    "none": N_("there was nothing to check"),
    "policy": N_("the check passed, but the receiver's policy does not accept the result"),
    "temperror": N_("a temporary error: the check may succeed later"),
    "permerror": N_("a permanent error: the check cannot succeed as things are"),
}
_METHOD = {
    "iprev": N_("iprev: the client's IP address has a reverse DNS name that resolves back to"
               " it"),
    "auth": N_("auth: the sender logged in with SMTP AUTH (smtp.auth names the user)"),
    "compauth": N_("compauth: Microsoft's composite verdict from SPF, DKIM, DMARC and its own"
                  " signals (reason= is Microsoft's code)"),
    "dkim-atps": N_("dkim-atps: whether the From domain authorises the third-party signer"),
    "bimi": N_("bimi: whether the From domain's brand logo may be shown"),
}
_VERDICT = {"pass": Verdict.PASS, "fail": Verdict.FAIL, "hardfail": Verdict.FAIL,
            "permerror": Verdict.FAIL, "softfail": Verdict.WARN, "temperror": Verdict.WARN,
            "policy": Verdict.WARN}


def meaning(method: str, result: str) -> str:
    """What `method=result` tells, in a sentence (the language in use)."""
    known = _MEANING.get((method, result))
    if known is not None:
        return _(known)
    generic = _(_GENERIC[result]) if result in _GENERIC else _("a result the RFCs do not"
                                                                 " define")
    if method in _METHOD:
        return f"{_(_METHOD[method])}; {generic}"
    return generic


def _resinfo_finding(info: ResInfo) -> Finding:
    verdict = _VERDICT.get(info.result, Verdict.INFO)
    if info.method in ("compauth", "dkim-atps", "bimi") and verdict is Verdict.FAIL:
        verdict = Verdict.WARN
    where = ", ".join(f"{k}={v}" for k, v in info.props
                      if k in ("smtp.mailfrom", "header.from", "header.d", "header.i",
                               "smtp.helo", "policy.iprev", "smtp.auth"))
    title = f"{info.method}={info.result}" + (f": {where}" if where else "")
    return Finding(id=f"ar.{info.method}", verdict=verdict, title=title, evidence=info.text(),
                   why=meaning(info.method, info.result),
                   rfc=_RFC.get(info.method, "RFC 8601 §2.7"))


def auth_results_section(card: Card, ar: AuthResults, position: int) -> Section:
    who = ar.authserv_id or _("(no authserv-id)")
    section = card.section(f"Authentication-Results #{position}: {who}")
    if ar.authserv_id is None:
        section.add(Finding(
            id="ar.authserv-id", verdict=Verdict.INFO, title=_("no authserv-id"),
            evidence=ar.raw, rfc="RFC 8601 §2.5",
            why=_("the field does not name the server that wrote it (Microsoft 365 writes it"
                  " so): trust it only if your own receiving servers add it")))
    for info in ar.results:
        section.add(_resinfo_finding(info))
    if not ar.results:
        section.add(Finding(id="ar.none", verdict=Verdict.INFO, title=_("no results"),
                            evidence=ar.raw, rfc="RFC 8601 §2.2",
                            why=_("the server checked nothing, or wrote \"none\"")))
    for note in ar.notes:
        if note.startswith("not understood"):
            section.add(Finding(id="ar.syntax", verdict=Verdict.WARN, title=note,
                                evidence=ar.raw, rfc="RFC 8601 §2.2",
                                why=_("a part of the field does not follow the RFC's syntax")))
    return section


# --- DNS for the keys ------------------------------------------------------------------------


class KeyLookup:
    """dkimpy's dnsfunc: the TXT record at selector._domainkey.domain, through `nameserver`
    (ADDR[:PORT]) or the system's resolver. Remembers how each lookup went.

    `system=False`: without a nameserver, nothing is looked up (the sandbox serves no DNS, and
    its messages are the learner's: they must not make smtpsh ask the system's resolver);
    each name is then "skipped" and the signatures are reported as not checked."""

    def __init__(self, nameserver: str | None = None, timeout: float = 5.0,
                 system: bool = True) -> None:
        self.nameserver = nameserver
        self.timeout = timeout
        self.system = system
        # name -> "found" | "missing" | "error: ..." | "skipped"
        self.outcome: dict[str, str] = {}
        self._resolver: Any = None

    @property
    def enabled(self) -> bool:
        """Whether keys are looked up at all."""
        return bool(self.nameserver) or self.system

    def _get(self) -> Any:
        if self._resolver is None:
            import dns.resolver

            if self.nameserver:
                from smtpsh.resolve import parse_nameserver

                address, port = parse_nameserver(self.nameserver)
                resolver = dns.resolver.Resolver(configure=False)
                resolver.nameservers = [address]
                resolver.port = port
            else:
                resolver = dns.resolver.Resolver(configure=True)
            resolver.lifetime = self.timeout
            resolver.timeout = min(resolver.timeout, self.timeout)
            self._resolver = resolver
        return self._resolver

    def __call__(self, name: bytes | str, timeout: float = 5.0) -> bytes | None:
        import dkim
        import dns.exception
        import dns.resolver

        text = name.decode("ascii", "replace") if isinstance(name, bytes) else name
        key = text.rstrip(".").lower()
        if not self.enabled:
            self.outcome[key] = "skipped"
            return None
        try:
            answer = self._get().resolve(text, "TXT", raise_on_no_answer=False, search=False)
        except dns.resolver.NXDOMAIN:
            self.outcome[key] = "missing"
            return None
        except (dns.exception.Timeout, dns.resolver.NoNameservers,
                dns.resolver.NoResolverConfiguration) as exc:
            self.outcome[key] = f"error: {exc}"
            raise dkim.DnsTimeoutError(str(exc)) from None
        records = [b"".join(r.strings) for r in (answer.rrset or [])]
        if not records:
            self.outcome[key] = "missing"
            return None
        self.outcome[key] = "found"
        return next((r for r in records if r.lower().startswith(b"v=dkim1")), records[0])


class _Log:
    """A logger for dkimpy that keeps its error lines (the reasons)."""

    def __init__(self) -> None:
        self.errors: list[str] = []

    def debug(self, *args: Any, **kw: Any) -> None:
        pass

    info = warning = debug

    def error(self, message: Any, *args: Any, **kw: Any) -> None:
        self.errors.append(str(message))


# --- DKIM-Signature (RFC 6376) ------------------------------------------------------------------


@dataclass
class DkimResult:
    domain: str
    selector: str
    result: str  # pass | fail | permerror | temperror (as RFC 8601 §2.7.1 names them)
    reason: str
    tags: dict[str, str]
    looked_up: bool = True  # False: no key was looked up (KeyLookup without DNS)
    rfc: str | None = None  # the section the reason comes from, when it is not the usual one


def _body_hash_holds(message: bytes, tags: dict[str, str]) -> bool | None:
    """Whether the body still hashes to the signature's bh= (needs no key, so it is told
    even when the key is not looked up); None when that cannot be computed."""
    import base64

    import dkim
    from dkim.canonicalization import CanonicalizationPolicy

    try:
        policy = CanonicalizationPolicy.from_c_value(tags.get("c", "simple/simple").encode())
        hasher = dkim.HASH_ALGORITHMS[tags.get("a", "rsa-sha256").encode().lower()]
        body = policy.canonicalize_body(dkim.rfc822_parse(message)[1])
        if "l" in tags:
            body = body[:int(tags["l"])]
        return bool(hasher(body).digest() == base64.b64decode(tags["bh"]))
    except Exception:  # an unknown a= or c=, a bad bh= or l=: dkimpy's verdict stands
        return None


def _tags(value: str) -> dict[str, str]:
    tags: dict[str, str] = {}
    for part in value.split(";"):
        name, eq, tag = part.partition("=")
        if eq:
            tags[name.strip().lower()] = re.sub(r"\s+", "", tag)
    return tags


def verify_dkim(message: bytes, lookup: KeyLookup) -> list[DkimResult]:
    """Each DKIM-Signature of the message, top first, verified."""
    import dkim

    values = [v for n, v in _header_fields(message.decode("utf-8", "replace"))
              if n == "dkim-signature"]
    results = []
    for index, value in enumerate(values):
        tags = _tags(value)
        domain, selector = tags.get("d", "?"), tags.get("s", "?")
        name = f"{selector}._domainkey.{domain}".lower()
        log = _Log()
        try:
            signer = dkim.DKIM(message, logger=log, minkey=1024, timeout=lookup.timeout)
            ok = signer.verify(idx=index, dnsfunc=lookup)
        except dkim.DKIMException as exc:
            text = str(exc)
            if "body hash mismatch" in text:
                reason = _("body hash mismatch: the body was changed after signing")
                results.append(DkimResult(domain, selector, "fail", reason, tags,
                                          rfc="RFC 6376 §3.7"))
            elif "x= value is past" in text:
                reason = _("the signature has expired (its x= time is past)")
                results.append(DkimResult(domain, selector, "permerror", reason, tags,
                                          rfc="RFC 6376 §3.5"))
            else:
                results.append(DkimResult(domain, selector, "permerror", text, tags))
            continue
        except Exception as exc:  # dkimpy on a badly formed message
            results.append(DkimResult(domain, selector, "permerror", str(exc), tags))
            continue
        outcome = lookup.outcome.get(name, "")
        if outcome == "skipped":
            holds = _body_hash_holds(message, tags)
            if holds is False:
                reason = _("body hash mismatch: the body was changed after signing")
                results.append(DkimResult(domain, selector, "fail", reason, tags, False,
                                          "RFC 6376 §3.7"))
            else:
                reason = (_("key not looked up (no --nameserver): the body hash matches, the"
                            " signed header fields are not checked") if holds else
                          _("key not looked up (no --nameserver)"))
                results.append(DkimResult(domain, selector, "neutral", reason, tags, False))
        elif ok:
            results.append(DkimResult(domain, selector, "pass", _("signature verified"), tags))
        elif outcome == "missing":
            results.append(DkimResult(domain, selector, "permerror",
                                      _("no key for signature: {name} has no TXT record")
                                      .format(name=name), tags))
        elif outcome.startswith("error"):
            results.append(DkimResult(domain, selector, "temperror",
                                      _("the key could not be fetched: {error}")
                                      .format(error=outcome[7:]), tags))
        elif log.errors:
            results.append(DkimResult(domain, selector, "permerror", log.errors[-1], tags))
        else:
            results.append(DkimResult(
                domain, selector, "fail",
                _("signature did not verify: a signed header field was changed, or the key"
                  " does not match"), tags))
    return results


def dkim_section(card: Card, number: int, result: DkimResult) -> Section:
    section = card.section(f"DKIM-Signature #{number}: d={result.domain} s={result.selector}")
    verdict = {"pass": Verdict.PASS, "temperror": Verdict.WARN,
               "neutral": Verdict.SKIP}.get(result.result, Verdict.FAIL)
    rfc = {"pass": "RFC 6376 §6.1.3", "fail": "RFC 6376 §6.1.3",
           "temperror": "RFC 6376 §6.1.2"}.get(result.result, "RFC 6376 §6.1.2")
    rfc = result.rfc or rfc  # the reason's own section (body hash, expiry), in any language
    signed = result.tags.get("h", "")
    evidence = (f"dkim={result.result} ({result.reason}) a={result.tags.get('a', '?')}"
                f" c={result.tags.get('c', 'simple/simple')} h={signed}")
    why = meaning("dkim", result.result)
    if not result.looked_up and result.result == "neutral":
        why = _("here smtpsh asks for keys only through --nameserver, never through the"
                " system's resolver; smtpsh --received FILE verifies the signature with its"
                " key from DNS")
    section.add(Finding(id="dkim.signature", verdict=verdict,
                        title=f"dkim={result.result}: {result.reason}", evidence=evidence,
                        why=why, rfc=rfc))
    if "l" in result.tags:
        section.add(Finding(
            id="dkim.length", verdict=Verdict.WARN, title=_("l= limits the signed body"),
            evidence=f"l={result.tags['l']}", rfc="RFC 6376 §8.2",
            why=_("anything appended after the signed length is not covered: someone could"
                  " add text and the signature still verifies")))
    if result.tags.get("a", "").lower() == "rsa-sha1":
        section.add(Finding(
            id="dkim.sha1", verdict=Verdict.WARN, title=_("signed with rsa-sha1"),
            evidence="a=rsa-sha1", rfc="RFC 8301 §3.1",
            why=_("SHA-1 is no longer safe: verifiers must not accept it as a pass")))
    return section


# --- ARC (RFC 8617) ------------------------------------------------------------------------------


def arc_section(card: Card, message: bytes, text: str, lookup: KeyLookup) -> Section | None:
    """The ARC chain: each instance (its seal's cv=, the signers), then dkimpy's verdict."""
    import dkim

    fields = _header_fields(text)
    seals = {_instance(v): v for n, v in fields if n == "arc-seal"}
    sigs = {_instance(v): v for n, v in fields if n == "arc-message-signature"}
    aars = {_instance(v): v for n, v in fields if n == "arc-authentication-results"}
    instances = sorted(i for i in set(seals) | set(sigs) | set(aars) if i is not None)
    if not instances:
        return None
    section = card.section(plural(len(instances), _("ARC chain: {count} instance"),
                                  _("ARC chain: {count} instances")))
    log = _Log()
    try:
        cv, details, reason = dkim.ARC(message, logger=log, minkey=1024,
                                       timeout=lookup.timeout).verify(dnsfunc=lookup)
    except Exception as exc:  # a badly formed chain
        cv, details, reason = dkim.CV_Fail, [], str(exc)
    by_instance = {d["instance"]: d for d in details}
    newest = max(instances)
    # No DNS (KeyLookup without a nameserver, system=False): no seal could be checked.
    skipped = not lookup.enabled
    for i in instances:
        seal, ams = _tags(seals.get(i, "")), _tags(sigs.get(i, ""))
        aar = parse_auth_results(aars[i], arc=True) if i in aars else None
        got = by_instance.get(i)
        seen = (f"i={i} ARC-Seal d={seal.get('d', '?')} s={seal.get('s', '?')}"
                f" cv={seal.get('cv', '?')}; ARC-Message-Signature d={ams.get('d', '?')}"
                f" s={ams.get('s', '?')}")
        if aar is not None:
            seen += f"; ARC-Authentication-Results {aar.authserv_id or '?'}: " + ", ".join(
                f"{r.method}={r.result}" for r in aar.results)
        if i not in seals or i not in sigs or i not in aars:
            verdict, why = Verdict.FAIL, _("an ARC set needs all three fields with the same"
                                           " i=: this one is incomplete")
        elif skipped:
            verdict, why = Verdict.SKIP, _("not validated: the keys were not looked up (no"
                                           " --nameserver)")
        elif got is None:
            verdict, why = Verdict.INFO, _("not validated: the check stopped before this"
                                           " instance")
        elif not got.get("as-valid"):
            verdict, why = Verdict.FAIL, _("this instance's ARC-Seal does not verify: the"
                                           " chain is broken here")
        elif not got.get("ams-valid") and i == newest:
            verdict, why = Verdict.FAIL, _("the newest ARC-Message-Signature does not verify:"
                                           " the message changed after the last hop sealed"
                                           " it")
        elif not got.get("ams-valid"):
            verdict, why = Verdict.INFO, _("an older ARC-Message-Signature does not verify:"
                                           " expected when a later hop changed the message"
                                           " (a list footer, a subject tag)")
        else:
            verdict, why = Verdict.PASS, _("seal and message signature verify; this hop saw"
                                           " the results it recorded in its"
                                           " ARC-Authentication-Results")
        cv_text = seal.get("cv", "?")
        section.add(Finding(id="arc.instance", verdict=verdict,
                            title=f"i={i} {seal.get('d', '?')} cv={cv_text}", evidence=seen,
                            why=why, rfc="RFC 8617 §4.1, §5.1"))
    cv_name = (cv.decode() if isinstance(cv, bytes) else str(cv or "fail")).lower()
    chain = {"pass": Verdict.PASS, "none": Verdict.INFO}.get(cv_name, Verdict.FAIL)
    if skipped:
        section.add(Finding(
            id="arc.chain", verdict=Verdict.SKIP,
            title=_("arc: not validated, the keys were not looked up (no --nameserver)"),
            evidence=", ".join(f"i={i} cv={_tags(seals.get(i, '')).get('cv', '?')}"
                               for i in instances),
            why=_("here smtpsh asks for keys only through --nameserver, never through the"
                  " system's resolver; smtpsh --received FILE validates the chain with the"
                  " keys from DNS"), rfc="RFC 8617 §5.2"))
        return section
    section.add(Finding(id="arc.chain", verdict=chain, title=f"arc={cv_name}: {reason}",
                        evidence=", ".join(f"i={i} cv={_tags(seals.get(i, '')).get('cv', '?')}"
                                           for i in instances),
                        why=meaning("arc", cv_name if cv_name in ("pass", "none") else "fail"),
                        rfc="RFC 8617 §5.2"))
    return section


def _instance(value: str) -> int | None:
    found = re.match(r"\s*i\s*=\s*(\d+)", value)
    return int(found[1]) if found else None


# --- DMARC alignment (RFC 7489 §3.1) -------------------------------------------------------------


def _organizational(domain: str) -> str:
    """The last two labels: an approximation of RFC 7489's organizational domain (the Public
    Suffix List is not consulted, so co.uk-style suffixes are read too short)."""
    return ".".join(domain.lower().rstrip(".").split(".")[-2:])


def alignment_section(card: Card, from_domain: str | None, dkim_results: list[DkimResult],
                      ars: list[AuthResults]) -> Section | None:
    if not from_domain:
        return None
    spf_domains = []
    # The newest field's server is the receiving one; it may have written several fields.
    for ar in (a for a in ars if ars and a.authserv_id == ars[0].authserv_id):
        for info in ar.results:
            mailfrom = info.prop("smtp.mailfrom")
            if info.method == "spf" and info.result == "pass" and mailfrom:
                spf_domains.append(mailfrom.rpartition("@")[2].lower())
    dkim_domains = [r.domain.lower() for r in dkim_results if r.result == "pass"]
    if not spf_domains and not dkim_domains:
        return None
    section = card.section(_("DMARC alignment: From domain {domain}").format(
        domain=from_domain))
    org = _organizational(from_domain)
    for kind, domains in (("DKIM d=", dkim_domains), ("SPF smtp.mailfrom=", spf_domains)):
        for domain in domains:
            if domain == from_domain.lower():
                verdict, why = Verdict.PASS, _("the same domain as From: aligned, strict and"
                                               " relaxed")
            elif _organizational(domain) == org:
                verdict, why = Verdict.PASS, _("the same organizational domain as From:"
                                               " aligned in relaxed mode (the default), not"
                                               " in strict mode")
            else:
                verdict, why = Verdict.WARN, _("another domain than From: this pass does not"
                                               " count for DMARC")
            section.add(Finding(id="dmarc.alignment", verdict=verdict,
                                title=f"{kind}{domain} / From {from_domain}",
                                evidence=f"{kind}{domain}, header.from={from_domain}",
                                why=why, rfc="RFC 7489 §3.1"))
    return section


# --- the card -------------------------------------------------------------------------------


def forensics_card(message: bytes, lookup: KeyLookup, name: str = "-",
                   title: str | None = None) -> Card:
    """The findings of a message's authentication; `title` replaces the card's heading
    ("smtpsh --auth-results NAME")."""
    text = message.decode("utf-8", "replace")
    fields = _header_fields(text)
    card = Card(title or f"smtpsh --auth-results {name}")
    ars = [parse_auth_results(v) for n, v in fields if n == "authentication-results"]
    for position, ar in enumerate(ars, 1):
        auth_results_section(card, ar, position)
    if len(ars) > 1:
        card.sections[0].add(Finding(
            id="ar.trust", verdict=Verdict.INFO, title=_("the topmost field is the newest"),
            evidence=", ".join(ar.authserv_id or "?" for ar in ars), rfc="RFC 8601 §5",
            why=_("each server adds its field on top; only the fields your own receiving"
                  " servers wrote can be trusted: anyone can write one")))
    dkim_results = verify_dkim(message, lookup)
    for number, result in enumerate(dkim_results, 1):
        dkim_section(card, number, result)
    arc = arc_section(card, message, text, lookup)
    from_value = next((v for n, v in fields if n == "from"), "")
    address = email.utils.parseaddr(from_value)[1]
    from_domain = address.rpartition("@")[2] or None if "@" in address else None
    alignment_section(card, from_domain, dkim_results, ars)
    if not card.sections:
        section = card.section(_("no authentication header fields"))
        section.add(Finding(
            id="forensics.none", verdict=Verdict.INFO,
            title=_("no Authentication-Results, DKIM-Signature or ARC field"),
            rfc="RFC 8601 §2.2",
            why=_("the receiving server records its checks in Authentication-Results; give"
                  " the message as it was delivered, with its whole header")))
    passed = [r.domain for r in dkim_results if r.result == "pass"]
    parts = []
    if ars and ars[0].results:
        parts.append(_("{server} reported {results}").format(
            server=ars[0].authserv_id or _("the receiving server"),
            results=" ".join(f"{r.method}={r.result}" for r in ars[0].results)))
    unchecked = [r for r in dkim_results if r.result == "neutral" and not r.looked_up]
    if dkim_results:
        parts.append(_("DKIM holds for {domains}").format(domains=", ".join(passed)) if passed
                     else _("DKIM not verified: no key looked up") if len(unchecked) ==
                     len(dkim_results) else _("no DKIM signature holds"))
    if arc is not None:
        chain = arc.findings[-1]
        parts.append(_("the ARC chain holds") if chain.verdict is Verdict.PASS
                     else _("the ARC chain was not validated")
                     if chain.verdict is Verdict.SKIP else _("the ARC chain does not hold"))
    card.summary = "; ".join(parts)
    return card


def forensics_view(message: bytes, lookup: KeyLookup, width: int | None, *,
                   name: str = "-", title: str | None = None,
                   ansi: bool = False) -> tuple[str, Card]:
    """The forensics as text (ANSI colours with `ansi`), laid out for `width` columns (None:
    100, for a pipe), and its card: `--auth-results`, `--received` and `:show N` all show
    this."""
    from smtpsh.findings import render_card
    from smtpsh.render import to_ansi, to_plain

    card = forensics_card(message, lookup, name, title)
    fragments = render_card(card, width or 100)
    return (to_ansi(fragments) if ansi else to_plain(fragments)), card


def forensics_title() -> str:
    """The heading of the forensics under `--received` and `:show N`."""
    return _("Message forensics: Authentication-Results, DKIM, ARC, DMARC alignment")


def checked_lookup(nameserver: str | None, timeout: float) -> KeyLookup:
    """The key lookup of `--received` and `--auth-results`: through `--nameserver` (checked
    here: ValueError when it is not ADDR[:PORT]), else the system's resolver."""
    if nameserver:
        from smtpsh.resolve import parse_nameserver

        parse_nameserver(nameserver)
    return KeyLookup(nameserver, timeout)


def _read(path: str) -> bytes:
    if path == "-":
        return sys.stdin.buffer.read()
    with open(path, "rb") as f:
        return f.read()


def main_auth_results(path: str, nameserver: str | None = None, as_json: bool = False,
                      color: str = "auto", timeout: float = 5.0,
                      width: Callable[[], int | None] | None = None) -> int:
    """`smtpsh --auth-results FILE` (`-` for stdin): the card of a message's authentication."""
    from smtpsh.received import terminal_width
    from smtpsh.render import use_color

    try:
        message = _read(path)
    except OSError as exc:
        print(f"smtpsh: cannot read {path}: {exc.strerror or exc}", file=sys.stderr)
        return Exit.ERROR
    try:
        lookup = checked_lookup(nameserver, timeout)
    except ValueError as exc:
        print(f"smtpsh: --nameserver: {exc}", file=sys.stderr)
        return Exit.USAGE
    if as_json:
        card = forensics_card(message, lookup, path)
        print(json.dumps(card.to_json(), indent=2, ensure_ascii=False))
    else:
        text, card = forensics_view(message, lookup, (width or terminal_width)(), name=path,
                                    ansi=use_color(color, sys.stdout))
        print(text)
    return card.exit_status()
