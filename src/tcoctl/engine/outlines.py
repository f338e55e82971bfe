"""What one scenario's inputs determine, symbolically (no numbers): the results, the
defaults used, what would give the results not computed, and the options no result uses."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache

from tcoctl.core.relations import Choices, Relation
from tcoctl.engine.inputs import Given
from tcoctl.engine.messages import MAX_WAYS, alternatives
from tcoctl.engine.model import Solve, known_quantities, model_for, reported_results
from tcoctl.errors import quoted
from tcoctl.presets import load
from tcoctl.specs import CALCULATORS, Calculator, Input


@dataclass(frozen=True)
class Outline:
    """What one scenario's inputs determine, for people: the defaults the relations used,
    for each result not computed the options that would give it, the options no reported
    result uses, and the results the inputs determine."""

    defaults: tuple[str, ...]
    missing: dict[str, list[list[str]]]
    unused: tuple[str, ...]
    unread: tuple[str, ...]
    """Choices given (by default, too) that relations may read but no reported result's do
    (supply's yield --model beside a stated --dies)."""
    reported: tuple[str, ...]
    uses: dict[str, frozenset[str]]
    """For each reported result, the core quantities it depends on (for its as_of)."""
    idle: tuple[str, ...] = ()
    """Warnings for choices given as options that change nothing here, and why
    (--attention-precision where no result counts attention's FLOP at a GPU's peak)."""


def outline(calc: Calculator, given: Mapping[str, Given], solve: Solve | None = None) -> Outline:
    """Symbolic: which results these inputs determine, what would give the others, and what
    goes unused (no numbers are computed; cached by what it depends on: which inputs are
    given, the choices, which inputs are options, and the goal-seek)."""
    shape = tuple(
        (name, item.text if item.spec.kind == "choice" else "", item.origin.startswith("--"))
        for name, item in given.items()
    )
    return _outline(calc.name, shape, solve)


@lru_cache(maxsize=1024)
def _outline(
    command: str, shape: tuple[tuple[str, str, bool], ...], solve: Solve | None
) -> Outline:
    calc = CALCULATORS[command]
    model = model_for(calc)
    given = {name: calc.input(name) for name, _, _ in shape}
    flagged = {name for name, _, option in shape if option}
    choices = tuple(sorted((given[name].key, text) for name, text, _ in shape if text))
    known = set(known_quantities(given.values()))
    if solve is not None:
        known.add(solve.unknown.core)
    plan = model.plan(known, choices)
    options = [  # what may be added: no alternative of an option given (check_alternatives)
        (spec.name, spec.sets)
        for spec in calc.inputs
        if spec.kind not in ("choice", "size", "file")
        and spec.name not in given
        and not flagged & set(spec.excludes)
        and not any(spec.name in calc.input(name).excludes for name in flagged)
    ]
    missing = {}
    with_fitted = frozenset(known | _fitted_quantities(command))
    for result in calc.results:
        if result.core not in plan.known and not result.core.startswith("ref_"):
            others = tuple(option for option in options if result.core not in option[1])
            found = model.suggest(frozenset(known), choices, result.core, others)
            found = _as_typed(calc, given, flagged, choices, result.core, found, others)
            if with_fitted != known:  # then those a fitted default completes (--gpu)
                fitted = model.suggest(with_fitted, choices, result.core, others)
                fitted = _as_typed(
                    calc, given, flagged, choices, result.core, fitted, others, with_fitted - known
                )
                found += [way for way in fitted if way not in found]
            ways = [*_switches(calc, frozenset(known), choices, result.core), *found]
            missing[result.name] = [list(group) for group in ways[:MAX_WAYS]]
    results = reported_results(calc, plan, solve)
    reported = [r.core for r in results]
    used = set().union(*(plan.depends[q] - {q} for q in reported)) if reported else set()
    used |= {name for relation in plan.checks for name in relation.names}  # checked: used
    unused = tuple(
        name
        for name, spec in given.items()
        if spec.kind != "choice"
        and name in flagged
        and not used & set(spec.sets)
        and (solve is None or spec != solve.unknown)
    )
    defaults = tuple(
        spec.name
        for spec in calc.inputs
        if spec.kind == "number" and spec.core in plan.defaults_used and spec.core in used
    )
    uses = {r.name: frozenset(plan.depends[r.core]) for r in results}
    needed = used | set(reported)
    relations = [step.relation for step in plan.steps if step.target in needed]
    read = _choices_read([*relations, *plan.checks])
    unread = tuple(
        name
        for name, spec in given.items()
        if spec.kind == "choice" and spec.key in _choices_read(model.relations) - read
    )
    reached = set(reported)  # every quantity a reported result is computed from
    for step in reversed(plan.steps):
        if step.target in reached:
            reached.update(step.relation.names)
    attention = missing.get("attention_flop_per_token", [])
    idle = idle_attention_precision(calc, given, flagged, reached, attention)
    return Outline(defaults, missing, unused, unread, tuple(r.name for r in results), uses, idle)


def _as_typed(
    calc: Calculator,
    given: Mapping[str, Input],
    flagged: Collection[str],
    choices: Choices,
    wanted: str,
    ways: Sequence[tuple[str, ...]],
    options: Sequence[tuple[str, tuple[str, ...]]],
    extra: frozenset[str] = frozenset(),
) -> list[tuple[str, ...]]:
    """The ``ways`` (groups of options) that give ``wanted`` as typed: one naming two
    alternatives is left out (check_alternatives refuses them together); one whose options
    drop an input a preset gave (inputs.put: --die-yield drops supply's good-dies-per-wafer)
    gets the options that then give ``wanted`` ('--die-width' -> '--die-width
    --defect-density'), or is left out. ``extra``: quantities a fitted default adds."""
    model = model_for(calc)
    typed: list[tuple[str, ...]] = []
    for way in ways:
        specs = [calc.input(name) for name in way]
        excluded = {other for spec in specs for other in spec.excludes}
        dropped = {name for name in given if name in excluded and name not in flagged}
        if not dropped:
            typed.append(way)
            continue
        kept = [spec for name, spec in given.items() if name not in dropped]
        known = known_quantities([*kept, *specs]) | extra
        rest = tuple(option for option in options if option[0] not in way)
        more = [()] if wanted in model.plan(known, choices).known else []
        typed += [(*way, *group) for group in more or model.suggest(known, choices, wanted, rest)]
    typed = [way for way in typed if not alternatives(calc, way)]
    return [  # each once, and none holding a smaller one ('--die-yield --die-width')
        way
        for at, way in enumerate(typed)
        if way not in typed[:at] and not any(set(o) < set(way) for o in typed)
    ]


def idle_attention_precision(
    calc: Calculator,
    given: Collection[str],
    flagged: set[str],
    reached: set[str],
    ways: Sequence[Sequence[str]],
) -> tuple[str, ...]:
    """A warning where --attention-precision is given and changes nothing: it picks the
    --gpu's peak that attention's own FLOP run at (core_values' gpu_attention_peak), so it
    needs a --gpu, and a result computed from attention_peak, which counts those FLOP only
    where they are computed (without --heads, or a head size, they are left out:
    tcoctl.core.inference); ``ways`` are the inputs that would give them (the outline's
    missing attention_flop_per_token: [['heads']])."""
    if "attention-precision" not in flagged:
        return ()
    if "gpu" not in given:
        why = "no --gpu gives the peaks it picks between"
    elif "attention_peak" not in reached:
        why = "no result computed here counts attention's own FLOP"
        if ways:  # what attention's FLOP need here: '--heads', '--kv-heads, ... or ...'
            options = [" ".join(f"--{name}" for name in group) for group in ways]
            need = ", ".join(options[:-1]) + " or " + options[-1] if options[1:] else options[0]
            example = " ".join(f"--{n} {quoted(calc.input(n).example)}" for n in ways[0])
            why += f" (they need {need}, e.g. {example})"
    else:
        return ()
    return (f"--attention-precision changes nothing: {why}",)


def _choices_read(relations: Iterable[Relation]) -> set[str]:
    """The choices relations read: those passed to their functions, and those that select
    them (a yield model)."""
    return {key for r in relations for key in (*r.choices, *(r.when or ())[:1])}


@cache
def _fitted_quantities(command: str) -> frozenset[str]:
    """The quantities the calculator's fitted defaults give (training-fit's MFU and draw
    fraction): a run keeps them wherever hardware is given, so an option that would give a
    result with them (flops' gpu_hours from --gpu alone) is one to name."""
    calc = CALCULATORS[command]
    if not calc.fitted:
        return frozenset()
    figures = load(calc.fitted, kind="scenario").sections.get(calc.fitted_section or calc.name, {})
    return frozenset(
        q for name in figures if name in calc.inputs_by_name for q in calc.input(name).sets
    )


def _switches(
    calc: Calculator, known: frozenset[str], choices: Choices, wanted: str
) -> list[tuple[str]]:
    """Other values of a given choice that alone would give ``wanted``, as ``name=value``,
    where relations restricted to that choice give it but none under the value chosen
    (``--basis all`` leaves h100e to a single --basis: ``basis=bf16``)."""
    model = model_for(calc)
    chosen = dict(choices)
    ways: list[tuple[str]] = []
    for key, value in chosen.items():
        restricted = [r for r in model.relations if r.out == wanted and r.when and r.when[0] == key]
        if not restricted or any(r.active(chosen) for r in restricted):
            continue
        spec = calc.input(key)
        for other in spec.choices:
            switched = tuple(sorted({**chosen, key: other}.items()))
            if other != value and wanted in model.plan(known, switched).known:
                ways.append((f"{spec.name}={other}",))
    return ways
