"""The dotted keys `--set`/`--grid` complete to, read from the config models and a config file."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlcc_cli.config.keys import keys_below
from mlcc_cli.config.overrides import apply_override
from mlcc_cli.config.yaml_reading import read_yaml

ROOT = Path(__file__).resolve().parent.parent


def texts(typed: str, data: dict | None = None) -> list[str]:
    return [choice.text for choice in keys_below(typed, data)]


def quickstart() -> dict:
    data, _ = read_yaml(ROOT / "configs" / "quickstart.yaml")
    return data


def test_top_level_keys_are_the_experiment_fields_sections_ending_in_a_dot() -> None:
    assert texts("") == [
        "name=",
        "seed=",
        "data.",
        "features.",
        "inputs=",
        "model.",
        "optimizer.",
        "training.",
        "evaluation.",
        "sweep.",
        "exercise.",
    ]


def test_every_completed_key_with_its_current_value_passes_validation() -> None:
    """Each offered key set to the value offered as the config's (or the default) validates."""
    from mlcc_cli.config.loading import override_and_validate

    data = quickstart()
    sections = ("", "optimizer.", "training.", "evaluation.", "data.", "data.split.", "features.0.")
    keys = {choice.text for section in sections for choice in keys_below(section, data)}
    assignments = [
        value.text
        for key in sorted(k for k in keys if k.endswith("="))
        for value in keys_below(key, data)
        if value.help  # the value now in force, not merely an allowed word
    ]
    assert len(assignments) > 15 and "data.split.train=0.7" in assignments
    for assignment in assignments:
        override_and_validate(quickstart(), [assignment], Path("quickstart.yaml"))


def test_list_items_come_from_the_config_file_and_the_next_one_appends() -> None:
    data = quickstart()
    data["features"].append({"type": "clip", "columns": ["mean radius"], "max": 20})
    assert texts("features.", data) == ["features.0.", "features.1.", "features.2="]
    assert {"features.1.columns=", "features.1.max="} <= set(texts("features.1.", data))
    assert "features.1.max=" not in texts("features.0.", data)  # zscore has no max
    assert texts("features.7.", data) == []  # no such item in the file


def test_a_tagged_union_offers_the_chosen_variant_or_every_variant() -> None:
    data = quickstart()  # model.type: logistic
    assert "model.hidden_units=" not in texts("model.", data)
    apply_override(data, "model.type=mlp")  # a --set typed earlier on the command line
    assert "model.hidden_units=" in texts("model.", data)
    everything = texts("model.", None)  # no config: the keys of every model
    assert {"model.hidden_units=", "model.l2=", "model.window="} <= set(everything)
    (tag,) = [choice for choice in keys_below("model.", None) if choice.text == "model.type="]
    assert "logistic" in tag.help and "mlp" in tag.help


def test_a_lone_section_opens_so_the_shell_does_not_end_the_word() -> None:
    assert texts("opt", quickstart())[:2] == ["optimizer.type=", "optimizer.learning_rate="]
    assert texts("data.sp", quickstart()) == [
        "data.split.train=",
        "data.split.validation=",
        "data.split.test=",
    ]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        # a lone value key comes with what may follow its `=`: the config's value ...
        ("optimizer.learning_r", ["optimizer.learning_rate=", "optimizer.learning_rate=0.1"]),
        # ... or a Literal's words, the config's marked, and the default when the file is silent
        ("model.type=l", ["model.type=linear", "model.type=logistic"]),
        ("data.strat", ["data.stratify=", "data.stratify=true", "data.stratify=false"]),
        (
            "training.engine=",
            ["training.engine=auto", "training.engine=compiled", "training.engine=numpy"],
        ),
        ("features.0.type=z", ["features.0.type=zscore"]),
        ("seed.", []),  # a value has no keys below it
        ("nope", []),
    ],
)
def test_values_after_the_equals_sign(typed: str, expected: list[str]) -> None:
    assert texts(typed, quickstart()) == expected


def test_help_is_the_first_sentence_of_the_field_description() -> None:
    (rate, current) = keys_below("optimizer.learning_rate", quickstart())
    assert rate.help.startswith("Step size") and "\n" not in rate.help
    assert current.help == "the config's"
    (default,) = [c for c in keys_below("training.engine=", quickstart()) if c.help]
    assert default.text == "training.engine=auto" and default.help == "the default"
