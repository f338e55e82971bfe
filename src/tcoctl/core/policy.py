"""Core: the lines regulators draw in tcoctl's quantities, as relations.

Chips (US ECCN 3A090, the Export Administration Regulations' Commerce Control List):

- Total processing performance, TPP = 2 x MacTOPS x bit length of the operation, dense, the
  highest over the chip's precisions (88 FR 73458, 25 October 2023, 3A090 technical note).
  A chip rated in dense FLOP/s does 2 FLOP per MAC, so TPP = TFLOP/s x bit length:
  ``gpu_tpp = max(bf16 x 16, fp8 x 8, fp4 x 4) / 1e12`` [-] (FLOP/s in, as the rule writes it).
  Integer peaks are not in the presets; on the chips here INT8 equals FP8 (H100, H20) or
  BF16 x 2 (A100), so they give the same TPP.
- Performance density = TPP / applicable die area [mm^2] (the same note).
- The class: 3A090.a (code 2) when TPP >= a_tpp, or TPP >= a_dense_tpp and density >=
  a_dense_density; else 3A090.b (code 1) when TPP >= b_tpp and density >= b_density, or
  TPP >= b_dense_tpp and density >= b_dense_density; else outside 3A090 (code 0). The
  thresholds are a rule preset's figures (``rule_*``), so a revised rule is a new preset.

Training compute (FLOP), each line a rule preset figure; a run crosses a line when its total
compute is greater than it (EU AI Act Art. 51(2): "greater than 10^25"; California SB 53 and
US EO 14110: "greater than 10^26"). A modification makes its author the provider of the
modified model when its compute is more than the share ``rule_eu_modification`` (one third) of
the original model's (European Commission, Guidelines on the scope of the obligations for
providers of general-purpose AI models, July 2025).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from tcoctl.core.relations import Relation, formula, product

BIT_LENGTHS = {"bf16": 16.0, "fp8": 8.0, "fp4": 4.0}
"""Bits per operand of each dense peak a GPU preset may give."""
TERA = 1e12
ECCN_THRESHOLDS = (
    "rule_a_tpp",
    "rule_a_dense_tpp",
    "rule_a_dense_density",
    "rule_b_tpp",
    "rule_b_density",
    "rule_b_dense_tpp",
    "rule_b_dense_density",
)


def total_processing_performance(bf16: Any, fp8: Any, fp4: Any) -> Any:
    """TPP [-] from dense peaks [FLOP/s]: the highest of peak x bit length / 1e12; an absent
    peak (NaN) is skipped, and all absent gives NaN."""
    peaks = (bf16, fp8, fp4)
    scaled = [
        np.multiply(p, bits / TERA) for p, bits in zip(peaks, BIT_LENGTHS.values(), strict=True)
    ]
    with np.errstate(invalid="ignore"):
        return np.fmax(np.fmax(scaled[0], scaled[1]), scaled[2])


def eccn_class(
    tpp: Any,
    density: Any,
    a_tpp: Any,
    a_dense_tpp: Any,
    a_dense_density: Any,
    b_tpp: Any,
    b_density: Any,
    b_dense_tpp: Any,
    b_dense_density: Any,
) -> Any:
    """The 3A090 class code (2 = .a, 1 = .b, 0 = outside) from TPP [-] and performance
    density [1/mm^2]; NaN where the class turns on a density that is not known."""
    tpp, density = np.asarray(tpp, dtype=float), np.asarray(density, dtype=float)
    with np.errstate(invalid="ignore"):
        class_a = (tpp >= a_tpp) | ((tpp >= a_dense_tpp) & (density >= a_dense_density))
        class_b = ((tpp >= b_tpp) & (density >= b_density)) | (
            (tpp >= b_dense_tpp) & (density >= b_dense_density)
        )
    code = np.where(class_a, 2.0, np.where(class_b, 1.0, 0.0))
    smallest = np.minimum(np.minimum(a_dense_tpp, b_tpp), b_dense_tpp)
    unknown = np.isnan(tpp) | (np.isnan(density) & (tpp >= smallest) & ~(tpp >= a_tpp))
    return np.where(unknown, np.nan, code)


def above(value: Any, line: Any) -> Any:
    """1 where ``value`` is greater than ``line``, else 0 (NaN stays NaN)."""
    with np.errstate(invalid="ignore"):
        return np.where(np.isnan(value), np.nan, np.greater(value, line).astype(float))


def tpp_of(prefix: str) -> Relation:
    """``<prefix>_tpp`` from the dense peaks ``<prefix>_bf16``, ``_fp8``, ``_fp4``."""
    return formula(
        f"{prefix}_tpp",
        [f"{prefix}_{name}" for name in BIT_LENGTHS],
        total_processing_performance,
        f"{prefix}_tpp = max(bf16 x 16, fp8 x 8, fp4 x 4) / 1e12 (dense TFLOP/s x bits)",
    )


CHIP_RELATIONS = (
    tpp_of("gpu"),
    tpp_of("ref"),
    product("gpu_tpp", "performance_density", "gpu_die_area", note="density = TPP / die area"),
    formula(
        "eccn_3a090",
        ["gpu_tpp", "performance_density", *ECCN_THRESHOLDS],
        eccn_class,
        "eccn_3a090 = .a if TPP >= a_tpp or (TPP >= a_dense_tpp and density >= "
        "a_dense_density); .b if (TPP >= b_tpp and density >= b_density) or (TPP >= "
        "b_dense_tpp and density >= b_dense_density); else outside",
    ),
)
"""TPP, performance density and the 3A090 class of the ``--gpu``."""


def crossing(result: str, line: str) -> Relation:
    """``result`` = 1 when total_flop is greater than the rule's ``line``."""
    return formula(result, ["total_flop", line], above, f"{result} = total_flop > {line}")


COMPUTE_RELATIONS = (
    crossing("eu_gpai", "rule_eu_gpai"),
    crossing("eu_systemic_risk", "rule_eu_systemic"),
    crossing("ca_sb53_frontier", "rule_ca_sb53"),
    crossing("us_eo14110_reporting", "rule_us_eo14110"),
    product("total_flop", "modification_share", "original_flop"),
    formula(
        "eu_modification",
        ["modification_share", "rule_eu_modification"],
        above,
        "eu_modification = total_flop / original_flop > rule_eu_modification",
    ),
)
"""Which compute lines a run's total_flop crosses, and the EU modification rule."""
