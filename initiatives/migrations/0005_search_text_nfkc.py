"""The stored search text of each publication in the search's form (NFKC, case-folded: programs.text.search_form),
as record_publish now writes it, so that ＤＸ and DX, １ and 1 find each other in publications made before."""
import unicodedata

from django.db import migrations


def normalise(apps, schema_editor):
    PublishedVersion = apps.get_model("initiatives", "PublishedVersion")
    for version in PublishedVersion.objects.only("pk", "search_text").iterator(chunk_size=500):
        text = unicodedata.normalize("NFKC", version.search_text).casefold()
        if text != version.search_text:
            PublishedVersion.objects.filter(pk=version.pk).update(search_text=text)


class Migration(migrations.Migration):
    dependencies = [("initiatives", "0004_strip_illegal_xml_characters")]

    operations = [migrations.RunPython(normalise, migrations.RunPython.noop)]
