
from django.db import migrations, models

# The fields as programs.frames keeps them at a release (copied: a migration does not import app code).
PRINTED_PROGRAM_FIELDS = [
    "name", "name_en", "start_fiscal_year", "end_fiscal_year", "fiscal_target_thousand_yen", "as_of", "as_of_label",
    "introduction", "issuing_office", "issuing_office_en", "level1_label", "level1_label_en", "level2_label",
    "level2_label_en", "item_label", "item_label_en", "has_ledger", "figure_label", "figure_label_en", "status_codes",
]


def keep_released_frames(apps, schema_editor):
    """Cycles released before releases kept their frame keep the frame as it stands now (the best there is)."""
    ReportingCycle = apps.get_model("programs", "ReportingCycle")
    Perspective = apps.get_model("programs", "Perspective")
    Pillar = apps.get_model("programs", "Pillar")
    for cycle in ReportingCycle.objects.filter(state="released", frame__isnull=True).select_related("program"):
        program = cycle.program
        cycle.frame = {
            "program": {
                name: (value.isoformat() if hasattr(value, "isoformat") else value)
                for name, value in ((name, getattr(program, name)) for name in PRINTED_PROGRAM_FIELDS)
            },
            "perspectives": list(
                Perspective.objects.filter(program=program).order_by("order").values("id", "order", "name", "name_en")
            ),
            "pillars": list(
                Pillar.objects.filter(program=program).order_by("order").values(
                    "id", "perspective_id", "numeral", "key", "order", "name", "name_en"
                )
            ),
        }
        cycle.save(update_fields=["frame"])


class Migration(migrations.Migration):

    dependencies = [
        ('programs', '0007_program_slug_reserved'),
    ]

    operations = [
        migrations.AddField(
            model_name='reportingcycle',
            name='frame',
            field=models.JSONField(blank=True, editable=False, null=True, verbose_name='公表時のプログラムの構成'),
        ),
        migrations.RunPython(keep_released_frames, migrations.RunPython.noop),
    ]
