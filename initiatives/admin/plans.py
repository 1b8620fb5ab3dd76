"""A plan of the city's own, loaded in the browser; any program's plan written out (the reform office).

1. `admin:programs_program_plan_template` — the blank plan workbook.
2. `admin:programs_program_plan_upload` — GET: instructions and the form; POST: the workbook is
   checked (planbook.read_plan_workbook: the record import's limits, then every cell); problems
   are listed with sheet, row and column and nothing is created; otherwise the preview shows the
   program, its levels, statuses, items per level and the departments it adds. The checked plan
   travels in the confirm form as a payload signed with the site's key (django.core.signing, bound
   to the user, valid for PAYLOAD_MAX_AGE), as the record import's rows do: nothing is kept on the
   web host, so the confirmation may reach another host behind the load balancer.
3. `admin:programs_program_plan_confirm` — POST: services.plan_import creates exactly the previewed
   program with its first cycle in one transaction.
4. `admin:programs_program_plan_export` — 「Excelで書き出す」: the program's plan workbook.

Only those who review new programs (roles.reviews_new_programs) load a plan; editors are refused.
"""
from django.contrib import messages
from django.contrib.admin import site
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
from programs.forms import ImportConfirmForm, ImportUploadForm
from programs.import_limits import ImportRefused, check_size
from programs.models import Department

from ..opendata import DataFormatError
from ..planbook.read import read_plan_workbook
from ..planbook.write import plan_template, plan_workbook
from ..services import plan_import

SALT = "initiatives.plan"
PAYLOAD_MAX_AGE = 60 * 60
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def ensure_may_load(user) -> None:
    if not roles.reviews_new_programs(user):
        raise PermissionDenied(_("計画を読み込めるのは行政改革課（審査・公開）の担当者です。"))


def _render(request, template, title, status=200, **context):
    return TemplateResponse(request, template, {**site.each_context(request), "title": title, **context}, status=status)


def _download(data: bytes, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response


def export(program) -> HttpResponse:
    return _download(plan_workbook(program), _("計画_%(name)s.xlsx") % {"name": program.name})


@never_cache
def template(request):
    ensure_may_load(request.user)
    return _download(plan_template(), _("計画のテンプレート.xlsx"))


@never_cache
def upload(request):
    ensure_may_load(request.user)
    title = _("Excelで計画を読み込む")
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method != "POST" or not form.is_valid():
        return _render(request, "admin/programs/program/plan_upload.html", title, form=form)
    upload = form.cleaned_data["file"]
    try:
        check_size(upload.size)  # the real size: nothing of a larger file is read
        data = upload.read()
        document = read_plan_workbook(data)
    except ImportRefused as refused:
        return _render(request, "admin/programs/program/plan_upload.html", title, form=ImportUploadForm(),
                       errors=refused.errors, filename=upload.name, status=400)
    payload = signing.dumps({"user": request.user.pk, "document": document}, salt=SALT, compress=True)
    return _render(request, "admin/programs/program/plan_preview.html", _("計画の確認"), preview=preview(document),
                   filename=upload.name, confirm_form=ImportConfirmForm(initial={"payload": payload}))


@never_cache
def confirm(request):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    ensure_may_load(request.user)
    form = ImportConfirmForm(request.POST)
    again = _("ファイルをもう一度アップロードしてください。")
    try:
        if not form.is_valid():
            raise signing.BadSignature
        payload = signing.loads(form.cleaned_data["payload"], salt=SALT, max_age=PAYLOAD_MAX_AGE)
    except signing.SignatureExpired:
        return _refused(request, [_("確認画面を開いてから時間が経ちすぎました。") + again])
    except signing.BadSignature:
        return _refused(request, [_("確認の内容が正しくありません。") + again])
    if payload.get("user") != request.user.pk:
        return _refused(request, [_("確認の内容が正しくありません。") + again])
    try:
        program = plan_import(document=payload["document"], by=request.user)
    except ImportRefused as refused:
        return _refused(request, refused.errors)
    except (DataFormatError, PermissionDenied) as error:
        return _refused(request, [str(error)])
    except ValidationError as error:
        return _refused(request, error.messages)
    messages.success(request, _("計画「%(name)s」を登録し、報告期「%(cycle)s」を開きました。") % {
        "name": program.name, "cycle": program.cycles.get().label})
    return redirect(reverse("admin:programs_program_change", args=[program.pk]))


def _refused(request, errors):
    return _render(request, "admin/programs/program/plan_upload.html", _("Excelで計画を読み込む"),
                   form=ImportUploadForm(), errors=errors, status=409)


def preview(document: dict) -> dict:
    """What the confirmation will create, as the preview shows it."""
    program = document["program"]
    frame = program["frame"]
    counts: dict[str, int] = {}
    for item in document["initiatives"]:
        counts[item["pillar"]] = counts.get(item["pillar"], 0) + 1
    names = [d["name"] for d in document["departments"]]
    existing = set(Department.objects.filter(name__in=names).values_list("name", flat=True))
    return {
        "program": program,
        "frame": frame,
        "levels": [{**pillar, "items": counts.get(pillar["key"], 0)} for pillar in document["pillars"]],
        "perspectives": document["perspectives"],
        "items": len(document["initiatives"]),
        "departments_new": [name for name in names if name not in existing],
        "departments_existing": [name for name in names if name in existing],
    }
