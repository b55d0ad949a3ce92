"""A made-up hourly temperature series, and how well one hour tells the next."""
import numpy as np


def hourly_temperatures(days=7, mean=15.0, swing=6.0, noise=1.0, seed=0):
    """Seeded hourly temperatures, (days*24,): a daily cycle peaking at 15:00 plus Gaussian noise."""
    hours = np.arange(days * 24)
    cycle = swing * np.sin(2 * np.pi * (hours % 24 - 9) / 24)     # highest at 15:00, lowest at 03:00
    return mean + cycle + noise * np.random.default_rng(seed).standard_normal(len(hours))


def shuffled(series, seed=0):
    """The same values in a random order: each hour's neighbours are gone."""
    return np.random.default_rng(seed).permutation(series)


def lag_pairs(series, lag=1):
    """(value at hour t, value at hour t + lag) for every t: the points of a lag plot."""
    return series[:-lag], series[lag:]


def correlation(a, b):
    """Pearson correlation: the mean product of the two standardised series."""
    a, b = a - a.mean(), b - b.mean()
    return float(a @ b / np.sqrt((a @ a) * (b @ b)))


def lag_correlation(series, lag=1):
    """How strongly the value at hour t goes with the value lag hours later (-1 .. 1)."""
    return correlation(*lag_pairs(series, lag))
