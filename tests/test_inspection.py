"""`mlcc inspect`: statistics against pandas, planted problems found, suggestions, the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from mlcc_cli.cli import app
from mlcc_cli.config.loading import load_config
from mlcc_cli.data import column_stats
from mlcc_cli.data.column_stats import distinct_counts, summarise_column, summarise_columns
from mlcc_cli.data.frame_stats import summarise_frame
from mlcc_cli.data.split_table import referenced_columns
from mlcc_cli.training.preparation import prepare_design
from mlcc_cli.workflows.inspect import inspect_target
from mlcc_cli.workflows.inspect_suggestions import suggest_steps

runner = CliRunner()
WIDE = {"COLUMNS": "200"}  # rich wraps at the terminal width; keep key phrases on one line


def planted_frame(n: int = 200) -> pd.DataFrame:
    """Clean random data plus one of each problem inspect should report.

    x has two outliers (40, 50); x_twin ≈ 2x (|r| > 0.9 with x); zeros is 95 % zero; const
    is constant; city has two rare values; rows 200 and 201 repeat rows 0 and 1.
    """
    rng = np.random.default_rng(7)
    x = rng.normal(size=n)
    x[[10, 20]] = [40.0, 50.0]
    zeros = np.zeros(n)
    zeros[: n // 20] = rng.uniform(1, 2, size=n // 20)
    city = np.array(["north"] * 100 + ["south"] * (n - 105) + ["isle"] * 3 + ["cape"] * 2)
    frame = pd.DataFrame(
        {
            "x": x,
            "x_twin": 2 * x + rng.normal(scale=0.1, size=n),
            "noise": rng.normal(size=n),
            "zeros": zeros,
            "const": 7.0,
            "city": rng.permutation(city),
            "y": x + rng.normal(size=n),
        }
    )
    return pd.concat([frame, frame.iloc[[0, 1]]], ignore_index=True)


@pytest.fixture
def planted_csv(tmp_path: Path) -> Path:
    path = tmp_path / "planted.csv"
    planted_frame().to_csv(path, index=False)
    return path


def kinds(findings: list, column: str | None) -> set[str]:
    return {f.kind for f in findings if f.column == column}


# -------------------------------------------------------------------------- core


def test_planted_problems_are_each_reported(planted_csv: Path) -> None:
    report = inspect_target(str(planted_csv), label="y")
    data = report.data
    assert data.duplicates.count == 2
    assert [(d.row, d.same_as) for d in data.duplicates.examples] == [(200, 0), (201, 1)]
    assert "duplicates" in kinds(data.findings, None)
    assert "constant" in kinds(data.findings, "const")
    assert "mostly_zero" in kinds(data.findings, "zeros")
    assert "outliers" in kinds(data.findings, "x")
    assert data.column("x").outliers_std == 2  # exactly the planted 40 and 50
    city = data.column("city")
    assert city.kind == "text" and "rare_values" in kinds(data.findings, "city")
    assert {v.value: v.count for v in city.rare_examples} == {"cape": 2, "isle": 3}
    assert [(p.first, p.second) for p in data.redundant_pairs] == [("x", "x_twin")]
    rules = {s.rule: s for s in report.suggestions}
    assert {"drop_duplicates", "drop_constant", "one_hot", "drop_redundant"} <= set(rules)
    assert rules["one_hot"].step == {"type": "one_hot", "columns": ["city"], "min_frequency": 5}
    assert rules["drop_constant"].columns == ["const"]
    r = planted_frame()[["x", "x_twin", "y"]].corr()["y"].abs()
    weaker = "x" if r["x"] < r["x_twin"] else "x_twin"  # the one less tied to the label goes
    assert rules["drop_redundant"].columns == [weaker]
    kept = [c for c in ("x", "x_twin", "noise", "zeros") if c != weaker]  # const left out too
    assert rules["drop_redundant"].action == f"inputs: [{', '.join(kept)}]"
    tail_fixed = {c for s in report.suggestions if s.rule in ("log", "clip") for c in s.columns}
    assert "zeros" not in tail_fixed  # mostly zeros: not a long tail to compress
    assert report.after_features is None


def test_numbers_match_pandas(planted_csv: Path) -> None:
    frame = pd.read_csv(planted_csv)
    report = inspect_target(str(planted_csv), label="y")
    described = frame.describe()
    for column in ("x", "x_twin", "noise", "zeros", "const", "y"):
        summary, expected = report.data.column(column), described[column]
        got = [summary.mean, summary.std, summary.min, summary.q25, summary.median]
        got += [summary.q75, summary.max]
        names = ["mean", "std", "min", "25%", "50%", "75%", "max"]
        assert got == pytest.approx([expected[name] for name in names], nan_ok=True)
        assert (summary.count, summary.missing) == (len(frame), 0)
        assert summary.unique == frame[column].nunique()
        q1, q3 = frame[column].quantile([0.25, 0.75])
        fence = 1.5 * (q3 - q1)
        tukey = ((frame[column] < q1 - fence) | (frame[column] > q3 + fence)).sum()
        assert summary.outliers_iqr == tukey
    corr = frame.drop(columns="city").corr()
    by_column = {c.column: c.r for c in report.data.correlations}
    for column in ("x", "x_twin", "noise", "zeros"):
        assert by_column[column] == pytest.approx(corr.loc[column, "y"])
    assert by_column["const"] is None  # constant: pandas gives NaN
    strengths = [abs(c.r) for c in report.data.correlations if c.r is not None]
    assert strengths == sorted(strengths, reverse=True)
    assert report.data.redundant_pairs[0].r == pytest.approx(corr.loc["x", "x_twin"])


@pytest.mark.parametrize(
    ("values", "kind"),
    [
        (pd.Series([1.5, 2.0, None]), "numeric"),
        (pd.Series([True, False, True]), "bool"),
        (pd.Series(["2024-01-31", "2024-02-01 12:00", None]), "datetime"),
        (pd.Series(["north", "south", None]), "text"),
        (pd.Series(pd.Categorical(["a", "b", "a"], categories=["a", "b", "c"])), "categorical"),
    ],
)
def test_column_kinds(values: pd.Series, kind: str) -> None:
    summary = summarise_column(values, "c", "feature")
    assert summary.kind == kind
    assert summary.missing == int(values.isna().sum())
    if kind == "categorical":
        assert summary.indicators == 3
        assert summary.empty_categories == 1 and summary.empty_examples == ["c"]
    if kind == "datetime":
        assert (summary.min, summary.max) == ("2024-01-31 00:00:00", "2024-02-01 12:00:00")


@pytest.mark.parametrize("block_per_column", [False, True])  # True: as read_csv makes them
@pytest.mark.parametrize("batch_bytes", [column_stats.BATCH_BYTES, 2 * 8 * 400])  # 2 columns
def test_columns_summarised_together_match_each_series_own_pandas_statistics(
    batch_bytes: int, block_per_column: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(column_stats, "BATCH_BYTES", batch_bytes)
    rng = np.random.default_rng(3)
    tail = rng.lognormal(0, 1.5, size=400)
    tail[::7] = np.nan
    frame = pd.DataFrame(
        {
            "tail": tail,
            "codes": rng.integers(0, 3, size=400).astype(float),
            "constant": np.full(400, 2.0),
            "empty": np.full(400, np.nan),
            "flag": rng.random(400) < 0.3,
            "town": rng.choice(["a", "b"], size=400),
        }
    )
    if block_per_column:
        frame = pd.concat([frame[name] for name in frame.columns], axis=1)
    summaries = summarise_columns(frame, dict.fromkeys(frame.columns, "feature"))
    assert [s.name for s in summaries] == list(frame.columns)
    for summary in summaries:
        x = frame[summary.name]
        if summary.kind == "text":
            assert summary.mean is None and summary.top_values
            continue
        x = x.astype("float64")
        described = x.describe()
        expected = {
            "mean": described["mean"],
            "std": described["std"],
            "min": described["min"],
            "q25": described["25%"],
            "median": described["50%"],
            "q75": described["75%"],
            "max": described["max"],
        }
        if summary.kind == "numeric" and summary.count:
            p01, p99 = x.quantile([0.01, 0.99])
            iqr = described["75%"] - described["25%"]
            fences = (described["25%"] - 1.5 * iqr, described["75%"] + 1.5 * iqr)
            far = (x - described["mean"]).abs() > 3 * described["std"]
            expected |= {
                "p01": p01,
                "p99": p99,
                "skew": x.skew(),
                "body_skew": x.clip(p01, p99).skew(),
                "zero_share": (x == 0).sum() / summary.count,
                "outliers_iqr": ((x < fences[0]) | (x > fences[1])).sum(),
                "outliers_std": far.sum() if described["std"] > 0 else 0,
            }
        else:
            assert summary.p01 is None and summary.outliers_iqr is None
        for key, value in expected.items():
            assert getattr(summary, key) == pytest.approx(value, rel=1e-12, nan_ok=True), key


@pytest.mark.parametrize("rows", [0, 1, 300])
def test_distinct_counts_match_pandas_count_and_nunique(rows: int) -> None:
    rng = np.random.default_rng(5)
    signed_zeros = rng.choice([0.0, -0.0, 1.5, np.nan], size=rows)  # 0.0 and -0.0 are one
    frame = pd.DataFrame(
        {
            "signed_zeros": signed_zeros,
            "codes": rng.integers(0, 7, rows).astype(float),
            "gaps": np.where(rng.random(rows) < 0.3, np.nan, rng.normal(size=rows)),
            "empty": np.full(rows, np.nan),
        }
    )
    present, distinct = distinct_counts(frame.to_numpy())
    assert present.tolist() == frame.count().tolist()
    assert distinct.tolist() == frame.nunique().tolist()
    summaries = summarise_columns(frame, dict.fromkeys(frame.columns, "feature"))
    assert [s.unique for s in summaries] == frame.nunique().tolist()
    assert [s.missing for s in summaries] == frame.isna().sum().tolist()


def rules_for(frame: pd.DataFrame, label: str | None = "y") -> dict[str, object]:
    report = summarise_frame(frame, label, "t")
    return {s.rule: s for s in suggest_steps(report, inputs=None, missing_policy=None)}


def test_a_few_extreme_values_suggest_clip_at_the_99th_percentile() -> None:
    rng = np.random.default_rng(1)
    rooms = rng.normal(2.0, 0.3, size=500)
    rooms[0] = 55.0
    rules = rules_for(pd.DataFrame({"rooms_per_person": rooms, "y": rng.normal(size=500)}))
    step = rules["clip"].step
    assert step["columns"] == ["rooms_per_person"] and "min" not in step
    assert step["max"] == pytest.approx(np.quantile(rooms, 0.99), rel=1e-3)
    assert "log" not in rules


def test_a_long_tail_suggests_log1p_and_scales_suggest_zscore() -> None:
    rng = np.random.default_rng(2)
    population = rng.lognormal(7, 1.0, size=1000)  # skewed bulk, not one outlier
    frame = pd.DataFrame(
        {"population": population, "income": rng.normal(3, 1, 1000), "y": rng.normal(size=1000)}
    )
    rules = rules_for(frame)
    assert rules["log"].step == {"type": "log", "columns": ["population"], "log1p": True}
    assert "skew" in rules["log"].evidence
    assert rules["zscore"].step == {"type": "zscore", "columns": ["population", "income"]}


def test_a_curved_relation_suggests_bucketize() -> None:
    rng = np.random.default_rng(3)
    latitude = rng.uniform(-1, 1, size=2000)
    frame = pd.DataFrame({"latitude": latitude, "y": latitude**2 + rng.normal(0, 0.1, 2000)})
    report = summarise_frame(frame, "y", "t")
    (correlation,) = report.correlations
    assert abs(correlation.r) < 0.1 and correlation.eta > 0.9
    rules = {s.rule: s for s in suggest_steps(report, inputs=None, missing_policy=None)}
    assert rules["bucketize"].columns == ["latitude"]


def test_missing_values_suggest_impute_or_the_missing_setting() -> None:
    frame = pd.DataFrame({"a": [1.0, None, 3.0, 4.0], "y": [1.0, 2.0, 3.0, 4.0]})
    report = summarise_frame(frame, "y", "t")
    assert "missing" in kinds(report.findings, "a")
    step = suggest_steps(report, inputs=None, missing_policy=None)[0]
    assert step.step == {"type": "impute", "columns": ["a"], "strategy": "median"}
    setting = suggest_steps(report, inputs=None, missing_policy="error")[0]
    assert setting.step is None and setting.action == "data.missing: median"


def test_json_is_plain_and_finite(planted_csv: Path) -> None:
    document = inspect_target(str(planted_csv), label="y").to_json()
    text = json.dumps(document, allow_nan=False)  # raises on NaN or inf
    columns = {c["name"]: c for c in json.loads(text)["data"]["columns"]}
    assert columns["const"]["skew"] is None or np.isfinite(columns["const"]["skew"])
    assert columns["x"]["outliers_std"] == 2


def experiment(tmp_path: Path, frame: pd.DataFrame, **data: object) -> Path:
    """A small CSV experiment with ratio, clip, log and z-score steps."""
    frame.to_csv(tmp_path / "houses.csv", index=False)
    config = {
        "name": "houses",
        "seed": 5,
        "data": {"source": "houses.csv", "label": "y", **data},
        "features": [
            {"type": "ratio", "name": "per_person", "numerator": "x_twin", "denominator": "size"},
            {"type": "clip", "columns": ["per_person"], "min": -1.0, "max": 1.0},
            {"type": "log", "columns": ["size"], "log1p": True},
            {"type": "zscore", "columns": ["noise"]},
        ],
        "model": {"type": "linear"},
        "optimizer": {"type": "sgd", "learning_rate": 0.01},
    }
    path = tmp_path / "houses.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


def houses() -> pd.DataFrame:
    frame = planted_frame().drop(columns=["city"])
    frame["size"] = np.arange(1, len(frame) + 1, dtype=float)
    return frame


def test_experiment_reports_the_training_split_as_training_prepares_it(tmp_path: Path) -> None:
    path = experiment(tmp_path, houses())
    report = inspect_target(str(path))
    after = report.after_features
    assert after is not None and report.features_error is None
    loaded = load_config(path)
    prepared = prepare_design(loaded.config, loaded.folder, referenced_columns(loaded.config))
    X = prepared.X["train"]  # (n_train, n_inputs): the oracle is training's own matrix
    assert report.inputs == prepared.inputs and "per_person" in report.inputs
    assert report.split_rows["train"] == after.rows == len(X)
    for position, column in enumerate(prepared.inputs):
        summary = after.column(column)
        assert summary.role == "input"
        assert summary.mean == pytest.approx(X[:, position].mean())
        assert summary.max == pytest.approx(X[:, position].max())
    assert abs(after.column("noise").mean) < 1e-9  # z-scored on these very rows
    assert -1.0 <= after.column("per_person").min <= after.column("per_person").max <= 1.0
    assert after.column("size").max <= np.log1p(len(houses()))


def test_missing_values_under_missing_error_explain_instead_of_failing(tmp_path: Path) -> None:
    frame = houses()
    frame.loc[3, "noise"] = None
    report = inspect_target(str(experiment(tmp_path, frame)))
    assert report.after_features is None
    assert "missing values" in report.features_error
    assert "data.missing: median" in [s.action for s in report.suggestions]


# --------------------------------------------------------------------------- CLI


def test_cli_human_report_names_the_findings(planted_csv: Path) -> None:
    result = runner.invoke(app, ["inspect", str(planted_csv), "--label", "y"], env=WIDE)
    assert result.exit_code == 0, result.output
    out = result.stdout
    for phrase in ("duplicates", "constant", "mostly zero", "rare values", "outliers"):
        assert phrase in out
    assert "x_twin" in out and "Correlation with y" in out
    assert "{type: one_hot, columns: [city], min_frequency: 5}" in out
    assert "{type: drop_duplicates}" in out


def test_cli_json_prints_exactly_one_object(planted_csv: Path) -> None:
    result = runner.invoke(app, ["inspect", str(planted_csv), "--label", "y", "--json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)  # fails on anything besides one JSON value
    assert isinstance(document, dict) and document["label"] == "y"
    assert document["data"]["duplicates"]["count"] == 2
    assert {s["rule"] for s in document["suggestions"]} >= {"drop_duplicates", "one_hot"}


def test_cli_config_shows_the_after_features_section(tmp_path: Path) -> None:
    path = experiment(tmp_path, houses())
    result = runner.invoke(app, ["inspect", str(path)], env=WIDE)
    assert result.exit_code == 0, result.output
    assert "Training split after the feature steps" in result.stdout
    assert "per_person" in result.stdout and "model inputs" in result.stdout
    as_json = runner.invoke(app, ["inspect", str(path), "--json"])
    after = json.loads(as_json.stdout)["after_features"]
    assert "per_person" in {c["name"] for c in after["columns"]}


def test_cli_builtin_uses_its_label() -> None:
    result = runner.invoke(app, ["inspect", "builtin:breast_cancer", "--json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["label"] == "target" and document["data"]["rows"] == 569
    assert document["data"]["correlations"][0]["column"] == "worst_concave_points"


@pytest.mark.parametrize(
    ("args", "phrase"),
    [
        (["missing.csv"], "not found"),
        (["missing.yaml"], "not found"),
        (["{csv}", "--label", "Y"], "Did you mean 'y'?"),
        (["{csv}", "--label", "price"], "Available columns: x, x_twin"),
        (["{csv}", "--set", "seed=1"], "--set changes an experiment config"),
        (["builtin:iriss"], "Did you mean 'iris'?"),
        (
            ["{quickstart}", "--label", "target", "--set", "data.label=mean_radius"],
            "--label target and --set data.label=mean_radius: both set data.label",
        ),
    ],
)
def test_cli_bad_input_exits_2_with_a_message(
    planted_csv: Path, args: list[str], phrase: str
) -> None:
    quickstart = Path(__file__).resolve().parent.parent / "configs" / "quickstart.yaml"
    args = [arg.replace("{csv}", str(planted_csv)) for arg in args]
    args = [arg.replace("{quickstart}", str(quickstart)) for arg in args]
    result = runner.invoke(app, ["inspect", *args], env=WIDE)
    assert result.exit_code == 2, result.output
    assert phrase in result.stderr
    assert result.stdout == "" and "Traceback" not in result.output


def test_parquet_types_and_list_cells(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "when": pd.date_range("2024-01-01", periods=6, freq="D"),
            "flag": [True, False] * 3,
            "tags": [[1, 2]] * 6,  # unhashable cells: counted by their text
            "y": np.arange(6.0),
        }
    )
    path = tmp_path / "typed.parquet"
    frame.to_parquet(path)
    report = inspect_target(str(path), label="y")
    kinds_of = {c.name: c.kind for c in report.data.columns}
    assert kinds_of == {"when": "datetime", "flag": "bool", "tags": "text", "y": "numeric"}
    assert report.data.column("when").max == "2024-01-06"
    assert "time_bucket" in {s.rule for s in report.suggestions}
