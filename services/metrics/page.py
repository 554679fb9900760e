"""The dashboard as a page a Chief Nurse reads at a glance: the measures in one table as NHS board reports
show them (latest point, mean, process limits, target, and the Making Data Count variation and assurance
icons with their words), progress bars against each target and the measures' charts, rendered on the
server (no script, no front-end build)."""

from __future__ import annotations

from datetime import date

from jinja2 import Environment, Undefined
from markupsafe import Markup

from shared import icons

COUNT_COLUMNS = (
    ("started", "Started"),
    ("in_progress", "In progress"),
    ("completed", "Completed"),
    ("withdrawn", "Withdrawn"),
    ("certified", "Certified now"),
    ("certificates_issued", "Certificates issued"),
    ("certificates_revoked", "Revoked"),
    ("certificates_expired", "Expired"),
    ("skills_self_assessed", "Skills self-assessed"),
    ("skills_signed_off", "Skills signed off"),
    ("learning_planned", "Learning planned"),
    ("learning_attended", "Attended"),
    ("learning_completed", "Learning completed"),
    ("rostered", "Rostered"),
    ("cohort_identified", "Cohort identified"),
)

TEMPLATE = """<!doctype html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Skills passports — progress dashboard</title>
<style>
  body { font-family: Arial, Helvetica, sans-serif; margin: 0; color: #212b32; background: #f0f4f5; }
  header { background: #005eb8; color: #fff; padding: 18px 32px; }
  header h1 { margin: 0; font-size: 26px; }
  header p { margin: 4px 0 0; font-size: 15px; }
  main { padding: 20px 32px 40px; max-width: 1200px; }
  h2 { font-size: 21px; margin: 28px 0 10px; }
  .card { background: #fff; border-left: 6px solid #005eb8; padding: 14px 18px; margin-bottom: 14px; }
  .card h3 { margin: 0 0 6px; font-size: 17px; }
  .statement { margin: 0 0 8px; color: #425563; font-size: 14px; }
  .bar { position: relative; height: 26px; background: #e8edee; border-radius: 3px; overflow: hidden; }
  .bar .fill { height: 100%; background: #005eb8; }
  .bar .fill.done { background: #007f3b; }
  .bar .label { position: absolute; left: 10px; top: 4px; font-weight: bold; font-size: 14px; color: #fff;
                text-shadow: 0 0 3px #00264d, 0 0 2px #00264d; }  /* readable on the fill and beyond it */
  .facts { font-size: 14px; margin-top: 6px; color: #425563; }
  .tag { display: inline-block; padding: 2px 8px; font-size: 13px; font-weight: bold; border-radius: 2px; }
  .on-track { background: #cce5d8; color: #00401e; }
  .off-track { background: #fbe0c8; color: #6b3400; }
  .no-deadline { background: #e8edee; color: #425563; }
  table { border-collapse: collapse; background: #fff; font-size: 14px; width: 100%; }
  th, td { border-bottom: 1px solid #d8dde0; padding: 6px 8px; text-align: right; }
  th:first-child, td:first-child { text-align: left; }
  thead th { background: #e8edee; font-size: 13px; }
  .chart { background: #fff; padding: 8px; margin-bottom: 14px; overflow-x: auto; }
  .empty { color: #425563; font-style: italic; }
  .glance { margin-bottom: 14px; }
  .glance caption { text-align: left; font-size: 14px; color: #425563; padding: 0 0 6px; }
  .glance th[scope="row"] { text-align: left; font-weight: bold; }
  .glance .period { display: block; font-size: 12px; color: #425563; }
  .glance .icon { text-align: left; min-width: 9em; }
  .glance .icon-words { display: flex; align-items: center; gap: 6px; }
  .glance .icon-words svg { flex: none; }
  .glance .icon-words span { font-size: 12px; }
</style>
</head>
<body>
<header>
  <h1>Skills passports — progress dashboard</h1>
  <p>Trust {{ dashboard.trust_id }} · figures as of {{ dashboard.as_of.strftime("%d %B %Y %H:%M") }} UTC</p>
</header>
<main>
<h2>Measures at a glance</h2>
{% if dashboard.measures %}
<table class="glance">
  <caption>Each measure's latest point, its mean and process limits, its target, and what its variation and
    assurance icons show.</caption>
  <thead><tr><th scope="col">Measure</th><th scope="col">Latest</th><th scope="col">Mean</th>
    <th scope="col">Lower process limit</th><th scope="col">Upper process limit</th><th scope="col">Target</th>
    <th scope="col" class="icon">Variation</th><th scope="col" class="icon">Assurance</th></tr></thead>
  <tbody>
  {% for measure in dashboard.measures %}
    {% set unit = "%" if measure.metric in ratio_metrics else "" %}
    <tr>
      <th scope="row">{{ measure.name }}</th>
      <td>{% if measure.latest %}{{ figure(measure.latest.value, unit) }}
        <span class="period">{{ period(measure.frequency, measure.latest.period_start) }}</span>{% else %}–{% endif %}</td>
      <td>{{ figure(measure.mean, unit) }}</td>
      <td>{{ figure(measure.lower_process_limit, unit) }}</td>
      <td>{{ figure(measure.upper_process_limit, unit) }}</td>
      <td>{{ figure(measure.target, unit) if measure.target is not none else "None set" }}</td>
      <td class="icon"><span class="icon-words">{{ variation_icon(measure.variation) }}<span>{{ variation_words(measure.variation) }}</span></span></td>
      <td class="icon"><span class="icon-words">{{ assurance_icon(measure.assurance) }}<span>{{ assurance_words(measure.assurance) }}</span></span></td>
    </tr>
  {% endfor %}
  </tbody>
</table>
{% else %}
  <p class="empty">No measure yet: add measures to the plan.</p>
{% endif %}

<h2>Aims</h2>
{% for aim in dashboard.aims %}
  {{ progress(aim.name, aim.statement, aim.value, aim.target, aim.percent_of_target, aim.on_track, aim.deadline,
              "%s of %s staff identified completed (%s)"|format(aim.completed, aim.cohort_identified if aim.cohort_identified is not none else "?",
              aim.passport_types|join(", ") or "all passport types"), "%") }}
{% else %}
  <p class="empty">No aim with a target yet: set one in the plan's aim.</p>
{% endfor %}

<h2>Measures</h2>
{% for measure in dashboard.measures %}
  {{ progress(measure.name, None, measure.value, measure.target, measure.percent_of_target, measure.on_track,
              measure.deadline, ("%s measure · %s · %s"|format(measure.kind, measure.metric, measure.passport_type or "all passport types"))
              if measure.metric else "%s measure · values entered by hand"|format(measure.kind),
              "%" if measure.metric in ratio_metrics else "") }}
  {% if charts.get(measure.measure_id) %}<div class="chart">{{ charts[measure.measure_id] }}</div>{% endif %}
{% else %}
  <p class="empty">No measure yet: add measures to the plan.</p>
{% endfor %}

<h2>By passport type</h2>
<table>
  <thead><tr><th>Passport type</th>{% for _, title in columns %}<th>{{ title }}</th>{% endfor %}</tr></thead>
  <tbody>
  {% for row in dashboard.passport_types %}
    <tr><td><strong>{{ row.code }}</strong></td>{% for key, _ in columns %}<td>{{ row[key] }}</td>{% endfor %}</tr>
  {% endfor %}
  </tbody>
</table>
</main>
</body>
</html>
"""

PROGRESS = """{% macro progress(name, statement, value, target, percent, on_track, deadline, facts, unit) -%}
<section class="card">
  <h3>{{ name }}</h3>
  {% if statement %}<p class="statement">{{ statement }}</p>{% endif %}
  {% set width = [[percent or 0, 0]|max, 100]|min %}
  <div class="bar" role="progressbar" aria-valuenow="{{ percent or 0 }}" aria-valuemin="0" aria-valuemax="100">
    <div class="fill{% if width >= 100 %} done{% endif %}" style="width: {{ width }}%"></div>
    <span class="label">{{ number(value) }}{{ unit }}{% if target is not none %} of a target of {{ number(target) }}{{ unit }}
      ({{ number(percent) }}% of the way){% endif %}</span>
  </div>
  <div class="facts">{{ facts }}
    {% if deadline %} · deadline {{ deadline.strftime("%d %B %Y") }}{% endif %}
    {% if on_track is none %}<span class="tag no-deadline">no deadline</span>
    {% elif on_track %}<span class="tag on-track">on track</span>
    {% else %}<span class="tag off-track">not on track at the current rate</span>{% endif %}
  </div>
</section>
{%- endmacro %}"""


def number(value) -> str:
    if value is None or isinstance(value, Undefined):
        return "–"
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"


def figure(value, unit: str) -> str:
    """A number with its unit, or a dash while there is none (fewer than two points have no limits)."""
    text = number(value)
    return text if text == "–" else text + unit


def period(frequency: str | None, start) -> str:
    """The period a point stands for, named as a person would: a day, the week starting on its Monday, or
    the month."""
    if start is None or isinstance(start, Undefined):
        return ""
    day = date.fromisoformat(start[:10]) if isinstance(start, str) else start
    if frequency == "monthly":
        return f"{day:%B %Y}"
    text = f"{day.day} {day:%B %Y}"
    return f"week starting {text}" if frequency == "weekly" else text


_environment = Environment(autoescape=True)
_environment.globals.update(
    number=number,
    figure=figure,
    period=period,
    variation_icon=lambda variation: Markup(icons.variation_icon(variation, size=32, decorative=True)),
    assurance_icon=lambda assurance: Markup(icons.assurance_icon(assurance, size=32, decorative=True)),
    variation_words=icons.variation_words,
    assurance_words=icons.assurance_words,
)
_template = _environment.from_string(PROGRESS + TEMPLATE)


def render(dashboard: dict, charts: dict, ratio_metrics) -> str:
    """The page; `charts` maps a measure's id to its SVG, which is trusted (built here, every text escaped)."""
    return _template.render(
        dashboard=dashboard,
        charts={key: Markup(svg) for key, svg in charts.items()},
        columns=COUNT_COLUMNS,
        ratio_metrics=tuple(ratio_metrics),
    )
