"""`smtpsh --probe NAME[,NAME...] TARGET`: active checks of a server's parsing and policy.

One module per probe; each registers itself here with `@probe` and adds one `Section` of
findings to the card (smtpsh.findings: the same card, JSON and Nagios line as --check).
Every probe says what it sent and what it saw in each finding. A probe that would send a
message runs only with the envelope the user named (`--to`, `--from`); without `--to` its
parts that need one are SKIP findings. Nothing is sent before the server's greeting, except
by the early-talker check, on purpose. The dialog goes to `--transcript` when asked.
"""

from __future__ import annotations

import importlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from smtpsh.i18n import _
from smtpsh.probes.base import ProbeContext, Unreachable

__all__ = ["PROBES", "Probe", "ProbeContext", "Unreachable", "load", "names", "probe"]

Runner = Callable[[ProbeContext], Awaitable[None]]


@dataclass(frozen=True)
class Probe:
    name: str
    summary: str  # one line, for --probe list (marked with N_, translated there)
    needs_to: bool  # some of its checks send a message: those need --to
    run: Runner


PROBES: dict[str, Probe] = {}
# The modules, in the order --probe list shows them (and `all` runs them).
MODULES = ("smuggling", "bare_lf", "unauth_pipelining", "starttls_enforced", "open_relay",
           "vrfy_expn", "limits")


def probe(name: str, summary: str, needs_to: bool = False) -> Callable[[Runner], Runner]:
    def register(run: Runner) -> Runner:
        if name in PROBES:
            raise ValueError(f"probe {name} is registered twice")
        PROBES[name] = Probe(name, summary, needs_to, run)
        return run

    return register


def load() -> dict[str, Probe]:
    """Import every probe module (each registers itself); the registry, in order."""
    for module in MODULES:
        importlib.import_module(f"smtpsh.probes.{module}")
    return PROBES


def names(spec: str) -> list[str]:
    """`smuggling,bare-lf` -> the probes to run, in the order given; `all` for every one.
    Raises ValueError naming what is unknown."""
    known = load()
    wanted: list[str] = []
    for word in (w.strip().lower() for w in spec.split(",")):
        if not word:
            continue
        if word == "all":
            wanted += [n for n in known if n not in wanted]
        elif word in known:
            if word not in wanted:
                wanted.append(word)
        else:
            raise ValueError(_("no probe called {name}: --probe list shows them"
                               " ({known})").format(name=repr(word), known=", ".join(known)))
    if not wanted:
        raise ValueError(_("--probe needs a name: --probe list shows them"))
    return wanted


def listing() -> str:
    """One line per probe, for --probe list."""
    known = load()
    width = max(len(n) for n in known)
    needs = _(" (needs --to for the parts that send a message)")
    return "\n".join(f"{p.name:<{width}}  {_(p.summary)}" + (needs if p.needs_to else "")
                     for p in known.values())


async def run_probes(ctx: ProbeContext, wanted: list[str]) -> None:
    """Each probe in turn, one section each, into `ctx.card`. Unreachable propagates."""
    from smtpsh.findings import Section

    known = load()
    for name in wanted:
        ctx.probe = name
        ctx.section = Section(_("probe {name}").format(name=name))
        ctx.card.sections.append(ctx.section)
        await known[name].run(ctx)
