"""The README stays true: every CLI command is documented there, and every `stancemap ...`
command the README shows exists with the options it uses."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner

from stancemap.cli import cli

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def test_every_command_is_in_the_readme():
    for name in cli.commands:
        assert f"stancemap {name}" in README, f"`stancemap {name}` is not documented in README.md"


def test_every_readme_command_and_option_exists():
    runner = CliRunner()
    shown = re.findall(r"^stancemap ([a-z]+)((?: [^#\n]*)?)", README, re.MULTILINE)
    assert shown
    for name, rest in shown:
        assert name in cli.commands, f"README shows `stancemap {name}`, which does not exist"
        help_text = runner.invoke(cli, [name, "--help"]).output
        for option in re.findall(r"(--[a-z][a-z-]*)", rest):
            assert option in help_text, f"README shows `stancemap {name} {option}`, not an option"


def test_the_two_commands_are_in_the_readme():
    assert "make demo" in README and "make test" in README
