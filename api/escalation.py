"""Escalation on a schedule: each server process runs a thread that escalates what is due every minute or so.

Every worker on every machine runs one; the database lock in db.cases.escalate_due lets exactly one run at a time do
the work, and each step is counted from the missed deadline, so how many workers run it, and how late, changes
nothing. The thread starts with the first request a process serves, never at import: a worker forked from a
preloaded master starts its own, and CLI commands and tests that import the app start none.
`flask --app app escalate` runs the same once, for cron.
"""
from __future__ import annotations

import datetime as dt
import logging
import os
import threading

from flask import Flask

from db import cases
from db.engine import session_scope
import settings

log = logging.getLogger(__name__)
_threads: dict[int, threading.Thread] = {}  # process id → its escalation thread
_start_lock = threading.Lock()
_stop = threading.Event()


def run_once(now: dt.datetime | None = None) -> int | None:
    """One run in a transaction of its own: the steps taken, or None when another run held the lock or it failed.

    A failure (the database away, say) is logged and left to the next run: nobody is waiting for the answer.
    """
    try:
        with session_scope() as session:
            moved = cases.escalate_due(session, now or settings.now())
    except Exception:  # the loop must outlive any one run; the next one tries again
        log.exception("escalation run failed; the next run tries again")
        return None
    if moved:
        log.info("escalated %d overdue case steps", moved)
    return moved


def _loop(every_s: int) -> None:
    while True:  # a run first: a process that has just started catches up with what its downtime owed
        run_once()
        if _stop.wait(every_s):
            return


def start(every_s: int) -> threading.Thread | None:
    """The escalation thread of this process, started on the first call (None when `every_s` is 0: cron's job)."""
    if every_s <= 0:
        return None
    pid = os.getpid()
    with _start_lock:
        thread = _threads.get(pid)
        if thread is None or not thread.is_alive():
            _stop.clear()
            thread = threading.Thread(target=_loop, args=(every_s,), name="jinlin-escalation", daemon=True)
            _threads[pid] = thread
            thread.start()
    return thread


def stop() -> None:
    """End this process's thread after its current run (tests; a process that exits takes a daemon thread along)."""
    _stop.set()
    thread = _threads.pop(os.getpid(), None)
    if thread is not None:
        thread.join()


def install(server: Flask, every_s: int) -> None:
    """Start the thread with the first request each process serves."""
    if every_s <= 0:
        return

    @server.before_request
    def _escalation_running() -> None:
        if os.getpid() not in _threads:
            start(every_s)
