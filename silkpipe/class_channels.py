"""Class channels for the offset search: each gesture word predicts its own kind of motion.

Plain motion energy scores any burst: in play the time between gestures is walking,
fidgeting and unspoken gestures, so words that merely fall into that activity score
almost as well as words on their own gestures. What each class looks like can tell them
apart: a jump is a hard push along gravity, a turn a spin about gravity, a punch a push
across it. So besides the energy channel the search correlates each jump word's bump
with the vertical-acceleration channel, each turn word's with the spin channel and each
punch word's with the horizontal-acceleration channel (silkpipe.alignment's
predicted_profile and lag_scores take these as columns). With ``residual`` the class
channels keep only what energy does not explain (a burst that is loud on every channel
adds nothing there), so the class part scores the *kind* of motion, the energy part how
much. The shuffles of the quality score are built the same way, so quality stays a fair z.
"""

from __future__ import annotations

import numpy as np
from scipy.ndimage import uniform_filter1d

from silkpipe.class_evidence import raw_features
from silkpipe.sessions import Motion

#: Column of each event class in the channel stack (0 is motion energy).
CHANNEL_OF = {"jump": 1, "turn": 2, "punch": 3}
CHANNELS = 4


def _standardised(x: np.ndarray, valid: np.ndarray) -> np.ndarray:
    if valid.sum() < 2:
        return np.zeros_like(x)
    mean, std = x[valid].mean(), x[valid].std() or 1.0
    return np.where(valid, (x - mean) / std, 0.0)


def channel_signals(
    motion: Motion, energy: np.ndarray, smooth_s: float, residual: bool = True
) -> np.ndarray:
    """(n, 4): the standardised energy signal ``energy`` and the log vertical acceleration,
    spin about gravity and horizontal acceleration, smoothed over ``smooth_s`` and
    standardised over valid time (with ``residual``: less their regression on energy,
    restandardised); 0 in gaps."""
    raw = raw_features(motion)[:, [1, 3, 2]]  # vertical, spin, horizontal
    width = max(int(round(smooth_s * motion.rate)), 1)
    valid = motion.valid
    out = [energy]
    for k in range(raw.shape[1]):
        z = _standardised(uniform_filter1d(np.log1p(raw[:, k]), width), valid)
        if residual and valid.sum() >= 2:
            beta = float((z[valid] * energy[valid]).mean() / ((energy[valid] ** 2).mean() or 1.0))
            z = _standardised(z - beta * energy, valid)
        out.append(z)
    return np.stack(out, axis=1)


def event_weights(cls: str, weight: float) -> np.ndarray:
    """How an event word's predicted bump is shared between the energy channel (1 - weight)
    and its class's channel (weight)."""
    w = np.zeros(CHANNELS)
    w[0] = 1.0 - weight
    w[CHANNEL_OF[cls]] += weight
    return w
