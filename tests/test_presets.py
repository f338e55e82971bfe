"""Presets: every built-in loads, every figure is sourced, seed quotes are verbatim, and
broken files are refused with the file and key named."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

import tcoctl
from conftest import SEEDS, run
from tcoctl import presets
from tcoctl.cli import app
from tcoctl.specs import CALCULATORS

BUILTIN = sorted(presets.preset_files())
GPUS = (
    "h100-sxm",
    "h100-pcie",
    "h200",
    "h20",
    "h800",
    "a100-sxm",
    "b200",
    "gb200",
    "mi300x",
    "mi325x",
    "tpu-v5p",
    "tpu-v6e",
    "gaudi3",
    "ascend-910b",
    "ascend-910c",
    "tpu-v4",
    "v100",
)


def test_issue_presets_exist() -> None:
    for name in (
        *GPUS,
        "frontier-2024",
        "frontier-2025",
        "run-1e30",
        "china-labs",
        "china-h20",
        "india-2026",
    ):
        assert name in BUILTIN


@pytest.mark.parametrize("name", BUILTIN)
def test_preset_values_check_and_show(name: str) -> None:
    outcome = run("presets", "show", name, "--format", "json")
    assert outcome.code == 0, outcome.stderr
    figures = outcome.json()["figures"]
    assert figures and all(f["source"] for f in figures)


@pytest.mark.parametrize("name", BUILTIN)
def test_seed_quotes_are_verbatim(name: str) -> None:
    preset = presets.load(name)
    for entries in preset.sections.values():
        for key, entry in entries.items():
            if entry.source.startswith("seeds/"):
                seed = SEEDS / Path(entry.source).name
                assert seed.is_file(), f"{name}.{key}: no seed file {entry.source}"
                assert entry.quote and entry.quote in seed.read_text(encoding="utf-8"), (
                    f"{name}.{key}: quote not found verbatim in {entry.source}"
                )
            else:
                assert entry.url and entry.url.startswith("https://"), f"{name}.{key}"


FITTED = {calc.fitted for calc in CALCULATORS.values()}
"""Presets of fitted defaults (training-fit): a layer under every run, no scenario alone."""


@pytest.mark.parametrize(
    "name", [n for n in BUILTIN if presets.load(n).kind == "scenario" and n not in FITTED]
)
def test_scenario_presets_run_on_their_calculators(name: str) -> None:
    for section in presets.load(name).sections:
        assert section in CALCULATORS
        outcome = run(section, "--preset", name, "--format", "json")
        assert outcome.code == 0, outcome.stderr
        assert all(record["results"] for record in outcome.records())


GOOD = """title = "t"
kind = "scenario"
[h100e.count]
value = "10"
source = "A paper"
url = "https://example.org"
[h100e.gpu]
value = "h100-sxm"
source = "A paper"
url = "https://example.org"
"""


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (GOOD.replace('title = "t"', 'title = "t"\ncolour = "red"'), "unknown key 'colour'"),
        (
            GOOD.replace(
                'source = "A paper"\nurl = "https://example.org"\n[h100e.gpu]', "[h100e.gpu]"
            ),
            "missing 'source'",
        ),
        (GOOD.replace('value = "10"', 'value = "10 W"'), "h100e.count"),
        (GOOD.replace('value = "10"', 'value = "10"\nvalue = "11"'), "not a readable TOML"),
        (GOOD.replace("[h100e.gpu]", "[h100e.speed]"), "unknown input 'speed'"),
        (GOOD.replace('url = "https://example.org"\n[h100e.gpu]', "[h100e.gpu]"), "needs a 'url'"),
        (
            GOOD.replace(
                'source = "A paper"\nurl = "https://example.org"\n[h100e.gpu]',
                'source = "seeds/x.txt"\n[h100e.gpu]',
            ),
            "verbatim 'quote'",
        ),
        (GOOD.replace('kind = "scenario"', 'kind = "magic"'), "'kind' must be one of"),
        ("title = [", "not a readable TOML"),
    ],
)
def test_broken_user_preset_is_refused(tmp_path: Path, text: str, message: str) -> None:
    (tmp_path / "mine.toml").write_text(text, encoding="utf-8")
    outcome = run("--presets-dir", str(tmp_path), "h100e", "--preset", "mine", "-f", "json")
    assert outcome.code == 1
    assert message in outcome.stderr and "mine.toml" in outcome.stderr
    assert outcome.stdout == ""


def test_user_folder_adds_presets(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "mine.toml").write_text(GOOD, encoding="utf-8")
    monkeypatch.setenv("TCOCTL_PRESETS", str(tmp_path))
    outcome = run("h100e", "--preset", "mine", "-f", "json")
    assert outcome.code == 0, outcome.stderr
    assert outcome.json()["results"]["h100e"]["value"] == pytest.approx(10.0)
    listing = run("presets", "list", "-f", "json").json()["presets"]
    assert "mine" in [p["name"] for p in listing]


def test_one_run_reads_each_preset_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Within presets.one_version (one API call), a preset is read once: an edit made while
    the run goes on is not half-seen by its later stages; the next run reads it again."""
    path = tmp_path / "mine.toml"
    path.write_text(GOOD, encoding="utf-8")
    monkeypatch.setenv("TCOCTL_PRESETS", str(tmp_path))
    with presets.one_version():
        first = presets.load("mine")
        path.write_text(GOOD.replace('value = "10"', 'value = "20.5"'), encoding="utf-8")
        assert presets.load("mine") is first
        assert presets.chain(first) == [first]
    edited = presets.load("mine")
    assert edited.sections["h100e"]["count"].value == "20.5"
    assert first.sections["h100e"]["count"].value == "10"


def test_a_preset_of_another_kind_says_which_option_takes_it() -> None:
    """Probe 2: tcoctl.tco(preset='h100-sxm') suggested 'h100-die' and listed the scenarios,
    where h100-sxm is a GPU preset, taken by --gpu."""
    gpu = run("tco", "--preset", "h100-sxm")
    assert gpu.code == 2 and gpu.stderr == (
        "tcoctl: error: --preset: h100-sxm is a gpu preset, not a scenario preset; give it as "
        "--gpu h100-sxm\n"
    )
    assert "give it as --preset frontier-2024" in run("tco", "--gpu", "frontier-2024").stderr


@pytest.mark.parametrize(
    "args",
    [
        ("flops", "--gpu", "v100", "--precision", "bf16", "--count", "8", "--duration", "1 day"),
        ("inference", "--gpu", "v100", "--gpus-per-replica", "8"),
        ("h100e", "--gpu", "v100"),
        # FP8 at the given peak, attention at the V100's bf16 slot (the preset's bf16)
        ("inference", "--preset", "deepseek-v3", "--gpu", "v100", "--peak", "250 TFLOP/s",
         "--gpus-per-replica", "32"),
    ],
)  # fmt: skip
def test_v100s_bf16_figure_says_it_is_fp16(args: tuple[str, ...]) -> None:
    """The hostile probe: --precision bf16 on v100 ran on its bf16 slot, which holds the
    FP16 peak (V100 has no BF16), without a word; each run using it now says so (and one
    whose --attention-precision reads it: the second probe found that one silent)."""
    outcome = run(*args, "--format", "json")
    assert outcome.code == 0
    assert (
        "v100 has no BF16: its bf16 figure is its FP16 peak (125 TFLOP/s), which the results use"
        in outcome.stderr
    )
    other = run(*[a if a != "v100" else "a100-sxm" for a in args], "--format", "json")
    assert other.code == 0 and "no BF16" not in other.stderr


def test_v100s_precisions_name_its_fp16() -> None:
    """Refused --precision fp8 on v100 lists the precisions it has, its bf16 as FP16."""
    fp8 = run("flops", "--gpu", "v100", "--precision", "fp8", "--count", "8", "--duration", "1d")
    assert fp8.code == 2 and fp8.stderr.endswith("(v100 has bf16 (FP16)); e.g. --precision bf16\n")


def test_unknown_preset_lists_known_ones() -> None:
    outcome = run("tco" if "tco" in CALCULATORS else "flops", "--preset", "nope")
    assert outcome.code == 2
    assert "--preset: no scenario preset 'nope'; known: " in outcome.stderr
    assert "frontier-2024" in outcome.stderr and "h100-sxm" not in outcome.stderr


@pytest.mark.parametrize(
    ("typed", "example"),
    [
        (["tco", "--preset", "nope"], "e.g. --preset frontier-2024"),  # the first with [tco]
        (["inference", "--preset", "frontier"], "e.g. --preset deepseek-v3"),  # not frontier-*
        (["tco", "--preset", "frontier-2026"], "e.g. --preset frontier-2024"),
        (["tco", "--gpu", "h1000"], "e.g. --gpu h100-pcie"),
        (["compare", "nope"], "e.g. tcoctl compare china-h20"),
        (["flops", "--preset", "traning-fit"], "e.g. --preset run-1e30"),  # not training-fit,
        (["compare", "traning-fit"], "e.g. tcoctl compare serving-fit"),  # which needs a GPU
        (["presets", "show", "nope"], "e.g. tcoctl presets show a100-sxm"),  # gave none
        (["presets", "show", "traning-fit"], "e.g. tcoctl presets show training-fit"),
    ],
)
def test_an_unknown_preset_gives_an_example_that_runs(typed: list[str], example: str) -> None:
    """The refusal's example is a preset the command has figures for: china-h20, the first
    scenario preset, has none for tco, frontier-2024 none for inference; and one that runs
    alone: training-fit, the fitted defaults, has [flops] figures but no GPU (exit 1)."""
    outcome = run(*typed)
    assert outcome.code == 2
    assert outcome.stderr.rstrip().endswith(example), outcome.stderr
    *command, _ = typed
    if example.startswith("e.g. tcoctl "):
        assert run(*example.split()[2:]).code == 0
    else:
        assert run(*command[:-1], *example.split()[1:]).code == 0


def test_a_user_h100_sxm_warns_and_leaves_the_h100e_reference_alone(tmp_path: Path) -> None:
    """Issue 19 item 24: a user preset named h100-sxm replaced the H100-equivalent's
    reference (a B200 became 2,250 H100e instead of 2.274). H100e is defined against the
    datasheet H100 (presets/h100-sxm.toml); using the user's file for --gpu h100-sxm is fine,
    silently is not."""
    datasheet = (presets.builtin_dir() / "h100-sxm.toml").read_text(encoding="utf-8")
    (tmp_path / "h100-sxm.toml").write_text(
        datasheet.replace('"989.4 TFLOP/s"', '"989400 TFLOP/s"'), encoding="utf-8"
    )
    args = ("h100e", "--gpu", "b200", "--count", "1", "-f", "json")
    mine = run("--presets-dir", str(tmp_path), *args)
    assert mine.code == 0, mine.stderr
    assert mine.json()["results"]["h100e"] == run(*args).json()["results"]["h100e"]
    assert "preset h100-sxm: " in mine.stderr and "place of the built-in preset" in mine.stderr
    listed = run("--presets-dir", str(tmp_path), "presets", "list", "-f", "json")
    assert "place of the built-in preset" in listed.stderr


def test_the_api_warns_of_a_user_preset_in_a_built_ins_place(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Item 24 in the API: the command line warned, an API call said nothing."""
    datasheet = (presets.builtin_dir() / "h100-sxm.toml").read_text(encoding="utf-8")
    (tmp_path / "h100-sxm.toml").write_text(datasheet, encoding="utf-8")
    monkeypatch.setenv("TCOCTL_PRESETS", str(tmp_path))
    with pytest.warns(tcoctl.TcoctlWarning, match="h100-sxm.toml takes the place of the built-in"):
        found = tcoctl.h100e(gpu="b200", count=1)
    assert found.to_dict()["results"]["h100e"]["value"] == pytest.approx(2.274, rel=1e-3)


def test_presets_show_prints_every_url_whole_at_80_columns() -> None:
    """Issue 19 item 12: the source column cut URLs to ``https://resources.nvidia.com/en-us-
    tensor-c…``; the table now refers to each URL by number and lists it whole below."""
    outcome = CliRunner(env={"COLUMNS": "80"}).invoke(
        app, ["presets", "show", "h100-sxm", "--format", "table"]
    )
    url = "https://resources.nvidia.com/en-us-tensor-core/nvidia-tensor-core-gpu-datasheet"
    assert f"[1] {url}" in outcome.stdout.splitlines()
    assert "…" not in outcome.stdout


def test_the_docs_gpu_preset_example_works_as_written(tmp_path: Path) -> None:
    """Issue 19 item 18: a custom GPU took three tries, because docs/presets.md showed only a
    scenario. Its `kind = "gpu"` example, saved as my-accel.toml, must run as the docs say
    (505.4 H100e for 1,000 chips of 500 TFLOP/s against the H100's 989.4)."""
    docs = (Path(__file__).resolve().parents[1] / "docs" / "presets.md").read_text("utf-8")
    example = next(block for block in docs.split("```toml\n")[1:] if 'kind = "gpu"' in block)
    (tmp_path / "my-accel.toml").write_text(example.split("```")[0], encoding="utf-8")
    args = ("--presets-dir", str(tmp_path), "h100e", "--gpu", "my-accel", "--count", "1000")
    outcome = run(*args, "-f", "json")
    assert outcome.code == 0, outcome.stderr
    assert outcome.json()["results"]["h100e"]["value"] == pytest.approx(1000 * 500 / 989.4)
    assert "505.4" in docs
    served = run("--presets-dir", str(tmp_path), "inference", "--gpu", "my-accel", "-f", "json")
    assert served.code == 0, served.stderr


def test_a_command_s_presets_dir_does_not_outlive_it(tmp_path: Path) -> None:
    """A flaky failure: test_one_run_reads_each_preset_once found 'mine' in another test's
    folder. A command run in this process with --presets-dir left that folder in
    presets.extra_dirs, searched first by every later API call (a notebook that runs the
    command line, then the API, would read the wrong presets)."""
    (tmp_path / "mine.toml").write_text(GOOD, encoding="utf-8")
    assert run("--presets-dir", str(tmp_path), "presets", "show", "mine").code == 0
    assert tmp_path not in presets.search_dirs()
    assert "mine" not in presets.preset_files()


def test_a_preset_table_folds_long_words_never_cuts_them() -> None:
    """The trial: at 80 columns `presets show llama-3.1-70b` cut the words too long for the
    source column ('(tcoctl.pipeline.train…', 'mlperf-inf-v4.1-llama…'); they now fold onto
    the next line, so every character is there."""
    outcome = CliRunner(env={"COLUMNS": "80", "NO_COLOR": "1"}).invoke(
        app, ["presets", "show", "llama-3.1-70b", "--format", "table"]
    )
    assert outcome.exit_code == 0, outcome.stderr
    assert "…" not in outcome.stdout
    cells = "".join(line.split("│")[3].strip() for line in outcome.stdout.splitlines()
                    if line.count("│") == 4)  # fmt: skip
    assert "(tcoctl.pipeline.training_fit)" in cells


def test_a_near_preset_without_the_commands_figures_is_not_suggested() -> None:
    """The probe: 'tco --preset llama-3.1-70' asked "did you mean 'llama-3.1-70b'?", which has
    no [tco] figures (tco refuses it), beside the example frontier-2024; inference, which it
    has figures for, still suggests it."""
    tco = run("tco", "--preset", "llama-3.1-70")
    assert tco.code == 2 and "did you mean" not in tco.stderr, tco.stderr
    inference = run("inference", "--preset", "llama-3.1-70")
    assert "(did you mean 'llama-3.1-70b'?)" in inference.stderr
    assert inference.stderr.rstrip().endswith("e.g. --preset llama-3.1-70b")
