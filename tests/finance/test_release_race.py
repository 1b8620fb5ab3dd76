"""A release and 財政課 do not race: the release locks the ledger statement it makes final.

On PostgreSQL (row locks; SQLite serialises every write anyway), with two connections: while a
release of 令和8年度当初 is committing, 財政課 reopens its confirmed figures. The reopen waits for
the release's lock and is then refused, because the statement it reads is released; the public
ledger keeps the confirmed figure.
"""
import threading

import pytest
from django.db import connection, transaction

from finance import services as ledger_services
from finance.models import LedgerStatement, StatementState
from initiatives import services
from tests.conftest import enter_ledger
from tests.factories import LedgerCategoryFactory
from tests.reports.conftest import publish_the_rest

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks between connections: PostgreSQL"),
]


def test_finance_cannot_reopen_the_figures_while_a_release_commits(world, finance):
    LedgerCategoryFactory(program=world.program, name="ふるさと納税の推進", target_thousand_yen=1_880_000)
    enter_ledger(world.cycle, finance, {"ふるさと納税の推進": 4_000_000})
    publish_the_rest(world.cycle, world.reviewer)
    services.cycle_close(cycle=world.cycle, by=world.reviewer)
    statement = LedgerStatement.objects.for_cycle(world.cycle)
    released, commit, outcome = threading.Event(), threading.Event(), {}

    def release():
        try:
            with transaction.atomic():
                services.cycle_release(cycle=world.cycle, by=world.reviewer)
                released.set()
                commit.wait(10)  # the release holds its locks until it commits
        finally:
            connection.close()

    def reopen():
        released.wait(10)
        try:
            ledger_services.ledger_statement_reopen(statement=statement, by=finance)
            outcome["result"] = "reopened"
        except ledger_services.LedgerError as error:
            outcome["result"] = " ".join(error.messages)
        finally:
            connection.close()

    threads = [threading.Thread(target=release), threading.Thread(target=reopen)]
    for thread in threads:
        thread.start()
    assert released.wait(10)
    threads[1].join(1)
    assert threads[1].is_alive()  # 財政課 waits for the release's lock
    commit.set()
    for thread in threads:
        thread.join(20)
    assert "公表済み" in outcome["result"]
    statement.refresh_from_db()
    world.cycle.refresh_from_db()
    assert world.cycle.is_released and statement.state == StatementState.CONFIRMED
