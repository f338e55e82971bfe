"""The command line: typer declarations only. Each calculator's options are built from its
spec (tcoctl.specs); numpy and pint are imported inside commands, never at import time."""

from __future__ import annotations

import inspect
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from tcoctl import __version__
from tcoctl.errors import ExitCode, TcoctlError
from tcoctl.specs import CALCULATORS, Calculator

EXIT_CODES_HELP = (
    "Exit codes: 0 success, 1 domain error (bad preset, impossible scenario, failed batch "
    "rows), 2 usage error (bad option), 130 interrupted."
)
FORMATS = ("table", "json", "csv")

app = typer.Typer(
    help="Compute economics for AI infrastructure: cluster TCO, die yield, H100-equivalents, "
    "FLOP budgets. Every quantity is unit-checked; every option takes LOW..HIGH ranges.\n\n"
    + EXIT_CODES_HELP,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    rich_markup_mode=None,
)
presets_app = typer.Typer(
    help="List and show presets with the source of every figure.", no_args_is_help=True
)
app.add_typer(presets_app, name="presets")


@contextmanager
def reported_errors() -> Iterator[None]:
    """Turn tcoctl errors into one line on stderr and their exit code."""
    try:
        yield
    except TcoctlError as error:
        typer.echo(f"tcoctl: error: {error}", err=True)
        raise typer.Exit(int(error.code)) from None


def _version(value: bool) -> None:
    if value:
        typer.echo(f"tcoctl {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    presets_dir: Annotated[
        Optional[list[Path]],  # noqa: UP045 (typer reads this hint at run time)
        typer.Option(
            "--presets-dir",
            metavar="DIR",
            help="Another folder of preset TOML files (repeatable); also TCOCTL_PRESETS=a:b.",
        ),
    ] = None,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    from tcoctl import presets

    presets.extra_dirs[:] = list(presets_dir or [])


def check_format(value: str | None) -> str | None:
    if value is not None and value not in FORMATS:
        raise typer.BadParameter(f"expected one of {', '.join(FORMATS)}, e.g. --format json")
    return value


FormatOption = Annotated[
    Optional[str],  # noqa: UP045 (typer reads this hint at run time)
    typer.Option(
        "--format",
        "-f",
        callback=check_format,
        help="table, json or csv (default: table on a terminal, json in a pipe).",
    ),
]


def _option(name: str, *flags: str, **settings: Any) -> inspect.Parameter:
    """A keyword-only ``str | None`` typer option for a dynamically built command."""
    return inspect.Parameter(
        name,
        inspect.Parameter.KEYWORD_ONLY,
        default=None,
        annotation=Annotated[Optional[str], typer.Option(*flags, **settings)],  # noqa: UP045
    )


def command_for(calc: Calculator) -> Callable[..., None]:
    """A typer command whose options are the calculator's inputs plus the shared ones."""

    def command(**options: Any) -> None:
        from tcoctl import runner

        shared = {name: options.pop(name, None) for name in SHARED}
        flags = {calc.input(key).name: value for key, value in options.items() if value is not None}
        with reported_errors():
            runner.run(calc, flags, shared)

    preset_help = f"Scenario preset to start from (default: {calc.default_preset}" + (
        ")." if calc.preset_is_base else ", used when no option is given)."
    )
    params = [
        _option(
            spec.key,
            f"--{spec.name}",
            metavar="NAME" if spec.kind in ("gpu", "choice") else "QTY",
            help=f"{spec.help} One of: {', '.join(spec.choices)}."
            if spec.choices
            else f"{spec.help} E.g. '{spec.example}'.",
        )
        for spec in calc.inputs
    ]
    params += [
        _option("preset", "--preset", "-p", help=preset_help),
        inspect.Parameter(
            "format", inspect.Parameter.KEYWORD_ONLY, default=None, annotation=FormatOption
        ),
        _option("svg", "--svg", help="Also save the table view as an SVG file."),
    ]
    if calc.drawing:
        params.append(
            inspect.Parameter(
                "map",
                inspect.Parameter.KEYWORD_ONLY,
                default=False,
                annotation=Annotated[bool, typer.Option("--map", help="Draw the wafer map.")],
            )
        )
    params.append(
        inspect.Parameter(
            "seed",
            inspect.Parameter.KEYWORD_ONLY,
            default=None,
            annotation=Annotated[
                int | None,
                typer.Option(
                    "--seed", min=0, max=2**32 - 1, help="Random seed (wafer map, samples)."
                ),
            ],
        )
    )
    if calc.explain:
        params.append(
            inspect.Parameter(
                "explain",
                inspect.Parameter.KEYWORD_ONLY,
                default=False,
                annotation=Annotated[
                    bool,
                    typer.Option(
                        "--explain", help="Show the chain of formulas with the numbers substituted."
                    ),
                ],
            )
        )
    command.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
    command.__annotations__ = {p.name: p.annotation for p in params}
    return command


SHARED = ("preset", "format", "svg", "explain", "map", "seed")
for _calc in CALCULATORS.values():
    app.command(_calc.name, help=_calc.help + "\n\n" + EXIT_CODES_HELP)(command_for(_calc))


@presets_app.command("list")
def presets_list(format: FormatOption = None) -> None:
    """Every preset: name, kind, commands, title and file (reads TOML only)."""
    from tcoctl import output, presets

    with reported_errors():
        records = []
        for name, path in presets.preset_files().items():
            preset = presets.load(name)
            commands = ",".join(presets.commands(preset))
            records.append(
                {
                    "name": name,
                    "kind": preset.kind,
                    "commands": commands,
                    "title": preset.title,
                    "path": str(path),
                }
            )
        output.write_records("presets", records, format)


@presets_app.command("show")
def presets_show(
    name: Annotated[str, typer.Argument(help="Preset name, e.g. frontier-2024.")],
    format: FormatOption = None,
) -> None:
    """A preset's figures, each checked for its unit, with its source and quote."""
    from tcoctl import runner

    with reported_errors():
        runner.show_preset(name, format)


def main() -> None:
    """Console entry point: exit 130 on Ctrl-C, quiet on a closed pipe."""
    try:
        app()
    except KeyboardInterrupt:
        sys.stderr.write("tcoctl: interrupted\n")
        sys.exit(int(ExitCode.INTERRUPTED))
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(int(ExitCode.OK))
