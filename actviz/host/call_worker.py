"""The worker threads plugin code runs on under a time limit: reusable daemon threads, one job each at a time.

Python cannot stop a thread, so a job that overruns is abandoned: it finishes
on its own daemon thread, whose worker is never reused. Workers that returned
in time wait, idle, for the next job (starting a thread per call made probing
200 plugins cost ~0.5 s).
"""

from __future__ import annotations

import _thread
import threading
from collections.abc import Callable
from typing import Any


class _Worker:
    """A daemon thread that runs one job at a time, handed over with a bare lock.

    A lock pair is the cheapest hand-off Python has (SimpleQueue plus Event
    cost about twice as much), and it is paid on every bounded GUI call.
    """

    def __init__(self) -> None:
        self.go = _thread.allocate_lock()
        self.go.acquire()
        self.job: Callable[[], None] | None = None
        threading.Thread(target=self._loop, name="actviz-plugin-call", daemon=True).start()

    def _loop(self) -> None:
        while True:
            self.go.acquire()
            job, self.job = self.job, None
            if job is not None:
                job()

    def submit(self, job: Callable[[], None]) -> None:
        self.job = job
        self.go.release()


_idle: list[_Worker] = []
_idle_lock = threading.Lock()


def borrow() -> _Worker:
    """An idle worker (a new one if none is); :func:`give_back` it once its job returned in time."""
    with _idle_lock:
        worker = _idle.pop() if _idle else None
    return worker if worker is not None else _Worker()


def give_back(worker: _Worker) -> None:
    """Make a worker whose job returned available again (one whose job overran is never given back)."""
    with _idle_lock:
        _idle.append(worker)


class Finished:
    """Whether an abandoned call has returned by now (its lock is released when it does)."""

    def __init__(self, done: Any) -> None:
        self.done = done

    def is_set(self) -> bool:
        return self.done is None or not self.done.locked()


#: a call known to have returned
DONE = Finished(None)


def run_within(seconds: float, job: Callable[[], None]) -> tuple[bool, Finished]:
    """Run ``job()`` on an idle worker (a new one if none is); (returned within ``seconds``, finished).

    ``job`` must not raise: it keeps what it returns or raises itself. When it
    overruns, its worker is left to it and ``finished`` says when it returns.
    """
    done = _thread.allocate_lock()
    done.acquire()

    def run() -> None:
        try:
            job()
        finally:
            done.release()

    worker = borrow()
    worker.submit(run)
    if not done.acquire(timeout=seconds):
        return False, Finished(done)
    give_back(worker)
    return True, Finished(done)
