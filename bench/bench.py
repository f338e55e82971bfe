"""tcoctl benchmarks: each budget of issue 6, measured against a reference taken in the same
run, printed as a ratio. Run from an installed tcoctl: ``python bench/bench.py``.

- startup: a cold ``tcoctl flops ... --format json`` against
  ``python -c "import numpy, pint; pint.UnitRegistry()"`` (ratio <= 1 meets the budget),
  both with a bytecode cache as an installed package has (``with_bytecode``).
- Monte Carlo and sweep: a million samples (points) through the TCO model, wall time beyond
  startup, against the 1 s budget; and the speed-up over a plain-Python loop over pint
  scalars doing the same arithmetic (timed on a few thousand, scaled per sample).
- batch: a 100,000-line JSON Lines file end to end, against the 3 s budget.
- memory: peak RSS of a batch of ``--rows`` lines against one of 100,000 (bounded: ~1).
- Python API (issue 16), on one core: cold ``import tcoctl`` and a first call against the
  startup reference; a warm scalar call of every calculator in the registry on its default
  preset, and ``EXTRA_SCALAR_CALLS`` (CPU time, least of 9 x 100 calls) against 1 ms
  scaled by this machine's speed, then one line saying whether each takes at most 1 ms as
  measured; a 100,000-scenario array call beyond the first call against 0.5 s (scaled);
  array goal-seeks (``GOAL_SEEKS``, CPU time) against ``SEEK_RATIO`` times that call's.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

TCOCTL = [shutil.which("tcoctl") or "tcoctl"]


def wall(command: Sequence[str], repeat: int = 5, env: Mapping[str, str] | None = None) -> float:
    """Median time of a command [s]: the CPU time (user + system) it and its children used,
    which other work on the machine disturbs far less than the wall clock; output discarded.
    With ``env``, one unmeasured run first (which writes the bytecode cache)."""
    import resource

    def run() -> None:
        subprocess.run(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False, env=env
        )

    if env is not None:
        run()
    times = []
    for _ in range(repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        run()
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        times.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return statistics.median(times)


def with_bytecode(folder: str) -> dict[str, str]:
    """This environment with Python's bytecode cache on, kept in ``folder`` (not the
    checkout): numpy and pint come with theirs compiled at install, and so does tcoctl when
    pip installs it, but an editable install under PYTHONDONTWRITEBYTECODE=1 (as on the
    development machine) compiles tcoctl's source at every start (60-70 ms of 0.45 s)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    return {**env, "PYTHONPYCACHEPREFIX": folder}


def peak_rss_mb(command: Sequence[str]) -> float:
    """Peak resident memory of a command and its workers [MB], in a fresh measuring process."""
    probe = (
        "import resource, subprocess, sys; "
        "subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL); "
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe, *command], capture_output=True, text=True, check=True
    )
    return int(done.stdout) / 1024


def pint_loop_per_sample(samples: int = 2000) -> float:
    """Seconds per sample of the TCO arithmetic written as a plain loop over pint scalars."""
    import pint

    ureg: pint.UnitRegistry = pint.UnitRegistry()  # type: ignore[type-arg]
    ureg.define("USD = [currency]")
    rng = random.Random(1)
    start = time.perf_counter()
    for _ in range(samples):
        price = ureg.Quantity(rng.uniform(25_000, 35_000), "USD")
        electricity = ureg.Quantity(rng.uniform(0.05, 0.15), "USD/kWh")
        power = ureg.Quantity(1275, "W")
        rate, years = 0.11, 5.5
        crf = rate / (1 - (1 + rate) ** -years)
        servers = price * crf / ureg.year
        energy = (power * 0.75 * 1.175 * ureg.year * electricity / ureg.year).to("USD/year")
        total = servers.to("USD/year") + energy
        _ = (total / (0.9 * ureg.year / ureg.year)).to("USD/hour").magnitude
    return (time.perf_counter() - start) / samples


def row(name: str, measured: float, reference: float, unit: str, note: str) -> None:
    ratio = measured / reference
    print(
        f"{name:<34} {measured:9.3f} {unit:<3} ref {reference:9.3f} {unit:<3} "
        f"ratio {ratio:6.2f}  {'meets' if ratio <= 1 else 'MISSES'}  {note}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--rows",
        type=int,
        default=1_000_000,
        help="lines for the memory check (issue 6 asks for 10,000,000)",
    )
    args = parser.parse_args()

    bytecode = tempfile.TemporaryDirectory()
    compiled = with_bytecode(bytecode.name)  # start-ups compared as installed: see its doc
    baseline = wall([sys.executable, "-c", "import numpy, pint; pint.UnitRegistry()"], 5, compiled)
    flops = wall(
        [
            *TCOCTL,
            "flops",
            "--budget",
            "1e30FLOP",
            "--gpu",
            "h100-sxm",
            "--mfu",
            "0.4",
            "--format",
            "json",
        ],
        5,
        compiled,
    )
    row("startup: flops --format json", flops, baseline, "s", "ref: import numpy, pint + registry")
    help_time = wall([*TCOCTL, "--help"], 5, compiled)
    row("startup: --help", help_time, baseline, "s", "imports neither numpy nor pint")

    single = wall([*TCOCTL, "tco", "--format", "json"], repeat=3)
    mc = wall(
        [
            *TCOCTL,
            "tco",
            "--gpu-price",
            "25000..35000USD",
            "--electricity",
            "0.05..0.15USD/kWh",
            "--samples",
            "1000000",
            "--format",
            "json",
        ],
        repeat=3,
    )
    row("1e6 Monte Carlo samples (TCO)", mc - single, 1.0, "s", "beyond startup; budget 1 s")
    sweep = in_process_sweep(1_000_000)
    row(
        "1e6 sweep points (TCO, core)",
        sweep,
        1.0,
        "s",
        "in process, output excluded, no other ranges",
    )
    per_sample = pint_loop_per_sample()
    row(
        "per sample vs a pint scalar loop",
        mc - single,
        per_sample * 1e6,
        "us",
        f"speed-up {per_sample * 1e6 / (mc - single):,.0f}x",
    )

    scale = baseline / REFERENCE_SECONDS  # budgets scale with this machine's speed
    mc_rss = peak_rss_mb([*TCOCTL, "tco", "--samples", "1000000", "--format", "json"])
    row("1e6 MC samples (tco), issue 13", mc - single, 0.25 * scale, "s", "beyond startup")
    row("1e6 MC samples: peak memory", mc_rss, 150.0, "MB", "flat as samples grow")
    one_core = ["taskset", "-c", "0"] if shutil.which("taskset") else []
    cold = wall([*one_core, sys.executable, "-c", f"{API_SETUP}; one()"], 5, compiled)
    bytecode.cleanup()
    row("API: cold import tcoctl + first call", cold, baseline, "s", "ref: numpy, pint + registry")
    timings = json.loads(
        subprocess.run(
            [*one_core, sys.executable, "-c", API_TIMINGS], check=True, capture_output=True
        ).stdout
    )
    for call, seconds in timings["scalar"].items():
        row(f"API warm scalar: {call.split('(')[0]}", seconds * 1e3, 1.0 * scale, "ms", call)
    over = [call for call, seconds in timings["scalar"].items() if seconds > 1e-3]
    slowest = max(timings["scalar"], key=timings["scalar"].get)
    print(
        "API warm scalar <= 1 ms as measured (unscaled): "
        + (f"MISSES for {', '.join(over)}" if over else f"holds for all {len(timings['scalar'])}")
        + f"; slowest {slowest} {timings['scalar'][slowest] * 1e3:.3f} ms"
    )
    row(
        "API: 100,000-scenario array call, 1 core",
        timings["array"],
        0.5 * scale,
        "s",
        "beyond the first call; one engine call",
    )
    for (rows, solve), seconds in zip(GOAL_SEEKS, timings["seek"].values(), strict=True):
        row(
            f"API: {rows:,}-row goal-seek ({solve}), 1 core",
            seconds,
            SEEK_RATIO * timings["array"],
            "s",
            f"ref: {SEEK_RATIO} x the 100,000-scenario array call",
        )
    with tempfile.TemporaryDirectory() as folder:
        tco_batch = Path(folder) / "tco.jsonl"
        write_tco_batch(tco_batch, 100_000)
        tco_time = wall([*one_core, *TCOCTL, "tco", "--input", str(tco_batch)], repeat=3)
        row("batch: 100,000 tco lines, 1 core", tco_time, 3.0 * scale, "s", "default preset")
        small = Path(folder) / "100k.jsonl"
        write_batch(small, 100_000)
        batch = wall([*one_core, *TCOCTL, "flops", "--input", str(small)], repeat=3)
        row("batch: 100,000 flops lines, 1 core", batch, 1.5 * scale, "s", "6 fields with units")
        reference = Path(folder) / "300k.jsonl"  # past the caches' fill: only growth shows
        write_batch(reference, 300_000)
        rss_reference = peak_rss_mb([*TCOCTL, "flops", "--input", str(reference)])
        large = Path(folder) / "large.jsonl"
        write_batch(large, args.rows)
        rss_large = peak_rss_mb([*TCOCTL, "flops", "--input", str(large)])
        row(
            f"memory: {args.rows:,} vs 300,000 lines",
            rss_large,
            rss_reference * 1.2,
            "MB",
            "peak RSS bounded: within 20 % of the smaller batch",
        )


def in_process_sweep(points: int) -> float:
    """Seconds to evaluate every TCO result at ``points`` sweep points (core only)."""
    from tcoctl import engine
    from tcoctl.pipeline import planner
    from tcoctl.presets import load
    from tcoctl.specs import CALCULATORS

    calc = CALCULATORS["tco"]
    preset = engine.gather(calc, {}, load("frontier-2024"))
    centres = {
        g.spec.name: f"{g.span.mid!r} {g.spec.unit}"
        for g in preset.values()
        if g.span is not None and g.span.is_range
    }  # one model evaluation per point
    given = engine.gather(calc, centres, load("frontier-2024"))
    span = planner.parse_sweep(calc, "electricity=0.02..0.40").span
    plan = planner.Sweep(calc.input("electricity"), span, points)  # beyond the CLI's 100,000
    start = time.process_time()
    planner.sweep(calc, [given], plan)
    return time.process_time() - start


GOAL_SEEKS = ((10_000, "utilization"), (200, "rate"))
"""Array goal-seeks on the default tco preset (5 or 6 inputs given as ranges, each row on
the full grid of 730 or 3126 range points): rows and the input solved, by its closed form
(utilization) and by root finding (rate)."""
SEEK_RATIO = 8
"""An array goal-seek's budget, in 100,000-scenario array calls of the same run: issue 16's
~1 s for 10,000 rows on the development machine, where that call takes 0.12 s."""
EXTRA_SCALAR_CALLS = (
    "tco(gpus=1000)",
    'yield_(die_size="15x15", defect_density=0.031, model="bose-einstein", layers=13.5)',
)
"""Warm scalar calls beyond each calculator's default (which the registry lists): the
issue's tco call, and one die (the Hennessy & Patterson example of yield's docstring; the
default preset has two)."""
API_SETUP = (
    "import numpy as np, tcoctl; "
    "one = lambda: tcoctl.tco(gpus=1000)['cost_per_gpu_hour']; "
    "params = np.linspace(1e9, 1e11, 100_000); "
    "many = lambda: tcoctl.flops(params=params, tokens=2e12, gpu='h100-sxm', mfu=0.4, "
    "count=1000)['duration']; "
    "seek = lambda rows, solve: tcoctl.tco(gpus=np.arange(1, rows + 1), solve=solve, "
    "goal='cost_per_gpu_hour=2.5 USD/h')"
)
API_TIMINGS = f"""
import json, time, warnings
warnings.simplefilter("ignore")
{API_SETUP.replace("; ", chr(10))}
one(); many()
scalar = {{}}
from tcoctl.specs import CALCULATORS
calls = [calc.api_name + "()" for calc in CALCULATORS.values()]
for call in [*calls, *{EXTRA_SCALAR_CALLS!r}]:
    run = eval("lambda: tcoctl." + call)
    run()
    each = []
    for _ in range(9):
        start = time.process_time()
        for _ in range(100):
            run()
        each.append((time.process_time() - start) / 100)
    scalar[call] = min(each)
runs = []
for _ in range(3):
    start = time.perf_counter()
    many()
    runs.append(time.perf_counter() - start)
seeks = {{}}
for rows, solve in {GOAL_SEEKS!r}:
    seek(1, solve)
    start = time.process_time()
    seek(rows, solve)
    seeks[solve] = time.process_time() - start
print(json.dumps({{"scalar": scalar, "array": min(runs), "seek": seeks}}))
"""

REFERENCE_SECONDS = 0.269
"""``import numpy, pint; pint.UnitRegistry()`` on the 2-core machine the budgets were set on."""


def write_tco_batch(path: Path, lines: int) -> None:
    """A JSON Lines batch of tco scenarios on the default preset (its ranges kept)."""
    rng = random.Random(0)
    with path.open("w", encoding="utf-8") as handle:
        for _ in range(lines):
            line = {
                "gpus": rng.randint(1_000, 200_000),
                "electricity": f"{rng.choice((0.05, 0.06, 0.08, 0.1, 0.12))} USD/kWh",
                "utilization": round(rng.uniform(0.5, 0.95), 2),
            }
            handle.write(json.dumps(line) + "\n")


def write_batch(path: Path, lines: int) -> None:
    """A JSON Lines batch of flops scenarios with units, as a planning script would write."""
    rng = random.Random(0)
    gpus = ("h100-sxm", "gb200", "b200", "mi300x")
    with path.open("w", encoding="utf-8") as handle:
        for _ in range(lines):
            handle.write(
                json.dumps(
                    {
                        "gpu": rng.choice(gpus),
                        "count": rng.randint(1_000, 100_000),
                        "duration": f"{rng.randint(10, 200)} day",
                        "mfu": round(rng.uniform(0.2, 0.5), 3),
                        "power": "1.4 kW",
                        "electricity": "0.08 USD/kWh",
                    }
                )
                + "\n"
            )


if __name__ == "__main__":
    main()
