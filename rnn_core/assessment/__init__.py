"""The questions: predict-then-reveal answer keys and the self-check."""
