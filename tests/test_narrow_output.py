"""Every command readable at 80 columns (the width of piped output) and at 120.

Each command runs through the real CLI with COLUMNS set, on real data, and its output is
checked: no line wider than the terminal, no cell cut to an ambiguous "name…" prefix, the
names a reader needs (metric names, column names, swept keys) whole, wrapped paragraphs
still indented, pasted fix commands equal to the doctor's fixes, chart axes in exponent
form. Paths are the one thing never broken (to stay copyable), so runs go to a short
relative folder.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import shlex
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from rich.cells import cell_len
from rich.console import Console
from rich.table import Table
from typer.testing import CliRunner

from mlcc_cli.cli import app
from mlcc_cli.config.overrides import parse_scalar
from mlcc_cli.render.charts import axis_ticks, tick_label
from mlcc_cli.render.console import MIN_WIDTH
from mlcc_cli.render.layout import fit_table
from mlcc_cli.render.prose import wrapped_command

QUICKSTART = Path(__file__).resolve().parents[1] / "configs" / "quickstart.yaml"
WIDTHS = (80, 120)
runner = CliRunner()


def mlcc(width: int, *args: str | Path) -> str:
    """`mlcc ARGS` with the terminal `width` columns wide; its output (exit code 0)."""
    result = runner.invoke(app, [str(a) for a in args], env={"COLUMNS": str(width)})
    assert result.exit_code == 0, result.output
    return result.output


def assert_readable(output: str, width: int) -> None:
    """No line past the width; no cell truncated by rich ("validation_prediction_…")."""
    too_wide = [line for line in output.splitlines() if cell_len(line.rstrip()) > width]
    assert not too_wide, "\n".join(too_wide)
    assert not re.search(r"\S…", output), re.search(r".*\S….*", output)


def header_cells(output: str) -> list[list[str]]:
    """The header of each boxed table: its cells, each read down its lines and joined (a
    stacked "optimizer." over "learning_rate" reads "optimizer.learning_rate")."""
    tables, lines = [], output.splitlines()
    for start, line in enumerate(lines):
        if line.startswith("┏"):
            end = next(i for i in range(start, len(lines)) if lines[i].startswith("┡"))
            rows = [lines[i].strip("┃ ").split("┃") for i in range(start + 1, end)]
            tables.append(["".join(row[c].strip() for row in rows) for c in range(len(rows[0]))])
    return tables


def first_cells(output: str) -> list[str]:
    """The first cell of every body row of the boxed tables (not of a row's wrapped lines)."""
    cells = [line.split("│")[1].strip() for line in output.splitlines() if line.startswith("│")]
    return [cell for cell in cells if cell]


def whole_words(output: str) -> set[str]:
    return set(output.split())


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A working folder, current while the module runs, so run paths print short."""
    path = tmp_path_factory.mktemp("narrow")
    with contextlib.chdir(path):
        yield path


@pytest.fixture(scope="module")
def trained(folder: Path) -> dict[int, tuple[str, Path]]:
    """The quickstart trained at each width (at 120 with learning rate 5: two doctor
    findings); per width, the train output and the run directory."""
    runs = {}
    for width, rate in zip(WIDTHS, ("0.1", "5"), strict=True):
        output = mlcc(
            width,
            "train",
            QUICKSTART,
            "--runs-dir",
            "runs",
            "--no-plots",
            "--set",
            f"optimizer.learning_rate={rate}",
        )
        [run_dir] = re.findall(r"^run directory (\S+)$", output, flags=re.MULTILINE)
        runs[width] = (output, Path(run_dir))
    return runs


@pytest.mark.parametrize("width", WIDTHS)
def test_train_output_fits(trained, width: int) -> None:
    output, _ = trained[width]
    assert_readable(output, width)
    assert "validation log loss" in " ".join(header_cells(output)[0])


@pytest.mark.parametrize("width", WIDTHS)
def test_doctor_wraps_under_its_text_and_its_fixes_paste(trained, width: int) -> None:
    run_dir = trained[120][1]
    output = mlcc(width, "doctor", run_dir)
    assert_readable(output, width)
    findings = output[output.index("doctor: ") :].splitlines()[1:]
    # Every line of a finding is its bullet line or indented under the bullet's text.
    assert all(line.startswith(("  ● ", "    ")) for line in findings), findings
    # wrapped prose ends where its text does: no padding to the width for a file to keep
    assert all(line == line.rstrip() for line in output.splitlines()), output
    fixes = [
        fix
        for f in json.loads(mlcc(width, "doctor", run_dir, "--json"))["findings"]
        for fix in f["fix"]
    ]
    pasted = pasted_commands(output)
    assert len(pasted) == len(fixes) >= 2
    for words, fix in zip(pasted, fixes, strict=True):
        assert words[:3] == ["mlcc", "train", str(run_dir / "config.yaml")]
        key, _, value = words[-1].partition("=")
        assert (key, parse_scalar(value)) == (
            fix.partition("=")[0],
            parse_scalar(fix.partition("=")[2]),
        )


def pasted_commands(output: str) -> list[list[str]]:
    """The "next step:"/"or:" commands as the shell reads them when pasted: a line ending in
    " \\" continues the command, a line break inside quotes stays in the word."""
    commands, lines = [], output.splitlines()
    for start, line in enumerate(lines):
        match = re.match(r" *(?:next step|or): (.*)", line)
        if match is None:
            continue
        text = match[1]
        for following in lines[start + 1 :]:
            if not (text.endswith(" \\") or _open_quote(text)):
                break
            text += "\n" + following
        commands.append(shlex.split(text.replace("\\\n", "")))
    return commands


def _open_quote(text: str) -> bool:
    try:
        shlex.split(text.replace("\\\n", ""))
    except ValueError:  # "No closing quotation"
        return True
    return False


def test_a_long_set_value_breaks_inside_its_quotes_and_yaml_reads_it_the_same() -> None:
    fix = "features.1={type: clip, columns: [radius_error, area_error], upper_quantile: 0.99}"
    text = wrapped_command(["mlcc", "train", "configs/quickstart.yaml", f"--set '{fix}'"], 40)
    assert max(len(line) for line in text.splitlines()) <= 40
    assert text.count(" \\\n") == 1  # only outside the quotes
    words = shlex.split(text.replace("\\\n", ""))
    assert words[:4] == ["mlcc", "train", "configs/quickstart.yaml", "--set"]
    assert parse_scalar(words[4].partition("=")[2]) == parse_scalar(fix.partition("=")[2])


@pytest.mark.parametrize("width", WIDTHS)
def test_compare_keeps_every_metric_name_whole(trained, width: int) -> None:
    runs = [trained[w][1] for w in WIDTHS]
    output = mlcc(width, "compare", *runs)
    assert_readable(output, width)
    payload = json.loads(mlcc(width, "compare", *runs, "--json"))
    names = {
        f"{split}_{name}"
        for run in payload["runs"]
        for split, m in run["metrics"].items()
        for name in m
    }
    assert "validation_average_precision" in names
    assert names <= set(first_cells(output))
    assert "optimizer.learning_rate" in first_cells(output)
    for number, run in enumerate(runs, start=1):
        assert f"#{number} {run}" in output  # the legend names each numbered column


@pytest.mark.parametrize("width", WIDTHS)
def test_inspect_lists_every_column_whole(folder, width: int) -> None:
    output = mlcc(width, "inspect", "builtin:breast_cancer")
    assert_readable(output, width)
    payload = json.loads(mlcc(width, "inspect", "builtin:breast_cancer", "--json"))
    columns = payload["data"]["columns"]
    numeric = [c["name"] for c in columns if c["kind"] == "numeric" and c["role"] != "label"]
    assert len(numeric) == 30
    # A row of the columns table ("name  numeric  569 ...") or the describe table ("name  14.13").
    row = re.compile(r" (\w+) +(?:numeric +)?-?\d")
    names = [match[1] for match in map(row.match, output.splitlines()) if match]
    for name in numeric:
        # Whole in the columns table and in each part of the describe table (two at 80).
        assert names.count(name) >= (3 if width == 80 else 2), name
    if width == 80:
        assert len(output.splitlines()) < 200  # was 772 with names folded a letter a line


@pytest.fixture(scope="module")
def sweep_config(folder: Path) -> Path:
    config = yaml.safe_load(QUICKSTART.read_text())
    config["training"].update(epochs=2, periods=2)
    path = folder / "small.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


@pytest.mark.parametrize("width", WIDTHS)
def test_sweep_header_names_the_swept_keys_whole(sweep_config: Path, width: int) -> None:
    output = mlcc(
        width, "sweep", sweep_config, "--runs-dir", "sweeps", "--no-plots", "--skip-existing",
        "--grid", "optimizer.learning_rate=0.01,0.1", "--grid", "training.batch_size=64",
    )  # fmt: skip
    assert_readable(output, width)
    [header] = header_cells(output)
    assert header[:2] == ["optimizer.learning_rate", "training.batch_size"]
    assert sorted(first_cells(output)) == ["0.01", "0.1"]


@pytest.mark.parametrize("width", WIDTHS)
def test_lr_find_axis_reads_in_exponents(sweep_config: Path, width: int) -> None:
    output = mlcc(width, "lr-find", sweep_config, "--runs-dir", "lr", "--min-lr", "1e-6")
    assert_readable(output, width)
    axis = next(line for line in output.splitlines() if "1e-6" in line)
    assert axis.split()[:3] == ["1e-6", "1e-5", "1e-4"]
    assert "0.00000" not in output


@pytest.mark.parametrize(
    "args",
    [
        ("datasets",),
        ("exercise", "list"),
        ("validate", str(QUICKSTART)),
        ("inspect", str(QUICKSTART)),
    ],
)
@pytest.mark.parametrize("width", WIDTHS)
def test_other_commands_fit(folder, args: tuple[str, ...], width: int) -> None:
    assert_readable(mlcc(width, *args), width)


@pytest.mark.parametrize("width", WIDTHS)
def test_exercise_show_wraps_all_but_the_config_file(folder, width: int) -> None:
    output = mlcc(width, "exercise", "show", "07_sparsity_and_l1", "--solution")
    listing = (QUICKSTART.parent / "exercises" / "07_sparsity_and_l1.yaml").read_text()
    # The config is shown verbatim (a YAML line broken in two would not paste back).
    assert_readable("\n".join(line for line in output.splitlines() if line not in listing), width)
    assert "--set 'model.l1=" in output
    task = output[: output.index("goals")].splitlines()[1:]  # below the title, above the goals
    assert len(task) >= 2 and all(line == line.rstrip() for line in task), task


@pytest.mark.parametrize("width", WIDTHS)
def test_evaluate_fits(trained, width: int) -> None:
    output = mlcc(width, "evaluate", trained[80][1], "--no-plots")
    assert_readable(output, width)
    assert "average_precision" in whole_words(output)


@pytest.mark.parametrize(
    ("value", "label"),
    [
        (1e-6, "1e-6"),
        (3.16e-5, "3.16e-5"),
        (0.001, "0.001"),
        (0.25, "0.25"),
        (1.0, "1"),
        (12_000.0, "12000"),
        (99_999.7, "1e5"),  # rounding reaches the next decade
        (2e10, "2e10"),
        (-0.5, "-0.5"),
        (0.0, "0"),
    ],
)
def test_tick_labels(value: float, label: str) -> None:
    assert tick_label(value) == label


def test_log_axis_ticks_every_decade_and_linear_ticks_stay_distinct() -> None:
    assert axis_ticks([1e-6, 10.0], log=True)[1] == [
        "1e-6",
        "1e-5",
        "1e-4",
        "0.001",
        "0.01",
        "0.1",
        "1",
        "10",
    ]
    labels = axis_ticks([0.06, 0.0612])[1]
    assert len(set(labels)) == len(labels) == 5


def test_a_wide_table_splits_into_whole_columns_repeating_its_key() -> None:
    table = Table(title="wide")
    table.add_column("name", no_wrap=True)
    for number in range(8):
        table.add_column(f"statistic_{number}", justify="right")
    table.add_row("fractal_dimension_error", *(f"{n}.123456" for n in range(8)))
    console = Console(width=60, file=io.StringIO())
    parts = fit_table(console, table)
    assert len(parts) > 1
    for part in parts:
        console.print(part)
        assert part.columns[0].header == "name"
    text = console.file.getvalue()
    assert_readable(text, 60)
    assert text.count("fractal_dimension_error") == len(parts)
    assert all(f"statistic_{n}" in text for n in range(8))


@pytest.mark.parametrize("width", [0, 1, 5])
def test_a_terminal_too_narrow_to_lay_out_gets_the_minimum_width(trained, width: int) -> None:
    """COLUMNS=0..5 crashed doctor and evaluate ('invalid width -5'); below MIN_WIDTH the
    output is laid out MIN_WIDTH wide."""
    _, run_dir = trained[80]
    for args in (("doctor", run_dir), ("evaluate", run_dir, "--no-plots")):
        output = mlcc(width, *args)  # exit code 0
        # laid out at MIN_WIDTH: only a path, never broken, may run past it
        wider = [line for line in output.splitlines() if cell_len(line.rstrip()) > MIN_WIDTH]
        assert all("/" in line for line in wider), wider
