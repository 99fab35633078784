"""The penalty keys' descriptions, shared by every `model:` section that has them."""

from __future__ import annotations

from typing import Literal

L1 = "L1 strength λ₁: penalty λ₁·Σ|w| (exact zeros)."
L2 = "L2 strength λ₂: penalty λ₂·Σw²."
L1_METHOD = (
    "How the optimizer applies L1 after each step: `exact` soft-thresholds every weight by "
    "η·λ₁ (the proximal step); `cumulative` penalises only the weights the batch touches, "
    "each by the penalty it is owed so far (Tsuruoka et al. 2009, as scikit-learn's "
    "SGDClassifier): faster on sparse data and, at a constant rate, closer to the L1 optimum "
    "(weights that belong at 0 stay there)."
)
L1Method = Literal["exact", "cumulative"]
