"""Correlating many predicted profiles with one motion signal.

The offset search scores each candidate lag by correlating a predicted energy profile with
the session's motion signal, and every shuffled baseline does the same with its own
profile, at each clock scale and for each noise hypothesis: thousands of correlations
against one signal. ``scipy.signal.correlate(..., method="fft")`` transforms both inputs on
every call; MotionSpectra transforms the signal once per transform length and keeps it, so
each call transforms only the profile. The transform length, the reversed profile and the
product are scipy's own (``scipy.fft.next_fast_len``), so the result is scipy's full
correlation up to rounding. It lives as long as the fit that made it: nothing is kept
between sessions.
"""

from __future__ import annotations

import numpy as np
from scipy import fft

#: Transform lengths whose signal spectrum is kept (a fit uses a few: one per profile length).
KEPT_LENGTHS = 8


class MotionSpectra:
    """A motion signal (1-D, or 2-D with one column per channel) and its spectra."""

    def __init__(self, signal: np.ndarray):
        self.signal = np.asarray(signal, dtype=np.float64)
        # one row per channel: each channel's transform is a contiguous 1-D one
        self._channels = np.ascontiguousarray(_as_columns(self.signal).T)
        self._spectra: dict[int, np.ndarray] = {}

    @classmethod
    def of(cls, signal: np.ndarray | MotionSpectra) -> MotionSpectra:
        """``signal`` itself when it already carries its spectra, else a new holder."""
        return signal if isinstance(signal, MotionSpectra) else cls(signal)

    @property
    def ndim(self) -> int:
        return self.signal.ndim

    def __len__(self) -> int:
        return len(self.signal)

    def spectra(self, n: int) -> np.ndarray:
        """(channels, n // 2 + 1): each channel's real FFT at length ``n``, computed once."""
        if n not in self._spectra:
            if len(self._spectra) >= KEPT_LENGTHS:
                self._spectra.pop(next(iter(self._spectra)))
            self._spectra[n] = np.stack([fft.rfft(row, n) for row in self._channels])
        return self._spectra[n]

    def correlate(self, profile: np.ndarray) -> np.ndarray:
        """``scipy.signal.correlate(signal, profile, mode="full")``; for a 2-D signal the
        sum over the channels of each column with its own profile column (summed as
        spectra: one inverse transform), skipping the columns the profile leaves at zero."""
        size = len(self.signal) + len(profile) - 1
        n = fft.next_fast_len(size, True)
        spectra = self.spectra(n)
        columns = _as_columns(profile)
        product = np.zeros(spectra.shape[1], dtype=np.complex128)
        for k in range(columns.shape[1]):
            if np.any(columns[:, k]):
                product += spectra[k] * fft.rfft(columns[::-1, k], n)
        return fft.irfft(product, n)[:size]


#: What the offset search correlates with: the signal, or the signal with its spectra kept.
Signal = np.ndarray | MotionSpectra


def _as_columns(x: np.ndarray) -> np.ndarray:
    """A 1-D array as one column; a 2-D one as it is."""
    return x[:, None] if x.ndim == 1 else x
