"""Excel import for departments (staff only): download the template, upload and preview, confirm.

Every link gives the cycle (?cycle=<id>); without one, the page goes to the only open cycle holding records the
user may edit, or asks which (initiatives.selectors.cycles_to_import), naming each with its program. An id that
names none of them is answered with that list and a message.

1. `recordimport:template` — the cycle's records of the user's initiatives as an .xlsx.
2. `recordimport:upload` — GET: instructions and the form; POST: the file is read and
   checked (imports.read_import); errors are listed and nothing changes; otherwise the
   preview shows each changed record field by field (before → after) with a confirm button.
   The validated rows travel in the confirm form as a payload signed with the site's key
   (django.core.signing, bound to the user and the cycle, valid for an hour), so the
   confirmation applies exactly what was previewed and nothing is kept on the server.
3. `recordimport:confirm` — POST: services.workbook_import applies every change or none.
"""
import functools

from django.contrib import messages
from django.contrib.admin import site
from django.contrib.admin.views.decorators import staff_member_required
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from accounts import roles
from initiatives.selectors import cycles_to_import
from initiatives.services import ConcurrentEditError
from programs.forms import ImportConfirmForm, ImportUploadForm
from programs.import_limits import excerpt
from programs.models import ReportingCycle

from . import imports, services
from .template import build_import_template, reason_labels

SALT = "recordimport"
PAYLOAD_MAX_AGE = 60 * 60


class CycleNotChosen(Exception):
    """No cycle to import into: the page lists those the user may choose, with `error` saying what was wrong."""

    def __init__(self, choices, error: str = ""):
        super().__init__(error)
        self.choices, self.error = choices, error


def _cycle(request) -> ReportingCycle:
    """The open cycle the import is for: ?cycle=<id> (every link passes it), else the only open cycle holding records
    the user may edit. CycleNotChosen when there are several, none, or the id names none of them."""
    choices = list(cycles_to_import(request.user))
    wanted = request.POST.get("cycle") or request.GET.get("cycle")
    if wanted:
        chosen = next((c for c in choices if str(c.pk) == wanted.strip()), None)
        if chosen is None:
            raise CycleNotChosen(choices, _("指定された報告期（%(value)s）は、受付中であなたが更新できる取組のある報告期ではありません。"
                                            "下の一覧から選んでください。") % {"value": excerpt(wanted)})
        return chosen
    if len(choices) == 1:
        return choices[0]
    raise CycleNotChosen(choices)


def _choose_cycle(request, refusal: CycleNotChosen, status=200):
    """The page that asks which cycle (several open ones), or says there is none to import into."""
    return _render(request, "recordimport/choose.html", _("Excelで一括更新"), choices=refusal.choices,
                   errors=[refusal.error] if refusal.error else [], status=400 if refusal.error else status)


def _ensure_may_import(user) -> None:
    if not (roles.is_editor(user) or roles.is_reviewer(user)):
        raise PermissionDenied(_("Excelで一括更新できるのは部局の担当者と行政改革課の担当者です。"))


def _render(request, template, title, status=200, **context):
    if context.get("cycle"):
        context["reason_labels"] = reason_labels(context["cycle"])
    return TemplateResponse(request, template, {**site.each_context(request), "title": title, **context}, status=status)


def of_a_cycle(view):
    """A page of one cycle's import (`_cycle`), for staff who may import: the chooser when no cycle is given."""
    @never_cache
    @staff_member_required
    @functools.wraps(view)
    def page(request):
        _ensure_may_import(request.user)
        try:
            cycle = _cycle(request)
        except CycleNotChosen as refusal:
            return _choose_cycle(request, refusal)
        return view(request, cycle)

    return page


@of_a_cycle
def template(request, cycle):
    data = build_import_template(user=request.user, cycle=cycle)
    departments = "・".join(request.user.departments.values_list("name", flat=True)) if not roles.is_reviewer(request.user) else ""
    name = "_".join(filter(None, [_("一括更新"), cycle.staff_label, departments])) + ".xlsx"
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response


@of_a_cycle
def upload(request, cycle):
    title = _("Excelで一括更新")
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method != "POST" or not form.is_valid():
        return _render(request, "recordimport/upload.html", title, cycle=cycle, form=form)
    upload = form.cleaned_data["file"]
    try:
        imports.check_size(upload.size)  # the real size: nothing of a larger file is read
        rows = imports.read_import(upload.read(), user=request.user, cycle=cycle)
    except imports.ImportRefused as refused:
        return _render(request, "recordimport/upload.html", title, cycle=cycle, form=ImportUploadForm(),
                       errors=refused.errors, filename=upload.name, status=400)
    preview = imports.changes(rows)
    payload = signing.dumps({"user": request.user.pk, "cycle": cycle.pk, "rows": rows}, salt=SALT, compress=True)
    return _render(
        request, "recordimport/preview.html", _("一括更新の確認"), cycle=cycle, preview=preview,
        unchanged=len(rows) - len(preview), filename=upload.name, confirm_form=ImportConfirmForm(initial={"payload": payload}),
    )


@never_cache
@staff_member_required
def confirm(request):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    _ensure_may_import(request.user)
    form = ImportConfirmForm(request.POST)
    try:
        if not form.is_valid():
            raise signing.BadSignature
        payload = signing.loads(form.cleaned_data["payload"], salt=SALT, max_age=PAYLOAD_MAX_AGE)
    except signing.SignatureExpired:
        return _refused(request, [_("確認画面を開いてから時間が経ちすぎました。ファイルをもう一度アップロードしてください。")])
    except signing.BadSignature:
        return _refused(request, [_("確認の内容が正しくありません。ファイルをもう一度アップロードしてください。")])
    if payload.get("user") != request.user.pk:
        return _refused(request, [_("確認の内容が正しくありません。ファイルをもう一度アップロードしてください。")])
    try:
        cycle = ReportingCycle.objects.get(pk=payload["cycle"])
        updated = services.workbook_import(user=request.user, cycle=cycle, rows=payload["rows"])
    except ReportingCycle.DoesNotExist:
        return _refused(request, [_("確認の内容が正しくありません。ファイルをもう一度アップロードしてください。")])
    except ConcurrentEditError as error:
        return _refused(request, error.messages, conflicts=error.changes, cycle=cycle)
    except ValidationError as error:
        return _refused(request, error.messages, cycle=cycle)
    except PermissionDenied as error:
        return _refused(request, [str(error)], cycle=cycle)
    messages.success(request, _("%(count)d件の取組を更新しました（下書き）。内容を確認して提出してください。") % {"count": len(updated)})
    return redirect(reverse("admin:initiatives_yearlyrecord_changelist") + f"?cycle={cycle.pk}&workflow_state__exact=draft")


def _refused(request, errors, conflicts=(), cycle=None):
    if cycle is None:
        try:
            cycle = _cycle(request)
        except CycleNotChosen:
            cycle = None
    return _render(request, "recordimport/upload.html", _("Excelで一括更新"), cycle=cycle,
                   form=ImportUploadForm(), errors=errors, conflicts=conflicts, status=409)
