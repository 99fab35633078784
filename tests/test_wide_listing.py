"""Long column lists on a wide table: the terminal and the report show the first few and a
count; doctor.json and --json keep every column."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from mlcc_cli.cli import app
from mlcc_cli.errors import cut_lists, listed
from mlcc_cli.report import page as page_module

runner = CliRunner()
WIDE = {"COLUMNS": "100"}
TAILED = [f"t{i}" for i in range(30)]  # log-normal: long right tails
SHIFTED = [f"s{i}" for i in range(20)]  # the unshuffled validation rows sit 3 SDs higher


def prose(out: str) -> str:
    """The output with runs of spaces and line breaks as one space: lines wrap."""
    return " ".join(out.split())


@pytest.fixture(scope="module")
def config(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("tails")
    rng = np.random.default_rng(3)
    frame = pd.DataFrame({name: rng.lognormal(sigma=1.5, size=200) for name in TAILED})
    frame[SHIFTED] = rng.normal(size=(200, len(SHIFTED)))
    frame.loc[160:, SHIFTED] += 3.0
    frame["sold"] = rng.integers(0, 2, 200)
    frame.to_csv(folder / "tails.csv", index=False)
    path = folder / "tails.yaml"
    experiment = {
        "name": "tails",
        "data": {"source": "tails.csv", "label": "sold", "shuffle": False},
        "features": [{"type": "zscore"}],
        "model": {"type": "logistic"},
        "optimizer": {"type": "sgd", "learning_rate": 0.05},
        "training": {"epochs": 2},
    }
    path.write_text(yaml.safe_dump(experiment))
    return path


def test_listed_and_cut_lists_count_what_they_leave_out() -> None:
    names = [f"x{i}" for i in range(12)]
    assert listed(names) == "x0, x1, x2, x3, x4 and 7 more"
    assert listed(names[:5]) == "x0, x1, x2, x3, x4"
    step = f"{{type: clip, columns: [{', '.join(names)}]}}"
    assert cut_lists(step) == ("{type: clip, columns: [x0, x1, x2, x3, x4, … 7 more]}", 7)
    short = "{type: clip, columns: [a, b, c, d, e, f, g, h, i, j]}"  # 10 ≤ 2 × 5: whole
    assert cut_lists(short) == (short, 0)


def test_train_doctor_and_report_cut_long_lists_but_the_files_keep_them(
    config: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runs = tmp_path / "runs"
    result = runner.invoke(app, ["train", str(config), "--runs-dir", str(runs)], env=WIDE)
    assert result.exit_code == 0, result.output
    out = prose(result.stdout)
    [run] = runs.iterdir()
    stored = json.loads((run / "doctor.json").read_text())
    mismatched = [
        c["column"] for c in stored["split_checks"] if c["kind"] == "distribution_mismatch"
    ]
    assert mismatched == SHIFTED  # every column that differs, and only those
    # The split checks' one line per kind: the other shifted columns, counted.
    assert "(Also: s1, s2, s3, s4, s5 and 14 more; `mlcc inspect CONFIG` shows each.)" in out
    # The long-tail finding: five of the other tailed columns, then the fix with a cut list;
    # doctor.json's fix has them all.
    [tails] = [f for f in stored["findings"] if f["kind"] == "long_tails"]
    key, steps = tails["fix"][0].split("=", 1)
    clipped = yaml.safe_load(steps)[0]["columns"]
    assert key == "features" and len(clipped) > 12 and set(clipped) <= set(TAILED)
    worst = tails["evidence"].split()[0]
    assert f"; also {listed([c for c in clipped if c != worst])}" in out
    assert f"columns: [{', '.join(clipped[:5])}, … {len(clipped) - 5} more]" in out
    assert "the whole list is in doctor.json's fix (and --json)" in out
    hidden = [c for c in clipped[5:] if c != worst and len(c) == 3][-1]  # t10-t29: no prefix
    assert hidden not in out
    doctor = runner.invoke(app, ["doctor", str(run)], env=WIDE)
    cut = f"columns: [{', '.join(clipped[:5])}, … {len(clipped) - 5} more]"
    assert cut in prose(doctor.stdout)
    monkeypatch.setattr(page_module, "SHOWN_CHECKS", 4)  # of the run's 20-odd split findings
    page = runner.invoke(app, ["report", str(run), "-o", str(tmp_path / "page.html")])
    assert page.exit_code == 0, page.output
    html = re.sub(r"data:image/png;base64,[^\"]*", "", (tmp_path / "page.html").read_text())
    assert cut in html and hidden not in html
    assert "the whole fix is in doctor.json" in html
    hidden_checks = len(stored["split_checks"]) - 4
    assert f"{hidden_checks} more findings not shown; doctor.json" in html
    assert html.count(" is distributed differently in training") == 4 - (
        len(stored["split_checks"]) - len(mismatched)  # the sorted findings come first
    )


def test_inspect_lists_split_findings_up_to_its_column_limit(config: Path) -> None:
    document = runner.invoke(app, ["inspect", str(config), "--json"])
    findings = json.loads(document.stdout)["split_checks"]
    assert len(findings) > len(SHIFTED)
    result = runner.invoke(app, ["inspect", str(config), "--columns", "3"], env=WIDE)
    assert result.exit_code == 0, result.output
    out = prose(result.stdout)
    hidden = len(findings) - 3
    assert f"{hidden} more split-check findings not shown; --columns N or --all lists more" in out
    assert out.count("warning: ") == 3
    everything = prose(runner.invoke(app, ["inspect", str(config), "--all"], env=WIDE).stdout)
    assert "split-check findings not shown" not in everything
    assert all(f"{name} is distributed differently" in everything for name in SHIFTED)
