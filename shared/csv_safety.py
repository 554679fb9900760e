"""CSV cells that a spreadsheet opens as text, never as a formula (CSV injection).

Every CSV the platform hands out for a spreadsheet (metrics' export, planning's roster) quotes text the same
way, so the rule lives here once."""

from __future__ import annotations

# A cell starting with any of these is run as a formula by Excel, LibreOffice or Google Sheets.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def formula_safe(text: str) -> str:
    """Text as a spreadsheet shows it: quoted with a leading apostrophe when it would run as a formula."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text
