"""The fitting modules' arguments are refused before any fit runs (the probe: --help and
--bogus ran the whole fit, then a traceback on '--help/serving-fit.toml')."""

from __future__ import annotations

from pathlib import Path

import pytest

from tcoctl.pipeline.fit_arguments import TODAY, parse


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["--bogus"], "unrecognized arguments: --bogus"),
        (["no-such-folder"], "folder 'no-such-folder' does not exist"),
        (["presets", "2025-13-01"], "expected a date YYYY-MM-DD"),
        # Python 3.11 reads these as dates; a preset's as_of may not be, and every command
        # then refused the preset (the probe)
        (["presets", "20261204"], "expected a date YYYY-MM-DD; got '20261204'"),
        (["presets", "2026-W49-5"], "expected a date YYYY-MM-DD; got '2026-W49-5'"),
        (["--leave-one-out", "presets"], "--leave-one-out writes nothing, so it takes no folder"),
        ([__file__], "is not a folder: give an existing folder"),
    ],
)
def test_bad_arguments_exit_2_naming_them(
    argv: list[str], words: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """One line, as the command line's errors are, with an example (argparse printed its
    usage, then the error: two lines)."""
    with pytest.raises(SystemExit) as exited:
        parse("serving-fit", argv, leave_one_out=True)
    assert exited.value.code == 2
    said = capsys.readouterr().err
    assert said.startswith("python -m tcoctl.pipeline.calibration: error: ") and words in said
    # the example: the flag alone where it is the flag's fault, else today's date (a fixed
    # old date would back-date the shipped preset if typed)
    example = "--leave-one-out" if "--leave-one-out" in words else f"presets {TODAY}"
    assert said.endswith(f"; e.g. python -m tcoctl.pipeline.calibration {example}\n")
    assert said.count("\n") == 1


def test_help_and_good_arguments(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as exited:
        parse("training-fit", ["--help"])
    assert exited.value.code == 0 and "training-fit.toml" in capsys.readouterr().out
    given = parse("serving-fit", [str(tmp_path), "2025-06-30"])
    assert (given.folder, given.date) == (str(tmp_path), "2025-06-30")
    assert parse("serving-fit", ["--leave-one-out"], leave_one_out=True).leave_one_out
    # the flag twice is no folder or date (the probe: it was refused as one)
    assert parse("serving-fit", ["--leave-one-out"] * 2, leave_one_out=True).leave_one_out


def test_a_preset_that_cannot_be_written_is_refused_before_the_fit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The probe: a folder named serving-fit.toml in the way ran the 5 s fit, then gave an
    IsADirectoryError traceback; it is refused first, in one line."""
    (tmp_path / "serving-fit.toml").mkdir()
    with pytest.raises(SystemExit) as exited:
        parse("serving-fit", [str(tmp_path), "2025-06-30"], leave_one_out=True)
    assert exited.value.code == 2
    said = capsys.readouterr().err
    assert "cannot write '" in said and "serving-fit.toml': give a folder where it can be" in said
