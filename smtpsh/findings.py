"""One model for findings, shared by `--check`, `--probe` and the sandbox's report card.

A `Finding` is one verdict about one thing (pass, warn, fail, info, skip) with what was seen,
why it matters and the RFC. Findings are grouped in `Section`s (an MX host and address, a
probe), sections in a `Card`. The card renders as text (fragments in the shell's styles, no
printing here), as one JSON document, and as a Nagios plugin line; its worst verdict gives
the exit status. Pure: no I/O.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from smtpsh.escape import escape
from smtpsh.exitcodes import Exit
from smtpsh.i18n import _

Fragments = list[tuple[str, str]]
JSON_VERSION = 1


class Verdict(Enum):
    PASS = "pass"
    INFO = "info"
    SKIP = "skip"  # not checked (a probe that needs --to, a DNS answer that did not come)
    WARN = "warn"
    FAIL = "fail"

    @property
    def rank(self) -> int:
        return _RANK[self]


# Marks a word for the catalog (tests/test_i18n.py); translated where the card is rendered
# (the JSON and the Nagios line keep the English values).
N_ = str
_WORDS = {Verdict.PASS: N_("pass"), Verdict.INFO: N_("info"), Verdict.SKIP: N_("skip"),
          Verdict.WARN: N_("warn"), Verdict.FAIL: N_("fail")}
_RANK = {Verdict.PASS: 0, Verdict.INFO: 0, Verdict.SKIP: 0, Verdict.WARN: 1, Verdict.FAIL: 2}
# The shell's colours (render.STYLES): green, cyan, dim, yellow, red.
_STYLE = {Verdict.PASS: "class:reply.2", Verdict.INFO: "class:reply.3",
          Verdict.SKIP: "class:note", Verdict.WARN: "class:reply.4",
          Verdict.FAIL: "class:reply.5"}


@dataclass(frozen=True)
class Finding:
    id: str  # stable, dotted: "tls.expiry", "dane.tlsa-match", "smuggling.lf-dot-lf"
    verdict: Verdict
    title: str  # one short line: what was found
    evidence: str = ""  # what was seen (a reply, a record, a certificate field)
    why: str = ""  # why it matters, in plain words
    rfc: str = ""  # "RFC 7672 3.1"

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "verdict": self.verdict.value, "title": self.title,
                "evidence": self.evidence, "why": self.why, "rfc": self.rfc}


@dataclass
class Section:
    title: str  # "mx1.example.org [192.0.2.1]:25", "probe smuggling"
    findings: list[Finding] = field(default_factory=list)
    summary: str = ""  # a verdict in words: "a DANE-enforcing sender would deliver"

    def add(self, finding: Finding) -> Finding:
        self.findings.append(finding)
        return finding

    @property
    def worst(self) -> Verdict:
        return worst(f.verdict for f in self.findings)


@dataclass
class Card:
    title: str  # "smtpsh --check example.org"
    sections: list[Section] = field(default_factory=list)
    summary: str = ""

    def section(self, title: str) -> Section:
        s = Section(title)
        self.sections.append(s)
        return s

    @property
    def worst(self) -> Verdict:
        return worst(s.worst for s in self.sections)

    @property
    def findings(self) -> list[Finding]:
        return [f for s in self.sections for f in s.findings]

    def exit_status(self) -> Exit:
        """0 when nothing warns or fails; the card's own statuses otherwise."""
        return {0: Exit.OK, 1: Exit.CARD_WARN, 2: Exit.CARD_FAIL}[self.worst.rank]

    def to_json(self) -> dict[str, Any]:
        return {"v": JSON_VERSION, "title": self.title, "verdict": self.worst.value,
                "summary": self.summary,
                "sections": [{"title": s.title, "verdict": s.worst.value,
                              "summary": s.summary,
                              "findings": [f.to_json() for f in s.findings]}
                             for s in self.sections]}

    def nagios(self, name: str = "SMTPSH") -> tuple[str, int]:
        """One status line with perfdata, and the plugin exit code (0 OK, 1 WARNING,
        2 CRITICAL; 3 UNKNOWN is the caller's when the check could not run)."""
        counts = {v: sum(f.verdict is v for f in self.findings) for v in Verdict}
        state = ("OK", "WARNING", "CRITICAL")[self.worst.rank]
        bad = [f for f in self.findings if f.verdict in (Verdict.FAIL, Verdict.WARN)]
        bad.sort(key=lambda f: -f.verdict.rank)
        what = ("; ".join(escape(f.title, tab=True) for f in bad[:3]) or self.summary
                or "all checks passed")
        perf = " ".join(f"{v.value}={counts[v]}" for v in (Verdict.PASS, Verdict.WARN,
                                                              Verdict.FAIL, Verdict.INFO))
        return f"{name} {state} - {what} | {perf}", self.worst.rank


def worst(verdicts: Any) -> Verdict:
    found = list(verdicts)
    return max(found, key=lambda v: v.rank) if found else Verdict.PASS


def render_card(card: Card, width: int = 100) -> Fragments:
    """The card as fragments: a heading per section, one line per finding with its verdict,
    then what was seen and why (wrapped to `width`), and the overall verdict."""
    out: Fragments = [("class:client", _fit(escape(card.title), width, 0)), ("", "\n")]
    body = max(width - 8, 30)
    words = {v: _(w) for v, w in _WORDS.items()}
    pad = max(len(w) for w in words.values())
    seen, why = _("seen"), _("why")
    label_width = max(len(seen), len(why))
    # Lines fit `width` in any language: the longer labels of a translation narrow the text.
    text_width = max(min(body - 6, width - label_width - 9), 20)
    for s in card.sections:
        word = f"[{words[s.worst]}] "
        out += [("", "\n"), (_STYLE[s.worst], word),
                ("class:client", _fit(escape(s.title), width, len(word))), ("", "\n")]
        for f in s.findings:
            out += [("", "  "), (_STYLE[f.verdict], f"{words[f.verdict]:<{pad}}"), ("", " "),
                    ("", _fit(escape(f.title), width, pad + 3)), ("", "\n")]
            for label, text in ((seen, f.evidence), (why, f.why)):
                if text:
                    lines = textwrap.wrap(escape(text), text_width) or [""]
                    out += [("class:note", f"       {label}: {lines[0]}\n")]
                    out += [("class:note", " " * (label_width + 9) + f"{x}\n")
                            for x in lines[1:]]
            if f.rfc:
                out += [("class:note", f"       ({f.rfc})\n")]
        if s.summary:
            out += [("", "  "), (_STYLE[s.worst], f"=> {escape(s.summary)}"), ("", "\n")]
    overall = _("overall: {verdict}").format(verdict=words[card.worst])
    out += [("", "\n"), (_STYLE[card.worst], overall)]
    if card.summary:
        out += [("", _fit(f"{overall} - {escape(card.summary)}", width, 2)[len(overall):])]
    return out


def _fit(text: str, width: int, indent: int) -> str:
    """`text`, which starts `indent` columns in, as lines that fit `width` (the lines after
    the first indented as far); unchanged when it fits."""
    if indent + len(text) <= width:
        return text
    lines = textwrap.wrap(text, max(width - indent, 20))
    return f"\n{' ' * indent}".join(lines)
