"""Work that follows a commit once, however many times one transaction asks for it.

`cycle_publish_all` publishes every record of a cycle in one transaction: the cycle's reports are to be
built once after the commit, not once per record (`setup_demo` asked for a build after each of its 227
publications: 20.6 s, now 16.2 s).
"""
from django.db import transaction


def on_commit_once(key, callback, using=None) -> None:
    """Run `callback` after the current transaction commits (at once outside one), once for `key`.

    A callback already waiting for this transaction's commit under `key` is not added again. One dropped
    by a rolled-back savepoint or transaction is no longer waiting, so a later call adds it anew.

    In tests: Django's `captureOnCommitCallbacks` runs only the callbacks added inside its block, so a test
    that publishes both before the block and inside it sees the callback added before, never run."""
    connection = transaction.get_connection(using)
    waiting = connection.__dict__.setdefault("_on_commit_once", {})
    pending = waiting.get(key)
    if pending is not None and any(entry[1] is pending for entry in connection.run_on_commit):
        return

    def run():
        waiting.pop(key, None)
        callback()

    waiting[key] = run
    transaction.on_commit(run, using=using)
