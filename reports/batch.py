"""Building a report allocates millions of small, short-lived objects (layout boxes, cells, rows).

Python's cyclic garbage collector runs every few hundred allocations and walks the objects
that are still alive, again and again while a report grows: that is 15–20 % of a build.
What a build leaves behind is freed by reference counting when the build returns; the
collector is switched off for the build and on again after it (process-wide, briefly: other
threads of the process only have their collections delayed).
"""
import gc
from contextlib import contextmanager


@contextmanager
def without_cyclic_gc():
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
