"""`mlcc export`: the exported Pipeline and ONNX graph predict what `mlcc predict` does.

Each run is trained once per module through the CLI, exported in both formats, and scored on
the same rows by the joblib Pipeline, by onnxruntime and by `mlcc predict`: regression
predictions and class probabilities agree within 1e-6.
"""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
import sys
from io import StringIO
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import onnxruntime
import pandas as pd
import pytest
import yaml

from cli_helpers import mlcc
from mlcc_cli.config.data import SyntheticConfig
from mlcc_cli.data.builtin import load_builtin

ROOT = Path(__file__).resolve().parent.parent
TOLERANCE = 1e-6
TRAINING = {"batch_size": 16, "epochs": 2, "periods": 1}


def _shop(n_rows: int, seed: int) -> pd.DataFrame:
    """A table with numbers, a skewed count, a text column, gaps in both, and a label."""
    rng = np.random.default_rng(seed)
    a, b, c = rng.normal(5, 2, n_rows), rng.uniform(0, 10, n_rows), rng.exponential(3, n_rows)
    d, f = rng.normal(0, 1, n_rows), rng.normal(100, 20, n_rows)
    e = 0.5 * c + rng.normal(0, 0.3, n_rows)
    towns = ["Paris", "Lyon", "Nice", "Brest", "Metz"]
    town = rng.choice(towns, n_rows, p=[0.4, 0.3, 0.2, 0.09, 0.01]).astype(object)
    kind = rng.choice(["new", "used", "refurbished"], n_rows).astype(object)
    y = 2 * a - b + np.log1p(c) + 3 * (town == "Paris") + d + rng.normal(0, 0.5, n_rows)
    frame = pd.DataFrame(
        {"a": a, "b": b, "c": c, "d": d, "e": e, "list price": f, "town": town, "kind": kind}
    )
    frame["y"] = y + (kind == "new")
    frame.loc[rng.choice(n_rows, 15, replace=False), "a"] = np.nan
    frame.loc[rng.choice(n_rows, 10, replace=False), "town"] = None
    frame.loc[rng.choice(n_rows, 10, replace=False), "kind"] = None  # no impute step: no indicator
    return frame


# Every step with a scikit-learn equivalent, in an order that chains them.
SHOP_FEATURES = [
    {"type": "impute", "columns": ["town"], "strategy": "most_frequent"},
    {"type": "clip", "columns": ["a"], "lower_quantile": 0.05, "upper_quantile": 0.95},
    {"type": "log", "columns": ["c"], "log1p": True},
    {"type": "minmax", "columns": ["b"], "low": -1, "high": 1},
    {"type": "bucketize", "columns": ["d"], "bins": 4, "output": "index"},
    {"type": "zscore", "columns": ["d"]},
    {"type": "bucketize", "columns": ["list price"], "bins": 5},
    {"type": "one_hot", "columns": ["town"], "min_frequency": 5},
    {"type": "one_hot", "columns": ["kind"], "max_categories": 2},
    {"type": "polynomial", "columns": ["a", "b"], "degree": 2},
    {"type": "zscore", "columns": ["a*b", "a^2"]},
    {"type": "pca", "columns": ["c", "e"], "components": 1},
    {"type": "filter", "columns": ["b"], "min": 0.5},
]
SHOP_INPUTS = ["a", "b", "d", "list price", "town", "kind", "a*b", "a^2", "b^2", "pc1"]

# name: (data section, features, model, inputs)
RUNS: dict[str, tuple[dict[str, Any], list[dict[str, Any]], dict[str, Any], list[str] | None]] = {
    "steps-linear": (
        {"source": "shop.csv", "label": "y", "missing": "mean"},
        SHOP_FEATURES,
        {"type": "linear"},
        SHOP_INPUTS,
    ),
    "steps-mlp-multiclass": (
        {"source": "shop.csv", "label": "town", "missing": "drop"},
        [{"type": "zscore", "columns": ["b", "list price"]}, {"type": "log", "columns": ["c"]}],
        {"type": "mlp", "hidden_units": [6, 4], "activation": "tanh", "batch_norm": True},
        ["b", "c", "list price"],
    ),
    "softmax": ({"source": "builtin:iris"}, [{"type": "zscore"}], {"type": "softmax"}, None),
    "one-vs-all": ({"source": "builtin:wine"}, [{"type": "minmax"}], {"type": "one_vs_all"}, None),
    "mlp-binary": (
        {"source": "builtin:xor"},
        [],
        {"type": "mlp", "hidden_units": [5], "activation": "sigmoid"},
        None,
    ),
    "poisson": ({"source": "builtin:diabetes"}, [{"type": "zscore"}], {"type": "poisson"}, None),
    "mlp-regression": (
        {"source": "builtin:diabetes"},
        [{"type": "zscore"}],
        {"type": "mlp", "hidden_units": [4]},
        None,
    ),
}


def _train(folder: Path, name: str, data: dict[str, Any], **sections: Any) -> Path:
    """Train a small experiment in `folder` through the CLI; its run directory."""
    config = {
        "name": name,
        "seed": 1,
        "data": {**data, "split": {"train": 0.7, "validation": 0.3}},
        "optimizer": {"type": "adam", "learning_rate": 0.01},
        "training": TRAINING,
        **{key: value for key, value in sections.items() if value is not None},
    }
    path = folder / f"{name}.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    result = mlcc("train", path, "--runs-dir", folder / "runs", "--quiet", "--no-plots")
    assert result.exit_code == 0, result.output
    return Path(result.stdout.strip())


def _rows(folder: Path, data: dict[str, Any]) -> Path:
    """New rows for the run: its data file (gaps included) or the builtin's rows, without
    the label, plus rows beyond the training range and with an unseen town."""
    if data["source"] == "shop.csv":
        rows = pd.concat([_shop(300, 0), _shop(20, 1)], ignore_index=True)
        rows.loc[len(rows) - 5 :, "town"] = "Toulouse"  # never seen: one-hot's <other>
        rows.loc[len(rows) - 5 :, ["b", "c", "list price"]] = [[25.0, 40.0, 400.0]]
        rows = rows.drop(columns=data["label"])
    else:
        name = data["source"].removeprefix("builtin:")
        rows = load_builtin(name, SyntheticConfig(), 7).drop(columns="target")
    path = folder / f"rows-{data['source'].replace(':', '-')}-{data.get('label')}.csv"
    rows.to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("export")
    _shop(300, 0).to_csv(folder / "shop.csv", index=False)
    return folder


@pytest.fixture(scope="module", params=list(RUNS))
def trained(request: pytest.FixtureRequest, folder: Path) -> tuple[Path, Path]:
    """(run directory, rows file) of one RUNS entry, trained once per module."""
    data, features, model, inputs = RUNS[request.param]
    run = _train(folder, request.param, data, features=features, model=model, inputs=inputs)
    return run, _rows(folder, data)


def _predicted(run: Path, rows: Path) -> pd.DataFrame:
    result = mlcc("predict", run, rows)
    assert result.exit_code == 0, result.output
    return pd.read_csv(StringIO(result.stdout))


def _expected(predicted: pd.DataFrame, classes: list[Any] | None) -> np.ndarray:
    """`mlcc predict`'s numbers: the prediction (regression, binary P(class 1)), or the
    class probabilities p_CLASS in class order. Every row is scored (gaps are filled or get
    no indicator), so equality is never NaN against NaN."""
    if classes is None or len(classes) == 2:
        expected = predicted["prediction"].to_numpy()
    else:
        expected = predicted[[f"p_{name}" for name in classes]].to_numpy()
    assert not np.isnan(expected).any()
    return expected


def _export(run: Path, format: str, path: Path) -> dict[str, Any]:
    result = mlcc("export", run, "--format", format, "-o", path, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _onnx_feeds(session: Any, rows: pd.DataFrame) -> dict[str, np.ndarray]:
    """One (n, 1) column per graph input: float64 numbers, or text with "" for a gap."""
    return {
        node.name: rows[[node.name]].to_numpy(np.float64)
        if node.type == "tensor(double)"
        else rows[[node.name]].fillna("").to_numpy(str)
        for node in session.get_inputs()
    }


def test_the_pipeline_predicts_as_mlcc_predict(trained: tuple[Path, Path], tmp_path: Path) -> None:
    run, rows_file = trained
    described = _export(run, "sklearn", tmp_path / "model.joblib")
    pipeline = joblib.load(tmp_path / "model.joblib")
    rows = pd.read_csv(rows_file)
    classes = described["classes"]
    expected = _expected(_predicted(run, rows_file), classes)
    if classes is None:
        got = pipeline.predict(rows)
    else:
        probabilities = pipeline.predict_proba(rows)
        got = probabilities[:, 1] if len(classes) == 2 else probabilities
        assert pipeline.classes_.tolist() == classes
    np.testing.assert_allclose(got, expected, rtol=0, atol=TOLERANCE)
    assert list(described["inputs"]) == list(pipeline.feature_names_in_)


def test_the_onnx_graph_predicts_as_mlcc_predict(
    trained: tuple[Path, Path], tmp_path: Path
) -> None:
    run, rows_file = trained
    described = _export(run, "onnx", tmp_path / "model.onnx")
    session = onnxruntime.InferenceSession(
        str(tmp_path / "model.onnx"), providers=["CPUExecutionProvider"]
    )
    assert [node.name for node in session.get_inputs()] == list(described["inputs"])
    outputs = session.run(None, _onnx_feeds(session, pd.read_csv(rows_file)))
    classes = described["classes"]
    expected = _expected(_predicted(run, rows_file), classes)
    if classes is None:
        got = outputs[0][:, 0]
    else:
        got = outputs[1][:, 1] if len(classes) == 2 else outputs[1]
    np.testing.assert_allclose(got, expected, rtol=0, atol=TOLERANCE)


@pytest.fixture(scope="module")
def refused_run(folder: Path) -> Path:
    """A run whose inputs come from hash, cross and ratio steps, with a leaky-ReLU network."""
    features = [
        {"type": "hash", "columns": ["town"], "buckets": 8},
        {"type": "bucketize", "columns": ["a", "b"], "bins": 3},
        {"type": "cross", "columns": ["a", "b"]},
        {"type": "ratio", "name": "d_per_f", "numerator": "d", "denominator": "list price"},
        {"type": "zscore", "columns": ["d_per_f", "e"]},
    ]
    model = {"type": "mlp", "hidden_units": [3], "activation": "leaky_relu"}
    data = {"source": "shop.csv", "label": "y", "missing": "mean"}
    inputs = ["town", "a_x_b", "d_per_f", "e"]
    return _train(folder, "refused", data, features=features, model=model, inputs=inputs)


def test_steps_without_an_equivalent_are_refused_by_name(refused_run: Path, tmp_path: Path) -> None:
    target = tmp_path / "model.onnx"
    for format, output in (("onnx", ["-o", str(target)]), ("sklearn", [])):
        result = mlcc("export", refused_run, "--format", format, *output)
        assert result.exit_code == 2, result.output
        message = result.stderr
        assert "cannot be exported" in message and "Traceback" not in message
        for name in ("features.0 (hash)", "features.2 (cross)", "features.3 (ratio)"):
            assert name in message
        assert "model.activation leaky_relu" in message
        assert "features.4" not in message  # zscore itself has an equivalent
    assert not target.exists()
    assert not (refused_run / "model.joblib").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == []  # no half-written file either


def test_default_path_is_in_the_run_and_stdout_names_it(folder: Path) -> None:
    data, features, model, inputs = RUNS["softmax"]
    run = _train(folder, "default-path", data, features=features, model=model, inputs=inputs)
    result = mlcc("export", run, "--format", "sklearn")
    assert result.exit_code == 0, result.output
    assert Path(result.stdout.strip()) == run / "model.joblib"
    assert (run / "model.joblib").is_file()
    assert "predict_proba(frame)" in result.stderr and "sepal_length_cm" in result.stderr
    result = mlcc("export", run, "--format", "onnx")
    assert result.exit_code == 0, result.output
    assert (run / "model.onnx").is_file() and "probabilities" in result.stderr


def test_unwritable_output_and_bad_format_fail_before_any_work(
    refused_run: Path, tmp_path: Path
) -> None:
    blocker = tmp_path / "file.txt"
    blocker.write_text("not a folder")
    # refused_run would be refused: the unwritable path is reported first, with exit 2
    result = mlcc("export", refused_run, "--format", "onnx", "-o", blocker / "model.onnx")
    assert result.exit_code == 2
    assert "--output" in result.stderr and "cannot write there" in result.stderr
    result = mlcc("export", refused_run, "--format", "pmml")
    assert result.exit_code == 2 and "choose one of sklearn, onnx" in result.stderr
    result = mlcc("export", tmp_path / "nowhere", "--format", "sklearn")
    assert result.exit_code == 2 and "no such folder" in result.stderr


def test_onnx_without_the_extra_names_the_install(
    refused_run: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "skl2onnx", None)  # import skl2onnx now fails
    result = mlcc("export", refused_run, "--format", "onnx", "-o", tmp_path / "m.onnx")
    assert result.exit_code == 2
    assert "pip install 'mlcc-cli[export]'" in result.stderr
    assert not (tmp_path / "m.onnx").exists()


def test_a_binary_run_with_its_own_threshold_says_so(folder: Path, tmp_path: Path) -> None:
    config = ROOT / "configs" / "quickstart.yaml"
    args = ["--set", "training.epochs=1", "--set", "evaluation.threshold=0.3"]
    trained = mlcc("train", config, "--runs-dir", folder / "runs", "--quiet", "--no-plots", *args)
    assert trained.exit_code == 0, trained.output
    run = Path(trained.stdout.strip())
    result = mlcc("export", run, "--format", "sklearn", "-o", tmp_path / "q.joblib")
    assert result.exit_code == 0, result.output
    assert "P ≥ 0.3" in result.stderr and "predict_proba(frame)[:, 1]" in result.stderr


def _readme_section() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return text.split("## Exporting a model", 1)[1].split("\n## ", 1)[0]


def _run_shell_line(line: str, variables: dict[str, str]) -> None:
    """One `mlcc ...` line of the README's sh block, in process (`python ...` in a
    subprocess): `NAME=$(mlcc ...)` keeps stdout in NAME; "$NAME" is replaced by it."""
    line = line.split("#", 1)[0].strip()
    if not line:
        return
    captured = re.fullmatch(r"(\w+)=\$\((.*)\)", line)
    command = captured.group(2) if captured else line
    for name, value in variables.items():
        command = command.replace(f'"${name}"', shlex.quote(value))
    words = shlex.split(command)
    if words[0] == "python":  # the line that writes rows.csv: this interpreter, for real
        subprocess.run([sys.executable, *words[1:]], check=True)
        return
    assert words[0] == "mlcc", line
    result = mlcc(*words[1:])
    assert result.exit_code == 0, f"{line}\n{result.output}"
    if captured:
        variables[captured.group(1)] = result.stdout.strip()


def test_the_readme_example_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    section = _readme_section()
    (shell,) = re.findall(r"```sh\n(.*?)```", section, flags=re.DOTALL)
    (code,) = re.findall(r"```python\n(.*?)```", section, flags=re.DOTALL)
    shutil.copytree(ROOT / "configs", tmp_path / "configs")
    monkeypatch.chdir(tmp_path)  # the README's own python line writes rows.csv
    variables: dict[str, str] = {}
    for line in shell.replace("\\\n", " ").splitlines():
        _run_shell_line(line, variables)
    printed = StringIO()
    monkeypatch.setattr(sys, "stdout", printed)
    exec(compile(code, "README.md", "exec"), {})  # the README's own block, as written
    sklearn_gap, onnx_gap = map(float, printed.getvalue().split())
    assert sklearn_gap < TOLERANCE and onnx_gap < TOLERANCE
