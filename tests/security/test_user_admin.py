"""Separation of duties in user administration: the システム管理者 role manages accounts but
grants neither superuser nor reviewer powers, to itself or anyone (accounts/admin.py)."""
import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from accounts import roles
from programs.demo import DEMO_USERS

pytestmark = pytest.mark.django_db


@pytest.fixture
def administrator(make_user):
    return make_user("sysadmin", role=roles.ADMINISTRATOR, email="sysadmin@city.example")


@pytest.fixture
def admin_client(client, administrator):
    client.force_login(administrator)
    return client


def change_url(user):
    return reverse("admin:auth_user_change", args=[user.pk])


def user_form(user, **changes):
    """What the user's change form posts (the fields an administrator can edit), with `changes`."""
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": "on",
        "is_staff": "on",
        "date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
        "groups": [group.pk for group in user.groups.all()],
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def reviewer_group():
    return Group.objects.get(name=roles.REVIEWER)


def test_administrator_cannot_make_itself_superuser(admin_client, administrator):
    response = admin_client.post(change_url(administrator), user_form(administrator, is_superuser="on"))
    assert response.status_code == 302
    administrator.refresh_from_db()
    assert not administrator.is_superuser
    page = admin_client.get(change_url(administrator)).content.decode()
    assert 'name="is_superuser"' not in page


def test_administrator_cannot_make_anyone_superuser(admin_client, world):
    editor = world.editor_somu
    response = admin_client.post(change_url(editor), user_form(editor, is_superuser="on"))
    assert response.status_code == 302
    editor.refresh_from_db()
    assert not editor.is_superuser


def test_administrator_cannot_give_itself_the_reviewer_role(admin_client, administrator):
    groups = [reviewer_group().pk, *administrator.groups.values_list("pk", flat=True)]
    admin_client.post(change_url(administrator), user_form(administrator, groups=groups))
    assert not administrator.groups.filter(name=roles.REVIEWER).exists()
    assert not roles.is_reviewer(type(administrator).objects.get(pk=administrator.pk))


def test_administrator_cannot_change_its_own_roles(admin_client, administrator):
    admin_client.post(change_url(administrator), user_form(administrator, groups=[]))
    assert administrator.groups.filter(name=roles.ADMINISTRATOR).exists()


def test_administrator_cannot_grant_the_reviewer_role_to_another_account(admin_client, world):
    editor = world.editor_somu
    response = admin_client.post(change_url(editor), user_form(editor, groups=[reviewer_group().pk]))
    assert response.status_code == 200  # the form refuses the choice
    assert not editor.groups.filter(name=roles.REVIEWER).exists()


def test_administrator_cannot_grant_individual_permissions(admin_client, world):
    from django.contrib.auth.models import Permission

    editor = world.editor_somu
    publish = Permission.objects.filter(content_type__app_label="initiatives").values_list("pk", flat=True)
    admin_client.post(change_url(editor), user_form(editor, user_permissions=list(publish)))
    assert not editor.user_permissions.exists()


def test_administrator_cannot_take_over_a_reviewer_or_superuser_account(admin_client, world, make_user):
    superuser = make_user("root", is_superuser=True)
    for account in (world.reviewer, superuser):
        response = admin_client.post(change_url(account), user_form(account, email="attacker@example.com"))
        assert response.status_code == 403
        password = reverse("admin:auth_user_password_change", args=[account.pk])
        response = admin_client.post(password, {"password1": "attacker-chosen-pass-1", "password2": "attacker-chosen-pass-1"})
        assert response.status_code == 403
        account.refresh_from_db()
        assert account.email != "attacker@example.com"
        assert account.check_password("correct-horse-battery")


def test_administrator_cannot_rename_or_repermission_the_role_groups(admin_client, administrator):
    group = Group.objects.get(name=roles.ADMINISTRATOR)
    url = reverse("admin:auth_group_change", args=[group.pk])
    response = admin_client.post(url, {"name": roles.REVIEWER + "2", "permissions": []})
    assert response.status_code == 403
    assert Group.objects.filter(name=roles.ADMINISTRATOR).exists()
    assert admin_client.post(reverse("admin:auth_group_add"), {"name": "新しい役割"}).status_code == 403


def test_administrator_still_manages_department_accounts(admin_client, world):
    editor = world.editor_somu
    groups = [Group.objects.get(name=roles.EDITOR).pk, Group.objects.get(name=roles.ADMINISTRATOR).pk]
    response = admin_client.post(change_url(editor), user_form(editor, email="somu@city.example", groups=groups))
    assert response.status_code == 302
    editor.refresh_from_db()
    assert editor.email == "somu@city.example"
    assert editor.groups.filter(name=roles.ADMINISTRATOR).exists()


def test_a_superuser_grants_the_reviewer_role(client, world, make_user):
    client.force_login(make_user("root", is_superuser=True))
    editor = world.editor_somu
    response = client.post(change_url(editor), user_form(editor, groups=[reviewer_group().pk]))
    assert response.status_code == 302
    assert editor.groups.filter(name=roles.REVIEWER).exists()


def test_the_demo_administrator_is_not_a_superuser():
    administrator = next(user for user in DEMO_USERS if user.username == "admin")
    assert administrator.group == roles.ADMINISTRATOR and not administrator.superuser


def test_administrator_cannot_delete_a_reviewer_in_bulk(admin_client, world):
    changelist = reverse("admin:auth_user_changelist")
    admin_client.post(changelist, {"action": "delete_selected", "_selected_action": [world.reviewer.pk], "post": "yes"})
    assert type(world.reviewer).objects.filter(pk=world.reviewer.pk).exists()


def finance_group():
    return Group.objects.get(name=roles.FINANCE)


def test_administrator_cannot_take_over_the_finance_account(admin_client, finance):
    """財政課 confirms the ledger figures the city publishes: its account is a superuser's to change."""
    response = admin_client.post(change_url(finance), user_form(finance, email="attacker@example.com"))
    assert response.status_code == 403
    password = reverse("admin:auth_user_password_change", args=[finance.pk])
    response = admin_client.post(password, {"password1": "attacker-chosen-pass-1", "password2": "attacker-chosen-pass-1"})
    assert response.status_code == 403
    finance.refresh_from_db()
    assert finance.email != "attacker@example.com"
    assert finance.check_password("correct-horse-battery")


def test_administrator_cannot_remove_the_finance_role_or_deactivate_its_account(admin_client, finance):
    admin_client.post(change_url(finance), user_form(finance, groups=[]))
    admin_client.post(change_url(finance), user_form(finance, is_active=None))
    finance.refresh_from_db()
    assert finance.is_active and finance.groups.filter(name=roles.FINANCE).exists()


def test_administrator_cannot_grant_the_finance_role(admin_client, administrator, world):
    editor = world.editor_somu
    response = admin_client.post(change_url(editor), user_form(editor, groups=[finance_group().pk]))
    assert response.status_code == 200  # the form refuses the choice
    assert not editor.groups.filter(name=roles.FINANCE).exists()
    groups = [finance_group().pk, *administrator.groups.values_list("pk", flat=True)]
    admin_client.post(change_url(administrator), user_form(administrator, groups=groups))
    assert not administrator.groups.filter(name=roles.FINANCE).exists()
    page = admin_client.get(change_url(editor)).content.decode()
    assert roles.FINANCE not in page  # not offered


def test_a_superuser_grants_and_removes_the_finance_role(client, world, make_user):
    client.force_login(make_user("root", is_superuser=True))
    editor = world.editor_somu
    assert client.post(change_url(editor), user_form(editor, groups=[finance_group().pk])).status_code == 302
    assert editor.groups.filter(name=roles.FINANCE).exists()
    assert client.post(change_url(editor), user_form(editor, groups=[])).status_code == 302
    assert not editor.groups.filter(name=roles.FINANCE).exists()
