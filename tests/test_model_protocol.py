"""Ask the model, not its tag: what every model class declares, and who reads it.

Every registered model answers the protocol in `models/base.py`; the training loop, the
engine, streaming, the run directory and the doctor read those answers instead of comparing
`model.type`. A new model (say Poisson regression) then needs its config class, its model
class and its registry entry, nothing else.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from mlcc_cli.config.base import union_tags
from mlcc_cli.config.experiment import ExperimentConfig
from mlcc_cli.config.models import (
    CnnConfig,
    LinearConfig,
    LogisticConfig,
    MlpConfig,
    ModelConfig,
    MultiLabelConfig,
    OneVsAllConfig,
    PoissonConfig,
    SoftmaxConfig,
)
from mlcc_cli.config.training import TrainingConfig
from mlcc_cli.config.word2vec import Word2VecConfig
from mlcc_cli.data.labels import resolve_task
from mlcc_cli.errors import ConfigError
from mlcc_cli.models.linear import LinearRegression
from mlcc_cli.models.nn import Mlp
from mlcc_cli.models.registry import (
    MODELS,
    build_model,
    model_class,
    model_from_settings,
    streaming_model_tags,
)
from mlcc_cli.optim.sgd import SGD
from mlcc_cli.training.engine import choose_engine
from mlcc_cli.training.loop import train
from mlcc_cli.training.streaming.scoring import start_scores
from mlcc_cli.training.streaming.session import check_streaming_model
from mlcc_cli.training.streaming.source import DesignChunk
from mlcc_cli.training.streaming.splits import TRAIN

CONFIGS: dict[str, ModelConfig] = {
    "linear": LinearConfig(type="linear"),
    "logistic": LogisticConfig(type="logistic"),
    "poisson": PoissonConfig(type="poisson"),
    "softmax": SoftmaxConfig(type="softmax"),
    "one_vs_all": OneVsAllConfig(type="one_vs_all"),
    "multi_label": MultiLabelConfig(type="multi_label"),
    "mlp": MlpConfig(type="mlp", hidden_units=[3], task="regression"),
    "cnn": CnnConfig(
        type="cnn", image_shape=[4, 4, 1], conv=[{"filters": 2, "kernel": 3}], task="binary"
    ),
    "word2vec": Word2VecConfig(type="word2vec"),
}
TASKS = {"regression", "binary", "multiclass", "multilabel", "embedding"}


def test_every_registered_tag_has_a_config_here() -> None:
    assert set(CONFIGS) == set(MODELS) == set(union_tags(ModelConfig))


@pytest.mark.parametrize("tag", list(CONFIGS))
def test_every_model_answers_the_protocol(tag: str) -> None:
    model = build_model(CONFIGS[tag], task=CONFIGS[tag].task)
    assert model_class(CONFIGS[tag]) is type(model) is MODELS[tag]
    assert model.type == tag
    assert model.task in TASKS
    assert isinstance(model.loss_name, str) and model.loss_name
    assert isinstance(model.loss_label, str) and model.loss_label
    assert model.kernel is None or isinstance(model.kernel, str)
    assert model.kernel not in MODELS  # kernel keys name the maths, not the tag
    assert isinstance(model.supports_streaming, bool)
    assert model.trains_on in ("table", "corpus")
    assert isinstance(model.layer_diagnostics, bool)
    assert isinstance(model.divergence_advice(), str)
    assert all(isinstance(fix, str) and "=" in fix for fix in model.underfitting_fixes())
    assert all(isinstance(fix, str) and "=" in fix for fix in model.overfitting_fixes())


@pytest.mark.parametrize("tag", list(CONFIGS))
def test_the_config_task_is_the_model_task(tag: str) -> None:
    config = CONFIGS[tag]
    assert build_model(config, task=config.task).task == config.task
    if tag not in ("mlp", "cnn"):  # the networks' task is a config key, with `auto`
        assert config.task == MODELS[tag].task


def test_compiled_kernels_know_every_declared_kernel() -> None:
    from mlcc_cli.training.kernels import kinds

    declared = {build_model(c, task=c.task).kernel for c in CONFIGS.values()} - {None}
    known = kinds.MODEL_KINDS | kinds.MULTICLASS_MODEL_KINDS | kinds.MLP_MODEL_KINDS
    assert declared == set(known)


def test_sampled_softmax_has_no_kernel() -> None:
    sampled = build_model(SoftmaxConfig(type="softmax", sampled_softmax={"num_sampled": 2}))
    assert sampled.kernel is None
    assert choose_engine("auto", sampled, SGD(0.1)) == "numpy"


def test_an_unknown_kernel_key_runs_numpy() -> None:
    class Undeclared(LinearRegression):
        kernel = "no_such_kernel"

    assert choose_engine("auto", Undeclared(), SGD(0.1)) == "numpy"
    with pytest.raises(ConfigError, match=r"training\.engine"):
        choose_engine("compiled", Undeclared(), SGD(0.1))


def test_build_model_hands_task_and_seed_to_the_network_only() -> None:
    network = build_model(MlpConfig(type="mlp", hidden_units=[2]), task="binary", seed=7)
    assert (network.task, network.seed) == ("binary", 7)
    linear = build_model(LinearConfig(type="linear", l2=0.5), task="binary", seed=7)
    assert linear.task == "regression" and not hasattr(linear, "seed")
    saved = model_from_settings({"type": "mlp", "hidden_units": [2], "task": "auto"}, task="x")
    assert saved.task == "x"
    with pytest.raises(KeyError):
        model_from_settings({"type": "tree"})


def test_resolve_task_asks_the_config() -> None:
    labels = pd.Series(["a", "b", "c"])
    assert resolve_task(LinearConfig(type="linear"), labels) == "regression"
    assert resolve_task(MultiLabelConfig(type="multi_label"), labels) == "multilabel"
    assert resolve_task(MlpConfig(type="mlp", hidden_units=[2]), labels) == "multiclass"


def test_predict_scores_follow_the_task() -> None:
    X = np.array([[0.5, -1.0], [2.0, 0.0], [-1.0, 1.0]])
    for tag in ("linear", "logistic"):
        model = MODELS[tag]().initialize(2)
        model.coef_[:] = [1.0, -0.5]
        expected = model.predict(X) if tag == "linear" else model.predict_proba(X)[:, 1]
        np.testing.assert_array_equal(model.predict_scores(X), expected)
    softmax = MODELS["softmax"]().initialize(2, 3)
    np.testing.assert_array_equal(softmax.predict_scores(X), softmax.predict_proba(X))


def test_doctor_fixes_come_from_the_model() -> None:
    assert LinearRegression().underfitting_fixes() == ("model={type: mlp, hidden_units: [16, 8]}",)
    assert MODELS["softmax"]().underfitting_fixes() == ()
    assert Mlp([4, 2]).underfitting_fixes() == ("model.hidden_units=[8, 4]",)
    assert Mlp([4]).overfitting_fixes() == ("model.dropout=0.2",)
    assert Mlp([4], dropout=0.1).overfitting_fixes() == ()
    assert LinearRegression().overfitting_fixes() == ()


def _config(**model: object) -> ExperimentConfig:
    return ExperimentConfig.model_validate(
        {
            "name": "s",
            "data": {"source": "rows.csv", "label": "y", "streaming": True},
            "model": model,
            "optimizer": {"type": "sgd", "learning_rate": 0.1},
        }
    )


def test_streaming_support_is_the_model_classes_word() -> None:
    assert streaming_model_tags() == ["linear", "logistic", "poisson"]
    check_streaming_model(_config(type="linear"))
    supported = r"data\.streaming supports linear, logistic and poisson models"
    with pytest.raises(ConfigError, match=supported):
        check_streaming_model(_config(type="softmax"))


class _DoubledLoss(LinearRegression):
    """Linear regression reporting twice the MSE as its loss: RMSE is no longer √loss."""

    loss_name = "doubled squared error"

    def loss(self, X: np.ndarray, y: np.ndarray) -> float:
        return 2.0 * super().loss(X, y)


def test_rmse_is_measured_when_the_loss_is_not_the_squared_error() -> None:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 2))
    y = X @ np.array([1.0, -2.0]) + 0.1 * rng.normal(size=40)
    config = TrainingConfig(batch_size=8, epochs=2, periods=2, engine="numpy")
    model = _DoubledLoss()
    result = train(model, SGD(0.05), X, y, X, y, config, np.random.default_rng(0))
    last = result.history[-1]
    rmse = math.sqrt(float(np.mean((model.predict(X) - y) ** 2)))
    assert last.metrics["train_rmse"] == pytest.approx(rmse, rel=1e-12)
    assert last.train_loss == pytest.approx(2 * rmse**2, rel=1e-12)
    # Streaming scores the same way, from its running sums.
    scores = start_scores(model, "regression", 0.5, np.random.default_rng(0))
    scores.add(model, DesignChunk(TRAIN, X, y, np.arange(40)))
    assert scores.evaluation().metrics["train_rmse"] == pytest.approx(rmse, rel=1e-12)
