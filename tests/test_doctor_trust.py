"""The doctor judged against noise, the generalisation gap, finite divergence, one root cause,
damaged runs (issue 15), through the real CLI; the yardsticks against closed forms."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import yaml
from sklearn.metrics import log_loss, mean_poisson_deviance
from typer.testing import CliRunner

from mlcc_cli.cli import app
from mlcc_cli.config.experiment import ExperimentConfig
from mlcc_cli.doctor.curves import noise
from mlcc_cli.doctor.fixes import new_fixes
from mlcc_cli.models.registry import model_from_settings

runner = CliRunner()


def _train(tmp_path: Path, config: dict, *sets: str) -> tuple[int, dict]:
    path = tmp_path / "exp.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    args = ["train", str(path), "--runs-dir", str(tmp_path / "runs"), "--json"]
    for setting in sets:
        args += ["--set", setting]
    result = runner.invoke(app, args)
    assert result.exit_code in (0, 1), result.output
    return result.exit_code, json.loads(result.stdout)


def _kinds(payload: dict) -> list[str]:
    return [f["kind"] for f in payload["doctor"] if f["severity"] == "warning"]


LINEAR = {
    "name": "noisy",
    "data": {"source": "builtin:linear", "synthetic": {"samples": 2000, "features": 3}},
    "features": [{"type": "zscore"}],
    "model": {"type": "linear"},
    "optimizer": {"type": "sgd", "learning_rate": 0.005},
    "training": {"batch_size": 1, "epochs": 3, "periods": 10},
}


def test_a_converged_stochastic_run_at_its_noise_floor_gets_no_finding(tmp_path: Path) -> None:
    code, payload = _train(tmp_path, LINEAR, "data.synthetic={samples: 2000, noise: 1.0}")
    assert code == 0
    assert payload["doctor"] == []


def test_a_loss_that_explodes_without_nan_is_diverged_with_one_root_cause(tmp_path: Path) -> None:
    config = {
        "name": "huge-rate",
        "data": {"source": "builtin:breast_cancer"},
        "features": [{"type": "zscore"}],
        "model": {"type": "mlp", "hidden_units": [16]},
        "optimizer": {"type": "sgd", "learning_rate": 1e8},
        "training": {"batch_size": 32, "epochs": 3},
    }
    code, payload = _train(tmp_path, config)
    assert code == 1 and payload["status"] == "diverged"
    kinds = _kinds(payload)
    assert kinds[0] == "learning_rate_too_high"
    downstream = {"prediction_bias", "no_better_than_majority", "threshold_far_from_best_f1"}
    assert not downstream & set(kinds) and "exploding_gradients" not in kinds
    finding = payload["doctor"][0]
    suggested = float(finding["fix"][0].removeprefix("optimizer.learning_rate="))
    assert suggested < 1e8 / 1000  # scaled to the evidence, not "divide by 10"
    fixed_code, fixed = _train(tmp_path, config, finding["fix"][0])
    assert fixed_code == 0 and fixed["metrics"]["validation"]["accuracy"] > 0.9
    status = json.loads((Path(payload["run_dir"]) / "status.json").read_text())
    assert set(status["reference_losses"]) == {"initial", "trivial"}


def test_memorising_a_few_rows_is_overfitting_even_with_flat_validation(tmp_path: Path) -> None:
    config = {
        "name": "memorise",
        "data": {
            "source": "builtin:linear",
            "synthetic": {"samples": 60, "features": 8, "noise": 3.0},
            "split": {"train": 0.5, "validation": 0.5},
        },
        "features": [{"type": "zscore"}],
        "model": {"type": "mlp", "hidden_units": [256, 256]},
        "optimizer": {"type": "adam", "learning_rate": 0.003},
        "training": {"batch_size": "full", "epochs": 400, "periods": 10},
    }
    code, payload = _train(tmp_path, config)
    assert code == 0
    assert _kinds(payload) == ["overfitting"]  # not "rising" from 1e-16, not underfitting
    finding = next(f for f in payload["doctor"] if f["kind"] == "overfitting")
    keys = [fix.split("=", 1)[0] for fix in finding["fix"]]
    assert len(keys) == len(set(keys))  # no key suggested twice
    assert "model.dropout" in keys and "model.l2" in keys


def test_a_run_stopped_while_falling_is_told_how_much_longer(tmp_path: Path) -> None:
    code, payload = _train(
        tmp_path,
        LINEAR,
        "training.batch_size=32",
        "optimizer.learning_rate=0.01",
        "training.epochs=2",
    )
    assert code == 0
    [finding] = [f for f in payload["doctor"] if f["kind"] == "still_improving"]
    epochs = int(finding["fix"][0].removeprefix("training.epochs="))
    assert 2 < epochs <= 20
    _, longer = _train(
        tmp_path,
        LINEAR,
        "training.batch_size=32",
        "optimizer.learning_rate=0.01",
        finding["fix"][0],
    )
    assert longer["metrics"]["validation"]["loss"] < payload["metrics"]["validation"]["loss"]


def test_symptoms_fold_into_their_root_cause(tmp_path: Path) -> None:
    config = {
        "name": "xor-line",
        "data": {"source": "builtin:xor"},
        "model": {"type": "logistic"},
        "optimizer": {"type": "sgd", "learning_rate": 0.1},
        "training": {"batch_size": 32, "epochs": 10},
    }
    _, payload = _train(tmp_path, config)
    assert _kinds(payload) == ["underfitting"]
    assert "no better than the majority class" in payload["doctor"][0]["evidence"]


@pytest.mark.parametrize(
    "damage, named",
    [("metrics.json", "metrics.json is missing"), ("history.csv", "history.csv is missing")],
)
def test_a_damaged_run_says_what_it_could_not_check(
    tmp_path: Path, damage: str, named: str
) -> None:
    _, payload = _train(tmp_path, LINEAR, "training.batch_size=32")
    run_dir = Path(payload["run_dir"])
    (run_dir / damage).unlink()
    report = runner.invoke(app, ["doctor", str(run_dir), "--json"])
    assert report.exit_code == 0, report.output
    assert any(named in note for note in json.loads(report.stdout)["notes"])
    human = " ".join(runner.invoke(app, ["doctor", str(run_dir)]).output.split())
    assert "no problems found" not in human and named in human


def test_a_model_json_without_its_model_section_is_noted(tmp_path: Path) -> None:
    _, payload = _train(tmp_path, LINEAR, "training.batch_size=32")
    path = Path(payload["run_dir"]) / "model.json"
    state = json.loads(path.read_text())
    del state["model"]
    path.write_text(json.dumps(state))
    report = runner.invoke(app, ["doctor", str(path.parent), "--json"])
    assert report.exit_code == 0, report.output
    assert any("model.json lacks" in note for note in json.loads(report.stdout)["notes"])


# ------------------------------------------------------------------ yardsticks


def test_trivial_losses_are_the_losses_of_predicting_the_mean_or_the_shares() -> None:
    rng = np.random.default_rng(0)
    y = rng.normal(size=50)
    linear = model_from_settings({"type": "linear", "l1": 0, "l2": 0})
    assert linear.trivial_loss(y) == pytest.approx(np.var(y))
    binary = (rng.random(50) < 0.3).astype(float)
    logistic = model_from_settings({"type": "logistic", "l1": 0, "l2": 0})
    assert logistic.trivial_loss(binary) == pytest.approx(
        log_loss(binary, np.full(50, binary.mean()))
    )
    classes = rng.integers(0, 3, size=50)
    softmax = model_from_settings({"type": "softmax", "l1": 0, "l2": 0})
    shares = np.bincount(classes) / 50
    assert softmax.trivial_loss(classes) == pytest.approx(
        log_loss(classes, np.tile(shares, (50, 1)))
    )
    counts = rng.poisson(3.0, size=50).astype(float)
    poisson = model_from_settings({"type": "poisson", "l1": 0, "l2": 0})
    assert poisson.trivial_loss(counts) == pytest.approx(
        mean_poisson_deviance(counts, np.full(50, counts.mean()))
    )


def test_noise_is_the_spread_around_the_trend_and_zero_for_a_smooth_curve() -> None:
    smooth = 1.0 + np.exp(-np.arange(20) / 3)
    assert noise(smooth) < 0.01
    rng = np.random.default_rng(1)
    noisy = 1.0 + rng.normal(scale=0.05, size=400)
    assert noise(noisy) == pytest.approx(0.05, rel=0.25)


DIABETES = {
    "name": "crawl",
    "data": {"source": "builtin:diabetes"},
    "features": [{"type": "zscore"}],
    "model": {"type": "linear"},
    "optimizer": {"type": "sgd", "learning_rate": 1e-7},
    "training": {"batch_size": 8, "epochs": 5},
}


def test_a_loss_stuck_above_the_mean_gets_a_measured_larger_rate(tmp_path: Path) -> None:
    """Diabetes' label averages 152: a model starting at 0 whose loss never comes down to the
    label's variance has not learned even the mean, which no model capacity explains."""
    code, payload = _train(tmp_path, DIABETES)
    assert code == 0
    assert _kinds(payload) == ["learning_rate_too_low"]  # not underfitting: the mean is easy
    finding = payload["doctor"][0]
    assert "stuck above the trivial model" in finding["title"]
    suggested = float(finding["fix"][0].removeprefix("optimizer.learning_rate="))
    assert suggested > 1e-7 * 1e4  # measured by the range test, not "× 10"
    doctor = json.loads((Path(payload["run_dir"]) / "doctor.json").read_text())
    assert doctor["suggested_learning_rate"] == pytest.approx(suggested, rel=1e-2)
    fixed_code, fixed = _train(tmp_path, DIABETES, finding["fix"][0])
    assert fixed_code == 0 and "learning_rate_too_low" not in _kinds(fixed)
    assert fixed["metrics"]["validation"]["r2"] > 0.3


def test_no_fix_repeats_what_the_run_already_has(tmp_path: Path) -> None:
    config = {
        "name": "clipped",
        "data": {"source": "builtin:diabetes", "label_scale": 10},
        "features": [{"type": "zscore"}],
        "model": {"type": "mlp", "hidden_units": [32, 16], "activation": "leaky_relu"},
        "optimizer": {"type": "sgd", "learning_rate": 0.1, "clip_norm": 1.0},
        "training": {"batch_size": 16, "epochs": 5},
    }
    _, payload = _train(tmp_path, config)
    [finding] = [f for f in payload["doctor"] if f["kind"] == "exploding_gradients"]
    assert "optimizer.clip_norm=1" not in finding["fix"]
    # A label spread of ~770 is brought under 100 by a power of ten, as the course scales
    # house values.
    assert finding["fix"][0] == "data.label_scale=1"


def test_new_fixes_drops_values_the_config_already_has() -> None:
    config = ExperimentConfig.model_validate(
        {
            "name": "x",
            "data": {"source": "builtin:xor"},
            "model": {"type": "mlp", "hidden_units": [8], "l2": 0.01},
            "optimizer": {"type": "adam", "learning_rate": 0.01, "clip_norm": 1},
        }
    )
    fixes = (
        "optimizer.clip_norm=1.0",
        "model.l2=0.01",
        "model={type: mlp, hidden_units: [8]}",
        "model.l2=0.1",
        "model.l2=1",
        "model.dropout=0.2",
    )
    assert new_fixes(config, fixes) == ("model.l2=0.1", "model.dropout=0.2")


def test_a_network_that_cannot_train_is_not_told_to_grow(tmp_path: Path) -> None:
    config = {
        "name": "deep-sigmoid",
        "data": {"source": "builtin:xor"},
        "model": {"type": "mlp", "hidden_units": [16] * 8, "activation": "sigmoid"},
        "optimizer": {"type": "sgd", "learning_rate": 0.1},
        "training": {"batch_size": 32, "epochs": 5},
    }
    _, payload = _train(tmp_path, config)
    assert _kinds(payload) == ["vanishing_gradients"]
    assert "more capacity would not lift" in payload["doctor"][0]["evidence"]


def test_the_next_step_replaces_the_runs_own_set_of_the_same_key(tmp_path: Path) -> None:
    path = tmp_path / "crawl.yaml"
    path.write_text(yaml.safe_dump(DIABETES, sort_keys=False))
    result = runner.invoke(
        app,
        [
            "train",
            str(path),
            "--runs-dir",
            str(tmp_path / "runs"),
            "--set",
            "optimizer.learning_rate=2e-7",
            "--set",
            "training.epochs=4",
        ],
        env={"COLUMNS": "300"},
    )
    assert result.exit_code == 0, result.output
    [line] = [line for line in result.output.splitlines() if "next step:" in line]
    assert line.count("optimizer.learning_rate=") == 1  # the fix, not the old 2e-7 as well
    assert "learning_rate=2e-7" not in line and "--set training.epochs=4" in line


def test_a_next_step_on_the_whole_list_drops_the_runs_set_of_an_item(tmp_path: Path) -> None:
    """quickstart's long-tail fix rewrites `features=[clip, zscore]` from the run's resolved
    steps, so the run's own `features.0=` must not ride along (it would undo the clip)."""
    quickstart = Path(__file__).resolve().parents[1] / "configs" / "quickstart.yaml"
    args = ["train", str(quickstart), "--runs-dir", str(tmp_path / "runs")]
    result = runner.invoke(
        app, [*args, "--set", "features.0={type: zscore}", "--no-plots"], env={"COLUMNS": "400"}
    )
    assert result.exit_code == 0, result.output
    [line] = [line for line in result.output.splitlines() if "next step:" in line]
    assert "--set 'features=[{type: clip" in line and "features.0=" not in line


def test_a_run_stopped_before_its_first_period_is_not_called_healthy(tmp_path: Path) -> None:
    quickstart = Path(__file__).resolve().parents[1] / "configs" / "quickstart.yaml"
    trained = runner.invoke(app, ["train", str(quickstart), "--runs-dir", str(tmp_path), "-q"])
    run_dir = Path(trained.stdout.strip())
    history = run_dir / "history.csv"
    history.write_text(history.read_text().splitlines()[0] + "\n")  # the header alone
    result = runner.invoke(app, ["doctor", str(run_dir)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "no problems found" not in result.output
    assert "doctor: no problems in what could be checked; 1 note" in result.output
    assert "history.csv holds no period" in result.output


@pytest.mark.parametrize(
    ("history", "said", "code"),
    [
        ('period,train_loss\n1,"abc\n', "history.csv: cannot be read as a table", 2),
        (b"\x00\x01\xff garbage", "history.csv: cannot be read as a table", 2),
        ("a,b\n1,2\n", "history.csv has no train_loss column", 0),
    ],
)
def test_a_damaged_history_is_named_and_never_called_healthy(
    tmp_path: Path, history: str | bytes, said: str, code: int
) -> None:
    quickstart = Path(__file__).resolve().parents[1] / "configs" / "quickstart.yaml"
    args = ["train", str(quickstart), "--runs-dir", str(tmp_path), "-q", "--no-plots"]
    run_dir = Path(runner.invoke(app, args).stdout.strip())
    path = run_dir / "history.csv"
    path.write_bytes(history) if isinstance(history, bytes) else path.write_text(history)
    result = runner.invoke(app, ["doctor", str(run_dir)], env={"COLUMNS": "300"})
    assert result.exit_code == code, result.output
    assert said in result.output and "Traceback" not in result.output
    assert "no problems found" not in result.output
