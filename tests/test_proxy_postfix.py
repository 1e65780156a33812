"""--proxy-protocol v1/v2 against Postfix with smtpd_upstream_proxy_protocol = haproxy, and
--proxy through microsocks to Postfix: the delivered message's Received line names the client
the header claims."""

from __future__ import annotations

import pytest
from proxies import Proxies, require

from smtpsh.exitcodes import Exit

pytestmark = pytest.mark.timeout(60)


def dialog(rcpt: str) -> list[str]:
    return ["-c", "EHLO client.smtpsh.test", "-c", "MAIL FROM:<a@client.smtpsh.test>",
            "-c", f"RCPT TO:<{rcpt}>", "-c", "DATA", "-c", "Subject: claimed", "-c", "",
            "-c", "hi", "-c", ".", "-c", "QUIT"]


@pytest.mark.parametrize("version, claimed", [("v1", "127.0.0.77"), ("v2", "127.0.0.88")])
def test_postfix_records_the_claimed_client(smtpsh, postfix_server, version, claimed,
                                            tmp_path):
    pf = postfix_server
    rcpt = f"proxy-{version}@{pf.domain}"
    t = tmp_path / "t.log"
    p = smtpsh("--proxy-protocol", version, "--proxy-source", f"{claimed}:40077",
               "--transcript", str(t), pf.host, str(pf.proxy_protocol_port), *dialog(rcpt))
    out = p.stdout.decode()
    assert p.returncode == Exit.OK, out + p.stderr.decode()
    if version == "v1":
        header = f"C: PROXY TCP4 {claimed} 127.0.0.1 40077 {pf.proxy_protocol_port}\\r\\n"
        assert header in out and header in t.read_text()
    else:
        assert "C: \\r\\n\\r\\n\\x00\\r\\nQUIT\\n!\\x11\\x00\\x0c" in out
    assert f"PROXY protocol {version} header sent" in out
    assert out.index("header sent") < out.index("S: 220")
    (msg,) = pf.wait_for_messages(1, recipient=rcpt)
    assert f"Received: from client.smtpsh.test (unknown [{claimed}])".encode() in msg, msg


def test_without_a_header_postfix_refuses(smtpsh, postfix_server):
    pf = postfix_server
    # Garbage where the header belongs: 421 at once (silence would take Postfix's timeout).
    p = smtpsh(pf.host, str(pf.proxy_protocol_port), "-c", "EHLO client.smtpsh.test",
               "-c", "QUIT", "--timeout", "8")
    out = p.stdout.decode()
    assert p.returncode != Exit.OK, out
    assert "S: 421 4.3.0" in out or "timed out" in (out + p.stderr.decode()), out


def test_the_header_through_a_socks_proxy(smtpsh, postfix_server, tmp_path):
    require()
    pf = postfix_server
    rcpt = f"proxy-socks@{pf.domain}"
    proxies = Proxies(tmp_path, pf.proxy_protocol_port).start()
    try:
        p = smtpsh("--proxy", f"socks5://127.0.0.1:{proxies.socks_port}",
                   "--proxy-protocol", "v1", "--proxy-source", "127.0.0.66:1234",
                   pf.host, str(pf.proxy_protocol_port), *dialog(rcpt))
    finally:
        proxies.stop()
    out = p.stdout.decode()
    assert p.returncode == Exit.OK, out + p.stderr.decode()
    assert "through the proxy socks5://" in out
    (msg,) = pf.wait_for_messages(1, recipient=rcpt)
    assert b"Received: from client.smtpsh.test (unknown [127.0.0.66])" in msg, msg
