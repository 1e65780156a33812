#!/bin/sh
# Install the system packages the tests and benchmarks use (Debian 12, as root):
# postfix + dovecot-core (tests/postfix.py), dovecot-lmtpd (tests/dovecot_lmtp.py), swaks (benchmarks), tmux, openssl,
# microsocks + tinyproxy (tests/proxies.py: SOCKS5 and HTTP CONNECT in front of a test server),
# nsd + unbound + ldnsutils (tests/checkenv.py: a signed zone and a validating resolver, --check).
# Idempotent and non-interactive. Leaves no mail daemon running: the tests start their own
# Postfix and Dovecot on free loopback ports.
set -eu
PATH="$PATH:/usr/sbin:/sbin"

if [ "$(id -u)" -ne 0 ]; then
    echo "install-test-deps: run as root" >&2
    exit 1
fi

# command -> package that provides it. The LMTP service is no command on PATH: Dovecot's
# master runs it from /usr/lib/dovecot, so it is named by its full path.
missing=""
for pair in postfix:postfix dovecot:dovecot-core doveadm:dovecot-core \
            /usr/lib/dovecot/lmtp:dovecot-lmtpd swaks:swaks curl:curl tmux:tmux openssl:openssl \
            microsocks:microsocks tinyproxy:tinyproxy nc:netcat-openbsd \
            nsd:nsd unbound:unbound ldns-signzone:ldnsutils; do
    cmd=${pair%%:*}
    pkg=${pair#*:}
    if ! command -v "$cmd" >/dev/null 2>&1; then
        case " $missing " in
            *" $pkg "*) ;;
            *) missing="$missing $pkg" ;;
        esac
    fi
done

if [ -z "$missing" ]; then
    echo "install-test-deps: postfix, dovecot (with lmtpd), swaks, tmux, openssl, microsocks,"\
        "tinyproxy already installed"
else
    echo "install-test-deps: installing:$missing"
    # "No configuration": no /etc/postfix/main.cf, so nothing is set up to listen on port 25.
    echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections

    # Forbid maintainer scripts to start services (invoke-rc.d honours policy-rc.d exit 101).
    # Docker images ship this file; a fresh VM does not, so add it for the install only.
    policy=/usr/sbin/policy-rc.d
    added_policy=""
    if [ ! -e "$policy" ]; then
        printf '#!/bin/sh\nexit 101\n' >"$policy"
        chmod 755 "$policy"
        added_policy=1
    fi
    status=0
    {
        apt-get update -q &&
        # $missing unquoted on purpose: one word per package.
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
            -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold $missing
    } || status=$?
    if [ -n "$added_policy" ]; then
        rm -f "$policy"
    fi
    if [ "$status" -ne 0 ]; then
        echo "install-test-deps: apt-get failed (exit $status)" >&2
        exit "$status"
    fi
fi

# Belt and braces: if a system Postfix or Dovecot runs anyway (systemd, or an install made
# elsewhere), stop it, so it holds no port and no test talks to it by mistake.
stopped=""
if [ -f /etc/postfix/main.cf ] && postfix status >/dev/null 2>&1; then
    postfix stop >/dev/null 2>&1 || true
    stopped="$stopped postfix"
fi
if [ -f /run/dovecot/master.pid ] && kill -0 "$(cat /run/dovecot/master.pid)" 2>/dev/null; then
    doveadm stop >/dev/null 2>&1 || kill "$(cat /run/dovecot/master.pid)" 2>/dev/null || true
    stopped="$stopped dovecot"
fi
if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
    # Keep them from coming back on the next boot of a CI VM.
    systemctl disable --now postfix dovecot unbound nsd >/dev/null 2>&1 || true
fi
if [ -n "$stopped" ]; then
    echo "install-test-deps: stopped the system$stopped"
fi

# Nothing may listen on the standard mail ports now.
if command -v ss >/dev/null 2>&1; then
    busy=$(ss -Hltn '( sport = :25 or sport = :465 or sport = :587 or sport = :143 or sport = :993 )' || true)
    if [ -n "$busy" ]; then
        echo "install-test-deps: warning: something still listens on a mail port:" >&2
        echo "$busy" >&2
    fi
fi

echo "install-test-deps: $(postconf -d -h mail_version 2>/dev/null | sed 's/^/postfix /')," \
    "dovecot $(dovecot --version 2>/dev/null | cut -d' ' -f1)," \
    "$(swaks --version 2>/dev/null | head -n1), $(tmux -V), $(openssl version | cut -d' ' -f1-2)"
