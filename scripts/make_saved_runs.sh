#!/usr/bin/env bash
# Regenerate every run shipped in saved_runs/: the NumPy RNN and Keras models A, B and C, trained on the real
# IMDB data with the chapter's settings. Point IMDB_DATA_DIR at a folder with Keras's imdb.npz and
# imdb_word_index.json, or leave it unset to use Keras's own download and cache. Takes several minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
python scripts/save_numpy_run.py
python scripts/save_keras_runs.py
