from django.contrib import admin
from django.contrib.auth import get_user_model
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .models import Department, Division, Perspective, Pillar, Program, ProgramStatus, SiteIdentity

# What a released report fixed (Program.frame_is_fixed): read-only from then on; English names stay editable.
FIXED_FRAME_FIELDS = ["level1_label", "level2_label", "item_label", "figure_label", "numbering", "has_ledger"]


class FrameInline(admin.TabularInline):
    """Rows of a program's frame: once a report is released, `fixed_fields` are read-only and no row is added
    or removed."""

    extra = 0
    fixed_fields: list[str] = []

    def get_readonly_fields(self, request, obj=None):
        fixed = self.fixed_fields if obj is not None and obj.frame_is_fixed else []
        return [*super().get_readonly_fields(request, obj), *fixed]

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and not (obj is not None and obj.frame_is_fixed)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not (obj is not None and obj.frame_is_fixed)


class PerspectiveInline(FrameInline):
    model = Perspective
    fixed_fields = ["order"]


class ProgramStatusInline(FrameInline):
    model = ProgramStatus
    fields = ["order", "code", "label", "label_en", "severity", "counted", "behind", "needs_reason", "not_yet_due"]
    fixed_fields = ["order", "code", "label", "severity", "counted", "behind", "needs_reason", "not_yet_due"]


class PillarInline(FrameInline):
    model = Pillar
    fields = ["perspective", "numeral", "key", "order", "name", "name_en"]
    fixed_fields = ["perspective", "numeral", "key", "order"]


@admin.register(Program)
class ProgramAdmin(admin.ModelAdmin):
    """Registered again with the program scope (a reviewer edits the programs they review only) in
    initiatives/admin/structure.py: programs does not import initiatives, where the program scope is."""

    list_display = ["name", "slug", "period", "as_of_label", "fiscal_target"]
    inlines = [PerspectiveInline, PillarInline, ProgramStatusInline]
    fieldsets = [
        (None, {"fields": ["name", "name_en", "slug", "start_fiscal_year", "end_fiscal_year", "as_of", "as_of_label",
                           "introduction", "issuing_office", "issuing_office_en"]}),
        (_("プログラムの枠組み"), {
            "description": _("階層と項目の呼び方、財源確保額表の有無、項目が年度ごとに持つ金額、番号の付け方、報告する進行状況。"),
            "fields": ["level1_label", "level1_label_en", "level2_label", "level2_label_en", "item_label", "item_label_en",
                       "has_ledger", "fiscal_target_thousand_yen", "figure_label", "figure_label_en", "numbering"],
        }),
        (_("審査・公開の担当者"), {
            "description": _("空欄なら、担当のプログラムを持たない審査・公開の担当者が審査します。設定できるのはスーパーユーザーだけです。"),
            "fields": ["reviewers"],
        }),
    ]
    filter_horizontal = ["reviewers"]

    def get_readonly_fields(self, request, obj=None):
        """Who reviews a program is a grant of power: a superuser's, as the reviewer role itself. A released
        report fixes the frame (FIXED_FRAME_FIELDS)."""
        fixed = FIXED_FRAME_FIELDS if obj is not None and obj.frame_is_fixed else []
        return [*([] if request.user.is_superuser else ["reviewers"]), *fixed]

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "reviewers":  # staff with the reviewer role (accounts.roles.REVIEWER; programs does not import accounts)
            kwargs["queryset"] = (
                get_user_model().objects.filter(groups__name="行政改革課（審査・公開）", is_active=True).order_by("username")
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    @admin.display(description=_("期間"))
    def period(self, obj):
        return obj.period_label

    @admin.display(description=_("財源確保目標額（億円）"))
    def fiscal_target(self, obj):
        return obj.fiscal_target_oku_yen


class DivisionInline(admin.TabularInline):
    model = Division
    extra = 0


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "name_en", "order"]
    search_fields = ["name", "divisions__name"]
    filter_horizontal = ["members"]
    inlines = [DivisionInline]


@admin.register(SiteIdentity)
class SiteIdentityAdmin(admin.ModelAdmin):
    """One row: the city's name, the reform office's contact details and the official site, shown in the
    public pages' header and footer. Leave a detail empty and it is not shown."""

    fieldsets = [
        (_("自治体"), {"fields": ["city_name", "city_name_en", "official_site_url"]}),
        (_("問い合わせ先（行政改革課）"), {"fields": ["phone", "email", "address", "address_en", "office_hours",
                                           "office_hours_en", "contact_url"]}),
    ]

    def has_add_permission(self, request):
        return False  # the one row is created by the migration (programs 0004) and only ever edited

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        """Straight to the one row (created by the migration)."""
        identity, _created = SiteIdentity.objects.get_or_create(pk=1)  # gone only after a flush of the tables
        if self.has_view_or_change_permission(request, identity):
            return redirect(reverse("admin:programs_siteidentity_change", args=[identity.pk]))
        return super().changelist_view(request, extra_context)
