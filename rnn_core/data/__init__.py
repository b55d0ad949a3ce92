"""The data: the IMDB files, the chapter's pipeline, the synthetic corpus, the time series."""
