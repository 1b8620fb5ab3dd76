"""Signals other parts listen to (caches of public pages and reports)."""
from django.dispatch import Signal

# Sent after the transaction that published a version commits; kwargs: version.
published = Signal()

# Sent after the transaction that released a reporting cycle (公表) commits; kwargs: cycle.
cycle_released = Signal()
