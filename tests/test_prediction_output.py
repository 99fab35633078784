"""`mlcc predict` / `evaluate` on files: where `-o` may write (never over the rows being scored
or a file of a run's record), and messages about what a scored file lacks."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pandas as pd
import pytest
from sklearn.datasets import load_breast_cancer
from typer.testing import CliRunner

from mlcc_cli.cli import app

QUICKSTART = Path(__file__).resolve().parents[1] / "configs" / "quickstart.yaml"


def mlcc(*args: str | Path) -> object:
    return CliRunner().invoke(app, [str(a) for a in args])


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(the quickstart's run directory, a CSV of five breast-cancer rows to score)."""
    folder = tmp_path_factory.mktemp("prediction-output")
    result = mlcc("train", QUICKSTART, "--runs-dir", folder / "runs", "--quiet")
    assert result.exit_code == 0, result.output
    rows = load_breast_cancer(as_frame=True).frame.head(5).drop(columns="target")
    rows.columns = [c.replace(" ", "_") for c in rows.columns]  # as builtin: names them
    rows.to_csv(folder / "rows.csv", index=False)
    return Path(result.stdout.strip()), folder / "rows.csv"


def _refused(result: object, phrase: str) -> None:
    assert result.exit_code == 2, result.output
    assert phrase in result.stderr and "Traceback" not in result.output


def test_predict_never_replaces_a_run_file_or_its_own_rows(trained: tuple[Path, Path]) -> None:
    run_dir, rows = trained
    before = {path: path.read_bytes() for path in run_dir.rglob("*") if path.is_file()}
    for target in (run_dir / "config.yaml", run_dir / "metrics.json", run_dir / "model.npz"):
        _refused(mlcc("predict", run_dir, rows, "-o", target), "is a file of the run")
    plot = next((run_dir / "plots").iterdir())
    _refused(mlcc("predict", run_dir, rows, "-o", plot), "is a file of the run")
    _refused(mlcc("report", run_dir, "-o", run_dir / "history.csv"), "is a file of the run")
    _refused(
        mlcc("export", run_dir, "--format", "sklearn", "-o", run_dir / "doctor.json"),
        "is a file of the run",
    )
    after = {path: path.read_bytes() for path in run_dir.rglob("*") if path.is_file()}
    assert after == before
    data = rows.read_bytes()
    _refused(mlcc("predict", run_dir, rows, "-o", rows), "is DATA_FILE itself")
    assert rows.read_bytes() == data
    assert mlcc("evaluate", run_dir, "--no-plots").exit_code == 0


def test_predict_writes_parquet_by_suffix_and_refuses_other_formats(
    trained: tuple[Path, Path], tmp_path: Path
) -> None:
    run_dir, rows = trained
    printed = mlcc("predict", run_dir, rows)
    assert printed.exit_code == 0, printed.output
    for name in ("p.parquet", "p.csv", "p"):
        result = mlcc("predict", run_dir, rows, "-o", tmp_path / name)
        assert result.exit_code == 0, result.output
    expected = pd.read_csv(StringIO(printed.stdout))
    parquet = pd.read_parquet(tmp_path / "p.parquet")
    assert parquet["class"].tolist() == expected["class"].astype(str).tolist()  # as printed
    pd.testing.assert_frame_equal(parquet.drop(columns="class"), expected.drop(columns="class"))
    assert (tmp_path / "p.csv").read_text() == printed.stdout == (tmp_path / "p").read_text()
    data = tmp_path / "data.csv"
    data.write_text("a,b\n1,2\n")
    _refused(mlcc("report", run_dir, "-o", data), "the report is an HTML page; name it .html")
    export = mlcc("export", run_dir, "--format", "sklearn", "-o", tmp_path / "m.onnx")
    _refused(export, "--format sklearn writes a .joblib or .pkl file")
    assert data.read_text() == "a,b\n1,2\n" and not (tmp_path / "m.onnx").exists()
    folder = mlcc("report", run_dir, "-o", tmp_path)
    _refused(folder, f"is a folder; give a file name, e.g. {tmp_path / 'report.html'}")
    for name in ("p.json", "p.xlsx"):
        _refused(mlcc("predict", run_dir, rows, "-o", tmp_path / name), "CSV (.csv) or Parquet")
        assert not (tmp_path / name).exists()


def test_scored_files_are_told_what_they_lack_in_the_runs_terms(
    trained: tuple[Path, Path], tmp_path: Path
) -> None:
    run_dir, rows = trained
    table = pd.read_csv(rows)
    table.drop(columns="mean_radius").to_csv(tmp_path / "short.csv", index=False)
    _refused(
        mlcc("predict", run_dir, tmp_path / "short.csv"),
        "DATA_FILE " + str(tmp_path / "short.csv") + ": missing column 'mean_radius' that the run",
    )
    labelled = table.assign(target=[0, 1, 2, 1, 0])
    labelled.to_csv(tmp_path / "three.csv", index=False)
    _refused(
        mlcc("evaluate", run_dir, "--data", tmp_path / "three.csv", "--no-plots"),
        "label 'target' has value 2, which is not one of the run's classes",  # not np.int64(2)
    )
    labelled.assign(target=1, mean_radius=[1.0, None, 2.0, 3.0, 4.0]).to_csv(
        tmp_path / "gap.csv", index=False
    )
    result = mlcc("evaluate", run_dir, "--data", tmp_path / "gap.csv", "--no-plots")
    _refused(result, "the run was trained with data.missing: error")
    assert "set data.missing" not in result.stderr  # a finished run's config is not changed


def test_a_sweeps_files_are_not_replaced_but_own_outputs_are(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    args = ["--runs-dir", runs, "--grid", "model.l2=0,0.01", "--no-plots", "--name", "s"]
    assert mlcc("sweep", QUICKSTART, *args).exit_code == 0
    sweep = runs / "s"
    table = (sweep / "sweep.json").read_bytes()
    _refused(mlcc("report", sweep, "-o", sweep / "sweep.json"), "is a file of the sweep")
    assert (sweep / "sweep.json").read_bytes() == table
    for _ in range(2):  # report.html and export's model.joblib are theirs to write again
        assert mlcc("report", sweep).exit_code == 0
        point = next(p for p in sweep.iterdir() if (p / "status.json").is_file())
        assert mlcc("export", point, "--format", "sklearn").exit_code == 0
