import datetime

import pytest

from programs import eras


@pytest.mark.parametrize(
    "fiscal_year, label",
    [(2024, "令和6年度"), (2027, "令和9年度"), (2019, "令和元年度"), (2018, "平成30年度"), (1989, "平成元年度")],
)
def test_fiscal_year_label(fiscal_year, label):
    assert eras.fiscal_year_label(fiscal_year) == label
    assert eras.parse_fiscal_year_label(label) == fiscal_year


def test_label_with_western_year():
    assert eras.fiscal_year_label_with_western(2025) == "令和7年度（2025年度）"


def test_full_width_digits_are_read():
    assert eras.parse_fiscal_year_label("令和７年度") == 2025


@pytest.mark.parametrize("text", ["2024", "令和年度", "昭和60年度", "令和6年", ""])
def test_unreadable_label_is_refused(text):
    with pytest.raises(ValueError, match="年度の表記"):
        eras.parse_fiscal_year_label(text)


@pytest.mark.parametrize(
    "day, fiscal_year",
    [(datetime.date(2025, 3, 31), 2024), (datetime.date(2025, 4, 1), 2025), (datetime.date(2024, 12, 31), 2024)],
)
def test_fiscal_year_runs_april_to_march(day, fiscal_year):
    assert eras.fiscal_year_of(day) == fiscal_year


def test_year_before_heisei_is_refused():
    with pytest.raises(ValueError):
        eras.fiscal_year_label(1980)


def test_a_date_known_to_the_month_is_shown_as_the_month():
    from django.utils import translation

    day = datetime.date(2025, 1, 1)
    assert (eras.display_date(day), eras.display_date(day, "month")) == ("令和7年1月1日", "令和7年1月")
    assert eras.display_date(day, "month", era=False) == "2025年1月"
    with translation.override("en"):
        assert (eras.display_date(day, "month"), eras.display_date(day)) == ("January 2025", "Jan. 1, 2025")
    assert eras.era_date(datetime.date(2019, 5, 1), "month") == "令和元年5月"


def test_a_single_years_period_is_that_year():
    assert eras.period_label(2025, 2025) == "令和7年度"
    assert eras.period_label(2024, 2027) == "令和6年度〜令和9年度"
    assert eras.display_period(2025, 2025, western=True) == "令和7年度（2025年度）"
