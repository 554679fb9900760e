"""The Making Data Count icons: each state is a picture that parses as SVG, says its meaning in words, and is
drawn in its colour with its letter; the page shows them in its measures-at-a-glance table."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, date, datetime
from xml.etree import ElementTree

import pytest

from services.metrics import domain, page
from shared import icons

SVG = "{http://www.w3.org/2000/svg}"


def parsed(svg: str) -> ElementTree.Element:
    root = ElementTree.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    return root


def colours(root: ElementTree.Element) -> set[str]:
    return {element.get(name).lower() for element in root.iter() for name in ("fill", "stroke") if element.get(name)}


def letters(root: ElementTree.Element) -> list[str]:
    return [element.text for element in root.iter(f"{SVG}text")]


@pytest.mark.parametrize(
    "variation,words,colour,letter",
    [
        ("common_cause", "Common cause variation: no significant change", "#768692", None),
        ("improvement_high", "Special cause variation: improvement, higher values", "#005eb8", "H"),
        ("improvement_low", "Special cause variation: improvement, lower values", "#005eb8", "L"),
        ("concern_high", "Special cause variation: concern, higher values", "#ed8b00", "H"),
        ("concern_low", "Special cause variation: concern, lower values", "#ed8b00", "L"),
    ],
)
def test_each_variation_is_a_titled_picture_in_its_colour_with_its_letter(variation, words, colour, letter):
    root = parsed(icons.variation_icon(variation))
    assert root.get("role") == "img" and root.get("aria-label") == words
    assert root.find(f"{SVG}title").text == words == icons.variation_words(variation)
    assert colour in colours(root)
    assert letters(root) == ([letter] if letter else [])
    other = {"#005eb8": "#ed8b00", "#ed8b00": "#005eb8", "#768692": "#005eb8"}[colour]
    assert other not in colours(root)  # improvement is never drawn as concern, nor common cause as either


@pytest.mark.parametrize(
    "assurance,words,colour,letter",
    [
        ("pass", "Assurance: the target will consistently be met", "#005eb8", "P"),
        ("fail", "Assurance: the target will consistently be missed", "#ed8b00", "F"),
        ("hit_or_miss", "Assurance: the target may be met or missed (hit and miss)", "#768692", "?"),
    ],
)
def test_each_assurance_is_a_titled_picture_in_its_colour_with_its_letter(assurance, words, colour, letter):
    root = parsed(icons.assurance_icon(assurance))
    assert root.get("role") == "img" and root.get("aria-label") == words
    assert root.find(f"{SVG}title").text == words == icons.assurance_words(assurance)
    assert colour in colours(root) and letters(root) == [letter]
    assert root.find(f"{SVG}line") is not None  # the target line


def test_hit_or_miss_has_its_target_line_crossing_the_run_of_points():
    root = parsed(icons.assurance_icon("hit_or_miss"))
    line_y = float(root.find(f"{SVG}line").get("y1"))
    dots = [float(dot.get("cy")) for dot in root.iter(f"{SVG}circle")][1:]  # the first is the outline
    assert min(dots) < line_y < max(dots)
    passing = parsed(icons.assurance_icon("pass"))
    pass_line = float(passing.find(f"{SVG}line").get("y1"))
    assert all(float(dot.get("cy")) < pass_line for dot in list(passing.iter(f"{SVG}circle"))[1:])


@pytest.mark.parametrize("state", [None, "", "sideways"])
def test_without_a_known_state_the_icon_says_there_is_not_enough_to_tell(state):
    variation, assurance = parsed(icons.variation_icon(state)), parsed(icons.assurance_icon(state))
    assert variation.find(f"{SVG}title").text == icons.variation_words(state) == "Variation: not enough data yet"
    assert icons.assurance_words(state) == "Assurance: not known (no target, or not enough data yet)"
    assert assurance.get("aria-label") == icons.assurance_words(state)
    assert letters(variation) == letters(assurance) == []
    assert colours(variation) <= {"#ffffff", "#768692"}


def test_beside_its_words_an_icon_is_hidden_from_screen_readers_and_sized_as_asked():
    root = parsed(icons.variation_icon("concern_low", size=24, decorative=True))
    assert root.get("aria-hidden") == "true" and root.get("role") is None and root.get("aria-label") is None
    assert (root.get("width"), root.get("height")) == ("24", "24")
    assert "mdc-icon--variation-concern-low" in root.get("class")


def test_the_page_shows_the_measures_at_a_glance_with_the_icons_and_their_words():
    measure = {
        "measure_id": uuid.uuid4(),
        "plan_id": uuid.uuid4(),
        "name": "Falls on the ward",
        "kind": "process",
        "metric": None,
        "passport_type": None,
        "target": 3.0,
        "deadline": None,
        "value": 4.0,
        "percent_of_target": None,
        "on_track": None,
        "improvement_direction": "decrease",
        "entered": True,
        "frequency": "weekly",
        "form": "entered",
        "latest": {"period_start": date(2026, 11, 23), "period_end": date(2026, 11, 29), "value": 4.0},
        "mean": 6.5,
        "upper_process_limit": 11.25,
        "lower_process_limit": 1.75,
        "variation": "concern_high",
        "assurance": "pass",
    }
    rate = {
        **measure,
        "measure_id": uuid.uuid4(),
        "name": "Completion rate",
        "metric": "completion_rate",
        "entered": False,
        "form": "ratio",
        "latest": None,
        "mean": None,
        "upper_process_limit": None,
        "lower_process_limit": None,
        "variation": None,
        "assurance": None,
        "target": None,
    }
    dashboard = {
        "trust_id": uuid.uuid4(),
        "as_of": datetime(2026, 11, 30, 9, tzinfo=UTC),
        "passport_types": [],
        "aims": [],
        "measures": [measure, rate],
    }
    html = page.render(dashboard, {}, domain.RATIO_METRICS)
    glance = html[html.index("<h2>Measures at a glance</h2>") : html.index("<h2>Aims</h2>")]
    falls, rate_row = re.findall(r"<tr>(.*?)</tr>", glance[glance.index("<tbody>") :], re.DOTALL)
    assert cells(falls) == [
        "Falls on the ward",
        "4 week starting 23 November 2026",
        "6.5",
        "1.8",
        "11.2",
        "3",
        "Special cause variation: concern, higher values",
        "Assurance: the target will consistently be met",
    ]
    assert "mdc-icon--variation-concern-high" in falls and "mdc-icon--assurance-pass" in falls
    assert cells(rate_row) == [
        "Completion rate",
        "–",
        "–",
        "–",
        "–",
        "None set",
        "Variation: not enough data yet",
        "Assurance: not known (no target, or not enough data yet)",
    ]
    assert "process measure · values entered by hand" in html  # what the falls measure is counted from
    assert "<script" not in html


def cells(row: str) -> list[str]:
    """A table row's cells in words, its pictures left out (their words are in the cells beside them)."""
    row = re.sub(r"<svg.*?</svg>", "", row, flags=re.DOTALL)
    return [
        re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", cell)).strip()
        for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.DOTALL)
    ]
