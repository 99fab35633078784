"""Property-based fuzzing (hypothesis) of everything a user can hand mlcc: configs, `--set`
strings, CSV contents and damaged run directories.

The property, for every generated input: the exit code is 0, 1 or 2 (or 130/143 for signals,
which nothing here sends), no traceback is printed or raised, no file appears or changes
outside the runs folder (except the inputs the example itself wrote), and the run trained
before the examples is byte-for-byte unchanged.

`make test` runs a few derandomised examples per property (MLCC_FUZZ_EXAMPLES, default 12);
`make fuzz` runs many more, randomised (MLCC_FUZZ_EXAMPLES=300 MLCC_FUZZ_RANDOM=1).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import string
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner, Result

from mlcc_cli.cli import app

EXAMPLES = int(os.environ.get("MLCC_FUZZ_EXAMPLES", "12"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=not os.environ.get("MLCC_FUZZ_RANDOM"),
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    print_blob=True,
)
runner = CliRunner()

BASE = {
    "name": "fuzz",
    "data": {"source": "data.csv", "label": "y", "split": {"train": 0.8, "validation": 0.2}},
    "features": [{"type": "zscore"}],
    "model": {"type": "linear"},
    "optimizer": {"type": "sgd", "learning_rate": 0.05},
    "training": {"batch_size": 16, "epochs": 2},
}
KEYS = [
    "name",
    "seed",
    "data",
    "data.source",
    "data.label",
    "data.split",
    "data.split.train",
    "data.split.validation",
    "data.split.test",
    "data.missing",
    "data.shuffle",
    "data.label_scale",
    "data.streaming",
    "features",
    "features.0",
    "features.0.type",
    "features.0.columns",
    "features.1",
    "model",
    "model.type",
    "model.hidden_units",
    "model.activation",
    "model.l1",
    "model.l2",
    "model.dropout",
    "optimizer.type",
    "optimizer.learning_rate",
    "optimizer.clip_norm",
    "optimizer.momentum",
    "training.epochs",
    "training.steps",
    "training.batch_size",
    "training.periods",
    "training.early_stopping",
    "training.early_stopping.patience",
    "evaluation.threshold",
    "zzz_unknown",
]
# Values of every YAML kind, extremes included; sizes stay small enough that a missing
# resource guard shows as a failure, not as a machine brought to its knees.
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**6), max_value=10**6),
    st.sampled_from([0, -1, 1, 2, 3, 1e308, -1e308, 1e-320, 10**30]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.sampled_from(["linear", "logistic", "softmax", "mlp", "cnn", "zscore", "y", "x0", "full"]),
)
VALUES = st.one_of(
    SCALARS,
    st.lists(SCALARS, max_size=4),
    st.dictionaries(st.text(max_size=6), SCALARS, max_size=3),
)


def _digest(folder: Path, skip: tuple[str, ...] = ()) -> dict[str, str]:
    """sha256 of every file below `folder`, by relative path, leaving out the `skip` folders."""
    found = {}
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if relative.parts and relative.parts[0] in skip:
            continue
        if path.is_file() and not path.is_symlink():
            found[str(relative)] = hashlib.sha256(path.read_bytes()).hexdigest()
        elif not path.is_dir():
            found[str(relative)] = "special"
    return found


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A folder with a small data file, a config and one run trained before any example."""
    root = tmp_path_factory.mktemp("fuzz")
    rng = np.random.default_rng(0)
    x = rng.normal(size=(120, 3))
    y = x @ np.array([1.0, -2.0, 0.5]) + rng.normal(scale=0.1, size=120)
    table = np.column_stack([x, y])
    rows = ["x0,x1,x2,y", *(",".join(f"{v:.6g}" for v in row) for row in table)]
    (root / "data.csv").write_text("\n".join(rows) + "\n")
    (root / "exp.yaml").write_text(yaml.safe_dump(BASE, sort_keys=False))
    (root / "inputs").mkdir()
    with _inside(root):
        result = runner.invoke(app, ["train", "exp.yaml", "--runs-dir", "runs"])
    assert result.exit_code == 0, result.output
    yield root


@contextmanager
def _inside(folder: Path) -> Iterator[None]:
    """Run with `folder` as the working directory, so relative writes land where we look."""
    before = Path.cwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(before)


def _earlier_run(root: Path) -> Path:
    return next(p for p in (root / "runs").iterdir() if p.is_dir() and not p.name.startswith("."))


def _invoke(root: Path, args: list[str]) -> Result:
    """Run the CLI in `root` and check the fuzzing property."""
    earlier = _earlier_run(root)
    run_files, outside = _digest(earlier), _digest(root, skip=("runs", "inputs"))
    with _inside(root):
        result = runner.invoke(app, args)
    shown = " ".join(args)[:300]
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"mlcc {shown}: raised {result.exception!r}") from result.exception
    assert result.exit_code in (0, 1, 2), f"mlcc {shown}: exit {result.exit_code}"
    event(f"mlcc {args[0]}: exit {result.exit_code}")  # --hypothesis-show-statistics
    if result.exit_code and os.environ.get("MLCC_FUZZ_REASONS"):  # which errors, roughly
        event(f"mlcc {args[0]}: {' '.join(result.output.split())[7:70]}")
    assert "Traceback" not in result.output, f"mlcc {shown}:\n{result.output}"
    assert _digest(earlier) == run_files, f"mlcc {shown} changed the earlier run"
    assert _digest(root, skip=("runs", "inputs")) == outside, f"mlcc {shown} wrote outside runs/"
    return result


def _set(config: dict[str, Any], key: str, value: Any) -> None:
    """config[key] = value for a dotted key, creating mappings (and list items) on the way."""
    node: Any = config
    parts = key.split(".")
    for part in parts[:-1]:
        if isinstance(node, list) and part.isdigit():
            while len(node) <= int(part):
                node.append({})
            node = node[int(part)]
        elif isinstance(node, dict):
            if not isinstance(node.get(part), dict | list):
                node[part] = {}
            node = node[part]
        else:
            return
    last = parts[-1]
    if isinstance(node, list) and last.isdigit():
        while len(node) <= int(last):
            node.append({})
        node[int(last)] = value
    elif isinstance(node, dict):
        node[last] = value


def _config(mutations: list[tuple[str, Any]]) -> dict[str, Any]:
    config = yaml.safe_load(yaml.safe_dump(BASE))
    for key, value in mutations:
        _set(config, key, value)
    config["data"] = config.get("data") if isinstance(config.get("data"), dict) else {}
    return config


MUTATIONS = st.lists(st.tuples(st.sampled_from(KEYS), VALUES), min_size=1, max_size=3)
# Values a user would plausibly write, so that many generated configs get as far as training
# (arbitrary values mostly stop at validation): every model family, odd but valid schedules,
# splits with empty parts, and rates from crawling to diverging.
PLAUSIBLE = {
    "model": st.sampled_from(
        [
            {"type": "linear", "l1": 0.01},
            {"type": "logistic"},
            {"type": "softmax"},
            {"type": "mlp", "hidden_units": [4]},
            {"type": "mlp", "hidden_units": [8, 4], "dropout": 0.5, "batch_norm": True},
            {"type": "poisson"},
        ]
    ),
    "optimizer": st.sampled_from(
        [
            {"type": "sgd", "learning_rate": 1e-7},
            {"type": "sgd", "learning_rate": 10.0},
            {"type": "adam", "learning_rate": 1e8},
            {"type": "adam", "learning_rate": 0.01, "clip_norm": 1.0},
            {"type": "sgd", "learning_rate": 0.1, "momentum": 0.9},
        ]
    ),
    "training": st.sampled_from(
        [
            {"batch_size": 1, "epochs": 1},
            {"batch_size": "full", "steps": 3},
            {"batch_size": 1000, "epochs": 2, "periods": 1},
            {"batch_size": 8, "epochs": 3, "early_stopping": {"patience": 1}},
        ]
    ),
    "data.split": st.sampled_from(
        [
            {"train": 1.0, "validation": 0.0},
            {"train": 0.98, "validation": 0.01, "test": 0.01},
            {"train": 0.5, "validation": 0.5},
        ]
    ),
    "data.missing": st.sampled_from(["error", "drop", "mean", "median"]),
    "data.label_scale": st.sampled_from([1e-300, 1e300, 0.001]),
    "features": st.sampled_from(
        [
            [],
            [{"type": "log", "columns": ["x0"]}],
            [{"type": "clip", "columns": ["x1"], "upper_quantile": 0.5}, {"type": "zscore"}],
            [
                {
                    "type": "bucketize",
                    "columns": ["x2"],
                    "strategy": "boundaries",
                    "boundaries": [0.0],
                }
            ],
            [{"type": "polynomial", "columns": ["x0", "x1"], "degree": 3}],
        ]
    ),
}
PLAUSIBLE_MUTATIONS = st.lists(
    st.sampled_from(sorted(PLAUSIBLE)).flatmap(lambda key: st.tuples(st.just(key), PLAUSIBLE[key])),
    min_size=1,
    max_size=4,
)


@FUZZ
@given(mutations=MUTATIONS)
def test_generated_configs_are_validated_without_a_traceback(
    workspace: Path, mutations: list[tuple[str, Any]]
) -> None:
    path = workspace / "inputs" / "config.yaml"
    path.write_text(yaml.safe_dump(_config(mutations), sort_keys=False, allow_unicode=True))
    _invoke(workspace, ["validate", str(path)])


@FUZZ
@given(mutations=st.one_of(PLAUSIBLE_MUTATIONS, MUTATIONS))
def test_generated_configs_train_or_fail_cleanly(
    workspace: Path, mutations: list[tuple[str, Any]]
) -> None:
    config = _config(mutations)
    if isinstance(config.get("data"), dict) and config["data"].get("source") == "data.csv":
        config["data"]["source"] = str(workspace / "data.csv")
    path = workspace / "inputs" / "config.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True))
    _invoke(workspace, ["train", str(path), "--runs-dir", "runs"])


KEY_TEXT = st.text(alphabet=string.ascii_letters + string.digits + "._-[]", max_size=30)
VALUE_TEXT = st.text(max_size=30)


@FUZZ
@given(
    key=st.one_of(st.sampled_from(KEYS), KEY_TEXT),
    value=st.one_of(VALUE_TEXT, VALUES.map(lambda v: yaml.safe_dump(v).strip())),
    separator=st.sampled_from(["=", "=", "", " = ", "=="]),
)
def test_set_strings_are_applied_or_refused_cleanly(
    workspace: Path, key: str, value: str, separator: str
) -> None:
    _invoke(workspace, ["validate", "exp.yaml", "--set", f"{key}{separator}{value}"])


CELLS = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.sampled_from(["", "inf", "-inf", "nan", "1e308", "NaN", "NULL", '"', "a,b", "1", "0"]),
    st.text(max_size=8),
)


@st.composite
def csv_files(draw: st.DrawFn) -> bytes:
    """CSV-ish bytes: a header, ragged rows of odd cells, sometimes bytes that are not UTF-8."""
    header = draw(
        st.lists(st.sampled_from(["x0", "x1", "x2", "y", "", "y", "é"]), min_size=0, max_size=6)
    )
    rows = draw(st.lists(st.lists(CELLS, max_size=8), max_size=12))
    text = "\n".join([",".join(header), *(",".join(row) for row in rows)])
    data = text.encode("utf-8", errors="surrogatepass")
    if draw(st.booleans()):
        at = draw(st.integers(min_value=0, max_value=len(data)))
        data = data[:at] + draw(st.binary(min_size=1, max_size=8)) + data[at:]
    return data


@FUZZ
@given(content=csv_files())
def test_odd_csv_files_are_read_or_refused_cleanly(workspace: Path, content: bytes) -> None:
    data = workspace / "inputs" / "odd.csv"
    data.write_bytes(content)
    config = yaml.safe_load(yaml.safe_dump(BASE))
    config["data"]["source"] = str(data)
    path = workspace / "inputs" / "odd.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    _invoke(workspace, ["inspect", str(data)])
    _invoke(workspace, ["train", str(path), "--runs-dir", "runs"])
    _invoke(workspace, ["predict", str(_earlier_run(workspace)), str(data)])


DAMAGE = st.sampled_from(["delete", "truncate", "garbage", "empty-json", "null-json", "folder"])


@FUZZ
@given(
    damages=st.lists(
        st.tuples(st.integers(min_value=0, max_value=10**6), DAMAGE, st.binary(max_size=64)),
        min_size=1,
        max_size=3,
    )
)
def test_damaged_run_directories_are_read_or_refused_cleanly(
    workspace: Path, damages: list[tuple[int, str, bytes]]
) -> None:
    damaged = workspace / "inputs" / "damaged"
    shutil.rmtree(damaged, ignore_errors=True)
    shutil.copytree(_earlier_run(workspace), damaged)
    files = sorted(p for p in damaged.rglob("*") if p.is_file())
    for index, how, garbage in damages:
        if not files:
            break
        target = files[index % len(files)]
        if not target.is_file():
            continue
        if how == "delete":
            target.unlink()
        elif how == "truncate":
            target.write_bytes(target.read_bytes()[: len(garbage)])
        elif how == "garbage":
            target.write_bytes(garbage)
        elif how == "empty-json":
            target.write_text("{}")
        elif how == "null-json":
            target.write_text("null")
        else:  # a folder where a file was
            target.unlink()
            target.mkdir()
    data = str(workspace / "data.csv")
    _invoke(workspace, ["doctor", str(damaged)])
    _invoke(workspace, ["evaluate", str(damaged), "--no-plots"])
    _invoke(workspace, ["predict", str(damaged), data])
    _invoke(workspace, ["compare", str(damaged), str(_earlier_run(workspace))])
