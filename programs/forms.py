"""Forms of the Excel uploads of staff: the record import (recordimport) and the plan workbook (initiatives.planbook)."""
from django import forms
from django.utils.translation import gettext_lazy as _

from .import_limits import MAX_BYTES


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("記入したExcelファイル（.xlsx）"),
        help_text=_("この画面からダウンロードしたテンプレートに入力して保存したファイル（%(limit)d MBまで）")
        % {"limit": MAX_BYTES // 1024 // 1024},
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}),
    )


class ImportConfirmForm(forms.Form):
    """The previewed rows, signed, so that confirming applies exactly what was shown."""

    payload = forms.CharField(widget=forms.HiddenInput)
