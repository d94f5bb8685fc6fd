"""Training windows read as the 2025-10-14 recorder delivers rows: on bursty arrival seconds.

That recorder stamps rows with the second they reached the host; the watch sends them in
bursts after stalls, and the parser reads those seconds as the watch's. A model trained on
watch-clock days (clips-dev) meets such windows on 2025-10-14, and that day's distortion
had acted on its own training windows as an augmentation (bench/notes/day50c.txt).
``arrival_rows`` puts a window's rows on arrival seconds drawn from that recorder's
measured gap distribution and reads them as the parser reads arrival seconds: a stall
freezes the window into a ramp, the burst after it skips the rows queued there.
"""

from __future__ import annotations

import torch

#: Percentiles (0, 2.5, ..., 97.5, 99, 99.5, 99.9) of the arrival gap between consecutive
#: rows of one sensor in the 2025-10-14 sample files, in units of the watch's 20 ms period
#: (bench/notes/day50c.txt: how measured)
GAP_PERCENTILES = (*(i * 2.5 for i in range(40)), 99.0, 99.5, 99.9)
GAP_QUANTILES = (
    *(0.0, 0.0005, 0.0005, 0.002, 0.0565, 0.0695, 0.082, 0.0925, 0.103, 0.1135),
    *(0.1225, 0.1325, 0.144, 0.157, 0.172, 0.188, 0.203, 0.217, 0.232, 0.2475),
    *(0.263, 0.2795, 0.297, 0.3155, 0.3335, 0.353, 0.3725, 0.394, 0.416, 0.4405),
    *(0.468, 0.499, 0.536, 0.583, 0.649, 0.756, 1.0285, 2.223, 4.122, 7.228),
    *(21.735, 23.805, 47.175),
)


def draw_gaps(shape: tuple[int, int], gen: torch.Generator) -> torch.Tensor:
    """Arrival gaps (in watch periods) drawn from the recorder's distribution: a uniform
    percentile, linearly interpolated in the quantile table."""
    q = torch.tensor(GAP_QUANTILES)
    p = torch.rand(shape, generator=gen) * GAP_PERCENTILES[-1] / 100
    knots = torch.tensor(GAP_PERCENTILES) / 100
    hi = torch.searchsorted(knots, p.contiguous()).clamp(1, len(knots) - 1)
    frac = (p - knots[hi - 1]) / (knots[hi] - knots[hi - 1])
    return q[hi - 1] + frac * (q[hi] - q[hi - 1])


def arrival_rows(pos: torch.Tensor, width: int, gen: torch.Generator) -> torch.Tensor:
    """Grid positions (B, L) in rows of a window with context (watch clock, ``width`` rows)
    -> the fractional rows the parser reads there when the rows arrive on bursty seconds
    (each window's centre row arrives at its own time; rows past the ends hold the edge)."""
    b = len(pos)
    arrive = torch.cumsum(draw_gaps((b, width), gen), dim=1)
    centre = width // 2
    arrive = arrive - arrive[:, centre : centre + 1] + centre
    arrive = arrive + torch.arange(width) * 1e-6  # rows of one burst keep their order
    hi = torch.searchsorted(arrive, pos.contiguous()).clamp(1, width - 1)
    lo_t, hi_t = arrive.gather(1, hi - 1), arrive.gather(1, hi)
    frac = ((pos - lo_t) / (hi_t - lo_t)).clamp(0, 1)
    return (hi - 1 + frac).clamp(0, width - 1)
