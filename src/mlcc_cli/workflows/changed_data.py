"""Whether a run's data source changed since training, from status.json's fingerprint.

`mlcc evaluate RUN --split S` finds its rows again by re-splitting the source with the run's
seed; on an edited, reordered or replaced file that silently scores other rows, training rows
among them, so it is refused unless asked for. `predict` and `evaluate --data` on the run's
own source, and `doctor`, only warn: their rows are whatever the file holds now.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from mlcc_cli.data.fingerprint import Fingerprint, changes, fingerprint
from mlcc_cli.errors import DataError

_GONE = "can no longer be read"


def data_changes(record: Any, source: str, folder: Path) -> list[str]:
    """What differs between the fingerprint recorded at training and `source` now; empty
    when nothing does or the run recorded none (an older run)."""
    recorded = Fingerprint.from_json(record)
    if recorded is None:
        return []
    try:
        current = fingerprint(source, folder)
    except DataError:
        return [f"{recorded.source} {_GONE}"]
    return changes(recorded, current)


def changed_message(source: str, found: list[str]) -> str:
    """One sentence naming the source and what changed."""
    return f"the data source {source} changed since the run was trained ({'; '.join(found)})"


def check_split_data(
    record: Any, source: str, folder: Path, split: str, allow_changed: bool
) -> list[str]:
    """[] when the source is unchanged; a warning with `allow_changed`; otherwise DataError,
    since the same seed would now pick other rows for the `split` split."""
    found = data_changes(record, source, folder)
    if not found:
        return []
    if found[0].endswith(_GONE):  # nothing to re-split, even with --allow-changed-data
        raise DataError(
            f"--split {split}: the data source {source} {_GONE} (moved or deleted), so the "
            f"run's {split} rows cannot be found again; put the file back at that path, or "
            "score a labelled file with --data FILE."
        )
    were = "the ones the run trained on" if split == "train" else "the ones held out"
    message = (
        f"{changed_message(source, found)}: re-split with the same seed, its {split} rows are "
        f"no longer {were}" + ("" if split == "train" else ", and training rows may be among them")
    )
    if not allow_changed:
        raise DataError(
            f"--split {split}: {message}. Score a labelled file with --data FILE, train the "
            "run again, or pass --allow-changed-data to score the new split anyway."
        )
    return [message]


def warn_if_own_source_changed(record: Any, path: Path) -> list[str]:
    """A warning when `path` is the file the run trained on and it changed since then."""
    recorded = Fingerprint.from_json(record)
    if recorded is None or recorded.sha256 is None:
        return []
    if path.expanduser().resolve() != Path(recorded.source):
        return []
    found = data_changes(record, recorded.source, path.parent)
    return [changed_message(recorded.source, found)] if found else []


def doctor_note(record: Any) -> list[str]:
    """A note for `mlcc doctor` when the source the run recorded changed since training."""
    recorded = Fingerprint.from_json(record)
    if recorded is None or recorded.sha256 is None:
        return []
    found = data_changes(record, recorded.source, Path(recorded.source).parent)
    if not found:
        return []
    return [
        f"{changed_message(recorded.source, found)}; the findings read the statistics and "
        "metrics stored at training, which describe the data as it was then"
    ]


def check_same_rows(
    run_dir: Path, split: str, row_ids: np.ndarray, allow_changed: bool
) -> list[str]:
    """[] when the re-split's `row_ids` are the rows the run scored at training (its
    predictions-SPLIT.csv; a run without one is not checked); otherwise DataError, or a
    warning with `allow_changed`: the rules that pick rows changed since that run."""
    path = run_dir / f"predictions-{split}.csv"
    try:
        saved = pd.read_csv(path, usecols=["row_id"])["row_id"].to_numpy()
    except (OSError, ValueError):
        return []
    if set(saved.tolist()) == set(np.asarray(row_ids).tolist()):
        return []
    message = (
        f"re-splitting the data picks {split} rows other than the {len(saved)} the run scored "
        f"when it was trained ({path.name}): this mlcc chooses rows by other rules (e.g. which "
        "columns data.missing reads) than the version that trained it"
    )
    if not allow_changed:
        raise DataError(
            f"--split {split}: {message}. Score a labelled file with --data FILE, train the run "
            "again, or pass --allow-changed-data to score the new split anyway."
        )
    return [message]
