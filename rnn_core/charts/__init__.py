"""Altair charts, one module per topic; each function returns a chart."""
