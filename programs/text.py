"""Text as people paste it, made safe to store and to write into XML (Excel workbooks).

XML 1.0 cannot carry most control characters: a vertical tab pasted from Word (its manual
line break) makes openpyxl raise IllegalCharacterError, and every workbook containing the
text fails. `strip_illegal_xml` removes them on the way in (form cleaning, the Excel
import) and in every workbook writer (`programs.spreadsheets.cell_value`): a vertical tab
or form feed becomes the line break it stood for, the other C0 controls (tab, line feed
and carriage return are allowed), lone surrogates and U+FFFE/U+FFFF are dropped.
"""
import re
import unicodedata

from django.utils import translation

ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_LINE_BREAKS = {"\x0b": "\n", "\x0c": "\n"}


def strip_illegal_xml(text: str) -> str:
    """The text without the characters XML 1.0 cannot carry (vertical tab and form feed → line break)."""
    if not ILLEGAL_XML.search(text):
        return text
    return ILLEGAL_XML.sub(lambda match: _LINE_BREAKS.get(match.group(), ""), text)


class StripIllegalXmlMixin:
    """A form mixin: every text the form cleaned loses the characters XML cannot carry.

    Put it first among the bases (`class VersionedForm(StripIllegalXmlMixin, forms.ModelForm)`),
    so that a ModelForm's instance is built from the cleaned texts.
    """

    def clean(self):
        cleaned = super().clean()
        data = self.cleaned_data if cleaned is None else cleaned
        for name, value in list(data.items()):
            if isinstance(value, str):
                data[name] = strip_illegal_xml(value)
        return cleaned


def search_form(text: str) -> str:
    """Text as the search compares it: NFKC-normalised and case-folded, so that full-width ＤＸ and
    half-width DX, １ and 1, ｶﾞ and ガ are the same. Both the stored search text and the query go
    through it."""
    return unicodedata.normalize("NFKC", text).casefold()


def in_language(japanese: str, english: str) -> str:
    """A structural name in the active language: the English one when English is chosen and it is
    filled in, otherwise the Japanese one (the city's own wording, always present)."""
    if english and (translation.get_language() or "").startswith("en"):
        return english
    return japanese

