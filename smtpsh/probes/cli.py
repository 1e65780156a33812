"""`smtpsh --probe`: run the probes named against the target and show the card (text, one
JSON document with --json, a Nagios line with --nagios); the exit status is the card's."""

from __future__ import annotations

import json
import sys

from smtpsh.exitcodes import Exit
from smtpsh.findings import Card, render_card
from smtpsh.i18n import _
from smtpsh.probes import ProbeContext, Unreachable, listing, names, run_probes
from smtpsh.settings import Settings
from smtpsh.transcript import Redactor, Transcript


def context(settings: Settings, host: str, port: int, transcript: Transcript | None = None,
            redactor: Redactor | None = None) -> ProbeContext:
    where = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    return ProbeContext(host=host, port=port, ehlo=settings.ehlo,
                        options=settings.connect_options(), mail_from=settings.mail_from,
                        rcpt_to=settings.rcpt_to, starttls=settings.starttls,
                        transcript=transcript, redactor=redactor or Redactor(),
                        card=Card(f"smtpsh --probe {settings.probe} {where}"))


async def probe_card(settings: Settings, host: str, port: int,
                     transcript: Transcript | None = None,
                     redactor: Redactor | None = None) -> tuple[Card, Unreachable | None]:
    """The card of the probes asked for; and why it stopped, if the target was out of reach."""
    ctx = context(settings, host, port, transcript, redactor)
    try:
        await run_probes(ctx, names(settings.probe or ""))
    except Unreachable as exc:
        return ctx.card, exc
    return ctx.card, None


def main(settings: Settings, transcript: Transcript | None, redactor: Redactor) -> int:
    import asyncio

    from smtpsh.render import to_ansi, to_plain, use_color

    if settings.probe == "list":
        print(listing())
        return Exit.OK
    card, stopped = asyncio.run(probe_card(settings, settings.host or "", settings.port,
                                           transcript, redactor))
    if stopped is not None:
        if settings.nagios:
            print(f"SMTPSH UNKNOWN - {stopped}")
            return 3
        sys.stderr.write(f"smtpsh: --probe: {stopped}\n")
        if not card.findings:
            return stopped.exit
        card.summary = _("stopped: {reason}").format(reason=stopped)
    if settings.nagios:
        line, code = card.nagios()
        print(line)
        return code
    if settings.json:
        print(json.dumps(card.to_json(), indent=2))
    else:
        fragments = render_card(card, _width())
        color = use_color(settings.color, sys.stdout)
        print(to_ansi(fragments) if color else to_plain(fragments))
    if stopped is not None:
        return stopped.exit
    return card.exit_status()


def _width() -> int:
    from smtpsh.received import terminal_width

    return terminal_width() or 100
