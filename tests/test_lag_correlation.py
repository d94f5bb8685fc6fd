"""The offset search's fast correlation and profile equal what they replaced, to rounding.

MotionSpectra keeps the motion signal's FFT across the search's correlations, and
predicted_profile builds every word's bump and plateau at once; both must give what
``scipy.signal.correlate`` and the word-by-word loop gave (the reference loop is kept here),
so that no offset, score or gate verdict moves.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.signal import correlate

from silkpipe.alignment import AlignConfig, lag_scores, predicted_profile
from silkpipe.class_channels import CHANNELS, event_weights
from silkpipe.lag_correlation import KEPT_LENGTHS, MotionSpectra
from silkpipe.vocabulary import EVENT_CLASSES, STATE_CLASSES

REL = 1e-9
CLASSES = ["jump", "punch", "turn", "walk", "idle", "noise"]


def scipy_full(signal: np.ndarray, profile: np.ndarray) -> np.ndarray:
    """What lag_scores computed before: scipy's FFT correlation, summed over the columns
    the profile uses."""
    if signal.ndim == 1:
        return correlate(signal, profile, mode="full", method="fft")
    used = [k for k in range(profile.shape[1]) if np.any(profile[:, k])]
    return sum(
        (correlate(signal[:, k], profile[:, k], mode="full", method="fft") for k in used),
        np.zeros(len(signal) + len(profile) - 1),
    )


def close(a: np.ndarray, b: np.ndarray) -> bool:
    return a.shape == b.shape and np.abs(a - b).max() <= REL * (np.abs(b).max() or 1.0)


@pytest.mark.parametrize(
    "n_signal,n_profile", [(1, 1), (7, 50), (100, 37), (2999, 3001), (15000, 30011)]
)
def test_correlation_equals_scipy_on_random_signals(n_signal, n_profile):
    rng = np.random.default_rng(n_signal + n_profile)
    one, line = rng.normal(size=n_signal), rng.normal(size=n_profile)
    assert close(MotionSpectra(one).correlate(line), scipy_full(one, line))
    stack = rng.normal(size=(n_signal, CHANNELS))
    profile = rng.normal(size=(n_profile, CHANNELS))
    profile[:, 2] = 0.0  # a class no word of the session names: skipped, as before
    assert close(MotionSpectra(stack).correlate(profile), scipy_full(stack, profile))


def test_kept_spectra_serve_many_profiles_of_several_lengths():
    """One holder, profiles of changing lengths (the shuffles, the event stage, the clock
    scales): every result still equals scipy's, also once older lengths were dropped."""
    rng = np.random.default_rng(5)
    signal = rng.normal(size=(4000, CHANNELS))
    spectra = MotionSpectra(signal)
    for length in [1500, 1500, 900, 2600, *range(3000, 3000 + 7 * (KEPT_LENGTHS + 2), 7), 1500]:
        profile = rng.normal(size=(length, CHANNELS))
        assert close(spectra.correlate(profile), scipy_full(signal, profile))
    assert len(spectra._spectra) <= KEPT_LENGTHS


def test_lag_scores_equal_scipys_on_a_real_shaped_search():
    """A search-signal-shaped stack (standardised, zero in a gap) against predicted profiles
    of a few hundred words: lag_scores with kept spectra equals the scipy correlation's."""
    rng = np.random.default_rng(11)
    rate, cfg = 50.0, AlignConfig()
    signal = np.cumsum(rng.normal(size=(12000, CHANNELS)), axis=0)
    signal = (signal - signal.mean(axis=0)) / signal.std(axis=0)
    signal[4000:4500] = 0.0
    spectra = MotionSpectra(signal)
    for seed in range(3):
        times = np.sort(np.random.default_rng(seed).uniform(5.0, 230.0, 300))
        classes = list(np.random.default_rng(seed).choice(CLASSES, 300))
        start, profile = predicted_profile(times, classes, rate, cfg)
        offsets, fast = lag_scores(spectra, 0.0, rate, start, profile, cfg.search_s)
        full = scipy_full(signal, profile)
        lags = np.arange(-int(cfg.search_s * rate), int(cfg.search_s * rate) + 1)
        index = int(round(start * rate)) + lags + len(profile) - 1
        before = np.where(
            (index >= 0) & (index < len(full)), full[np.clip(index, 0, len(full) - 1)], 0.0
        ) / np.sqrt((profile**2).sum())
        assert close(fast, before)
        assert np.argmax(fast) == np.argmax(before)


def loop_profile(times, classes, rate, cfg, noise_bump=False):
    """predicted_profile as it was built before: word by word."""
    start = float(times.min()) - 3 * cfg.bump_sigma_s
    stop = float(times.max()) + cfg.max_state_s
    grid = start + np.arange(int((stop - start) * rate) + 1) / rate
    split = cfg.class_channel_weight > 0
    profile = np.zeros((len(grid), CHANNELS if split else 1))
    reach = int(4 * cfg.bump_sigma_s * rate)
    kernel = np.exp(-0.5 * (np.arange(-reach, reach + 1) / (cfg.bump_sigma_s * rate)) ** 2)
    for i, (t, cls) in enumerate(zip(times, classes, strict=True)):
        at = int(round((t - start) * rate))
        if cls in EVENT_CLASSES or (noise_bump and cls == "noise"):
            lo, hi = max(at - reach, 0), min(at + reach + 1, len(grid))
            bump = kernel[lo - (at - reach) : hi - (at - reach)]
            if split and cls in EVENT_CLASSES:
                profile[lo:hi] += bump[:, None] * event_weights(cls, cfg.class_channel_weight)
            else:
                profile[lo:hi, 0] += bump
        elif cls in STATE_CLASSES:
            nxt = times[i + 1] if i + 1 < len(times) else t + cfg.max_state_s
            until = int(round((min(nxt, t + cfg.max_state_s) - start) * rate))
            profile[at:until, 0] += 0.5 if cls == "walk" else -0.5
    profile -= profile.mean(axis=0)
    return start, profile if split else profile[:, 0]


@pytest.mark.parametrize("weight", [0.0, 0.75, 1.0])
@pytest.mark.parametrize("noise_bump", [False, True])
def test_profile_equals_the_word_by_word_loop(weight, noise_bump):
    """Random words (sorted, shuffled-gap and unsorted; bumps cut at the grid's ends; states
    cut by the next word or max_state_s): same start, shape, used columns and values."""
    rng = np.random.default_rng(int(weight * 4) + noise_bump)
    for trial in range(40):
        n = int(rng.integers(1, 120))
        times = [
            np.sort(rng.uniform(-20.0, 300.0, n)),
            np.cumsum(rng.exponential(1.5, n)),
            rng.uniform(0.0, 60.0, n),
        ][trial % 3]
        classes = list(rng.choice(CLASSES, n))
        cfg = AlignConfig(class_channel_weight=weight, max_state_s=[15.0, 2.0][trial % 2])
        for rate in (50.0, 20.0):
            start, profile = predicted_profile(times, classes, rate, cfg, noise_bump=noise_bump)
            start0, before = loop_profile(times, classes, rate, cfg, noise_bump)
            assert start == start0
            assert close(profile, before)
            assert (
                np.any(profile.reshape(len(profile), -1), axis=0)
                == np.any(before.reshape(len(before), -1), axis=0)
            ).all()


def test_profile_refuses_times_and_classes_of_different_lengths():
    """As the word-by-word loop's strict zip did: never a profile of the first words only."""
    with pytest.raises(ValueError, match="3 word times but 2 classes"):
        predicted_profile(np.array([1.0, 2.0, 3.0]), ["jump", "walk"], 50.0, AlignConfig())
