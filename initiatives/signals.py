"""Signals other parts listen to (caches of public pages and reports, notifications to staff)."""
from django.dispatch import Signal

# Sent once after a transaction that published versions in a reporting cycle commits (one record or, through
# cycle_publish_all, every record of the cycle); kwargs: cycle.
cycle_published = Signal()

# Sent after the transaction that released a reporting cycle (公表) commits; kwargs: cycle.
cycle_released = Signal()

# Sent after the transaction that opened a reporting cycle commits; kwargs: cycle.
cycle_opened = Signal()

# Sent after the transaction that returned a record to its department commits; kwargs: record, by, comment.
record_returned = Signal()
