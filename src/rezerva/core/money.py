"""Money as integer minor units plus an ISO 4217 currency; parsing and one display formatter."""

import re

# Minor-unit exponent per currency; anything not listed has 2.
CURRENCY_EXPONENTS = {"JPY": 0, "KRW": 0, "HUF": 2, "KWD": 3, "BHD": 3, "TND": 3}
CURRENCY_SYMBOLS = {"PLN": "zł", "EUR": "€", "USD": "$", "GBP": "£", "CZK": "Kč", "JPY": "¥"}
SUPPORTED_CURRENCIES = ["PLN", "EUR", "USD", "GBP", "CZK", "CHF", "SEK", "NOK", "DKK", "JPY"]
_AMOUNT = re.compile(r"^\s*(\d{1,9})(?:[.,](\d+))?\s*$")


class InvalidAmount(ValueError):
    """The amount is not a non-negative number with the currency's decimals."""


def exponent(currency: str) -> int:
    """Number of minor-unit digits for a currency."""
    return CURRENCY_EXPONENTS.get(currency.upper(), 2)


def parse_amount(text: str, currency: str) -> int:
    """Turn owner input such as "12.50" or "12,5" into minor units (1250); no floats involved."""
    match = _AMOUNT.match(str(text))
    if not match:
        raise InvalidAmount("Enter an amount such as 120 or 120.00.")
    whole, frac = match.group(1), match.group(2) or ""
    digits = exponent(currency)
    if len(frac) > digits:
        raise InvalidAmount(f"{currency} has at most {digits} decimal places.")
    return int(whole) * 10**digits + int(frac.ljust(digits, "0") or 0)


def amount_text(minor: int, currency: str, *, decimal_sep: str = ".") -> str:
    """Minor units as a plain decimal string ("120.00"), for form fields."""
    digits = exponent(currency)
    sign = "-" if minor < 0 else ""
    minor = abs(minor)
    if digits == 0:
        return f"{sign}{minor}"
    return f"{sign}{minor // 10**digits}{decimal_sep}{minor % 10**digits:0{digits}d}"


def format_money(minor: int, currency: str, locale: str = "en") -> str:
    """The one display format: "120,00 zł" in Polish, "PLN 120.00" otherwise."""
    currency = currency.upper()
    if locale.startswith("pl"):
        symbol = CURRENCY_SYMBOLS.get(currency, currency)
        return f"{amount_text(minor, currency, decimal_sep=',')}\u00a0{symbol}"
    return f"{currency}\u00a0{amount_text(minor, currency)}"
