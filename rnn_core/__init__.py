"""The logic behind the app: data, models, gradients and charts (no Streamlit here)."""
