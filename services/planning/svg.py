"""The process map as an SVG picture: swim lanes as rows, stages as columns, each step drawn in its shape
inside its cell, and arrows for the links. Pure: a process map's lists in, SVG text out.

The plan's other pictures (pictures.py) are drawn with the same pieces, so that they all look alike and read
alike to a screen reader: wrapped and escaped text, Arial in NHS colours, a title and a description."""

from __future__ import annotations

import math
import textwrap
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

LANE_HEADER_WIDTH = 170
STAGE_WIDTH = 250
STAGE_HEADER_HEIGHT = 44
STEP_WIDTH = 190
LINE_HEIGHT = 15
STEP_PADDING = 14
STEP_GAP = 22
CELL_PADDING = 18
CHARS_PER_LINE = 26

TEXT_STYLE = """
text { font-family: Arial, Helvetica, sans-serif; font-size: 12px; fill: #1d2733; }
"""
STYLE = (
    TEXT_STYLE
    + """.title { font-size: 13px; font-weight: bold; }
.lane-band { fill: #f5f8fb; stroke: #b8c4d0; }
.lane-band.odd { fill: #ffffff; }
.header { fill: #005eb8; }
.header-text { fill: #ffffff; font-weight: bold; font-size: 13px; }
.step { fill: #e8f1fb; stroke: #005eb8; stroke-width: 1.5; }
.step.start_end { fill: #d9f2e3; stroke: #007f3b; }
.step.decision { fill: #fff4d6; stroke: #c88a00; }
.step.document { fill: #f2e9f7; stroke: #6b3f8c; }
.link { stroke: #425563; stroke-width: 1.5; fill: none; }
.link-label { font-size: 11px; fill: #425563; }
"""
)
ARROW_MARKER = (
    '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" '
    'orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#425563"/></marker></defs>'
)


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    width: float
    height: float

    @property
    def centre(self) -> tuple[float, float]:
        return self.x + self.width / 2, self.y + self.height / 2


def wrap(label: str, width: int = CHARS_PER_LINE, max_lines: int | None = None) -> list[str]:
    """The label in lines of at most `width` characters; past `max_lines` the last line ends in an ellipsis."""
    return textwrap.wrap(label, width, break_long_words=True, max_lines=max_lines, placeholder=" …") or [""]


def document(width: float, height: float, body: list[str], *, title: str, description: str, style: str) -> str:
    """A whole picture: its title and description first, for screen readers, then its style and drawing."""
    width, height = math.ceil(width), math.ceil(height)
    return "\n".join(
        [
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" role="img">',
            f"<title>{escape(title)}</title>",
            f"<desc>{escape(description)}</desc>",
            f"<style>{style}</style>",
            *body,
            "</svg>",
        ]
    )


def _step_height(step: dict) -> float:
    lines = len(wrap(step["label"]))
    # A diamond's text must fit its middle: give decisions more room.
    extra = 2 * STEP_PADDING if step["shape"] == "decision" else 0
    return lines * LINE_HEIGHT + 2 * STEP_PADDING + extra


def render(lanes: list[dict], stages: list[dict], steps: list[dict], links: list[dict], *, title: str) -> str:
    lane_index = {lane["key"]: index for index, lane in enumerate(lanes)}
    stage_index = {stage["key"]: index for index, stage in enumerate(stages)}
    cells: dict[tuple[int, int], list[dict]] = {}
    for step in steps:
        cells.setdefault((lane_index[step["lane"]], stage_index[step["stage"]]), []).append(step)

    lane_heights = []
    for row in range(len(lanes)):
        stacks = [cells.get((row, column), []) for column in range(len(stages))]
        tallest = max(
            (sum(_step_height(s) for s in stack) + STEP_GAP * (len(stack) - 1) for stack in stacks if stack), default=0
        )
        lane_heights.append(max(tallest + 2 * CELL_PADDING, 90, len(wrap(lanes[row]["name"])) * LINE_HEIGHT + 30))
    lane_tops = [STAGE_HEADER_HEIGHT + sum(lane_heights[:row]) for row in range(len(lanes))]
    width = LANE_HEADER_WIDTH + STAGE_WIDTH * len(stages)
    height = STAGE_HEADER_HEIGHT + sum(lane_heights)

    boxes: dict[str, Box] = {}
    for (row, column), stack in cells.items():
        stack_height = sum(_step_height(s) for s in stack) + STEP_GAP * (len(stack) - 1)
        y = lane_tops[row] + (lane_heights[row] - stack_height) / 2
        x = LANE_HEADER_WIDTH + column * STAGE_WIDTH + (STAGE_WIDTH - STEP_WIDTH) / 2
        for step in stack:
            boxes[step["key"]] = Box(x, y, STEP_WIDTH, _step_height(step))
            y += _step_height(step) + STEP_GAP

    parts = [
        ARROW_MARKER,
        f'<rect class="header" x="0" y="0" width="{width}" height="{STAGE_HEADER_HEIGHT}"/>',
    ]
    for column, stage in enumerate(stages):
        x = LANE_HEADER_WIDTH + column * STAGE_WIDTH
        parts.append(text_block(stage["name"].upper(), x + STAGE_WIDTH / 2, STAGE_HEADER_HEIGHT / 2, "header-text"))
    for row, lane in enumerate(lanes):
        odd = " odd" if row % 2 else ""
        parts.append(
            f'<rect class="lane-band{odd}" x="0" y="{lane_tops[row]}" width="{width}" height="{lane_heights[row]}"/>'
        )
        parts.append(text_block(lane["name"], LANE_HEADER_WIDTH / 2, lane_tops[row] + lane_heights[row] / 2, "title"))
    for column in range(len(stages) + 1):
        x = LANE_HEADER_WIDTH + column * STAGE_WIDTH
        parts.append(f'<line x1="{x}" y1="0" x2="{x}" y2="{height}" stroke="#b8c4d0"/>')
    drawn_pairs: set[tuple[str, str]] = set()
    for link in links:
        source, target = boxes[link["source"]], boxes[link["target"]]
        parts.append(_arrow(source, target, link.get("label"), _detour(link, source, target, boxes, drawn_pairs)))
        drawn_pairs.add((link["source"], link["target"]))
    for step in steps:
        parts.append(_step(step, boxes[step["key"]]))
    parts.append(_legend(height + 20))
    description = (
        f"Swim lanes as rows ({', '.join(lane['name'] for lane in lanes)}), stages as columns "
        f"({', '.join(stage['name'] for stage in stages)}); "
        f"{len(steps)} steps joined by {len(links)} links."
    )
    return document(width, height + 30, parts, title=title, description=description, style=STYLE)


def text_block(
    label: str, x: float, y: float, css_class: str = "", lines: list[str] | None = None, anchor: str = "middle"
) -> str:
    """The label's lines, one below the other, their middle at y; anchored at x by `anchor` (middle, start)."""
    lines = lines if lines is not None else wrap(label)
    first_y = y - (len(lines) - 1) * LINE_HEIGHT / 2
    spans = "".join(
        f'<tspan x="{x:.1f}" y="{first_y + index * LINE_HEIGHT:.1f}">{escape(line)}</tspan>'
        for index, line in enumerate(lines)
    )
    class_attribute = f' class="{css_class}"' if css_class else ""
    return f'<text{class_attribute} text-anchor="{anchor}" dominant-baseline="middle">{spans}</text>'


def _step(step: dict, box: Box) -> str:
    shape = step["shape"]
    css = f'class="step {shape}"'
    x, y, w, h = box.x, box.y, box.width, box.height
    if shape == "start_end":
        outline = (
            f'<rect {css} x="{x:.1f}" y="{y:.1f}" width="{w}" height="{h:.1f}" rx="{h / 2:.1f}" ry="{h / 2:.1f}"/>'
        )
    elif shape == "decision":
        cx, cy = box.centre
        outline = (
            f'<polygon {css} points="{cx:.1f},{y:.1f} {x + w:.1f},{cy:.1f} {cx:.1f},{y + h:.1f} {x:.1f},{cy:.1f}"/>'
        )
    elif shape == "document":
        wave = 8
        outline = (
            f'<path {css} d="M {x:.1f} {y:.1f} H {x + w:.1f} V {y + h - wave:.1f} '
            f"Q {x + w * 0.75:.1f} {y + h - 2 * wave:.1f} {x + w / 2:.1f} {y + h - wave:.1f} "
            f'T {x:.1f} {y + h - wave:.1f} Z"/>'
        )
    else:
        outline = f'<rect {css} x="{x:.1f}" y="{y:.1f}" width="{w}" height="{h:.1f}" rx="3"/>'
    cx, cy = box.centre
    return (
        f"<g id={quoteattr('step-' + step['key'])}><title>{escape(step['label'])}</title>{outline}"
        f"{text_block(step['label'], cx, cy - (4 if shape == 'document' else 0))}</g>"
    )


def _detour(link: dict, source: Box, target: Box, boxes: dict[str, Box], drawn_pairs: set) -> str | None:
    """Within one column a straight arrow would run under the steps between the two, or on top of the arrow
    going the other way: such links go round by the column's margin instead."""
    if abs(target.centre[0] - source.centre[0]) >= STAGE_WIDTH / 2:
        return None
    if (link["target"], link["source"]) in drawn_pairs:
        return "left"
    top, bottom = sorted((source.centre[1], target.centre[1]))
    between = [
        box
        for box in boxes.values()
        if box not in (source, target) and abs(box.centre[0] - source.centre[0]) < 1 and top < box.centre[1] < bottom
    ]
    return "right" if between else None


def _arrow(source: Box, target: Box, label: str | None, detour: str | None = None) -> str:
    """From the side of the source facing the target to the facing side of the target."""
    (sx, sy), (tx, ty) = source.centre, target.centre
    if detour:
        right = detour == "right"
        margin = (STAGE_WIDTH - STEP_WIDTH) / 4
        start = (source.x + source.width if right else source.x, sy)
        end = (target.x + target.width if right else target.x, ty)
        gutter = start[0] + margin if right else start[0] - margin
        path = f"M {start[0]:.1f} {start[1]:.1f} H {gutter:.1f} V {end[1]:.1f} H {end[0]:.1f}"
        start = end = (gutter, (start[1] + end[1]) / 2)  # the label goes beside the gutter's middle
    elif abs(tx - sx) >= STAGE_WIDTH / 2:
        start = (source.x + source.width if tx > sx else source.x, sy)
        end = (target.x if tx > sx else target.x + target.width, ty)
        middle_x = (start[0] + end[0]) / 2
        path = f"M {start[0]:.1f} {start[1]:.1f} H {middle_x:.1f} V {end[1]:.1f} H {end[0]:.1f}"
    else:
        start = (sx, source.y + source.height if ty > sy else source.y)
        end = (tx, target.y if ty > sy else target.y + target.height)
        path = f"M {start[0]:.1f} {start[1]:.1f} L {end[0]:.1f} {end[1]:.1f}"
    drawn = f'<path class="link" d="{path}" marker-end="url(#arrow)"/>'
    if label:
        drawn += text_block(label, (start[0] + end[0]) / 2, (start[1] + end[1]) / 2 - 8, "link-label", [label])
    return drawn


def _legend(y: float) -> str:
    items = [("start_end", "Start / end"), ("activity", "Activity"), ("decision", "Decision"), ("document", "Document")]
    parts = []
    for index, (shape, name) in enumerate(items):
        x = 10 + index * 130
        box = Box(x, y - 8, 24, 16)
        parts.append(_step({"key": f"legend-{shape}", "label": "", "shape": shape}, box))
        parts.append(f'<text x="{x + 30}" y="{y + 4}">{escape(name)}</text>')
    return f'<g class="legend">{"".join(parts)}</g>'
