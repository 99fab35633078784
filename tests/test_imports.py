"""Whole `mlcc` processes import only the heavy libraries their run uses (issue 17).

Each command runs in a fresh interpreter through a tiny wrapper that prints, at exit, which
of scikit-learn, scipy, matplotlib and numba ended up in sys.modules. A small binary run
with the numpy engine needs scikit-learn (and the scipy it loads) for its metrics only, and
matplotlib only for plots; predicting and validating need none of them.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "configs" / "quickstart.yaml"
HEAVY = ("sklearn", "scipy", "matplotlib", "numba")
# Named on their own: the doctor's scikit-learn refits (of a long tail's fix), which a small
# run already near its best skips.
HEAVY_PARTS = ("sklearn.linear_model",)
METRICS = ["scipy", "sklearn"]  # sklearn.metrics, which imports scipy
WRAPPER = f"""
import atexit, json, sys
atexit.register(lambda: print(json.dumps(sorted(
    {{name.split(".")[0] for name in sys.modules}} & set({HEAVY!r})
    | set(sys.modules) & set({HEAVY_PARTS!r})
)), file=sys.stderr))
sys.argv = ["mlcc", *sys.argv[1:]]
from mlcc_cli.cli import main
main()
"""


def heavy_imports(*args: str | Path) -> list[str]:
    """The heavy libraries `mlcc ARGS` imported; the command must succeed."""
    done = subprocess.run(
        [sys.executable, "-c", WRAPPER, *map(str, args)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stderr.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A quickstart run trained without plots, `engine: auto` as shipped; asserts its imports:
    the metrics are scikit-learn's, nothing else heavy (auto picks numpy for so short a run,
    and asking whether a kernel exists must not load numba)."""
    runs = tmp_path_factory.mktemp("runs")
    assert heavy_imports("train", CONFIG, "--quiet", "--no-plots", "--runs-dir", runs) == METRICS
    (run,) = runs.iterdir()
    assert json.loads((run / "status.json").read_text())["training"]["engine"] == "numpy"
    assert not (run / "plots").exists()  # --no-plots: no PNGs, everything else written
    assert (run / "metrics.json").is_file() and (run / "model.npz").is_file()
    return run


def test_train_without_plots_imports_only_the_metrics_library(run_dir: Path) -> None:
    assert run_dir.is_dir()  # the fixture ran the command and checked its imports


def test_train_with_plots_adds_only_matplotlib(tmp_path: Path) -> None:
    args = ("train", CONFIG, "--quiet", "--runs-dir", tmp_path)
    assert heavy_imports(*args) == sorted(["matplotlib", *METRICS])
    (run,) = tmp_path.iterdir()
    assert (run / "plots" / "loss.png").is_file()


def test_evaluate_imports_only_metrics_and_predict_none(run_dir: Path, tmp_path: Path) -> None:
    assert heavy_imports("evaluate", run_dir, "--no-plots") == METRICS
    rows = tmp_path / "rows.csv"
    predictions = run_dir / "predictions-validation.csv"
    assert predictions.is_file()
    from mlcc_cli.config.data import SyntheticConfig
    from mlcc_cli.data.builtin import load_builtin

    load_builtin("breast_cancer", SyntheticConfig(), 0).drop(columns="target").to_csv(
        rows, index=False
    )
    assert heavy_imports("predict", run_dir, rows, "-o", tmp_path / "out.csv") == []
    assert (tmp_path / "out.csv").is_file()


def test_validate_imports_none() -> None:
    assert heavy_imports("validate", CONFIG) == []
