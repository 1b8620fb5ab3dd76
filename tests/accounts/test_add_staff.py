"""manage.py add_staff: the staff accounts of a new installation, with their roles; bad arguments change nothing."""
import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from accounts.roles import EDITOR, FINANCE, REVIEWER, is_reviewer
from programs.models import Department

pytestmark = pytest.mark.django_db


def test_a_reviewer_gets_the_role_and_no_password_until_they_set_one(capsys):
    call_command("add_staff", "kaikaku", "--email", "kaikaku@city.example", "--role", "reviewer")
    user = get_user_model().objects.get(username="kaikaku")
    assert user.is_staff and not user.is_superuser and is_reviewer(user)
    assert not user.has_usable_password()
    assert user.email == "kaikaku@city.example"
    assert "パスワードをお忘れですか" in capsys.readouterr().out


def test_run_again_it_adds_a_role_and_departments_keeping_the_password():
    Department.objects.create(name="土木部")
    Department.objects.create(name="財政部")
    user = get_user_model().objects.create_user("sato", password="kept-password-1")
    call_command("add_staff", "sato", "--email", "sato@city.example", "--role", "finance")
    call_command("add_staff", "sato", "--email", "sato@city.example", "--role", "editor",
                 "--department", "土木部", "--department", "財政部")
    user.refresh_from_db()
    assert user.check_password("kept-password-1")
    assert set(user.groups.values_list("name", flat=True)) == {EDITOR, FINANCE}
    assert set(user.departments.values_list("name", flat=True)) == {"土木部", "財政部"}


@pytest.mark.parametrize("arguments, message", [
    (["--email", "not-an-address", "--role", "reviewer"], "メールアドレス「not-an-address」"),
    (["--email", "a@city.example", "--role", "editor"], "--department"),
    (["--email", "a@city.example", "--role", "editor", "--department", "存在しない部"], "部局「存在しない部」は登録されていません"),
])
def test_bad_arguments_say_what_is_wrong_and_create_nothing(arguments, message):
    with pytest.raises(CommandError, match=message):
        call_command("add_staff", "newcomer", *arguments)
    assert not get_user_model().objects.filter(username="newcomer").exists()
    assert not get_user_model().objects.filter(groups__name=REVIEWER).exists()
