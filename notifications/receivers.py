"""The initiatives' signals (sent once the reform office's action has committed) turned into notifications.

The action has happened whatever becomes of its mail: a failure here is logged, never
raised into the request that caused it.
"""
import logging

from . import services

logger = logging.getLogger(__name__)


def _safely(notify, **kwargs) -> None:
    try:
        notify(**kwargs)
    except Exception:  # noqa: BLE001
        logger.exception("notifications: %s failed", notify.__name__)


def on_cycle_opened(sender, cycle, **kwargs) -> None:
    _safely(services.notify_cycle_opened, cycle=cycle)


def on_record_returned(sender, record, comment, **kwargs) -> None:
    _safely(services.notify_record_returned, record=record, comment=comment)


def on_cycle_released(sender, cycle, **kwargs) -> None:
    _safely(services.notify_cycle_released, cycle=cycle)
