"""The process ends right after its command (no module teardown), losing nothing on the way."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def run_python(code: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize("status", [None, 0, 2, 130])
def test_exit_callbacks_run_and_the_status_is_kept(tmp_path: Path, status: int | None) -> None:
    done = run_python(
        f"""
        import atexit, pathlib, sys
        from mlcc_cli.commands.process_exit import end_process
        atexit.register(lambda: pathlib.Path("callback-ran").write_text("yes"))
        print("buffered, not yet flushed", end="")
        sys.stdout.write(" and more")
        end_process({status!r})
        print("never reached")
        """,
        tmp_path,
    )
    assert done.returncode == (status or 0)
    assert done.stdout == "buffered, not yet flushed and more"
    assert (tmp_path / "callback-ran").read_text() == "yes"


def test_a_running_thread_is_waited_for_as_at_a_normal_exit(tmp_path: Path) -> None:
    done = run_python(
        """
        import pathlib, threading, time
        from mlcc_cli.commands.process_exit import end_process
        def late_writer():
            time.sleep(0.5)
            pathlib.Path("written-late").write_text("done")
        threading.Thread(target=late_writer).start()
        end_process(0)
        """,
        tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "written-late").read_text() == "done"


def test_a_text_status_is_printed_as_python_prints_it(tmp_path: Path) -> None:
    done = run_python(
        """
        from mlcc_cli.commands.process_exit import end_process
        end_process("something went wrong")
        """,
        tmp_path,
    )
    assert done.returncode == 1
    assert done.stderr.strip() == "something went wrong"


def test_the_console_script_ends_a_run_complete_and_with_its_exit_codes(tmp_path: Path) -> None:
    mlcc = Path(sys.executable).with_name("mlcc")
    config = ROOT / "configs" / "quickstart.yaml"
    trained = subprocess.run(
        [str(mlcc), "train", str(config), "--quiet", "--no-plots", "--runs-dir", "runs"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert trained.returncode == 0, trained.stderr
    run = Path(tmp_path / trained.stdout.strip())
    assert (run / "metrics.json").is_file() and (run / "status.json").is_file()
    refused = subprocess.run(
        [str(mlcc), "train", "missing.yaml"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert refused.returncode == 2
    assert "missing.yaml" in refused.stderr and "Traceback" not in refused.stderr
