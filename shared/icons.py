"""The NHS England "Making Data Count" icons, drawn as our own inline SVG, and the plain words each one
stands for. Pure: strings in, strings out, shared by the metrics page and the portal so that a board report
and the portal show the same pictures.

Variation (what the latest point of an XmR chart shows): a circle with a short run of dots in it — grey for
common cause; blue for special cause improvement and orange for special cause concern, the last dots
climbing to an "H" (higher values) or falling to an "L" (lower values). Assurance (whether the process
limits put the target within reach): a blue "P" above dots clear of the target line (pass), an orange "F"
below it (fail), and a grey "?" with the target line crossing the dots (hit and miss).

Every picture carries its words in a <title> and an aria-label, and each has a words function so that a
page says in text what the icon shows: a picture alone is never the only way to tell.
"""

from __future__ import annotations

from html import escape

IMPROVEMENT_BLUE = "#005eb8"
CONCERN_ORANGE = "#ed8b00"
CONCERN_ORANGE_TEXT = "#b35c00"  # the same orange darkened so that a letter in it reads on white (4.7:1)
COMMON_GREY = "#768692"
COMMON_GREY_TEXT = "#4c6272"

VARIATION_WORDS = {
    "common_cause": "Common cause variation: no significant change",
    "improvement_high": "Special cause variation: improvement, higher values",
    "improvement_low": "Special cause variation: improvement, lower values",
    "concern_high": "Special cause variation: concern, higher values",
    "concern_low": "Special cause variation: concern, lower values",
}
NO_VARIATION_WORDS = "Variation: not enough data yet"
ASSURANCE_WORDS = {
    "pass": "Assurance: the target will consistently be met",
    "fail": "Assurance: the target will consistently be missed",
    "hit_or_miss": "Assurance: the target may be met or missed (hit and miss)",
}
NO_ASSURANCE_WORDS = "Assurance: not known (no target, or not enough data yet)"

_DOT_XS = (11, 15.5, 20, 24.5, 29, 33.5, 38)
_COMMON_YS = (25, 21, 27, 22, 26, 21, 25)
# A run that ends climbing (the last three points high) and one that ends falling.
_HIGH_YS = (33, 31, 34, 32, 27, 24, 21)
_LOW_YS = (15, 17, 14, 16, 21, 24, 27)
_LATEST = 3  # the points that make the signal, drawn in the signal's colour


def variation_words(variation: str | None) -> str:
    return VARIATION_WORDS.get(variation or "", NO_VARIATION_WORDS)


def assurance_words(assurance: str | None) -> str:
    return ASSURANCE_WORDS.get(assurance or "", NO_ASSURANCE_WORDS)


def variation_icon(variation: str | None, *, size: int = 40, decorative: bool = False) -> str:
    """The variation icon; `decorative` when the page shows `variation_words` beside it, so that a screen
    reader says the words once."""
    words = variation_words(variation)
    if variation not in VARIATION_WORDS:
        return _not_enough_data(words, "variation", size, decorative)
    if variation == "common_cause":
        body = _circle(COMMON_GREY) + _run(_COMMON_YS, COMMON_GREY, COMMON_GREY, latest=0)
        return _svg(words, "variation-common-cause", size, decorative, body)
    side, height = variation.split("_")
    colour, text_colour = (
        (IMPROVEMENT_BLUE, IMPROVEMENT_BLUE) if side == "improvement" else (CONCERN_ORANGE, CONCERN_ORANGE_TEXT)
    )
    high = height == "high"
    body = (
        _circle(colour)
        + _run(_HIGH_YS if high else _LOW_YS, COMMON_GREY, colour, latest=_LATEST)
        + _letter("H" if high else "L", text_colour, y=18 if high else 41, font_size=14)
    )
    return _svg(words, f"variation-{side}-{height}", size, decorative, body)


def assurance_icon(assurance: str | None, *, size: int = 40, decorative: bool = False) -> str:
    """The assurance icon; `decorative` as for variation_icon."""
    words = assurance_words(assurance)
    if assurance == "pass":
        body = (
            _circle(IMPROVEMENT_BLUE)
            + _letter("P", IMPROVEMENT_BLUE, y=25, font_size=17)
            + _dots_in_a_row(31, IMPROVEMENT_BLUE)
            + _target_line(37)
        )
    elif assurance == "fail":
        body = (
            _circle(CONCERN_ORANGE)
            + _letter("F", CONCERN_ORANGE_TEXT, y=25, font_size=17)
            + _target_line(30)
            + _dots_in_a_row(36, CONCERN_ORANGE)
        )
    elif assurance == "hit_or_miss":
        body = (
            _circle(COMMON_GREY)
            + _letter("?", COMMON_GREY_TEXT, y=20, font_size=14)
            + _run((28, 34, 29, 35, 28, 33, 30), COMMON_GREY, COMMON_GREY, latest=0)
            + _target_line(31)
        )
    else:
        return _not_enough_data(words, "assurance", size, decorative)
    return _svg(words, f"assurance-{assurance.replace('_', '-')}", size, decorative, body)


def _svg(words: str, name: str, size: int, decorative: bool, body: str) -> str:
    label = escape(words)
    spoken = 'aria-hidden="true"' if decorative else f'role="img" aria-label="{label}"'
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 48 48" width="{size}" height="{size}" '
        f'class="mdc-icon mdc-icon--{name}" {spoken} focusable="false">'
        f"<title>{label}</title>{body}</svg>"
    )


def _circle(colour: str) -> str:
    return f'<circle cx="24" cy="24" r="21" fill="#ffffff" stroke="{colour}" stroke-width="3"/>'


def _run(ys, colour: str, latest_colour: str, latest: int) -> str:
    """The run of points joined by a line, the last `latest` of them in the signal's colour."""
    points = " ".join(f"{x},{y}" for x, y in zip(_DOT_XS, ys))
    line = f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="1.2"/>'
    dots = "".join(
        f'<circle cx="{x}" cy="{y}" r="2.3" fill="{latest_colour if index >= len(ys) - latest else colour}"/>'
        for index, (x, y) in enumerate(zip(_DOT_XS, ys))
    )
    return line + dots


def _dots_in_a_row(y: float, colour: str) -> str:
    return "".join(f'<circle cx="{x}" cy="{y}" r="1.9" fill="{colour}"/>' for x in (14, 19, 24, 29, 34))


def _target_line(y: float) -> str:
    return (
        f'<line x1="10" y1="{y}" x2="38" y2="{y}" stroke="{COMMON_GREY_TEXT}" stroke-width="1.6" '
        f'stroke-dasharray="3 2"/>'
    )


def _letter(letter: str, colour: str, y: float, font_size: int) -> str:
    return (
        f'<text x="24" y="{y}" text-anchor="middle" font-family="Arial, Helvetica, sans-serif" '
        f'font-weight="bold" font-size="{font_size}" fill="{colour}">{escape(letter)}</text>'
    )


def _not_enough_data(words: str, kind: str, size: int, decorative: bool) -> str:
    body = (
        f'<circle cx="24" cy="24" r="14" fill="#ffffff" stroke="{COMMON_GREY}" stroke-width="2" '
        f'stroke-dasharray="4 3"/>'
        + "".join(f'<circle cx="{x}" cy="24" r="1.8" fill="{COMMON_GREY}"/>' for x in (18, 24, 30))
    )
    return _svg(words, f"{kind}-not-known", size, decorative, body)
