"""The step gate defers Ctrl-C to the end of a step and leaves the handlers as it found them,
or as the handler it delivered to left them."""

from __future__ import annotations

import signal
from typing import Any

import pytest

from mlcc_cli.training.signal_gate import STEP_GATE, gate_installed


def _interrupt_then_ignore(signum: int, frame: Any) -> None:
    # as a sweep worker's handler: the first signal interrupts, later ones are ignored
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    raise KeyboardInterrupt


@pytest.fixture
def sigint_handler() -> Any:
    before = signal.getsignal(signal.SIGINT)
    yield
    signal.signal(signal.SIGINT, before)


@pytest.mark.usefixtures("sigint_handler")
def test_a_signal_in_a_step_acts_once_the_step_is_done() -> None:
    signal.signal(signal.SIGINT, signal.default_int_handler)
    finished = []
    with pytest.raises(KeyboardInterrupt), gate_installed(), STEP_GATE:
        signal.raise_signal(signal.SIGINT)
        finished.append("step")  # the update and its count, after the signal came
    assert finished == ["step"]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


@pytest.mark.usefixtures("sigint_handler")
def test_a_handler_that_ignores_further_signals_is_not_undone_by_the_gate() -> None:
    signal.signal(signal.SIGINT, _interrupt_then_ignore)
    with pytest.raises(KeyboardInterrupt), gate_installed(), STEP_GATE:
        signal.raise_signal(signal.SIGINT)
    # The second Ctrl-C (a terminal's, forwarded by the sweep) must not cut short the writing
    # of the run trained so far: it stays ignored after training.
    assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
    signal.raise_signal(signal.SIGINT)  # ignored: no KeyboardInterrupt
