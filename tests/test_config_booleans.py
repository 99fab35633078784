"""A boolean is never a number: `learning_rate: yes` is refused, not trained at rate 1.0.

YAML 1.1 reads yes/no, on/off and true/false as booleans, and pydantic's lax mode would read
them as 1 and 0; `StrictModel` refuses them in every numeric key (config/booleans.py). The
schema walk below covers every key, so a key added later cannot slip through.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError
from tests.cli_helpers import experiment, mlcc

from mlcc_cli.config.base import StrictModel
from mlcc_cli.config.booleans import MisplacedBoolean, NotABoolean
from mlcc_cli.config.experiment import ExperimentConfig
from mlcc_cli.config.loading import load_config

QUICKSTART = Path(__file__).parents[1] / "configs" / "quickstart.yaml"
YAML_NOTE = "(YAML reads yes/no, on/off and true/false as booleans)"


def _config_classes() -> dict[str, type[BaseModel]]:
    """Every config section class by name (the JSON Schema's `$defs` titles)."""
    found: dict[str, type[BaseModel]] = {"ExperimentConfig": ExperimentConfig}
    pending: list[type[BaseModel]] = [StrictModel]
    while pending:
        for subclass in pending.pop().__subclasses__():
            assert subclass.__name__ not in found or found[subclass.__name__] is subclass
            found[subclass.__name__] = subclass
            pending.append(subclass)
    return found


def _boolean_for_a_number(schema: dict[str, Any]) -> Any:
    """A value putting a boolean where this JSON Schema takes only a number (True, [True] or
    {"key": True}), or None when it takes booleans or no numbers at all."""
    options = schema.get("anyOf", [schema])
    kinds = {option.get("type") for option in options}
    if "boolean" in kinds:
        return None
    if kinds & {"integer", "number"}:
        return True
    for option in options:
        items = option.get("items") if option.get("type") == "array" else None
        if isinstance(items, dict) and (inner := _boolean_for_a_number(items)) is not None:
            return [inner]
        values = option.get("additionalProperties") if option.get("type") == "object" else None
        if isinstance(values, dict) and (inner := _boolean_for_a_number(values)) is not None:
            return {"key": inner}
    return None


def _every_key() -> list[tuple[str, type[BaseModel], str, dict[str, Any]]]:
    """(section title, its class, key, the key's JSON Schema) for every key of every section."""
    schema = ExperimentConfig.model_json_schema()
    sections = {"ExperimentConfig": schema, **schema["$defs"]}
    classes = _config_classes()
    return [
        (title, classes[title], key, property_schema)
        for title, section in sections.items()
        for key, property_schema in section.get("properties", {}).items()
    ]


def _refusals(model: type[BaseModel], key: str, sample: Any, marker: type) -> list[Any]:
    """The markers (`marker`) of the errors validating {key: sample} raises at `key`."""
    with pytest.raises(ValidationError) as raised:
        model.model_validate({key: sample})
    errors = raised.value.errors()
    return [e["input"] for e in errors if e["loc"][:1] == (key,) and isinstance(e["input"], marker)]


def test_no_numeric_key_of_any_section_accepts_a_boolean() -> None:
    checked = []
    for title, model, key, property_schema in _every_key():
        sample = _boolean_for_a_number(property_schema)
        if sample is None:
            continue
        refusals = _refusals(model, key, sample, MisplacedBoolean)
        assert refusals, f"{title}.{key} accepts {sample!r}"
        assert "not the boolean true" in refusals[0].message
        checked.append(f"{title}.{key}")
    # every section's numbers: learning rates, penalties, counts, bounds, sweep ranges ...
    assert len(checked) >= 90
    for expected in ("SGDConfig.learning_rate", "TrainingConfig.epochs", "MlpConfig.hidden_units"):
        assert expected in checked


def _validate(tmp_path: Path, **sections: object) -> tuple[int, str, Path]:
    path = experiment(tmp_path, **sections)
    result = mlcc("validate", path)
    return result.exit_code, result.output, path


def test_set_boolean_learning_rate_is_refused_with_an_example() -> None:
    result = mlcc("validate", QUICKSTART, "--set", "optimizer.learning_rate=yes")
    assert result.exit_code == 2
    assert (
        "--set optimizer.learning_rate: must be a number such as 0.01, not the boolean true "
        + YAML_NOTE
    ) in " ".join(result.output.split())
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("written", "line", "message"),
    [
        (
            "  learning_rate: 0.1",
            "  learning_rate: yes",
            "optimizer.learning_rate: must be a number such as 0.01",
        ),
        ("  epochs: 20", "  epochs: on", "training.epochs: must be a whole number such as 10"),
    ],
)
def test_boolean_in_the_file_names_the_line(
    tmp_path: Path, written: str, line: str, message: str
) -> None:
    text = QUICKSTART.read_text(encoding="utf-8").replace(written, line)
    path = tmp_path / "exp.yaml"
    path.write_text(text, encoding="utf-8")
    result = mlcc("validate", path)
    number = text.splitlines().index(line) + 1
    assert result.exit_code == 2
    assert f"{path}:{number}: {message}, not the boolean true" in " ".join(result.output.split())


@pytest.mark.parametrize(
    ("sections", "key"),
    [
        ({"model": {"type": "logistic", "l2": False}}, "model.l2: must be a number such as 0.01"),
        (
            {"data": {"source": "builtin:breast_cancer", "split": {"train": True}}},
            "data.split.train: must be a number such as 0.8",
        ),
        (
            {
                "features": [
                    {"type": "bucketize", "columns": ["mean_radius"], "boundaries": [1, True]}
                ]
            },
            "features.0.boundaries.1: must be a number",
        ),
        (
            {"features": [{"type": "impute", "strategy": "constant", "fill_value": True}]},
            'features.0.fill_value: must be a number such as 0.01 or "text" in quotes',
        ),
        (
            {"model": {"type": "mlp", "hidden_units": [8, True]}},
            "model.hidden_units.1: must be a whole number",
        ),
        (
            {"model": {"type": "mlp", "hidden_units": [8], "embeddings": {"mean_radius": True}}},
            "model.embeddings.mean_radius: must be a whole number",
        ),
        (
            {
                "optimizer": {
                    "type": "sgd",
                    "learning_rate": 0.1,
                    "schedule": {"type": "step", "drop_every": True},
                }
            },
            "optimizer.schedule.drop_every: must be a whole number such as 10",
        ),
        (
            {
                "exercise": {
                    "title": "t",
                    "lesson": "l",
                    "task": "t",
                    "goals": [{"metric": "validation.auc", "min": True}],
                }
            },
            "exercise.goals.0.min: must be a number",
        ),
        (
            {
                "sweep": {
                    "random": {
                        "trials": True,
                        "params": {"model.l2": {"type": "uniform", "low": 0, "high": 1}},
                    }
                }
            },
            "sweep.random.trials: must be a whole number",
        ),
        (
            {
                "sweep": {
                    "random": {
                        "trials": 2,
                        "params": {"model.l2": {"type": "uniform", "low": False, "high": 1}},
                    }
                }
            },
            "sweep.random.params.model.l2.low: must be a number",
        ),
    ],
)
def test_boolean_in_any_section_is_refused(tmp_path: Path, sections: dict, key: str) -> None:
    code, output, path = _validate(tmp_path, **sections)
    flat = " ".join(output.split())
    assert code == 2
    assert f"{key}" in flat and "not the boolean" in flat and YAML_NOTE in flat
    assert f"{path}:" in flat
    assert "Traceback" not in output


def test_numbers_written_every_usual_way_are_still_accepted(tmp_path: Path) -> None:
    # An integer for a float key, YAML 1.1's `1e-3` (read as text) and a quoted number.
    text = QUICKSTART.read_text(encoding="utf-8")
    text = text.replace("learning_rate: 0.1", "learning_rate: 1e-3").replace("l2: 0.001", "l2: 1")
    text = text.replace("epochs: 20", 'epochs: "12"')
    path = tmp_path / "exp.yaml"
    path.write_text(text, encoding="utf-8")
    assert mlcc("validate", path).exit_code == 0
    config = load_config(path).config
    assert config.optimizer.learning_rate == 0.001
    assert config.model.l2 == 1.0  # type: ignore[union-attr]
    assert config.training.epochs == 12


@pytest.mark.parametrize(
    ("value", "said"),
    [
        ("2", "not the number 2"),
        ("abc", "got 'abc'"),
        ("0.5", "not the number 0.5"),
        ("1", "not the number 1; write true"),
        ("0", "not the number 0; write false"),
        ("0.0", "not the number 0; write false"),
        ('"1"', "got '1'"),
        ("t", "got 't'"),
        ("n", "got 'n'"),
    ],
)
def test_boolean_keys_refuse_numbers_and_other_words(value: str, said: str) -> None:
    # pydantic's lax mode alone would read 1, 0, 0.0, "1", "t" and "n" as booleans
    result = mlcc("validate", QUICKSTART, "--set", f"data.stratify={value}")
    assert result.exit_code == 2
    flat = " ".join(result.output.split())
    assert f"--set data.stratify: must be true or false, {said}" in flat
    assert "Traceback" not in result.output


@pytest.mark.parametrize(("value", "read"), [("yes", True), ("off", False), ('"True"', True)])
def test_boolean_keys_take_yaml_booleans_also_quoted(value: str, read: bool) -> None:
    result = mlcc("validate", QUICKSTART, "--set", f"data.stratify={value}")
    assert result.exit_code == 0, result.output
    config = load_config(QUICKSTART, [f"data.stratify={value}"]).config
    assert config.data.stratify is read


def test_a_number_for_a_boolean_in_the_file_names_the_line(tmp_path: Path) -> None:
    path = experiment(tmp_path, data={"source": "builtin:breast_cancer", "stratify": 1})
    result = mlcc("validate", path)
    number = path.read_text(encoding="utf-8").splitlines().index("  stratify: 1") + 1
    assert result.exit_code == 2
    flat = " ".join(result.output.split())
    assert f"{path}:{number}: data.stratify: must be true or false, not the number 1;" in flat


def _number_for_a_boolean(schema: dict[str, Any]) -> bool:
    """Whether this JSON Schema takes booleans and neither numbers nor text."""
    kinds = {option.get("type") for option in schema.get("anyOf", [schema])}
    return "boolean" in kinds and not kinds & {"integer", "number", "string"}


def test_no_boolean_key_of_any_section_accepts_a_number() -> None:
    checked = []
    for title, model, key, property_schema in _every_key():
        if not _number_for_a_boolean(property_schema):
            continue
        for sample in (1, 0, 1.0, "1", "t", "n"):
            refusals = _refusals(model, key, sample, NotABoolean)
            assert refusals, f"{title}.{key} accepts {sample!r}"
            assert refusals[0].message.startswith("must be true or false")
        for word in (True, "yes", "Off"):
            try:
                model.model_validate({key: word})
            except ValidationError as error:
                assert all(e["loc"][:1] != (key,) for e in error.errors()), (title, key)
        checked.append(f"{title}.{key}")
    # stratify, shuffle, streaming, restore_best, nesterov, log1p, batch_norm, ...
    assert len(checked) >= 8
    for expected in (
        "DataConfig.stratify",
        "EarlyStoppingConfig.restore_best",
        "SGDConfig.nesterov",
    ):
        assert expected in checked


@pytest.mark.parametrize(
    ("grid", "option", "where"),
    [
        (
            {"optimizer.learning_rate": [0.1, True]},
            [],
            "sweep.grid.optimizer.learning_rate: the value true would make the config",
        ),
        (None, ["--grid", "optimizer.learning_rate=0.1,on"], "--grid optimizer.learning_rate=on"),
    ],
)
def test_sweep_boolean_value_is_refused_before_training(
    tmp_path: Path, grid: dict | None, option: list[str], where: str
) -> None:
    path = experiment(tmp_path, **({"sweep": {"grid": grid}} if grid else {}))
    runs = tmp_path / "runs"
    result = mlcc("sweep", path, *option, "--runs-dir", runs)
    flat = " ".join(result.output.split())
    assert result.exit_code == 2
    assert where in flat
    assert "must be a number such as 0.01, not the boolean true" in flat
    assert not runs.exists()  # nothing trained


def test_infinite_sweep_value_gets_one_clear_message(tmp_path: Path) -> None:
    path = experiment(tmp_path, sweep={"grid": {"optimizer.learning_rate": [float("inf")]}})
    result = mlcc("validate", path)
    flat = " ".join(result.output.split())
    assert result.exit_code == 2
    assert "sweep.grid.optimizer.learning_rate.0: must be a finite number, got inf" in flat
    # not also "must be true or false", "must be text", ... from the other kinds a value takes
    assert "1 problem in the config" in flat and "must be text" not in flat


def test_whole_number_in_e_notation_says_how_to_write_it() -> None:
    result = mlcc("validate", QUICKSTART, "--set", "training.epochs=1e3")
    flat = " ".join(result.output.split())
    assert result.exit_code == 2
    assert "--set training.epochs: must be a whole number written in digits, got '1e3'" in flat
    assert "(write 1000)" in flat
