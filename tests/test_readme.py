"""The README's examples are real: every ``$ tcoctl ...`` line in a ``console`` block runs,
succeeds, and prints exactly the output shown under it. Run with TCOCTL_UPDATE_README=1 to
write the current outputs into the README (then review the diff)."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import REPO
from tcoctl.cli import app

README = REPO / "README.md"
BLOCK = re.compile(r"```console\n(.*?)```", re.DOTALL)
ENV = {"COLUMNS": "100", "NO_COLOR": "1", "TCOCTL_PRESETS": ""}


def examples(text: str) -> list[tuple[str, str]]:
    """(command, expected output) pairs, in order."""
    found = []
    for block in BLOCK.findall(text):
        for part in re.split(r"^\$ ", block, flags=re.MULTILINE)[1:]:
            command, _, shown = part.partition("\n")
            found.append((command, shown))
    return found


def execute(command: str, folder: Path) -> str:
    """Run one example in ``folder``: tcoctl through CliRunner, anything else in a shell."""
    if not command.startswith("tcoctl "):
        subprocess.run(command, shell=True, cwd=folder, check=True)
        return ""
    previous = Path.cwd()
    os.chdir(folder)
    try:
        result = CliRunner(env=ENV).invoke(app, shlex.split(command)[1:])
    finally:
        os.chdir(previous)
    assert result.exit_code == 0, (command, result.stderr)
    return result.stdout


def test_readme_examples_print_what_the_readme_shows(tmp_path: Path) -> None:
    text = README.read_text(encoding="utf-8")
    pairs = examples(text)
    assert len(pairs) >= 15
    outputs = [execute(command, tmp_path) for command, _ in pairs]
    if os.environ.get("TCOCTL_UPDATE_README"):
        for (command, shown), output in zip(pairs, outputs, strict=True):
            text = text.replace(f"$ {command}\n{shown}", f"$ {command}\n{output}", 1)
        README.write_text(text, encoding="utf-8")
        pytest.skip("README updated")
    for (command, shown), output in zip(pairs, outputs, strict=True):
        assert output == shown, command


def test_readme_opens_with_the_two_setup_commands() -> None:
    text = README.read_text(encoding="utf-8")
    setup = text[text.index("```sh") : text.index("```", text.index("```sh") + 5)]
    assert "pip install . && tcoctl compare" in setup
    assert 'pip install ".[test]" && python -m pytest' in setup
    assert 'pip install ".[test]" && python -m pytest' in (REPO / ".ci" / "run").read_text()
