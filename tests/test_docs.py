"""The README documents every ``dvcbot`` command and every ``dvcbot kb`` subcommand (as sqlite-utils checks its
docs): a command added without a line in the README fails here."""

import argparse
import re

import pytest

from bot.cli.main import build_parser
from bot.runtime import paths

README = (paths.ROOT / "README.md").read_text("utf-8")


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    actions = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return dict(actions[0].choices) if actions else {}


COMMANDS = _subcommands(build_parser())


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_is_in_the_readme(name):
    assert re.search(rf"dvcbot {re.escape(name)}\b", README), f"`dvcbot {name}` is not in README.md"


@pytest.mark.parametrize("name", sorted(_subcommands(COMMANDS["kb"])))
def test_every_kb_subcommand_is_in_the_readme(name):
    assert f"`{name}" in README or f"dvcbot kb {name}" in README, f"`dvcbot kb {name}` is not in README.md"


@pytest.mark.parametrize("name", sorted(_subcommands(COMMANDS["bench"])))
def test_every_bench_subcommand_is_in_the_readme(name):
    assert f"dvcbot bench {name}" in README, f"`dvcbot bench {name}` is not in README.md"
