"""The compiled softmax / one-vs-all kernel against the numpy reference, and engine choice."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from mlcc_cli.config.training import TrainingConfig
from mlcc_cli.errors import ConfigError
from mlcc_cli.models.multiclass import OneVsAll, Softmax
from mlcc_cli.optim.sgd import SGD
from mlcc_cli.training.engine import choose_engine
from mlcc_cli.training.loop import train

MODELS = {"softmax": Softmax, "one_vs_all": OneVsAll}
PENALTIES = {"none": (0.0, 0.0), "l1": (0.01, 0.0), "l2": (0.0, 0.01), "l1+l2": (0.01, 0.01)}
BATCHES = [1, 7, 32, "full"]
N_CLASSES = 4


def _problem() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(11)
    X = rng.normal(size=(200, 6))  # (n, d)
    X[:, 5] = rng.normal(size=200) * 5  # a badly scaled column, so clipping engages
    scores = X @ rng.normal(size=(6, N_CLASSES)) + 0.5 * rng.normal(size=(200, N_CLASSES))
    return X, np.argmax(scores, axis=1).astype(np.float64)


def _trained(model_type: str, penalty: str, clip: float | None, batch, engine: str, **kwargs):
    X, y = _problem()
    l1, l2 = PENALTIES[penalty]
    model = MODELS[model_type](l1=l1, l2=l2).initialize(X.shape[1], N_CLASSES)
    optimizer = SGD(learning_rate=kwargs.pop("learning_rate", 0.05), clip_norm=clip)
    config = TrainingConfig(
        batch_size=batch, engine=engine, **({"epochs": 3, "periods": 3} | kwargs)
    )
    result = train(model, optimizer, X, y, X[:50], y[:50], config, np.random.default_rng(4))
    return model, result


@pytest.mark.parametrize("batch", BATCHES)
@pytest.mark.parametrize("clip", [None, 1.0])
@pytest.mark.parametrize("penalty", list(PENALTIES))
@pytest.mark.parametrize("model_type", list(MODELS))
def test_compiled_equals_numpy_reference(model_type: str, penalty: str, clip, batch) -> None:
    reference, reference_result = _trained(model_type, penalty, clip, batch, "numpy")
    compiled, compiled_result = _trained(model_type, penalty, clip, batch, "compiled")
    assert compiled_result.settings["engine"] == "compiled"
    np.testing.assert_allclose(compiled.coef_, reference.coef_, rtol=0, atol=1e-10)
    np.testing.assert_allclose(compiled.intercept_, reference.intercept_, rtol=0, atol=1e-10)
    assert compiled.nonzero_weights() == reference.nonzero_weights()
    for ours, theirs in zip(compiled_result.history, reference_result.history, strict=True):
        assert (ours.step, ours.examples_seen) == (theirs.step, theirs.examples_seen)
        assert ours.grad_norm == pytest.approx(theirs.grad_norm, abs=1e-10)
        assert ours.train_loss == pytest.approx(theirs.train_loss, abs=1e-10)


@pytest.mark.parametrize("model_type", list(MODELS))
def test_block_shuffle_engines_agree(model_type: str) -> None:
    reference, _ = _trained(model_type, "l1+l2", 1.0, 32, "numpy", shuffle="blocks")
    compiled, _ = _trained(model_type, "l1+l2", 1.0, 32, "compiled", shuffle="blocks")
    np.testing.assert_allclose(compiled.coef_, reference.coef_, rtol=0, atol=1e-10)


@pytest.mark.parametrize("model_type", list(MODELS))
def test_compiled_divergence_is_reported_like_numpy(model_type: str) -> None:
    statuses = []
    for engine in ("numpy", "compiled"):
        _, result = _trained(
            model_type, "none", None, 4, engine, learning_rate=1e306, epochs=5, periods=5
        )
        last_step = result.history[-1].step if result.history else None
        statuses.append((result.status, last_step, result.message.split(" with ")[0]))
    assert statuses[0] == statuses[1]
    assert statuses[0][0] == "diverged"


def test_auto_picks_the_kernel_for_dense_full_softmax_and_one_vs_all_only() -> None:
    dense, sparse = np.zeros((3, 2)), sp.csr_matrix(np.zeros((3, 2)))
    sgd = SGD(0.1)
    for model in (Softmax(), OneVsAll()):
        assert choose_engine("auto", model, sgd, dense) == "compiled"
        assert choose_engine("auto", model, sgd) == "compiled"  # X unknown: dense assumed
        assert choose_engine("auto", model, sgd, sparse) == "numpy"
        assert choose_engine("auto", model, SGD(0.1, momentum=0.9), dense) == "numpy"
        with pytest.raises(ConfigError, match="sparse X"):
            choose_engine("compiled", model, sgd, sparse)
    sampled = Softmax(sampled_softmax={"num_sampled": 2})
    assert choose_engine("auto", sampled, sgd, dense) == "numpy"
