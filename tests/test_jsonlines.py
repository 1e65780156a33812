"""--json: every event a JSON object of the documented schema, secrets redacted."""

from __future__ import annotations

import base64
import json
from pathlib import Path

from conftest import PASSWORD, USER

from smtpsh.exitcodes import Exit

COMMON = {"v": int, "ts": str, "tls": bool, "event": str}
SCHEMA: dict[str, dict[str, type | tuple[type, ...]]] = {
    "sent": {"text": str, "data": bool, "secret": bool},
    "reply": {"code": int, "enhanced": (str, type(None)), "lines": list,
              "answering": (str, type(None)), "verb": (str, type(None)),
              "elapsed_ms": (float, int, type(None)), "warnings": list},
    "garbage": {"line": str, "reason": str},
    "note": {"text": str},
    "warning": {"text": str},
    "expect": {"ok": bool, "expected": str, "got": (dict, type(None)), "command": str,
               "line": int},
}


def events(stdout: bytes) -> list[dict]:
    out = []
    for line in stdout.decode().splitlines():
        obj = json.loads(line)  # every line is one JSON object
        assert obj["v"] == 1
        for key, kind in {**COMMON, **SCHEMA[obj["event"]]}.items():
            assert isinstance(obj[key], kind), (key, obj)
        assert set(obj) == set(COMMON) | set(SCHEMA[obj["event"]]), obj
        out.append(obj)
    return out


def test_every_event_kind_follows_the_schema(smtpsh, starttls_server, ca_file):
    """STARTTLS, AUTH, a refusal, a message, an expectation met and one failed."""
    dialog = (f"EHLO me.test\nSTARTTLS\nEHLO me.test\nAUTH PLAIN\n{USER}\n{PASSWORD}\n"
              "MAIL FROM:<a@x.test>\n?250\nRCPT TO:<b@y.test>\nDATA\nSubject: j\n\nhi\n.\n"
              "?550\nBOGUS\n")
    p = smtpsh("--json", "--cafile", ca_file, "127.0.0.1", str(starttls_server.port),
               input=dialog)
    assert p.returncode == Exit.EXPECT, p.stderr
    evs = events(p.stdout)
    kinds = {e["event"] for e in evs}
    assert {"sent", "reply", "note", "expect"} <= kinds
    assert PASSWORD not in p.stdout.decode()
    assert any(e["event"] == "sent" and e["secret"] for e in evs)
    replies = [e for e in evs if e["event"] == "reply"]
    assert replies[0]["answering"] == "the connection (greeting)"
    assert any(e["answering"] == "the end of the message" for e in replies)
    assert any(e["tls"] for e in evs) and not evs[0]["tls"]
    checks = [e for e in evs if e["event"] == "expect"]
    assert [c["ok"] for c in checks] == [True, False]
    assert checks[1]["got"]["code"] == 250 and checks[1]["line"] == 15


def test_json_and_transcript_hide_the_same_secrets(smtpsh, smtps_server, ca_file,
                                                   tmp_path: Path):
    t = tmp_path / "t.log"
    p = smtpsh("--json", "--tls", "--cafile", ca_file, "--auth", "PLAIN", "--user", USER,
               "--transcript", str(t), "127.0.0.1", str(smtps_server.port), input="NOOP\n",
               env_extra={"SMTPSH_PASSWORD": PASSWORD})
    assert p.returncode == Exit.OK, p.stdout
    events(p.stdout)
    blob = base64.b64encode(f"\0{USER}\0{PASSWORD}".encode()).decode()
    for text in (p.stdout.decode(), t.read_text()):
        assert PASSWORD not in text and blob not in text
    assert "[redacted]" in p.stdout.decode()
