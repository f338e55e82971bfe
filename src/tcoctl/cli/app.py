"""The command line: typer declarations only. Each calculator's options are built from its
spec (tcoctl.specs); numpy and pint are imported inside commands, never at import time."""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import datetime
import difflib
import errno
import inspect
import itertools
import os
import re
import shlex
import sys
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from typer._click.core import Context
from typer._click.exceptions import (  # typer pinned <1
    BadParameter,
    ClickException,
    MissingParameter,
    NoArgsIsHelpError,
)
from typer._click.exceptions import UsageError as ClickUsageError
from typer._click.types import ParamType
from typer.core import TyperCommand, TyperOption

from tcoctl import __version__, streams
from tcoctl.cli import completion
from tcoctl.errors import (
    ExitCode,
    TcoctlError,
    UsageError,
    as_flag,
    did_you_mean,
    nearest,
    no_money_result,
    not_one_of,
    quoted,
    shorten,
)
from tcoctl.notation import NOTATIONS
from tcoctl.signals import Interrupted, install
from tcoctl.specs import (
    CALCULATORS,
    CURRENCIES,
    DISTRIBUTIONS,
    MAX_SAMPLES,
    Calculator,
    Input,
)

EXIT_CODES_HELP = (
    "Exit codes: 0 success, 1 domain error (bad preset, impossible scenario, failed batch "
    "rows), 2 usage error (bad option), 130 interrupted."
)
FORMATS = ("table", "json", "csv")
FORCE_HELP = (
    "With --svg or --svg-screen: replace a read-only file or a symbolic link at the path (the "
    "link itself, never the file it points to), as cp -f does."
)

app = typer.Typer(
    help="Compute economics for AI infrastructure: "
    + ", ".join(calc.summary for calc in CALCULATORS.values())
    + ". Every quantity is unit-checked; every option takes LOW..HIGH ranges; any input can "
    "be solved for (--solve/--for).\n\n" + EXIT_CODES_HELP,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
presets_app = typer.Typer(
    help="List and show presets with the source of every figure.", no_args_is_help=True
)
app.add_typer(presets_app, name="presets")


def say(line: str) -> None:
    """One line on stderr, written now (a full or closed stderr fails here, where it is
    handled, not at exit), through sys.stderr, which shows escapes as \\x1b: click.echo
    strips them off a pipe."""
    sys.stderr.write(line + "\n")
    sys.stderr.flush()


@contextmanager
def reported_errors() -> Iterator[None]:
    """Turn tcoctl errors into one line on stderr and their exit code."""
    try:
        yield
        sys.stdout.flush()  # a closed pipe shows up here, inside the handler below
    except TcoctlError as error:
        say(f"tcoctl: error: {error}")
        raise typer.Exit(int(error.code)) from None
    except BrokenPipeError:  # `tcoctl ... | head -1`: the reader has all it wants
        streams.to_devnull(sys.stdout.fileno())
        raise typer.Exit(int(ExitCode.OK)) from None


def _version(value: bool) -> None:
    if value:
        typer.echo(f"tcoctl {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    ctx: typer.Context,
    presets_dir: Annotated[
        list[str] | None,
        typer.Option(
            "--presets-dir",
            metavar="DIR",
            help="Another folder of preset TOML files (repeatable); also TCOCTL_PRESETS=a:b "
            "and ~/.config/tcoctl/presets ($XDG_CONFIG_HOME).",
        ),
    ] = None,
    notation: Annotated[
        str,
        typer.Option(
            "--notation",
            metavar="si|sci",
            help="How tables write large numbers: si (default) with SI prefixes up to E and "
            "the words k, M, bn, tn (1.423 bn USD/yr, 718.1 TWh), scientific beyond (1e30 "
            "FLOP); sci in scientific notation (1.423e9 USD/yr). JSON and CSV keep every digit.",
        ),
    ] = "si",
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    from tcoctl import notation as numbers  # here, not at the top: --help stays fast
    from tcoctl import presets

    if any(not folder for folder in presets_dir or []):
        raise typer.BadParameter(
            "must not be empty; e.g. --presets-dir ./presets", param_hint="--presets-dir"
        )
    if notation not in numbers.NOTATIONS:
        raise typer.BadParameter(
            not_one_of(notation, numbers.NOTATIONS, "--notation sci"), param_hint="--notation"
        )
    numbers.notation.set(notation)
    presets.extra_dirs[:] = [Path(folder) for folder in presets_dir or []]
    ctx.call_on_close(presets.extra_dirs.clear)  # a later API call in this process sees none


def one_of(choices: tuple[str, ...], example: str) -> Callable[[str | None], str | None]:
    """A callback refusing a value not among ``choices``, with ``example``."""

    def check(value: str | None) -> str | None:
        if value is not None and value not in choices:
            raise typer.BadParameter(not_one_of(value, choices, example))
        return value

    return check


def non_empty(param: typer.CallbackParam, value: str | None) -> str | None:
    """Refuse an empty value, with the example the option's help gives (``e.g. ...``, or
    its default)."""
    if value != "":
        return value
    example = help_example(param)
    raise typer.BadParameter(
        f"must not be empty; e.g. {example}" if example else "must not be empty"
    )


def help_example(param: Any) -> str:
    """The example an option's help gives (``e.g. ...``, or its default), as typed after
    the option (``--dist triangular``); '' if none."""
    help_text = (param.help or "") if isinstance(param, TyperOption) else ""
    found = re.search(  # (a remark in brackets after the example is no part of it)
        r"(?i:e\.g\.) (.+?)(?: \(.*\))?\.?$|\(default: ([\w.-]+)", " ".join(help_text.split())
    )
    if found is None:
        return ""
    given = found[1] or found[2]
    flag = param.opts[0]
    return given if given.startswith(flag) else f"{flag} {given}"


class WholeNumber(ParamType):
    """A whole number from 0 to ``most``; anything else is refused in one line with an
    example (click's own words were "'abc' is not a valid int range", with none)."""

    name = "integer"

    def __init__(self, most: int, example: int) -> None:
        self.most, self.example = most, example

    def convert(self, value: Any, param: Any, ctx: Context | None) -> int:
        text = str(value).strip().replace(",", "").replace("_", "")
        if text.isdigit() and len(text) <= len(str(self.most)) and int(text) <= self.most:
            return int(text)
        flag = param.opts[0] if param is not None else "the option"
        self.fail(
            f"expected a whole number from 0 to {self.most:,}, e.g. {flag} {self.example}; "
            f"got {shorten(str(value))!r}",
            param,
            ctx,
        )


FormatOption = Annotated[
    str | None,
    typer.Option(
        "--format",
        "-f",
        callback=one_of(FORMATS, "--format json"),
        metavar="FORMAT",
        help="table, json or csv (default: table on a terminal, json in a pipe).",
    ),
]


def _param(name: str, default: Any, annotation: Any, *flags: str, **settings: Any) -> Any:
    """A keyword-only typer parameter for a dynamically built command."""
    return inspect.Parameter(
        name,
        inspect.Parameter.KEYWORD_ONLY,
        default=default,
        annotation=Annotated[annotation, typer.Option(*flags, **settings)],
    )


def _text(name: str, *flags: str, **settings: Any) -> Any:
    return _param(name, None, str | None, *flags, **settings)


def _switch(name: str, flag: str, help: str) -> Any:
    return _param(name, False, bool, flag, help=help)


def command_for(calc: Calculator) -> Callable[..., None]:
    """A typer command whose options are the calculator's inputs plus the shared ones."""

    def command(**options: Any) -> None:
        from tcoctl.pipeline import runner  # here, not at the top: --help stays fast

        shared = {name.rstrip("_"): options.pop(name, None) for name in SHARED}
        flags = {calc.input(key).name: value for key, value in options.items() if value is not None}
        with reported_errors():
            runner.run(calc, flags, shared)

    preset_help = f"Scenario preset to start from (default: {calc.default_preset}" + (
        ")." if calc.preset_is_base else ", used when no option is given)."
    )
    params = [
        _text(
            spec.key,
            f"--{spec.name}",
            metavar={"gpu": "NAME", "choice": "NAME", "file": "FILE", "size": "WxH"}.get(
                spec.kind, "QTY"
            ),
            help=f"{spec.help} One of: {', '.join(spec.choices)}."
            if spec.choices
            else f"{spec.help} E.g. '{spec.example}'.",
            **(
                {"autocompletion": completion.preset_names("gpu")}
                if spec.kind == "gpu"
                else {"autocompletion": completion.choices(spec.choices)}
                if spec.choices
                else {}
            ),
        )
        for spec in calc.inputs
    ]
    params += [
        _text(
            "preset",
            "--preset",
            "-p",
            metavar="NAME",
            callback=non_empty,
            autocompletion=completion.preset_names("scenario", calc.name),
            help=preset_help,
        ),
        inspect.Parameter(
            "format", inspect.Parameter.KEYWORD_ONLY, default=None, annotation=FormatOption
        ),
        _text(
            "svg",
            "--svg",
            metavar="FILE",
            callback=non_empty,
            help="Also save the chart (share bars, --tornado, --sweep, --map) as an SVG file, "
            "e.g. chart.svg.",
        ),
        _text(
            "svg_screen",
            "--svg-screen",
            metavar="FILE",
            callback=non_empty,
            help="Also save the whole table view as an SVG file (offline: no web fonts), "
            "e.g. view.svg.",
        ),
        _switch("sources", "--sources", "Show the full citation of every input."),
        _switch("force", "--force", FORCE_HELP),
        _text(
            "value",
            "--value",
            metavar="RESULT[:UNIT]",
            callback=non_empty,
            autocompletion=completion.results_of(calc),
            help="Print only this result's value (one line per scenario), in its display "
            f"unit or UNIT, e.g. '{calc.target}'.",
        ),
        _param(
            "unit",
            None,
            list[str] | None,
            "--unit",
            metavar="RESULT=UNIT",
            autocompletion=completion.results_of(calc, "="),
            help=f"Show a result in another unit (repeatable), e.g. '{calc.unit_example}'.",
        ),
        *(
            [
                _text(
                    "currency",
                    "--currency",
                    metavar="CODE",
                    autocompletion=completion.choices(("USD", *CURRENCIES)),
                    help="Show money results in this currency, at the dated rate of preset "
                    f"exchange-rates: USD, {', '.join(CURRENCIES)}. E.g. 'EUR'.",
                )
            ]
            if calc.has_money
            else []
        ),
        _switch(
            "only_my_ranges",
            "--only-my-ranges",
            "Take each preset range at its midpoint: low/high show the spread of your own "
            "ranges only.",
        ),
        _param(
            "samples",
            0,
            int,
            "--samples",
            click_type=WholeNumber(MAX_SAMPLES, 10_000),
            metavar="N",
            help="Monte Carlo: draw N samples from the ranges and report p05/p50/p95, e.g. 10000.",
        ),
        _param(
            "dist",
            "uniform",
            str,
            "--dist",
            callback=one_of(DISTRIBUTIONS, "--dist triangular"),
            metavar="DIST",
            help="Distribution of each range for --samples: uniform or triangular, "
            "e.g. triangular.",
        ),
        _param(
            "seed",
            None,
            int | None,
            "--seed",
            click_type=WholeNumber(2**32 - 1, 1),
            metavar="N",
            help="Random seed for --samples (and --map), e.g. 1.",
        ),
        _switch(
            "tornado",
            "--tornado",
            "Rank the ranged inputs by how far each alone moves --target, with a tornado chart.",
        ),
        _text(
            "target",
            "--target",
            metavar="RESULT",
            callback=non_empty,
            autocompletion=completion.results_of(calc),
            help=f"Result for --tornado and --sweep charts (default: {calc.target}; a --tornado "
            "with --solve: the input solved for).",
        ),
        _text(
            "sweep",
            "--sweep",
            metavar="NAME=LOW..HIGH[:N]",
            callback=non_empty,
            help="Evaluate every result across one input, e.g. "
            f"'{calc.sweep_example.split('|')[0]}'.",
        ),
        _text(
            "mark",
            "--mark",
            metavar="RESULT=LEVEL",
            callback=non_empty,
            help="With --sweep: where a result crosses a level, e.g. "
            f"'{calc.sweep_example.split('|')[1]}'.",
        ),
        _text(
            "solve",
            "--solve",
            metavar="INPUT",
            callback=non_empty,
            help="Goal-seek: the input to solve for, with --for, e.g. "
            f"--solve {calc.solve_example.split('|')[0]}.",
        ),
        _text(
            "for_",
            "--for",
            metavar="RESULT=VALUE",
            callback=non_empty,
            help=f"With --solve: the result to reach, e.g. '{calc.solve_example.split('|')[1]}' "
            "(RESULT<=VALUE or >=: a limit, which a whole count is rounded to meet).",
        ),
        _text(
            "input",
            "--input",
            "-i",
            metavar="FILE",
            callback=non_empty,
            help="Batch: scenarios as JSON Lines or CSV with option names as fields "
            "('-' reads stdin); writes one record per line, e.g. runs.jsonl.",
        ),
    ]
    if calc.drawing:
        params.append(_switch("map", "--map", "Draw the wafer map."))
    params.append(
        _switch(
            "explain", "--explain", "Show each step of the relations with the numbers substituted."
        )
    )
    command.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
    command.__annotations__ = {p.name: p.annotation for p in params}
    return command


SHARED = (
    "preset",
    "format",
    "svg",
    "svg_screen",
    "force",
    "sources",
    "value",
    "unit",
    "currency",
    "only_my_ranges",
    "explain",
    "map",
    "seed",
    "samples",
    "dist",
    "tornado",
    "target",
    "sweep",
    "mark",
    "input",
    "solve",
    "for_",
)


class OptionsOnce(TyperCommand):
    """A calculator command whose single-valued options may be given once: click keeps the
    last of two (``--sweep a --sweep b`` ran b alone, without a word)."""

    def parse_args(self, ctx: Context, args: list[str]) -> list[str]:
        single = {
            name
            for param in self.params
            if isinstance(param, TyperOption) and not param.multiple and not param.is_flag
            for name in param.opts
        }
        seen: dict[str, str] = {}
        tokens = args[: args.index("--")] if "--" in args else args
        for at, token in enumerate(tokens):
            name, equals, value = token.partition("=")
            if name not in single:
                continue
            value = value if equals else (tokens[at + 1] if at + 1 < len(tokens) else "")
            if name in seen:
                raise ClickUsageError(
                    f"{name} is given twice ({seen[name]!r}, then {value!r}): give it once, "
                    f"e.g. {name} {quoted(seen[name])}",
                    ctx,
                )
            seen[name] = value
        return super().parse_args(ctx, args)


for _calc in CALCULATORS.values():
    app.command(_calc.name, help=_calc.help + "\n\n" + EXIT_CODES_HELP, cls=OptionsOnce)(
        command_for(_calc)
    )


@app.command("validate")
def validate(
    calculator: Annotated[
        list[str] | None,
        typer.Option(
            "--calculator",
            metavar="NAME",
            autocompletion=completion.choices(tuple(CALCULATORS)),
            help="Only this calculator's cases (repeat for more), e.g. inference.",
        ),
    ] = None,
    format: FormatOption = None,
) -> None:
    """Run the validation dataset (published figures, measurements, roofline bounds; see
    docs/validation.md) through the calculators and print each case's error, then per
    calculator and, for measurements, the roofline's error beside the estimate's. Exit 1 if
    a published or bound case fails or a case cannot run."""
    from tcoctl import output  # loads numpy: --help and other commands start faster without
    from tcoctl.pipeline import validation

    with reported_errors():
        document = validation.validate(*(calculator or ()))
        output.write_validation(document, format)
    if validation.failed(document["cases"]):
        raise typer.Exit(int(ExitCode.DOMAIN))


@app.command("compare")
def compare(
    presets: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="[PRESET]...",
            autocompletion=completion.preset_names("scenario"),
            help="Scenario presets (default: every preset drawn from the seeds).",
        ),
    ] = None,
    format: FormatOption = None,
    svg: Annotated[
        str | None,
        typer.Option(
            "--svg-screen",
            metavar="FILE",
            callback=non_empty,
            help="Also save the table view as an SVG file (offline: no web fonts).",
        ),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help=FORCE_HELP)] = False,
) -> None:
    """Run presets through their calculators and show them side by side, with ratios to the
    first column. JSON: one object per scenario (JSON Lines); CSV: a tidy table."""
    from tcoctl.pipeline import runner  # here, not at the top: --help stays fast

    with reported_errors():
        runner.compare(list(presets or []), format, svg, force)


@presets_app.command("list")
def presets_list(format: FormatOption = None) -> None:
    """Every preset: name, kind, commands, title, where it came from (built-in, user folder
    ~/.config/tcoctl/presets, or a --presets-dir/TCOCTL_PRESETS path) and its file. Reads
    TOML only."""
    from tcoctl import output, presets  # here, not at the top: --help stays fast

    broken = []
    with reported_errors():
        records = []
        for name, path in presets.preset_files().items():
            try:
                preset = presets.load(name)
            except presets.PresetError as error:  # list the others; warn about this one
                broken.append(str(error))
                continue
            commands = (
                ",".join(presets.commands(preset))
                if preset.kind == "scenario"
                else "any (as --gpu)"
                if preset.kind == "gpu"
                else ",".join(
                    f"{calc.name} (as --{spec.name})"
                    for calc in CALCULATORS.values()
                    for spec in calc.inputs
                    if spec.rule in preset.sections
                )
            )
            records.append(
                {
                    "name": name,
                    "kind": preset.kind,
                    "commands": commands,
                    "title": preset.title,
                    "from": presets.origin(path),
                    "file": "built-in" if path.parent == presets.builtin_dir() else str(path),
                }
            )
        output.write_records(output.Listing("presets", records), format)
    for message in [*presets.skipped_folders(), *broken]:
        say(f"tcoctl: warning: skipped {message}")
    for message in presets.shadowing():
        say(f"tcoctl: warning: {message}")


@presets_app.command("show")
def presets_show(
    name: Annotated[
        str,
        typer.Argument(
            help="Preset name, e.g. frontier-2024.", autocompletion=completion.preset_names()
        ),
    ],
    format: FormatOption = None,
) -> None:
    """A preset's figures, each checked for its unit, with its source and quote."""
    from tcoctl.pipeline import runner  # here, not at the top: --help stays fast

    with reported_errors():
        runner.show_preset(name, format)


@presets_app.command("audit")
def presets_audit(
    today: Annotated[
        str | None,
        typer.Option(
            help="Date to measure ages from, YYYY-MM-DD (default: today).", metavar="DATE"
        ),
    ] = None,
    all_figures: Annotated[
        bool, typer.Option("--all", help="List every dated figure, not only the stale ones.")
    ] = False,
    format: FormatOption = None,
) -> None:
    """Figures older than their kind's staleness budget (prices: 12 months; hardware
    specifications and other figures: never stale); exit 1 when any is stale."""
    from tcoctl import output, provenance  # loads numpy: --help starts faster without

    with reported_errors():
        try:
            day = datetime.date.fromisoformat(today) if today else datetime.date.today()
        except ValueError:
            raise UsageError(
                f"--today: expected a date YYYY-MM-DD, e.g. '2026-12-03'; got {today!r}"
            ) from None
        found = provenance.audit(day)
        stale = [item for item in found if item.stale]
        shown = found if all_figures else stale
        records = [dataclasses.asdict(item) for item in shown]
        header = {"today": day.isoformat(), "stale": len(stale)}
        fields = [field.name for field in dataclasses.fields(provenance.Figure)]
        output.write_records(output.Listing("figures", records, header, fields=fields), format)
        if stale:
            say(f"tcoctl: {len(stale)} stale figure(s): prices older than 12 months")
            raise typer.Exit(int(ExitCode.DOMAIN))


@app.command("schema")
def schema() -> None:
    """Print the JSON Schema (draft 2020-12) of the JSON output: scenario, batch and preset
    records (tcoctl/schema.json with the calculators' names filled in)."""
    from tcoctl.schema import schema_text  # json loads only here: --help stays fast

    typer.echo(schema_text(), nl=False)


def main() -> None:
    """Console entry point: usage errors on one line (exit 2), 130 on Ctrl-C, quiet on a
    closed pipe."""
    install()
    if sys.stdout is None:  # started with stdout closed (>&-)
        leave("tcoctl: error: cannot write output: standard output is closed\n", 1)
    if sys.stderr is None:  # started with stderr closed (2>&-): its lines are dropped
        devnull = os.open(os.devnull, os.O_WRONLY)  # fd 2, the lowest free: streams wraps it
        sys.stderr = open(devnull, "w", encoding="utf-8", closefd=False)  # noqa: SIM115
    streams.install()  # every write whole, or an error: never a silently truncated file
    streams_degrade_to_ascii()
    try:
        code = only_the_command(app, sys.argv[1:])(standalone_mode=False)
        sys.stdout.flush()
    except NoArgsIsHelpError as error:  # `tcoctl` or `tcoctl presets` alone: the help
        sys.stdout.write(error.format_message() + "\n")
        sys.exit(int(ExitCode.OK))
    except ClickException as error:
        ctx = getattr(error, "ctx", None)
        path = getattr(ctx, "command_path", "") or "tcoctl"
        params = getattr(getattr(ctx, "command", None), "params", ())
        known = [opt for param in params for opt in param.opts if opt.startswith("--")]
        message = hinted(worded(error), sys.argv[1:], path, known)
        sys.stderr.write(f"tcoctl: error: {message}\n")
        sys.exit(error.exit_code)
    except (KeyboardInterrupt, Interrupted) as stop:
        code = getattr(stop, "code", int(ExitCode.INTERRUPTED))
        leave("tcoctl: interrupted\n", code)  # unwritten output is dropped, not torn
    except BrokenPipeError:
        streams.to_devnull(sys.stdout.fileno())
        sys.exit(int(ExitCode.OK))
    except OSError as error:  # a full disk, a closed stdout
        if error.errno in WRITE_ERRORS:
            leave(f"tcoctl: error: cannot write output: {error.strerror or error}\n", 1)
        leave(f"tcoctl: internal error ({type(error).__name__}: {error}); please report it\n", 1)
    except MemoryError as error:
        leave(
            f"tcoctl: error: out of memory{f' ({error})' if str(error) else ''}: give fewer "
            "--samples, fewer ranged inputs or a shorter --sweep, or allow more memory\n",
            1,
        )
    except Exception as error:  # a bug: one line, not a traceback, and a request to report it
        said = " ".join(str(error).split())  # one line, whatever the message holds
        if isinstance(error, ImportError):  # numpy under `ulimit -v 60M`: its long advice
            which = f" ({error.name})" if error.name else ""
            leave(
                f"tcoctl: error: cannot load a library it needs{which}: too little memory "
                "(ulimit -v) or a broken install; allow more memory or reinstall\n",
                1,
            )
        sys.stderr.write(
            f"tcoctl: internal error ({type(error).__name__}: {shorten(said, 200)}); please "
            "report it with the command that caused it\n"
        )
        sys.exit(int(ExitCode.DOMAIN))
    sys.exit(code if isinstance(code, int) else int(ExitCode.OK))


def only_the_command(whole: typer.Typer, argv: list[str]) -> typer.Typer:
    """``whole`` with only the command that ``argv`` starts with, when it names one: typer
    turns every command's options into click's at each start (about 20 ms of a 0.45 s run)
    and a run uses one command's. Otherwise (no command, options first, ``presets ...``,
    shell completion) the whole app."""
    named = [info for info in whole.registered_commands if argv[:1] == [info.name]]
    if not named:
        return whole
    one = copy.copy(whole)
    one.registered_commands, one.registered_groups = named, []
    return one


def worded(error: ClickException) -> str:
    """Click's message, a bad value's as tcoctl words every option error: '--format: ...'
    (click's words were "Invalid value for '--format' / '-f': ...")."""
    if isinstance(error, MissingParameter) and getattr(error.param, "param_type_name", "") == (
        "argument"
    ):
        return missing_argument(error)
    if isinstance(error, BadParameter) and (error.param is not None or error.param_hint):
        flag = error.param.opts[0] if error.param is not None else error.param_hint
        return f"{flag}: {error.message}"
    unknown = re.match(r"No such command '(.*)'\.", error.format_message())
    if unknown:  # click names no command it has
        ctx: Any = getattr(error, "ctx", None)
        group: Any = getattr(ctx, "command", None)
        commands = group.list_commands(ctx) if hasattr(group, "list_commands") else [*CALCULATORS]
        path = getattr(ctx, "command_path", "tcoctl")
        return (
            f"no command {shorten(unknown[1])!r}{did_you_mean(unknown[1], commands)}; one of "
            f"{', '.join(commands)}, e.g. {path} {commands[0]}"
        )
    return error.format_message()


def missing_argument(error: MissingParameter) -> str:
    """A command's argument left out: what it takes and a command line giving its help's
    example ('tcoctl presets show' said only 'name: '); click's words where the help gives
    no example."""
    param: Any = error.param
    found = re.match(r"(.+?), e\.g\. (\S+?)\.?$", " ".join((param.help or "").split()))
    if found is None:
        return error.format_message()
    path = error.ctx.command_path if error.ctx is not None else "tcoctl"
    name = param.human_readable_name.upper()
    return f"{path}: expected a {found[1].lower()} ({name}); e.g. {path} {found[2]}"


def hinted(message: str, argv: list[str], path: str = "tcoctl", known: Sequence[str] = ()) -> str:
    """Click's usage message, with what to type where click gives no example: an unquoted
    value with a space (``--budget 1e25 FLOP``), an option left without its value, an
    option of ``tcoctl`` itself given after the command, an option the command (``path``,
    'tcoctl tco', whose options are ``known``) does not have, and words it takes no
    argument for."""
    unknown = re.match(r"No such option: (-.*?)(?: \(Possible options: ([^)]*)\))?$", message)
    if unknown:
        options = unknown[2].split(", ") if unknown[2] else []
        return unknown_option(unknown[1], options, argv, path, known)
    extra = re.search(r"unexpected extra argument\S* \(([^)]*)\)", message)
    if extra:
        return extra_words(extra[1], argv, path)
    bare = re.match(r"Option '(--[\w-]+)' requires an argument", message)
    if bare:
        return no_value(bare[1], argv) or message
    if message.startswith("Missing command"):
        commands = [*getattr(typer.main.get_command(app), "commands", {})]
        return (
            f"expected a command after {path}'s options, one of {', '.join(commands)}; "
            f"e.g. {path} --notation sci tco"
        )
    return message


def unknown_option(
    typed: str, options: list[str], argv: list[str], path: str, known: Sequence[str] = ()
) -> str:
    """An option ``typed`` that the command (``path``) does not have, click's ``options``
    beside it: one of tcoctl's own (it goes before the command), one of the command's with
    its value in the same shell word ('--gpu-price 30000'), or a misspelling: the command as
    typed with the nearest option in its place (dropped where that one is given already),
    or the command's --help. With a value in the word, the option is sought among all the
    command's options (``known``): click matches the whole word ('--gpu h100-sxm' to none)."""
    if typed in TCOCTL_OPTIONS:
        return f"{typed}: goes before the command, e.g. {moved_first(argv, typed)}"
    calc, _ = calculator_input(argv, typed)
    if typed == "--currency" and calc is not None and not calc.has_money:
        return no_money_result(calc.name, typed, "tcoctl tco --currency EUR")
    option, _, value = typed.partition(" ")
    at = next((i for i, word in enumerate(argv) if word.split("=")[0] == typed), None)
    if value and at is not None:  # the whole word: click cuts it at an '=' in the value
        typed = argv[at]  # ('--for x=1' is '--for x')
        value = typed[len(option) :].strip()
    if known and (value or not options):  # click offers none for '--GPUS' (it keeps case)
        options = list(known)
    if value and option in options:
        return f"{shorten(typed)!r}: an option and its value are two words; e.g. {path} " + (
            f"{option} {shlex.quote(value)}"
        )
    root = path.rsplit(f" {argv[0]}", 1)[0] if f" {argv[0]}" in path else path
    # the value typed for the option: in its word (after a space or '='), or the next word
    typed_word = argv[at] if at is not None else typed
    following = argv[at + 1] if at is not None and at + 1 < len(argv) else ""
    valued = not value and "=" not in typed_word and following[:1] not in ("", "-")
    given = following if valued else value or typed_word.partition("=")[2]
    command = path.rsplit(" ", 1)[-1]
    elsewhere = [
        c for c in CALCULATORS.values() if any(option == as_flag(s.name) for s in c.inputs)
    ]
    if elsewhere and command in CALCULATORS:
        return other_calculators(option, given, elsewhere, path)
    candidates = as_near(option if value else typed, nearest(option if value else typed, options))
    near = next((c for c in candidates if given and fits(argv, c, given)), "")
    near = near or next(iter(candidates), "")
    if not near or at is None:  # (at None: a short option inside a word, -xy)
        return f"{typed}: {path} has no such option; e.g. {path} --help"
    if any(word.split("=")[0] == near for word in argv):  # given already: drop the misspelt
        # option (and its value), not give the option twice
        fixed = argv[:at] + argv[at + 1 + valued :]
    else:  # the nearest option and a value it takes: the typed one (with the example's unit
        # where it has none), else its own example's (none for a switch: a word after it
        # would be a stray argument)
        unit = example_value(argv, near).partition(" ")[2]
        typed_values = [given, f"{given} {unit}"] if unit else [given]
        typed_values += near_names(argv, near, given)
        shown = next(
            (v for v in typed_values if given and takes(argv, near, v)), example_value(argv, near)
        )
        fixed = [*argv[:at], near, *([shown] if shown else []), *argv[at + 1 + valued :]]
    subject = repr(shorten(typed)) if value else typed
    return (
        f"{subject}: {path} has no such option (did you mean {near}?); "
        f"e.g. {root} {shlex.join(started(partnered(argv, near, fixed)))}"
    )


NEAR_MARGIN = 0.1
"""How much less like a mistyped option than the nearest another may be (difflib's ratio)
and still be suggested for the value typed: '--gpuz 100' is --gpus's (0.83; --gpu 0.91),
'--tornadoo 5' is no --load's (0.63; --tornado 0.95)."""


def as_near(typed: str, candidates: list[str]) -> list[str]:
    """The ``candidates`` (best first) about as like ``typed`` as the first."""
    folded = typed.casefold()
    ratios = [difflib.SequenceMatcher(None, folded, c.casefold()).ratio() for c in candidates]
    return [
        c for c, ratio in zip(candidates, ratios, strict=True) if ratio >= ratios[0] - NEAR_MARGIN
    ]


def other_calculators(option: str, given: str, calcs: list[Calculator], path: str) -> str:
    """An option the command (``path``, 'tcoctl tco') lacks that other calculators
    (``calcs``) have: which, and a run of one of them with it that answers: those whose
    preset underlies every run first (a lone option runs on it), else from the default
    preset, else another of theirs (h100e's china-h20 for --factor), else alone, else from
    a preset of the first (inference's deepseek-v3 for --latent-dim); the value as typed
    where that calculator takes it, else the option's example."""
    from tcoctl import presets  # reads preset files: here, not at the top (start-up)

    root, _, command = path.rpartition(" ")
    starts = [(c, None) for c in calcs if c.preset_is_base] + [
        (c, p) for c in calcs if not c.preset_is_base for p in (*presets.scenarios_of(c), None)
    ]
    starts += [(c, p) for c in calcs if c.preset_is_base for p in presets.scenarios_of(c)]
    tries = [(c, p, c.input(option[2:])) for c, p in starts]
    shown = {c.name: given if given and spec_takes(c, s, given) else s.example for c, _, s in tries}
    runs = [(c, p, {s.key: shown[c.name]}) for c, p, s in tries]
    calc, preset, _ = next(  # one that uses the option, else one that runs at all
        (t for used in (True, False) for t in runs if answers(*t, used=used)), runs[0]
    )
    start = ["--preset", preset] if preset else []
    names = ", ".join(c.name for c in calcs)
    return (
        f"{option} is an option of {names}, not {command}; "
        f"e.g. {root} {shlex.join([calc.name, *start, option, shown[calc.name]])}"
    )


def started(fixed: list[str]) -> list[str]:
    """The command line ``fixed`` (after 'tcoctl'), with --preset and the first of its
    calculator's presets (presets.scenarios_of) where the calculator inputs it gives answer
    from none: 'flops --gpu h100-sxm' determines no result, 'flops --preset run-1e30 --gpu
    h100-sxm' does; 'inference --latent-dim 512' needs an MLA model, deepseek-v3. As it is
    with --preset or --input, inputs that answer alone, or none that answer from a preset."""
    from tcoctl import presets  # reads preset files: here, not at the top (start-up)

    at = next((i for i, word in enumerate(fixed) if word in CALCULATORS), None)
    words = [p for word in fixed for p in (word.split("=", 1) if word[:2] == "--" else [word])]
    if at is None or {"--preset", "--input"} & {*words}:
        return fixed
    calc = CALCULATORS[fixed[at]]
    given = {
        calc.inputs_by_name[flag[2:]].key: value
        for flag, value in itertools.pairwise(words)
        if flag[2:] in calc.inputs_by_name and flag.startswith("--")
    }
    if answers(calc, None, given):
        return fixed
    preset = next((p for p in presets.scenarios_of(calc) if answers(calc, p, given)), None)
    return fixed if preset is None else [*fixed[: at + 1], "--preset", preset, *fixed[at + 1 :]]


def answers(calc: Calculator, preset: str | None, given: dict[str, str], used: bool = True) -> bool:
    """Whether calculator ``calc`` run from ``preset`` with the inputs ``given`` (API
    keywords) answers (through the Python API, its warnings unsaid), and with ``used`` uses
    them all (no warning that one is used by no result: serving-fit has no model for
    --kv-heads): an example to give that runs."""
    from tcoctl import api  # loads numpy and pint: here, not at the top, so --help stays fast

    with warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always")
        try:
            api.run(calc.name, preset, **given)
        except TcoctlError:
            return False
    return not used or not any(UNUSED in str(warning.message) for warning in said)


UNUSED = "is used by no result"
"""A warning that an option changes nothing in a run (engine's): no example of it."""


def near_names(argv: list[str], flag: str, value: str) -> list[str]:
    """For an option that takes a preset's name (--gpu), the names nearest the value typed:
    '--gpuu a100' is told '--gpu a100-sxm', not the option's own example."""
    _, spec = calculator_input(argv, flag)
    if spec is None or spec.kind != "gpu" or not value:
        return []
    return nearest(value, completion.preset_names(kind="gpu")(""))


def calculator_input(argv: list[str], flag: str) -> tuple[Calculator | None, Input | None]:
    """The calculator the command ``argv`` runs (None for another command), and its input
    that option ``flag`` sets (None for a shared option)."""
    calc = next((CALCULATORS[word] for word in argv if word in CALCULATORS), None)
    spec = next((s for s in calc.inputs if flag == as_flag(s.name)), None) if calc else None
    return calc, spec


NUMBER_START = re.compile(r"\s*[-+]?\.?\d")
"""Text that starts as a number does ('100', '-1', '.5', '30000 USD')."""


def fits(argv: list[str], flag: str, value: str) -> bool:
    """Whether ``value`` is of the kind option ``flag`` takes: a number for a number input
    (with its unit or not: '--gpu-prise 30000' is --gpu-price's), else what it takes (a known
    name for a --gpu, a choice)."""
    _, spec = calculator_input(argv, flag)
    number = spec is not None and spec.kind == "number" and NUMBER_START.match(value)
    return bool(number) or takes(argv, flag, value)


def takes(argv: list[str], flag: str, value: str) -> bool:
    """Whether option ``flag`` of the command ``argv`` names takes ``value``: a calculator
    input's own check, --for's and --mark's, or a shared option's type and callback
    (--format's choices, --samples' whole number); a switch takes none."""
    from tcoctl import presets  # reads preset files: here, not at the top (start-up)
    from tcoctl.pipeline import planner, runner  # loads numpy: here, not at the top (start-up)

    calc, spec = calculator_input(argv, flag)
    if calc is not None and spec is not None:
        return spec_takes(calc, spec, value)
    command = command_of(argv)
    param = next((p for p in getattr(command, "params", []) if flag in p.opts), None)
    if param is None or getattr(param, "is_flag", False):
        return param is None
    try:
        param.process_value(Context(command), value)
        if calc is not None and flag in ("--for", "--mark"):
            goal = (calc.solve_example if flag == "--for" else calc.sweep_example).split("|")[1]
            planner.parse_mark(calc, value, flag, goal, flag == "--for")
        if calc is not None and flag == "--sweep":
            planner.parse_sweep(calc, value)
        if calc is not None and flag == "--currency":
            runner.in_currency(calc, value)
    except (ClickException, TcoctlError):
        return False
    if calc is not None and flag in ("--value", "--target"):
        return value.split(":")[0] in {result.name for result in calc.results}
    return calc is None or flag != "--preset" or value in presets.scenarios_of(calc)


PARTNERS = {"--for": "--solve", "--solve": "--for", "--mark": "--sweep"}
"""Shared options refused without another (runner: '--mark goes with --sweep')."""


def partnered(argv: list[str], flag: str, fixed: list[str]) -> list[str]:
    """The command line ``fixed`` (``argv`` with ``flag`` in place of a misspelt option), with
    what ``flag`` is refused without, from the calculator's examples: --for and --solve each
    other, --mark a --sweep, --svg a --sweep where the run draws no chart."""
    calc, _ = calculator_input(argv, flag)
    given = {word.split("=")[0] for word in fixed}
    partner = PARTNERS.get(flag, "--sweep" if flag == "--svg" else "")
    views = {"--sweep", "--tornado", "--map"}
    if calc is None or not partner or partner in given or (flag == "--svg" and given & views):
        return fixed
    if flag == "--svg" and calc.shares:  # a chart of its shares without a view
        return fixed
    solve_input, goal = calc.solve_example.split("|")
    sweep = calc.sweep_example.split("|")[0]
    value = {"--solve": solve_input, "--for": goal, "--sweep": sweep}[partner]
    at = fixed.index(flag) if flag in fixed else len(fixed)
    if flag == "--solve":  # the example's input with its goal (the one typed may not move it)
        return [*fixed[:at], flag, solve_input, partner, value, *fixed[at + 2 :]]
    return [*fixed[:at], partner, value, *fixed[at:]]


def spec_takes(calc: Calculator, spec: Input, value: str) -> bool:
    """Whether calculator input ``spec`` takes ``value`` (a number in range, a known preset
    or choice, a WIDTHxHEIGHT size)."""
    from tcoctl.engine import inputs  # loads numpy: here, not at the top, so --help stays fast

    try:
        inputs.expand(calc, spec, value, as_flag(spec.name))
    except TcoctlError:
        return False
    return True


def example_value(argv: list[str], flag: str) -> str:
    """The value of option ``flag``'s own example: a calculator input's, or the one its help
    gives ('json' for --format); '' if none."""
    _, spec = calculator_input(argv, flag)
    if spec is not None:
        return spec.example
    return " ".join(shlex.split(option_example(argv, flag))[1:])


def extra_words(words: str, argv: list[str], path: str) -> str:
    """Words the command takes no argument for: the second word of a value with a space
    left unquoted (quoting_example), else stray words."""
    first = words.split()[0] if words.split() else ""
    at = argv.index(first) if first in argv else 0
    quoted = (
        quoting_example(argv, argv[at - 2], argv[at - 1], argv[at])
        if at >= 2 and argv[at - 2].startswith("--")
        else None
    )
    if quoted is not None:
        flag = argv[at - 2]
        return f"{flag}: a value with a space goes in quotes, e.g. {flag} {quoted}"
    return (
        f"{shorten(words)!r}: {path} takes no such argument, only options (--NAME VALUE); "
        f"e.g. {path} --help"
    )


def no_value(flag: str, argv: list[str]) -> str:
    """An option left without its value, with one to type ('' where none is known): a
    calculator input's example, tcoctl's own option's, or the option's help's."""
    examples = [i.example for c in CALCULATORS.values() for i in c.inputs if i.name == flag[2:]]
    if examples:
        return f"{flag}: expected a value after it; e.g. {flag} {examples[0]!r}"
    if flag in TCOCTL_OPTIONS:  # tcoctl's own, before the command
        return f"{flag}: expected a value after it; e.g. tcoctl {flag} {TCOCTL_OPTIONS[flag]} tco"
    shared = option_example(argv, flag)
    return f"{flag}: expected a value after it; e.g. {shared}" if shared else ""


def quoting_example(argv: list[str], flag: str, first: str, second: str) -> str | None:
    """What to type after ``flag`` when its value may have come as two shell words,
    ``first`` and ``second``: both quoted where ``flag`` takes them together ('1e25 FLOP'),
    the option's own example where it takes neither that nor ``first`` alone ('0.08 W' is a
    power, no electricity price: '0.08 USD/kWh'); None where ``first`` alone is a value it
    takes (``--gpus 8 stray``: a stray word, not a value in two) or ``flag`` is no
    calculator input, --for or --mark (``--format json extra``, a switch)."""
    calc, spec = calculator_input(argv, flag)
    if calc is None or (spec is None and flag not in ("--for", "--mark")):
        return None
    if takes(argv, flag, f"{first} {second}"):
        return f"'{first} {second}'"
    if takes(argv, flag, first):
        return None
    return f"'{example_value(argv, flag)}'"


TCOCTL_OPTIONS = {"--presets-dir": "./presets", "--notation": "sci"}
"""Options of ``tcoctl`` itself (before the command), with an example value."""


def moved_first(argv: list[str], flag: str) -> str:
    """The command line ``argv`` with option ``flag`` and its value moved to the front:
    ``tcoctl --notation sci flops`` for ``tcoctl flops --notation sci``."""
    at = next(i for i, word in enumerate(argv) if word.split("=")[0] == flag)
    following = argv[at + 1] if at + 1 < len(argv) else ""
    apart = "=" not in argv[at] and following[:1] not in ("", "-")  # its value after a space
    typed = "=" in argv[at] or apart
    value = argv[at].split("=", 1)[1] if "=" in argv[at] else following
    if flag == "--notation" and value not in NOTATIONS:
        typed = False  # the example's value, not one --notation refuses
    given = argv[at : at + 1 + apart] if typed else [flag, TCOCTL_OPTIONS[flag]]
    return " ".join(["tcoctl", *given, *argv[:at], *argv[at + 1 + apart :]])


def option_example(argv: list[str], flag: str) -> str:
    """The example the help of option ``flag`` of the command in ``argv`` gives ('' if
    none): what to type after a shared option left without its value (--samples)."""
    params = getattr(command_of(argv), "params", [])
    return next((help_example(p) for p in params if flag in getattr(p, "opts", ())), "")


def command_of(argv: list[str]) -> Any:
    """The click command ``argv`` runs: down to the subcommand it names (presets show)."""
    command: Any = typer.main.get_command(app)
    for word in argv:
        command = getattr(command, "commands", {}).get(word, command)
    return command


WRITE_ERRORS = {errno.ENOSPC, errno.EFBIG, errno.EIO, errno.EBADF, errno.EROFS, errno.EDQUOT}


def leave(message: str, code: int) -> None:
    """Say ``message`` on stderr if it can be said (stderr may be full or closed), and exit
    with ``code`` at once: buffered stdout is dropped, so what was written stays whole."""
    with contextlib.suppress(Exception):
        if sys.stderr is not None:
            sys.stderr.write(message)
            sys.stderr.flush()
    os._exit(code)


def streams_degrade_to_ascii() -> None:
    """Characters a non-UTF-8 stdout or stderr cannot encode become '?', not an error."""
    for stream in (sys.stdout, sys.stderr):
        encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "")
        if stream is not None and not encoding.startswith("utf"):
            with contextlib.suppress(AttributeError, ValueError):
                stream.reconfigure(errors="replace")  # type: ignore[union-attr]
