"""Remove the characters XML cannot carry from the texts stored before they were cleaned on the way in.

A vertical tab pasted from Word broke every workbook holding the text.
Forms and the Excel import now clean texts (programs.text.strip_illegal_xml) and the
workbook writers clean what they write; this cleans what is already stored, the same way:
a vertical tab or form feed becomes a line break, other C0 controls (not tab, line feed,
carriage return), lone surrogates and U+FFFE/U+FFFF are dropped. Published versions'
texts are cleaned inside their data too. No history is written: the texts say the same.
"""
import re

from django.db import migrations

ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
LINE_BREAKS = {"\x0b": "\n", "\x0c": "\n"}

FIELDS = {
    "Initiative": ["name", "fiscal_target", "background", "next_steps"],
    "ScheduleStep": ["step"],
    "YearlyRecord": ["plan", "result", "delay_reason", "secured_amount_note", "review_comment"],
    "DepartmentStatus": ["label"],
    "PublishedVersion": ["name", "search_text", "data"],
}


def clean(value):
    """A copy of programs.text.strip_illegal_xml as it was written, applied to strings inside lists and dicts too."""
    if isinstance(value, str):
        return ILLEGAL_XML.sub(lambda match: LINE_BREAKS.get(match.group(), ""), value) if ILLEGAL_XML.search(value) else value
    if isinstance(value, list):
        return [clean(item) for item in value]
    if isinstance(value, dict):
        return {key: clean(item) for key, item in value.items()}
    return value


def strip_illegal_xml_characters(apps, schema_editor):
    for model_name, fields in FIELDS.items():
        model = apps.get_model("initiatives", model_name)
        changed = []
        for row in model.objects.only("pk", *fields).iterator(chunk_size=500):
            values = {field: clean(getattr(row, field)) for field in fields}
            if any(values[field] != getattr(row, field) for field in fields):
                for field, value in values.items():
                    setattr(row, field, value)
                changed.append(row)
        model.objects.bulk_update(changed, fields, batch_size=500)


class Migration(migrations.Migration):

    dependencies = [
        ("initiatives", "0003_cycles_and_schedule"),
    ]

    operations = [
        migrations.RunPython(strip_illegal_xml_characters, migrations.RunPython.noop),
    ]
