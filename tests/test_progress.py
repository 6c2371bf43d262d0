from __future__ import annotations

import io

import pytest

from mirror.pipeline import progress
from mirror.pipeline.progress import EpochLines


class _Stream(io.StringIO):
    def __init__(self, terminal: bool) -> None:
        super().__init__()
        self.terminal = terminal

    def isatty(self) -> bool:
        return self.terminal


@pytest.mark.parametrize(("asked", "terminal", "bars"), [(True, True, True), (True, False, False),
                                                         (False, True, False), (False, False, False)])
def test_bars_only_when_asked_and_on_a_terminal_else_a_line_per_epoch(monkeypatch, asked, terminal, bars):
    monkeypatch.setattr("sys.stdout", _Stream(terminal))
    shown, callbacks = progress.progress(asked)
    assert shown is bars
    assert [type(c) for c in callbacks] == ([] if bars else [EpochLines])
