"""What `mlcc train` shows of a cnn: its layer table, its first filters and feature maps.

The layer table comes from `model.layer_summary` (models that have none print no table);
plots/filters.png and plots/feature_maps.png from `model.image_views` of a few validation
images (models that look at no images draw neither).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from typer.testing import CliRunner

from mlcc_cli.cli import app
from mlcc_cli.models.linear import LogisticRegression
from mlcc_cli.models.nn import Cnn, Mlp

ROOT = Path(__file__).resolve().parents[1]
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
runner = CliRunner()

# digits_cnn.yaml: 8×8×1 → conv 3×3, 8 filters, same → 2×2 max pool → dense 32 → 10 classes.
DIGITS_LAYERS = [
    ("input", "(8, 8, 1)", 0),
    ("conv 3×3, 8 filters, same, relu", "(8, 8, 8)", 3 * 3 * 1 * 8 + 8),
    ("max pool 2×2", "(4, 4, 8)", 0),
    ("flatten", "128", 0),
    ("dense 32, relu", "32", 128 * 32 + 32),
    ("output (softmax)", "10", 32 * 10 + 10),
]


def train(config: str, tmp_path: Path, *overrides: str) -> tuple[str, Path]:
    """`mlcc train configs/CONFIG` into tmp_path/runs: its output and the run directory."""
    args = ["train", str(ROOT / "configs" / config), "--runs-dir", str(tmp_path / "runs")]
    result = runner.invoke(app, [*args, *overrides])
    assert result.exit_code == 0, result.output
    (run_dir,) = (tmp_path / "runs").iterdir()
    return result.output, run_dir


def test_the_cnn_layer_summary_counts_every_weight_and_bias() -> None:
    net = Cnn(conv=[{"filters": 8, "kernel": 3, "pool": 2}], hidden_units=[32], task="multiclass")
    assert net.layer_summary(n_classes=10) == DIGITS_LAYERS
    net.initialize(64, 10)
    assert sum(row[2] for row in DIGITS_LAYERS) == sum(p.size for p in net.params.values())


def test_a_strided_valid_convolution_says_so_and_shrinks_the_image() -> None:
    net = Cnn(
        image_shape=(9, 9, 3),
        conv=[{"filters": 4, "kernel": 3, "stride": 2, "padding": "valid"}],
        task="binary",
    )
    rows = net.layer_summary()
    assert rows[1] == ("conv 3×3, 4 filters, valid, stride 2, relu", "(4, 4, 4)", 27 * 4 + 4)
    assert rows[-1] == ("output (sigmoid)", "1", 64 + 1)


def test_models_without_layers_or_images_answer_none() -> None:
    for model in (LogisticRegression(), Mlp(hidden_units=[4])):
        assert model.layer_summary() is None
        assert model.image_views(np.zeros((2, 3))) is None


def test_cnn_training_prints_the_layer_table_and_draws_filters_and_feature_maps(
    tmp_path: Path,
) -> None:
    output, run_dir = train("digits_cnn.yaml", tmp_path, "--set", "training.epochs=1")
    lines = output.splitlines()
    schedule = next(i for i, line in enumerate(lines) if line.startswith("schedule"))
    layers = next(i for i, line in enumerate(lines) if line.startswith("Layers"))
    assert layers > schedule
    for name, shape, count in DIGITS_LAYERS:
        row = next(line for line in lines[layers:] if f" {name} " in line)
        assert [cell.strip() for cell in row.strip("│ ").split("│")] == [name, shape, f"{count:,}"]
    total = next(line for line in lines[layers:] if "total" in line)
    assert "4,538" in total  # 80 + 4,128 + 330
    for name in ("filters.png", "feature_maps.png"):
        picture = (run_dir / "plots" / name).read_bytes()
        assert picture.startswith(PNG_SIGNATURE)
        assert len(picture) > 5_000


def test_a_logistic_run_prints_no_layer_table_and_draws_no_filters(tmp_path: Path) -> None:
    output, run_dir = train("quickstart.yaml", tmp_path)
    assert "Layers" not in output
    assert "parameters" not in output
    assert not (run_dir / "plots" / "filters.png").exists()
    assert not (run_dir / "plots" / "feature_maps.png").exists()
