import pytest
from django.template import Context, Template

from programs import money


@pytest.mark.parametrize(
    "amount, text",
    [(253, "253千円"), (1_011_707, "1,011,707千円"), (0, "0千円"), (None, "－")],
)
def test_thousand_yen(amount, text):
    assert money.format_thousand_yen(amount) == text


@pytest.mark.parametrize(
    "amount, text",
    [
        (8_900_000, "89.0"),
        (1_011_707, "10.1"),  # as the ledger shows 公共事業等の抑制
        (450_066, "4.5"),
        (350_000, "3.5"),
        (5_000, "0.1"),  # half up
        (4_999, "0.0"),
        (123_450_000, "1,234.5"),
        (None, "－"),
    ],
)
def test_oku_yen_has_one_decimal(amount, text):
    assert money.format_oku_yen(amount) == text


def test_oku_yen_with_unit():
    assert money.format_oku_yen(8_900_000, unit=True) == "89.0億円"


def test_oku_text_converts_to_thousand_yen():
    assert money.oku_to_thousand_yen("47.1") == 4_710_000
    assert money.oku_to_thousand_yen("10") == 1_000_000


@pytest.mark.parametrize("text", ["", "1.23", "-1.0", "abc", "1,0"])
def test_bad_oku_text_is_refused(text):
    with pytest.raises(ValueError, match="億円"):
        money.oku_to_thousand_yen(text)


def test_template_filters():
    template = Template(
        "{% load reform %}{{ year|fiscal_year }} {{ year|fiscal_year_western }} {{ a|thousand_yen }} {{ b|oku_yen }}"
    )
    text = template.render(Context({"year": 2024, "a": 360050, "b": 3550000}))
    assert text == "令和6年度 令和6年度（2024年度） 360,050千円 35.5"
