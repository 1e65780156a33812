"""The knowledge base: reply codes, enhanced status codes, verbs and EHLO keywords.

The facts live in smtpsh/data/*.json, each entry with its RFC; this module reads them lazily
(stdlib only, so that importing it costs nothing at startup) and words the answers.
"""

from __future__ import annotations

import os
import re
import sys
from functools import cache
from typing import Any

from smtpsh.exitcodes import Exit
from smtpsh.i18n import N_, _, language

_DATA = os.path.join(os.path.dirname(__file__), "data")
_WIDTH = 78

# Patterns, compiled by re (and kept in its cache) on first use, not at start-up.
_BASIC = r"[2-5][0-5]\d"
_ENHANCED = r"([245Xx])\.(\d{1,3})\.(\d{1,3})"
_WORD = r"[A-Za-z0-9][A-Za-z0-9-]*"
# A reply line as servers send it and logs quote it: "550 5.1.1 text", "550-5.1.1 text".
_REPLY = r"([2-5]\d\d)(?:[ -]|$)\s*(?:([245]\.\d{1,3}\.\d{1,3})(?:\s|$))?(.*)"
# Where logs and bounces put the server's reply: Postfix "said:", DSN "smtp;".
_QUOTED_REPLY = r"(?i)(?:\bsaid:|\bsmtp;)\s*"
_IN_REPLY_TO = r"(?i)\(in reply to (.+?)(?: command)?\)"
_DSN_FIELD = r"\bdsn=([245]\.\d{1,3}\.\d{1,3})\b"



_KIND_WORDS = {
    "intermediate": N_("go on"),
    "temporary": N_("temporary: retry later"),
    "permanent": N_("permanent: do not retry unchanged"),
}
_KIND_NAMES = {"success": N_("success"), "intermediate": N_("intermediate"),
               "temporary": N_("temporary"), "permanent": N_("permanent"), "other": N_("other")}
_CLASS_KIND = {"2": "success", "4": "temporary", "5": "permanent"}
_STATE_WORDS = {
    "connected": N_("after the greeting"),
    "greeted": N_("after EHLO/HELO"),
    "mail": N_("after MAIL FROM"),
    "rcpt": N_("after RCPT TO"),
    "data": N_("while sending the message"),
}
# The human texts of the knowledge base: the only fields a translation (data/de/) holds.
TEXT_FIELDS = frozenset({"label", "title", "meaning", "action", "when", "description", "note",
                         "who", "help"})


class UnknownThing(ValueError):
    """explain() was given something the knowledge base does not know."""


@cache
def _data(name: str, lang: str = "en") -> dict[str, Any]:
    """A knowledge-base file, its human texts in `lang` (merged from data/<lang>/)."""
    import json  # here, with the first question: not at start-up

    with open(os.path.join(_DATA, name), encoding="utf-8") as f:
        data: dict[str, Any] = json.load(f)
    if lang != "en":
        with open(os.path.join(_DATA, lang, name), encoding="utf-8") as f:
            merge(data, json.load(f))
    return data


def _kb(name: str) -> dict[str, Any]:
    lang = language()
    return _data(name) if lang == "en" else _data(name, lang)


def merge(facts: Any, texts: Any, where: str = "") -> None:
    """Lay a translation's texts over the English entries (in place).

    The translation has the English file's keys and only its human texts (TEXT_FIELDS): a
    list of named entries (MAIL's params) is keyed there by name, other lists by position.
    A key the English file lacks, or a fact in the translation, is an error.
    """
    if isinstance(facts, list):
        named = isinstance(texts, dict)
        items = {e["name"]: e for e in facts} if named else dict(enumerate(facts))
        pairs = texts.items() if named else enumerate(texts)
        for key, text in pairs:
            if key not in items:
                raise KeyError(f"{where}[{key}]: not in the English knowledge base")
            merge(items[key], text, f"{where}[{key}]")
        return
    for key, text in texts.items():
        if key not in facts:
            raise KeyError(f"{where}.{key}: not in the English knowledge base")
        if isinstance(text, str):
            if key not in TEXT_FIELDS:
                raise KeyError(f"{where}.{key}: a fact, kept in the English file only")
            facts[key] = text
        else:
            merge(facts[key], text, f"{where}.{key}")


def reply_code(code: int) -> dict[str, Any] | None:
    """A basic reply code's entry, or its reading by digits when no RFC lists it.

    None when the code is not of the form RFC 5321 §4.2 allows.
    """
    text = str(code)
    if isinstance(code, bool) or not re.fullmatch(_BASIC, text):
        return None
    data = _kb("replycodes.json")
    first = data["first_digit"][text[0]]
    second = data["second_digit"][text[1]]
    entry = data["codes"].get(text)
    info: dict[str, Any] = {"code": int(text), "kind": first["kind"], "first": first,
                            "second": second, "registered": entry is not None}
    if entry:
        info.update(entry)
    else:
        info.update(title=f"{first['title']}, {second['title'].lower()}",
                    meaning=_("Second digit {digit}: {meaning}.").format(
                        digit=text[1], meaning=second["meaning"]),
                    source=first["source"])
    return info


def enhanced_code(code: str) -> dict[str, Any] | None:
    """An enhanced status code's entry ("5.7.26" or "X.7.26").

    A well-formed code that the registry does not list is read by its class and subject.
    None when it is not of the form class.subject.detail (RFC 3463 §2).
    """
    match = re.fullmatch(_ENHANCED, code.strip())
    if not match:
        return None
    klass, subject, detail = match[1].upper(), int(match[2]), int(match[3])
    data = _kb("enhanced.json")
    pattern = f"X.{subject}.{detail}"
    entry = data["codes"].get(pattern)
    subj = data["subjects"].get(str(subject))
    info: dict[str, Any] = {"code": f"{klass}.{subject}.{detail}", "pattern": pattern,
                            "class": data["classes"].get(klass), "subject": subj,
                            "kind": _CLASS_KIND.get(klass), "registered": entry is not None}
    if entry:
        info.update(entry)
    elif subj:
        info.update(title=_("{title} (detail {detail} is not registered)").format(
                        title=subj["title"], detail=detail),
                    description=_("The registry lists no code {pattern}: only its class "
                                  "and subject tell what it is about.").format(pattern=pattern),
                    basic=[], classes=[2, 4, 5], source=subj["source"])
    else:
        info.update(title=_("Unregistered subject {subject}").format(subject=subject),
                    description=_("No subject sub-code of this number is registered; only "
                                  "the class digit tells anything."),
                    basic=[], classes=[2, 4, 5], source="RFC 3463 §2")
    return info


def verb(name: str) -> dict[str, Any] | None:
    """An SMTP command's entry (case-insensitive), or None."""
    key = name.strip().upper()
    entry = _kb("verbs.json")["verbs"].get(key)
    return {"name": key, **entry} if entry else None


@cache
def valid_states(name: str) -> frozenset[str] | None:
    """The dialog states in which a verb makes sense (None for a verb not known). A fact:
    the same in every language, so asked once per verb (the core asks for every command)."""
    entry = _data("verbs.json")["verbs"].get(name.strip().upper())
    return frozenset(entry["states"]) if entry else None


@cache
def needs_keyword(name: str) -> str | None:
    """The EHLO keyword a verb needs advertised (STARTTLS, CHUNKING for BDAT ...), if any."""
    entry = _data("verbs.json")["verbs"].get(name.strip().upper())
    return entry.get("keyword") if entry else None


def param_keyword(verb_name: str, param: str, value: str | None = None) -> str | None:
    """The EHLO keyword that allows a MAIL/RCPT parameter (with this value); None if unknown."""
    entry = verb(verb_name)
    for p in entry.get("params", []) if entry else []:
        if p["name"] == param.upper():
            return p.get("values", {}).get((value or "").upper(), p["extension"])
    return None


def param_choices(verb_name: str) -> list[tuple[str, str, str]]:
    """(text to type, EHLO keyword it needs, meaning) for each MAIL/RCPT parameter."""
    entry = verb(verb_name)
    out = []
    for p in entry.get("params", []) if entry else []:
        name, meaning = p["name"], f"{p['help']} ({p['source']})"
        if p.get("values"):
            out += [(f"{name}={v}", kw, meaning) for v, kw in p["values"].items()]
        elif "=" in p["syntax"]:
            out.append((f"{name}=", p["extension"], meaning))
        else:
            out.append((name, p["extension"], meaning))
    return out


def keyword(name: str) -> dict[str, Any] | None:
    """An EHLO keyword's entry (case-insensitive), or None."""
    key = name.strip().upper()
    entry = _kb("keywords.json")["keywords"].get(key)
    return {"name": key, **entry} if entry else None


def verbs() -> list[str]:
    return list(_kb("verbs.json")["verbs"])


def params(extension: str | None = None) -> list[dict[str, Any]]:
    """MAIL and RCPT parameters (with the verb they go with), optionally of one extension."""
    found = []
    for name in ("MAIL", "RCPT"):
        for p in _kb("verbs.json")["verbs"][name].get("params", []):
            owners = {p["extension"], *p.get("values", {}).values()}
            if extension is None or extension.upper() in owners:
                found.append({"verb": name, **p})
    return found


def one_line(code: int, enhanced: str | None = None) -> str:
    """A short meaning of a reply, for the dim line under a 4xx/5xx reply."""
    basic = reply_code(code)
    detail = enhanced_code(enhanced) if enhanced else None
    # X.Y.0 codes are "other or undefined": then the basic code's title says more.
    if detail and detail["registered"] and not (basic and detail["pattern"].endswith(".0")):
        title = detail["title"]
    elif basic:
        title = basic["title"]
    elif detail:
        title = detail["title"]
    else:
        return _("not an SMTP reply code")
    kind = basic["kind"] if basic else detail["kind"] if detail else None
    # A success gets no word of its own: "Authentication succeeded", not "... (success)".
    words = _KIND_WORDS.get(kind) if kind else None
    return f"{title} ({_(words)})" if words else title


# ---------------------------------------------------------------------------------------
# explain(): the multi-line answers of `smtpsh --explain` and the shell's explain command.


def explain(thing: str) -> str:
    """A plain-text answer about a code, a reply line, a verb or an EHLO keyword."""
    text = " ".join(thing.split())
    basic = reply_code(int(text)) if re.fullmatch(_BASIC, text) else None
    if basic:
        return _explain_basic(basic)
    if re.fullmatch(r"\d{3}", text):
        raise UnknownThing("smtpsh: " + _(
            "{text} is not an SMTP reply code: the first digit is 2, 3, 4 or 5 and the "
            "second 0 to 5 (RFC 5321 §4.2)").format(text=text))
    detail = enhanced_code(text)
    if detail:
        return _explain_enhanced(detail)
    if re.fullmatch(r"\d{1,3}\.\d{1,3}\.\d{1,3}", text):
        raise UnknownThing("smtpsh: " + _(
            "{text} is not an enhanced status code: the class digit is 2, 4 or 5 "
            "(RFC 3463 §2)").format(text=text))
    if re.fullmatch(_WORD, text):
        answer = _explain_name(text)
        if answer:
            return answer
    reply = _parse_reply(thing)
    if reply:
        return _explain_reply(*reply)
    command = verb(re.split(r"[\s:]", text, maxsplit=1)[0])
    if command:  # a command line such as "MAIL FROM:<a@example.org> SIZE=100"
        return _explain_verb(command)
    answer = _explain_param(text)
    if answer:
        return answer
    dsn = re.search(_DSN_FIELD, text)
    detail = enhanced_code(dsn[1]) if dsn else None
    if detail:  # a log line with only "dsn=5.1.1"
        return _explain_enhanced(detail)
    shown = text if len(text) <= 60 else text[:57] + "..."
    raise UnknownThing("smtpsh: " + _(
        "nothing known about {thing}: give a reply code (550), an enhanced code (5.7.1), "
        "a reply line, a verb or an EHLO keyword").format(thing=repr(shown)))


def main_explain(thing: str) -> int:
    """`smtpsh --explain THING`: print the answer, or a one-line error on stderr."""
    try:
        print(explain(thing))
    except UnknownThing as exc:
        print(exc, file=sys.stderr)
        return Exit.USAGE
    return Exit.OK


def _para(text: str, indent: str = "  ", first: str | None = None) -> str:
    import textwrap

    return textwrap.fill(text, _WIDTH, initial_indent=indent if first is None else first,
                         subsequent_indent=indent, break_on_hyphens=False)


def _field(label: str, text: str) -> str:
    return _para(text, " " * 15, f"  {_(label):<13}")


def _kind_sentence(kind: str | None, digit: str) -> str:
    data = _kb("replycodes.json")["first_digit"]
    for entry in data.values():
        if entry["kind"] == kind:
            return f"{entry['label']} ({digit}): {entry['meaning']}"
    return ""


def _basic_lines(info: dict[str, Any]) -> list[str]:
    lines = [_para(info["meaning"])]
    for context in info.get("contexts", []):
        when = context["when"]
        lines.append(_para(f"{when[0].upper()}{when[1:]}: {context['meaning']} "
                           f"[{context['source']}]"))
    if not info["registered"]:
        lines.append(_para(_("No RFC defines this code; it is read by its digits.")))
    return lines


def _explain_basic(info: dict[str, Any]) -> str:
    code = str(info["code"])
    lines = [f"{code} {info['title']}",
             _para(_kind_sentence(info["kind"], f"{code[0]}xx")),
             *_basic_lines(info)]
    if info.get("action"):
        lines.append(_field("What to do:", info["action"]))
    lines.append(_field("Source:", info["source"]))
    return "\n".join(lines)


def _enhanced_lines(info: dict[str, Any]) -> list[str]:
    lines = []
    if info["subject"]:
        subject = info["subject"]
        lines.append(_para(_("Subject {number}, {title}: {meaning} Who can fix it: {who}.")
                           .format(number=info["pattern"].split(".")[1], **subject)))
    lines.append(_para(info["description"]))
    if info.get("note"):
        lines.append(_para(_("Note: {note}").format(note=info["note"])))
    if info.get("deprecated"):
        lines.append(_para(_("Deprecated: do not use it.")))
    # The registry lists the basic codes of all classes a code is used in; a code of a
    # known class (5.1.1, not X.1.1) goes only with the basic codes of its own class.
    klass = info["code"][0]
    basic = [c for c in info["basic"] if klass not in "245" or str(c)[0] == klass]
    if basic:
        lines.append(_field("Goes with:", _("basic codes {codes}").format(
            codes=", ".join(map(str, basic)))))
    return lines


def _explain_enhanced(info: dict[str, Any]) -> str:
    lines = [f"{info['code']} {info['title']}"]
    if info["class"]:
        klass = info["class"]
        lines.append(_para(_("Class {digit}, {title}: {meaning}").format(
            digit=info["code"][0], **klass)))
    else:
        used = ", ".join(f"{c}.{info['pattern'][2:]}" for c in info["classes"])
        lines.append(_para(_("Used as {codes}.").format(codes=used)))
    lines += _enhanced_lines(info)
    if info.get("action"):
        lines.append(_field("What to do:", info["action"]))
    source = info["source"]
    if info["registered"]:
        source += _(" (IANA SMTP Enhanced Status Codes registry)")
    lines.append(_field("Source:", source))
    return "\n".join(lines)


def _parse_reply(thing: str) -> tuple[int, str | None, str, str | None] | None:
    """(code, enhanced code, server text, command) from a pasted reply or log line."""
    lines = [line.strip() for line in thing.strip().splitlines() if line.strip()]
    if not lines:
        return None
    head = lines[0]
    quoted = re.search(_QUOTED_REPLY, head)
    match = re.match(_REPLY, head[quoted.end():] if quoted else head)
    if not match or not re.fullmatch(_BASIC, match[1]):
        return None
    texts = [match[3]]
    for line in lines[1:]:  # continuation lines repeat the codes: keep only their text
        more = re.match(_REPLY, line)
        texts.append(more[3] if more else line)
    text = " ".join(t for t in texts if t)
    command = re.search(_IN_REPLY_TO, text)
    if command:
        text = (text[:command.start()] + text[command.end():]).strip()
    text = text.strip()
    if text.endswith(")") and text.count(")") > text.count("("):
        text = text[:-1].strip()  # the log's own "(host ... said: ...)" closes here
    return int(match[1]), match[2], text, command[1] if command else None


def _explain_reply(code: int, enhanced: str | None, text: str, command: str | None) -> str:
    basic = reply_code(code)
    assert basic is not None  # _parse_reply only returns well-formed codes
    detail = enhanced_code(enhanced) if enhanced else None
    title = detail["title"] if detail and detail["registered"] else basic["title"]
    head = f"{code} {enhanced}" if enhanced else str(code)
    lines = [f"{head}: {title}", _para(_kind_sentence(basic["kind"], f"{code // 100}xx"))]
    if command:
        lines.append(_field("In reply to:", command))
    if text:
        lines.append(_field("Server said:", text))
    lines += ["", f"{code} {basic['title']}  [{basic['source']}]", *_basic_lines(basic)]
    if detail:
        lines += ["", f"{detail['code']} {detail['title']}  [{detail['source']}]",
                  *_enhanced_lines(detail)]
        if detail["kind"] != basic["kind"]:
            lines.append(_para(_(
                "Note: the enhanced code's class ({digit}) disagrees with the basic code "
                "({basic}xx); clients act on the basic code (RFC 3463 §2).").format(
                    digit=detail["code"][0], basic=code // 100)))
    action = (detail or {}).get("action") or basic.get("action")
    if action:
        lines += ["", _field("What to do:", action)]
    return "\n".join(lines)


def _states(entry: dict[str, Any]) -> str:
    once = [_("once per session")] if entry.get("once") else []
    return "; ".join([*(_(_STATE_WORDS[s]) for s in entry["states"]), *once])


def _replies(codes: list[int]) -> str:
    groups: dict[str, list[str]] = {}
    for code in codes:
        info = reply_code(code)
        kind = info["kind"] if info else "other"
        groups.setdefault(kind, []).append(str(code))
    return "; ".join(f"{_(_KIND_NAMES.get(kind, kind))} {', '.join(found)}"
                     for kind, found in groups.items())


def _explain_verb(entry: dict[str, Any]) -> str:
    lines = [f"{entry['name']}: " + _("SMTP command")
             + (_(" (obsolete)") if entry.get("obsolete") else ""),
             _para(entry["help"]),
             _field("Syntax:", entry["syntax"]),
             _field("Example:", entry["example"]),
             _field("Valid:", _states(entry)),
             _field("Replies:", _replies(entry["replies"]))]
    if entry.get("keyword"):
        lines.append(_field("Needs:", _("{keyword} in the EHLO reply").format(
            keyword=entry["keyword"])))
    if entry.get("note"):
        lines.append(_field("Note:", entry["note"]))
    if entry.get("params"):
        lines.append(_("  Parameters (each only when the EHLO reply lists its extension):"))
        for p in entry["params"]:
            lines.append(f"    {p['syntax']}  [{p['extension']}, {p['source']}]")
            lines.append(_para(p["help"], " " * 8))
    lines.append(_field("Source:", entry["source"]))
    return "\n".join(lines)


def _explain_keyword(entry: dict[str, Any]) -> str:
    lines = [_("{name}: EHLO keyword, {title}").format(name=entry["name"], title=entry["title"])
             + (_(" (obsolete)") if entry.get("obsolete") else ""),
             _para(entry["help"]),
             _field("Advertised:", entry["example"]),
             _field("Syntax:", entry["syntax"])]
    for name in entry.get("verbs", []):
        command = verb(name)
        if command:
            lines.append(_field("Command:", command["syntax"]))
    for p in params(entry["name"]):
        lines.append(_field("Parameter:", f"{p['verb']} ... {p['syntax']}: {p['help']}"))
    if entry.get("note"):
        lines.append(_field("Note:", entry["note"]))
    lines.append(_field("Source:", entry["source"]))
    return "\n".join(lines)


def _explain_name(name: str) -> str | None:
    parts = []
    found = verb(name)
    if found:
        parts.append(_explain_verb(found))
    found = keyword(name)
    if found:
        parts.append(_explain_keyword(found))
    return "\n\n".join(parts) or None


def _explain_param(text: str) -> str | None:
    """A MAIL/RCPT parameter such as BODY=8BITMIME or NOTIFY=SUCCESS."""
    name = text.split("=", 1)[0].upper()
    if not re.fullmatch(_WORD, name):
        return None
    for p in params():
        if p["name"] == name:
            return "\n".join([_("{name}: parameter of {verb} ({extension} extension)")
                              .format(**p),
                              _para(p["help"]),
                              _field("Syntax:", f"{p['verb']} ... {p['syntax']}"),
                              _field("Source:", p["source"])])
    return None
