"""Dividing the examples into training, validation and test sets (as index arrays).

The split works on row positions only, so it is cheap and independent of pandas; the caller
maps positions back to row ids with `frame.index[positions]`.
"""

from __future__ import annotations

import math

import numpy as np

from mlcc_cli.config.data import DataConfig, SplitConfig
from mlcc_cli.errors import DataError

SPLITS = ("train", "validation", "test")


def split_rows(
    n_rows: int,
    split: SplitConfig,
    *,
    rng: np.random.Generator,
    shuffle: bool = True,
    stratify_labels: np.ndarray | None = None,
) -> dict[str, np.ndarray]:
    """Row positions of each split: validation round(n·validation), test round(n·test), train rest.

    Rows are shuffled with `rng` first (unless `shuffle` is false: then train takes the first
    rows, test the last). With `stratify_labels`, every class is split by the same fractions,
    so each split keeps the class ratios (each class's count within one row of its share).

    Returns {"train", "validation", "test"} -> int64 positions in 0..n_rows-1, disjoint and
    together covering every row.
    """
    n_validation, n_test = round(n_rows * split.validation), round(n_rows * split.test)
    if stratify_labels is None:
        order = rng.permutation(n_rows) if shuffle else np.arange(n_rows)
        n_train = n_rows - n_validation - n_test
        parts = dict(zip(SPLITS, np.split(order, [n_train, n_train + n_validation]), strict=True))
    else:
        targets = np.array([n_rows - n_validation - n_test, n_validation, n_test])
        parts = _stratified_split(np.asarray(stratify_labels), split, targets, rng, shuffle)
    if len(parts["train"]) == 0:
        raise DataError(
            f"data.split leaves no rows for training: {n_rows} rows, "
            f"{len(parts['validation'])} to validation and {len(parts['test'])} to test; "
            "use more rows or lower data.split.validation / data.split.test"
        )
    require_nonempty_splits({name: len(rows) for name, rows in parts.items()}, split)
    return {name: positions.astype(np.int64) for name, positions in parts.items()}


def require_nonempty_splits(rows: dict[str, int], split: SplitConfig) -> None:
    """DataError for a held-out split given a share in data.split but left without rows.

    A split the user set to 0 is meant to be empty; one with a share that rounds to no rows
    (e.g. 20% of a 2-row file) would silently score nothing, so it is refused. `rows` maps
    each split to its row count.
    """
    n_rows = sum(rows.values())
    for name in SPLITS[1:]:
        share = getattr(split, name)
        if share > 0 and rows[name] == 0:
            # round() halves to even, so n·share must exceed 0.5 for one row: n > 0.5/share.
            needed = math.floor(0.5 / share) + 1
            raise DataError(
                f"data.split.{name} is {share:g}, but the {name} split of the {n_rows} usable "
                f"rows is empty; use more rows (about {needed} or more), or set "
                f"data.split.{name}: 0 and give its share to data.split.train"
            )


def require_test_split(split: SplitConfig, option: str = "--test") -> None:
    """DataError for `--test` (or `--split test`) when data.split.test is 0: nothing to score."""
    if split.test == 0:
        raise DataError(
            f"{option} scores the test split, but data.split.test is 0, so there is none; hold "
            "some rows back, e.g. --set data.split.train=0.7 --set data.split.validation=0.15 "
            "--set data.split.test=0.15 (keep the three summing to 1)"
        )


def _stratified_split(
    labels: np.ndarray,
    split: SplitConfig,
    targets: np.ndarray,
    rng: np.random.Generator,
    shuffle: bool,
) -> dict[str, np.ndarray]:
    """Split each class by the fractions, then merge the classes' pieces of every split."""
    fractions = np.array([split.train, split.validation, split.test])
    _, class_of_row = np.unique(labels, return_inverse=True)
    class_sizes = np.bincount(class_of_row)
    # Group rows by class; the stable sort keeps the shuffled (or file) order inside a class.
    order = rng.permutation(len(labels)) if shuffle else np.arange(len(labels))
    order = order[np.argsort(class_of_row[order], kind="stable")]
    class_of_slot = class_of_row[order]
    rank = np.arange(len(order)) - np.repeat(np.cumsum(class_sizes) - class_sizes, class_sizes)
    ends = np.cumsum(_apportion(class_sizes, fractions, targets), axis=1)  # (n_classes, 3)
    # Within its class, a row's rank says its split: train first, then validation, then test.
    split_of_slot = (rank >= ends[class_of_slot, 0]).astype(np.int64) + (
        rank >= ends[class_of_slot, 1]
    )
    parts = {name: order[split_of_slot == i] for i, name in enumerate(SPLITS)}
    # Classes were laid out one after another; mix them (or restore file order).
    return {
        name: rng.permutation(rows) if shuffle else np.sort(rows) for name, rows in parts.items()
    }


def _apportion(class_sizes: np.ndarray, fractions: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """Rows per (class, split): floor or ceil of class_size·fraction, summing to the class size.

    Largest-remainder rounding per class; the rows still owed go first to the splits that are
    furthest below their overall target, so the split totals come out as close as possible.
    """
    quotas = class_sizes[:, None] * fractions[None, :]  # (n_classes, 3)
    counts = np.floor(quotas).astype(np.int64)
    remainders = quotas - counts
    owed = class_sizes - counts.sum(axis=1)  # 0, 1 or 2 rows per class
    totals = counts.sum(axis=0)
    for c in np.argsort(-remainders.max(axis=1), kind="stable"):
        if owed[c] == 0:
            continue
        # Only splits with a fractional share may round up (keeps each count within one row).
        order = np.lexsort((-remainders[c], totals - targets, remainders[c] <= 0))
        counts[c, order[: owed[c]]] += 1
        totals[order[: owed[c]]] += 1
    return counts


def require_classes_in_train(
    present: np.ndarray, n_train: int, classes: list | None, label: str, data: DataConfig
) -> None:
    """DataError when a classifier's training split holds a single class: every row of the
    others went to validation or test, so there is nothing to tell apart.

    `present` holds the class codes (positions in `classes`) seen among the `n_train`
    training rows; `classes` is None for regression and multi-label tasks, which this does
    not apply to. The fixes offered are those `data` (the data section) can still take.
    """
    present = np.unique(present)
    if not classes or n_train == 0 or len(present) > 1:
        return
    only = classes[int(present[0])]
    others = [repr(c) for c in classes if c != only]
    what = f"class {others[0]}" if len(others) == 1 else f"classes {', '.join(others)}"
    raise DataError(
        f"data.split: the training split holds only class {only!r} of label '{label}' "
        f"({n_train} rows); every row of {what} went to validation or test, so the "
        f"model would learn nothing about them. {_class_fixes(data)}."
    )


def _class_fixes(data: DataConfig) -> str:
    """What would put every class in training: stratifying (in memory only), shuffling
    (unless already), else more rows of the missing classes."""
    fixes = []
    if not (data.stratify or data.streaming):
        fixes.append("data.stratify: true (each split keeps every class's share)")
    if not data.shuffle:
        fixes.append(
            "data.shuffle: true (each row then draws its split at random; streaming cannot "
            "stratify)"
            if data.streaming
            else "data.shuffle: true"
        )
    if not fixes:
        return "Add rows of the missing classes"
    return f"Set {' or '.join(fixes)}, or add rows of the missing classes"
