"""Charts, one module per page, in one theme (theme.py); each returns an Altair chart or a Vega-Lite dict."""
