"""Creating a whole program: from its JSON document (initiatives.opendata), or from the plan workbook with its first cycle."""
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from accounts import roles
from programs.models import Program

from ..opendata.importer import import_program
from .cycles import cycle_open


@transaction.atomic
def program_import(*, document: dict, by, replace: bool = False) -> Program:
    """Create the program `document` describes (opendata.DataFormatError names any mistake; nothing is created).

    `by` is the staff member who loads it (one who reviews new programs), or None for the server's operator
    (`import_data`). Replacing a program deletes its publications, released reports included: only the
    operator restores a program that way.
    """
    if by is not None:
        if not roles.reviews_new_programs(by):
            raise PermissionDenied(_("新しいプログラムを登録できるのは行政改革課（審査・公開）の担当者です。"))
        if replace:
            raise PermissionDenied(_("登録済みのプログラムの置き換えは、サーバーの管理者だけが行えます。"))
    return import_program(document, replace=replace)


@transaction.atomic
def plan_import(*, document: dict, by) -> Program:
    """Create a plan loaded from the plan workbook (initiatives.planbook): the program, its statuses,
    departments and items, and its first reporting cycle, open for the program's first fiscal year."""
    if by is None:
        raise PermissionDenied(_("計画を登録した担当者が分かりません。"))
    program = program_import(document=document, by=by)
    cycle_open(program=program, fiscal_year=program.start_fiscal_year, by=by)
    return program
