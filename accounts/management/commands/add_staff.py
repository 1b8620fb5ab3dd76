"""python manage.py add_staff USERNAME --email ADDRESS --role ROLE [--department NAME ...]

A staff account with its role, for installing the portal before anyone can use the admin (the
reform office's reviewer, the finance officer, the first editors). A new account has no password:
its owner sets one with the login page's password reset (a mail to --email), or an administrator
runs `manage.py changepassword USERNAME`. Run again to add a role or departments to an account.
"""
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email
from django.db import transaction

from accounts.roles import ADMINISTRATOR, EDITOR, FINANCE, REVIEWER
from programs.models import Department

ROLES = {"reviewer": REVIEWER, "editor": EDITOR, "finance": FINANCE, "administrator": ADMINISTRATOR}


class Command(BaseCommand):
    help = "職員のアカウントを作成し（または既存のアカウントに）役割と担当部局を付けます。"

    def add_arguments(self, parser):
        parser.add_argument("username", help="ログイン名")
        parser.add_argument("--email", required=True, help="メールアドレス（通知とパスワードの設定に使います）")
        parser.add_argument("--role", required=True, choices=sorted(ROLES),
                            help="reviewer=行政改革課（審査・公開）、editor=部局編集者、finance=財政課、administrator=システム管理者")
        parser.add_argument("--department", action="append", default=[], metavar="部局名",
                            help="担当部局（部局編集者は1つ以上。繰り返して複数指定）")

    def handle(self, *args, username, email, role, department, **options):
        try:
            validate_email(email)
        except ValidationError:
            raise CommandError(f"メールアドレス「{email}」の形式が正しくありません。何も変更していません。") from None
        departments = list(Department.objects.filter(name__in=department))
        unknown = sorted(set(department) - {d.name for d in departments})
        if unknown:
            raise CommandError(f"部局「{'」「'.join(unknown)}」は登録されていません（先にプログラムを読み込んでください）。何も変更していません。")
        if role == "editor" and not departments:
            raise CommandError("部局編集者には --department で担当部局を指定してください。何も変更していません。")
        group = Group.objects.filter(name=ROLES[role]).first()
        if group is None:
            raise CommandError("役割のグループがありません。先に manage.py migrate を実行してください。")
        with transaction.atomic():
            user, created = get_user_model().objects.get_or_create(username=username, defaults={"email": email})
            if created:
                user.set_unusable_password()
            user.email = email
            user.is_staff = True
            user.save()
            user.groups.add(group)
            for item in departments:
                item.members.add(user)
        done = "作成しました" if created else "更新しました"
        self.stdout.write(f"{username}（{ROLES[role]}）を{done}。")
        if created:
            self.stdout.write("パスワードは、本人がログイン画面の「パスワードをお忘れですか？」から設定します"
                              f"（{email} にメールが届きます）。または manage.py changepassword {username}")
