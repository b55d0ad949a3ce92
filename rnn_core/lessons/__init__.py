"""One module per concept page's logic, named as the page (pages/X.py -> rnn_core/lessons/X.py)."""
