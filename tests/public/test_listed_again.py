"""The list filtered by a level holds the items that level lists again (再掲), marked, as the city's list prints
them under it: the strategy's 施策 エ of 基本目標4 holds only such rows."""
import pytest
from django.urls import reverse

from initiatives import services
from initiatives.models import Listing
from programs.models import Perspective, Pillar
from tests.factories import released_list_of_projects

pytestmark = pytest.mark.django_db


def listed(client, program, **filters) -> tuple[list[str], int]:
    html = client.get(reverse("public:initiative-list", args=[program.slug]), filters).content.decode()
    names = [name for name in ("事業1ア-1", "事業1ア-2", "事業1イ-1", "事業1イ-2") if f">{name}</a>" in html]
    return names, html.count('class="badge listed-again"')


def test_a_level_lists_what_it_lists_again_marked_and_a_release_keeps_it(client, reviewer):
    program = released_list_of_projects(reviewer, "listed", listed_again=True)
    own, again = Pillar.objects.get(program=program, key="1ア"), Pillar.objects.get(program=program, key="1イ")
    assert listed(client, program, pillar=again.pk) == (["事業1ア-1", "事業1イ-1", "事業1イ-2"], 1)
    assert listed(client, program, pillar=own.pk) == (["事業1ア-1", "事業1ア-2"], 0)  # its own level: no mark
    goal = Perspective.objects.get(program=program)
    assert listed(client, program, perspective=goal.pk) == (["事業1ア-1", "事業1ア-2", "事業1イ-1", "事業1イ-2"], 0)

    # the next cycle opens and the listing is taken away: the released report still lists what it printed
    program.end_fiscal_year = 2026
    program.save(update_fields=["end_fiscal_year"])
    services.cycle_open(program=program, fiscal_year=2026, by=reviewer)
    Listing.objects.filter(initiative__program=program).delete()
    assert listed(client, program, pillar=again.pk) == (["事業1ア-1", "事業1イ-1", "事業1イ-2"], 1)


def test_without_listings_a_level_lists_its_own_items_only(client, reviewer):
    program = released_list_of_projects(reviewer, "plain")
    again = Pillar.objects.get(program=program, key="1イ")
    assert listed(client, program, pillar=again.pk) == (["事業1イ-1", "事業1イ-2"], 0)
