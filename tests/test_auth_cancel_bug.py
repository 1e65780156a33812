"""AUTH cancelled with * in a script: the bug found by the e2e tests (fails until fixed)."""

from __future__ import annotations

from test_core_bugs import line_after, out


def test_lines_after_a_cancelled_auth_run_as_commands(smtpsh, postfix_server):
    """`*` answered the exchange: the next lines are commands again, not skipped as its
    answers, and not hidden as secrets."""
    pf = postfix_server
    p = smtpsh("--tls", "--cafile", str(pf.ca_path), "127.0.0.1", str(pf.smtps_port),
               input="EHLO client.test\nAUTH LOGIN\n*\nNOOP\nQUIT\n")
    text = out(p)
    assert "line(s) (its answers) are skipped" not in text, text
    assert "[redacted]" not in text, text
    assert line_after(text, "C: NOOP") == "S: 250 2.0.0 Ok", text
    assert line_after(text, "C: QUIT") == "S: 221 2.0.0 Bye", text
