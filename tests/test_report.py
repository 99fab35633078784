"""`mlcc report`: one self-contained HTML page, opened in a real headless Chromium.

The README's example (a learning-rate sweep and its report) runs once for the module; a
second page puts a regression run trained without plots, a damaged run and the sweep side
by side. Chromium loads each page from disk and the tests read what it did: console errors,
network requests, the text of the DOM, the images decoded, sorting by a click, a screenshot.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import stat
from pathlib import Path
from typing import Any

import pytest

from chromium import CHROMIUM, open_page, pixel_spread
from cli_helpers import experiment, mlcc

ROOT = Path(__file__).resolve().parent.parent
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None,
    reason="needs a real headless Chromium: Debian's `chromium` package (.ci/run installs it)",
)
# Grey-level standard deviation of a screenshot: a blank page has 0, the report about 30.
NOT_BLANK = 10.0


def readme_commands() -> list[list[str]]:
    """The `mlcc ...` lines of the README's "Reports" section, split as a shell splits them."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## Reports\n", 1)[1].split("\n## ", 1)[0]
    (block,) = re.findall(r"```sh\n(.*?)```", section, flags=re.DOTALL)
    return [shlex.split(line)[1:] for line in block.splitlines() if line.startswith("mlcc ")]


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder where the README's report example ran: runs/quickstart-sweep and report.html."""
    folder = tmp_path_factory.mktemp("report")
    (folder / "configs").mkdir()
    shutil.copy(ROOT / "configs" / "quickstart.yaml", folder / "configs")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(folder)
        commands = readme_commands()
        assert [args[0] for args in commands] == ["sweep", "report"]
        for args in commands:
            result = mlcc(*args)
            assert result.exit_code == 0, result.output
    return folder


def sweep_record(workdir: Path) -> dict[str, Any]:
    return json.loads((workdir / "runs" / "quickstart-sweep" / "sweep.json").read_text())


def best_point(workdir: Path) -> Path:
    """The sweep point of lowest validation log loss (the sweep's metric)."""
    runs = sweep_record(workdir)["runs"]
    best = min(runs, key=lambda run: run["metrics"]["validation"]["log_loss"])
    return workdir / "runs" / "quickstart-sweep" / Path(best["run_dir"]).name


def shown(value: float | int) -> str:
    """A metric as the page prints it (4 significant digits)."""
    return str(value) if isinstance(value, int) else f"{value:.4g}"


def assert_offline_and_clean(page: Any, report: Path) -> None:
    """No console error, and nothing fetched but the file itself (data: URIs are inline)."""
    assert page.console_errors == []
    fetched = [url for url in page.requested_urls if not url.startswith("data:")]
    assert fetched == [report.resolve().as_uri()]
    images = page.evaluate("Array.from(document.images).map(i => [i.alt, i.naturalWidth])")
    assert images and all(width > 0 for _, width in images), images  # every image decoded


SORT_BY = """(name => {
  const table = document.querySelector("table.sweep-table");
  const headers = Array.from(table.tHead.rows[0].cells);
  const column = headers.findIndex(h => h.textContent.trim() === name);
  const read = () => Array.from(table.tBodies[0].rows, r => r.cells[column].dataset.sort);
  headers[column].click();
  const up = read();
  headers[column].click();
  return [up, read()];
})"""


@needs_chromium
def test_the_readme_sweep_report_opens_offline_with_its_numbers(workdir: Path) -> None:
    report = workdir / "report.html"
    best = best_point(workdir)
    validation = json.loads((best / "metrics.json").read_text())["validation"]
    findings = json.loads((best / "doctor.json").read_text())["findings"]
    losses = [run["metrics"]["validation"]["log_loss"] for run in sweep_record(workdir)["runs"]]
    with open_page(report, 1280, 900) as page:
        assert_offline_and_clean(page, report)
        text = page.evaluate("document.body.innerText")
        for name, value in validation.items():
            assert shown(value) in text, name
        assert all(shown(loss) in text for loss in losses)
        for finding in findings:  # the doctor's findings with their lessons
            assert finding["title"] in text and finding["concept"] in text
        assert shown(min(losses)) in page.evaluate("document.querySelector('tr.best').innerText")
        alts = [alt for alt, _ in page.evaluate("Array.from(document.images, i => [i.alt, 0])")]
        for curve in ("Loss curve", "ROC curve", "Precision–recall curve", "Calibration"):
            assert f"{curve} of {best.name}" in alts
        assert "Confusion matrix on the validation split" in text
        up, down = page.evaluate(SORT_BY + '("log_loss")')
        assert [float(v) for v in up] == sorted(losses)
        assert [float(v) for v in down] == sorted(losses, reverse=True)
        up, _ = page.evaluate(SORT_BY + '("optimizer.learning_rate")')
        assert [float(v) for v in up] == [0.01, 0.1, 1.0]
        screenshot = page.screenshot()
    (workdir / "report.png").write_bytes(screenshot)  # kept with the run for a look
    assert pixel_spread(screenshot) > NOT_BLANK


@pytest.fixture(scope="module")
def several(workdir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One page of three: a regression run without plots, a damaged copy of the sweep's best
    point (model.npz and plots gone, metrics.json cut short, markup in its config) and the
    sweep."""
    folder = tmp_path_factory.mktemp("several")
    config = experiment(
        folder,
        data={"source": "builtin:diabetes", "split": {"train": 0.8, "validation": 0.2}},
        model={"type": "linear"},
    )
    result = mlcc("train", config, "--runs-dir", folder / "runs", "--no-plots", "--json")
    assert result.exit_code == 0, result.output
    regression = Path(json.loads(result.stdout)["run_dir"])
    damaged = folder / "damaged-run"
    shutil.copytree(best_point(workdir), damaged)
    (damaged / "model.npz").unlink()
    shutil.rmtree(damaged / "plots")
    (damaged / "metrics.json").write_text('{"validation": {"log_lo')
    with (damaged / "config.yaml").open("a") as handle:
        handle.write("# <script>alert('not escaped')</script>\n")
    output = folder / "several.html"
    sweep = workdir / "runs" / "quickstart-sweep"
    result = mlcc("report", regression, damaged, sweep, "-o", output)
    assert result.exit_code == 0, result.output
    assert "damaged-run: model.npz: missing" in result.stderr
    return output


@needs_chromium
def test_several_runs_are_compared_and_a_damaged_one_says_what_is_missing(
    several: Path, workdir: Path
) -> None:
    (regression,) = (several.parent / "runs").iterdir()
    metrics = json.loads((regression / "metrics.json").read_text())["validation"]
    with open_page(several, 1280, 900) as page:
        assert_offline_and_clean(page, several)
        text = page.evaluate("document.body.innerText")
        rows = page.evaluate("document.querySelectorAll('#comparison tbody tr').length")
        assert rows == 2  # the regression run and the sweep's best; the damaged one has no metrics
        assert shown(metrics["rmse"]) in text and shown(metrics["r2"]) in text
        alts = [alt for alt, _ in page.evaluate("Array.from(document.images, i => [i.alt, 0])")]
        assert f"Residuals of {regression.name}" in alts  # drawn: the run has no plots
        assert "Loss curve of damaged-run" in alts  # from history.csv
        for line in ("model.npz: missing", "metrics.json: cannot be read"):
            assert line in text
        config = page.evaluate("document.querySelector('#section-2 details pre').textContent")
        assert "<script>alert('not escaped')</script>" in config  # shown as text, never run
        assert pixel_spread(page.screenshot()) > NOT_BLANK


def test_text_from_the_runs_is_escaped(several: Path) -> None:
    html = several.read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(&#39;not escaped&#39;)&lt;/script&gt;" in html
    assert "<script>alert(" not in html


@needs_chromium
def test_the_harness_sees_console_errors_network_requests_and_blank_pages(
    tmp_path: Path,
) -> None:
    """The checks above can fail: a page that logs, throws and fetches is caught."""
    page_file = tmp_path / "bad.html"
    page_file.write_text(
        '<p>x</p><script>console.error("logged")</script>'
        '<img src="http://127.0.0.1:9/x.png"><script>missing()</script>'
    )
    with open_page(page_file, 400, 300) as page:
        errors = " ".join(page.console_errors)
        assert "logged" in errors and "missing is not defined" in errors
        assert "http://127.0.0.1:9/x.png" in page.requested_urls
        assert pixel_spread(page.screenshot()) > 0
        page.evaluate("document.body.innerHTML = ''")
        assert pixel_spread(page.screenshot()) == 0


def test_one_run_reports_into_its_own_folder(workdir: Path, tmp_path: Path) -> None:
    run = tmp_path / "run"
    shutil.copytree(best_point(workdir), run)
    result = mlcc("report", run)
    assert result.exit_code == 0, result.output
    page = run / "report.html"
    assert f"wrote {page}" in result.stderr
    html = page.read_text(encoding="utf-8")
    assert "http://" not in html.replace("http://www.w3.org", "")  # nothing to fetch
    assert html.count('src="data:image/png;base64,') >= 4
    # Readable by others as any file the user writes (not the 0600 of a temporary file).
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(page.stat().st_mode) == 0o666 & ~umask


NOT_RUNS = {  # kind of path -> (its name, the phrase the error names it with)
    "missing": ("nowhere", "does not exist, not a run or sweep"),
    "empty": ("empty", "holds no runs"),
    "file": ("x.csv", "is a file"),
    "staging": (".t-1234abcd.partial", "staging folder"),
}


@pytest.mark.parametrize("kind", NOT_RUNS)
def test_a_path_that_is_not_a_run_exits_2_naming_it(
    tmp_path: Path, kind: str, workdir: Path
) -> None:
    name, phrase = NOT_RUNS[kind]
    path = tmp_path / name
    if kind in ("empty", "staging"):
        path.mkdir()
    elif kind == "file":
        path.write_text("a\n")
    output = tmp_path / "out.html"
    result = mlcc("report", best_point(workdir), path, "-o", output)
    assert result.exit_code == 2
    assert str(path) in result.stderr and phrase in result.stderr
    assert "Traceback" not in result.output
    assert not output.exists()


def test_an_unwritable_output_exits_2_before_any_work(workdir: Path, tmp_path: Path) -> None:
    result = mlcc("report", best_point(workdir), "-o", tmp_path / "no" / "such" / "r.html")
    assert result.exit_code == 2
    missing = tmp_path / "no" / "such"
    assert (
        f"--output {missing / 'r.html'}: cannot write there (the folder {missing} does not exist"
        in result.stderr
    )
    assert f"(mkdir -p {missing})" in result.stderr
    assert not (tmp_path / "no").exists()  # the check creates nothing
    # /proc is there but takes no new files: the message must not claim a missing folder
    refused = mlcc("report", best_point(workdir), "-o", "/proc/r.html")
    assert refused.exit_code == 2
    assert "the folder /proc takes no new files" in refused.stderr


def test_a_folder_of_runs_with_one_damaged_is_reported_without_it(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    for seed in (1, 2):
        config = experiment(tmp_path, seed=seed)
        assert mlcc("train", config, "--runs-dir", runs, "-q", "--no-plots").exit_code == 0
    damaged = sorted(runs.iterdir())[1]
    (damaged / "metrics.json").write_bytes(b"\xa2 not json")
    result = mlcc("report", runs, "-o", tmp_path / "r.html")
    assert result.exit_code == 0, result.output
    assert f"{damaged.name}: left out of the table" in " ".join(result.stderr.split())
    assert (tmp_path / "r.html").is_file()
