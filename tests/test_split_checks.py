"""Split sanity checks: each check fires on a planted problem and stays quiet on a sound split."""

from __future__ import annotations

import json
import os
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from scipy.stats import false_discovery_control, ks_2samp
from sklearn.metrics import roc_auc_score
from typer.testing import CliRunner

from mlcc_cli.cli import app
from mlcc_cli.config.data import SplitConfig
from mlcc_cli.data import distribution_mismatch, false_discovery, label_leak
from mlcc_cli.data.column_auc import column_aucs
from mlcc_cli.data.split_checks import SplitCheck, check_splits
from mlcc_cli.data.splitting import split_rows
from mlcc_cli.workflows.inspect import inspect_target

runner = CliRunner()
WIDE = {"COLUMNS": "400"}  # one finding per line, unwrapped
SPLIT = SplitConfig(train=0.8, validation=0.1, test=0.1)


def healthy(n: int = 2000, seed: int = 0) -> pd.DataFrame:
    """Two independent features, a text column and labels for every task, in random order."""
    rng = np.random.default_rng(seed)
    x1, x2 = rng.normal(size=n), rng.normal(size=n)
    score = x1 + rng.normal(size=n)
    return pd.DataFrame(
        {
            "x1": x1,
            "x2": x2,
            "city": rng.choice(["north", "south"], size=n),
            "value": score,
            "sold": (score > 0).astype(int),
            "kind": np.digitize(score, [-0.8, 0.8]),  # three classes
        }
    )


def run(
    frame: pd.DataFrame,
    label: str,
    task: str,
    *,
    shuffle: bool,
    split: SplitConfig = SPLIT,
    stratify: bool = False,
    seed: int = 0,
) -> list[SplitCheck]:
    """check_splits on `frame` split as training would split it (other labels dropped)."""
    others = [c for c in ("value", "sold", "kind") if c != label and c in frame.columns]
    frame = frame.drop(columns=others)
    y = frame[label].to_numpy(dtype=float)
    positions = split_rows(
        len(frame),
        split,
        rng=np.random.default_rng(seed),
        shuffle=shuffle,
        stratify_labels=y if stratify else None,
    )
    return check_splits(frame, y, positions, label=label, task=task, shuffle=shuffle, seed=seed)


def found(findings: list[SplitCheck], kind: str) -> dict[str | None, SplitCheck]:
    return {f.column: f for f in findings if f.kind == kind}


# --------------------------------------------------------------------------- core


@pytest.mark.parametrize(
    ("label", "task", "stratify"),
    [
        ("value", "regression", False),
        ("sold", "binary", False),
        ("sold", "binary", True),
        ("kind", "multiclass", False),
        ("kind", "multiclass", True),
    ],
)
def test_a_shuffled_split_of_healthy_data_finds_nothing(
    label: str, task: str, stratify: bool
) -> None:
    assert run(healthy(), label, task, shuffle=True, stratify=stratify) == []


def test_small_shuffled_splits_do_not_flag_chance_imbalance() -> None:
    # 180 rows: validation holds 18, so class shares wander by ±10 points by chance alone.
    for seed in range(20):
        findings = run(healthy(180, seed), "kind", "multiclass", shuffle=True, seed=seed)
        assert found(findings, "class_balance") == {}, seed
        assert found(findings, "distribution_mismatch") == {}, seed


def test_a_file_sorted_by_a_feature_is_flagged_only_without_shuffling() -> None:
    frame = healthy().sort_values("x1", ignore_index=True)
    frame.loc[::7, "x2"] = np.nan  # gaps are dropped, not fatal
    frame["const"] = 1.0  # no ρ: skipped without scipy's ConstantInputWarning
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        findings = run(frame, "value", "regression", shuffle=False)
    sorted_by = found(findings, "sorted_source")
    assert sorted_by["x1"].evidence["spearman_rho"] == pytest.approx(1.0)
    assert "x2" not in sorted_by and "set data.shuffle: true" in sorted_by["x1"].message
    assert "value" in sorted_by  # the label follows x1, so it is sorted too
    mismatch = found(findings, "distribution_mismatch")
    assert mismatch["x1"].evidence["ks_statistic"] == 1.0  # test holds the largest x1 values
    assert mismatch["x1"].evidence["split"] in ("validation", "test")
    assert run(frame, "value", "regression", shuffle=True) == []


def test_distribution_mismatch_matches_scipy_and_names_the_worst_split() -> None:
    frame = healthy()
    frame.loc[1800:, "x2"] += 1.0  # the test split's x2 is shifted one standard deviation
    findings = run(frame, "value", "regression", shuffle=False)
    assert found(findings, "sorted_source") == {}  # a shifted tail is not a sorted file
    mismatch = found(findings, "distribution_mismatch")
    assert set(mismatch) == {"x2"}
    evidence = mismatch["x2"].evidence
    oracle = ks_2samp(frame["x2"][:1600], frame["x2"][1800:])
    assert evidence["split"] == "test"
    assert evidence["ks_statistic"] == pytest.approx(oracle.statistic)
    assert evidence["p_value"] == pytest.approx(oracle.pvalue)
    # The family: x1, x2 and the label against validation (rows 1600-1799) and test.
    held_out = {"validation": slice(1600, 1800), "test": slice(1800, None)}
    p_values = {
        (split, column): ks_2samp(frame[column][:1600], frame[column][rows], method="asymp").pvalue
        for split, rows in held_out.items()
        for column in ("x1", "x2", "value")
    }
    q_values = dict(zip(p_values, false_discovery_control(list(p_values.values())), strict=True))
    assert evidence["tests"] == 6
    assert evidence["q_value"] == pytest.approx(q_values["test", "x2"], rel=1e-9)
    assert evidence["q_value"] < false_discovery.P_VALUE


@pytest.mark.parametrize(
    ("label", "task", "leaks"),
    [
        ("sold", "binary", {"copy": lambda y: y, "twice_plus_one": lambda y: 2 * y + 1}),
        ("value", "regression", {"exp": np.exp, "negated": lambda y: -y}),
    ],
)
def test_a_feature_computed_from_the_label_is_a_leak(label: str, task: str, leaks: dict) -> None:
    frame = healthy()
    for name, transform in leaks.items():
        frame[name] = transform(frame[label].to_numpy(dtype=float))
    leaked = found(run(frame, label, task, shuffle=True), "label_leak")
    assert set(leaked) == set(leaks)  # x1 (AUC ≈ 0.8) and x2 (≈ 0.5) are not
    for finding in leaked.values():
        assert finding.evidence["auc"] == pytest.approx(1.0)
        assert "remove it from inputs" in finding.message


def test_multiclass_labels_are_not_checked_for_leaks() -> None:
    # One class that a single feature separates is common and honest (iris setosa).
    frame = healthy()
    frame["code"] = frame["kind"].to_numpy(dtype=float)
    assert found(run(frame, "kind", "multiclass", shuffle=True), "label_leak") == {}


def test_leak_auc_is_sklearns_roc_auc(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(label_leak, "LEAK_AUC", 0.0)  # report every column's AUC
    rng = np.random.default_rng(3)
    y = rng.integers(0, 2, size=500).astype(float)  # (500,) binary
    values = np.column_stack([np.round(y + rng.normal(size=500), 1), rng.normal(size=500)])
    findings = label_leak.label_leak(values, y, ["tied", "noise"], "binary")
    for j, finding in enumerate(findings):
        auc = roc_auc_score(y == 1, values[:, j])
        assert finding.evidence["auc"] == pytest.approx(max(auc, 1 - auc), abs=1e-12)


def test_every_column_is_tested_as_by_its_own_scipy_and_sklearn_call(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # One call scores all columns; each number must be what a call on that column alone,
    # its missing values dropped, gives (complete, gappy and empty-in-test columns).
    monkeypatch.setattr(label_leak, "LEAK_AUC", 0.0)  # report every column's AUC
    monkeypatch.setattr(distribution_mismatch, "KS_STATISTIC", 0.0)  # and every KS test
    monkeypatch.setattr(distribution_mismatch, "P_VALUE", 2.0)
    frame = healthy(1000)  # unshuffled: train rows 0-799, validation 800-899, test 900-999
    frame["gappy"] = np.where(np.arange(1000) % 3 == 0, np.nan, frame["x1"] * 2 + 1)
    frame["gone_in_test"] = np.where(np.arange(1000) >= 900, np.nan, frame["x2"] ** 2)
    frame["constant"] = 4.0
    findings = run(frame, "sold", "binary", shuffle=False)
    train, y = frame.iloc[:800], frame["sold"].to_numpy()[:800]
    leaks = found(findings, "label_leak")
    assert set(leaks) == {"x1", "x2", "gappy", "gone_in_test"}  # constant: no AUC
    for column, finding in leaks.items():
        x = train[column].to_numpy()
        keep = ~np.isnan(x)
        auc = roc_auc_score(y[keep], x[keep])
        assert finding.evidence == {
            "auc": pytest.approx(max(auc, 1 - auc), rel=1e-12),  # Mann-Whitney U: to an ulp
            "rows": int(keep.sum()),
        }
    mismatches = found(findings, "distribution_mismatch")
    assert set(mismatches) == {"x1", "x2", "gappy", "gone_in_test", "constant"}
    for column, finding in mismatches.items():
        split = finding.evidence["split"]
        rows = slice(800, 900) if split == "validation" else slice(900, 1000)
        a, b = train[column].dropna(), frame[column].iloc[rows].dropna()
        oracle = ks_2samp(a, b, method="asymp")
        assert (finding.evidence["ks_statistic"], finding.evidence["p_value"]) == (
            oracle.statistic,
            oracle.pvalue,
        )
    assert mismatches["gone_in_test"].evidence["split"] == "validation"


def test_planted_cross_split_duplicates_are_counted_exactly() -> None:
    frame = healthy(1000)  # unshuffled: train rows 0-799, validation 800-899, test 900-999
    frame.iloc[[810, 820, 830]] = frame.iloc[[1, 2, 3]].to_numpy()  # 3 copies in validation
    frame.iloc[[950, 960]] = frame.iloc[[4, 4]].to_numpy()  # 2 in test, of the same row
    frame.iloc[970] = frame.iloc[5].to_numpy()
    frame.loc[970, "city"] = "elsewhere"  # differs in one (text) column: not a copy
    findings = run(frame, "sold", "binary", shuffle=False)
    duplicates = found(findings, "shared_duplicates")[None]
    assert duplicates.evidence == {"validation": 3, "test": 2}
    assert "3 of 100 validation" in duplicates.message
    assert found(run(healthy(1000), "sold", "binary", shuffle=False), "shared_duplicates") == {}


def test_a_file_sorted_by_label_unbalances_the_classes_unless_stratified() -> None:
    frame = healthy().sort_values("sold", ignore_index=True)
    findings = run(frame, "sold", "binary", shuffle=False)
    balance = found(findings, "class_balance")["sold"]
    assert "set data.stratify: true" in balance.message
    shares = balance.evidence["shares"]
    assert shares["validation"] == {"0": 0.0, "1": 1.0} and shares["test"]["1"] == 1.0
    stratified = run(frame, "sold", "binary", shuffle=False, stratify=True)
    assert found(stratified, "class_balance") == {}


def test_a_class_share_far_from_training_is_flagged() -> None:
    frame = healthy(1000)
    frame["sold"] = 0
    frame.loc[:799:5, "sold"] = 1  # 20 % of training
    frame.loc[800::2, "sold"] = 1  # 50 % of validation and test
    balance = found(run(frame, "sold", "binary", shuffle=False), "class_balance")["sold"]
    assert "class 1 is 50% of validation but 20% of training" in balance.message
    assert balance.evidence["shares"]["train"] == {"0": 0.8, "1": 0.2}


def test_empty_splits_and_multilabel_are_skipped_gracefully() -> None:
    frame = healthy(300).drop(columns=["value", "kind"])
    y = np.column_stack([frame["sold"], 1 - frame["sold"]])  # (300, 2) multilabel
    frame = frame.drop(columns="sold")
    positions = {"train": np.arange(300), "validation": np.arange(0), "test": np.arange(0)}
    assert check_splits(frame, y, positions, label="sold", task="multilabel", shuffle=True) == []


def test_findings_are_plain_json_and_seeded() -> None:
    frame = healthy(30_000).sort_values("x1", ignore_index=True)  # > SAMPLE_ROWS: subsampled
    frame["copy"] = frame["sold"]
    first = run(frame, "sold", "binary", shuffle=False, seed=1)
    assert {f.kind for f in first} >= {"sorted_source", "class_balance", "label_leak"}
    document = [f.to_json() for f in first]
    assert json.loads(json.dumps(document, allow_nan=False)) == document
    assert run(frame, "sold", "binary", shuffle=False, seed=1) == first


# ------------------------------------------------------------------- inspect / CLI


def experiment(tmp_path: Path, frame: pd.DataFrame, **data: object) -> Path:
    frame.to_csv(tmp_path / "rows.csv", index=False)
    config = {
        "name": "rows",
        "data": {"source": "rows.csv", "label": "sold", **data},
        "model": {"type": "logistic"},
        "optimizer": {"type": "sgd", "learning_rate": 0.1},
    }
    path = tmp_path / "rows.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


def sorted_rows() -> pd.DataFrame:
    return healthy(500).drop(columns=["value", "kind"]).sort_values("x1", ignore_index=True)


def test_inspect_config_reports_split_findings(tmp_path: Path) -> None:
    path = experiment(tmp_path, sorted_rows(), shuffle=False)
    report = inspect_target(str(path))
    assert report.split_order == "in file order"
    assert "x1" in found(report.split_checks, "sorted_source")
    streaming = inspect_target(str(path), overrides=["data.streaming=true"])
    assert streaming.split_checks == [] and "data.streaming" in streaming.split_checks_note
    assert inspect_target(str(tmp_path / "rows.csv")).split_order is None  # data: no split


def test_cli_inspect_shows_split_checks(tmp_path: Path) -> None:
    path = experiment(tmp_path, sorted_rows(), shuffle=False)
    result = runner.invoke(app, ["inspect", str(path)], env=WIDE)
    assert result.exit_code == 0, result.output
    assert "Split checks" in result.stdout
    assert "warning: sorted source: The file looks sorted by x1" in result.stdout
    healthy_run = runner.invoke(app, ["inspect", str(path), "--set", "data.shuffle=true"], env=WIDE)
    assert "no problems found: 500 rows split train/validation, shuffled" in healthy_run.stdout


def test_cli_inspect_json_lists_split_findings(tmp_path: Path) -> None:
    path = experiment(tmp_path, sorted_rows(), shuffle=False)
    result = runner.invoke(app, ["inspect", str(path), "--json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    kinds = {(f["kind"], f["column"]) for f in document["split_checks"]}
    assert ("sorted_source", "x1") in kinds and ("distribution_mismatch", "x1") in kinds
    assert document["split_order"] == "in file order"
    # Class balance per split, as pandas counts it (sold: 0/1 in the file).
    frame = sorted_rows()
    n_train = 400  # data.split 0.8 / 0.2 of 500 rows in file order
    expected = frame["sold"][:n_train].value_counts(normalize=True).sort_index()
    assert document["class_shares"]["train"] == {f"{k:g}": v for k, v in expected.items()}
    human = runner.invoke(app, ["inspect", str(path)], env=WIDE)
    assert "class balance, validation: " in human.stdout


def california() -> Path:
    folder = Path(os.environ.get("MLCC_DATASET_MIRROR") or "/work/shared/datasets")
    path = folder / "california_housing_train.csv"
    if not path.is_file():
        pytest.skip(f"{path} not found (run `mlcc datasets fetch california_housing`)")
    return path


@pytest.mark.parametrize("shuffle", [False, True])
def test_the_unshuffled_california_file_is_flagged_by_longitude(
    tmp_path: Path, shuffle: bool
) -> None:
    config = {
        "name": "california",
        "data": {
            "source": str(california()),
            "label": "median_house_value",
            "shuffle": shuffle,
            "split": {"train": 0.8, "validation": 0.2},
        },
        "inputs": ["total_rooms"],
        "model": {"type": "linear"},
        "optimizer": {"type": "sgd", "learning_rate": 1e-8},
    }
    path = tmp_path / "california.yaml"
    path.write_text(yaml.safe_dump(config))
    findings = inspect_target(str(path)).split_checks
    if shuffle:
        assert findings == []
    else:
        assert "longitude" in found(findings, "sorted_source")
        assert "longitude" in found(findings, "distribution_mismatch")


def test_a_lone_complete_column_is_scored_as_a_binary_problem() -> None:
    # one complete column next to a gappy one: a one-label table would read as binary
    rng = np.random.default_rng(4)
    codes = rng.random(300) < 0.4
    values = np.column_stack([codes + rng.normal(size=300), rng.normal(size=300)])
    values[::4, 1] = np.nan
    aucs = column_aucs(values, codes, min_rows=10)
    keep = ~np.isnan(values[:, 1])
    assert aucs == {
        0: roc_auc_score(codes, values[:, 0]),
        1: roc_auc_score(codes[keep], values[keep, 1]),
    }


def test_column_aucs_equal_roc_auc_score_on_a_wide_table_with_ties() -> None:
    rng = np.random.default_rng(5)
    codes = rng.random(200) < 0.3
    values = np.round(rng.normal(size=(200, 400)) + 0.5 * codes[:, None], 1)  # many ties
    values[:, 7] = codes  # a perfect leak
    aucs = column_aucs(values, codes, min_rows=10)
    expected = [roc_auc_score(codes, values[:, j]) for j in range(400)]
    assert [aucs[j] for j in range(400)] == pytest.approx(expected, rel=1e-12, abs=1e-12)
    assert aucs[7] == 1.0


def test_a_handful_of_held_out_rows_is_judged_by_the_exact_ks_distribution() -> None:
    # Unshuffled 10 rows: train 0-7, validation 8, test 9, every x larger than training's.
    # D = 1 for both; the asymptotic p-value would be 0 (flagged), the exact one is 1/9.
    frame = healthy(10)
    frame["x1"] = np.arange(10.0)
    findings = run(frame, "value", "regression", shuffle=False)
    assert "x1" not in found(findings, "distribution_mismatch")
    exact = ks_2samp(frame["x1"][:8], frame["x1"][8:9], method="exact")
    assert exact.statistic == 1.0 and exact.pvalue > 0.1
    assert ks_2samp(frame["x1"][:8], frame["x1"][8:9], method="asymp").pvalue < 1e-3


def test_a_noisy_copy_of_a_regression_label_is_a_leak_and_the_doctor_drops_it(
    tmp_path: Path,
) -> None:
    """r = 0.995 with the label: a median split's AUC stays under 0.999, |r| does not; an
    honest strong feature (r ≈ 0.7, as x1 here) is left alone."""
    frame = healthy(1000)
    rng = np.random.default_rng(1)
    value = frame["value"].to_numpy()
    frame["noisy_copy"] = value + rng.normal(scale=0.1 * value.std(), size=len(value))
    leaked = found(run(frame, "value", "regression", shuffle=True), "label_leak")
    assert set(leaked) == {"noisy_copy"}
    assert leaked["noisy_copy"].evidence["auc"] < label_leak.LEAK_AUC
    assert leaked["noisy_copy"].evidence["r"] > label_leak.LEAK_R
    frame.drop(columns=["city", "sold", "kind"]).to_csv(tmp_path / "leak.csv", index=False)
    config = {
        "name": "leak",
        "data": {"source": str(tmp_path / "leak.csv"), "label": "value"},
        "features": [{"type": "zscore"}],
        "model": {"type": "linear"},
        "optimizer": {"type": "sgd", "learning_rate": 0.05},
        "training": {"batch_size": 32, "epochs": 5},
    }
    (tmp_path / "leak.yaml").write_text(yaml.safe_dump(config))
    args = ["train", str(tmp_path / "leak.yaml"), "--runs-dir", str(tmp_path / "runs"), "--json"]
    payload = json.loads(runner.invoke(app, [*args, "--no-plots"]).stdout)
    [finding] = [f for f in payload["doctor"] if f["kind"] == "target_leakage"]
    assert finding["fix"] == ["inputs=[x1, x2]"]
