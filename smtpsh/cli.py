"""The console script's entry point, kept tiny: `smtpsh --version` answers before anything
heavy is imported; everything else is in smtpsh.app."""

import sys

from smtpsh import __version__


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    if args == ["--version"]:
        print(f"smtpsh {__version__}")
        return
    from smtpsh.app import main as app_main

    app_main(args)
