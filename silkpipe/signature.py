"""The class-signature test: do jump words sit on jumps and turn words on turns?

Motion energy cannot tell a right offset from words that merely fall into an active
stretch: any burst of activity scores. This test uses no energy at all. At the aligned
time of each jump and turn word it measures two things the two gestures differ in: the
largest |linear acceleration| (a jump is a hard vertical push) and the largest rotation
about gravity (a turn spins the wrist about the vertical). Right labels put jump words
where acceleration wins and turn words where rotation wins; the statistic is compared
with the same words under permuted labels, so a block of activity that holds both kinds
of word helps neither side.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from silkpipe.sessions import Motion
from silkpipe.transcripts import Command


@dataclass
class SignatureTest:
    statistic: float  # mean (accel - rotation) z of jump words minus that of turn words
    p_value: float  # share of label permutations at least as large (1.0: not testable)
    jumps: int
    turns: int
    testable: bool = True  # False: too few words of a class, or a channel without contrast


def signature_channels(motion: Motion) -> tuple[np.ndarray, np.ndarray]:
    """(|linear acceleration|, |angular rate about gravity|) per grid point, 0 in gaps."""
    accel = np.linalg.norm(motion.data[:, 0:3].astype(np.float64), axis=1)
    grav = motion.data[:, 10:13].astype(np.float64)
    grav /= np.maximum(np.linalg.norm(grav, axis=1, keepdims=True), 1e-9)
    spin = np.abs(np.einsum("ij,ij->i", motion.data[:, 3:6].astype(np.float64), grav))
    return np.where(motion.valid, accel, 0.0), np.where(motion.valid, spin, 0.0)


def word_features(
    times: np.ndarray, motion: Motion, before_s: float = 0.2, after_s: float = 1.0
) -> np.ndarray:
    """(n, 2) largest |accel| and largest spin in each word's window (IMU times), as
    log values; NaN where the window holds no valid motion."""
    accel, spin = signature_channels(motion)
    out = np.full((len(times), 2), np.nan)
    for i, t in enumerate(times):
        inside = (motion.t >= t - before_s) & (motion.t <= t + after_s) & motion.valid
        if inside.any():
            out[i] = np.log1p([accel[inside].max(), spin[inside].max()])
    return out


def signature_test(
    commands: list[Command],
    offset_s: float,
    motion: Motion,
    permutations: int = 1000,
    seed: int = 0,
) -> SignatureTest:
    """Label-permutation test of jump vs turn words at ``t_imu = t_audio + offset_s``."""
    words = [c for c in commands if c.cls in ("jump", "turn")]
    feats = word_features(np.array([c.start + offset_s for c in words]), motion)
    ok = np.isfinite(feats).all(axis=1)
    is_jump = np.array([c.cls == "jump" for c in words], dtype=bool)[ok]
    feats = feats[ok]
    jumps, turns = int(is_jump.sum()), int((~is_jump).sum())
    if jumps < 2 or turns < 2 or (feats.std(axis=0) < 1e-6).any():  # no contrast to test
        return SignatureTest(0.0, 1.0, jumps, turns, testable=False)
    z = (feats - feats.mean(axis=0)) / np.where(feats.std(axis=0) > 0, feats.std(axis=0), 1.0)
    lean = z[:, 0] - z[:, 1]  # > 0: more push than spin

    def stat(jump: np.ndarray) -> float:
        return float(lean[jump].mean() - lean[~jump].mean())

    observed = stat(is_jump)
    rng = np.random.default_rng(seed)
    null = np.array([stat(rng.permutation(is_jump)) for _ in range(permutations)])
    p = float((1 + (null >= observed).sum()) / (1 + permutations))
    return SignatureTest(round(observed, 3), p, jumps, turns)
