"""The experiment file: the top-level model that puts every section together.

The field descriptions are the JSON Schema (`mlcc schema`) and the README's config reference.
Each section's models live in their own module (`data`, `features`, `models`, `optimizers`,
`training`, `sweep`, `exercise`); reading YAML, applying `--set` overrides and turning
validation errors into friendly messages live in `loading`. This module only declares what a
valid experiment is, including the rules that span sections.
"""

from __future__ import annotations

from typing import Any

from pydantic import ConfigDict, Field, model_validator

from mlcc_cli.config.base import StrictModel
from mlcc_cli.config.data import DataConfig
from mlcc_cli.config.exercise import ExerciseConfig
from mlcc_cli.config.features import FeatureStep
from mlcc_cli.config.models import ModelConfig
from mlcc_cli.config.optimizers import OptimizerConfig
from mlcc_cli.config.sweep import SweepConfig
from mlcc_cli.config.training import EvaluationConfig, TrainingConfig
from mlcc_cli.config.word2vec import is_corpus_source

# Feature steps streaming cannot run, and why (each needs the whole split at once, or changes
# the row counts the training schedule is planned from before the stream is read).
STREAMING_UNSUPPORTED = {
    "drop_duplicates": "compares every row with all earlier rows",
    "filter": "changes the row counts the schedule is planned from",
    "pca": "needs the whole training split at once",
}


EXTENDS_DESCRIPTION = (
    "Another config file this one is merged over (path relative to this file), or a list of "
    "them merged in order: mappings merge key by key, lists and values replace, a section "
    "with another `type` replaces the base's whole section. Read by the loader, so the saved "
    "config.yaml holds the merged result."
)


def _document_extends(schema: dict[str, Any]) -> None:
    """Name `extends` in the JSON Schema: the loader merges it away before validation, but an
    editor completing from `mlcc schema` should accept it."""
    path = {"type": "string", "minLength": 1}
    extends = {"anyOf": [path, {"type": "array", "items": path}], "title": "Extends"}
    schema["properties"] = {
        "extends": {**extends, "description": EXTENDS_DESCRIPTION},
        **schema["properties"],
    }


class ExperimentConfig(StrictModel):
    """One experiment: data, features, model, optimizer and training schedule."""

    model_config = ConfigDict(json_schema_extra=_document_extends)

    name: str = Field(
        "experiment",
        min_length=1,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$",
        description="Run-name prefix (letters, digits, `.`, `_`, `-`).",
    )
    seed: int = Field(42, ge=0, description="Every random choice (shuffle, split) derives from it.")
    data: DataConfig = Field(description="Data source, label and split.")
    features: list[FeatureStep] = Field(
        default_factory=list,
        description="Transforms applied in order, fitted on the training split only.",
    )
    inputs: list[str] | None = Field(
        None,
        min_length=1,
        description="Columns the model sees (default: every numeric non-label column).",
    )
    model: ModelConfig = Field(description="The model to train.")
    optimizer: OptimizerConfig = Field(description="How weights are updated.")
    training: TrainingConfig = Field(
        default_factory=TrainingConfig, description="Batching, length and reporting."
    )
    evaluation: EvaluationConfig = Field(
        default_factory=EvaluationConfig, description="Scoring settings."
    )
    sweep: SweepConfig | None = Field(
        None, description="Points for `mlcc sweep` (grid and random search); training ignores it."
    )
    exercise: ExerciseConfig | None = Field(
        None,
        description="A crash-course exercise's goal and hints (`mlcc exercise`); training "
        "ignores it.",
    )

    @model_validator(mode="after")
    def _early_stopping_needs_validation(self) -> ExperimentConfig:
        if self.training.early_stopping is not None and self.data.split.validation == 0:
            raise ValueError(
                "training.early_stopping watches validation loss, but data.split.validation is "
                "0; give validation a share of data.split, or remove training.early_stopping"
            )
        if self.data.streaming and self.training.shuffle in ("blocks", "windows"):
            raise ValueError(
                f"training.shuffle: {self.training.shuffle} applies to in-memory training; "
                "with data.streaming "
                "rows are shuffled in data.shuffle_buffer, so leave training.shuffle at auto"
            )
        if self.data.streaming:
            for index, step in enumerate(self.features):
                if step.type in STREAMING_UNSUPPORTED:
                    raise ValueError(
                        f"features.{index} ({step.type}) {STREAMING_UNSUPPORTED[step.type]}, "
                        "which a stream read chunk by chunk cannot do; set data.streaming: "
                        "false (in-memory training) or remove the step"
                    )
        if self.model.type == "multi_label" and self.data.labels is None:
            raise ValueError(
                "model.type multi_label predicts several 0/1 columns; list them in data.labels"
            )
        if self.model.type != "multi_label" and self.data.labels is not None:
            raise ValueError(
                "data.labels is for model.type multi_label; use data.label for one label column"
            )
        if self.data.label_above is not None and self.model.type != "logistic":
            raise ValueError(
                "data.label_above makes a 0/1 label for logistic regression, but model.type is "
                f"{self.model.type}; set model.type: logistic or remove data.label_above"
            )
        if self.data.stratify and self.model.type == "linear":
            raise ValueError(
                "data.stratify keeps class ratios equal across splits, which needs a "
                "classification model; set data.stratify: false for linear regression"
            )
        if self.model.type == "word2vec":
            _check_word2vec(self)
        elif is_corpus_source(self.data.source):
            raise ValueError(
                f"data.source {self.data.source!r} is a text corpus (one sentence per line), "
                f"which only model.type word2vec learns from; model.type {self.model.type} "
                "needs a .csv or .parquet table (or a builtin table, see `mlcc datasets`)"
            )
        return self


def _check_word2vec(config: ExperimentConfig) -> None:
    """word2vec learns from the words of the `text` column alone: no label, no feature steps."""
    unused = {
        "data.label": config.data.label is not None,
        "data.stratify": config.data.stratify,
        "data.streaming": config.data.streaming,
        "features": bool(config.features),
        "inputs": config.inputs is not None,
    }
    for key, set_ in unused.items():
        if set_:
            raise ValueError(
                f"{key} does not apply to model.type word2vec, which learns from the sentences "
                "of the source's `text` column alone (each word predicts its neighbours); "
                f"remove {key}"
            )
