"""The dashboard as a page a Chief Nurse reads at a glance: progress bars against each target and the
measures' charts, rendered on the server (no script, no front-end build)."""
from __future__ import annotations

from jinja2 import Environment
from markupsafe import Markup

COUNT_COLUMNS = (
    ("started", "Started"), ("in_progress", "In progress"), ("completed", "Completed"), ("withdrawn", "Withdrawn"),
    ("certified", "Certified now"), ("certificates_issued", "Certificates issued"),
    ("certificates_revoked", "Revoked"), ("certificates_expired", "Expired"),
    ("skills_self_assessed", "Skills self-assessed"), ("skills_signed_off", "Skills signed off"),
    ("learning_planned", "Learning planned"), ("learning_attended", "Attended"),
    ("learning_completed", "Learning completed"), ("rostered", "Rostered"), ("cohort_identified", "Cohort identified"),
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
</style>
</head>
<body>
<header>
  <h1>Skills passports — progress dashboard</h1>
  <p>Trust {{ dashboard.trust_id }} · figures as of {{ dashboard.as_of.strftime("%d %B %Y %H:%M") }} UTC</p>
</header>
<main>
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
              measure.deadline, "%s measure · %s · %s"|format(measure.kind, measure.metric, measure.passport_type or "all passport types"),
              "%" if measure.metric in ratio_metrics else "") }}
  {% if charts.get(measure.measure_id) %}<div class="chart">{{ charts[measure.measure_id] }}</div>{% endif %}
{% else %}
  <p class="empty">No measure bound to a metric yet.</p>
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

_environment = Environment(autoescape=True)
_environment.globals["number"] = lambda value: "–" if value is None else (
    f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}")
_template = _environment.from_string(PROGRESS + TEMPLATE)


def render(dashboard: dict, charts: dict, ratio_metrics) -> str:
    """The page; `charts` maps a measure's id to its SVG, which is trusted (built here, every text escaped)."""
    return _template.render(dashboard=dashboard, charts={key: Markup(svg) for key, svg in charts.items()},
                            columns=COUNT_COLUMNS, ratio_metrics=tuple(ratio_metrics))
