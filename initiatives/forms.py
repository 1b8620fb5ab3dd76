"""Staff forms: optimistic locking so that no edit is lost silently."""
from django import forms
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from programs.statuses import REFORM_VOCABULARY
from programs.text import StripIllegalXmlMixin

from .models import Initiative, YearlyRecord
from .services import changes_since

# The status select's empty choice: a record nobody has reported on yet (never a status chosen for them).
NOT_REPORTED_CHOICE = ("", gettext_lazy("未報告（選んでください）"))


def local_time(moment) -> str:
    """A moment as people in Japan read it (TIME_ZONE), e.g. 2026-11-25 23:10."""
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def concurrent_edit_message(obj, loaded_version: int):
    """A message listing what the other person changed since `loaded_version`."""
    return changes_message(changes_since(obj, loaded_version))


def changes_message(changes: list[dict]):
    """'Someone else saved first; your input is not saved', with their changes (field, before → after, who, when)."""
    intro = _("この内容は、あなたが開いた後に他の人が更新しました。あなたの入力は保存していません。"
              "下の変更を確認し、ページを開き直してから入力し直してください。")
    if not changes:
        return intro
    items = format_html_join(
        "",
        "<li>{}: 「{}」 → 「{}」（{}、{}）</li>",
        ((c["field"], c["old"] or "", c["new"] or "", c["by"], local_time(c["at"])) for c in changes),
    )
    return format_html("{}<ul>{}</ul>", intro, items)


class VersionedForm(StripIllegalXmlMixin, forms.ModelForm):
    """Carries the version the user loaded; refuses the save if the object changed since.

    The version is required on an existing object: a save without it (a hand-made POST, a
    page from before this rule) would skip the check, so it is refused instead."""

    loaded_version = forms.IntegerField(
        label=_("開いた時点の版"),
        widget=forms.HiddenInput,
        required=False,
        error_messages={"required": _("ページを開いた時点の版がわからないため保存できません。ページを開き直してから入力してください。")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["loaded_version"].required = True
            # The version in the database now (in a history revert the instance is an old copy).
            current = type(self.instance).objects.filter(pk=self.instance.pk).values_list("version", flat=True).first()
            self.fields["loaded_version"].initial = current

    def clean(self):
        cleaned = super().clean()
        loaded = cleaned.get("loaded_version")
        if self.instance.pk and loaded is not None:
            current = type(self.instance).objects.filter(pk=self.instance.pk).values_list("version", flat=True).first()
            if current != loaded:
                raise forms.ValidationError(concurrent_edit_message(self.instance, loaded), code="concurrent_edit")
        return cleaned


class InitiativeForm(VersionedForm):
    class Meta:
        model = Initiative
        fields = "__all__"


class YearlyRecordForm(VersionedForm):
    """The record of one year, plus the initiative's 今後の予定 which is reported with it."""

    next_steps = forms.CharField(
        label=_("今後の予定"), widget=forms.Textarea(attrs={"rows": 4}), required=False, max_length=5000
    )
    loaded_initiative_version = forms.IntegerField(label=_("開いた時点の取組の版"), widget=forms.HiddenInput, required=False)

    class Meta:
        model = YearlyRecord
        fields = "__all__"
        widgets = {
            "plan": forms.Textarea(attrs={"rows": 2}),
            "result": forms.Textarea(attrs={"rows": 8}),
            "delay_reason": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        program = self.instance.initiative.program if self.instance.pk else None
        if "status" in self.fields:  # the statuses the program reports (its own vocabulary)
            field = self.fields["status"]
            vocabulary = program.vocabulary if program else REFORM_VOCABULARY
            self.fields["status"] = forms.ChoiceField(
                label=field.label, help_text=field.help_text, required=False, disabled=field.disabled,
                choices=[NOT_REPORTED_CHOICE, *vocabulary.choices],
            )
        if program and not program.has_ledger and "secured_amount_thousand_yen" in self.fields:
            self.fields["secured_amount_thousand_yen"].label = _("%(figure)s（千円）") % {"figure": program.figure_label}
        if self.instance.pk and "next_steps" in self.fields:
            initiative = Initiative.objects.get(pk=self.instance.initiative_id)
            self.fields["next_steps"].initial = initiative.next_steps
            self.fields["loaded_initiative_version"].initial = initiative.version

    def clean(self):
        cleaned = super().clean()
        loaded = cleaned.get("loaded_initiative_version")
        if self.instance.pk and loaded is not None and self.has_changed() and "next_steps" in self.changed_data:
            initiative = Initiative.objects.get(pk=self.instance.initiative_id)
            if initiative.version != loaded:
                raise forms.ValidationError(concurrent_edit_message(initiative, loaded), code="concurrent_edit")
        return cleaned


class ReturnForm(StripIllegalXmlMixin, forms.Form):
    comment = forms.CharField(
        label=_("差戻しのコメント"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": _("差し戻すときは、直してほしい点をコメントに書いてください。")},
    )
