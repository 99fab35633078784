"""Record what mlcc prints and writes, so a refactoring can show that behaviour did not change.

Usage: `python tests/behaviour_snapshot.py OUT_FOLDER` (needs MLCC_DATASET_MIRROR for the
California configs). It runs `mlcc --help`, every command's `--help`, and `train`, `evaluate`,
`doctor`, `inspect`, `validate`, `compare` and `sweep` on the shipped configs in a scratch
copy of `configs/`, then writes each command's stdout, stderr and exit code (and the run
directories' text files) to OUT_FOLDER with run-directory names and timings masked. Two
snapshots compare with `diff -r`. Not collected by pytest: it takes a few minutes.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
HELP_COMMANDS = [
    [],
    ["train"],
    ["predict"],
    ["evaluate"],
    ["doctor"],
    ["compare"],
    ["sweep"],
    ["lr-find"],
    ["inspect"],
    ["validate"],
    ["schema"],
    ["datasets"],
    ["datasets", "fetch"],
    ["exercise"],
    ["exercise", "list"],
    ["exercise", "show"],
    ["exercise", "check"],
]
RUN_TEXT_FILES = ["config.yaml", "history.csv", "metrics.json", "model.json", "doctor.json"]
MASKS = [
    (re.compile(r"-\d{8}-\d{6}-[0-9a-f]{4}"), "-<STAMP>"),
    (re.compile(r"\b\d+(\.\d+)?\s?(s|ms|seconds)\b"), "<TIME>"),
    (re.compile(r"\b\d+(\.\d+)?\s?(examples|steps)/s\b"), "<RATE>"),
]


def masked(text: str, scratch: Path) -> str:
    """The text with the scratch folder, run-name stamps and timings replaced by placeholders."""
    text = text.replace(str(scratch), "<SCRATCH>")
    for pattern, placeholder in MASKS:
        text = pattern.sub(placeholder, text)
    return text


def run(args: list[str], scratch: Path, out: Path, label: str) -> str:
    """Run `mlcc ARGS` in the scratch folder, save its masked output, return its raw stdout."""
    env = {**os.environ, "COLUMNS": "100", "NO_COLOR": "1", "TERM": "dumb"}
    done = subprocess.run(
        [sys.executable, "-m", "mlcc_cli", *args],
        cwd=scratch,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    record = f"$ mlcc {' '.join(args)}\nexit {done.returncode}\n--- stdout\n{done.stdout}"
    record += f"--- stderr\n{done.stderr}"
    (out / f"{label}.txt").write_text(masked(record, scratch))
    return done.stdout


def save_run_files(run_dir: Path, scratch: Path, out: Path, label: str) -> None:
    """Copy a run directory's text files (masked) into the snapshot."""
    for name in RUN_TEXT_FILES:
        path = run_dir / name
        if path.exists():
            (out / f"{label}.{name}").write_text(masked(path.read_text(), scratch))


def snapshot(out: Path) -> None:
    """Write the whole snapshot into OUT (created; must not exist)."""
    out.mkdir(parents=True)
    scratch = Path(tempfile.mkdtemp(prefix="mlcc-snapshot-"))
    shutil.copytree(REPO / "configs", scratch / "configs")
    (scratch / "datasets").mkdir()
    mirror = os.environ.get("MLCC_DATASET_MIRROR")
    if mirror:
        for csv in Path(mirror).glob("*.csv"):
            shutil.copy(csv, scratch / "datasets" / csv.name)
    for command in HELP_COMMANDS:
        run([*command, "--help"], scratch, out, "help-" + ("-".join(command) or "mlcc"))
    run(["schema"], scratch, out, "schema")
    run(["datasets"], scratch, out, "datasets")
    run(["exercise", "list"], scratch, out, "exercise-list")
    run(["exercise", "show", "01_first_steps"], scratch, out, "exercise-show")
    run_dirs: list[str] = []
    for config in sorted((scratch / "configs").glob("*.yaml")):
        stem = config.stem
        relative = f"configs/{config.name}"
        run(["validate", relative], scratch, out, f"validate-{stem}")
        run(["inspect", relative], scratch, out, f"inspect-{stem}")
        stdout = run(["train", relative, "--runs-dir", "runs"], scratch, out, f"train-{stem}")
        found = re.findall(r"^run directory (\S+)$", stdout, flags=re.MULTILINE)
        if not found or not (scratch / found[-1]).is_dir():
            continue
        run_dir = found[-1]
        run_dirs.append(run_dir)
        save_run_files(scratch / run_dir, scratch, out, f"run-{stem}")
        run(["evaluate", run_dir], scratch, out, f"evaluate-{stem}")
        run(["doctor", run_dir], scratch, out, f"doctor-{stem}")
        if stem.startswith("california") and mirror:
            predictions = f"predictions-{stem}.csv"
            test_rows = "datasets/california_housing_test.csv"
            run(["predict", run_dir, test_rows, "-o", predictions], scratch, out, f"predict-{stem}")
            (out / predictions).write_text((scratch / predictions).read_text())
    run(["compare", *run_dirs[:4]], scratch, out, "compare")
    run(
        ["sweep", "configs/quickstart.yaml", "--grid", "optimizer.learning_rate=0.01,0.1"],
        scratch,
        out,
        "sweep-quickstart",
    )
    run(["lr-find", "configs/quickstart.yaml"], scratch, out, "lr-find-quickstart")
    run(["inspect", "builtin:iris"], scratch, out, "inspect-iris")
    shutil.rmtree(scratch)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    snapshot(Path(sys.argv[1]))
