"""The learning-rate range test's range: which (min_lr, max_lr, steps) it can sweep, and when
its geometric grid is too coarse to trust the suggestion it gives."""

from __future__ import annotations

import math

from mlcc_cli.errors import ConfigError

# Each step is one batch at one rate; beyond this the curve gains nothing and the test runs
# for minutes.
MAX_STEPS = 100_000


def check_range(min_lr: float, max_lr: float, steps: int) -> None:
    """Reject a range the test cannot sweep (ConfigError, exit 2)."""
    if not (math.isfinite(min_lr) and min_lr > 0):
        raise ConfigError(f"--min-lr: {min_lr:g} must be a positive number")
    if not math.isfinite(max_lr):
        raise ConfigError(f"--max-lr: {max_lr:g} is not a finite number; give one, e.g. 10")
    if max_lr <= min_lr:
        raise ConfigError(f"--max-lr: {max_lr:g} must be greater than --min-lr {min_lr:g}")
    if steps < 3:
        raise ConfigError(f"--steps: {steps} is too few; the test needs at least 3 (try 100)")
    if steps > MAX_STEPS:
        raise ConfigError(
            f"--steps: {steps:,} is more than a range test needs (at most {MAX_STEPS:,}; "
            "100 to 1,000 steps trace the curve)"
        )


# Below this many steps per decade neighbouring rates differ over √10 ≈ 3.2×: the suggestion
# cannot even tell apart the course's 0.001, 0.003, 0.01 grid. The default range and steps
# (1e-6 to 10 in 100) take about 14 a decade.
MIN_STEPS_PER_DECADE = 2.0
STEPS_PER_DECADE_ADVISED = 10


def coarse_grid_warnings(min_lr: float, max_lr: float, steps: int) -> list[str]:
    """A warning when (steps − 1) / log₁₀(max_lr / min_lr) steps a decade is under
    MIN_STEPS_PER_DECADE, saying how many steps, or what range, would trace the curve."""
    decades = math.log10(max_lr) - math.log10(min_lr)  # the ratio itself can overflow
    per_decade = (steps - 1) / decades
    if per_decade >= MIN_STEPS_PER_DECADE:
        return []
    needed = math.ceil(STEPS_PER_DECADE_ADVISED * decades) + 1
    more = f" or give --steps {needed:,} ({STEPS_PER_DECADE_ADVISED} a decade)"
    return [
        f"--steps {steps:,} over the {decades:.3g} decades from --min-lr {min_lr:g} to "
        f"--max-lr {max_lr:g} is {per_decade:.2g} steps a decade: neighbouring rates differ "
        f"{10 ** (1 / per_decade):.3g}×, too coarse to trust the suggestion; narrow the range "
        "to where the loss moves (the default 1e-06 to 10)" + (more if needed <= MAX_STEPS else "")
    ]
