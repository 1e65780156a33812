"""--proxy end to end: the console script through real proxies (microsocks, tinyproxy) to an
aiosmtpd server on loopback; each failure's one line and exit status; --proxy env; --mx
through the proxy; and the PROXY protocol header as bytes."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from dnsserver import ZoneServer
from postfix import free_ports
from proxies import PASSWORD, USER, Proxies, require

from smtpsh.exitcodes import Exit
from smtpsh.proxy import ProxySpec, parse_proxy, parse_source, proxy_header

DIALOG = ["-c", "EHLO client.smtpsh.test", "-c", "MAIL FROM:<a@smtpsh.test>",
          "-c", "RCPT TO:<b@smtpsh.test>", "-c", "DATA", "-c", "Subject: via proxy",
          "-c", "", "-c", "hello", "-c", ".", "-c", "QUIT"]


@pytest.fixture
def proxies(smtp_server, tmp_path) -> Iterator[Proxies]:
    require()
    p = Proxies(tmp_path, smtp_server.port).start()
    yield p
    p.stop()


def closed_port() -> int:
    return free_ports(1)[0]


@pytest.mark.parametrize("url", [
    "socks5://127.0.0.1:{socks}",
    "socks5h://127.0.0.1:{socks}",
    f"socks5://{USER}:{PASSWORD}@127.0.0.1:{{auth}}",
    f"socks5h://{USER}:{PASSWORD}@127.0.0.1:{{auth}}",
    "http://127.0.0.1:{http}",
])
def test_the_message_arrives_through_each_proxy(smtpsh, smtp_server, handler, proxies, url):
    url = url.format(socks=proxies.socks_port, auth=proxies.socks_auth_port,
                     http=proxies.http_port)
    p = smtpsh("--proxy", url, "127.0.0.1", str(smtp_server.port), *DIALOG)
    out = p.stdout.decode()
    assert p.returncode == Exit.OK, out + p.stderr.decode()
    shown = url.replace(f":{PASSWORD}@", "@")
    assert f"through the proxy {shown}" in out
    assert PASSWORD not in out + p.stderr.decode()
    assert "S: 250 2.0.0 OK queued" in out
    assert len(handler.envelopes) == 1
    assert b"hello" in handler.envelopes[0].original_content


def test_socks5h_sends_the_name_to_the_proxy(smtpsh, smtp_server, handler, proxies):
    p = smtpsh("--proxy", f"socks5h://127.0.0.1:{proxies.socks_port}", "localhost",
               str(smtp_server.port), "-4", *DIALOG)
    assert p.returncode == Exit.OK, p.stdout.decode() + p.stderr.decode()
    assert len(handler.envelopes) == 1


def test_proxy_env_reads_all_proxy_only_when_asked(smtpsh, smtp_server, handler, proxies):
    env = {"ALL_PROXY": f"socks5://127.0.0.1:{proxies.socks_port}"}
    p = smtpsh("--proxy", "env", "127.0.0.1", str(smtp_server.port), *DIALOG, env_extra=env)
    out = p.stdout.decode()
    assert p.returncode == Exit.OK, out + p.stderr.decode()
    assert f"through the proxy socks5://127.0.0.1:{proxies.socks_port}" in out
    # Without --proxy env, ALL_PROXY is not used (here: it names a proxy that is down).
    env = {"ALL_PROXY": f"socks5://127.0.0.1:{closed_port()}"}
    p = smtpsh("127.0.0.1", str(smtp_server.port), "-c", "QUIT", env_extra=env)
    assert p.returncode == Exit.OK and "through the proxy" not in p.stdout.decode()
    p = smtpsh("--proxy", "env", "127.0.0.1", str(smtp_server.port), "-c", "QUIT",
               env_extra={"ALL_PROXY": "", "all_proxy": ""})
    assert p.returncode == Exit.USAGE
    assert "--proxy: env: ALL_PROXY (or all_proxy) is not set" in p.stderr.decode()


def _failure(p) -> str:
    text = (p.stdout + p.stderr).decode()
    lines = [x for x in text.splitlines() if "proxy" in x and "through the proxy" not in x]
    assert len(lines) == 1, text
    return lines[0]


def test_auth_refused(smtpsh, smtp_server, proxies):
    url = f"socks5://{USER}:wrong@127.0.0.1:{proxies.socks_auth_port}"
    p = smtpsh("--proxy", url, "127.0.0.1", str(smtp_server.port), "-c", "QUIT")
    assert p.returncode == Exit.PROXY
    line = _failure(p)
    assert (f"proxy socks5://{USER}@127.0.0.1:{proxies.socks_auth_port}: authentication"
            f" refused: user {USER} and the password were refused") in line
    assert "wrong" not in (p.stdout + p.stderr).decode()


def test_auth_wanted_but_none_given(smtpsh, smtp_server, proxies):
    url = f"socks5://127.0.0.1:{proxies.socks_auth_port}"
    p = smtpsh("--proxy", url, "127.0.0.1", str(smtp_server.port), "-c", "QUIT")
    assert p.returncode == Exit.PROXY
    assert "authentication refused: it wants a user name and password" in _failure(p)


def test_target_refused_by_the_socks_proxy(smtpsh, proxies):
    port = closed_port()
    p = smtpsh("--proxy", f"socks5://127.0.0.1:{proxies.socks_port}", "127.0.0.1", str(port),
               "-c", "QUIT")
    assert p.returncode == Exit.PROXY
    line = _failure(p)
    assert (f"proxy socks5://127.0.0.1:{proxies.socks_port} refused the connection to"
            f" 127.0.0.1 port {port}:") in line


def test_target_refused_by_the_http_proxy(smtpsh, proxies):
    port = closed_port()  # not a ConnectPort of tinyproxy's: 403
    p = smtpsh("--proxy", f"http://127.0.0.1:{proxies.http_port}", "127.0.0.1", str(port),
               "-c", "QUIT")
    assert p.returncode == Exit.PROXY
    line = _failure(p)
    assert (f"proxy http://127.0.0.1:{proxies.http_port} refused the connection to 127.0.0.1"
            f" port {port}: HTTP 403") in line


def test_proxy_unreachable(smtpsh, smtp_server):
    port = closed_port()
    p = smtpsh("--proxy", f"socks5://127.0.0.1:{port}", "127.0.0.1", str(smtp_server.port),
               "-c", "QUIT")
    assert p.returncode == Exit.PROXY
    assert f"proxy socks5://127.0.0.1:{port} unreachable: Connection refused" in _failure(p)


def test_mx_plan_is_local_and_each_attempt_goes_through_the_proxy(smtpsh, smtp_server,
                                                                   proxies):
    zone = {"example.test": [("MX", "10 dead.example.test."), ("MX", "20 live.example.test.")],
            "dead.example.test": [("A", "127.0.0.2")],
            "live.example.test": [("A", "127.0.0.1")]}
    with ZoneServer(zone) as dns:
        p = smtpsh("--mx", "--nameserver", dns.nameserver, "-4", "-p", str(smtp_server.port),
                   "--proxy", f"socks5h://127.0.0.1:{proxies.socks_port}", "user@example.test",
                   "-c", "EHLO me.test", "-c", "QUIT")
    out = p.stdout.decode()
    assert p.returncode == Exit.OK, out + p.stderr.decode()
    assert "try dead.example.test [127.0.0.2]" in out
    assert "refused the connection to 127.0.0.2" in out
    assert "try live.example.test [127.0.0.1]" in out and "S: 221" in out


@pytest.mark.parametrize("args, message", [
    (["--proxy", "127.0.0.1:1080"], "--proxy: give a URL"),
    (["--proxy", "ftp://h:1"], "--proxy: unknown proxy type 'ftp'"),
    (["--proxy", "socks4://u:p@h:1"], "SOCKS4 has no password"),
    (["--proxy-source", "127.0.0.1:1"], "--proxy-source goes with --proxy-protocol"),
    (["--proxy-protocol", "v1", "--proxy-source", "nope"], "--proxy-source: give ADDR:PORT"),
    (["--proxy-protocol", "v3"], "invalid choice"),
])
def test_usage_errors(smtpsh, args, message):
    p = smtpsh(*args, "127.0.0.1", "-c", "QUIT")
    assert p.returncode == Exit.USAGE
    assert message in p.stderr.decode()


def test_parse_proxy():
    assert parse_proxy("socks5h://u%40x:p%3A@[::1]:9050") == \
        ProxySpec("socks5h", "::1", 9050, "u@x", "p:")
    assert parse_proxy("http://proxy.example") == ProxySpec("http", "proxy.example", 8080)
    assert parse_proxy("env", {"all_proxy": "socks5://h"}).port == 1080
    assert parse_proxy("socks5://u:secret@h:1").shown == "socks5://u@h:1"


def test_proxy_header_v1_and_v2():
    assert proxy_header("v1", ("127.0.0.77", 40077), ("127.0.0.1", 22027)) == \
        b"PROXY TCP4 127.0.0.77 127.0.0.1 40077 22027\r\n"
    assert proxy_header("v1", ("2001:db8::1", 1), ("::1", 25)) == \
        b"PROXY TCP6 2001:db8::1 ::1 1 25\r\n"
    v2 = proxy_header("v2", ("127.0.0.88", 40088), ("127.0.0.1", 25))
    assert v2 == (b"\r\n\r\n\x00\r\nQUIT\n\x21\x11\x00\x0c" + bytes([127, 0, 0, 88, 127, 0, 0, 1])
                  + (40088).to_bytes(2, "big") + (25).to_bytes(2, "big"))
    # An IPv4 client claimed to an IPv6 server: IPv4-mapped.
    assert proxy_header("v1", ("192.0.2.1", 1), ("::1", 25)) == \
        b"PROXY TCP6 ::ffff:192.0.2.1 ::1 1 25\r\n"
    with pytest.raises(ValueError, match="cannot mix"):
        proxy_header("v1", ("::1", 1), ("127.0.0.1", 25))
    assert parse_source("[2001:db8::1]:25") == ("2001:db8::1", 25)
