"""Die yield: textbook and course examples, limits, invariants and the CLI."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import tcoctl
from conftest import results, run
from tcoctl.core import dieyield
from tcoctl.core.constants import OFFSET_STEPS
from tcoctl.core.dieyield import (
    MODEL,
    MODELS,
    candidate_offsets,
    count_work,
    defects_for_yield,
    die_map,
    die_yield,
    dies_by_area,
    dies_per_wafer,
    dies_per_wafer_formula,
    line_yield,
    required_step_yield,
    whole_dies,
    yield_with_spares,
)
from tcoctl.core.relations import costly_work
from tcoctl.errors import DomainError, UsageError

CM = 1e-2


def test_hennessy_patterson_dies_per_wafer() -> None:
    """Hennessy & Patterson, "Computer Architecture: A Quantitative Approach" (5th/6th ed.,
    section 1.6): a 300 mm wafer holds 270 dies 1.5 cm on a side and 640 dies 1.0 cm on a
    side (pi (d/2)^2 / A - pi d / sqrt(2 A))."""
    assert dies_per_wafer_formula(30 * CM, (1.5 * CM) ** 2) == pytest.approx(270, abs=0.5)
    assert dies_per_wafer_formula(30 * CM, (1.0 * CM) ** 2) == pytest.approx(640, abs=0.5)


def test_points_of_one_geometry_count_as_one_point() -> None:
    """A probe's `yield --solve die-area --for dies_per_wafer=600` on the default preset
    (ranged steps and good dies: 2 x 26 design points of one die) counted every point at
    each goal-seek step, with fewer offsets per axis at the tiny dies the search tries
    first: over 120 s, where one point takes 2 s. At a 0.095 mm die the 26 points searched
    22 offsets per axis (1,783,892 dies) and one point searches 24 (1,783,886)."""
    side = 0.095e-3
    one = dies_per_wafer(0.3, 3e-3, side, side, 1e-4)
    many = dies_per_wafer(np.full((2, 26), 0.3), 3e-3, side, side, 1e-4)
    assert float(one) == 1_783_886 and many.shape == (2, 26) and np.all(many == one)


def test_hennessy_patterson_bose_einstein_yield() -> None:
    """H&P 6th ed.: D = 0.047/cm^2, N = 12 for 2.25 cm^2 and 1.00 cm^2 dies:
    (1 + 0.047 x 2.25)^-12 = 0.30 and (1 + 0.047)^-12 = 0.58."""
    assert die_yield("bose-einstein", 0.047 * 2.25, layers=12) == pytest.approx(0.299, abs=1e-3)
    assert die_yield("bose-einstein", 0.047 * 1.00, layers=12) == pytest.approx(0.576, abs=1e-3)


@pytest.mark.parametrize(
    ("area_d0", "poisson", "murphy", "seeds"),
    [
        (0.25, 0.7788, 0.7829, 0.8000),
        (1.0, 0.3679, 0.3996, 0.5000),
        (1.5, 0.2231, 0.2682, 0.4000),
        (3.0, 0.0498, 0.1003, 0.2500),
    ],
)
def test_berkeley_ieor130_yield_table(
    area_d0: float, poisson: float, murphy: float, seeds: float
) -> None:
    """UC Berkeley IEOR 130 (Leachman), homework 4 solutions: die yield by model for
    A x D = 0.25, 1, 1.5 and 3."""
    assert die_yield("poisson", area_d0) == pytest.approx(poisson, abs=5e-5)
    assert die_yield("murphy", area_d0) == pytest.approx(murphy, abs=5e-5)
    assert die_yield("seeds", area_d0) == pytest.approx(seeds, abs=5e-5)


def test_berkeley_ieor130_inverse() -> None:
    """Same source: A = 0.25 cm^2 and a die yield of 0.92 imply D = 0.3335/cm^2 (Poisson)
    and 0.3360/cm^2 (Murphy). The Murphy answer was solved by hand to three figures: the exact
    root is 0.33588 (checked by putting it back into the model)."""
    assert defects_for_yield("poisson", 0.92) / 0.25 == pytest.approx(0.3335, abs=5e-5)
    murphy = defects_for_yield("murphy", 0.92)
    assert murphy / 0.25 == pytest.approx(0.336, abs=5e-4)
    assert die_yield("murphy", murphy) == pytest.approx(0.92, rel=1e-12)


def test_semianalysis_calculator_counts() -> None:
    """SemiAnalysis die-yield calculator tests (Semianalysis/die-yield-calculator-wp):
    rectanglesInCircle(100, 10, 10) has 60 dies and (100, 1, 1) has 7,644 on a grid whose
    lines cross at the wafer centre; the best offset can only add dies."""
    assert whole_dies(0.05, 0.01, 0.01, 0.01, 0.01, 0.0, 0.0, 0.0) == 60
    assert whole_dies(0.05, 1e-3, 1e-3, 1e-3, 1e-3, 0.0, 0.0, 0.0) == 7644
    assert dies_per_wafer(0.1, 0.0, 0.01, 0.01, 0.0) >= 60
    assert dies_per_wafer(0.1, 0.0, 1e-3, 1e-3, 0.0) >= 7644


@pytest.mark.parametrize("steps", [4, 5, 0])
def test_offset_search_counts_every_pair(steps: int) -> None:
    """The die count broadcasts x offsets against y offsets (each row's chord worked out
    once per y offset): each count equals its offset pair's counted alone, the die-centred
    and street-centred grids are among the pairs (odd searches too), and the count on the
    wafer is the best pair of the default search (0: OFFSET_STEPS)."""
    width, height, pitch_x, pitch_y = 0.021, 0.017, 0.0211, 0.0171
    offset_x, offset_y = candidate_offsets(width, height, pitch_x, pitch_y, steps)
    pairs = list(zip(*(o.ravel() for o in np.broadcast_arrays(offset_x, offset_y)), strict=True))
    alone = [whole_dies(0.147, width, height, pitch_x, pitch_y, x, y, 0.0) for x, y in pairs]
    together = whole_dies(0.147, width, height, pitch_x, pitch_y, offset_x, offset_y, 0.0)
    assert together.ravel().tolist() == alone
    for fraction in (0.0, 0.5):
        centred = (-width / 2 + fraction * pitch_x, -height / 2 + fraction * pitch_y)
        assert any(pair == pytest.approx(centred) for pair in pairs)
    if steps == 0:
        assert dies_per_wafer(0.3, 0.003, width, height, 1e-4) == max(alone)


def test_semianalysis_models_at_lambda_0_1() -> None:
    """SemiAnalysis calculator test: D0 = 0.01/cm^2 on 1,000 mm^2 (lambda = 0.1) yields
    between 0.90 and 0.91 (Poisson, Murphy, rectangular, Seeds, Bose-Einstein with N = 1)."""
    for model in ("poisson", "murphy", "rectangular", "seeds"):
        assert 0.90 <= die_yield(model, 0.1) <= 0.91
    assert 0.90 <= die_yield("bose-einstein", 0.1, layers=1) <= 0.91


@pytest.mark.parametrize("model", MODELS)
def test_zero_defects_give_full_yield(model: str) -> None:
    assert die_yield(model, 0.0, alpha=2.0, layers=10) == 1.0


@given(st.floats(1e-6, 20))
def test_negative_binomial_limits(lam: float) -> None:
    assert die_yield("negative-binomial", lam, alpha=1.0) == pytest.approx(1 / (1 + lam))
    assert die_yield("negative-binomial", lam, alpha=1e9) == pytest.approx(np.exp(-lam), rel=1e-6)


@pytest.mark.parametrize("model", MODELS)
@given(lam=st.floats(1e-6, 50))
def test_inverse_round_trips_and_yield_falls(model: str, lam: float) -> None:
    y = die_yield(model, lam, alpha=3.0, layers=8)
    assert 0 < y < 1
    assert die_yield(model, lam * 1.01, alpha=3.0, layers=8) < y
    assert defects_for_yield(model, y, alpha=3.0, layers=8) == pytest.approx(lam, rel=1e-9)


@pytest.mark.parametrize("model", ["murphy", "rectangular"])
@given(shortfall=st.floats(1e-15, 1e-6))
def test_searched_inverse_reaches_yields_next_to_one(model: str, shortfall: float) -> None:
    """A yield just under 1 (the probe's 0.99999999999999) gets its lambda ~ 1 - Y, as
    Poisson's -ln Y does: these models' yields are 1 - lambda + O(lambda^2) near 0; the
    search once started at lambda = 1e-12 and answered 1e-12 for all of them."""
    target = 1.0 - shortfall
    lam = float(defects_for_yield(model, target))
    poisson = float(defects_for_yield("poisson", target))
    assert lam == pytest.approx(poisson, rel=0.05)
    # the round trip holds to the yield formula's own rounding (a few ulps of 1)
    assert abs(float(die_yield(model, lam)) - target) <= 4 * np.finfo(float).eps


@given(st.floats(2, 30), st.floats(1.0, 1.5))
def test_exact_count_beats_formula_for_small_dies(width_mm: float, aspect: float) -> None:
    """The formula's edge term assumes square dies; for squarish ones the exact count is whole
    and at least the formula (Hennessy & Patterson: the formula underestimates)."""
    height_mm = width_mm * aspect
    exact = dies_per_wafer(0.3, 0.003, width_mm / 1e3, height_mm / 1e3, 1e-4)
    formula = dies_per_wafer_formula(0.294, (width_mm + 0.1) * (height_mm + 0.1) / 1e6)
    assert exact == np.floor(exact) and exact >= formula


@given(st.floats(2, 30), st.floats(1.0, 3.0), st.floats(0, 0.2))
def test_no_count_exceeds_the_area_bound(width_mm: float, aspect: float, scribe_mm: float) -> None:
    """The bound a stated --dies-per-wafer is held to (usable area / pitch area, and the
    bare area for a die known by its area alone) is never below a real count."""
    width, height, scribe = width_mm / 1e3, width_mm * aspect / 1e3, scribe_mm / 1e3
    count = dies_per_wafer(0.3, 0.003, width, height, scribe)
    values = {"wafer_diameter": 0.3, "edge_exclusion": 0.003, "die_width": width,
              "die_height": height, "scribe": scribe, "die_area": width * height}  # fmt: skip
    assert count <= dies_by_area(values, square=False) <= dies_by_area(values, square=True)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--dies-per-wafer", "1e9", "--die-size", "26x25.6"],
         "--dies-per-wafer 1,000,000,000 is more than the usable wafer holds: at most 101 dies"),
        (["--dies-per-wafer", "80..200", "--die-size", "26x25.6"], "--dies-per-wafer 200 is more"),
        (["--dies-per-wafer", "1e9", "--die-area", "100"], "at most 678 dies by area"),
    ],
)  # fmt: skip
def test_a_stated_dies_per_wafer_that_cannot_be_is_refused(args: list[str], message: str) -> None:
    """The probe: --dies-per-wafer 1e9 ran unchecked and 0 blamed the die. A 26.1 x 25.7 mm
    pitch fits at most floor(pi 147^2 / 670.77) = 101 on a 300 mm wafer's usable area
    (3 mm edge); 100 mm^2 of die alone, floor(pi 147^2 / 100) = 678."""
    outcome = run("yield", *args, "--defect-density", "0.1")
    assert outcome.code == 1 and outcome.stdout == ""
    assert message in outcome.stderr and "the die does not fit" not in outcome.stderr
    assert run("yield", "--dies-per-wafer", "82", "--die-size", "26x25.6", "-f", "json").code == 0


@pytest.mark.parametrize("count", ["0", "-3"])
def test_a_dies_per_wafer_of_0_or_less_is_out_of_range(count: str) -> None:
    """The probe: 0 gave an infinite implied yield (exit 1) while -3 was out of range; one
    rule now refuses both, above 0."""
    outcome = run("yield", "--dies-per-wafer", count, "--good-dies", "50")
    assert outcome.code == 2 and outcome.stderr == (
        f"tcoctl: error: --dies-per-wafer: '{count}' is out of range: expected a value above 0;"
        " e.g. '270'\n"
    )


def test_only_the_whole_die_count_declares_its_work() -> None:
    """A sweep's work budget (tcoctl.pipeline.planner.check_sweep_work) asks each planned
    relation for its own work: the count of whole dies declares count_work's rule at the
    scenario's figures (usable diameter 300 - 2 x 3 mm, pitch 10 + 0.1 mm); the textbook
    formula, a few array operations, declares none."""
    known = {
        "wafer_diameter": 0.3,
        "edge_exclusion": 0.003,
        "die_width": 0.01,
        "die_height": 0.01,
        "scribe": 1e-4,
        "notch": 0.0,
    }
    [(work, rows)] = costly_work(MODEL.plan(known), known, 3)
    assert (work.doing, work.cheaper) == ("counting whole dies", "larger dies")
    assert rows == count_work(0.294, 0.0101, 3) > 0
    area = {"wafer_diameter": 0.3, "die_area": 1e-4}
    textbook = MODEL.plan(area, (("dies_per_wafer_method", "textbook"),))
    assert "dies_per_wafer" in {step.target for step in textbook.steps}
    assert costly_work(textbook, area, 3) == []


def test_line_yield_and_inverse() -> None:
    assert line_yield(0.99, 1000) == pytest.approx(4.317e-5, rel=1e-3)
    assert required_step_yield(line_yield(0.985, 2000), 2000) == pytest.approx(0.985)


def test_wafer_map_counts_match_exact_count() -> None:
    state, whole = die_map(0.3, 0.003, 0.026, 0.0313, 1e-4, 0.0, 0.45, seed=1)
    assert whole == dies_per_wafer(0.3, 0.003, 0.026, 0.0313, 1e-4)
    assert ((state == 2) | (state == 3)).sum() == whole
    again, _ = die_map(0.3, 0.003, 0.026, 0.0313, 1e-4, 0.0, 0.45, seed=1)
    assert (state == again).all()


def test_issue_line_yield_example() -> None:
    out = results("yield", "--steps", "1000", "--step-yield", "0.99")
    assert out["line_yield"]["value"] == pytest.approx(4.32e-5, rel=1e-3)


def test_target_yield_and_step_file(tmp_path: Path) -> None:
    out = results("yield", "--steps", "1000", "--target-yield", "50%")
    assert out["required_step_yield"]["value"] == pytest.approx(0.5 ** (1 / 1000))
    steps = tmp_path / "steps.txt"
    steps.write_text("# litho, etch, depo\n0.99\n98%\n0.97\n", encoding="utf-8")
    out = results("yield", "--step-file", str(steps))
    assert out["line_yield"]["value"] == pytest.approx(0.99 * 0.98 * 0.97, rel=1e-12)
    toml = tmp_path / "steps.toml"
    toml.write_text('yields = [0.99, "98 %", 0.97]\n', encoding="utf-8")
    assert results("yield", "--step-file", str(toml))["line_yield"]["value"] == pytest.approx(
        0.99 * 0.98 * 0.97, rel=1e-12
    )
    steps.write_text("0.99\n1.5\n", encoding="utf-8")
    bad = run("yield", "--step-file", str(steps))
    assert bad.code == 2 and "step 2" in bad.stderr


def test_smic_preset_explains_50_to_80_for_both_dies() -> None:
    outcome = run("yield", "--preset", "smic-7nm", "--format", "json")
    assert outcome.code == 0, outcome.stderr
    kirin, ascend = (__import__("json").loads(line) for line in outcome.stdout.splitlines())
    assert "Kirin" in kirin["preset"] and "Ascend" in ascend["preset"]
    # A phone SoC: ~570 fit, so 50-80 good is a ~9-14 % yield; an accelerator: ~80 fit, 61-98 %.
    assert 0.08 < kirin["results"]["implied_yield"]["low"] < 0.10
    assert ascend["results"]["implied_yield"]["value"] > 0.6
    assert (
        kirin["results"]["implied_defect_density"]["value"]
        > 10 * ascend["results"]["implied_defect_density"]["value"]
    )


def test_map_and_reticle() -> None:
    outcome = run(
        "yield",
        "--die-size",
        "26x31.3",
        "--defect-density",
        "0.1/cm^2",
        "--map",
        "--format",
        "table",
    )
    assert outcome.code == 0 and "wafer map" in outcome.stdout and "warning" not in outcome.stderr
    wide = run("yield", "--die-size", "30x30", "-f", "json")
    assert wide.code == 0 and "reticle" in wide.stderr


def test_an_area_alone_claims_no_shape_at_the_reticle() -> None:
    """Issue 19 item 13: --die-area 814 (an H100, 26 x 31.3 mm) was taken as a 28.5 mm
    square and warned beyond the 26 x 33 mm field. An area alone warns only beyond the
    field's 858 mm^2; a width alone only beyond its long side, 33 mm."""
    for args in (("--die-area", "814"), ("--die-width", "30")):
        quiet = run("yield", *args, "--defect-density", "0.1", "-f", "json")
        assert quiet.code == 0 and "reticle" not in quiet.stderr, args
    for args in (("--die-area", "900"), ("--die-width", "34"), ("--die-size", "28.5x28.5")):
        assert "reticle" in run("yield", *args, "--defect-density", "0.1", "-f", "json").stderr


def test_a_target_yield_alone_asks_for_the_steps() -> None:
    """Issue 19 item 13: --target-yield alone asked for a die size; what it lacks is
    --steps (required_step_yield = target_yield ^ (1 / steps))."""
    outcome = run("yield", "--target-yield", "50%")
    assert outcome.code == 2 and "required_step_yield needs --steps" in outcome.stderr


def test_cost_per_good_die_by_hand() -> None:
    out = results(
        "yield",
        "--die-size",
        "10x10",
        "--scribe",
        "0",
        "--edge-exclusion",
        "0",
        "--defect-density",
        "0.2",
        "--model",
        "seeds",
        "--wafer-cost",
        "10000 USD",
    )
    dies = out["dies_per_wafer"]["value"]
    assert out["die_yield"]["value"] == pytest.approx(1 / 1.2)
    assert out["cost_per_good_die"]["value"] == pytest.approx(10000 / (dies / 1.2))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--die-size", "400x400"], "does not fit"),
        (["--die-size", "20x20", "--good-dies", "500"], "more than"),
        (["--die-size", "abc"], "--die-size"),
        (["--die-size", "0.001x0.001 mm", "--scribe", "0"], "too small"),
    ],
)
def test_yield_errors(args: list[str], message: str) -> None:
    outcome = run("yield", *args)
    assert outcome.code in (1, 2) and message in outcome.stderr, outcome.stderr
    assert outcome.stdout == ""


def test_a_model_parameter_left_out_is_named() -> None:
    """The negative binomial needs its clustering alpha: without it the die yield is not
    computed, the output says what would give it, and --defect-density is named unused."""
    outcome = run("yield", "--model", "negative-binomial", "--die-size", "5x5",
                  "--defect-density", "0.1", "--format", "json")  # fmt: skip
    assert outcome.code == 0
    assert ["alpha"] in outcome.json()["missing"]["die_yield"]
    assert "--defect-density is used by no result" in outcome.stderr


def test_a_yield_beyond_the_inverse_reach_is_not_a_clamped_defect_density() -> None:
    """Seeds' yield 1/(1 + A D0) = 1e-7 on 1 cm^2 needs D0 ~ 1e7/cm^2, beyond the inverse's
    bracket (lambda <= 1e6): the run fails naming that cap, never reports the bracket's end
    (it once printed the other results and a warning about floats, exit 0)."""
    outcome = run("yield", "--die-area", "100 mm^2", "--die-yield", "1e-7", "--model", "seeds",
                  "--format", "json")  # fmt: skip
    assert outcome.code == 1
    assert "1e6 defects per die" in outcome.stderr and not outcome.stdout
    inside = results("yield", "--die-area", "100 mm^2", "--die-yield", "0.5", "--model", "seeds")
    assert inside["defect_density"]["value"] == pytest.approx(1.0)  # 1/(1 + 1 x 1) = 0.5


@given(st.floats(0.5, 1.0), st.integers(1, 300), st.integers(0, 30))
def test_spare_core_yield_is_the_binomial_tail(core: float, cores: int, spares: int) -> None:
    """The log-space sum equals the plain binomial sum, and lies between no spares and 1."""
    needed = max(cores - spares, 0)
    plain = sum(
        math.comb(cores, f) * (1 - core) ** f * core ** (cores - f)
        for f in range(cores - needed + 1)
    )
    got = float(yield_with_spares(core, cores, needed))
    assert got == pytest.approx(min(plain, 1.0), rel=1e-9, abs=1e-300)
    assert core**cores * (1 - 1e-9) <= got <= 1.0


def test_spare_cores_over_a_range_answer_where_enough_cores_exist() -> None:
    """The probe: --cores 100..200 with --cores-needed 132 failed the whole run. As with a
    goal-seek whose goal is out of reach at some range points, the centre (150 cores)
    answers, the points with fewer cores than needed have no value and are left out of
    low..high, and one warning says so; a centre with too few cores still fails."""
    args = ("yield", "--cores-needed", "132", "--core-yield", "0.95")
    outcome = run(*args, "--cores", "100..200", "-f", "json")
    assert outcome.code == 0, outcome.stderr
    spares = outcome.json()["results"]["yield_with_spares"]
    alone = results(*args, "--cores", "150")["yield_with_spares"]["value"]
    assert spares["value"] == alone and spares["low"] >= alone and spares["high"] <= 1
    assert "--cores-needed is more than --cores; so no value at 2 of 6 points of the input " \
        "ranges (with --cores at its low side)" in outcome.stderr  # fmt: skip
    failed = run(*args, "--cores", "100..140")
    assert failed.code == 1 and failed.stderr.endswith("--cores-needed is more than --cores\n")


def test_a_die_yield_goal_above_one_is_refused() -> None:
    """A yield is at most 1: solving for a defect density that gives 1.2 was answered with
    0 /cm^2 and exit 0 (the fix-up probe)."""
    outcome = run("yield", "--die-size", "20x20", "--solve", "defect-density",
                  "--for", "die_yield=1.2")  # fmt: skip
    assert outcome.code == 2 and outcome.stdout == ""
    assert outcome.stderr == (
        "tcoctl: error: --for: die_yield must be above 0 and at most 1; got '1.2', "
        "e.g. 'die_yield=0.8'\n"
    )
    example = run("yield", "--die-size", "20x20", "--solve", "defect-density",
                  "--for", "die_yield=0.8")  # fmt: skip
    assert example.code == 0, example.stderr


@pytest.mark.parametrize(
    ("model", "goal", "code", "words"),
    [
        ("murphy", "0", 2, "above 0"),
        ("murphy", "1e-20", 1, "1e6 defects per die"),
        ("rectangular", "1e-10", 1, "1e6 defects per die"),
        ("seeds", "1e-10", 1, "1e6 defects per die"),
    ],
)
def test_defect_density_goal_without_an_answer_fails(
    model: str, goal: str, code: int, words: str
) -> None:
    """A defect-density goal-seek with no answer fails with one line naming why (it printed
    a table without defect_density and exited 0)."""
    outcome = run(
        "yield", "--die-area", "100mm^2", "--model", model,
        "--solve", "defect-density", "--for", f"die_yield={goal}", "--format", "table",
    )  # fmt: skip
    assert outcome.code == code
    assert words in outcome.stderr and len(outcome.stderr.strip().splitlines()) == 1
    error = UsageError if code == 2 else DomainError
    with pytest.raises(error, match=words):
        tcoctl.yield_(
            die_area="100mm^2", model=model, solve="defect-density", goal=f"die_yield={goal}"
        )


def test_an_implied_yield_no_defect_density_gives_says_why() -> None:
    """The probe: 50 good dies of 616 (8.1 %) under a negative binomial with alpha 0.1,
    which never falls below (1 + 1e6 / 0.1)^-0.1 = 0.2: implied_defect_density was blank
    with only "no finite value (... or past the largest float)". One warning names it and
    why; the other results stand."""
    assert die_yield("negative-binomial", 1e6, alpha=0.1) == pytest.approx((1 + 1e7) ** -0.1)
    outcome = run("yield", "--die-area", "100", "--good-dies", "50", "--model",
                  "negative-binomial", "--alpha", "0.1", "-f", "json")  # fmt: skip
    assert outcome.code == 0
    assert outcome.stderr.startswith(
        "tcoctl: warning: implied_defect_density has no value: implied_yield is below what "
        "the yield model reaches at 1e6 defects per die"
    )
    assert outcome.stderr.count("\n") == 1
    assert outcome.json()["results"]["implied_yield"]["value"] == pytest.approx(50 / 616)


def test_the_count_methods_help_names_the_search_the_count_makes() -> None:
    """The help of --dies-per-wafer-method spelled '24 x 24' by hand: it now reads the one
    constant the die count searches with."""
    offset_x, offset_y = candidate_offsets(0.01, 0.01, 0.0101, 0.0101)  # the default search
    assert offset_x.shape[-2] == offset_y.shape[-1] == OFFSET_STEPS
    help_text = tcoctl.specs.CALCULATORS["yield"].input("dies-per-wafer-method").help
    assert f"the best of the {OFFSET_STEPS} x {OFFSET_STEPS} grid offsets tried" in help_text


def test_good_dies_above_the_whole_dies_at_a_range_end_answer_the_rest() -> None:
    """The hostile probe: --good-dies 50..100 on a 665 mm^2 die, of which 82 fit whole,
    failed the whole run (implied_yield above 1 at the high end). As for a goal out of reach
    at some range ends, the run answers at the centre (75 good dies), one warning names the
    ends left out, and low..high leave them out; a centre above the whole dies still fails."""
    outcome = run("yield", "--die-area", "665", "--good-dies", "50..100", "-f", "json")
    assert outcome.code == 0, outcome.stderr
    found = outcome.json()["results"]
    assert found["implied_yield"]["value"] == pytest.approx(75 / 82)
    assert found["implied_yield"]["high"] <= 1
    [warning] = outcome.stderr.splitlines()
    assert "implied_yield comes out at" in warning and "--good-dies at its high side" in warning
    assert "the good dies are more than the whole dies that fit" in warning
    beyond = run("yield", "--die-area", "665", "--good-dies", "90..100", "-f", "json")
    assert beyond.code == 1 and "implied_yield comes out at" in beyond.stderr


def test_a_remembered_die_count_is_the_count_and_stays_so() -> None:
    """A count kept for later calls with the same inputs (warm API calls) is what counting
    gives, a caller changing the array it got back changes no later answer, and the store
    stays bounded."""
    inputs = (0.3, 0.003, np.array([[0.026], [0.012]]), np.array([[0.0256], [0.01]]), 1e-4)
    first = dies_per_wafer(*inputs)
    first[...] = -1.0
    again = dies_per_wafer(*inputs)
    assert np.array_equal(again, dieyield._counted(*map(np.asarray, (*inputs, 0.0))))
    assert again.tolist() == [[dies_per_wafer(0.3, 0.003, 0.026, 0.0256, 1e-4).item()],
                              [dies_per_wafer(0.3, 0.003, 0.012, 0.01, 1e-4).item()]]  # fmt: skip
    for width in np.linspace(0.01, 0.02, dieyield.REMEMBERED_CALLS + 5):
        dies_per_wafer(0.3, 0.003, width, 0.01, 1e-4)
    assert len(dieyield._COUNTS) <= dieyield.REMEMBERED_CALLS


def test_a_nan_die_size_counts_nan_beside_the_others() -> None:
    """A goal-seek's unknown out of reach is NaN: its count is NaN, and the others are
    counted (it ended in 'ValueError: cannot convert float NaN to integer')."""
    side = np.array([np.nan, 0.01])
    counts = dieyield.dies_per_wafer(0.3, 3e-3, side, side, 1e-4)
    assert np.isnan(counts[0]) and counts[1] == dieyield.dies_per_wafer(0.3, 3e-3, 0.01, 0.01, 1e-4)
    assert np.isnan(dieyield.dies_per_wafer(0.3, 3e-3, np.nan, np.nan, 1e-4))


@pytest.mark.parametrize(
    ("size", "said"),
    [
        ("0x0", "--die-size: '0' is out of range: expected a value above 0; e.g. '26x31.3'"),
        ("ax3", "--die-size: cannot read 'a' as a quantity; write e.g. '26x31.3'"),
    ],
)
def test_a_refused_die_size_says_its_own_example(size: str, said: str) -> None:
    """The new-user trial: '--die-size 0x0' said "'0 ' is out of range ...; e.g. '26 mm'": a
    stray space after the width (a unit of none added), and the example of --die-width,
    which --die-size refuses (it takes WIDTHxHEIGHT)."""
    outcome = run("yield", "--die-size", size)
    assert (outcome.code, outcome.stderr) == (2, f"tcoctl: error: {said}\n")
    example = said.rsplit("e.g. ", 1)[1].strip("'")
    assert run("yield", "--die-size", example).code == 0


@pytest.mark.parametrize("die", [("--die-size", "400x400"), ("--die-area", "80000 mm^2")])
def test_a_die_that_does_not_fit_is_told_one_that_does(die: tuple[str, str]) -> None:
    """The new-user trial: '--die-size 400x400' said 'dies_per_wafer comes out at 0, not
    above its minimum 0: the die does not fit on the usable wafer', with no example. A
    26 x 33 mm die (the reticle field) fits."""
    outcome = run("yield", *die)
    assert (outcome.code, outcome.stderr) == (
        1,
        "tcoctl: error: yield: dies_per_wafer comes out at 0: the die does not fit on the "
        "wafer's usable area; give a smaller die, e.g. --die-size 26x33\n",
    )
    assert results("yield", "--die-size", "26x33")["dies_per_wafer"]["value"] > 0


def test_more_good_dies_than_fit_is_told_a_count_that_does() -> None:
    """The probe: smic-7nm's 50..80 good dies on a 900 mm^2 die (about 60 fit) said only 'the
    good dies are more than the whole dies that fit'. It ends with a count to type, which
    runs."""
    die = ("--preset", "smic-7nm", "--die-area", "900 mm^2")
    outcome = run("yield", *die)
    assert outcome.code == 1
    assert outcome.stderr.endswith(
        "the good dies are more than the whole dies that fit; give fewer, or a smaller die, "
        "e.g. --good-dies 10\n"
    )
    assert run("yield", *die, "--good-dies", "10", "-f", "json").code == 0


def test_good_dies_with_no_yield_given_say_every_die_counts_as_good() -> None:
    """The second new-user trial: `yield --die-area 665` answered good_dies_per_wafer 82, the
    dies that fit, all taken as good (each yield falls back to 1), and said nothing. It now
    warns; any yield given (a defect density, a wafer yield, an observed count) silences it."""
    bare = run("yield", "--die-area", "665", "--value", "good_dies_per_wafer")
    assert (bare.code, bare.stdout) == (0, "82\n")
    assert "good_dies_per_wafer counts every die that fits as good" in bare.stderr
    for typed in (("--defect-density", "0.1"), ("--wafer-yield", "0.9"), ("--good-dies", "40")):
        outcome = run("yield", "--die-area", "665", *typed, "--value", "good_dies_per_wafer")
        assert outcome.code == 0 and "every die" not in outcome.stderr, typed
    assert "every die" not in run("supply", "--gpu", "h100-sxm", "--preset", "smic-7nm").stderr
