"""The data fingerprint a run records (status.json `data`) and what later commands do when
the data changed since training (issue 16)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pandas as pd
import yaml
from typer.testing import CliRunner, Result

from mlcc_cli.cli import app
from mlcc_cli.data.fingerprint import Fingerprint, changes, fingerprint

runner = CliRunner()


def test_the_fingerprint_is_hashlib_sha256_of_the_bytes(tmp_path: Path) -> None:
    data = tmp_path / "d.csv"
    data.write_bytes(b"x,y\n" + b"1,2\n" * 100_000)  # several chunks
    found = fingerprint("d.csv", tmp_path, rows=100_000)
    assert found.sha256 == hashlib.sha256(data.read_bytes()).hexdigest()
    assert found.size == data.stat().st_size and found.source == str(data.resolve())
    assert Fingerprint.from_json(found.to_json()) == found


def test_changes_name_what_differs(tmp_path: Path) -> None:
    data = tmp_path / "d.csv"
    data.write_text("x,y\n1,2\n3,4\n")
    before = fingerprint(str(data), tmp_path, rows=2)
    data.write_text("x,y\n3,4\n1,2\n")  # same size, rows reordered
    after = fingerprint(str(data), tmp_path)
    assert changes(before, after) == ["its content differs (sha256)"]
    assert changes(before, before) == []
    assert fingerprint("builtin:xor", tmp_path, rows=5).sha256 is None


def test_a_damaged_or_missing_record_reads_as_none() -> None:
    assert Fingerprint.from_json(None) is None
    assert Fingerprint.from_json({"size": 3}) is None
    partial = Fingerprint.from_json({"source": "a.csv", "size": "big", "rows": 3})
    assert partial == Fingerprint(source="a.csv", size=None, sha256=None, rows=3)


def _text(result: Result) -> str:
    return " ".join(result.output.split())  # rich wraps long lines


def _train(tmp_path: Path) -> tuple[Path, Path]:
    """A small regression run on a CSV in tmp_path: (data file, run directory)."""
    rng = np.random.default_rng(3)
    x = rng.normal(size=(200, 2))
    frame = pd.DataFrame({"a": x[:, 0], "b": x[:, 1], "y": x @ [1.5, -0.5] + 0.1})
    data = tmp_path / "rows.csv"
    frame.to_csv(data, index=False)
    config = {
        "name": "fp",
        "data": {"source": "rows.csv", "label": "y"},
        "features": [{"type": "zscore"}],
        "model": {"type": "linear"},
        "optimizer": {"type": "sgd", "learning_rate": 0.05},
        "training": {"batch_size": 16, "epochs": 3},
    }
    (tmp_path / "exp.yaml").write_text(yaml.safe_dump(config))
    runs = tmp_path / "runs"
    result = runner.invoke(app, ["train", str(tmp_path / "exp.yaml"), "--runs-dir", str(runs)])
    assert result.exit_code == 0, result.output
    return data, next(runs.iterdir())


def test_status_json_records_the_data_fingerprint(tmp_path: Path) -> None:
    data, run = _train(tmp_path)
    recorded = json.loads((run / "status.json").read_text())["data"]
    assert recorded["source"] == str(data.resolve())
    assert recorded["sha256"] == hashlib.sha256(data.read_bytes()).hexdigest()
    assert recorded["size"] == data.stat().st_size and recorded["rows"] == 200


def test_evaluate_refuses_to_resplit_changed_data_unless_allowed(tmp_path: Path) -> None:
    data, run = _train(tmp_path)
    assert runner.invoke(app, ["evaluate", str(run), "--no-plots"]).exit_code == 0
    frame = pd.read_csv(data)
    frame.iloc[::-1].to_csv(data, index=False)  # the same rows, reordered
    refused = runner.invoke(app, ["evaluate", str(run), "--no-plots"])
    assert refused.exit_code == 2 and "Traceback" not in refused.output
    assert "changed since the run was trained" in _text(refused)
    assert "--allow-changed-data" in _text(refused)
    assert not (run / "evaluate").exists() or list((run / "evaluate").iterdir()) == []
    allowed = runner.invoke(app, ["evaluate", str(run), "--no-plots", "--allow-changed-data"])
    assert allowed.exit_code == 0, allowed.output
    assert "changed since the run was trained" in _text(allowed)  # still said, as a warning


def test_predict_and_doctor_warn_when_the_runs_own_source_changed(tmp_path: Path) -> None:
    data, run = _train(tmp_path)
    quiet = runner.invoke(app, ["predict", str(run), str(data)])
    assert quiet.exit_code == 0 and "changed since" not in quiet.output
    with data.open("a") as handle:
        handle.write("0.5,0.5,1.0\n")
    warned = runner.invoke(app, ["predict", str(run), str(data)])
    assert warned.exit_code == 0 and "changed since the run was trained" in _text(warned)
    assert "201 rows" not in warned.output  # rows are not re-counted; size and sha256 are
    doctor = runner.invoke(app, ["doctor", str(run), "--json"])
    assert doctor.exit_code == 0
    assert "changed since the run was trained" in json.loads(doctor.stdout)["warnings"][0]
