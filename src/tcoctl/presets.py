"""Presets: TOML files of scenario or hardware figures, each figure with its source.

A preset file holds ``title``, ``kind`` (``scenario`` or ``gpu``), ``description`` and one
table per calculator (``[tco]``, ``[flops]``...; ``[gpu]`` for hardware). Each entry is a
table with ``value`` (a quantity string as typed on the command line), ``source`` (a seed file
``seeds/NAME.txt`` or a document title), ``quote`` (required for a seed, verbatim), ``url``
(required for a document), ``as_of`` (the date the source states or was published:
``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``) and an optional ``note``. A scenario may
``extends = "NAME"`` another: for each calculator it has a table for (an empty one will do),
it inherits that preset's figures and overrides those it gives. A ``rule`` preset holds the
thresholds of a regulation (``[eccn]``, ``[compute]``), chosen with an option such as
``--export-rule``.

Built-in presets ship inside the package (``tcoctl/presets``); ``--presets-dir`` and the
``TCOCTL_PRESETS`` environment variable (paths separated by ``os.pathsep``) and the user folder
``$XDG_CONFIG_HOME/tcoctl/presets`` add folders whose files take precedence. Listing reads
TOML only; checking units happens on use.
"""

from __future__ import annotations

import datetime
import os
import re
import stat
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from types import MappingProxyType

import tomli

from tcoctl.errors import DomainError, TcoctlError, UsageError, did_you_mean, nearest, shorten
from tcoctl.files import excerpt, read_text, reason
from tcoctl.specs import CALCULATORS, REFERENCE_GPU, Calculator

ENTRY_KEYS = {"value", "source", "quote", "url", "note", "labels", "as_of", "per", "format"}
ANY_GPU = "*"
"""The label of a per-GPU figure's value for every GPU its labels do not name."""
REFERENCE_KEYS = {"from", "result", "variant", "note"}
"""A figure that is another preset's result: ``{ from = "smic-7nm", result = "NAME" }``
(``variant``: the scenario's label when that preset has several; see tcoctl.chain)."""
MAX_VARIANTS = 100
TOP_KEYS = {"title", "kind", "description", "extends"}
KINDS = {"scenario", "gpu", "rule", "rates"}
FITTED_DEFAULTS = frozenset(calc.fitted for calc in CALCULATORS.values() if calc.fitted)
"""The presets of fitted defaults (training-fit): layers under a run, which alone determine
no result (no GPU), so never a refusal's example."""
RULE_TABLES = ("eccn", "compute")
"""The tables a ``kind = "rule"`` preset may hold (tcoctl.specs.base.RULE_FIELDS)."""
RATES_TABLE = "fx"
"""The one table of a ``kind = "rates"`` preset: exchange rates by currency code."""
_AS_OF = re.compile(r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$")
MAX_PRESET_BYTES = 1_000_000
MAX_EXTENDS = 8

extra_dirs: list[Path] = []
"""Folders named with ``--presets-dir`` for this run (the CLI fills it)."""


class PresetError(DomainError):
    """A preset file that cannot be used; the message names the file and the key."""


@dataclass(frozen=True)
class Entry:
    """One sourced figure of a preset."""

    value: str | tuple[str, ...]
    source: str
    quote: str | None = None
    url: str | None = None
    note: str | None = None
    labels: tuple[str, ...] = ()
    """Names of the variants when ``value`` is a list (one scenario per element)."""
    as_of: str | None = None
    """When the figure was true: the date its source states or was published."""
    reference: tuple[str, str, str] | None = None
    """(preset, result, variant) when the figure is another preset's result."""
    per: str | None = None
    """``"gpu"``: the list value holds one figure per GPU preset named in ``labels`` (``*``:
    any other GPU); the run's ``--gpu`` picks one (tcoctl.engine.scenarios), no variants."""
    format: str | None = None
    """A hardware peak of another number format than its slot's, named ('FP16': V100 has no
    BF16, its ``bf16`` slot holds the FP16 peak); runs that use it say so."""


@dataclass(frozen=True, eq=False)
class Preset:
    name: str
    path: str
    title: str
    kind: str
    description: str
    sections: dict[str, dict[str, Entry]]
    extends: str | None = None


@cache
def builtin_dir() -> Path:
    """The shipped presets: inside the installed package, or the checkout's ``presets/``
    when tcoctl runs from source (an editable install)."""
    shipped = Path(__file__).parent / "presets"  # not importlib.resources: 3-5 ms to import
    checkout = Path(__file__).resolve().parents[2] / "presets"
    return shipped if shipped.is_dir() or not checkout.is_dir() else checkout


def user_dir() -> Path:
    """The user's own presets: ``$XDG_CONFIG_HOME/tcoctl/presets`` (``~/.config/...``)."""
    return _user_dir(os.environ.get("XDG_CONFIG_HOME"), os.environ.get("HOME"))


@cache
def _user_dir(config_home: str | None, home: str | None) -> Path:
    """Cached by the variables it reads (a warm API call looks it up twice)."""
    config = config_home or str(Path.home() / ".config")
    return Path(config) / "tcoctl" / "presets"


def search_dirs() -> list[Path]:
    """User folders first (``--presets-dir``, then ``TCOCTL_PRESETS``, then the user folder
    if it exists), built-ins last; within ``one_version``, as first found."""
    held = _held.get()
    if held is not None and held.dirs is not None:
        return list(held.dirs)
    env = [Path(p) for p in os.environ.get("TCOCTL_PRESETS", "").split(os.pathsep) if p]
    user = user_dir()
    found = [*extra_dirs, *env, *([user] if user.is_dir() else []), builtin_dir()]
    if held is not None:
        held.dirs = tuple(found)
    return found


def origin(path: Path) -> str:
    """Where a preset file lives: ``built-in``, ``user folder`` or ``path`` (a folder named
    with --presets-dir or TCOCTL_PRESETS)."""
    if path.parent == builtin_dir():
        return "built-in"
    return "user folder" if path.parent == user_dir() else "path"


def preset_files() -> Mapping[str, Path]:
    """Every preset name with the file that defines it (the first folder wins), read-only:
    the listing is kept while no folder changes (an API call asks several times)."""
    held = _held.get()
    if held is not None and held.files is not None:
        return held.files
    folders = tuple(search_dirs())
    files = _scan(folders, tuple(map(_folder_stamp, folders)))
    if held is not None:
        held.files = files
    return files


def _folder_stamp(folder: Path) -> int:
    """A folder's modification time [ns] (a file added or removed changes it), -1 if it is
    not a folder: one stat."""
    try:
        found = os.stat(folder)
    except (OSError, ValueError):
        return -1
    return found.st_mtime_ns if stat.S_ISDIR(found.st_mode) else -1


@cache
def _scan(folders: tuple[Path, ...], stamps: tuple[int, ...]) -> Mapping[str, Path]:
    """The presets in ``folders`` (cached while no folder changes: ``stamps`` are mtimes)."""
    found: dict[str, Path] = {}
    for folder in reversed(folders):
        if not folder.is_dir():
            if folder != builtin_dir():
                raise UsageError(f"--presets-dir / TCOCTL_PRESETS: {folder} is not a folder")
            continue
        try:
            names = sorted(entry.name for entry in os.scandir(folder))
        except OSError as error:  # unreadable: skipped with a warning, never silently
            _skipped[str(folder)] = f"{folder}: unreadable folder ({reason(error)})"
            continue
        for name in names:
            if name.endswith(".toml") and len(name) > len(".toml"):
                found[name[: -len(".toml")]] = folder / name
    return MappingProxyType(dict(sorted(found.items())))


_skipped: dict[str, str] = {}
"""Folders the scan could not read, with why (see :func:`skipped_folders`)."""


def skipped_folders() -> list[str]:
    """Messages for preset folders that could not be read (each a warning to show)."""
    current = {str(folder) for folder in search_dirs()}
    preset_files()
    return [message for folder, message in _skipped.items() if folder in current]


def file_stamp(path: Path) -> tuple[int, int, int, int]:
    """A preset file's version for the parse cache: its modification and change times, size
    and inode (an edit within one clock tick still changes one of them); a file that cannot
    be reached (a dangling symlink) is a PresetError naming it."""
    try:
        found = path.stat()
        return found.st_mtime_ns, found.st_ctime_ns, found.st_size, found.st_ino
    except (OSError, ValueError) as error:
        raise PresetError(f"{path}: not a readable TOML file: {reason(error)}") from None


def _entry(where: str, raw: object) -> Entry:
    if not isinstance(raw, dict):
        raise PresetError(f"{where}: expected a table with value and source, got {raw!r}")
    if "from" in raw:
        return _reference(where, raw)
    unknown = set(raw) - ENTRY_KEYS
    if unknown:
        raise PresetError(f"{where}: unknown key {sorted(unknown)[0]!r}")
    if "value" not in raw or "source" not in raw:
        missing = "value" if "value" not in raw else "source"
        raise PresetError(f"{where}: missing {missing!r}; every figure cites its source")
    values = raw["value"] if isinstance(raw["value"], list) else [raw["value"]]
    if not 0 < len(values) <= MAX_VARIANTS or any(
        isinstance(v, bool) or not isinstance(v, (str, int, float)) for v in values
    ):
        raise PresetError(f"{where}: value must be a string, a number, or a list of them")
    labels = raw.get("labels", [])
    if (
        not isinstance(labels, list)
        or not all(isinstance(x, str) for x in labels)
        or ((labels and len(labels) != len(values)) or (len(values) > 1 and not labels))
    ):
        raise PresetError(f"{where}: a list value needs 'labels', one string per element")
    if isinstance(raw.get("as_of"), datetime.date):  # a bare TOML date: 2023-10-25
        raw = {**raw, "as_of": raw["as_of"].isoformat()[:10]}
    for key in ENTRY_KEYS - {"value", "labels"}:
        if key in raw and not isinstance(raw[key], str):
            raise PresetError(f"{where}: {key} must be a string")
    source = raw["source"].strip()
    if source.startswith("seeds/") and not raw.get("quote"):
        raise PresetError(f"{where}: a seed source needs a verbatim 'quote'")
    if not source.startswith("seeds/") and not str(raw.get("url", "")).startswith("http"):
        raise PresetError(f"{where}: a document source needs a 'url'")
    as_of = raw.get("as_of")
    if as_of is not None and not _AS_OF.match(as_of):
        raise PresetError(f"{where}: as_of must be YYYY, YYYY-MM or YYYY-MM-DD, got {as_of!r}")
    per = raw.get("per")
    if per is not None and (per != "gpu" or ANY_GPU not in labels):
        raise PresetError(
            f'{where}: per must be "gpu", with a list value whose labels name GPU presets '
            f"and {ANY_GPU!r} (any other GPU)"
        )
    value = tuple(str(v) for v in values) if isinstance(raw["value"], list) else str(values[0])
    return Entry(
        value,
        source,
        raw.get("quote"),
        raw.get("url"),
        raw.get("note"),
        tuple(labels),
        as_of,
        per=per,
        format=raw.get("format"),
    )


def _reference(where: str, raw: dict[str, object]) -> Entry:
    """A figure that is another preset's result; its source is that preset's figures."""
    unknown = set(raw) - REFERENCE_KEYS
    if unknown:
        raise PresetError(f"{where}: unknown key {sorted(unknown)[0]!r} (a reference has "
                          "from, result and optionally variant and note)")  # fmt: skip
    if not all(isinstance(raw.get(k, ""), str) for k in REFERENCE_KEYS) or not raw.get("result"):
        raise PresetError(f"{where}: a reference needs from = PRESET and result = NAME, strings")
    source, result = str(raw["from"]), str(raw["result"])
    variant = str(raw.get("variant", ""))
    shown = f"{result} of preset {source}" + (f" [{variant}]" if variant else "")
    note = raw.get("note")
    return Entry(shown, f"preset {source}", None, None, note if isinstance(note, str) else None,
                 reference=(source, result, variant))  # fmt: skip


def parse_preset(name: str, path: Path, sections_allowed: Iterable[str]) -> Preset:
    """Read and structurally check one preset file (no unit checks)."""
    try:
        data = tomli.loads(read_text(path, MAX_PRESET_BYTES))
    except tomli.TOMLDecodeError as error:  # its message quotes no contents
        raise PresetError(f"{path}: not a readable TOML file: {error}") from None
    except (OSError, UnicodeDecodeError, RecursionError, ValueError, MemoryError) as error:
        why = "nested too deep" if isinstance(error, RecursionError) else reason(error)
        raise PresetError(f"{path}: not a readable TOML file: {why}") from None
    allowed = set(sections_allowed)
    unknown = set(data) - TOP_KEYS - allowed
    if unknown:
        raise PresetError(f"{path}: unknown key {sorted(unknown)[0]!r}")
    kind = data.get("kind")
    if kind not in KINDS:
        raise PresetError(f"{path}: 'kind' must be one of {sorted(KINDS)}, got {kind!r}")
    for key in ("title", "description", "extends"):
        if not isinstance(data.get(key, ""), str):
            raise PresetError(f"{path}: {key!r} must be a string")
    tables = set(data) & allowed
    if (
        (kind == "gpu") != (tables == {"gpu"})
        or (kind == "rule") != (bool(tables) and tables <= set(RULE_TABLES))
        or (kind == "rates") != (tables == {RATES_TABLE})
    ):
        raise PresetError(
            f"{path}: a 'gpu' preset holds one [gpu] table, a 'rule' preset only "
            f"{' or '.join(f'[{t}]' for t in RULE_TABLES)} tables, a 'rates' preset one "
            f"[{RATES_TABLE}] table; a scenario holds none of them"
        )
    sections = {}
    for section in sorted(set(data) & allowed):
        table = data[section]
        if not isinstance(table, dict):
            raise PresetError(f"{path}: [{section}] must be a table")
        sections[section] = {
            key: _entry(f"{path}: {section}.{key}", raw) for key, raw in table.items()
        }
    extends = data.get("extends")
    if extends is not None and kind != "scenario":
        raise PresetError(f"{path}: only a scenario preset may use 'extends'")
    if not sections:
        raise PresetError(
            f"{path}: no calculator table (e.g. [tco]; with 'extends', an empty "
            "table takes the figures of the preset it extends)"
        )
    return Preset(
        name,
        str(path),
        data.get("title", name),
        kind,
        data.get("description", ""),
        sections,
        extends,
    )


def chain(preset: Preset) -> list[Preset]:
    """The preset and the presets it ``extends``, base first; later ones override."""
    layers = [preset]
    while layers[0].extends is not None:
        base = layers[0].extends
        if len(layers) > MAX_EXTENDS or base in {p.name for p in layers}:
            raise PresetError(f"{preset.path}: 'extends' loops or nests too deep")
        try:
            layers.insert(0, load(base, f"preset {layers[0].name}: extends", kind="scenario"))
        except UsageError as error:  # a broken preset file, not a mistyped option
            raise PresetError(f"{layers[0].path}: {error}") from None
    return layers


def commands(preset: Preset) -> list[str]:
    """The calculators a preset runs on: those it has a table for (even an empty one, which
    takes every figure from the presets it extends)."""
    return sorted(preset.sections)


@dataclass
class _Read:
    """What one run has read of the presets (``one_version``)."""

    presets: dict[tuple[str, str | None], Preset] = field(default_factory=dict)
    builtins: dict[str, Preset] = field(default_factory=dict)
    files: Mapping[str, Path] | None = None
    dirs: tuple[Path, ...] | None = None


_held: ContextVar[_Read | None] = ContextVar("held", default=None)
"""What this run has read so far (None outside ``one_version``)."""


@contextmanager
def one_version() -> Iterator[None]:
    """Within it, the preset folders are listed once and each preset is read once: one run
    sees one version of each preset file, and its stages (variants, figures, the ``extends``
    chain) look up no file again."""
    if _held.get() is not None:  # nested in a run already holding its presets
        yield
        return
    token = _held.set(_Read())
    try:
        yield
    finally:
        _held.reset(token)


def load(
    name: str,
    option: str = "--preset",
    kind: str | None = None,
    command: str | None = None,
    typed: str = "",
    run: bool = False,
    lacks: Callable[[str], str] = lambda name: "",
) -> Preset:
    """The preset called ``name`` (of ``kind``, if given); UsageError, worded for ``option``,
    lists the known ones and gives an example: ``typed`` (what goes before a name: 'tcoctl
    compare'; an ``option`` that is a flag by default) and a preset the run can take, one
    with figures for ``command`` when given, and no fitted-defaults layer where the preset is
    run (``command`` given, or ``run``); with ``lacks`` (what a preset lacks for the run, ''
    if nothing: a GPU's figure at --precision) one that lacks nothing, saying what the
    nearest name, which the did-you-mean offers, lacks. Within ``one_version``, the version
    first loaded."""
    held = _held.get()
    if held is not None and (name, kind) in held.presets:
        return held.presets[name, kind]
    files = preset_files()
    preset = _parse_cached(name, files[name], file_stamp(files[name])) if name in files else None
    if preset is not None and kind is not None and preset.kind != kind:
        flag = {"gpu": "--gpu", "scenario": "--preset"}.get(preset.kind)
        instead = f"; give it as {flag} {name}" if flag else ""
        raise UsageError(
            f"{option}: {name} is a {preset.kind} preset, not a {kind} preset{instead}"
        )
    if preset is None:
        names = [n for n in files if kind is None or _kind_of(files[n]) == kind]
        label = f"{kind} preset" if kind else "preset"
        broken = [excerpt(n, 40) for n in files if _kind_of(files[n]) == "?"]
        skipped = broken + [excerpt(message, 80) for message in skipped_folders()]
        note = f" (skipped, unreadable: {', '.join(skipped)})" if skipped else ""
        usable = [
            n
            for n in names
            if not ((run or command is not None) and n in FITTED_DEFAULTS)
            and (command is None or _runs(n, files[n], command))
        ]
        hint = did_you_mean(name, usable)  # only presets the run can take
        near = nearest(name, usable)
        example = next(iter(near or usable), None)
        lacking = lacks(example) if example is not None else ""
        if lacking:
            whole = [n for n in usable if not lacks(n)]
            example = next(iter(nearest(name, whole) or whole), example)
        before = typed or (option if option.startswith("--") else "")
        instead = f"; e.g. {before} {example}" if before and example else ""
        if lacking and near and example != near[0]:
            instead += f" ({near[0]} has {lacking})"
        raise UsageError(
            f"{option}: no {label} {shorten(name)!r}{hint}; known: {', '.join(names)}{note}"
            f"{instead}"
        )
    if held is not None:
        held.presets[name, kind] = preset
    return preset


def scenarios_of(calc: Calculator) -> list[str]:
    """The presets a run of calculator ``calc`` can start from: its default first, then the
    others with a table for it (no fitted defaults, which alone determine no result)."""
    files = preset_files()
    others = [n for n in sorted(files) if n != calc.default_preset and n not in FITTED_DEFAULTS]
    return [calc.default_preset, *(n for n in others if _runs(n, files[n], calc.name))]


def builtin(name: str) -> Preset:
    """The built-in preset ``name`` itself, whatever the user's folders hold under that name
    (the H100-equivalent is defined against the datasheet H100); within ``one_version``,
    the version first read."""
    held = _held.get()
    if held is not None and name in held.builtins:
        return held.builtins[name]
    path = _builtin_path(name)
    preset = _parse_cached(name, path, file_stamp(path))
    if held is not None:
        held.builtins[name] = preset
    return preset


@cache
def _builtin_path(name: str) -> Path:
    return builtin_dir() / f"{name}.toml"


def shadowing() -> list[str]:
    """A warning for each preset file of the user's that takes the place of a built-in
    preset of the same name (worked out once per version of the folders, as their listing
    is: an API call asks every time)."""
    folders = tuple(search_dirs())
    return list(_shadowing(folders, tuple(map(_folder_stamp, folders))))


@cache
def _shadowing(folders: tuple[Path, ...], stamps: tuple[int, ...]) -> tuple[str, ...]:
    """:func:`shadowing` for one version of the folders (``stamps``: their mtimes)."""
    return tuple(
        f"preset {name}: {path} takes the place of the built-in preset of that name"
        + (" (H100-equivalents still use the built-in)" if name == REFERENCE_GPU else "")
        for name, path in _scan(folders, stamps).items()
        if path.parent != builtin_dir() and (builtin_dir() / f"{name}.toml").is_file()
    )


@cache
def _parse_cached(name: str, path: Path, stamp: tuple[int, int, int, int]) -> Preset:
    """Parse a preset file once per version of it (keyed by path and :func:`file_stamp`)."""
    return parse_preset(name, path, [*CALCULATORS, "gpu", *RULE_TABLES, RATES_TABLE])


def _runs(name: str, path: Path, command: str) -> bool:
    """Whether the preset file has figures for ``command`` (False if it does not parse)."""
    try:
        return command in commands(_parse_cached(name, path, file_stamp(path)))
    except (TcoctlError, OSError):
        return False


def _kind_of(path: Path) -> str:
    """The ``kind`` line of a preset file, read without validating the rest."""
    try:
        return str(tomli.loads(read_text(path, MAX_PRESET_BYTES)).get("kind", ""))
    except (OSError, UnicodeDecodeError, tomli.TOMLDecodeError, RecursionError, ValueError):
        return "?"
