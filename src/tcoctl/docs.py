"""docs/commands.md, generated from the calculator specs: ``python -m tcoctl.docs`` writes it
(a test fails when the file is stale)."""

from __future__ import annotations

import sys
from pathlib import Path

from tcoctl.specs import CALCULATORS, Calculator


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def calculator_markdown(calc: Calculator) -> str:
    """One command: what it answers, its headline, inputs and results with their units."""
    lines = [
        f"## `tcoctl {calc.name}`",
        "",
        calc.help,
        "",
        f"Default preset: `{calc.default_preset}`"
        + (
            " (every run starts from it)." if calc.preset_is_base else " (when no option is given)."
        ),
        f"Headline results: {', '.join(f'`{name}`' for name in calc.headline)}.",
        "",
        "| option | unit | example | meaning |",
        "|---|---|---|---|",
    ]
    for spec in calc.inputs:
        meaning = spec.help + (f" One of: {', '.join(spec.choices)}." if spec.choices else "")
        lines.append(
            f"| `--{spec.name}` | {spec.display or '-'} | `{spec.example}` | {_cell(meaning)} |"
        )
    lines += ["", "| result | unit | meaning |", "|---|---|---|"]
    for result in calc.results:
        lines.append(f"| `{result.name}` | {result.display or '-'} | {_cell(result.help)} |")
    return "\n".join(lines) + "\n"


def commands_markdown() -> str:
    """The whole docs/commands.md."""
    head = (
        "# Commands\n\n"
        "Generated from `src/tcoctl/specs/` by `python -m tcoctl.docs`; do not edit by hand. "
        "Every option also takes `LOW..HIGH`; units are converted by pint "
        "(see [units and ranges](units-and-ranges.md)). Shared options (`--preset`, "
        "`--value`, `--unit`, `--tornado`, `--sweep`, `--samples`, `--input`, `--svg`, "
        "`--sources`, `--only-my-ranges`, `--explain`) are in [workflows](workflows.md).\n"
    )
    return head + "".join("\n" + calculator_markdown(c) for c in CALCULATORS.values())


def main() -> None:
    """Write docs/commands.md into the folder given (default: ./docs)."""
    folder = Path(sys.argv[1] if len(sys.argv) > 1 else "docs")
    (folder / "commands.md").write_text(commands_markdown(), encoding="utf-8")


if __name__ == "__main__":
    main()
