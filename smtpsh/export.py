"""The command that reproduces a dialog with another tool: swaks, curl, openssl, smtplib.

Pure: it reads a `replay.Recording` (the dialog as the transcript has it: a script run, a
replayed file, or the shell's session) and prints shell text. Secrets never appear: the
password is `"$SMTPSH_PASSWORD"` (a token `"$SMTPSH_TOKEN"`), in the command and in each
base64 line to type. What the target tool cannot express is said in a `#` comment.
"""

from __future__ import annotations

import base64
import shlex
from dataclasses import dataclass, field

from smtpsh.protocol import split_command
from smtpsh.replay import Recording

FORMATS = ("swaks", "curl", "openssl", "python")
_EOF = "SMTPSH_EOF"


@dataclass
class Transaction:
    sender: str
    params: str = ""  # ESMTP parameters of MAIL FROM, as typed
    rcpts: list[str] = field(default_factory=list)
    message: list[str] | None = None  # None: no DATA with a 354


@dataclass
class Plan:
    """What the dialog did, in the terms the other tools take."""

    host: str
    port: int
    tls: str  # "none", "starttls", "implicit"
    ehlo: str = ""
    helo: bool = False  # HELO, not EHLO
    auth: tuple[str, str | None] | None = None
    transactions: list[Transaction] = field(default_factory=list)
    others: list[str] = field(default_factory=list)  # commands swaks and curl cannot send
    lines: list[str] = field(default_factory=list)  # every client line, after STARTTLS
    rcpt_params: bool = False


def _path(rest: str) -> tuple[str, str]:
    """('a@b', 'SIZE=10') from 'FROM:<a@b> SIZE=10'."""
    _, _, after = rest.partition(":")
    after = after.strip()
    if after.startswith("<"):
        addr, _, params = after[1:].partition(">")
    else:
        addr, _, params = after.partition(" ")
    return addr, params.strip()


def plan(recording: Recording, host: str, port: int, tls: str) -> Plan:
    p = Plan(host, port, "implicit" if tls == "implicit" else "none")
    current: Transaction | None = None
    lines_since_tls: list[str] = []
    for step in recording.steps:
        verb, rest = split_command(step.command)
        ok = bool(step.replies) and step.replies[-1].klass in (2, 3)
        if step.command in ("the greeting", "the end of the message"):
            if step.command != "the greeting":
                lines_since_tls.append(".")
            continue
        lines_since_tls.append(step.command)
        if verb in ("EHLO", "HELO", "LHLO"):
            p.ehlo, p.helo = rest, verb == "HELO"
        elif verb == "STARTTLS":
            p.tls = "starttls" if p.tls == "none" else p.tls
            lines_since_tls = []
        elif verb == "AUTH":
            p.auth = step.auth
        elif verb == "MAIL":
            addr, params = _path(rest)
            current = Transaction(addr, params)
            p.transactions.append(current)
        elif verb == "RCPT" and current is not None:
            addr, params = _path(rest)
            current.rcpts.append(addr)
            p.rcpt_params = p.rcpt_params or bool(params)
        elif verb == "DATA" and current is not None:
            current.message = step.message if ok else None
            if step.message:
                lines_since_tls += [("." + x if x.startswith(".") else x) for x in step.message]
        elif verb == "QUIT":
            pass
        else:
            p.others.append(step.command)
    p.lines = lines_since_tls
    return p


def _hostport(p: Plan) -> str:
    return f"[{p.host}]:{p.port}" if ":" in p.host else f"{p.host}:{p.port}"


def _heredoc(name: str, lines: list[str]) -> list[str]:
    return [f"cat > {name} <<'{_EOF}'", *lines, _EOF]


def _secret_env(mech: str) -> str:
    return "SMTPSH_TOKEN" if mech in ("XOAUTH2", "OAUTHBEARER") else "SMTPSH_PASSWORD"


def _limits(p: Plan, tool: str) -> list[str]:
    out = []
    if p.others:
        out.append(f"# not sent by {tool} (it has no way to): " + "; ".join(p.others))
    params = sorted({t.params for t in p.transactions if t.params})
    if params or p.rcpt_params:
        out.append(f"# {tool} sets no MAIL/RCPT parameters: "
                   + ("; ".join(params) if params else "those of RCPT") + " left out")
    if p.helo:
        out.append(f"# the dialog said HELO; {tool} says EHLO")
    return out


def swaks(p: Plan) -> str:
    out = ["# reproduce with swaks (https://jetmore.org/john/code/swaks/)"]
    out += _limits(p, "swaks")
    transactions = [t for t in p.transactions if t.rcpts] or [Transaction("")]
    if len(transactions) > 1:
        out.append(f"# swaks runs one transaction per connection: {len(transactions)}"
                   " commands below, one per MAIL FROM of the dialog")
    if p.auth:
        out.append(f"# the password: export {_secret_env(p.auth[0])}=...")
    for n, t in enumerate(transactions, 1):
        cmd = ["swaks", "--server", p.host, "--port", str(p.port)]
        if p.ehlo:
            cmd += ["--ehlo", p.ehlo]
        if p.tls == "starttls":
            cmd.append("--tls")
        elif p.tls == "implicit":
            cmd.append("--tls-on-connect")
        secret = ""
        if p.auth:
            mech, user = p.auth
            cmd += ["--auth", mech, "--auth-user", user or "USER"]
            secret = f' --auth-password "${_secret_env(mech)}"'
        if t.sender or t.rcpts:
            cmd += ["--from", t.sender, "--to", ",".join(t.rcpts)]
        else:
            out.append("# the dialog sent no mail: swaks needs --to; it stops after EHLO")
            cmd += ["--to", "postmaster", "--quit-after", "EHLO"]
        if t.message is not None:
            name = f"message-{n}.eml"
            out += _heredoc(name, t.message)
            # swaks ends the text with a line end of its own: one in the file would add a line
            out.append(f"perl -pi -e 'chomp if eof' {name}")
            cmd += ["--data", f"@{name}"]
        elif t.rcpts:
            cmd += ["--quit-after", "RCPT"]
        out.append(shlex.join(cmd) + secret)
    return "\n".join(out) + "\n"


def curl(p: Plan) -> str:
    out = ["# reproduce with curl (SMTP support: https://everything.curl.dev/usingcurl/smtp)"]
    out += _limits(p, "curl")
    transactions = [t for t in p.transactions if t.rcpts]
    if len(transactions) > 1:
        out.append(f"# curl runs one transaction per run: {len(transactions)} commands below")
    if not transactions:
        out.append("# the dialog sent no mail: curl has nothing to upload; it checks the"
                   " connection only")
        transactions = [Transaction("")]
    scheme = "smtps" if p.tls == "implicit" else "smtp"
    if p.auth:
        out.append(f"# the password: export {_secret_env(p.auth[0])}=...")
    for n, t in enumerate(transactions, 1):
        url = f"{scheme}://{_hostport(p)}/{p.ehlo}"
        cmd = ["curl", "--silent", "--show-error", "--url", url]
        if p.tls == "starttls":
            cmd.append("--ssl-reqd")
        secret = ""
        if p.auth:
            mech, user = p.auth
            cmd += ["--login-options", f"AUTH={mech}"]
            secret = f' --user "{user or "USER"}:${_secret_env(mech)}"'
        if t.rcpts:
            cmd += ["--mail-from", t.sender]
            for r in t.rcpts:
                cmd += ["--mail-rcpt", r]
        if t.message is not None:
            name = f"message-{n}.eml"
            out += _heredoc(name, t.message)
            cmd += ["--upload-file", name, "--crlf"]
        out.append(shlex.join(cmd) + secret)
    out.append("# for a certificate of your own CA add --cacert FILE (or -k to skip checks)")
    return "\n".join(out) + "\n"


def _auth_lines(p: Plan) -> tuple[list[str], list[str]]:
    """The lines to type for AUTH in openssl, and comments on how to make them."""
    assert p.auth is not None
    mech, user = p.auth
    user = user or "USER"
    env = _secret_env(mech)
    b64user = base64.b64encode(user.encode()).decode()
    if mech == "LOGIN":
        return (["AUTH LOGIN", b64user, f"<printf %s \"${env}\" | base64>"],
                [f"# the password line: printf %s \"${env}\" | base64"])
    if mech == "PLAIN":
        return (["AUTH PLAIN", f"<printf '\\0%s\\0%s' {shlex.quote(user)} \"${env}\" | base64>"],
                [f"# the answer: printf '\\0%s\\0%s' {shlex.quote(user)} \"${env}\""
                 " | base64 -w0"])
    return ([f"AUTH {mech}", "<the base64 answer>"],
            [f"# AUTH {mech}: openssl does not compute the answer; smtpsh does"])


def openssl(p: Plan) -> str:
    out = ["# reproduce with openssl s_client, then type the lines below it"]
    connect = ["openssl", "s_client"]
    if p.tls == "implicit":
        connect += ["-connect", _hostport(p)]
    else:
        connect += ["-starttls", "smtp", "-connect", _hostport(p)]
        if p.ehlo:
            connect += ["-name", p.ehlo]
        if p.tls == "none":
            out.append("# the dialog had no TLS; s_client speaks TLS only (it sends EHLO and"
                       " STARTTLS itself): the server must offer STARTTLS")
        else:
            out.append("# s_client sends the first EHLO and STARTTLS itself")
    connect += ["-crlf", "-quiet"]
    out.append("# -quiet: a line starting with R or Q goes out as typed (not renegotiate/quit);"
               " message lines are typed dot-stuffed, as on the wire")
    lines: list[str] = []
    comments: list[str] = []
    for line in p.lines:
        if split_command(line)[0] == "AUTH" and p.auth:
            typed, notes = _auth_lines(p)
            lines += typed
            comments += notes
        else:
            lines.append(line)
    out += comments
    out.append(shlex.join(connect))
    out += lines
    return "\n".join(out) + "\n"


def python(p: Plan) -> str:
    cls = "SMTP_SSL" if p.tls == "implicit" else "SMTP"
    out = ['"""Reproduces an smtpsh dialog with smtplib (python3 this_file.py)."""',
           "import os", "import smtplib", "import ssl", "",
           f"HOST, PORT = {p.host!r}, {p.port}",
           "CONTEXT = ssl.create_default_context()  # your CA: cafile=...", ""]
    kw = f", local_hostname={p.ehlo!r}" if p.ehlo else ""
    ctx = ", context=CONTEXT" if p.tls == "implicit" else ""
    out.append(f"with smtplib.{cls}(HOST, PORT{kw}{ctx}, timeout=30) as s:")
    body = ["s.helo()" if p.helo else "s.ehlo()"]
    if p.tls == "starttls":
        body += ["s.starttls(context=CONTEXT)", "s.ehlo()"]
    if p.auth:
        mech, user = p.auth
        method = {"PLAIN": "auth_plain", "LOGIN": "auth_login",
                  "CRAM-MD5": "auth_cram_md5"}.get(mech)
        env = _secret_env(mech)
        if method:
            body += [f"s.user, s.password = {user or 'USER'!r}, os.environ[{env!r}]",
                     f"s.auth({mech!r}, s.{method}, initial_response_ok=False)"]
        else:
            body.append(f"# AUTH {mech}: smtplib has no built-in answer; see smtplib.SMTP.auth")
    for t in p.transactions:
        if t.message is not None and t.rcpts:
            text = "".join(x + "\r\n" for x in t.message)
            opts = t.params.split()
            body.append(f"print(s.sendmail({t.sender!r}, {t.rcpts!r}, {text!r}.encode(),"
                        f" mail_options={opts!r}))")
        else:
            body.append(f"print(s.docmd('MAIL', {('FROM:<' + t.sender + '>')!r}))")
            body += [f"print(s.docmd('RCPT', {('TO:<' + r + '>')!r}))" for r in t.rcpts]
            body.append("print(s.rset())")
    for other in p.others:
        verb, rest = split_command(other)
        body.append(f"print(s.docmd({verb!r}, {rest!r}))")
    out += ["    " + x for x in body]
    if p.others:
        out.append("# other commands go in the order above (after the mail), with s.docmd")
    return "\n".join(out) + "\n"


def export(fmt: str, recording: Recording, host: str, port: int, tls: str) -> str:
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}: one of {', '.join(FORMATS)}")
    p = plan(recording, host, port, tls)
    return {"swaks": swaks, "curl": curl, "openssl": openssl, "python": python}[fmt](p)

