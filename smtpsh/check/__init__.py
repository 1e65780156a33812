"""`smtpsh --check DOMAIN`: a report card for a mail domain's inbound setup (DNS, SMTP, TLS,
DANE, MTA-STS, TLS-RPT), from the MX plan as an MTA makes it. Only reads: no message is sent.

Modules per area: dns, smtp, tls, dane, mtasts, tlsrpt; card assembles them (smtpsh.findings
is the model)."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from smtpsh.settings import Settings

NAGIOS_UNKNOWN = 3


def main_check(settings: Settings, nagios: bool = False) -> int:
    """Run --check for settings.host and print the card (text, --json, or --nagios)."""
    import asyncio
    import json

    from smtpsh.check.card import run
    from smtpsh.exitcodes import Exit
    from smtpsh.findings import render_card
    from smtpsh.i18n import _, decimal
    from smtpsh.render import to_ansi, to_plain, use_color

    assert settings.host is not None
    try:
        outcome = asyncio.run(run(settings.host, settings))
    except ValueError as exc:
        sys.stderr.write(f"smtpsh: {exc}\n")
        return NAGIOS_UNKNOWN if nagios else Exit.USAGE
    card = outcome.card
    if nagios:
        line, code = card.nagios()
        if not outcome.ran:
            line, code = "SMTPSH UNKNOWN - " + line.partition(" - ")[2], NAGIOS_UNKNOWN
        print(line)
        return code
    if settings.json:
        print(json.dumps(card.to_json(), indent=2, ensure_ascii=False))
    else:
        frags = render_card(card)
        text = to_ansi(frags) if use_color(settings.color, sys.stdout) else to_plain(frags)
        print(text)
        print(_("(checked in {seconds} s)").format(seconds=decimal(outcome.seconds, 2)))
    return int(card.exit_status())
