"""Split sanity checks: the crash course's validation lesson, automated.

Before training, check how the rows were divided into training, validation and test:
a file in a meaningful order split without shuffling (`sorted_source`), a feature whose
distribution differs between splits (`distribution_mismatch`), held-out rows that copy
training rows (`shared_duplicates`), class shares that differ between splits
(`class_balance`) and a single feature that already gives the answer away (`label_leak`).

Numeric non-label columns are checked (the duplicate check compares every column); each
statistic drops a column's missing values first, and large splits are subsampled (seeded)
so this stays well under a second on millions of rows. No CLI imports, nothing printed.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from mlcc_cli.data.label_leak import label_leak
from mlcc_cli.data.split_check import SplitCheck

SAMPLE_ROWS = 20_000  # rows per split (at most) for the Spearman, KS and AUC statistics
SORTED_RHO = 0.5  # |Spearman ρ| between a column and the row number that means "sorted"
KS_STATISTIC = 0.1  # KS statistic worth flagging (a 10-point gap between the CDFs) ...
EXACT_KS_BELOW = 100  # held-out rows under which the KS p-value is computed exactly
P_VALUE = 1e-3  # ... when it, or a class-share gap, is this unlikely by chance alone
SHARE_POINTS = 0.10  # a class share differing from training by more than 10 points ...
SHARE_RATIO = 1.5  # ... and by more than 1.5× (either way)
HELD_OUT = ("validation", "test")


def check_splits(
    frame: pd.DataFrame,
    y: np.ndarray,
    positions: dict[str, np.ndarray],
    *,
    label: str,
    task: str,
    shuffle: bool,
    seed: int = 0,
) -> list[SplitCheck]:
    """Run every split check that applies; an empty list means the split looks sound.

    Parameters
    ----------
    frame : (n_rows, n_columns) the loaded table in file order, label column included.
    y : (n_rows,) encoded labels (numbers, 0/1 or class codes), or (n_rows, n_labels) 0/1.
    positions : "train" / "validation" / "test" -> integer positions into `frame`.
    label, task, shuffle : the label column, the resolved task and data.shuffle.
    seed : seeds the subsampling, so the checks are reproducible.
    """
    y = np.asarray(y)
    rng = np.random.default_rng(seed)
    # Column positions, not names: frame[names] would copy the whole table first.
    numeric = [
        i
        for i, (name, dtype) in enumerate(frame.dtypes.items())
        if str(name) != label and pd.api.types.is_numeric_dtype(dtype) and dtype.kind != "c"
    ]
    features = [str(frame.columns[i]) for i in numeric]
    has_label = y.ndim == 1 and task != "multilabel"
    samples = {
        name: _subsample(np.asarray(rows, np.int64), rng) for name, rows in positions.items()
    }
    # (n_sampled, n_features [+ 1 label column for regression]); missing values as NaN.
    # One iloc for every split's rows: each call walks every column (0.4 s at 5,000 columns).
    sampled = frame.iloc[np.concatenate([np.zeros(0, np.int64), *samples.values()]), numeric]
    bounds = np.cumsum([len(rows) for rows in samples.values()])[:-1]
    parts = np.split(sampled.to_numpy(float, na_value=np.nan), bounds)
    values = dict(zip(samples, parts, strict=True)) if samples else {}
    compared = features
    if task == "regression":  # the label is a number too: check its distribution as well
        values = {n: np.column_stack([v, y[samples[n]]]) for n, v in values.items()}
        compared = [*features, label]
    checks: list[SplitCheck] = []
    if not shuffle:
        step = max(1, -(-len(frame) // SAMPLE_ROWS))  # every k-th row, k = ceil(n / SAMPLE_ROWS)
        in_order = frame.iloc[::step, numeric].astype(float).set_axis(features, axis=1)
        if has_label:
            in_order[label] = y[::step].astype(float)
        checks += _sorted_source(in_order)
    checks += _distribution_mismatch(values, compared, shuffle)
    checks += _shared_duplicates(frame, positions)
    if task in ("binary", "multiclass"):
        checks += _class_balance(y, positions, label)
    if has_label and len(samples.get("train", ())):
        train = values["train"][:, : len(features)]
        checks += label_leak(train, y[samples["train"]], features, task)
    return checks


def _subsample(rows: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """At most SAMPLE_ROWS of `rows`, drawn without replacement (all of them if fewer)."""
    return rows if len(rows) <= SAMPLE_ROWS else np.sort(rng.choice(rows, SAMPLE_ROWS, False))


def _sorted_source(in_order: pd.DataFrame) -> list[SplitCheck]:
    """Columns following the row number: |Spearman ρ(value, row position)| ≥ SORTED_RHO.

    Spearman ρ is Pearson's r of the ranks, so any monotone trend along the file counts.
    `in_order` is an order-keeping systematic sample of the file (every k-th row).
    """
    in_order = in_order.loc[:, in_order.nunique() > 1]  # constant: no ρ (and a scipy warning)
    order = pd.Series(np.arange(len(in_order)), index=in_order.index, dtype=float)
    rho = in_order.corrwith(order, method="spearman")  # pairwise: NaNs dropped per column
    checks = []
    for column, size in rho.abs().sort_values(ascending=False).items():
        if not size >= SORTED_RHO:  # NaN (too few values) never flags
            break
        r = float(rho[column])
        message = (
            f"The file looks sorted by {column} (Spearman ρ {r:+.2f} between its value and the "
            "row number): without shuffling, training takes the first rows and validation/test "
            "the last, so they hold different kinds of examples and validation misleads "
            "(unless the order is deliberate, e.g. time); set data.shuffle: true."
        )
        evidence = {"spearman_rho": r, "rows_sampled": len(in_order)}
        checks.append(SplitCheck("sorted_source", str(column), message, evidence))
    return checks


def _distribution_mismatch(
    values: dict[str, np.ndarray], columns: list[str], shuffle: bool
) -> list[SplitCheck]:
    """Columns distributed differently in training and validation/test (two-sample KS test).

    KS statistic D = max_x |F_train(x) − F_split(x)|, the largest gap between the empirical
    CDFs; flagged when D ≥ KS_STATISTIC and its asymptotic p-value < P_VALUE, so a large
    split needs a real gap and a small one a significant gap. One finding per column, for
    the split with the largest D.
    """
    from scipy.stats import ks_2samp  # deferred: scipy.stats, only when the checks run

    held = [name for name in HELD_OUT if len(values.get(name, ()))]
    if len(values.get("train", ())) == 0 or not held:
        return []
    fix = "set data.shuffle: true" if not shuffle else "check how the file was assembled"
    train = values["train"]
    tests: dict[str, dict[int, tuple[float, float]]] = {}  # split -> column -> (D, p)
    for name in held:
        # Every column with values on both sides in one call (each column's missing values
        # omitted): scipy validates once instead of once a column.
        held_out = values[name]
        both = np.flatnonzero(~np.isnan(train).all(axis=0) & ~np.isnan(held_out).all(axis=0))
        if len(both) == 0:
            tests[name] = {}
            continue
        # The exact distribution for a small held-out split, where the asymptotic one is
        # wrong (2 rows against 1: p = 0 for D = 1, exactly 2/3); asymptotic above, where
        # it is right and scipy's "auto" (exact up to 10,000 rows) would cost 0.1 s more.
        method = "exact" if len(held_out) < EXACT_KS_BELOW else "asymp"
        result = ks_2samp(
            train[:, both], held_out[:, both], axis=0, nan_policy="omit", method=method
        )
        statistics, p_values = np.atleast_1d(result.statistic), np.atleast_1d(result.pvalue)
        tests[name] = {
            int(j): (float(d), float(p)) for j, d, p in zip(both, statistics, p_values, strict=True)
        }
    checks = []
    for j, column in enumerate(columns):
        worst: tuple[str, float, float] | None = None
        for name in held:
            if j not in tests[name]:
                continue
            d, p = tests[name][j]
            if d >= KS_STATISTIC and p < P_VALUE and (worst is None or d > worst[1]):
                worst = (name, d, p)
        if worst is not None:
            name, d, p = worst
            chance = f"p {p:.0e}" if p >= 1e-99 else "p < 1e-99"
            message = (
                f"{column} is distributed differently in training and {name} (KS statistic "
                f"{d:.2f}, {chance}): the model is scored on data unlike what it learned from, "
                f"so validation misleads; {fix}."
            )
            evidence = {"split": name, "ks_statistic": d, "p_value": p}
            checks.append(SplitCheck("distribution_mismatch", column, message, evidence))
    return checks


def _shared_duplicates(frame: pd.DataFrame, positions: dict[str, np.ndarray]) -> list[SplitCheck]:
    """Validation/test rows identical (every column, label included) to some training row."""
    held = [name for name in HELD_OUT if len(positions.get(name, ()))]
    if len(positions.get("train", ())) == 0 or not held:
        return []
    try:
        hashes = pd.util.hash_pandas_object(frame, index=False)  # one uint64 per row
    except TypeError:  # unhashable cells (e.g. parquet lists): compare their text instead
        text = {c: str for c in frame.select_dtypes(include="object").columns}
        hashes = pd.util.hash_pandas_object(frame.astype(text), index=False)
    train = hashes.iloc[positions["train"]]
    counts = {name: int(hashes.iloc[positions[name]].isin(train).sum()) for name in held}
    if not any(counts.values()):
        return []
    shown = " and ".join(f"{n:,} of {len(positions[s]):,} {s}" for s, n in counts.items() if n)
    message = (
        f"{shown} rows are exact copies of training rows (every column, label included): the "
        "model is scored on examples it has already seen, so those scores look better than "
        "new data will give; de-duplicate the file before splitting (a drop_duplicates "
        "feature step only compares rows within one split)."
    )
    return [SplitCheck("shared_duplicates", None, message, counts)]


def _class_balance(y: np.ndarray, positions: dict[str, np.ndarray], label: str) -> list[SplitCheck]:
    """Class shares per split against training's: flags a class a split lacks, or a share
    more than SHARE_POINTS and SHARE_RATIO× away from training's when the class counts also
    differ significantly (chi-square test of homogeneity, p < P_VALUE: not chance alone).
    """
    from scipy.stats import chi2_contingency  # deferred: scipy.stats, classification only

    if len(positions.get("train", ())) == 0:
        return []
    classes, codes = np.unique(y, return_inverse=True)
    names = [f"{c:g}" for c in classes]  # class codes as text: 1.0 -> "1"
    n_classes = len(classes)
    counts = {s: np.bincount(codes[r], minlength=n_classes) for s, r in positions.items() if len(r)}
    shares = {split: count / count.sum() for split, count in counts.items()}
    problems = []  # (how far off, what)
    for split in (s for s in HELD_OUT if s in counts):
        table = np.stack([counts["train"], counts[split]])  # (2, n_classes)
        table = table[:, table.sum(axis=0) > 0]
        p = chi2_contingency(table).pvalue if table.shape[1] > 1 else 1.0
        for name, train_share, share in zip(names, shares["train"], shares[split], strict=True):
            if train_share > 0 and share == 0:
                problems.append((np.inf, f"{split} has no rows of class {name}"))
            elif (
                p < P_VALUE
                and abs(share - train_share) > SHARE_POINTS
                and max(share, train_share) > SHARE_RATIO * min(share, train_share)
            ):
                what = f"class {name} is {share:.0%} of {split} but {train_share:.0%} of training"
                problems.append((abs(share - train_share), what))
    if not problems:
        return []
    problems.sort(key=lambda problem: -problem[0])
    message = (
        f"{'; '.join(what for _, what in problems[:3])}: the splits see different mixes of "
        f"{label}, so validation scores describe a different problem; set data.stratify: true."
    )
    evidence = {
        "shares": {s: dict(zip(names, map(float, v), strict=True)) for s, v in shares.items()}
    }
    return [SplitCheck("class_balance", label, message, evidence)]
