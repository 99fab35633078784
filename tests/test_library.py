"""`import mlcc_cli` as a library: the README's example, and each API function on real data."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_breast_cancer

import mlcc_cli
from mlcc_cli.errors import ConfigError, DataError
from mlcc_cli.features import design_matrix

ROOT = Path(__file__).resolve().parents[1]
QUICKSTART = ROOT / "configs" / "quickstart.yaml"


def readme_example() -> str:
    """The python block of the README's "Use from Python" section."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Use from Python", 1)[1].split("\n## ", 1)[0]
    (code,) = re.findall(r"```python\n(.*?)```", section, flags=re.DOTALL)
    return code


def test_the_readme_example_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    done = subprocess.run(
        [sys.executable, "-c", readme_example()],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("complete 0.99")


def test_importing_mlcc_cli_does_not_load_numpy() -> None:
    code = "import sys, mlcc_cli; print('numpy' in sys.modules, mlcc_cli.__version__)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.stdout.split() == ["False", mlcc_cli.__version__]


def test_train_without_a_run_directory_matches_the_cli(tmp_path: Path) -> None:
    kept = mlcc_cli.train(QUICKSTART, runs_dir=tmp_path)
    assert kept.run_dir is not None and (kept.run_dir / "metrics.json").is_file()
    assert (kept.run_dir / "plots" / "loss.png").is_file()  # a kept run has its pictures
    quiet = mlcc_cli.train(QUICKSTART)
    assert quiet.run_dir is None and quiet.status == "complete" and quiet.task == "binary"
    assert quiet.metrics == kept.metrics
    history = pd.read_csv(kept.run_dir / "history.csv")
    pd.testing.assert_frame_equal(quiet.history, history, check_dtype=False)
    np.testing.assert_array_equal(quiet.model.coef_, kept.model.coef_)
    again = mlcc_cli.load_run(kept.run_dir)
    np.testing.assert_array_equal(again.model.coef_, kept.model.coef_)


def test_train_on_a_dataframe_equals_training_on_the_builtin() -> None:
    frame = load_breast_cancer(as_frame=True).frame
    from_frame = mlcc_cli.train(QUICKSTART, data=frame)
    builtin = mlcc_cli.train(QUICKSTART)
    assert from_frame.metrics == builtin.metrics
    report = mlcc_cli.evaluate(from_frame, split="validation")
    assert report.metrics["auc"] == pytest.approx(builtin.metrics["validation"]["auc"])
    predictions = mlcc_cli.predict(from_frame, frame.drop(columns="target").head(5))
    assert list(predictions.columns) == ["row_id", "prediction", "class"]
    run = from_frame.run
    transformed = run.pipeline.transform(frame.drop(columns="target").head(5))
    expected = run.score(design_matrix(transformed, run.inputs))
    np.testing.assert_allclose(predictions["prediction"], expected)


def test_load_config_takes_a_dict_with_overrides() -> None:
    data = {
        "name": "dict-config",
        "data": {"source": "builtin:breast_cancer"},
        "model": {"type": "logistic"},
        "optimizer": {"type": "sgd"},
        "training": {"epochs": 2},
    }
    loaded = mlcc_cli.load_config(data, ["optimizer.learning_rate=0.000005"])
    assert loaded.config.optimizer.learning_rate == 0.000005
    assert data == {  # the caller's dict is left alone
        "name": "dict-config",
        "data": {"source": "builtin:breast_cancer"},
        "model": {"type": "logistic"},
        "optimizer": {"type": "sgd"},
        "training": {"epochs": 2},
    }
    assert mlcc_cli.train(loaded).status == "complete"


def test_bad_config_and_data_raise_mlcc_errors() -> None:
    data = {"data": {"source": "builtin:iris"}, "model": {"type": "softmax"}}
    with pytest.raises(ConfigError, match=r"--set optimizer\.learning_rat: unknown key"):
        mlcc_cli.load_config(data, ["optimizer.type=sgd", "optimizer.learning_rat=1"])
    with pytest.raises(DataError, match=r"data\.label"):
        mlcc_cli.train(QUICKSTART, data=pd.DataFrame({"x": [1.0, 2.0]}))
    with pytest.raises(AttributeError, match="no attribute 'fit'"):
        mlcc_cli.fit  # noqa: B018
