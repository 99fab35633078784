"""The run doctor: every rule fires on a run built to trigger it and stays silent on healthy
runs; its fixes are valid `--set` overrides; `mlcc doctor RUN` reads runs back."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from cli_helpers import HEALTHY_BREAST_CANCER
from mlcc_cli.cli import app
from mlcc_cli.config.loading import load_config
from mlcc_cli.data.column_stats import input_statistics
from mlcc_cli.doctor.diagnose import RULES, diagnose
from mlcc_cli.doctor.evidence import RunEvidence
from mlcc_cli.doctor.findings import fix_overrides, format_number

ROOT = Path(__file__).resolve().parent.parent
XOR_MLP = ROOT / "configs" / "xor_mlp.yaml"
EXPLODING = ROOT / "configs" / "exploding_gradients.yaml"
runner = CliRunner()

BREAST_CANCER = HEALTHY_BREAST_CANCER
LINEAR = {
    "name": "doctor-linear",
    "data": {"source": "builtin:linear", "synthetic": {"samples": 2000, "features": 3}},
    "model": {"type": "linear"},
    "optimizer": {"type": "sgd", "learning_rate": 0.05},
    "training": {"batch_size": 32, "epochs": 10, "periods": 10},
}


def _write(folder: Path, config: dict, name: str) -> Path:
    path = folder / f"{name}.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


def _train(config: Path, folder: Path, *overrides: str) -> tuple[int, dict]:
    sets = [arg for override in overrides for arg in ("--set", override)]
    args = ["train", str(config), *sets, "--runs-dir", str(folder / "runs"), "--json"]
    result = runner.invoke(app, args)
    assert result.exit_code in (0, 1), result.output
    return result.exit_code, json.loads(result.stdout)


def _kinds(payload: dict) -> list[str]:
    return [finding["kind"] for finding in payload["doctor"]]


@pytest.fixture
def configs(tmp_path: Path) -> dict[str, Path]:
    return {
        "breast_cancer": _write(tmp_path, BREAST_CANCER, "bc"),
        "linear": _write(tmp_path, LINEAR, "linear"),
        "xor_mlp": XOR_MLP,
        "exploding": EXPLODING,
        "circles_deep": _write(
            tmp_path,
            {
                "name": "deep",
                "data": {"source": "builtin:circles", "synthetic": {"samples": 500}},
                "model": {"type": "mlp", "hidden_units": [16] * 8, "activation": "sigmoid"},
                "optimizer": {"type": "sgd", "learning_rate": 0.1},
                "training": {"batch_size": 32, "epochs": 5, "periods": 5},
            },
            "deep",
        ),
    }


@pytest.mark.parametrize("name", ["breast_cancer", "linear", "xor_mlp"])
def test_healthy_runs_have_no_findings(configs: dict[str, Path], tmp_path: Path, name: str):
    code, payload = _train(configs[name], tmp_path)
    assert code == 0
    assert payload["doctor"] == []
    doctor_file = json.loads((Path(payload["run_dir"]) / "doctor.json").read_text())
    assert doctor_file["findings"] == []
    assert doctor_file["inputs"]  # the statistics the data rules read are kept


TRIGGERS = [
    # (config, overrides, kind, title word): a run built to show one problem
    ("linear", ["optimizer.learning_rate=5"], "learning_rate_too_high", "diverged"),
    (
        "linear",
        [
            "optimizer.learning_rate=0.1",
            "training.batch_size=1",
            "training.epochs=1",
            "data.synthetic={samples: 2000, features: 3, noise: 1.0}",
        ],
        "learning_rate_too_high",
        "oscillating",
    ),
    ("linear", ["optimizer.learning_rate=0.00005"], "learning_rate_too_low", "too low"),
    (
        "xor_mlp",
        [
            "data.synthetic={samples: 300, noise: 0.3}",
            "data.split={train: 0.2, validation: 0.8}",
            "model.hidden_units=[64, 64]",
            "training.epochs=100",
        ],
        "overfitting",
        "overfitting",
    ),
    ("breast_cancer", ["data.source=builtin:xor", "inputs=null"], "underfitting", "underfitting"),
    (
        "linear",
        ["optimizer.learning_rate=0.01", "training.epochs=2"],
        "still_improving",
        "still improving",
    ),
    (
        "breast_cancer",
        ["features=[]", "optimizer.learning_rate=0.0001"],
        "features_not_scaled",
        "scaled",
    ),
    ("breast_cancer", ["inputs=null"], "long_tails", "long-tailed"),
    (
        "breast_cancer",
        ["training.epochs=null", "training.steps=3", "training.periods=1"],
        "prediction_bias",
        "bias",
    ),
    ("breast_cancer", ["evaluation.threshold=0.97"], "threshold_far_from_best_f1", "threshold"),
    ("breast_cancer", ["model.l1=0.1"], "l1_sparsity", "L1"),
    ("breast_cancer", ["model.l2=1"], "l2_too_strong", "L2"),
    (
        "breast_cancer",
        ["data.split={train: 0.95, validation: 0.03, test: 0.02}"],
        "validation_too_small",
        "too small",
    ),
    ("circles_deep", [], "vanishing_gradients", "vanishing"),
    (
        "exploding",
        ["optimizer.clip_norm=1", "optimizer.learning_rate=0.1"],
        "exploding_gradients",
        "exploding",
    ),
    ("exploding", ["optimizer.clip_norm=1", "model.activation=relu"], "dead_relu", "dead ReLU"),
]


@pytest.mark.parametrize(
    ("name", "overrides", "kind", "word"),
    TRIGGERS,
    ids=[f"{kind}-{word}" for _, _, kind, word in TRIGGERS],
)
def test_rule_fires_on_its_constructed_run(
    configs: dict[str, Path], tmp_path: Path, name: str, overrides: list, kind: str, word: str
) -> None:
    _, payload = _train(configs[name], tmp_path, *overrides)
    found = [f for f in payload["doctor"] if f["kind"] == kind]
    assert len(found) == 1, payload["doctor"]
    finding = found[0]
    assert word in finding["title"]
    assert finding["concept"] and finding["evidence"] and finding["advice"] and finding["fix"]
    # Every fix pastes into `mlcc train CONFIG --set ...` as a valid config.
    for fix in finding["fix"]:
        load_config(configs[name], [*overrides, *fix_overrides(fix)])
    stored = json.loads((Path(payload["run_dir"]) / "doctor.json").read_text())
    assert finding in stored["findings"]


def test_every_rule_has_a_constructed_run() -> None:
    kinds = {kind for _, _, kind, _ in TRIGGERS}
    assert kinds == {
        "learning_rate_too_high",
        "learning_rate_too_low",
        "overfitting",
        "still_improving",
        "underfitting",
        "validation_below_training",  # test_easy_validation_split_is_suspicious
        "features_not_scaled",
        "long_tails",
        "prediction_bias",
        "threshold_far_from_best_f1",
        "l1_sparsity",
        "l2_too_strong",
        "vanishing_gradients",
        "exploding_gradients",
        "dead_relu",
        "validation_too_small",
    } - {"validation_below_training"}
    # no_better_than_majority: test_symptoms_fold_into_their_root_cause; no_signal:
    # tests/test_doctor_signal.py
    # target_leakage, unshuffled_split, validation_copies_training: test_doctor_remedies.py
    # narrow_hidden_layer, class_imbalance: tests/test_doctor_capacity.py; long_tailed_label:
    # tests/test_doctor_label.py; label_out_of_reach: tests/test_doctor_hard_problems.py;
    # l2_step_overshoots: tests/test_doctor_penalties.py
    assert len(RULES) == 24


def test_easy_validation_split_is_suspicious(tmp_path: Path) -> None:
    # Unshuffled file whose last 20% (the validation split) has noise-free labels.
    rng = np.random.default_rng(0)
    x = rng.normal(size=1000)
    noise = np.where(np.arange(1000) < 800, rng.normal(scale=2.0, size=1000), 0.0)
    pd.DataFrame({"x": x, "y": 3 * x + noise}).to_csv(tmp_path / "easy.csv", index=False)
    config = _write(
        tmp_path,
        {
            "data": {"source": str(tmp_path / "easy.csv"), "label": "y", "shuffle": False},
            "model": {"type": "linear"},
            "optimizer": {"type": "sgd", "learning_rate": 0.05},
            "training": {"batch_size": 32, "epochs": 5, "periods": 5},
        },
        "easy",
    )
    _, payload = _train(config, tmp_path)
    found = [f for f in payload["doctor"] if f["kind"] == "validation_below_training"]
    assert [f["fix"] for f in found] == [["data.shuffle=true"]]
    _, shuffled = _train(config, tmp_path, "data.shuffle=true")
    assert "validation_below_training" not in _kinds(shuffled)


@pytest.mark.parametrize(
    ("name", "overrides", "kind"),
    [
        ("linear", ["optimizer.learning_rate=0.00005"], "learning_rate_too_low"),
        ("breast_cancer", ["evaluation.threshold=0.97"], "threshold_far_from_best_f1"),
        ("breast_cancer", ["features=[]", "optimizer.learning_rate=0.0001"], "features_not_scaled"),
    ],
)
def test_following_the_fix_clears_the_finding(
    configs: dict[str, Path], tmp_path: Path, name: str, overrides: list, kind: str
) -> None:
    _, before = _train(configs[name], tmp_path, *overrides)
    fix = next(f["fix"][0] for f in before["doctor"] if f["kind"] == kind)
    _, after = _train(configs[name], tmp_path, *overrides, *fix_overrides(fix))
    assert kind not in _kinds(after)


def test_train_prints_the_findings_with_a_pasteable_fix(configs, tmp_path: Path) -> None:
    args = ["train", str(configs["linear"]), "--set", "optimizer.learning_rate=0.00005"]
    result = runner.invoke(app, [*args, "--runs-dir", str(tmp_path / "runs")])
    assert result.exit_code == 0, result.output
    # Read the command as the shell does: " \" at a line's end continues it.
    text = " ".join(result.output.replace(" \\\n", " ").split())
    assert "doctor: 1 problem " in text and "learning rate too low" in text
    # The fix replaces the run's own --set of the same key: the command repeats no key.
    assert f"mlcc train {configs['linear']} --set 'optimizer.learning_rate=0.0005'" in text
    # ... while the alternative fix of another key keeps it.
    assert "--set optimizer.learning_rate=0.00005 --set 'training.epochs=" in text


def test_doctor_command_reads_a_run_back(configs, tmp_path: Path) -> None:
    _, payload = _train(configs["breast_cancer"], tmp_path, "model.l1=0.1")
    run_dir = payload["run_dir"]
    before = sorted(p.name for p in Path(run_dir).iterdir())
    result = runner.invoke(app, ["doctor", run_dir, "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["findings"] == payload["doctor"]
    human = runner.invoke(app, ["doctor", run_dir])
    assert human.exit_code == 0
    assert "L1 too strong" in human.output and "next step" in human.output
    assert sorted(p.name for p in Path(run_dir).iterdir()) == before  # read only


def test_doctor_reads_diverged_runs(configs, tmp_path: Path) -> None:
    code, payload = _train(configs["linear"], tmp_path, "optimizer.learning_rate=5")
    assert code == 1 and payload["status"] == "diverged"
    result = runner.invoke(app, ["doctor", payload["run_dir"], "--json"])
    assert result.exit_code == 0, result.output
    [finding] = json.loads(result.stdout)["findings"]
    assert finding["kind"] == "learning_rate_too_high"
    # The fix is a rate a learning-rate range test on this data measured (lr-find's).
    assert finding["fix"][1] == "optimizer.clip_norm=1"
    suggested = float(finding["fix"][0].removeprefix("optimizer.learning_rate="))
    assert 0.01 < suggested < 0.5
    assert "mlcc lr-find" in finding["advice"]
    # The run's error names that same rate, and the evidence is what happened, not advice.
    rate = finding["fix"][0].partition("=")[2]
    assert f"(e.g. {rate}, or find one with mlcc lr-find)" in payload["message"]
    status = json.loads((Path(payload["run_dir"]) / "status.json").read_text())
    assert status["message"] == payload["message"]
    assert finding["evidence"].startswith("training diverged to a training loss of")
    assert "try a lower" not in finding["evidence"]
    # A finite explosion keeps its period's row in the history: the finding points at it.
    history = (Path(payload["run_dir"]) / "history.csv").read_text().splitlines()
    assert finding["period"] == int(history[-1].split(",")[0])
    fixed_code, fixed = _train(configs["linear"], tmp_path, finding["fix"][0])
    assert fixed_code == 0 and fixed["status"] == "complete"


def test_doctor_on_an_older_run_without_doctor_json(configs, tmp_path: Path) -> None:
    _, payload = _train(configs["linear"], tmp_path)
    (Path(payload["run_dir"]) / "doctor.json").unlink()
    result = runner.invoke(app, ["doctor", payload["run_dir"]])
    assert result.exit_code == 0
    assert "no doctor.json" in " ".join(result.output.split())


def test_doctor_on_a_folder_that_is_not_a_run(tmp_path: Path) -> None:
    result = runner.invoke(app, ["doctor", str(tmp_path)])
    assert result.exit_code == 2
    assert "not a finished mlcc run" in result.output and "Traceback" not in result.output


def test_input_statistics_match_numpy_and_scipy() -> None:
    import scipy.stats

    rng = np.random.default_rng(1)
    frame = pd.DataFrame({"tail": rng.lognormal(size=500), "flag": rng.integers(0, 2, 500)})
    stats = input_statistics(frame, ["tail", "flag"], seed=0)
    assert stats["tail"]["p99"] == pytest.approx(np.percentile(frame["tail"], 99))
    # Sample skewness, as `mlcc inspect` reports it (pandas = scipy's bias-corrected form).
    assert stats["tail"]["skew"] == pytest.approx(scipy.stats.skew(frame["tail"], bias=False))
    assert stats["flag"]["distinct"] == 2 and stats["tail"]["distinct"] == 500


def test_findings_list_warnings_before_facts(configs, tmp_path: Path) -> None:
    # L1 sparsity and (on this healthy run) the long tails are facts; the threshold a warning.
    overrides = ("model.l1=0.01", "inputs=null", "evaluation.threshold=0.97")
    _, payload = _train(configs["breast_cancer"], tmp_path, *overrides)
    severities = [f["severity"] for f in payload["doctor"]]
    assert severities == sorted(severities, key=lambda s: s != "warning")
    assert "info" in severities and "warning" in severities


def test_format_number_round_trips_through_set() -> None:
    assert [format_number(v) for v in (0.0005, 1e-5, 250.0, 1 / 3)] == [
        "0.0005",
        "1e-05",
        "250",
        "0.333",
    ]


def test_diagnose_without_history_finds_nothing() -> None:
    config = load_config_dict(LINEAR)
    evidence = RunEvidence(
        config=config,
        task="regression",
        status="complete",
        message="",
        history=pd.DataFrame(),
        metrics={},
        parameters={},
        inputs={},
    )
    assert diagnose(evidence) == []


def load_config_dict(data: dict):
    from mlcc_cli.config.experiment import ExperimentConfig

    return ExperimentConfig.model_validate(data)


def test_streamed_runs_get_the_input_rules_from_their_first_chunk(tmp_path: Path) -> None:
    rng = np.random.default_rng(2)
    rooms = 1000 * rng.lognormal(size=3000)  # thousands, with a long right tail
    frame = pd.DataFrame({"rooms": rooms, "value": 0.001 * rooms + rng.normal(size=3000)})
    frame.to_csv(tmp_path / "rooms.csv", index=False)
    config = _write(
        tmp_path,
        {
            "data": {"source": str(tmp_path / "rooms.csv"), "label": "value", "streaming": True},
            "model": {"type": "linear"},
            "optimizer": {"type": "sgd", "learning_rate": 1e-8},
            "training": {"batch_size": 32, "epochs": 2, "periods": 4},
        },
        "rooms",
    )
    _, payload = _train(config, tmp_path)
    assert {"features_not_scaled", "long_tails"} <= set(_kinds(payload))
    stored = json.loads((Path(payload["run_dir"]) / "doctor.json").read_text())
    assert "first chunk" in stored["notes"][0]
    measured = stored["inputs"]["rooms"]  # from training rows of the file, as read
    assert measured["max"] in set(rooms.tolist()) and measured["min"] in set(rooms.tolist())


@pytest.mark.parametrize(
    ("file", "content", "exit_code", "message"),
    [
        ("doctor.json", "[1, 2]", 0, "input statistics are unreadable"),
        ("doctor.json", '{"inputs": {"x": {"min": 1}}}', 0, "input statistics are unreadable"),
        ("history.csv", "period,train_loss\n1,abc\n", 2, "cannot be read"),
        ("metrics.json", "{bad", 2, "cannot be read"),
    ],
)
def test_doctor_on_damaged_run_files(
    configs, tmp_path: Path, file: str, content: str, exit_code: int, message: str
) -> None:
    _, payload = _train(configs["linear"], tmp_path)
    (Path(payload["run_dir"]) / file).write_text(content)
    result = runner.invoke(app, ["doctor", payload["run_dir"]])
    assert result.exit_code == exit_code
    assert message in " ".join(result.output.split()) and "Traceback" not in result.output


def test_a_failing_rule_never_costs_the_run(
    configs, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(evidence: RunEvidence) -> list:
        raise ValueError("a rule tripped")

    monkeypatch.setattr("mlcc_cli.doctor.diagnose.RULES", (broken,))
    code, payload = _train(configs["linear"], tmp_path)
    assert code == 0 and payload["doctor"] == []
    stored = json.loads((Path(payload["run_dir"]) / "doctor.json").read_text())
    assert "the doctor could not read this run (ValueError: a rule tripped)" in stored["notes"]


def test_split_checks_show_before_training_and_in_the_doctor(tmp_path: Path) -> None:
    # A file sorted by x (and so by y) read without shuffling: the validation lesson.
    x = np.linspace(0, 10, 600)
    noise = np.random.default_rng(3).normal(size=600)
    frame = pd.DataFrame({"x": x, "z": noise, "y": 2 * x + noise})
    frame.to_csv(tmp_path / "sorted.csv", index=False)
    config = _write(
        tmp_path,
        {
            "data": {"source": str(tmp_path / "sorted.csv"), "label": "y", "shuffle": False},
            "model": {"type": "linear"},
            "optimizer": {"type": "sgd", "learning_rate": 0.01},
            "training": {"batch_size": 32, "epochs": 2, "periods": 4},
        },
        "sorted",
    )
    args = ["train", str(config), "--runs-dir", str(tmp_path / "runs")]
    human = " ".join(runner.invoke(app, args).output.split())
    assert "split check: The file looks sorted by x" in human
    assert "(Also: y; `mlcc inspect CONFIG` shows each.)" in human  # one line per kind
    _, payload = _train(config, tmp_path)
    stored = json.loads((Path(payload["run_dir"]) / "doctor.json").read_text())
    assert stored["split_checks"] == payload["split_checks"]
    assert {(c["kind"], c["column"]) for c in stored["split_checks"]} >= {
        ("sorted_source", "x"),
        ("sorted_source", "y"),
    }
    doctor = " ".join(runner.invoke(app, ["doctor", payload["run_dir"]]).output.split())
    assert "split check: The file looks sorted by x" in doctor


def test_a_validation_split_too_small_to_judge_by_says_so_and_how_to_grow_it(
    configs: dict[str, Path], tmp_path: Path
) -> None:
    # 569 rows × 3 % = 17 validation rows: what the doctor judges on them is chance.
    split = "data.split={train: 0.95, validation: 0.03, test: 0.02}"
    _, payload = _train(configs["breast_cancer"], tmp_path, split, "evaluation.threshold=0.97")
    kinds = [f["kind"] for f in payload["doctor"]]
    (small,) = [f for f in payload["doctor"] if f["kind"] == "validation_too_small"]
    assert "17 rows" in small["evidence"]
    # the threshold verdict is read off those 17 rows: folded in, not offered as a fix
    assert "threshold_far_from_best_f1" not in kinds
    assert "the threshold far from the F1-best one" in small["evidence"]
    # 30 rows need 6 % of the data, taken from training
    assert small["fix"] == ["data.split={train: 0.92, validation: 0.06, test: 0.02}"]
    _, grown = _train(configs["breast_cancer"], tmp_path / "grown", small["fix"][0])
    assert "validation_too_small" not in [f["kind"] for f in grown["doctor"]]


def test_one_validation_row_asks_for_more_data_and_trusts_the_training_curve(
    tmp_path: Path,
) -> None:
    rows = "\n".join(f"{x},{2 * x + 1}" for x in range(1, 11))
    (tmp_path / "ten.csv").write_text(f"x,y\n{rows}\n")
    config = tmp_path / "ten.yaml"
    config.write_text(
        "name: ten\ndata: {source: ten.csv, label: y, split: {train: 0.8, validation: 0.1, "
        "test: 0.1}}\nfeatures: [{type: zscore}]\nmodel: {type: linear}\n"
        "optimizer: {type: sgd, learning_rate: 0.05}\ntraining: {batch_size: 2, epochs: 3}\n"
    )
    result = runner.invoke(
        app, ["train", str(config), "--runs-dir", str(tmp_path / "runs"), "--json"]
    )
    assert result.exit_code == 0, result.output
    findings = {f["kind"]: f for f in json.loads(result.stdout)["doctor"]}
    small = findings["validation_too_small"]
    assert "1 row," in small["evidence"] and "collect more data" in small["advice"]
    assert small["fix"] == []  # half the data would still be 5 rows
    assert "overfitting" not in findings
    if "still_improving" in findings:  # judged on the 8 training rows, not the 1
        assert findings["still_improving"]["evidence"].startswith("training loss")
    doctor = runner.invoke(app, ["doctor", json.loads(result.stdout)["run_dir"], "--json"])
    assert doctor.exit_code == 0
    assert "validation_too_small" in {f["kind"] for f in json.loads(doctor.stdout)["findings"]}
