"""Fault rules for the sandbox: what the server does at a stage of the dialog, deterministic.

A rule names a stage and says what happens there when it matches: a reply instead of the
normal one, a delay before the reply, a disconnect. It matches on the client (its address or
its EHLO name), the sender, a recipient (shell-style patterns, `*` and `?`), and on the
attempt count: `attempts = N` applies the rule to the first N matching attempts only (per
client address, sender and recipient), so a retry after them goes through; `greylist = SECS`
applies it to such a triplet until SECS after its first attempt (greylisting: the count and
the clock run across connections); `every = N` applies it to one matching attempt in N (the
first, the N+1st ...: with stage connect, every other connection for N = 2); `unless = "tls"`
or `"auth"` skips it once the session has TLS, or is authenticated. At stage helo, `hide`
and `advertise` take keywords out of the EHLO reply or add them (`hide = "STARTTLS"`); at
stage text (the message being read) a rule can delay or drop the connection mid-DATA.

From a TOML file (`--rules FILE`), one table per rule:

    [[rule]]
    stage = "rcpt"
    match = "*@bounce.test"
    reply = "550 5.1.1 no such user"

or typed in the shell (`:rule stage=rcpt match=*@bounce.test reply="550 5.1.1 no such user"`).
Pure: the sandbox calls `RuleSet.check` at each stage.
"""

from __future__ import annotations

import fnmatch
import re
import shlex
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, fields
from typing import Any

from smtpsh.i18n import _

# stage: what the rule replaces (the reply to ...)
STAGES = {
    "connect": "the greeting (a reply here is given instead of 220)",
    "helo": "EHLO or HELO",
    "starttls": "STARTTLS",
    "auth": "AUTH (before the exchange)",
    "mail": "MAIL FROM",
    "rcpt": "RCPT TO",
    "data": "the DATA command (before 354)",
    "text": "the message text, at its first line (a delay, or disconnect: mid-DATA)",
    "message": "the end of the message (after the final dot)",
    "quit": "QUIT",
}
_KEYWORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]*( [\x21-\x7e]+)*\Z")
_REPLY = re.compile(r"[245]\d\d(?:[ -].*)?\Z", re.DOTALL)


@dataclass(frozen=True)
class Rule:
    stage: str
    reply: str | None = None  # "550 5.1.1 no such user"; None: the normal reply
    match: str = "*"  # the stage's subject: sender (mail), recipient (rcpt), else any
    sender: str = "*"
    recipient: str = "*"  # matches when any recipient of the transaction matches
    client: str = "*"  # the client's address or its EHLO name
    attempts: int = 0  # 0: every attempt; N: the first N attempts only
    delay: float = 0.0  # seconds to wait before the reply
    disconnect: bool = False  # close the connection (after the reply, if any)
    greylist: float = 0.0  # SECS: per client/sender/recipient until SECS after its first try
    every: int = 0  # N: one matching attempt in N (the 1st, the N+1st, ...)
    unless: str = ""  # "tls" or "auth": not once the session has it
    hide: str = ""  # helo: EHLO keywords taken out of the reply ("STARTTLS AUTH")
    advertise: str = ""  # helo: EHLO lines added ("SIZE 1000")

    def describe(self) -> str:
        parts = [f"stage={self.stage}"]
        for f in fields(self)[1:]:
            value = getattr(self, f.name)
            if value != f.default:
                text = str(value).lower() if isinstance(value, bool) else str(value)
                parts.append(f"{f.name}={shlex.quote(text)}")
        return " ".join(parts)


def make_rule(values: dict[str, Any]) -> Rule:
    """A rule from a TOML table or typed key=value pairs; ValueError says what is wrong."""
    known = {f.name: f for f in fields(Rule)}
    unknown = sorted(set(values) - set(known))
    if unknown:
        raise ValueError(_("unknown rule key {key} (known: {known})").format(
            key=repr(unknown[0]), known=", ".join(known)))
    stage = str(values.get("stage", "")).lower()
    if stage not in STAGES:
        raise ValueError(_("stage must be one of {stages} (got {stage})").format(
            stages=", ".join(STAGES), stage=repr(stage or "none")))
    out: dict[str, Any] = {"stage": stage}
    for name in ("match", "sender", "recipient", "client"):
        if name in values:
            out[name] = str(values[name])
    if "reply" in values:
        reply = str(values["reply"]).strip()
        if not _REPLY.match(reply) or "\n" in reply or "\r" in reply:
            raise ValueError(_("reply must be one line, a code 2xx-5xx and a text (got"
                               " {reply})").format(reply=repr(reply)))
        out["reply"] = reply
    try:
        if "attempts" in values:
            out["attempts"] = int(values["attempts"])
        if "delay" in values:
            out["delay"] = float(values["delay"])
        if "greylist" in values:
            out["greylist"] = float(values["greylist"])
        if "every" in values:
            out["every"] = int(values["every"])
    except (TypeError, ValueError):
        raise ValueError(_("attempts and every take a whole number, delay and greylist a"
                           " number of seconds")) from None
    if out.get("attempts", 0) < 0 or not 0 <= out.get("delay", 0.0) <= 600:
        raise ValueError(_("attempts must be 0 or more, delay 0 to 600 seconds"))
    if out.get("every", 0) < 0 or not 0 <= out.get("greylist", 0.0) <= 86400:
        raise ValueError(_("every must be 0 or more, greylist 0 to 86400 seconds"))
    if "unless" in values:
        out["unless"] = str(values["unless"]).strip().lower()
        if out["unless"] not in ("", "tls", "auth"):
            raise ValueError(_("unless takes tls or auth"))
    for name in ("hide", "advertise"):
        if name not in values:
            continue
        if stage != "helo":
            raise ValueError(_("{name} goes with stage=helo").format(name=name))
        # hide: keywords; advertise: EHLO lines (keyword and parameters), comma-separated
        items = ([w.upper() for w in str(values[name]).replace(",", " ").split()]
                 if name == "hide" else
                 [" ".join(x.split()) for x in str(values[name]).split(",") if x.strip()])
        if not items or any(not _KEYWORD.match(x) or not x.isprintable() for x in items):
            raise ValueError(_("{name} takes EHLO keywords (got {value})").format(
                name=name, value=repr(values[name])))
        out[name] = " ".join(items) if name == "hide" else ", ".join(items)
    if stage == "text" and out.get("reply", "421")[:3] != "421":
        raise ValueError(_("at stage text the only reply is 421 (then the connection"
                           " closes)"))
    if "disconnect" in values:
        value = values["disconnect"]
        if isinstance(value, str):
            if value.lower() not in ("true", "false", "yes", "no", "1", "0"):
                raise ValueError(_("disconnect takes true or false"))
            value = value.lower() in ("true", "yes", "1")
        out["disconnect"] = bool(value)
    if "reply" not in out and not out.get("delay") and not out.get("disconnect") and not (
            out.get("hide") or out.get("advertise")):
        raise ValueError(_("a rule needs a reply, a delay, disconnect=true, hide or"
                           " advertise"))
    return Rule(**out)


def parse_typed(text: str) -> Rule:
    """`stage=rcpt match=*@x.test reply="550 5.1.1 no such user"` (the shell's :rule)."""
    try:
        words = shlex.split(text)
    except ValueError as exc:
        raise ValueError(_("cannot read the rule: {error}").format(error=exc)) from None
    values: dict[str, str] = {}
    for word in words:
        key, eq, value = word.partition("=")
        if not eq:
            raise ValueError(_("write each part as key=value (got {word})").format(
                word=repr(word)))
        values[key.strip().lower()] = value
    return make_rule(values)


def load(path: str) -> list[Rule]:
    """The rules of a TOML file: `[[rule]]` tables."""
    import tomllib

    try:
        with open(path, "rb") as f:
            doc = tomllib.load(f)
    except OSError as exc:
        raise ValueError(_("cannot read {path}: {reason}").format(
            path=path, reason=exc.strerror)) from None
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(_("{path} is not valid TOML: {error}").format(
            path=path, error=exc)) from None
    tables = doc.get("rule", [])
    if not isinstance(tables, list) or set(doc) - {"rule"}:
        raise ValueError(_("{path}: write each rule as a [[rule]] table").format(path=path))
    rules = []
    for n, table in enumerate(tables, 1):
        try:
            rules.append(make_rule(table))
        except ValueError as exc:
            raise ValueError(_("{path}: rule {n}: {error}").format(
                path=path, n=n, error=exc)) from None
    return rules


def _matches(pattern: str, value: str) -> bool:
    return pattern == "*" or fnmatch.fnmatchcase(value.lower(), pattern.lower())


class RuleSet:
    """The rules in force, and how often each has matched (shared by the server's thread
    and the shell)."""

    def __init__(self, rules: Iterable[Rule] = ()) -> None:
        self._lock = threading.Lock()
        self.rules: list[Rule] = list(rules)
        self._counts: dict[tuple[int, str, str, str], int] = {}
        self._first: dict[tuple[int, str, str, str], float] = {}  # greylist: first attempt
        self._every: dict[int, int] = {}

    def add(self, rule: Rule) -> None:
        with self._lock:
            self.rules.append(rule)

    def remove(self, index: int) -> Rule:
        with self._lock:
            return self.rules.pop(index)

    def clear(self) -> None:
        with self._lock:
            self.rules.clear()
            self._counts.clear()
            self._first.clear()
            self._every.clear()

    def check(self, stage: str, client: str, helo: str = "", sender: str = "",
              recipients: tuple[str, ...] = (), state: frozenset[str] = frozenset(),
              now: float | None = None) -> Rule | None:
        """The first rule for `stage` that matches (and counts this attempt), or None.
        `state`: what the session has ("tls", "auth")."""
        now = time.monotonic() if now is None else now
        with self._lock:
            for n, rule in enumerate(self.rules):
                if rule.stage != stage or (rule.unless and rule.unless in state):
                    continue
                if not (_matches(rule.client, client) or _matches(rule.client, helo)):
                    continue
                if not _matches(rule.sender, sender):
                    continue
                if rule.recipient != "*" and not any(_matches(rule.recipient, r)
                                                     for r in recipients):
                    continue
                subject = (sender if stage == "mail" else recipients[-1] if stage == "rcpt"
                           and recipients else None)
                if subject is None:
                    ok = rule.match == "*" or any(_matches(rule.match, x) for x in
                                                  (client, helo, sender, *recipients) if x)
                else:
                    ok = _matches(rule.match, subject)
                if not ok:
                    continue
                who = recipients[-1:] if stage == "rcpt" else recipients
                key = (n, client, sender, ",".join(who))
                if rule.attempts:
                    self._counts[key] = count = self._counts.get(key, 0) + 1
                    if count > rule.attempts:
                        continue
                if rule.greylist:
                    first = self._first.setdefault(key, now)
                    if now - first >= rule.greylist:
                        continue
                if rule.every:
                    self._every[n] = seen = self._every.get(n, 0) + 1
                    if (seen - 1) % rule.every:
                        continue
                return rule
        return None
