"""Start-up stays light: what `smtpsh --version`, `--help` and the offline modes import
(checked in a fresh interpreter; the speed itself is bench/bench_core.py's business)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def modules_after(code: str) -> set[str]:
    """The modules loaded by `code`, site's own left out (-S: what site-packages' .pth files
    load differs from machine to machine; these paths need nothing from there)."""
    env = dict(os.environ, PYTHONPATH=ROOT)
    out = subprocess.run([sys.executable, "-S", "-c", code + "\nimport sys\nprint(*sys.modules)"],
                         capture_output=True, text=True, env=env, check=True, cwd=ROOT)
    return set(out.stdout.split())


@pytest.mark.parametrize("code", [
    "from smtpsh.cli import main; main(['--version'])",
    "from smtpsh.app import build_parser; build_parser().parse_args(['--tls-min', '1.2', 'x'])",
    "from smtpsh.app import build_parser, settings_from_args;"
    " settings_from_args(build_parser().parse_args(['--tls-max', '1.3', 'mx.test']))",
])
def test_arguments_and_settings_load_no_tls_no_asyncio(code):
    loaded = modules_after(code)
    assert not {"ssl", "smtpsh.tls", "asyncio", "shutil"} & loaded


def test_version_loads_nothing_of_smtpsh_but_the_entry_point():
    loaded = modules_after("from smtpsh.cli import main; main(['--version'])")
    assert {m for m in loaded if m.startswith("smtpsh")} == {"smtpsh", "smtpsh.cli"}
    assert not {"argparse", "dataclasses"} & loaded


def test_explain_reads_its_data_on_first_use():
    assert not {"json", "pathlib", "textwrap"} & modules_after("import smtpsh.explain")
    assert "json" in modules_after("import smtpsh.explain as e; e.valid_states('EHLO')")


def test_tls_options_are_the_settings_ones_and_the_versions_agree():
    from smtpsh import settings, tls

    assert tls.TlsOptions is settings.TlsOptions
    assert list(settings.TLS_VERSIONS) == tls.tls_versions()
