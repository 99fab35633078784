"""Nothing typed into a config or `--set` may crash, hang or eat the machine (issue 16).

Each case runs the real CLI and checks the exit code, that no traceback shows, and that the
message names the file, line or key and the fix.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from mlcc_cli.cli import app

QUICKSTART = Path(__file__).parents[1] / "configs" / "quickstart.yaml"

# Nine levels of nine aliases: 9**9 (387 million) strings once expanded.
BOMB = "\n".join(
    ['a: &a ["x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    + [
        f"{name}: &{name} [{', '.join([f'*{previous}'] * 9)}]"
        for previous, name in zip("abcdefgh", "bcdefghi", strict=True)
    ]
)


def run(*args: str) -> tuple[int, str]:
    """Exit code and combined output of `mlcc ARGS`."""
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.output


def quickstart(tmp_path: Path, old: str = "", new: str = "") -> Path:
    """The quickstart config, with `old` replaced by `new`, written to tmp_path."""
    path = tmp_path / "experiment.yaml"
    path.write_text(QUICKSTART.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    return path


@pytest.mark.parametrize("command", ["validate", "train", "sweep"])
def test_alias_bomb_is_refused_quickly(tmp_path: Path, command: str) -> None:
    path = tmp_path / "bomb.yaml"
    path.write_text(BOMB + "\n", encoding="utf-8")
    env = {**os.environ, "COLUMNS": "200"}
    result = subprocess.run(
        [sys.executable, "-m", "mlcc_cli", command, str(path)],
        capture_output=True,
        text=True,
        timeout=20,  # expanding the bomb would take minutes and gigabytes
        env=env,
        cwd=tmp_path,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert f"{path}:2:" in result.stderr  # the line of the first alias
    assert "anchors and aliases" in result.stderr


def test_alias_bomb_in_a_set_value_names_the_option(tmp_path: Path) -> None:
    tens = ", ".join(["1"] * 10)
    value = f"[&a [{tens}], &b [{', '.join(['*a'] * 10)}], &c [{', '.join(['*b'] * 10)}], "
    value += f"&d [{', '.join(['*c'] * 10)}], [{', '.join(['*d'] * 10)}]]"
    code, output = run("validate", str(quickstart(tmp_path)), "--set", f"model.l2={value}")
    assert code == 2
    assert "Traceback" not in output
    assert "--set model.l2:" in output and "aliases" in output


def test_a_few_aliases_still_work(tmp_path: Path) -> None:
    path = quickstart(tmp_path)
    grid = "sweep:\n  grid:\n    model.l2: &rates [0.1, 0.01]\n    model.l1: *rates\n"
    path.write_text(path.read_text(encoding="utf-8") + grid, encoding="utf-8")
    code, output = run("validate", str(path))
    assert code == 0, output


def test_self_referencing_alias_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "loop.yaml"
    path.write_text("name: x\nmodel: &m {type: linear, l2: [*m]}\n", encoding="utf-8")
    code, output = run("validate", str(path))
    assert code == 2
    assert "Traceback" not in output
    assert "infinitely deep" in output


def test_deep_nesting_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "deep.yaml"
    path.write_text("name: " + "[" * 5000 + "\n", encoding="utf-8")
    code, output = run("validate", str(path))
    assert code == 2
    assert "Traceback" not in output
    assert f"{path}:1:" in output and "nests more than" in output


def test_oversized_config_file_is_refused_before_parsing(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    path.write_text("# padding\n" * 200_000, encoding="utf-8")
    code, output = run("validate", str(path))
    assert code == 2
    assert "Traceback" not in output
    assert "larger than 1 MB" in output


def test_duplicate_key_names_both_lines(tmp_path: Path) -> None:
    path = quickstart(tmp_path, "  l2: 0.001\n", "  l2: 0.001\n  l2: 0.1\n")
    code, output = run("validate", str(path))
    assert code == 2
    assert "Traceback" not in output
    assert f"{path}:15: model.l2: key 'l2' is given twice" in output
    assert "lines 14 and 15" in output


def test_duplicate_key_in_a_flow_mapping_on_one_line(tmp_path: Path) -> None:
    path = quickstart(tmp_path, "{train: 0.7,", "{train: 0.7, train: 0.6,")
    code, output = run("validate", str(path))
    assert code == 2
    assert "data.split.train: key 'train' is given twice" in output


@pytest.mark.parametrize("value", [".inf", "-.inf", ".nan"])
def test_non_finite_numbers_are_refused(tmp_path: Path, value: str) -> None:
    path = quickstart(tmp_path, "learning_rate: 0.1", f"learning_rate: {value}")
    code, output = run("validate", str(path))
    assert code == 2
    assert "Traceback" not in output
    assert f"{path}:17: optimizer.learning_rate: must be a finite number" in output
    assert "such as 0.01" in output


def test_a_config_saved_as_latin_1_names_the_line_and_how_to_convert_it(tmp_path: Path) -> None:
    text = QUICKSTART.read_text(encoding="utf-8").replace("name: quickstart", "name: café")
    path = tmp_path / "experiment.yaml"
    path.write_bytes(text.encode("latin-1"))
    line = text.splitlines().index("name: café") + 1
    code, output = run("validate", str(path))
    flat = " ".join(output.split())
    assert code == 2 and "Traceback" not in output
    assert f"{path}:{line}: cannot be read as text (byte 0xe9 is not UTF-8;" in flat
    assert "iconv -f cp1252 -t utf-8 experiment.yaml > utf8.yaml" in flat
    assert "codec" not in flat  # not Python's own words


def test_a_config_path_that_is_a_symlink_loop_says_so(tmp_path: Path) -> None:
    path = tmp_path / "experiment.yaml"
    path.symlink_to(path)
    code, output = run("validate", str(path))
    assert code == 2 and "Traceback" not in output
    assert f"{path}: is a symbolic link loop" in " ".join(output.split())
    assert "Errno" not in output


def test_a_whole_number_too_long_for_python_is_refused_where_it_is(tmp_path: Path) -> None:
    # Python refuses int() of more than 4,300 digits; PyYAML's ValueError was a traceback
    huge = "9" * 5000
    path = quickstart(tmp_path, "epochs: 20", f"epochs: {huge}")
    line = path.read_text(encoding="utf-8").splitlines().index(f"  epochs: {huge}") + 1
    for args, where in (
        ([str(path)], f"{path}:{line}"),
        ([str(QUICKSTART), "--set", f"model.l2={huge}"], "--set model.l2"),
    ):
        code, output = run("validate", *args)
        flat = " ".join(output.split())
        assert code == 2 and "Traceback" not in output, output[-2000:]
        assert f"{where}: a whole number of 5,000 digits is longer than Python reads" in flat


@pytest.mark.parametrize("command", ["train", "sweep"])
def test_a_run_name_with_accents_says_ascii(tmp_path: Path, command: str) -> None:
    # é is a letter to a reader; a run's folder name takes ASCII letters only
    grid = ["--grid", "model.l2=0,1"] if command == "sweep" else []
    runs = tmp_path / "runs"
    code, output = run(command, str(QUICKSTART), *grid, "--name", "café", "--runs-dir", str(runs))
    assert code == 2 and "Traceback" not in output
    assert "--name 'café': use ASCII letters (a-z, A-Z), digits" in " ".join(output.split())
    assert not runs.exists()


def test_set_errors_name_the_option_not_a_file_line(tmp_path: Path) -> None:
    path = quickstart(tmp_path)
    code, output = run("validate", str(path), "--set", "optimizer.learning_rate=.inf")
    assert code == 2
    assert "--set optimizer.learning_rate: must be a finite number" in output
    assert f"{path}:17" not in output


def test_rule_across_file_and_set_names_both(tmp_path: Path) -> None:
    path = quickstart(tmp_path)
    code, output = run("validate", str(path), "--set", "training.steps=5")
    assert code == 2
    assert f"{path}:18 with --set training.steps: training: give either epochs or steps" in output


def test_changed_type_blames_the_set_for_missing_keys(tmp_path: Path) -> None:
    path = quickstart(tmp_path)
    code, output = run("validate", str(path), "--set", "features.0.type=one_hot")
    assert code == 2
    assert "with --set features.0.type: features.0.columns: is required but missing" in output


def test_huge_values_are_cut_in_messages(tmp_path: Path) -> None:
    code, output = run(
        "validate", str(quickstart(tmp_path)), "--set", f"model.l2=[{', '.join(['1'] * 5000)}]"
    )
    assert code == 2
    assert len(output) < 1000


@pytest.mark.parametrize(
    ("override", "key"),
    [
        (
            "features.1={type: hash, columns: [mean_radius], buckets: 1000000000}",
            "features.1.buckets",
        ),
        (
            "features.1={type: cross, columns: [mean_radius, mean_texture], hash_buckets: 1.0e+10}",
            "features.1.hash_buckets",
        ),
        (
            "features.1={type: polynomial, columns: [a, b, c, d, e, f, g, h], degree: 60}",
            "features.1.degree",
        ),
        ("model={type: mlp, hidden_units: [100000, 100000]}", "model.hidden_units"),
        (
            "model={type: cnn, image_shape: [512, 512, 3], conv: [{filters: 100000, kernel: 3}]}",
            "model.conv.0.filters",
        ),
    ],
)
def test_sizes_over_the_memory_budget_name_the_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, override: str, key: str
) -> None:
    monkeypatch.setenv("MLCC_MEMORY_BUDGET", "4G")
    code, output = run("train", str(quickstart(tmp_path)), "--set", override)
    assert code == 2
    assert "Traceback" not in output
    assert f"{key}: " in output
    assert "MLCC_MEMORY_BUDGET=4G (4.0 GiB)" in output


def test_memory_budget_can_be_raised_or_lifted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = quickstart(tmp_path)
    wide = "model={type: mlp, hidden_units: [10000, 1000]}"  # about 390 MiB
    monkeypatch.setenv("MLCC_MEMORY_BUDGET", "100M")
    assert run("validate", str(path), "--set", wide)[0] == 2
    monkeypatch.setenv("MLCC_MEMORY_BUDGET", "none")
    assert run("validate", str(path), "--set", wide)[0] == 0
    monkeypatch.setenv("MLCC_MEMORY_BUDGET", "lots")
    code, output = run("validate", str(path))
    assert code == 2
    assert "MLCC_MEMORY_BUDGET='lots': expected a size such as 16G" in output


def test_default_budget_is_half_of_physical_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    from mlcc_cli.config.limits import memory_budget, physical_memory

    monkeypatch.delenv("MLCC_MEMORY_BUDGET", raising=False)
    total = physical_memory()
    assert memory_budget() == (total // 2 if total else None)


def test_memory_error_is_a_one_paragraph_exit_1(monkeypatch: pytest.MonkeyPatch) -> None:
    import mlcc_cli.config.loading as loading

    def exhausted(*args: object, **kwargs: object) -> None:
        raise MemoryError("Unable to allocate 74.5 GiB for an array")

    monkeypatch.setattr(loading, "load_config", exhausted)
    code, output = run("validate", str(QUICKSTART))
    assert code == 1, output
    assert "Traceback" not in output
    assert "ran out of memory (Unable to allocate 74.5 GiB" in output


def test_run_length_is_capped(tmp_path: Path) -> None:
    code, output = run(
        "validate", str(quickstart(tmp_path)), "--set", "training.epochs=1000000000000000000000000"
    )
    assert code == 2
    assert "--set training.epochs: must be <= 1,000,000" in output


def test_huge_sweep_grid_is_refused_before_expanding(tmp_path: Path) -> None:
    path = quickstart(tmp_path)
    values = ", ".join(str(i) for i in range(1000))
    grid = f"sweep:\n  grid:\n    model.l2: [{values}]\n    model.l1: [{values}]\n"
    grid += "    training.batch_size: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]\n"
    path.write_text(path.read_text(encoding="utf-8") + grid, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "mlcc_cli", "sweep", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
        env={**os.environ, "COLUMNS": "300"},
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "make 10,000,000 points, more than the 10,000" in result.stderr
    assert not (tmp_path / "runs").exists()


def test_a_network_too_wide_for_its_fitted_inputs_is_refused_before_allocating(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """hidden_units [2000] passes the config check (input width unknown), but on 100,000
    hashed input columns its first layer needs 8 GB: refused once the width is known."""
    monkeypatch.setenv("MLCC_MEMORY_BUDGET", "1G")
    path = quickstart(tmp_path)
    sets = [
        "features.1={type: hash, columns: [mean_radius], buckets: 100000}",
        "model={type: mlp, hidden_units: [2000]}",
    ]
    args = [part for setting in sets for part in ("--set", setting)]
    assert run("validate", str(path), *args)[0] == 0
    code, output = run("train", str(path), *args, "--runs-dir", str(tmp_path / "runs"))
    assert code == 2 and "Traceback" not in output
    assert "model.hidden_units: dense layers of [2000] units" in output
    assert "on 100,029 input columns" in " ".join(output.split())  # 100,000 + 29 inputs
    assert not (tmp_path / "runs").exists() or not any((tmp_path / "runs").iterdir())


@pytest.mark.parametrize(
    ("source", "advice"),
    [
        ("https://example.com/data/housing.csv?raw=1", "curl -L -o housing.csv"),
        ("s3://bucket/table.parquet", "copy it to a local file first"),
    ],
)
def test_a_remote_address_as_data_source_says_to_download_it(
    tmp_path: Path, source: str, advice: str
) -> None:
    path = quickstart(tmp_path, "builtin:breast_cancer", source)
    code, output = run("validate", str(path))
    assert code == 2 and "Traceback" not in output
    flat = " ".join(output.split())
    assert f"experiment.yaml:7: data.source: '{source}' is an address" in flat
    assert "mlcc reads local files" in flat and advice in flat


def test_a_file_uri_as_data_source_reads_that_local_file(tmp_path: Path) -> None:
    from sklearn.datasets import load_breast_cancer

    csv = tmp_path / "breast cancer.csv"  # a space: %20 in the URI
    load_breast_cancer(as_frame=True).frame.to_csv(csv, index=False)
    uri = "file://" + str(csv).replace(" ", "%20")
    path = quickstart(tmp_path, "builtin:breast_cancer", f"'{uri}'\n  label: target")
    code, output = run("validate", str(path))
    assert code == 0, output
    runs = tmp_path / "runs"
    code, output = run("train", str(path), "--quiet", "--no-plots", "--runs-dir", str(runs))
    assert code == 0, output
    saved = yaml.safe_load((next(runs.iterdir()) / "config.yaml").read_text(encoding="utf-8"))
    assert saved["data"]["source"] == str(csv)  # the run records the file it read


def test_a_file_uri_naming_another_host_is_refused(tmp_path: Path) -> None:
    path = quickstart(tmp_path, "builtin:breast_cancer", "file://fileserver/share/x.csv")
    code, output = run("validate", str(path))
    assert code == 2 and "Traceback" not in output
    flat = " ".join(output.split())
    assert "experiment.yaml:7: data.source:" in flat
    assert "names the host 'fileserver'" in flat and "mlcc reads local files" in flat
