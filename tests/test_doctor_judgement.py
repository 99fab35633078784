"""The run doctor's judgement where a rule's trigger alone misleads: rare positives that the
model ranks well, labels with no signal, a loss climbing off zero, a fall reported in more
periods, a validation curve that parts slowly, a long tail on a healthy run, and the history's
exact log loss beside scikit-learn's clipped one. Each runs the real CLI on real data."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from cli_helpers import train_json
from mlcc_cli.cli import app
from mlcc_cli.config.loading import load_config

ROOT = Path(__file__).resolve().parent.parent
runner = CliRunner()


def _doctor(run_dir: Path) -> list[dict]:
    result = runner.invoke(app, ["doctor", str(run_dir), "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)["findings"]


def _warnings(findings: list[dict]) -> set[str]:
    return {f["kind"] for f in findings if f["severity"] == "warning"}


def _table(tmp_path: Path, name: str, seed: int, rows: int = 4000) -> str:
    """Four normal inputs; `rare`: 2.5% positives from a logistic model (log-odds −4.3 +
    0.9·x0 + 0.5·x1: a real but weak ranking signal); `coin`: a fair coin and `noise`:
    N(50, 10), neither related to the inputs."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(rows, 4))  # (rows, 4)
    log_odds = -4.3 + 0.9 * x[:, 0] + 0.5 * x[:, 1]
    frame = pd.DataFrame({f"x{i}": x[:, i] for i in range(4)})
    frame["rare"] = (rng.uniform(size=rows) < 1.0 / (1.0 + np.exp(-log_odds))).astype(int)
    frame["coin"] = rng.integers(0, 2, size=rows)
    frame["noise"] = rng.normal(50.0, 10.0, size=rows)
    path = tmp_path / f"{name}.csv"
    frame.to_csv(path, index=False)
    return str(path)


def _experiment(name: str, source: str, label: str, model: dict, **training: object) -> dict:
    return {
        "name": name,
        "seed": 1,
        "data": {"source": source, "label": label, "split": {"train": 0.7, "validation": 0.3}},
        "inputs": ["x0", "x1", "x2", "x3"],
        "features": [{"type": "zscore"}],
        "model": model,
        "optimizer": {"type": "sgd", "learning_rate": 0.05},
        "training": {"batch_size": 64, "epochs": 20, "periods": 10, **training},
    }


def test_rare_positives_ranked_well_are_the_accuracy_paradox_not_underfitting(
    tmp_path: Path,
) -> None:
    # The logistic model is the data's own, so its log loss sits near the prior's only
    # because positives are rare; its AUC (~0.77) shows it ranks them.
    source = _table(tmp_path, "rare", seed=5)
    payload = train_json(tmp_path, _experiment("rare", source, "rare", {"type": "logistic"}))
    assert payload["metrics"]["validation"]["auc"] > 0.7
    kinds = _warnings(payload["doctor"])
    assert "underfitting" not in kinds
    assert kinds == {"no_better_than_majority", "threshold_far_from_best_f1"}
    [majority] = [f for f in payload["doctor"] if f["kind"] == "no_better_than_majority"]
    assert "AUC" in majority["evidence"] and "precision and recall" in majority["advice"]
    assert majority["fix"][0].startswith("evaluation.threshold=0.")


def test_labels_with_no_signal_say_so_and_no_network_is_offered(tmp_path: Path) -> None:
    """Coin labels: a linear refit and gradient-boosted trees do no better than the logistic
    run, so a network (the underfitting fix) could not help: the data is the suspect."""
    source = _table(tmp_path, "coin", seed=6)
    linear = train_json(tmp_path, _experiment("coin", source, "coin", {"type": "logistic"}))
    [finding] = linear["doctor"]
    assert finding["kind"] == "no_signal" and finding["fix"] == []
    assert "AUC" in finding["evidence"] and "gradient-boosted trees" in finding["evidence"]
    assert "data.label" in finding["advice"]
    # A network, tried anyway, finds nothing either: still the data, no bigger network.
    network = train_json(
        tmp_path,
        _experiment("coin", source, "coin", {"type": "logistic"}),
        "model={type: mlp, hidden_units: [16, 8]}",
    )
    assert _warnings(network["doctor"]) == {"no_signal"}
    [no_signal] = network["doctor"]
    assert no_signal["fix"] == [] and "hidden_units" not in json.dumps(no_signal)


def test_a_regression_label_with_no_signal_says_so(tmp_path: Path) -> None:
    source = _table(tmp_path, "noise", seed=7)
    payload = train_json(tmp_path, _experiment("noise", source, "noise", {"type": "linear"}))
    [finding] = payload["doctor"]
    assert finding["kind"] == "no_signal" and "R²" in finding["evidence"]


def test_still_improving_does_not_depend_on_how_many_periods_report_it(tmp_path: Path) -> None:
    config = {
        "name": "digits",
        "seed": 42,
        "data": {
            "source": "builtin:digits",
            "split": {"train": 0.7, "validation": 0.15, "test": 0.15},
        },
        "features": [{"type": "minmax"}],
        "model": {"type": "softmax"},
        "optimizer": {"type": "sgd", "learning_rate": 0.5},
        "training": {"batch_size": 32, "epochs": 3},
    }
    for periods in (10, 30):
        payload = train_json(tmp_path, config, f"training.periods={periods}")
        assert _warnings(payload["doctor"]) == {"still_improving"}, periods
        [finding] = payload["doctor"]
        assert "per tenth of the run" in finding["evidence"]
        assert finding["fix"][0].startswith("training.epochs=")


def _rewrite_history(run_dir: Path, train: list[float], validation: list[float]) -> None:
    """Replace a finished run's loss columns (same number of periods), as another run of the
    same config might have drawn them."""
    history = pd.read_csv(run_dir / "history.csv")
    history["train_loss"], history["validation_loss"] = train, validation
    history.to_csv(run_dir / "history.csv", index=False)


LINEAR_15 = {
    "name": "linear15",
    "data": {"source": "builtin:linear", "synthetic": {"samples": 1000, "features": 3}},
    "model": {"type": "mlp", "hidden_units": [8]},
    "optimizer": {"type": "adam", "learning_rate": 0.01},
    "training": {"batch_size": 32, "epochs": 15, "periods": 15},
}


def test_a_loss_climbing_off_zero_is_not_orders_of_magnitude_of_overshoot(tmp_path: Path):
    payload = train_json(tmp_path, LINEAR_15)
    run_dir = Path(payload["run_dir"])
    trivial = json.loads((run_dir / "status.json").read_text())["reference_losses"]["trivial"]
    # Adam's late spike: from 1e-7 back up to 6% of the trivial model's loss.
    train = [trivial * 0.5**k for k in range(14)] + [0.06 * trivial]
    train[13] = 1e-7
    _rewrite_history(run_dir, train, [trivial] * 15)
    [rising] = [f for f in _doctor(run_dir) if f["kind"] == "learning_rate_too_high"]
    assert "divide the learning rate by 10" in rising["advice"]
    assert rising["fix"] == ["optimizer.learning_rate=0.001"]


def test_validation_rising_slowly_from_an_early_minimum_stops_early_first(tmp_path: Path):
    payload = train_json(tmp_path, LINEAR_15)
    run_dir = Path(payload["run_dir"])
    trivial = json.loads((run_dir / "status.json").read_text())["reference_losses"]["trivial"]
    train = list(np.geomspace(0.8, 0.01, 15) * trivial)
    # Lowest at period 1, a small first step up, then 1.4-1.8× its lowest: the curves parted.
    validation = [1.0, 1.08, 1.2, 1.3, 1.35, 1.5, 1.45, 1.6, 1.55, 1.6, 1.7, 1.65, 1.75, 1.8, 1.6]
    _rewrite_history(run_dir, train, [v * trivial for v in validation])
    [finding] = [f for f in _doctor(run_dir) if f["kind"] == "overfitting"]
    assert finding["period"] == 2
    assert finding["fix"][0] == "training.early_stopping.patience=3"
    assert finding["evidence"].count("the training loss") <= 1  # said once, not twice
    assert "1.6× its lowest" in finding["evidence"]


def test_the_history_s_exact_log_loss_is_told_from_scikit_learn_s_clipped_one(tmp_path: Path):
    # 64×64 units on 60 noisy XOR rows: some validation rows get P(true class) < 2.2e-16,
    # which scikit-learn's log loss clips and the history's exact loss does not.
    config = {
        "name": "xor-overfit",
        "data": {
            "source": "builtin:xor",
            "synthetic": {"samples": 300, "noise": 0.3},
            "split": {"train": 0.2, "validation": 0.8},
        },
        "model": {"type": "mlp", "hidden_units": [64, 64]},
        "optimizer": {"type": "adam", "learning_rate": 0.02},
        "training": {"batch_size": 32, "epochs": 100},
    }
    payload = train_json(tmp_path, config)
    run_dir = Path(payload["run_dir"])
    table = pd.read_csv(run_dir / "predictions-validation.csv")
    p_true = np.where(table["label"] == 1, table["prediction"], 1.0 - table["prediction"])
    history = pd.read_csv(run_dir / "history.csv")["validation_loss"].iloc[-1]
    clipped = -np.log(np.clip(p_true, np.finfo(float).eps, None)).mean()
    reported = payload["metrics"]["validation"]["log_loss"]
    assert reported == pytest.approx(clipped, rel=1e-6)  # scikit-learn's clipped log loss
    assert history > reported * 1.01  # the history's exact one is larger
    [finding] = [f for f in payload["doctor"] if f["kind"] == "overfitting"]
    assert f"ending at {history:.4g}" in finding["evidence"]
    assert "history.csv's, the exact log loss" in finding["evidence"]
    assert f"metrics.json's {reported:.4g} is scikit-learn's" in finding["evidence"]


def test_a_long_tail_on_a_healthy_run_is_a_note_whose_step_comes_before_the_zscore(
    tmp_path: Path,
) -> None:
    quickstart = ROOT / "configs" / "quickstart.yaml"
    args = ["train", str(quickstart), "--runs-dir", str(tmp_path / "runs"), "--json"]
    result = runner.invoke(app, [*args, "--no-plots"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    [tails] = [f for f in payload["doctor"] if f["kind"] == "long_tails"]
    assert tails["severity"] == "info" and not _warnings(payload["doctor"])
    fix = tails["fix"][0]
    assert fix.startswith("features=[{type: clip") and fix.endswith("{type: zscore}]")
    steps = load_config(quickstart, [fix]).config.features
    assert [step.type for step in steps] == ["clip", "zscore"]
