import datetime

import pytest

from initiatives import services
from programs.statuses import Status

DEADLINE = datetime.date(2026, 3, 31)


@pytest.fixture
def staff(world):
    """The `world` (令和7年度当初 released, 令和8年度当初 open) with an address for everyone and a deadline."""
    for user in (world.reviewer, world.editor_somu, world.editor_doboku):
        user.email = f"{user.username}@city.asahikawa.example"
        user.save()
    world.cycle.deadline = DEADLINE
    world.cycle.save()
    return world


def complete(world, number, **data):
    """Fill in a record as its department does (explicit status)."""
    data = {"plan": "計画", "result": "実績", "status": Status.ON_SCHEDULE, **data}
    return services.record_update(record=world.record(number), by=world.reviewer, data=data)


def submit(world, number):
    complete(world, number)
    return services.record_submit(record=world.record(number), by=world.reviewer)


def recipients(outbox) -> list[str]:
    return sorted(address for message in outbox for address in message.to)


def html_of(message) -> str:
    (content, mimetype), = message.alternatives
    assert mimetype == "text/html"
    return content
