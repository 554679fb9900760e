"""Metrics: projections of every event per Trust, passport type and day; progress against aims, run and SPC charts, exports."""
