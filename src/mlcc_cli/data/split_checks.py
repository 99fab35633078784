"""Split sanity checks: the crash course's validation lesson, automated.

Before training, check how the rows were divided into training, validation and test:
a file in a meaningful order split without shuffling (`sorted_source`), a feature whose
distribution differs between splits (`distribution_mismatch`), held-out rows that copy
training rows (`shared_duplicates`), class shares that differ between splits
(`class_balance`) and a single feature that already gives the answer away (`label_leak`).

Numeric non-label columns are checked (the duplicate check compares every column); each
statistic drops a column's missing values first, and large splits are subsampled (seeded)
so this stays well under a second on millions of rows. A check that tests many columns (or
splits) controls its false discovery rate across them (`false_discovery`), so a wide table
of sound columns raises no alarm by chance. No CLI imports, nothing printed.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from mlcc_cli.data.distribution_mismatch import HELD_OUT, distribution_mismatch
from mlcc_cli.data.false_discovery import P_VALUE, adjusted_p_values
from mlcc_cli.data.label_leak import label_leak
from mlcc_cli.data.split_check import SplitCheck

SAMPLE_ROWS = 20_000  # rows per split (at most) for the Spearman, KS and AUC statistics
SORTED_RHO = 0.5  # |Spearman ρ| between a column and the row number that means "sorted"
SHARE_POINTS = 0.10  # a class share differing from training by more than 10 points ...
SHARE_RATIO = 1.5  # ... and by more than 1.5× (either way)


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
        # One float block (a wide CSV holds a block per column, and inserting the label into
        # that is slow and warns).
        rows = frame.iloc[::step, numeric].to_numpy(float, na_value=np.nan)
        in_order = pd.DataFrame(rows, columns=features)
        if has_label:
            in_order[label] = y[::step].astype(float)
        checks += _sorted_source(in_order)
    checks += distribution_mismatch(values, compared, shuffle)
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
    """Columns following the row number: |Spearman ρ(value, row position)| ≥ SORTED_RHO and
    its Benjamini–Hochberg q-value over every column < P_VALUE (not chance among many).

    Spearman ρ is Pearson's r of the ranks, so any monotone trend along the file counts.
    `in_order` is an order-keeping systematic sample of the file (every k-th row). Only the
    columns with |ρ| ≥ SORTED_RHO get scipy's p-value; the rest count as p = 1, which can
    only raise the others' q-values (conservative), and a wide table stays one call.
    """
    from scipy.stats import spearmanr  # deferred: scipy.stats, only when the checks run

    in_order = in_order.loc[:, in_order.nunique() > 1]  # constant: no ρ (and a scipy warning)
    order = pd.Series(np.arange(len(in_order)), index=in_order.index, dtype=float)
    rho = in_order.corrwith(order, method="spearman")  # pairwise: NaNs dropped per column
    p_values = pd.Series(1.0, index=rho.index)
    for column in rho.index[rho.abs() >= SORTED_RHO]:  # NaN (too few values) never flags
        kept = in_order[column].notna()
        p_values[column] = spearmanr(in_order.loc[kept, column], order[kept]).pvalue
    q_values = pd.Series(adjusted_p_values(p_values.to_numpy()), index=rho.index)
    checks = []
    for column, size in rho.abs().sort_values(ascending=False).items():
        if not size >= SORTED_RHO:
            break
        if not q_values[column] < P_VALUE:
            continue
        r = float(rho[column])
        message = (
            f"The file looks sorted by {column} (Spearman ρ {r:+.2f} between its value and the "
            "row number): without shuffling, training takes the first rows and validation/test "
            "the last, so they hold different kinds of examples and validation misleads "
            "(unless the order is deliberate, e.g. time); set data.shuffle: true."
        )
        evidence = {
            "spearman_rho": r,
            "rows_sampled": len(in_order),
            "q_value": float(q_values[column]),
        }
        checks.append(SplitCheck("sorted_source", str(column), message, evidence))
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


def _absent_by_design(
    counts: dict[str, np.ndarray], held: list[str], names: list[str]
) -> set[tuple[str, str]]:
    """(split, class) pairs where a class training holds is missing from a held-out split
    beyond chance: n rows drawn at training's share p all miss the class with probability
    (1 − p)ⁿ (the multinomial's marginal), and that chance's Benjamini–Hochberg q-value over
    every missing class must be < P_VALUE. Three validation rows miss one of three equal
    classes by chance (p ≈ 0.30); 300 rows missing a 10 % class (p ≈ 2e-14) is the split."""
    train_share = counts["train"] / counts["train"].sum()
    missing = [
        (split, k)
        for split in held
        for k in range(len(names))
        if train_share[k] > 0 and counts[split][k] == 0
    ]
    from scipy.stats import binom  # deferred: scipy.stats, classification only

    # P(0 of n rows in the class) = Binomial(n, p).pmf(0) = (1 − p)ⁿ
    chance = np.array([binom.pmf(0, counts[split].sum(), train_share[k]) for split, k in missing])
    q_values = adjusted_p_values(chance)
    return {
        (split, names[k]) for (split, k), q in zip(missing, q_values, strict=True) if q < P_VALUE
    }


def _class_balance(y: np.ndarray, positions: dict[str, np.ndarray], label: str) -> list[SplitCheck]:
    """Class shares per split against training's: flags a class a split lacks beyond chance
    (`_absent_by_design`), or a share more than SHARE_POINTS and SHARE_RATIO× away from
    training's when the class counts also differ significantly (chi-square test of homogeneity
    per held-out split, its Benjamini–Hochberg q-value over the splits < P_VALUE: not chance
    alone).
    """
    from scipy.stats import chi2_contingency  # deferred: scipy.stats, classification only

    if len(positions.get("train", ())) == 0:
        return []
    classes, codes = np.unique(y, return_inverse=True)
    names = [f"{c:g}" for c in classes]  # class codes as text: 1.0 -> "1"
    n_classes = len(classes)
    counts = {s: np.bincount(codes[r], minlength=n_classes) for s, r in positions.items() if len(r)}
    shares = {split: count / count.sum() for split, count in counts.items()}
    held = [s for s in HELD_OUT if s in counts]
    p_values = []
    for split in held:
        table = np.stack([counts["train"], counts[split]])  # (2, n_classes)
        table = table[:, table.sum(axis=0) > 0]
        p_values.append(chi2_contingency(table).pvalue if table.shape[1] > 1 else 1.0)
    problems = []  # (how far off, what)
    absent = _absent_by_design(counts, held, names)
    for split, q in zip(held, adjusted_p_values(np.array(p_values)), strict=True):
        for name, train_share, share in zip(names, shares["train"], shares[split], strict=True):
            if (split, name) in absent:
                problems.append((np.inf, f"{split} has no rows of class {name}"))
            elif share > 0 and (
                q < P_VALUE
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
