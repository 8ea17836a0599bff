"""Progress for long scans, on a terminal only (stderr); machine formats never see it."""
from __future__ import annotations

from contextlib import contextmanager


@contextmanager
def terminal_progress():
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    with Progress(TextColumn("scanning"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.description}"),
                  transient=True, console=Console(stderr=True)) as bar:
        task = bar.add_task("", total=None)

        def update(done: int, total: int, current: str) -> None:
            bar.update(task, completed=done, total=total, description=current[-50:])

        yield update
