"""Streamlit plumbing for the pages, one concern per module: texts, layout, charts, navigation, data, jobs, state."""
