"""Work core hands to a worker, without core importing the task queue.

Why this exists: the task queue (``gongkai.tasks``: outbox, Celery) sits in the layer
above core, and core may not import it (``tests/test_architecture.py``). So core keeps its
own small port: a core function that should not run while a request waits is a *job*
(``@job("core.something")``, JSON-able keyword arguments), and core asks for it with
``later(name, args=..., key=...)`` inside its transaction. The tasks app installs its
``outbox.enqueue`` as the executor and registers every job here as a task handler by the
same name (``tasks.apps``), so a worker on another machine runs it. With no executor
installed (core on its own) a job runs in this process right after the commit, as the
queue's local mode would.

The modules that hold core's jobs are named in ``JOB_MODULES``: a worker imports no view,
so ``jobs()`` imports them itself and every process knows the same jobs.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from functools import partial

from django.db import transaction

log = logging.getLogger(__name__)

# Where core's jobs are defined (imported by ``jobs()``; add a module here with its first job).
JOB_MODULES = ("gongkai.core.services.agencies",)

Executor = Callable[..., object]  # executor(name, *, args: dict, key: str)


class Job:
    """A deferrable core function and, optionally, what to call once the queue gives up on
    it for good (with its arguments and the last error), for work whose record must say so."""

    def __init__(self, func: Callable[..., object], on_give_up: Callable[..., object] | None):
        self.func = func
        self.on_give_up = on_give_up


_jobs: dict[str, Job] = {}
_executor: Executor | None = None


def job(name: str, *, on_give_up: Callable[..., object] | None = None):
    """Register ``func`` as the job ``name`` (the name is what a queued row stores: keep it)."""

    def register(func):
        known = _jobs.get(name)
        if known is not None and known.func is not func:
            raise ValueError(f"deferred job {name!r} registered twice")
        _jobs[name] = Job(func, on_give_up)
        return func

    return register


def jobs() -> dict[str, Job]:
    """Every core job by name (their modules imported first)."""
    for module in JOB_MODULES:
        importlib.import_module(module)
    return dict(_jobs)


def install(executor: Executor | None) -> Executor | None:
    """Hand jobs to ``executor`` from now on (None: run them here after commit). Returns
    the executor it replaces (a test puts it back)."""
    global _executor
    previous, _executor = _executor, executor
    return previous


def later(name: str, *, args: dict, key: str) -> None:
    """Run the job ``name`` with ``args`` once the caller's transaction commits (nothing at
    all if it rolls back). ``key`` names this one run: the executor runs the same key once."""
    found = jobs().get(name)
    if found is None:  # a programming error: say so now, not on a worker
        raise LookupError(f"no deferred job named {name!r}")
    if _executor is not None:
        _executor(name, args=args, key=key)
        return
    # robust: as the queue's local mode, an error after commit is logged, never raised
    # into the request whose work is committed already.
    transaction.on_commit(partial(found.func, **args), robust=True)
