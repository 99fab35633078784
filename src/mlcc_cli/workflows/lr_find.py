"""The learning-rate range test (Smith 2017, "Cyclical Learning Rates"; fast.ai's lr_find).

Train briefly from fresh weights, raising the learning rate geometrically at every step from
`min_lr` to `max_lr`:  η_k = min_lr · (max_lr / min_lr)^(k / (steps − 1)),  k = 0 … steps−1.
The batch loss is smoothed with a bias-corrected exponential moving average
(s_k = β·s_{k−1} + (1 − β)·loss_k, reported as s_k / (1 − β^(k+1)), β = 0.98 as in fast.ai).
The test stops early once the smoothed loss exceeds 4× its best value or a batch loss is not
finite: the rate is then far too high. The suggestion is the rate where the smoothed loss
falls fastest, i.e. the minimum of d(smoothed loss)/d(log₁₀ η) — a difference across ± 5% of
the points — over the steps after the first 10% (where the average still rests on a few noisy
batches) and before the blow-up:
large enough to learn quickly, still well below where training blows up.

Each step reads the training batch size, or MIN_BATCH rows when the batch is smaller: on a
batch of 5 the smoothed loss is still mostly noise after 100 steps, and its steepest "fall"
lands anywhere.

As in fast.ai, loss_k is measured on batch k before its update, so it reflects the rates up
to η_{k−1}; the one-step lag is negligible on a geometric grid of ~100 steps.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np

from mlcc_cli.config.loading import LoadedConfig, resolved_yaml
from mlcc_cli.data.split_table import referenced_columns
from mlcc_cli.errors import ConfigError
from mlcc_cli.optim.registry import build_optimizer
from mlcc_cli.optim.schedules import LearningRateSchedule
from mlcc_cli.rundir.files import run_dir_name
from mlcc_cli.rundir.plots import draw_lr_find
from mlcc_cli.rundir.staging import create_staging, discard_staging, publish
from mlcc_cli.rundir.storage import fit_name, storage_error
from mlcc_cli.training.in_memory import build_initial_model
from mlcc_cli.training.loop import as_arrays
from mlcc_cli.training.preparation import prepare_design
from mlcc_cli.training.schedule import plan_schedule
from mlcc_cli.training.steps import apply_l1
from mlcc_cli.workflows.lr_range import check_range, coarse_grid_warnings

SMOOTHING = 0.98  # β of the moving average (fast.ai's value)
DIVERGENCE_FACTOR = 4.0  # stop once the smoothed loss exceeds this multiple of its best
# Share of the first steps left out of the suggestion: there the moving average rests on a
# handful of batches and its noise looks like steep descent (fast.ai's skip_start).
SKIP_START = 0.1
SLOPE_WINDOW = 0.05  # the slope spans ± this share of the points
# A batch of a few rows is so noisy that 100 smoothed steps still show noise, not the rate:
# the test reads at least this many rows per step (training itself keeps its batch size).
MIN_BATCH = 32


@dataclass
class LrFindResult:
    """The range test's curve and suggestion.

    Attributes
    ----------
    learning_rates, losses, smoothed_losses : one entry per step taken, shape (n_steps,).
    suggestion : the learning rate of steepest descent, or None if the loss never fell.
    stop_reason : why the test ended ("reached max_lr", "loss exceeded 4× its best", ...).
    batch_size, run_batch_size : rows the test read per step, and the configured training's
        (fewer when it is under MIN_BATCH).
    """

    learning_rates: list[float]
    losses: list[float]
    smoothed_losses: list[float]
    suggestion: float | None
    stop_reason: str
    min_lr: float
    max_lr: float
    steps: int
    loss_name: str = "loss"
    folder: Path | None = None
    warnings: list[str] = field(default_factory=list)
    batch_size: int | None = None
    run_batch_size: int | None = None

    @property
    def plot_path(self) -> Path | None:
        return None if self.folder is None else self.folder / "plots" / "lr_find.png"

    def to_json(self) -> dict[str, Any]:
        """The one object `mlcc lr-find --json` prints (non-finite losses become null)."""
        points = [
            {"learning_rate": rate, "loss": _finite(loss), "smoothed_loss": _finite(smooth)}
            for rate, loss, smooth in zip(
                self.learning_rates, self.losses, self.smoothed_losses, strict=True
            )
        ]
        return {
            "run_dir": None if self.folder is None else str(self.folder),
            "plot": None if self.plot_path is None else str(self.plot_path),
            "suggestion": self.suggestion,
            "stop_reason": self.stop_reason,
            "min_lr": self.min_lr,
            "max_lr": self.max_lr,
            "steps": self.steps,
            "points": points,
            "warnings": self.warnings,
        }


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None


def learning_rate_grid(min_lr: float, max_lr: float, steps: int) -> np.ndarray:
    """η_k = min_lr · (max_lr / min_lr)^(k / (steps − 1)), shape (steps,)."""
    return np.geomspace(min_lr, max_lr, steps)


def steepest_descent(learning_rates: np.ndarray, smoothed: np.ndarray) -> float | None:
    """The rate where d(smoothed)/d(log₁₀ η) is most negative; None if the loss never falls.

    The slope at step k is taken across k ± w, w = SLOPE_WINDOW of the points (at least 1):
    between neighbours, the leftover batch noise of a barely moving loss can out-slope the
    real fall that comes later.
    """
    if len(smoothed) < 3:
        return None
    w = max(1, int(SLOPE_WINDOW * len(smoothed)))
    if len(smoothed) <= 2 * w:
        w = 1
    log_rates = np.log10(learning_rates)
    slope = (smoothed[2 * w :] - smoothed[: -2 * w]) / (log_rates[2 * w :] - log_rates[: -2 * w])
    index = int(np.argmin(slope))
    return float(learning_rates[index + w]) if slope[index] < 0 else None


def range_test(
    loaded: LoadedConfig, min_lr: float = 1e-6, max_lr: float = 10.0, steps: int = 100
) -> LrFindResult:
    """Run the range test on the config's training split, model and optimizer (no files)."""
    check_range(min_lr, max_lr, steps)
    config = loaded.config
    if config.data.streaming:
        raise ConfigError("lr-find reads the data in memory; set data.streaming: false")
    prepared = prepare_design(config, loaded.folder, referenced_columns(config), for_doctor=False)
    X, y = as_arrays(prepared.X["train"], prepared.y["train"], "training")
    model = build_initial_model(config, prepared)
    if model.n_features_in_ is None:
        model.initialize(X.shape[1])
    model.validate_targets(y)
    optimizer = build_optimizer(config.optimizer)
    # The test sets η itself each step: the config's decay or warm-up would distort the grid.
    optimizer.schedule = LearningRateSchedule()
    training = config.training
    run_batch_size = plan_schedule(
        X.shape[0], training.batch_size, training.epochs, training.steps, training.periods
    ).batch_size
    batch_size = min(max(run_batch_size, MIN_BATCH), X.shape[0])
    # Same seed stream as training's shuffle, so the test sees batches like a real run's.
    _, train_seed = np.random.SeedSequence(config.seed).spawn(2)
    rng = np.random.default_rng(train_seed)

    grid = learning_rate_grid(min_lr, max_lr, steps)
    rates: list[float] = []
    losses: list[float] = []
    smoothed: list[float] = []
    average, best = 0.0, math.inf
    order, cursor = rng.permutation(X.shape[0]), 0
    stop_reason = f"reached --max-lr {max_lr:g}"
    # The test drives the loss to blow up on purpose and detects it below; numpy's overflow
    # warnings on the way (a huge model.l2 too) would only say so less clearly.
    with np.errstate(over="ignore", invalid="ignore"):
        for k, rate in enumerate(grid):
            if cursor >= X.shape[0]:  # a new epoch: reshuffle
                order, cursor = rng.permutation(X.shape[0]), 0
            rows = order[cursor : cursor + batch_size]
            cursor += batch_size
            X_batch = X[rows]
            loss, grads = model.loss_and_gradients(X_batch, y[rows])
            rates.append(float(rate))
            losses.append(float(loss))
            if not math.isfinite(loss):
                smoothed.append(math.inf)
                stop_reason = f"batch loss not finite at learning rate {rate:.3g}"
                break
            average = SMOOTHING * average + (1 - SMOOTHING) * loss
            smooth = average / (1 - SMOOTHING ** (k + 1))  # bias correction of the zero start
            smoothed.append(smooth)
            if smooth > DIVERGENCE_FACTOR * best:
                stop_reason = f"loss exceeded {DIVERGENCE_FACTOR:g}× its best at {rate:.3g}"
                break
            best = min(best, smooth)
            optimizer.learning_rate = float(rate)
            optimizer.step(model.params, grads)
            if model.l1 > 0:
                apply_l1(model, optimizer, X_batch)
    # The last point of a stopped test is the blow-up itself: keep it in the curve, but
    # look for the steepest descent only before it.
    usable = len(smoothed) - (0 if stop_reason.startswith("reached") else 1)
    first = max(1, int(SKIP_START * steps))
    suggestion = steepest_descent(np.array(rates[first:usable]), np.array(smoothed[first:usable]))
    return LrFindResult(
        learning_rates=rates,
        losses=losses,
        smoothed_losses=smoothed,
        suggestion=suggestion,
        stop_reason=stop_reason,
        min_lr=min_lr,
        max_lr=max_lr,
        steps=steps,
        warnings=[*prepared.warnings, *coarse_grid_warnings(min_lr, max_lr, steps)],
        batch_size=batch_size,
        run_batch_size=run_batch_size,
    )


def _lr_find_name(loaded: LoadedConfig) -> str:
    return fit_name(f"{loaded.config.name}-lr-find")


def stage_lr_find(loaded: LoadedConfig, runs_dir: Path) -> Path:
    """The staging folder the lr-find results will be written into, made before the range
    test so an unwritable RUNS_DIR fails before any training (MlccError)."""
    return create_staging(runs_dir, _lr_find_name(loaded))


def write_lr_find(
    result: LrFindResult, loaded: LoadedConfig, runs_dir: Path, staging: Path | None = None
) -> Path:
    """Write `RUNS_DIR/NAME-lr-find-…/` (config.yaml, lr_find.json, plots/lr_find.png)
    atomically: staged in a hidden folder (`staging`, from `stage_lr_find`, or made here),
    renamed into place once complete under a name not taken before."""

    name = _lr_find_name(loaded)
    staging = staging or create_staging(runs_dir, name)
    now = datetime.now()
    planned = runs_dir / run_dir_name(name, now)
    result.folder = planned  # paths in lr_find.json name the final folder
    try:
        (staging / "plots").mkdir()
        (staging / "config.yaml").write_text(resolved_yaml(loaded.config), encoding="utf-8")
        payload = json.dumps(result.to_json(), indent=2, allow_nan=False) + "\n"
        (staging / "lr_find.json").write_text(payload, encoding="utf-8")
        finite = [i for i, s in enumerate(result.smoothed_losses) if math.isfinite(s)]
        draw_lr_find(
            staging / "plots" / "lr_find.png",
            [result.learning_rates[i] for i in finite],
            [result.smoothed_losses[i] for i in finite],
            result.suggestion,
        )
        # The recorded name first; should it be taken meanwhile, a fresh random suffix.
        names = iter([planned.name])
        final = publish(staging, lambda: next(names, None) or run_dir_name(name, now))
    except OSError as error:
        result.folder = None
        discard_staging(staging)
        raise storage_error("--runs-dir", runs_dir, error) from None
    except BaseException:
        result.folder = None
        discard_staging(staging)
        raise
    if final != planned:  # the name was taken meanwhile: say where it really is
        result.folder = final
        (final / "lr_find.json").write_text(
            json.dumps(result.to_json(), indent=2, allow_nan=False) + "\n", encoding="utf-8"
        )
    return final
