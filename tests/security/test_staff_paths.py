"""OWASP basics on the staff paths: CSRF on every state-changing view, URL tampering, escaping."""
import pytest
from django.test import Client
from django.urls import reverse

from initiatives import services
from initiatives.models import WorkflowState
from tests.initiatives.test_admin import form_data, record_url

pytestmark = pytest.mark.django_db

XSS = '<script>alert("xss")</script><img src=x onerror=alert(1)>'


@pytest.fixture
def csrf_client(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.editor_somu)
    return client


def test_record_edit_without_csrf_token_is_refused(csrf_client, world):
    record = world.record(1)
    response = csrf_client.post(record_url(record), form_data(record, result="偽の送信"))
    assert response.status_code == 403
    assert world.record(1).result != "偽の送信"


def test_workflow_transition_without_csrf_token_is_refused(csrf_client, world):
    services.record_update(record=world.record(1), by=world.editor_somu, data={"result": "下書き"})
    response = csrf_client.post(record_url(world.record(1), "workflow"), {"action": "submit"})
    assert response.status_code == 403
    assert world.record(1).workflow_state == WorkflowState.DRAFT


def test_logout_and_language_switch_need_csrf_token_too(csrf_client):
    assert csrf_client.post(reverse("admin:logout")).status_code == 403


@pytest.mark.parametrize("suffix", ["change", "history", "workflow"])
def test_other_departments_record_is_unreachable_by_url(client, world, suffix):
    record = world.record(1)  # 総務部's initiative
    client.force_login(world.editor_doboku)
    before = world.record(1).version
    response = client.post(record_url(record, suffix), {**form_data(record, result="他部局の改ざん"), "action": "submit"})
    assert response.status_code in (403, 404)
    assert world.record(1).version == before
    assert world.record(1).result != "他部局の改ざん"


def test_editor_cannot_reach_structure_or_publication_admin(client, world):
    client.force_login(world.editor_somu)
    initiative = world.record(1).initiative
    response = client.post(
        reverse("admin:initiatives_initiative_change", args=[initiative.pk]),
        {"number": 99, "name": "改名", "pillar": initiative.pillar_id},
    )
    initiative.refresh_from_db()
    assert initiative.number != 99 and initiative.name != "改名"
    assert response.status_code in (200, 302, 403)


def test_text_fields_are_escaped_in_the_admin(client, world):
    services.record_update(record=world.record(1), by=world.editor_somu, data={"result": XSS, "plan": XSS})
    client.force_login(world.reviewer)
    for url in [
        record_url(world.record(1)),
        record_url(world.record(1), "history"),
        reverse("admin:initiatives_yearlyrecord_changelist"),
        reverse("admin:initiatives_initiative_change", args=[world.record(1).initiative.pk]),
    ]:
        html = client.get(url).content.decode()
        assert "<script>alert" not in html, url
        assert "<img src=x" not in html, url
