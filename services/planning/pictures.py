"""The driver diagram and the stakeholder grid as SVG pictures, drawn like the process map. Pure: a plan's
lists in, SVG text out.

Each node, link, quadrant and marker carries data- attributes (its id, its level or quadrant, its parent)
beside its geometry, so that a program can check a picture the way a person reads it."""

from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

from services.planning import domain
from services.planning.svg import (
    ARROW_MARKER,
    CHARS_PER_LINE,
    LINE_HEIGHT,
    TEXT_STYLE,
    Box,
    document,
    text_block,
    wrap,
)


def _line(label: str, x: float, y: float, css_class: str, anchor: str = "middle") -> str:
    """A label that stays on one line, its middle at y."""
    return text_block(label, x, y, css_class, [label], anchor)


# --- The driver diagram ------------------------------------------------------------------------------

AIM = "aim"
# The diagram's columns, left to right: the aim, then what leads to it, then the ideas that change it.
COLUMNS = (AIM, domain.PRIMARY, domain.SECONDARY, domain.ACTIVITY)
COLUMN_NAMES = {
    AIM: "Aim",
    domain.PRIMARY: "Primary drivers",
    domain.SECONDARY: "Secondary drivers",
    domain.ACTIVITY: "Change ideas",
}
NODE_WIDTH = 190
COLUMN_GAP = 70
NODE_GAP = 14
NODE_PADDING = 12
DETAIL_HEIGHT = 14
HEADER_HEIGHT = 44
MARGIN = 20
MAX_LINES = {AIM: 16, domain.PRIMARY: 8, domain.SECONDARY: 8, domain.ACTIVITY: 8}
AIM_CHARS_PER_LINE = 22  # the aim is in bold, which is wider

DRIVER_STYLE = (
    TEXT_STYLE
    + """.header { fill: #005eb8; }
.header-text { fill: #ffffff; font-weight: bold; font-size: 13px; }
.box { stroke-width: 1.5; }
.box.aim { fill: #005eb8; stroke: #003087; }
.box.primary { fill: #e8f1fb; stroke: #005eb8; }
.box.secondary { fill: #f0f4f5; stroke: #41b6e6; }
.box.activity { fill: #d9f2e3; stroke: #007f3b; }
.aim-text { fill: #ffffff; font-weight: bold; }
.detail { font-size: 10px; fill: #425563; }
.link { stroke: #425563; stroke-width: 1.5; fill: none; }
.empty { font-size: 14px; fill: #425563; }
"""
)


def driver_diagram(aim: str, drivers: list[dict], *, title: str) -> str:
    """The aim on the left, each driver to the right of what it leads to, activities last. Each subtree has
    a band of rows of its own with its root centred in it, so that no two boxes overlap and no link crosses
    a box. `drivers` are in their order: id, kind, title, parent_id (none for a primary), status, priority."""
    nodes = {AIM: {"id": AIM, "kind": AIM, "title": aim}}
    parents: dict = {}
    children: dict = {}
    for driver in drivers:
        nodes[driver["id"]] = driver
        parents[driver["id"]] = AIM if driver["parent_id"] is None else driver["parent_id"]
        children.setdefault(parents[driver["id"]], []).append(driver["id"])
    lines = {
        node_id: wrap(
            node["title"], AIM_CHARS_PER_LINE if node_id == AIM else CHARS_PER_LINE, max_lines=MAX_LINES[node["kind"]]
        )
        for node_id, node in nodes.items()
    }
    heights = {node_id: _node_height(nodes[node_id]["kind"], len(lines[node_id])) for node_id in nodes}

    # Children are always in a column right of their parent's: bands are summed from the right, boxes placed
    # from the left.
    by_column = sorted(nodes, key=lambda node_id: COLUMNS.index(nodes[node_id]["kind"]))
    bands: dict = {}
    for node_id in reversed(by_column):
        bands[node_id] = max(heights[node_id], _stacked(children.get(node_id, []), bands))
    tops = {AIM: HEADER_HEIGHT + MARGIN}
    boxes: dict = {}
    for node_id in by_column:
        top, height = tops[node_id], heights[node_id]
        boxes[node_id] = Box(_column_x(nodes[node_id]["kind"]), top + (bands[node_id] - height) / 2, NODE_WIDTH, height)
        y = top + (bands[node_id] - _stacked(children.get(node_id, []), bands)) / 2
        for child in children.get(node_id, []):
            tops[child] = y
            y += bands[child] + NODE_GAP
    width = 2 * MARGIN + len(COLUMNS) * NODE_WIDTH + (len(COLUMNS) - 1) * COLUMN_GAP
    height = HEADER_HEIGHT + 2 * MARGIN + bands[AIM]

    parts = [f'<rect class="header" x="0" y="0" width="{width}" height="{HEADER_HEIGHT}"/>']
    for kind in COLUMNS:
        heading = COLUMN_NAMES[kind].upper()
        parts.append(_line(heading, _column_x(kind) + NODE_WIDTH / 2, HEADER_HEIGHT / 2, "header-text"))
    for child, parent in parents.items():
        parts.append(_driver_link(parent, child, boxes[parent], boxes[child]))
    for node_id in by_column:
        parts.append(_driver_node(nodes[node_id], parents.get(node_id), boxes[node_id], lines[node_id]))
    if not drivers:
        note = "No drivers yet: add the primary drivers that lead to the aim."
        parts.append(_line(note, _column_x(domain.PRIMARY), boxes[AIM].centre[1], "empty", anchor="start"))
    return document(width, height, parts, title=title, description=_driver_description(drivers), style=DRIVER_STYLE)


def _column_x(kind: str) -> float:
    return MARGIN + COLUMNS.index(kind) * (NODE_WIDTH + COLUMN_GAP)


def _stacked(node_ids: list, bands: dict) -> float:
    """The height of these subtrees one below the other."""
    return sum(bands[node_id] for node_id in node_ids) + NODE_GAP * (len(node_ids) - 1) if node_ids else 0


def _node_height(kind: str, line_count: int) -> float:
    detail = DETAIL_HEIGHT if kind == domain.ACTIVITY else 0
    return line_count * LINE_HEIGHT + 2 * NODE_PADDING + detail


def _activity_detail(node: dict) -> str:
    status = node["status"].replace("_", " ") if node.get("status") else "no status"
    priority = f"{node['priority']} priority" if node.get("priority") else "no priority"
    return f"{status} · {priority}"


def _driver_node(node: dict, parent, box: Box, lines: list[str]) -> str:
    kind = node["kind"]
    attributes = f'class="node" data-id={quoteattr(str(node["id"]))} data-level="{kind}"'
    if parent is not None:
        attributes += f" data-parent={quoteattr(str(parent))}"
    text_middle = box.y + NODE_PADDING + len(lines) * LINE_HEIGHT / 2
    drawn = [
        f'<rect class="box {kind}" x="{box.x:.1f}" y="{box.y:.1f}" width="{box.width}" height="{box.height:.1f}" '
        f'rx="{8 if kind == AIM else 3}"/>',
        text_block(node["title"], box.centre[0], text_middle, "aim-text" if kind == AIM else "", lines),
    ]
    spoken = node["title"]
    if kind == domain.ACTIVITY:
        detail = _activity_detail(node)
        drawn.append(
            _line(detail, box.centre[0], text_middle + len(lines) * LINE_HEIGHT / 2 + DETAIL_HEIGHT / 2, "detail")
        )
        spoken += f" ({detail})"
    return f"<g {attributes}><title>{escape(spoken)}</title>{''.join(drawn)}</g>"


def _driver_link(parent_id, child_id, parent: Box, child: Box) -> str:
    """Out of the parent's right side to the gap beside it, down or up to the child's middle, then straight
    in: an activity that skips the secondary column crosses it in its own band, where no box is."""
    start_x, start_y = parent.x + parent.width, parent.centre[1]
    end_x, end_y = child.x, child.centre[1]
    turn_x = start_x + COLUMN_GAP / 2
    return (
        f'<path class="link" data-from={quoteattr(str(parent_id))} data-to={quoteattr(str(child_id))} '
        f'd="M {start_x:.1f} {start_y:.1f} H {turn_x:.1f} V {end_y:.1f} H {end_x:.1f}"/>'
    )


def _driver_description(drivers: list[dict]) -> str:
    if not drivers:
        return "The aim alone: no drivers yet."
    counts = {kind: sum(1 for driver in drivers if driver["kind"] == kind) for kind in domain.DRIVER_KINDS}
    return (
        f"The aim on the left, then {counts[domain.PRIMARY]} primary drivers, {counts[domain.SECONDARY]} "
        f"secondary drivers and {counts[domain.ACTIVITY]} activities (change ideas, with their status and "
        f"priority), each joined by a line to what it leads to."
    )


# --- The stakeholder power/impact grid ----------------------------------------------------------------

# Rows top to bottom by power, columns left to right by impact: high power and high impact at top right.
POWER_ROWS = (domain.HIGH, domain.LOW)
IMPACT_COLUMNS = (domain.LOW, domain.HIGH)
QUADRANT_WIDTH = 340
QUADRANT_HEADER = 46
QUADRANT_PADDING = 16
MIN_QUADRANT_HEIGHT = 140
AXIS_LEFT = 64
AXIS_BOTTOM = 56
GRID_TOP = 20
GRID_RIGHT = 20
MARKER_RADIUS = 7
MARKER_INSET = 24
LABEL_INSET = 40
LABEL_CHARS = 40
ROLE_HEIGHT = 13
ENTRY_GAP = 10

STAKEHOLDER_STYLE = (
    TEXT_STYLE
    + """.quadrant { stroke: #b8c4d0; stroke-width: 1; }
.quadrant[data-quadrant="manage"] { fill: #e8f1fb; }
.quadrant[data-quadrant="satisfy"] { fill: #eef7fc; }
.quadrant[data-quadrant="inform"] { fill: #e6f4ec; }
.quadrant[data-quadrant="monitor"] { fill: #f0f4f5; }
.quadrant-name { font-size: 15px; font-weight: bold; }
.quadrant-levels { font-size: 11px; fill: #425563; }
.marker { stroke: #ffffff; stroke-width: 1.5; }
.stakeholder[data-quadrant="manage"] .marker { fill: #005eb8; }
.stakeholder[data-quadrant="satisfy"] .marker { fill: #41b6e6; }
.stakeholder[data-quadrant="inform"] .marker { fill: #007f3b; }
.stakeholder[data-quadrant="monitor"] .marker { fill: #768692; }
.role { font-size: 10px; fill: #425563; }
.axis { stroke: #425563; stroke-width: 1.5; fill: none; }
.axis-name { font-size: 13px; font-weight: bold; }
.axis-end { font-size: 11px; fill: #425563; }
.empty { font-size: 14px; fill: #425563; }
.empty-card { fill: #ffffff; stroke: #b8c4d0; }
"""
)


def stakeholder_grid(stakeholders: list[dict], *, title: str) -> str:
    """The 2×2 power/impact grid, each quadrant named by the domain's rule, and each stakeholder a marker in
    its quadrant with its name beside it, one below the other, so that no two labels overlap. `stakeholders`
    are in their order: id, name, role, power, impact."""
    in_quadrant: dict[str, list[dict]] = {}
    for stakeholder in stakeholders:
        in_quadrant.setdefault(domain.quadrant(stakeholder["power"], stakeholder["impact"]), []).append(stakeholder)
    row_heights = [_row_height(power, in_quadrant) for power in POWER_ROWS]
    width = AXIS_LEFT + len(IMPACT_COLUMNS) * QUADRANT_WIDTH + GRID_RIGHT
    grid_bottom = GRID_TOP + sum(row_heights)
    height = grid_bottom + AXIS_BOTTOM

    parts = [ARROW_MARKER]
    markers = []
    for row, power in enumerate(POWER_ROWS):
        for column, impact in enumerate(IMPACT_COLUMNS):
            name = domain.quadrant(power, impact)
            cell = Box(
                AXIS_LEFT + column * QUADRANT_WIDTH, GRID_TOP + sum(row_heights[:row]), QUADRANT_WIDTH, row_heights[row]
            )
            parts.append(_quadrant(name, power, impact, cell, len(in_quadrant.get(name, []))))
            top = cell.y + QUADRANT_HEADER
            for stakeholder in in_quadrant.get(name, []):
                markers.append(_stakeholder(stakeholder, name, cell.x, top))
                top += _entry_height(stakeholder)
    parts.extend(_axes(grid_bottom, width))
    parts.extend(markers)
    if not stakeholders:
        # Across the middle line, below the quadrants' names, where it hides none of them.
        middle_x = AXIS_LEFT + QUADRANT_WIDTH
        middle_y = GRID_TOP + row_heights[0] + (QUADRANT_HEADER + row_heights[1]) / 2
        parts.append(
            f'<rect class="empty-card" x="{middle_x - 110:.1f}" y="{middle_y - 18:.1f}" width="220" '
            f'height="36" rx="4"/>'
        )
        parts.append(_line("No stakeholders yet", middle_x, middle_y, "empty"))
    return document(
        width, height, parts, title=title, description=_grid_description(in_quadrant), style=STAKEHOLDER_STYLE
    )


def _name_lines(stakeholder: dict) -> list[str]:
    return wrap(stakeholder["name"], LABEL_CHARS, max_lines=3)


def _role_line(stakeholder: dict) -> str | None:
    return wrap(stakeholder["role"], LABEL_CHARS + 10, max_lines=1)[0] if stakeholder.get("role") else None


def _entry_height(stakeholder: dict) -> float:
    role_height = ROLE_HEIGHT if _role_line(stakeholder) else 0
    return len(_name_lines(stakeholder)) * LINE_HEIGHT + role_height + ENTRY_GAP


def _row_height(power: str, in_quadrant: dict[str, list[dict]]) -> float:
    """A row of the grid is as tall as the longer list of its two quadrants."""
    lists = [in_quadrant.get(domain.quadrant(power, impact), []) for impact in IMPACT_COLUMNS]
    return max(
        MIN_QUADRANT_HEIGHT,
        *(QUADRANT_HEADER + sum(map(_entry_height, stakeholders)) + QUADRANT_PADDING for stakeholders in lists),
    )


def _quadrant(name: str, power: str, impact: str, cell: Box, count: int) -> str:
    key = name.lower()
    levels = f"{power} power · {impact} impact · {count} stakeholder{'' if count == 1 else 's'}"
    return (
        f'<g class="quadrant-cell"><rect class="quadrant" data-quadrant="{key}" x="{cell.x:.1f}" '
        f'y="{cell.y:.1f}" width="{cell.width:.1f}" height="{cell.height:.1f}"/>'
        f"{_line(name, cell.x + QUADRANT_PADDING, cell.y + 18, 'quadrant-name', anchor='start')}"
        f"{_line(levels, cell.x + QUADRANT_PADDING, cell.y + 34, 'quadrant-levels', anchor='start')}"
        f"</g>"
    )


def _stakeholder(stakeholder: dict, quadrant: str, left: float, top: float) -> str:
    name_lines, role_line = _name_lines(stakeholder), _role_line(stakeholder)
    middle = top + len(name_lines) * LINE_HEIGHT / 2
    spoken = stakeholder["name"] + (f", {stakeholder['role']}" if stakeholder.get("role") else "") + f": {quadrant}"
    drawn = [
        f'<circle class="marker" cx="{left + MARKER_INSET:.1f}" cy="{middle:.1f}" r="{MARKER_RADIUS}"/>',
        text_block(stakeholder["name"], left + LABEL_INSET, middle, "", name_lines, anchor="start"),
    ]
    if role_line:
        drawn.append(
            _line(
                role_line,
                left + LABEL_INSET,
                top + len(name_lines) * LINE_HEIGHT + ROLE_HEIGHT / 2 - 2,
                "role",
                anchor="start",
            )
        )
    return (
        f'<g class="stakeholder" data-id={quoteattr(str(stakeholder["id"]))} data-quadrant="{quadrant.lower()}" '
        f"data-power={quoteattr(stakeholder['power'])} data-impact={quoteattr(stakeholder['impact'])}>"
        f"<title>{escape(spoken)}</title>{''.join(drawn)}</g>"
    )


def _axes(grid_bottom: float, width: float) -> list[str]:
    """Impact along the bottom, power up the left, each from low to high."""
    left, right, top = AXIS_LEFT, width - GRID_RIGHT, GRID_TOP
    axis_x, axis_y = left - 14, grid_bottom + 14
    power_middle = (top + grid_bottom) / 2
    return [
        f'<path class="axis" d="M {left:.1f} {axis_y:.1f} H {right:.1f}" marker-end="url(#arrow)"/>',
        f'<path class="axis" d="M {axis_x:.1f} {grid_bottom:.1f} V {top:.1f}" marker-end="url(#arrow)"/>',
        _line("Impact", (left + right) / 2, axis_y + 24, "axis-name"),
        _line("low", left, axis_y + 12, "axis-end", anchor="start"),
        _line("high", right - 12, axis_y + 12, "axis-end", anchor="end"),
        f'<text class="axis-name" text-anchor="middle" dominant-baseline="middle" '
        f'transform="rotate(-90 {axis_x - 24:.1f} {power_middle:.1f})" x="{axis_x - 24:.1f}" y="{power_middle:.1f}">'
        f"Power</text>",
        _line("low", axis_x - 10, grid_bottom - 8, "axis-end", anchor="end"),
        _line("high", axis_x - 10, top + 12, "axis-end", anchor="end"),
    ]


def _grid_description(in_quadrant: dict[str, list[dict]]) -> str:
    total = sum(len(group) for group in in_quadrant.values())
    if not total:
        return "The power/impact grid, empty: no stakeholders yet."
    names = [domain.quadrant(power, impact) for power in POWER_ROWS for impact in reversed(IMPACT_COLUMNS)]
    counts = ", ".join(f"{name} {len(in_quadrant.get(name, []))}" for name in names)
    return (
        f"{total} stakeholders on the power/impact grid, impact from low (left) to high (right) and power "
        f"from low (bottom) to high (top): {counts}."
    )
