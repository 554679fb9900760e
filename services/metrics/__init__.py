"""Projections of every other service's events per Trust, passport type and day: the dashboard of progress
against each aim and measure (JSON and a page), measures' series as run and XmR (SPC) charts, and the
passport usage export. Publishes metrics.recalculated when an event changes a Trust's counts."""
