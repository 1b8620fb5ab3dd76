from django.db import migrations


def remove_statements_without_a_ledger(apps, schema_editor):
    """Opening a cycle gave every program an empty statement, also those without a ledger (the strategy's list,
    the dX roadmap), which have no figures to state. Those with no figure go, released or not (a program
    without a ledger prints none: its pages and reports never read them); one holding a figure stays as entered."""
    LedgerStatement = apps.get_model("finance", "LedgerStatement")
    LedgerStatement.objects.filter(program__has_ledger=False, entries__isnull=True).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("finance", "0005_release_keeps_frame"),
        ("programs", "0010_program_statuses"),
    ]

    operations = [
        migrations.RunPython(remove_statements_without_a_ledger, migrations.RunPython.noop),
    ]
