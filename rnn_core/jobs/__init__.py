"""Training jobs: the worker process, chunked training, slots, runs and their export."""
