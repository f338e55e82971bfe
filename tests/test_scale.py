"""docs/scale.md's study, smaller: scenarios in a partitioned CSV file through
dask.dataframe.map_partitions on a local cluster (one worker, in-process) give exactly what
one process gives."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import tcoctl

dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")


def cost(part: pd.DataFrame) -> pd.DataFrame:
    """One partition of scenarios through tcoctl, as in docs/scale.md."""
    found = tcoctl.tco(scenarios=part).to_pandas()
    found.index = part.index
    return found


def test_a_study_through_dask_equals_one_process(tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    parts = []
    for part in range(4):
        frame = pd.DataFrame(
            {
                "gpus": rng.integers(1_000, 100_000, 2_500),
                "electricity": rng.uniform(0.04, 0.15, 2_500),
                "utilization": rng.uniform(0.5, 0.95, 2_500),
            }
        )
        frame.to_csv(tmp_path / f"scenarios-{part}.csv", index=False)
        parts.append(frame)
    with distributed.Client(
        processes=False, n_workers=1, threads_per_worker=2, dashboard_address=None
    ):
        scenarios = dd.read_csv(str(tmp_path / "scenarios-*.csv"))
        meta = cost(scenarios.head(1)).iloc[:0]
        assert scenarios.npartitions == 4
        through_dask = scenarios.map_partitions(cost, meta=meta).compute()
    whole = pd.concat(parts, ignore_index=True)
    alone = tcoctl.tco(scenarios=whole).to_pandas()
    assert len(through_dask) == 10_000
    pd.testing.assert_frame_equal(
        through_dask.reset_index(drop=True), alone, check_exact=True, check_dtype=True
    )
