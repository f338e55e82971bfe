"""The README's and docs' examples are real: every ``$ tcoctl ...`` line in a ``console``
block runs and succeeds, and every line shown under it is an excerpt of its output (a line
of the output, spacing aside; ``...`` skips). docs/commands.md is up to date."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import warnings
from pathlib import Path
from typing import Any

import pandas
import pytest
from typer.testing import CliRunner

import tcoctl
from conftest import REPO
from tcoctl.cli import app
from tcoctl.docs import commands_markdown
from tcoctl.errors import UsageError
from tcoctl.specs import CALCULATORS

README = REPO / "README.md"
PAGES = [README, *sorted((REPO / "docs").glob("*.md"))]
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
    """Run one example in ``folder``: tcoctl through CliRunner (a pipe of tcoctl commands
    stage by stage, each one's stdout the next one's stdin), anything else in a shell."""
    stages = command.split(" | ")
    if not all(stage.startswith("tcoctl ") for stage in stages):
        subprocess.run(command, shell=True, cwd=folder, check=True)
        return ""
    previous = Path.cwd()
    os.chdir(folder)
    piped = None
    try:
        for stage in stages:
            result = CliRunner(env=ENV).invoke(app, shlex.split(stage)[1:], input=piped)
            assert result.exit_code == 0, (stage, result.stderr)
            piped = result.stdout
    finally:
        os.chdir(previous)
    return result.stdout


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_examples_print_what_the_page_shows(page: Path, tmp_path: Path) -> None:
    for command, shown in examples(page.read_text(encoding="utf-8")):
        lines = {" ".join(line.split()) for line in execute(command, tmp_path).splitlines()}
        for line in shown.splitlines():
            if line.strip() and line.strip() != "...":
                assert " ".join(line.split()) in lines, (page.name, command, line)


def test_readme_is_short_and_opens_with_the_two_setup_commands() -> None:
    text = README.read_text(encoding="utf-8")
    assert len(text.splitlines()) <= 200 and len(examples(text)) >= 4
    setup = text[text.index("```sh") : text.index("```", text.index("```sh") + 5)]
    assert "pip install . && tcoctl compare" in setup
    assert 'pip install ".[test]" && python -m pytest' in setup
    assert 'pip install ".[test]" && python -m pytest' in (REPO / ".ci" / "run").read_text()


def test_commands_page_is_generated_from_the_specs() -> None:
    """Stale? Run ``python -m tcoctl.docs``."""
    assert (REPO / "docs" / "commands.md").read_text(encoding="utf-8") == commands_markdown()


def test_readme_command_table_lists_every_calculator() -> None:
    """A calculator added to the registry must also get its row in the README."""
    text = README.read_text(encoding="utf-8")
    for name in CALCULATORS:
        assert f"| `tcoctl {name}` |" in text, name


def test_docs_say_a_batch_runs_in_one_process() -> None:
    """Issue 19 item 19: batches run in one process (pipeline/batch.py), so no page may say
    that they spread over the machine's cores."""
    for page in PAGES:
        text = " ".join(page.read_text(encoding="utf-8").split())
        assert "over the machine's cores" not in text, page.name
    workflows = " ".join((REPO / "docs" / "workflows.md").read_text(encoding="utf-8").split())
    assert "A batch evaluates every line in one process" in workflows


def _significant(text: str) -> int:
    """Significant figures of a number as written ('0.2375' 4, '27.13' 4, '10.45' 4)."""
    return len(text.replace(".", "").lstrip("0")) or 1


def test_python_api_page_comments_state_what_the_calls_return() -> None:
    """docs/python-api.md's examples are run in order; a comment that states a value (a
    number to its written figures, a quoted label) must be what the call returns, and a
    comment naming UsageError must be raised (the new-user trial found '# 27.72 token/s'
    and '# 10.38' left from an older fit: no test read the comments)."""
    page = (REPO / "docs" / "python-api.md").read_text(encoding="utf-8")
    lines = [line[4:] for line in page.splitlines() if line.startswith(">>> ")]
    namespace: dict[str, object] = {"pandas": pandas}  # the page's frames are pandas
    checked = 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", tcoctl.TcoctlWarning)
        for line in lines:
            code, _, comment = line.partition("  # ")
            comment = comment.strip()
            if comment.startswith("UsageError"):
                with pytest.raises(UsageError):
                    eval(code, namespace)
                continue
            number = re.match(r"-?\d[\d.]*", comment)
            label = re.match(r"'([^']*)'", comment)
            if number is None and label is None:
                exec(code, namespace)
                continue
            value: Any = eval(code, namespace)
            first: Any = value[0] if isinstance(value, tuple) else value
            if number is not None:
                magnitude = float(getattr(first, "magnitude", first))
                written = number[0]
                assert f"{magnitude:.{_significant(written)}g}" == written, (line, magnitude)
                if isinstance(value, tuple) and (second := re.search(r", '([^']*)'", comment)):
                    assert value[1] == second[1], line
            else:
                assert label is not None and first == label[1], (line, first)
            checked += 1
    assert checked >= 4
