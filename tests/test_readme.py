"""The README's pictures and commands exist."""

from __future__ import annotations

import re
from pathlib import Path

from device.cli import COMMANDS

REPO = Path(__file__).resolve().parents[1]
README = (REPO / "README.md").read_text()


def test_every_picture_the_readme_shows_exists():
    pictures = re.findall(r"\]\((docs/[^)]+\.png)\)", README)
    assert pictures
    for picture in pictures:
        assert (REPO / picture).is_file(), picture


def test_the_readme_starts_with_the_two_commands_and_names_every_sub_command():
    blocks = re.findall(r"```sh\n(.*?)\n```", README, re.S)
    assert "leancoffee demo" in blocks[0] and "pip install" in blocks[0]
    assert "pytest" in blocks[1] and "'.[test]'" in blocks[1]
    for command in COMMANDS:
        assert f"leancoffee {command}" in README, command
