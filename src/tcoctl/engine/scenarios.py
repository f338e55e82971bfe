"""One scenario's inputs: a preset's figures (one variant of its lists), overridden by flags,
then the defaults. A preset figure may be another preset's result (``{ from = "PRESET",
result = "NAME" }``): that preset runs here through the same engine, references followed depth
first; a cycle is an error naming it."""

from __future__ import annotations

import math
import shlex
import threading
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import replace
from functools import lru_cache
from typing import Any

from tcoctl.chain import quantity_text
from tcoctl.engine.evaluation import run_rows
from tcoctl.engine.inputs import (
    Given,
    check_alternatives,
    default_given,
    expand,
    gpu_price,
    preset_step_file,
    put,
)
from tcoctl.engine.model import known_quantities, model_for
from tcoctl.errors import DomainError, UsageError, as_flag
from tcoctl.presets import ANY_GPU, Preset, chain, commands, load
from tcoctl.report import ANCHOR_REPLACED, DEFAULTED, FITTED, GPU_PRICE_MARK
from tcoctl.specs import CALCULATORS, GPU_QUANTITIES, Calculator
from tcoctl.specs.base import PRECISION
from tcoctl.units import convert, short


def variants(
    calc: Calculator,
    preset: Preset | None,
    flags: Collection[str] = (),
    warn: Callable[[str], None] | None = None,
) -> list[str]:
    """Names of the scenarios a preset's list values define for ``calc`` (one if none);
    where ``flags`` replace every input the scenarios vary, ``warn`` is told that they are
    one scenario under several labels."""
    if preset is None:
        return [""]
    labels: tuple[str, ...] | None = None
    varied: list[str] = []
    for layer in chain(preset):
        for key, entry in layer.sections.get(calc.name, {}).items():
            if isinstance(entry.value, tuple) and entry.per is None:
                if labels is not None and len(entry.value) != len(labels):
                    raise DomainError(
                        f"{layer.path}: {calc.name}.{key}: lists of one preset must be equally long"
                    )
                labels = labels or entry.labels
                varied.append(key)
    if labels is None:
        return [preset.name]
    given = {flag.replace("-", "_") for flag in flags}  # zero-stage or zero_stage alike
    if warn is not None and all(key.replace("-", "_") in given for key in varied):
        options = ", ".join(as_flag(key) for key in dict.fromkeys(varied))
        warn(
            f"{options} replaces all that preset {preset.name}'s {len(labels)} scenarios vary "
            f"({', '.join(labels)}): they are one scenario under {len(labels)} labels; drop "
            f"{options} to compare them"
        )
    return [f"{preset.name} [{label}]" for label in labels]


def peak_formats(
    calc: Calculator, flags: Mapping[str, str], given: Mapping[str, Given]
) -> tuple[str, ...]:
    """The formats whose peaks a --gpu gives the run: --precision's,
    --attention-precision's and h100e's --basis where it is a peak (fp8: h100e counts the
    chip's FP8 FLOP/s, not bandwidth), each a flag's, else the preset's, else the default
    (none for a calculator without them)."""
    found = (
        flags.get(name) or (given[name].text if name in given else calc.defaults.get(name, ""))
        for name in ("precision", "attention-precision", "basis")
    )
    return tuple(text for text in found if text in PRECISION.choices)


def gather(
    calc: Calculator,
    flags: Mapping[str, str],
    preset: Preset | None,
    variant: int = 0,
    checked: Mapping[str, Sequence[Given]] | None = None,
    lines: bool = False,
) -> dict[str, Given]:
    """The checked inputs of one run: the calculator's fitted defaults, the preset's figures
    (element ``variant`` of its list values), overridden by flags (as typed) and ``checked``
    options (values checked already, e.g. the API's numbers), then the calculator's defaults
    for what is still missing; a fitted default that the other inputs give is dropped, unless
    batch ``lines`` are still to add their inputs (the batch drops it per line)."""
    given = fitted_layer(calc)
    if preset is not None:
        given.update(preset_layer(calc.name, preset, variant))
    checked = checked or {}
    check_alternatives(calc, [*flags, *checked])
    formats = peak_formats(calc, flags, given)
    for name, text in flags.items():
        for item in expand(calc, calc.input(name), text, as_flag(name), formats):
            put(given, item)
    for items in checked.values():
        for item in items:
            put(given, item)
    rederive(calc, given, [*flags, *checked])
    for name, default in calc.defaults.items():
        if name not in given and calc.input(name).kind == "choice":
            given[name] = default_given(calc.name, name, default)
    return given if lines else without_given_defaults(calc, given)


def rederive(calc: Calculator, given: dict[str, Given], names: Sequence[str]) -> None:
    """Drop the preset values that options ``names`` replace the anchor of (reset_by), and
    pick each per-GPU preset figure for the run's GPU (for_gpu), as a run given them does."""
    for other in reset_by(calc, dict.fromkeys(names, ""), given):
        given.pop(other)
    gpu = given.get("gpu")
    for name, item in list(given.items()):
        if item.entry is not None and item.entry.per == "gpu":
            given[name] = for_gpu(calc, item, gpu.text if gpu is not None else None)


def without_unknown(
    calc: Calculator, given: dict[str, Given], unknown: str, warn: Callable[[str], None]
) -> None:
    """Drop the input a --solve finds. The preset values it is the anchor of (reset_by: a
    --params re-derives the preset's GPUs per replica) are kept, the rest of the setup being
    what the answer is for, and named in a warning: a run given the answer alone would
    re-derive them and give another result."""
    given.pop(unknown, None)
    held = reset_by(calc, {unknown: ""}, given)
    if held:
        kept = " ".join(f"--{name} {shlex.quote(given[name].text)}" for name in held)
        warn(
            f"--solve {unknown}: the answer holds with {kept} from "
            f"{given[held[0]].origin}; a run given --{unknown} alone re-derives "
            f"{'them' if len(held) > 1 else 'it'}: give {kept} with the answer"
        )


def mark_kept(
    calc: Calculator,
    flags: Mapping[str, str],
    preset: Preset | None,
    given: dict[str, Given],
    warn: Callable[[str], None],
) -> None:
    """Name, in one warning per option, the preset values an option replaced the anchor of:
    those re-derived (--params and gpus-per-replica), and those kept (--gpu and its network
    cost), which are marked ``(anchor replaced)`` where they came from, for the table and JSON.
    A --gpu whose hardware preset cites a price gives --gpu-price from that preset instead.
    An option that drops preset alternatives (``excludes``) not one-for-one (--kv-heads drops
    MLA's --kv-dim and --latent-dim, which do not exclude it back) names them and the
    options of its own shape still to give (--head-dim)."""
    before = (
        preset_layer(calc.name, preset, 0)
        if preset is not None and calc.name in commands(preset)
        else {}
    )
    said_reset: set[str] = set()
    for name in flags:
        if name in before and before[name].text.strip().lower() == flags[name].strip().lower():
            continue  # the preset's own anchor, typed again: nothing it tied to it changes
        spec = calc.input(name)
        reset = [
            other
            for other in reset_by(calc, {name: flags[name]}, before)
            if other not in said_reset and other not in flags
        ]
        said_reset.update(reset)
        if spec.kind == "gpu" and "gpu-price" in spec.keeps and "gpu-price" not in flags:
            priced = gpu_price(calc, flags[name], as_flag(name))
            if priced is not None and "gpu-price" in given:  # absent when --solve finds it
                given["gpu-price"] = priced
        kept = [
            other
            for other in spec.keeps
            if other not in flags
            and other in given
            and given[other].entry is not None
            and not given[other].origin.endswith((ANCHOR_REPLACED, GPU_PRICE_MARK))
        ]
        said = [
            f"--{other} re-derived, not kept from {before[other].origin}: "
            + next(r for r in calc.results if r.core == calc.input(other).core).help.rstrip(".")
            for other in reset
        ]
        dropped = [
            other
            for other in spec.excludes
            if other in before and other not in flags and other not in said_reset
        ]
        if any(name not in calc.input(other).excludes for other in dropped):  # not one-for-one
            said_reset.update(dropped)
            partners = [
                f"--{other.name}"
                for other in calc.inputs
                if other.excludes == spec.excludes and other.name not in (*flags, *given)
            ]
            said.append(
                f"{', '.join(f'--{o} {before[o].text}' for o in dropped)} dropped, not kept "
                f"from {before[dropped[0]].origin}: --{name} replaces them"
                + (f"; give {', '.join(partners)} too" if partners else "")
            )
        if kept:
            said.append(
                f"{', '.join('--' + k for k in kept)} still from {given[kept[0]].origin}; "
                "give them too if they differ"
            )
        for other in kept:
            marked = f"{given[other].origin} {ANCHOR_REPLACED}"
            given[other] = replace(given[other], origin=marked)
        if said:
            warn(f"--{name} {flags[name]}: {'; '.join(said)}")


def fitted_layer(calc: Calculator) -> dict[str, Given]:
    """The figures of the calculator's preset of fitted defaults (``Calculator.fitted``, its
    section ``fitted_section``) that set its inputs, their origins marked DEFAULTED:
    ``preset training-fit (default)``."""
    if not calc.fitted:
        return {}
    section = calc.fitted_section or calc.name
    layer = preset_layer(section, load(calc.fitted, kind="scenario"), 0)
    return {
        name: replace(item, spec=calc.input(name), origin=f"{item.origin} {DEFAULTED}")
        for name, item in layer.items()
        if name in calc.inputs_by_name
    }


def without_given_defaults(calc: Calculator, given: Mapping[str, Given]) -> dict[str, Given]:
    """``given`` without the fitted defaults that the other inputs make needless: those whose
    quantity the relations derive from them (a default MFU gives way to --achieved,
    --gpu-hours, --duration with the compute, ...), and those that carry no input beyond the
    hardware to a result (--gpu alone is no training run)."""
    shape = tuple(
        (name, item.spec.sets, DEFAULTED in item.origin, item.spec.key, item.text)
        if item.spec.kind == "choice"
        else (name, item.spec.sets, DEFAULTED in item.origin, "", "")
        for name, item in given.items()
    )
    needless = _needless(calc.name, shape)
    return {name: item for name, item in given.items() if name not in needless}


@lru_cache(maxsize=1024)
def _needless(
    command: str, given: tuple[tuple[str, tuple[str, ...], bool, str, str], ...]
) -> frozenset[str]:
    """The fitted defaults ``without_given_defaults`` drops, from each given input's name,
    quantities, whether it is a fitted default, and its choice (key, text) if it is one
    (cached: a warm API call works it out once)."""
    defaulted = {name for name, _, fitted, _, _ in given if fitted}
    if not defaulted:
        return frozenset()
    others = [item for item in given if item[0] not in defaulted]
    choices = tuple(sorted((key, text) for _, _, _, key, text in others if key))
    model = model_for(CALCULATORS[command])
    reference = known_quantities(())
    derived = model.plan(reference.union(*(item[1] for item in others)), choices).known
    plan = model.plan(reference.union(*(item[1] for item in given)), choices)
    hardware = {*reference, *GPU_QUANTITIES, "peak", *model.defaults}
    carried = [plan.depends[step.target] - hardware for step in plan.steps]

    def needed(sets: set[str]) -> bool:
        return not sets <= derived and any(sets & found and found - sets for found in carried)

    return frozenset(name for name, sets, fitted, _, _ in given if fitted and not needed(set(sets)))


def for_gpu(calc: Calculator, item: Given, gpu: str | None) -> Given:
    """A per-GPU preset figure (``per = "gpu"``) for the run's GPU: its own element when the
    labels name it, else the ``*`` element, the origin then saying so: ``preset serving-fit
    [fit: pooled]`` (a figure picked again for another GPU drops an earlier pick's mark)."""
    entry = item.entry
    assert entry is not None and isinstance(entry.value, tuple)
    found = gpu is not None and gpu in entry.labels
    index = entry.labels.index(gpu if found else ANY_GPU)
    pooled = f" {FITTED}pooled]"
    origin = item.origin.removesuffix(pooled) + ("" if found else pooled)
    (checked,) = expand(calc, item.spec, entry.value[index], origin)
    return Given(item.spec, checked.text, origin, checked.span, entry)


def reset_by(calc: Calculator, flags: Mapping[str, str], given: Mapping[str, Given]) -> list[str]:
    """Preset values that options given as flags replace the anchor of (a new --params drops
    the preset's GPUs per replica): the relations re-derive them by their stated rule."""
    return list(
        dict.fromkeys(
            other
            for name in flags
            for other in calc.input(name).resets
            if other not in flags and other in given and given[other].entry is not None
        )
    )


def preset_layer(command: str, preset: Preset, variant: int) -> dict[str, Given]:
    """A preset's checked figures for one calculator, cached per version of its files unless
    one is another preset's result (that preset's file may change between calls)."""
    if any(
        entry.reference is not None
        for layer in chain(preset)
        for entry in layer.sections.get(command, {}).values()
    ):
        return _preset_layer(command, preset, variant)
    return _cached_preset_layer(command, preset, variant)


def _preset_layer(command: str, preset: Preset, variant: int) -> dict[str, Given]:
    calc = CALCULATORS[command]
    if command not in commands(preset):
        raise UsageError(
            f"--preset: {preset.name} has no [{command}] figures "
            f"(it has {', '.join(commands(preset))})"
        )
    given: dict[str, Given] = {}
    for layer in chain(preset):
        for key, entry in layer.sections.get(command, {}).items():
            where = f"preset {layer.name} ({layer.path}) {command}.{key}"
            try:
                spec = calc.input(key)
            except KeyError:
                raise DomainError(f"{where}: unknown input {key!r}") from None
            value = entry.value
            if entry.reference is not None:  # another preset's result, run on its own
                value = resolve(entry.reference, layer.name, where)
            if entry.per is not None:  # per GPU: gather picks the run's GPU's element
                value = value[entry.labels.index(ANY_GPU)]
            if isinstance(value, tuple):
                if variant >= len(value):
                    raise DomainError(f"{where}: lists of one preset must be equally long")
                value = value[variant]
            if spec.kind == "file":
                value = preset_step_file(value, layer.path, where)
            try:
                items = expand(calc, spec, value, where)
            except UsageError as error:
                raise DomainError(str(error)) from None
            for item in items:
                put(given, Given(item.spec, item.text, f"preset {layer.name}", item.span, entry))
    return given


_cached_preset_layer = lru_cache(maxsize=256)(_preset_layer)
"""Batches and compare reuse a preset's layer; the key holds the Preset, one per file version."""

MAX_REFERENCE_DEPTH = 16
"""Presets a chain of references may pass through (a result of a result of ...)."""
_resolving = threading.local()
"""Per thread (API calls may run in parallel): the presets whose references are being
resolved, outermost first, in ``.stack`` (for cycles and depth)."""


class ReferenceDepthError(DomainError):
    """References nest too deep: reported once, not wrapped by every level it passed."""


def resolve(reference: tuple[str, str, str], requester: str, where: str) -> str:
    """The text of a preset figure that is another preset's result: ``reference`` is
    (preset, result, variant label or ''); ``requester`` the preset that holds it."""
    source, result, variant = reference
    resolving: list[str] = _resolving.__dict__.setdefault("stack", [])
    resolving.append(requester)
    try:
        if source in resolving:
            cycle = " -> ".join([*resolving[resolving.index(source) :], source])
            raise DomainError(f"{where}: presets refer to each other in a cycle: {cycle}")
        if len(resolving) > MAX_REFERENCE_DEPTH:
            raise ReferenceDepthError(
                f"preset {resolving[0]}: its figures refer to results of presets that refer "
                f"to others more than {MAX_REFERENCE_DEPTH} deep ({resolving[0]} -> "
                f"{resolving[1]} -> ... -> {source}); give the figure a value"
            )
        preset = load(source, f"{where}: from", kind="scenario")
        found = [
            c for c in commands(preset) if any(r.name == result for r in CALCULATORS[c].results)
        ]
        if not found:
            raise DomainError(
                f"{where}: preset {source} has no result {result!r} "
                f"(it runs {', '.join(commands(preset))})"
            )
        problems = []
        for command in found:  # the first of the preset's calculators that computes it
            try:
                return _result_of(CALCULATORS[command], preset, result, variant)
            except ReferenceDepthError:
                raise
            except DomainError as error:
                problems.append(str(error))
        raise DomainError(f"{where}: preset {source}: {'; '.join(problems)}")
    finally:
        resolving.pop()


def _result_of(calc: Calculator, preset: Preset, result: str, variant: str) -> str:
    """One result of a preset's run on ``calc`` as a quantity text (a range if it is one)."""
    labels = variants(calc, preset)
    wanted = [i for i, label in enumerate(labels) if label == f"{preset.name} [{variant}]"]
    if len(labels) > 1 and not wanted:
        names = ", ".join(repr(label.partition(" [")[2][:-1]) for label in labels)
        raise DomainError(f"{calc.name} has several scenarios: add variant = one of {names}")
    given = gather(calc, {}, preset, wanted[0] if wanted else 0)
    summaries, failed, _ = run_rows(calc, [given])
    if 0 in failed:
        raise DomainError(f"{calc.name}: {failed[0]}")
    spec = calc.result(result)
    summary = summaries.get(spec.core)
    if summary is None or not math.isfinite(float(summary.value[0])):
        raise DomainError(f"{calc.name} does not compute {result} from its figures")

    def shown(values: Any) -> Any:
        return None if values is None else float(convert(float(values[0]), spec.unit, spec.display))

    return quantity_text(
        shown(summary.value), short(spec.display), shown(summary.low), shown(summary.high)
    )
