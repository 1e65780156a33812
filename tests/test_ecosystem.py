"""Completion scripts and the man page, generated from the argument parser: they parse in
their shells, bash registers the completion, man renders the page with every option."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from smtpsh.app import build_parser


def test_bash_completion_loads(smtpsh):
    script = smtpsh("--print-completion", "bash").stdout.decode()
    assert "--proxy-protocol" in script and "--print-completion" in script
    subprocess.run(["bash", "-n"], input=script.encode(), check=True)
    got = subprocess.run(["bash", "-c", f'{script}\ncomplete -p smtpsh'], capture_output=True,
                         check=True, text=True)
    assert "complete" in got.stdout and "smtpsh" in got.stdout


@pytest.mark.parametrize("shell", ["zsh", "fish"])
def test_zsh_and_fish_completion_parse(smtpsh, shell):
    script = smtpsh("--print-completion", shell).stdout.decode()
    assert "proxy" in script
    if shell == "fish":
        assert "complete -c smtpsh -l proxy-protocol -r -a 'v1 v2'" in script
    if shutil.which(shell) is not None:  # neither is installed by the test setup
        subprocess.run([shell, "-n"], input=script.encode(), check=True)


def test_man_page_renders_every_option(smtpsh, tmp_path):
    page = smtpsh("--print-man").stdout.decode()
    assert page.startswith(".TH SMTPSH 1")
    path = tmp_path / "smtpsh.1"
    path.write_text(page)
    renderer = ["man", "-l", str(path)] if shutil.which("man") else \
        ["groff", "-man", "-Tutf8", str(path)]
    got = subprocess.run(renderer, capture_output=True, env={"MANPAGER": "cat", "PAGER": "cat",
                                                             "COLUMNS": "100"},
                         check=True, text=True)
    text = got.stdout.replace("\u2010", "-").replace("\u2212", "-")
    import re

    text = re.sub(r".\x08", "", text)  # overstrike bold
    for action in build_parser()._actions:
        for opt in action.option_strings:
            if opt.startswith("--"):
                assert opt in text, opt
    assert "EXIT STATUS" in text and "16" in text
