"""Export-control classes of chips and the compute lines a training run crosses, against the
published classifications and the rules' own numbers (tcoctl.core.policy)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import REPO, results, run
from tcoctl.core.policy import eccn_class

OCTOBER_2023 = (4800, 1600, 5.92, 2400, 1.6, 1600, 3.2)
"""88 FR 73458 as CSET reads it (A Bigger Yard, A Higher Fence, 4 Dec 2023, notes 6-7):
3A090.a: TPP >= 4800, or TPP >= 1600 and PD >= 5.92; 3A090.b: TPP >= 2400 and PD >= 1.6, or
TPP >= 1600 and PD >= 3.2 (below .a)."""


def chip(gpu: str) -> dict[str, object]:
    found = results("h100e", "--gpu", gpu)
    return {name: found[name].get("label", found[name]["value"]) for name in found}


def test_h100_is_3a090a_with_the_published_density() -> None:
    """H100 SXM: dense FP8 1,979 TFLOP/s x 8 bits = TPP 15,832; over the 814 mm2 GH100 die,
    PD 19.4 (TweakTown, Jan 2024: 'the 19.4 TFLOPs/die of the regular H100'); 3A090.a under
    the October 2023 rule (CSET: 'a license application for exporting an Nvidia H100 to China
    will likely be denied')."""
    found = chip("h100-sxm")
    assert found["tpp"] == pytest.approx(15832)
    assert found["performance_density"] == pytest.approx(19.4, abs=0.05)
    assert found["eccn_3a090"] == "3A090.a"


def test_a100_is_3a090a_on_tpp_alone() -> None:
    """A100: dense BF16 312 TFLOP/s x 16 bits = TPP 4,992 >= 4,800, so 3A090.a.1 whatever its
    density (the October 2022 rule's TPP line, kept in 2023; CSET: the A100 was among the
    chips the 2022 rule caught)."""
    found = chip("a100-sxm")
    assert found["tpp"] == pytest.approx(4992)
    assert found["eccn_3a090"] == "3A090.a"


def test_h20_falls_outside_3a090() -> None:
    """H20: 296 TFLOP/s FP8 (Tom's Hardware) x 8 = TPP 2,368, under 2,400; on the 814 mm2
    GH100 die PD 2.9 (TweakTown, Jan 2024: 'a performance density of 2.9'), under 3.2: neither
    .a nor .b, the chip NVIDIA shipped to China after the October 2023 rule."""
    found = chip("h20")
    assert found["tpp"] == pytest.approx(2368)
    assert found["performance_density"] == pytest.approx(2.9, abs=0.05)
    assert found["eccn_3a090"] == "outside 3A090"


def test_a_fleets_tpp_in_h100_equivalents() -> None:
    """1,000 H20s: fleet TPP 2.368 million; on the TPP basis 150 H100s (2,368 / 15,832)."""
    found = results("h100e", "--gpu", "h20", "--count", "1000", "--basis", "tpp")
    assert found["fleet_tpp"]["value"] == pytest.approx(2.368e6)
    assert found["h100e"]["value"] == pytest.approx(1000 * 2368 / 15832)


@pytest.mark.parametrize(
    ("tpp", "density", "code"),
    [
        (4800, 0.1, 2),  # .a.1 on TPP alone
        (4799, 5.92, 2),  # .a.2: TPP >= 1600 and PD >= 5.92
        (2400, 1.6, 1),  # .b.1 at both lower edges
        (2399, 3.19, 0),  # under both .b lines
        (1600, 3.2, 1),  # .b.2 at its lower edges
        (1599, 100.0, 0),  # below every TPP line
        (5000, np.nan, 2),  # density unknown, TPP decides
        (2000, np.nan, np.nan),  # density unknown and it matters
    ],
)
def test_class_edges(tpp: float, density: float, code: float) -> None:
    got = eccn_class(tpp, density, *OCTOBER_2023)
    assert np.array_equal(got, code, equal_nan=True)


@given(
    st.floats(0, 20000),
    st.floats(0, 50),
    st.floats(0, 20000),
    st.floats(0, 50),
)
def test_more_performance_never_lowers_the_class(
    tpp: float, density: float, more_tpp: float, more_density: float
) -> None:
    low = eccn_class(tpp, density, *OCTOBER_2023)
    high = eccn_class(tpp + more_tpp, density + more_density, *OCTOBER_2023)
    assert high >= low


def test_a_revised_rule_is_a_preset_not_code(tmp_path: Path) -> None:
    """A rule preset in a user folder reclassifies the H20 with no code change: lower the
    .b.1 TPP line to 2,000 (hypothetical) and the H20 is 3A090.b."""
    text = (REPO / "presets" / "bis-3a090-2023.toml").read_text(encoding="utf-8")
    (tmp_path / "stricter.toml").write_text(
        text.replace('[eccn.b_tpp]\nvalue = "2400"', '[eccn.b_tpp]\nvalue = "2000"'),
        encoding="utf-8",
    )
    found = results(
        "--presets-dir", str(tmp_path), "h100e", "--gpu", "h20", "--export-rule", "stricter"
    )
    assert found["eccn_3a090"]["label"] == "3A090.b"


def test_an_unknown_rule_preset_is_one_clear_line() -> None:
    outcome = run("h100e", "--gpu", "h20", "--export-rule", "h100-sxm")
    assert outcome.code == 2
    assert "--export-rule" in outcome.stderr and "rule preset" in outcome.stderr
    assert len(outcome.stderr.strip().splitlines()) == 1


def test_llama3_405b_crosses_the_eu_line_not_sb53() -> None:
    """405B parameters x 15.6T tokens x 6 = 3.79e25 FLOP (Llama 3 paper: 3.8e25): greater
    than the EU AI Act's 10^25 (Art. 51(2)), not greater than SB 53's 10^26."""
    found = results("flops", "--params", "405e9", "--tokens", "15.6e12")
    assert found["eu_systemic_risk"]["label"] == "above"
    assert found["eu_gpai"]["label"] == "above"
    assert found["ca_sb53_frontier"]["label"] == "below"
    assert found["us_eo14110_reporting"]["label"] == "below"


def test_a_run_at_the_line_does_not_cross_it() -> None:
    """Art. 51(2) says 'greater than 10^25': exactly 10^25 FLOP is below."""
    found = results("flops", "--budget", "1e25 FLOP")
    assert found["eu_systemic_risk"]["label"] == "below"


def test_probability_of_crossing_a_line() -> None:
    """A budget uniform on 5e24..2e25 FLOP is above 1e25 with probability (2e25 - 1e25) /
    (2e25 - 5e24) = 2/3; 4,000 samples put the estimate within 0.03 (4 standard errors)."""
    found = results("flops", "--budget", "5e24..2e25 FLOP", "--samples", "4000", "--seed", "7")
    assert found["eu_systemic_risk"]["mean"] == pytest.approx(2 / 3, abs=0.03)
    assert found["ca_sb53_frontier"]["mean"] == 0


def test_largest_model_under_the_eu_line() -> None:
    """On 15.6T tokens the largest dense model under 10^25 FLOP has 1e25 / (6 x 15.6e12) =
    106.8e9 parameters."""
    found = results(
        "flops", "--tokens", "15.6e12", "--solve", "params", "--for", "total_flop=1e25 FLOP"
    )
    assert found["params"]["value"] == pytest.approx(1e25 / (6 * 15.6e12))


def test_modification_rule() -> None:
    """A fine-tune of Llama 3 405B (3.8e25 FLOP): 1.3e25 FLOP is more than a third of it
    (the Commission's guidelines' one-third rule), 1.2e25 is not."""
    over = results("flops", "--budget", "1.3e25 FLOP", "--original-flop", "3.8e25 FLOP")
    under = results("flops", "--budget", "1.2e25 FLOP", "--original-flop", "3.8e25 FLOP")
    assert over["eu_modification"]["label"] == "above"
    assert under["eu_modification"]["label"] == "below"
    assert over["modification_share"]["value"] == pytest.approx(1.3 / 3.8)


def test_every_preset_figure_is_dated() -> None:
    """Issue 18: every figure carries as_of (the date its source states or was published);
    a figure that is another preset's result takes that preset's dates instead."""
    from tcoctl import presets

    undated = [
        f"{name} {table}.{key}"
        for name in presets.preset_files()
        for table, section in presets.load(name).sections.items()
        for key, entry in section.items()
        if entry.reference is None and not entry.as_of
    ]
    assert undated == []


def test_audit_flags_old_prices_and_never_hardware() -> None:
    """A price is stale 12 months after its as_of (CSET's 2020 wafer price is, by 2026); a
    hardware figure (the H100 datasheet, 2022) never is. Exit 1 when any figure is stale."""
    later = run("presets", "audit", "--today", "2026-12-03", "--all", "--format", "json")
    assert later.code == 1
    found = {(f["preset"], f["figure"]): f for f in later.json()["figures"]}
    assert found[("h100-die", "yield.wafer-cost")]["stale"] is True
    assert found[("h100-sxm", "gpu.bf16")]["kind"] == "hardware"
    assert found[("h100-sxm", "gpu.bf16")]["stale"] is False
    early = run("presets", "audit", "--today", "2021-06-30", "--format", "json")
    assert early.code == 0 and early.json()["stale"] == 0


def test_audit_prints_a_figure_with_variants_as_a_json_list() -> None:
    """gpt4-prices' reference price has two variants (then, now): a list, not tuple text."""
    found = run("presets", "audit", "--today", "2026-12-03", "--all", "--format", "json")
    figures = {(f["preset"], f["figure"]): f for f in found.json()["figures"]}
    price = figures[("gpt4-prices", "inference.reference-price")]["value"]
    assert price == ["120 USD/Mtoken", "10 USD/Mtoken"]


def test_a_dated_figure_is_read_at_the_end_of_its_period() -> None:
    from tcoctl.provenance import period_end

    assert str(period_end("2024")) == "2024-12-31"
    assert str(period_end("2024-02")) == "2024-02-29"
    assert str(period_end("2023-10-25")) == "2023-10-25"


def test_a_chip_without_fp4_has_its_tpp_and_no_warning() -> None:
    """TPP is the highest of 2 x MAC/s x bit length over the precisions a chip has (CSET's
    reading of 88 FR 73458): the H100, with no FP4, is not short of a figure for it."""
    outcome = run("h100e", "--gpu", "h100-sxm", "--format", "json")
    assert outcome.code == 0 and outcome.stderr == ""
    assert outcome.json()["results"]["tpp"]["value"] == pytest.approx(15832)
