"""smtpsh in the shell ecosystem: completion scripts (bash, zsh from shtab; fish from the same
parser) and a man page, both generated from the argument parser (smtpsh.app.build_parser),
so that they always list the options this version has."""

from __future__ import annotations

import argparse
import datetime

SHELLS = ("bash", "zsh", "fish")


def completion(parser: argparse.ArgumentParser, shell: str) -> str:
    """The completion script for `shell` (bash: `eval "$(smtpsh --print-completion bash)"`)."""
    if shell == "fish":
        return _fish(parser)
    import shtab

    return str(shtab.complete(parser, shell=shell))


def _fish(parser: argparse.ArgumentParser) -> str:
    lines = ["# fish completion for smtpsh (smtpsh --print-completion fish)",
             "complete -c smtpsh -f"]
    for action in parser._actions:  # argparse keeps no public list of its actions
        if not action.option_strings or action.help == argparse.SUPPRESS:
            continue
        parts = ["complete -c smtpsh"]
        for opt in action.option_strings:
            if opt.startswith("--"):
                parts.append(f"-l {opt[2:]}")
            elif len(opt) == 2:
                parts.append(f"-s {opt[1:]}")
        if action.nargs != 0:
            parts.append("-r")
            if action.choices:
                parts.append("-a " + _q(" ".join(str(c) for c in action.choices)))
            elif action.metavar in ("FILE", "DIR"):
                parts.append("-F")
        if action.help:
            parts.append("-d " + _q(action.help.split(";")[0][:70]))
        lines.append(" ".join(parts))
    return "\n".join(lines) + "\n"


def _q(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _roff(text: str) -> str:
    text = text.replace("\\", "\\e").replace("-", "\\-")
    return "\n".join(("\\&" + line if line[:1] in (".", "'") else line)
                     for line in text.splitlines())


def manpage(parser: argparse.ArgumentParser, version: str) -> str:
    """smtpsh(1) in roff (man -l renders it): synopsis, options by group, exit status."""
    from smtpsh.exitcodes import MEANING

    date = datetime.date.today().isoformat()
    out = [f'.TH SMTPSH 1 "{date}" "smtpsh {version}" "User Commands"',
           ".SH NAME", "smtpsh \\- an interactive SMTP shell: talk to a mail server by hand",
           ".SH SYNOPSIS", ".B smtpsh", "[\\fIOPTIONS\\fR] \\fITARGET\\fR [\\fIPORT\\fR]",
           ".br", ".B smtpsh", "\\-\\-sandbox", ".SH DESCRIPTION",
           _roff(parser.description or ""),
           "On a terminal smtpsh opens an interactive shell; otherwise it runs the dialog"
           " from standard input or \\fB\\-c\\fR lines and says how it went in its exit status."]
    for group in parser._action_groups:
        actions = [a for a in group._group_actions if a.help != argparse.SUPPRESS]
        if not actions:
            continue
        title = {"positional arguments": "ARGUMENTS", "options": "OPTIONS"}.get(
            group.title or "", (group.title or "").upper())
        out.append(f".SH {_roff(title)}")
        for a in actions:
            if a.option_strings:
                meta = "" if a.nargs == 0 else " " + (
                    a.metavar if isinstance(a.metavar, str) else
                    "{" + ",".join(map(str, a.choices)) + "}" if a.choices else
                    a.dest.upper())
                head = ", ".join(f"\\fB{_roff(o)}\\fR" for o in a.option_strings)
                head += f"\\fI{_roff(meta)}\\fR" if meta else ""
            else:
                head = f"\\fI{_roff(str(a.metavar or a.dest))}\\fR"
            out += [".TP", head, _roff(a.help or "")]
    out.append(".SH EXIT STATUS")
    for code, text in MEANING.items():
        out += [".TP", f"\\fB{int(code)}\\fR", _roff(text)]
    out += [".SH SEE ALSO", "docs/reference.md and docs/tutorial.md in the source;"
            " \\fBswaks\\fR(1), \\fBpostfix\\fR(1)"]
    return "\n".join(out) + "\n"
