
import django.db.models.deletion
from django.db import migrations, models


def keep_released_categories(apps, schema_editor):
    """Statements released before releases kept their categories keep them as they stand now."""
    LedgerStatement = apps.get_model("finance", "LedgerStatement")
    LedgerCategory = apps.get_model("finance", "LedgerCategory")
    ReportingCycle = apps.get_model("programs", "ReportingCycle")
    for statement in LedgerStatement.objects.filter(released_categories__isnull=True):
        released = ReportingCycle.objects.filter(
            program_id=statement.program_id, fiscal_year=statement.budget_fiscal_year - 1, state="released"
        )
        if released.exists():
            statement.released_categories = list(
                LedgerCategory.objects.filter(program_id=statement.program_id).order_by("order").values(
                    "id", "group", "order", "name", "target_thousand_yen", "note"
                )
            )
            statement.save(update_fields=["released_categories"])


class Migration(migrations.Migration):

    dependencies = [
        ('finance', '0004_ledger_entry_statement_required'),
        ('programs', '0008_release_keeps_frame'),
    ]

    operations = [
        migrations.AddField(
            model_name='historicalledgerstatement',
            name='released_categories',
            field=models.JSONField(blank=True, editable=False, null=True, verbose_name='公表時の項目'),
        ),
        migrations.AddField(
            model_name='ledgerstatement',
            name='released_categories',
            field=models.JSONField(blank=True, editable=False, null=True, verbose_name='公表時の項目'),
        ),
        migrations.AlterField(
            model_name='ledgerentry',
            name='category',
            field=models.ForeignKey(on_delete=django.db.models.deletion.RESTRICT, related_name='entries', to='finance.ledgercategory', verbose_name='項目'),
        ),
        migrations.RunPython(keep_released_categories, migrations.RunPython.noop),
    ]
