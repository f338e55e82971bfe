"""tcoctl supply: chips per year from wafers, packaging and HBM, the binding constraint,
goal-seeks through the minimum, and published cases."""

from __future__ import annotations

import pytest

from conftest import results, run

H100_BF16 = 989.4e12
"""Dense BF16 FLOP/s of the H100 SXM (NVIDIA H100 datasheet), the H100e reference."""


def test_default_run_names_its_binding_constraint() -> None:
    """smic-7nm: 45-50k wafers x 50-80 good dies x 12 months far exceed 11.4-13M HBM stacks
    / 4 per 910B: HBM binds at 2.85-3.25M chips."""
    out = results("supply")
    assert out["binding"]["label"] == "hbm" and out["binding"]["value"] == 2
    assert out["chips_from_dies"]["low"] == pytest.approx(45_000 * 12 * 50)
    assert out["chips_from_dies"]["high"] == pytest.approx(50_000 * 12 * 80)
    assert out["chips_per_year"]["low"] == pytest.approx(11.4e6 / 4)
    assert out["chips_per_year"]["high"] == pytest.approx(13e6 / 4)
    ratio = 320e12 / H100_BF16  # the ascend-910b preset's BF16 peak
    assert out["h100e_per_year"]["value"] == pytest.approx(12.2e6 / 4 * ratio)
    assert out["peak_added_per_year"]["value"] == pytest.approx(12.2e6 / 4 * 320e12 / 1e18)


def test_the_least_constraint_binds_and_each_is_reported() -> None:
    out = results("supply", "--wafers-per-month", "1000", "--good-dies-per-wafer", "30",
                  "--dies-per-package", "2", "--interposers-per-month", "500",
                  "--packages-per-interposer", "16", "--packaging-yield", "0.9",
                  "--hbm-stacks-per-month", "100000", "--hbm-stacks-per-package", "8",
                  "--gpu", "b200")  # fmt: skip
    assert out["chips_from_dies"]["value"] == pytest.approx(1000 * 12 * 30 / 2)  # 180,000
    assert out["chips_from_packaging"]["value"] == pytest.approx(500 * 12 * 16 * 0.9)  # 86,400
    assert out["chips_from_hbm"]["value"] == pytest.approx(100_000 * 12 / 8)  # 150,000
    assert out["chips_per_year"]["value"] == pytest.approx(86_400)
    assert out["binding"]["label"] == "packaging" and out["binding"]["value"] == 1
    assert out["h100e_per_year"]["value"] == pytest.approx(86_400 * 2250 / 989.4)


def test_months_and_rates_convert() -> None:
    """A rate per year and half a year's output: 120,000 wafers/yr for 6 months. Every
    per-year key stays a year's worth; the period totals are half of it (issue 16: with
    --months 6, chips_per_year used to halve)."""
    out = results("supply", "--wafers-per-month", "120000/yr", "--good-dies-per-wafer", "10",
                  "--months", "6", "--gpu", "h100-sxm")  # fmt: skip
    assert out["chips_from_dies"]["value"] == pytest.approx(1_200_000)
    assert out["chips_per_year"]["value"] == pytest.approx(1_200_000)
    assert out["chips_in_period"]["value"] == pytest.approx(600_000)
    assert out["h100e_in_period"]["value"] == pytest.approx(out["h100e_per_year"]["value"] / 2)
    assert out["binding"]["label"] == "dies"
    year = results("supply", "--wafers-per-month", "120000/yr", "--good-dies-per-wafer", "10",
                   "--gpu", "h100-sxm")  # fmt: skip
    assert year["chips_in_period"]["value"] == pytest.approx(year["chips_per_year"]["value"])


def test_good_dies_come_from_the_yield_relations() -> None:
    """The same die, D0 and model give the yield calculator's good dies per wafer."""
    die = ("--die-size", "26x31.3", "--defect-density", "0.1", "--model", "murphy")
    expected = results("yield", *die)["good_dies_per_wafer"]["value"]
    out = results("supply", *die, "--wafers-per-month", "1000", "--gpu", "h100-sxm")
    assert out["good_dies_per_wafer"]["value"] == pytest.approx(expected, rel=1e-12)
    assert out["chips_from_dies"]["value"] == pytest.approx(1000 * 12 * expected)


def test_published_910b_yield_needs_few_wafers_for_huaweis_2024_output() -> None:
    """Financial Times via Digitimes Asia (Feb 2025): 'the older Ascend 910B reached 50%'
    yield, and Huawei made '200,000 units in 2024'. On the 21.32 x 31.22 mm die (Tom's
    Hardware, die shots) that is 200,000 / (12 x whole dies x 0.5) wafers a month: about 390,
    under 1 % of SMIC's ~50,000 (SemiAnalysis)."""
    die = ("--die-size", "21.32x31.22", "--die-yield", "50%")
    dies = results("yield", *die)["dies_per_wafer"]["value"]
    out = results("supply", *die, "--gpu", "ascend-910b",
                  "--solve", "wafers-per-month", "--for", "chips_per_year=200000")  # fmt: skip
    assert out["wafers_per_month"]["value"] == pytest.approx(200_000 / (12 * dies * 0.5))
    assert 350 < out["wafers_per_month"]["value"] < 420
    assert out["chips_per_year"]["value"] == pytest.approx(200_000)


def test_published_cowos_capacity_becomes_packages() -> None:
    """TrendForce (Oct 2024): CoWoS 'expected to reach 35,000 to 40,000 wafers this year';
    at ~29 H100-class packages per wafer (press) that is 12.2-13.9M packages a year. NVIDIA's
    reported 2025 booking of 140,000 CoWoS wafers at 16 B200 a wafer is 2.24M B200s."""
    out = results("supply", "--interposers-per-month", "35000..40000",
                  "--packages-per-interposer", "29", "--gpu", "h100-sxm")  # fmt: skip
    assert out["chips_from_packaging"]["low"] == pytest.approx(35_000 * 29 * 12)
    assert out["chips_from_packaging"]["high"] == pytest.approx(40_000 * 29 * 12)
    b200 = results("supply", "--interposers-per-month", "140000/yr",
                   "--packages-per-interposer", "16", "--gpu", "b200")  # fmt: skip
    assert b200["chips_per_year"]["value"] == pytest.approx(2.24e6)


def test_published_hbm_stockpile_becomes_910c_packages() -> None:
    """SemiAnalysis (Sept 2025): '13 million stacks of HBM' entered China, 'enough for 1.6M
    Ascend 910C packages' at eight stacks each."""
    out = results("supply", "--hbm-stacks-per-month", "13e6/yr",
                  "--hbm-stacks-per-package", "8", "--gpu", "ascend-910c")  # fmt: skip
    assert out["chips_per_year"]["value"] == pytest.approx(1.625e6)


@pytest.mark.parametrize("months", ["1", "12", "18"])
def test_a_die_count_gives_chips_and_h100e_without_wafers(months: str) -> None:
    """Center for Strategic and International Studies, quoted by Tom's Hardware ("Huawei
    reportedly acquired two million Ascend 910 AI chips from TSMC last year through shell
    companies", 2025, https://www.tomshardware.com/tech-industry/artificial-intelligence/
    huawei-reportedly-acquired-two-million-ascend-910-ai-chips-from-tsmc-last-year-through-
    shell-companies): "government officials told CSIS that TSMC manufactured more than 2
    million Ascend 910B logic dies and that all of these are now with Huawei. If true, this
    is enough dies to make 1 million Ascend 910C units." CSIS's arithmetic is two dies per
    910C; Tom's Hardware disputes that premise ("Contrary to the report, the Ascend 910C has
    only one compute chiplet"), which makes the same dies 2 million chips. Either way the
    count over --months is the dies over dies per package, whatever the months; the H100e
    are the chips at the ascend-910c preset's 780 of the H100's 989.4 TFLOP/s."""
    csis = results("supply", "--dies", "2e6", "--dies-per-package", "2", "--gpu",
                   "ascend-910c", "--months", months)  # fmt: skip
    assert csis["chips_in_period"]["value"] == pytest.approx(1e6, rel=1e-12)
    assert csis["h100e_in_period"]["value"] == pytest.approx(1e6 * 780 / 989.4, rel=1e-12)
    assert csis["chips_per_year"]["value"] == pytest.approx(1e6 * 12 / float(months))
    assert csis["binding"]["label"] == "dies"
    one_chiplet = results("supply", "--dies", "2e6", "--gpu", "ascend-910c",
                          "--months", months)  # fmt: skip
    assert one_chiplet["chips_in_period"]["value"] == pytest.approx(2e6, rel=1e-12)


def test_a_die_count_is_an_alternative_to_wafers_and_the_wafers_give_it() -> None:
    """Wafers x good dies per wafer over the months are the dies, both ways: 1,000 wafers a
    month of 50 good dies for 12 months are 600,000 dies."""
    wafers = results("supply", "--wafers-per-month", "1000", "--good-dies-per-wafer", "50")
    assert wafers["dies"]["value"] == pytest.approx(600_000)
    dies = results("supply", "--dies", "600000")
    assert dies["chips_in_period"]["value"] == pytest.approx(wafers["chips_in_period"]["value"])
    clash = run("supply", "--dies", "2e6", "--wafers-per-month", "1000")
    assert clash.code == 2 and "are alternatives" in clash.stderr


def test_fewer_dies_than_one_package_is_an_error_naming_both_options() -> None:
    """One compute die where a chip holds two (a B200) makes no chip: it used to answer half
    a chip, silently. Two dies make one; a range whose low end is short keeps its answer
    where it holds, with a warning."""
    short = run("supply", "--dies", "1", "--dies-per-package", "2")
    assert short.code == 2
    assert "--dies is fewer than --dies-per-package" in short.stderr
    assert "e.g. --dies 2e6 --dies-per-package 2" in short.stderr
    one = results("supply", "--dies", "2", "--dies-per-package", "2")
    assert one["chips_in_period"]["value"] == pytest.approx(1)
    ranged = run("supply", "--dies", "1..4", "--dies-per-package", "2")
    assert ranged.code == 0 and "--dies is fewer than --dies-per-package" in ranged.stderr


def test_solve_wafers_for_a_million_h100e_by_root_finding() -> None:
    """A minimum has no closed-form inverse: bracketed root finding gives the wafers at which
    the dies give 1e6 / 0.3234 910Bs: 1e6 / (320/989.4) / 12 / 65 = 3,964 a month."""
    out = results("supply", "-p", "smic-7nm", "--hbm-stacks-per-month", "13e6/yr",
                  "--good-dies-per-wafer", "65",
                  "--solve", "wafers-per-month", "--for", "h100e_per_year=1e6")  # fmt: skip
    assert out["wafers_per_month"]["value"] == pytest.approx(1e6 / (320 / 989.4) / 12 / 65)
    assert out["h100e_per_year"]["value"] == pytest.approx(1e6)
    assert out["binding"]["label"] == "dies"


def test_solve_says_which_constraint_caps_the_goal() -> None:
    outcome = run("supply", "-p", "smic-7nm", "--hbm-stacks-per-month", "13e6/yr",
                  "--solve", "wafers-per-month", "--for", "h100e_per_year=2e6")  # fmt: skip
    assert outcome.code == 1
    assert "no value of wafers-per-month" in outcome.stderr
    assert "binding is hbm: that constraint caps it" in outcome.stderr


def test_solve_defect_density_and_packaging() -> None:
    die = ("--die-size", "26x31.3", "--wafers-per-month", "1000", "--gpu", "h100-sxm")
    out = results("supply", *die, "--solve", "defect-density", "--for", "chips_per_year=300000")
    assert out["chips_per_year"]["value"] == pytest.approx(300_000)
    assert out["good_dies_per_wafer"]["value"] == pytest.approx(25)
    goal = ("--solve", "interposers-per-month", "--for", "chips_per_year=1.92e6")
    pack = results("supply", "--packages-per-interposer", "16", "--gpu", "b200", *goal)
    assert pack["interposers_per_month"]["value"] == pytest.approx(10_000)


def test_a_stated_supply_needs_no_capacity() -> None:
    """The seed's 'over a million NVIDIA H20s' a year: 148 / 989.4 TFLOP/s each."""
    out = results("supply", "--preset", "china-h20")
    assert out["h100e_per_year"]["value"] == pytest.approx(1e6 * 148 / 989.4)
    assert "binding" not in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--gpu", "h100-sxm", "--months", "12"],
         "supply needs a capacity: --wafers-per-month with --good-dies-per-wafer (or a die "
         "size and --defect-density), --dies,"),
        (["--good-dies-per-wafer", "50", "--die-size", "10x10"], "are alternatives: give one"),
        (["--wafers-per-month", "-5", "--good-dies-per-wafer", "5"], "--wafers-per-month"),
        (["--hbm-stacks-per-month", "5 W"], "--hbm-stacks-per-month"),
        (["--packaging-yield", "1.5"], "--packaging-yield"),
        # the probe: a stated supply beside a capacity ran as a contradiction in chip_rate
        (["--dies", "2e6", "--chips-per-year", "1e6"],
         "--dies and --chips-per-year are alternatives: give one"),
        (["--wafers-per-month", "1e3", "--good-dies-per-wafer", "50", "--chips-per-year", "1e6"],
         "--chips-per-year and --wafers-per-month are alternatives: give one"),
        # the probe: a fractional die count was taken silently
        (["--dies", "2.5"], "--dies: '2.5' is not a whole number"),
    ],
)  # fmt: skip
def test_bad_input_is_one_line_and_exit_2(args: list[str], message: str) -> None:
    outcome = run("supply", *args)
    assert outcome.code == 2 and message in outcome.stderr
    assert outcome.stderr.count("\n") == 1 and "Traceback" not in outcome.stderr


@pytest.mark.parametrize(
    ("capacity", "swept", "per_year"),
    [
        ([], "chips-per-year=1e6..3e6:3", [1e6, 2e6, 3e6]),
        (["--dies-per-package", "1", "--months", "12"], "dies=1e6..3e6:3", [1e6, 2e6, 3e6]),
    ],
)
def test_the_only_capacity_can_be_swept(
    capacity: list[str], swept: str, per_year: list[float]
) -> None:
    """Sweeping the one capacity a run has was refused: the run without it needs one
    ('supply needs a capacity'), which the sweep gives at each of its values."""
    outcome = run("supply", "--gpu", "h100-sxm", *capacity, "--sweep", swept, "-f", "json")
    assert outcome.code == 0, outcome.stderr
    found = outcome.json()["sweep"]["results"]["chips_per_year"]["value"]
    assert found == pytest.approx(per_year)
    alone = run("supply", "--gpu", "h100-sxm", *capacity)
    assert alone.code == 2 and "supply needs a capacity" in alone.stderr


def test_a_goal_seek_over_the_swept_capacity_warns_of_no_lost_result() -> None:
    """The months 1e6 H100e take at 1, 2 and 3 million chips a year (12, 6, 4) came with
    'months: no finite value for these inputs (beyond the reach of its formula, or past the
    largest float)': the run without the sweep has no capacity, so no result at all."""
    outcome = run(
        "supply", "--gpu", "h100-sxm", "--sweep", "chips-per-year=1e6..3e6:3",
        "--solve", "months", "--for", "h100e_in_period=1e6", "-f", "json",
    )  # fmt: skip
    assert outcome.code == 0, outcome.stderr
    assert outcome.json()["sweep"]["results"]["months"]["value"] == pytest.approx([12, 6, 4])
    assert "no finite value" not in outcome.stderr, outcome.stderr


@pytest.mark.parametrize("swept", ["months=1..12:3", "die-area=100..800:3"])
def test_a_sweep_that_gives_no_capacity_is_refused_as_the_run_is(swept: str) -> None:
    """A sweep of an input that is no capacity answers at none of its points: the run's
    usage error (exit 2, 'supply needs a capacity'), not a sweep without answers (exit 1)."""
    outcome = run("supply", "--gpu", "h100-sxm", "--sweep", swept)
    assert outcome.code == 2, outcome.stderr
    assert outcome.stderr.startswith("tcoctl: error: supply needs a capacity")
    assert outcome.stderr.count("\n") == 1 and "--sweep" not in outcome.stderr


def test_ranges_show_where_the_binding_constraint_changes() -> None:
    """leading-edge-2028: dies bind at a 60 % share, packaging at 80 %."""
    out = results("supply", "--preset", "leading-edge-2028")
    assert {out["binding"]["low"], out["binding"]["high"]} == {0, 1}
    table = run("supply", "--preset", "leading-edge-2028", "--format", "table").stdout
    assert "dies .. packaging" in table


def test_solving_the_months_of_a_die_count_says_the_count_does_not_depend_on_them() -> None:
    """The probe: --dies with --solve months said "supply needs a capacity ... a count of
    dies" though the dies were given; the chips from a count of dies are the same over any
    months. The message names options (it said "months", "wafers_per_month")."""
    outcome = run("supply", "--dies", "2e6", "--gpu", "ascend-910c", "--solve", "months",
                  "--for", "h100e_in_period=1e6")  # fmt: skip
    assert outcome.code == 2 and outcome.stdout == ""
    assert "with --dies given, h100e_in_period and chips_in_period do not depend on --months" \
        in outcome.stderr and "needs a capacity" not in outcome.stderr  # fmt: skip
    assert outcome.stderr.rstrip().endswith(
        "e.g. --wafers-per-month 30000 --good-dies-per-wafer 50"
    )


def test_a_yield_model_no_result_reads_is_not_shown_as_a_default() -> None:
    """Issue 19 (probe): with --dies the yield model reads nothing, yet the inputs listed
    'model poisson (default)'; a default is shown where a result used it, as a number's
    is. From a die size and a defect density it is used, and shown."""
    counted = run("supply", "--dies", "2e6", "--gpu", "h100-sxm", "-f", "json").json()
    assert "model" not in counted["inputs"]
    sized = ("supply", "--wafers-per-month", "1e4", "--die-size", "26x31", "--defect-density",
             "0.1", "--gpu", "h100-sxm", "-f", "json")  # fmt: skip
    assert run(*sized).json()["inputs"]["model"] == {"value": "poisson", "unit": ""}
