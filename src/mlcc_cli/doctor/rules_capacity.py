"""Doctor rules on what a classifier's accuracy hides and what a network's shape forbids.

Multiclass imbalance: with one class holding most rows, accuracy barely above always
predicting it, and macro F1 (every class counted alike) far below, the rarer classes are
mostly called the common one — the accuracy paradox, with more than two classes.

A narrow hidden layer: every input reaches the output through its units, so a layer of w
units passes at most w directions of the inputs. K classes need K − 1 directions (the
softmax's logit differences), and any curve needs 2 (one unit gives a monotone function of one
weighted sum: a bent linear model); a narrower layer caps the fit whatever the training.
"""

from __future__ import annotations

import re

from mlcc_cli.doctor.evidence import RunEvidence
from mlcc_cli.doctor.findings import Finding
from mlcc_cli.doctor.rules_data import HEALTHY_ROOM, room_to_improve

MAJORITY_SHARE = 0.5  # the most common class holds at least half of the validation rows ...
LITTLE_LEARNED = 0.5  # ... and the model removed under half of always-predicting-it's errors
F1_GAP = 0.2  # ... with macro F1 this far below weighted F1: the rare classes are lost
MIN_DIRECTIONS = 2  # a layer needs 2 units to bend the function of its inputs
WIDE = 8  # the narrowest width the fix suggests
LAYER_WEIGHTS = re.compile(r"^W(\d+)$")


def class_imbalance(evidence: RunEvidence) -> list[Finding]:
    """Multiclass, the majority class at MAJORITY_SHARE+, accuracy above its baseline but
    with LITTLE_LEARNED+ of its error left, and macro F1 F1_GAP below weighted F1."""
    scores = evidence.metrics.get("validation") or {}
    needed = ("accuracy", "baseline_accuracy", "macro_f1", "weighted_f1")
    if evidence.task != "multiclass" or any(scores.get(k) is None for k in needed):
        return []
    accuracy, baseline = float(scores["accuracy"]), float(scores["baseline_accuracy"])
    macro, weighted = float(scores["macro_f1"]), float(scores["weighted_f1"])
    room = room_to_improve(evidence)
    if baseline < MAJORITY_SHARE or accuracy <= baseline or room is None:
        return []  # at or below the baseline: no_better_than_majority's finding
    if room < LITTLE_LEARNED or macro > weighted - F1_GAP:
        return []
    return [
        Finding(
            kind="class_imbalance",
            title="rare classes lost to the common one",
            concept="Classification: accuracy and the class-imbalance paradox",
            evidence=f"validation accuracy {accuracy:.3f} is barely above {baseline:.3f}, "
            f"what always predicting the most common class scores ({room:.0%} of its errors "
            f"remain), and macro F1 {macro:.3f}, every class counted alike, trails weighted "
            f"F1 {weighted:.3f}: the rarer classes are mostly predicted as the common one",
            advice="with one class this common, accuracy rewards predicting it everywhere; "
            "judge the model by each class's precision and recall (macro F1), and give the "
            "rare classes more weight in training: more examples of them, fewer of the "
            "common one, or features that tell them apart",
            fix=(),
        )
    ]


def _outputs(evidence: RunEvidence) -> int:
    """The network's output units: the last layer's weight matrix's columns (1 if unknown)."""
    layers = {
        int(match.group(1)): array
        for name, array in evidence.parameters.items()
        if (match := LAYER_WEIGHTS.match(name)) and array.ndim == 2
    }
    return int(layers[max(layers)].shape[1]) if layers else 1


def narrow_hidden_layer(evidence: RunEvidence) -> list[Finding]:
    """A hidden layer narrower than the directions the output needs (K − 1 for K classes,
    MIN_DIRECTIONS for any curve), on a run leaving HEALTHY_ROOM+ of the trivial model's
    error: widen every such layer to max(WIDE, 2·outputs)."""
    hidden = list(getattr(evidence.config.model, "hidden_units", None) or [])
    room = room_to_improve(evidence)
    if not hidden or evidence.status != "complete" or room is None or room < HEALTHY_ROOM:
        return []
    outputs = _outputs(evidence)
    needed = max(outputs - 1, MIN_DIRECTIONS)
    narrowest = min(hidden)
    if narrowest >= needed:
        return []
    wide = max(WIDE, 2 * outputs)
    widened = [max(units, wide) for units in hidden]
    what = f"{outputs} classes need {outputs - 1}" if outputs > 2 else "a curve needs 2"
    return [
        Finding(
            kind="narrow_hidden_layer",
            title="a hidden layer too narrow for the task",
            concept="Neural networks: hidden layers",
            evidence=f"hidden_units {hidden}: every input reaches the output through "
            f"{narrowest} unit{'s' if narrowest != 1 else ''}, so at most {narrowest} "
            f"direction{'s' if narrowest != 1 else ''} of the inputs, where {what}; the run "
            f"leaves {room:.0%} of the trivial model's validation error",
            advice="a layer this narrow caps what the network can represent however long it "
            "trains (its flat loss is the bottleneck, not the data); widen it",
            fix=(f"model.hidden_units=[{', '.join(str(u) for u in widened)}]",),
        )
    ]
