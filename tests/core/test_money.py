import pytest

from rezerva.core.money import InvalidAmount, format_money, parse_amount


@pytest.mark.parametrize(
    ("_case", "text", "currency", "minor"),
    [
        ("whole", "120", "PLN", 12000),
        ("dot decimals", "120.50", "PLN", 12050),
        ("comma decimals", "12,5", "PLN", 1250),
        ("zero-decimal currency", "1500", "JPY", 1500),
        ("three-decimal currency", "1.250", "KWD", 1250),
    ],
)
def test_owner_amounts_become_integer_minor_units(_case, text, currency, minor):
    assert parse_amount(text, currency) == minor


@pytest.mark.parametrize("text", ["", "abc", "-5", "1.234", "1e3"])
def test_malformed_amounts_are_refused(text):
    with pytest.raises(InvalidAmount):
        parse_amount(text, "PLN")


def test_money_is_shown_in_the_business_locale():
    assert format_money(12000, "PLN", "pl") == "120,00\u00a0zł"
    assert format_money(12000, "PLN", "en") == "PLN\u00a0120.00"
