"""align --min-quality is a base level the gate raises: its help said a session needs it
to be trained on (4.0), while energy alone passes from 5.5 by default (walk52)."""

from __future__ import annotations

from silkpipe.commands.align import MIN_QUALITY_HELP
from silkpipe.gate import gate_levels
from silkpipe.steps import AlignConfig


def test_the_help_names_the_level_energy_alone_passes_at():
    cfg = AlignConfig()
    level = gate_levels(cfg).min_quality - cfg.energy_allowance
    assert (
        f"energy alone passes a session at the raised level less --energy-allowance: "
        f"{level:g} by default" in MIN_QUALITY_HELP
    )
    assert "needs to be trained on" not in MIN_QUALITY_HELP
