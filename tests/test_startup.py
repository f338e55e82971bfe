"""Start-up work: a run builds only the command it names (tcoctl.cli.app.only_the_command),
and does so without changing what any command prints."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from tcoctl.cli.app import app, only_the_command

SAME_WITH_ONE_COMMAND = [
    ["flops", "--budget", "1e25FLOP", "--gpu", "h100-sxm", "--mfu", "0.4", "--format", "json"],
    ["flops", "--help"],
    ["flops", "--bogus", "1"],
    ["flops", "--mfu"],
    ["yield", "--die-size", "26x31.3", "--die-yield", "80%", "--format", "table"],
    ["validate", "--help"],
    ["schema"],
]


@pytest.mark.parametrize("argv", SAME_WITH_ONE_COMMAND, ids=" ".join)
def test_a_run_with_only_its_command_prints_what_the_whole_app_prints(argv: list[str]) -> None:
    one = only_the_command(app, argv)
    assert [info.name for info in one.registered_commands] == [argv[0]]
    assert not one.registered_groups
    alone, whole = CliRunner().invoke(one, argv), CliRunner().invoke(app, argv)
    assert (alone.exit_code, alone.stdout, alone.stderr) == (
        whole.exit_code,
        whole.stdout,
        whole.stderr,
    )


@pytest.mark.parametrize(
    "argv",
    [[], ["--help"], ["flop"], ["presets", "list"], ["--presets-dir", "x", "flops"]],
    ids=repr,
)
def test_anything_but_a_command_first_gets_the_whole_app(argv: list[str]) -> None:
    assert only_the_command(app, argv) is app
    assert len(app.registered_commands) > 1 and app.registered_groups
