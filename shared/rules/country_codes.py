"""The country codes an address or a signup may name: Babel's two-letter territories, as a constant.

Why a constant: reading them from Babel (`Locale("en").territories`) loads and merges its English locale
data, ~25 ms of a cold signup, for a list that changes only with Babel. The list below is Babel's own
(Babel 2.19.0); `tests/unit/test_country_codes.py` fails the day the installed Babel's differs, and
`python -m shared.rules.country_codes` prints the list to paste. It keeps Babel's two-letter codes that are not
countries (EU, UN, ZZ...): the signup and billing-address contracts accepted them before, and still do.
"""

from __future__ import annotations

COUNTRY_CODES: frozenset[str] = frozenset({
    "AC", "AD", "AE", "AF", "AG", "AI", "AL", "AM", "AO", "AQ", "AR", "AS", "AT", "AU", "AW", "AX", "AZ", "BA",
    "BB", "BD", "BE", "BF", "BG", "BH", "BI", "BJ", "BL", "BM", "BN", "BO", "BQ", "BR", "BS", "BT", "BV", "BW",
    "BY", "BZ", "CA", "CC", "CD", "CF", "CG", "CH", "CI", "CK", "CL", "CM", "CN", "CO", "CP", "CQ", "CR", "CU",
    "CV", "CW", "CX", "CY", "CZ", "DE", "DG", "DJ", "DK", "DM", "DO", "DZ", "EA", "EC", "EE", "EG", "EH", "ER",
    "ES", "ET", "EU", "EZ", "FI", "FJ", "FK", "FM", "FO", "FR", "GA", "GB", "GD", "GE", "GF", "GG", "GH", "GI",
    "GL", "GM", "GN", "GP", "GQ", "GR", "GS", "GT", "GU", "GW", "GY", "HK", "HM", "HN", "HR", "HT", "HU", "IC",
    "ID", "IE", "IL", "IM", "IN", "IO", "IQ", "IR", "IS", "IT", "JE", "JM", "JO", "JP", "KE", "KG", "KH", "KI",
    "KM", "KN", "KP", "KR", "KW", "KY", "KZ", "LA", "LB", "LC", "LI", "LK", "LR", "LS", "LT", "LU", "LV", "LY",
    "MA", "MC", "MD", "ME", "MF", "MG", "MH", "MK", "ML", "MM", "MN", "MO", "MP", "MQ", "MR", "MS", "MT", "MU",
    "MV", "MW", "MX", "MY", "MZ", "NA", "NC", "NE", "NF", "NG", "NI", "NL", "NO", "NP", "NR", "NU", "NZ", "OM",
    "PA", "PE", "PF", "PG", "PH", "PK", "PL", "PM", "PN", "PR", "PS", "PT", "PW", "PY", "QA", "QO", "RE", "RO",
    "RS", "RU", "RW", "SA", "SB", "SC", "SD", "SE", "SG", "SH", "SI", "SJ", "SK", "SL", "SM", "SN", "SO", "SR",
    "SS", "ST", "SV", "SX", "SY", "SZ", "TA", "TC", "TD", "TF", "TG", "TH", "TJ", "TK", "TL", "TM", "TN", "TO",
    "TR", "TT", "TV", "TW", "TZ", "UA", "UG", "UM", "UN", "US", "UY", "UZ", "VA", "VC", "VE", "VG", "VI", "VN",
    "VU", "WF", "WS", "XA", "XB", "XK", "YE", "YT", "ZA", "ZM", "ZW", "ZZ"
})


def known_country_code(value: str) -> str:
    """The code in upper case, or ValueError: what the signup's and the billing address's `country` accept."""
    code = value.upper()
    if code not in COUNTRY_CODES:
        raise ValueError("not an ISO 3166 alpha-2 country code")
    return code


def babel_country_codes() -> frozenset[str]:
    """The two-letter territories of the installed Babel: what COUNTRY_CODES must equal."""
    from babel import Locale

    return frozenset(code for code in dict(Locale("en").territories) if len(code) == 2 and code.isalpha())


if __name__ == "__main__":
    print(", ".join(f'"{code}"' for code in sorted(babel_country_codes())))
