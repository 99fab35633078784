"""Config schema, YAML positions, `--set` overrides and the wording of validation errors."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from cli_helpers import mlcc
from mlcc_cli.config.base import union_tags
from mlcc_cli.config.experiment import ExperimentConfig
from mlcc_cli.config.features import FeatureStep
from mlcc_cli.config.loading import check_run_name, load_config, resolved_yaml
from mlcc_cli.config.models import ModelConfig
from mlcc_cli.config.optimizers import OptimizerConfig
from mlcc_cli.config.overrides import apply_override
from mlcc_cli.errors import ConfigError
from mlcc_cli.training.loop import plan_schedule

CONFIGS = sorted((Path(__file__).parent.parent / "configs").glob("*.yaml"))

MINIMAL = """\
data:
  source: builtin:diabetes
model:
  type: linear
optimizer:
  type: sgd
  learning_rate: 0.1
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "exp.yaml"
    path.write_text(text)
    return path


def problems_of(path: Path, overrides: list[str] | None = None) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load_config(path, overrides or [])
    return caught.value.problems or [str(caught.value)]


@pytest.mark.parametrize("path", CONFIGS, ids=lambda p: p.name)
def test_every_shipped_config_validates(path: Path) -> None:
    loaded = load_config(path)
    assert loaded.config.name


def test_defaults_are_filled_and_resolved_yaml_round_trips(tmp_path: Path) -> None:
    loaded = load_config(write(tmp_path, MINIMAL))
    config = loaded.config
    assert config.training.batch_size == 32
    assert config.data.split.train == 0.8
    schedule = plan_schedule(100, config.training.batch_size, None, None, 10)
    assert schedule.total_steps == 10 * 4  # 10 epochs by default, 4 batches of 32 each
    again = ExperimentConfig.model_validate(yaml.safe_load(resolved_yaml(config)))
    assert again == config


def test_misspelt_key_names_line_and_suggestion(tmp_path: Path) -> None:
    path = write(tmp_path, MINIMAL + "  learnin_rate: 0.1\n")
    assert problems_of(path) == [
        f"{path}:8: optimizer.learnin_rate: unknown key 'learnin_rate'; "
        "did you mean 'learning_rate'?"
    ]


@pytest.mark.parametrize(
    ("override", "expected"),
    [
        ("optimizer.learning_rate=-1", "--set optimizer.learning_rate: must be > 0, got -1"),
        ("model.type=tree", "model.type: unknown type 'tree'; must be one of 'linear', 'logistic'"),
        ("data.missing=fill", "data.missing: must be one of 'error', 'drop', 'mean' or 'median'"),
        ("data.split.train=0.5", "data.split: train + validation + test must sum to 1, got 0.7"),
        ("training.batch_size=0", "training.batch_size: must be a whole number >= 1 or 'full'"),
        ("training.steps=5", "give either epochs or steps, not both"),
        ("model.l2=lots", "model.l2: input should be a valid number"),
        ("name=has space", "name: must start with a letter or digit"),
        ("name=café", "name: must start with a letter or digit and use only ASCII letters"),
        (
            "training.shuffle=columns",
            "training.shuffle: must be one of 'auto', 'rows', 'windows' or 'blocks'",
        ),
    ],
)
def test_schema_errors_name_the_dotted_key(tmp_path: Path, override: str, expected: str) -> None:
    path = write(tmp_path, MINIMAL + "training:\n  epochs: 3\n")
    assert any(expected in p for p in problems_of(path, [override])), problems_of(path, [override])


def test_every_problem_is_listed_at_once(tmp_path: Path) -> None:
    text = MINIMAL.replace("learning_rate: 0.1", "learning_rate: 0") + "seed: -1\nbogus: 1\n"
    problems = problems_of(write(tmp_path, text))
    assert len(problems) == 3
    assert problems[0].startswith(f"{tmp_path / 'exp.yaml'}:")


def test_missing_required_section(tmp_path: Path) -> None:
    problems = problems_of(write(tmp_path, "data: {source: builtin:iris}\n"))
    assert any("model: is required but missing" in p for p in problems)
    assert any("optimizer: is required but missing" in p for p in problems)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("data: [1, 2\n", "exp.yaml:2:1: YAML syntax error"),
        ("data:\n  source: a\n   label: b\n", "exp.yaml:3:"),
        ("", "the config file is empty"),
        ("- 1\n- 2\n", "the config must be a mapping"),
    ],
)
def test_yaml_errors_give_file_line_column(tmp_path: Path, text: str, expected: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, text))
    assert expected in str(caught.value)


def test_missing_config_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="config file not found"):
        load_config(tmp_path / "nope.yaml")


def test_set_parses_yaml_scalars_and_list_items() -> None:
    data = {"features": [{"type": "clip", "max": 5}], "training": {"batch_size": 8}}
    apply_override(data, "features.0.max=4")
    apply_override(data, "training.batch_size=full")
    apply_override(data, "training.early_stopping.patience=2")
    apply_override(data, "seed=007")
    apply_override(data, "data.stratify=true")
    assert data["features"][0]["max"] == 4
    assert data["training"] == {"batch_size": "full", "early_stopping": {"patience": 2}}
    assert data["seed"] == 7
    assert data["data"] == {"stratify": True}


def test_set_appends_a_list_item_at_the_next_index() -> None:
    data = {"features": [{"type": "clip"}]}
    apply_override(data, "features.1={type: zscore, columns: [a]}")
    assert data["features"] == [{"type": "clip"}, {"type": "zscore", "columns": ["a"]}]
    empty: dict = {}  # a config without features: starts the list
    apply_override(empty, "features.0={type: zscore}")
    assert empty == {"features": [{"type": "zscore"}]}


@pytest.mark.parametrize(
    ("assignment", "expected"),
    [
        ("features.3.max=4", "'features' has 1 item (0 to 0, or 1 to add one at the end)"),
        ("features.1.max=4", "there is no item 1"),  # appending needs a whole item
        ("features.2={type: zscore}", "there is no item 2"),
        ("features.max=4", "'features' is a list; use an item number"),
        ("seed.value=1", "'seed' is a value, not a section"),
        ("novalue", "expected KEY=VALUE"),
        ("a..b=1", "empty part between dots"),
    ],
)
def test_set_on_impossible_paths(assignment: str, expected: str) -> None:
    data = {"features": [{"type": "clip"}], "seed": 1}
    with pytest.raises(ConfigError) as caught:
        apply_override(data, assignment)
    assert expected in str(caught.value)


def test_set_on_unknown_key_is_reported_as_from_set(tmp_path: Path) -> None:
    problems = problems_of(write(tmp_path, MINIMAL), ["optimizer.decay=0.9"])
    assert problems == [
        "--set optimizer.decay: unknown key 'decay'; allowed keys: "
        "type, learning_rate, clip_norm, schedule, momentum, nesterov"
    ]


def test_a_misspelt_top_level_key_from_set_is_blamed_on_set_alone(tmp_path: Path) -> None:
    # It named a line of the file ("exp.yaml:1 with --set modl.l2") that never held the key.
    result = mlcc("validate", write(tmp_path, MINIMAL), "--set", "modl.l2=1")
    assert result.exit_code == 2
    assert "  --set modl.l2: modl: unknown key 'modl'; did you mean 'model'?" in result.stderr
    assert "exp.yaml:1" not in result.stderr and " with --set" not in result.stderr


def test_registries_are_checked_against_union_tags() -> None:
    assert union_tags(ModelConfig) == (
        "linear",
        "logistic",
        "poisson",
        "softmax",
        "one_vs_all",
        "multi_label",
        "mlp",
        "cnn",
        "word2vec",
    )
    assert union_tags(OptimizerConfig) == ("sgd", "adagrad", "adam", "ftrl")
    assert "zscore" in union_tags(FeatureStep)


def test_every_schema_field_has_a_description() -> None:
    schema = ExperimentConfig.model_json_schema()
    missing = []
    for section_name, section in [("", schema), *schema["$defs"].items()]:
        for field_name, spec in section.get("properties", {}).items():
            if "description" not in spec:
                missing.append(f"{section_name}.{field_name}")
    assert missing == []


def test_run_name_check() -> None:
    check_run_name("lr-0.01")
    with pytest.raises(ConfigError, match="--name"):
        check_run_name("../escape")
