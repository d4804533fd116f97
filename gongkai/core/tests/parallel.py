"""Tests that run real threads against the test database, on PostgreSQL and on SQLite.

PostgreSQL: every thread's connection opens the test database itself. SQLite: the test
database is in memory with a shared cache, whose table locks fail at once ("database
table is locked") where a real database file waits; so its tables and rows are copied
into a file, opened with the project's settings (WAL, BEGIN IMMEDIATE, 20 s busy
timeout), as in production."""

from __future__ import annotations

import sqlite3
import threading

from django.db import connection, connections


def database_for_threads(tmp_path):
    """A function that points the calling thread's connection at the database the
    parallel test runs on."""
    if connection.vendor != "sqlite":
        return lambda: None
    path = tmp_path / "parallel.sqlite3"
    connection.ensure_connection()
    target = sqlite3.connect(path)
    connection.connection.backup(target)
    # A deployed database is in WAL mode since its first migrate; the threads' first
    # connections would otherwise race to switch the journal mode.
    target.execute("PRAGMA journal_mode=WAL")
    target.close()
    settings_dict = {**connections.settings["default"], "NAME": str(path)}
    wrapper = type(connections["default"])

    def use_file():
        connections["default"] = wrapper(settings_dict, "default")

    return use_file


def in_thread(use_database, fn):
    """``fn()`` in a thread on the parallel test's database; its result."""
    result, errors = [], []

    def run():
        use_database()
        try:
            result.append(fn())
        except Exception as exc:  # re-raised below
            errors.append(exc)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if errors:
        raise errors[0]
    return result[0]
