"""Fault rules for the sandbox: what the server does at a stage of the dialog, deterministic.

A rule names a stage and says what happens there when it matches: a reply instead of the
normal one, a delay before the reply, a disconnect. It matches on the client (its address or
its EHLO name), the sender, a recipient (shell-style patterns, `*` and `?`), and on the
attempt count: `attempts = N` applies the rule to the first N matching attempts only (per
client address, sender and recipient), so a retry after them goes through (greylisting).

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
from collections.abc import Iterable
from dataclasses import dataclass, fields
from typing import Any

# stage: what the rule replaces (the reply to ...)
STAGES = {
    "connect": "the greeting (a reply here is given instead of 220)",
    "helo": "EHLO or HELO",
    "starttls": "STARTTLS",
    "auth": "AUTH (before the exchange)",
    "mail": "MAIL FROM",
    "rcpt": "RCPT TO",
    "data": "the DATA command (before 354)",
    "message": "the end of the message (after the final dot)",
    "quit": "QUIT",
}
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
        raise ValueError(f"unknown rule key {unknown[0]!r} (known: {', '.join(known)})")
    stage = str(values.get("stage", "")).lower()
    if stage not in STAGES:
        raise ValueError(f"stage must be one of {', '.join(STAGES)} (got {stage or 'none'!r})")
    out: dict[str, Any] = {"stage": stage}
    for name in ("match", "sender", "recipient", "client"):
        if name in values:
            out[name] = str(values[name])
    if "reply" in values:
        reply = str(values["reply"]).strip()
        if not _REPLY.match(reply) or "\n" in reply or "\r" in reply:
            raise ValueError(f"reply must be one line, a code 2xx-5xx and a text (got {reply!r})")
        out["reply"] = reply
    try:
        if "attempts" in values:
            out["attempts"] = int(values["attempts"])
        if "delay" in values:
            out["delay"] = float(values["delay"])
    except (TypeError, ValueError):
        raise ValueError("attempts takes a whole number, delay a number of seconds") from None
    if out.get("attempts", 0) < 0 or not 0 <= out.get("delay", 0.0) <= 600:
        raise ValueError("attempts must be 0 or more, delay 0 to 600 seconds")
    if "disconnect" in values:
        value = values["disconnect"]
        if isinstance(value, str):
            if value.lower() not in ("true", "false", "yes", "no", "1", "0"):
                raise ValueError("disconnect takes true or false")
            value = value.lower() in ("true", "yes", "1")
        out["disconnect"] = bool(value)
    if "reply" not in out and not out.get("delay") and not out.get("disconnect"):
        raise ValueError("a rule needs a reply, a delay or disconnect=true")
    return Rule(**out)


def parse_typed(text: str) -> Rule:
    """`stage=rcpt match=*@x.test reply="550 5.1.1 no such user"` (the shell's :rule)."""
    try:
        words = shlex.split(text)
    except ValueError as exc:
        raise ValueError(f"cannot read the rule: {exc}") from None
    values: dict[str, str] = {}
    for word in words:
        key, eq, value = word.partition("=")
        if not eq:
            raise ValueError(f"write each part as key=value (got {word!r})")
        values[key.strip().lower()] = value
    return make_rule(values)


def load(path: str) -> list[Rule]:
    """The rules of a TOML file: `[[rule]]` tables."""
    import tomllib

    try:
        with open(path, "rb") as f:
            doc = tomllib.load(f)
    except OSError as exc:
        raise ValueError(f"cannot read {path}: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"{path} is not valid TOML: {exc}") from None
    tables = doc.get("rule", [])
    if not isinstance(tables, list) or set(doc) - {"rule"}:
        raise ValueError(f"{path}: write each rule as a [[rule]] table")
    rules = []
    for n, table in enumerate(tables, 1):
        try:
            rules.append(make_rule(table))
        except ValueError as exc:
            raise ValueError(f"{path}: rule {n}: {exc}") from None
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

    def check(self, stage: str, client: str, helo: str = "", sender: str = "",
              recipients: tuple[str, ...] = ()) -> Rule | None:
        """The first rule for `stage` that matches (and counts this attempt), or None."""
        with self._lock:
            for n, rule in enumerate(self.rules):
                if rule.stage != stage:
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
                if rule.attempts:
                    who = recipients[-1:] if stage == "rcpt" else recipients
                    key = (n, client, sender, ",".join(who))
                    self._counts[key] = count = self._counts.get(key, 0) + 1
                    if count > rule.attempts:
                        continue
                return rule
        return None
