"""Files written whole or not at all: a page, a snapshot or a figure is written beside its target and renamed onto
it, so a full disk or a stop mid-write leaves the previous file (or none), never a cut one."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def replacing(path: Path) -> Iterator[Path]:
    """A partial path beside ``path`` to write; renamed onto ``path`` when the block ends without error, removed
    when it does not."""
    path = Path(path)
    partial = path.with_name(f".partial-{os.getpid()}-{path.name}")
    try:
        yield partial
        with partial.open("rb") as written:
            os.fsync(written.fileno())
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)


def write_text(path: Path, text: str) -> Path:
    """``path.write_text(text)``, whole or not at all."""
    with replacing(path) as partial:
        partial.write_text(text)
    return Path(path)


def copy_file(source: Path, target: Path) -> Path:
    """A copy of ``source`` at ``target``, whole or not at all."""
    return write_text(target, Path(source).read_text())


def write_with(path: Path, write: Callable[[Path], object]) -> Path:
    """``write(partial)`` (e.g. a figure's savefig), then renamed onto ``path``."""
    with replacing(path) as partial:
        write(partial)
    return Path(path)
