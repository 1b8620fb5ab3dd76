import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("finance", "0003_ledger_entries_into_statements"),
    ]

    operations = [
        migrations.AlterField(
            model_name="ledgerentry",
            name="statement",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE, related_name="entries", to="finance.ledgerstatement",
                verbose_name="報告",
            ),
        ),
    ]
