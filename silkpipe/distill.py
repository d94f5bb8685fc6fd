"""Knowledge distillation: the exported model also learns from the mean prediction of a
few teachers of the same recipe and size, trained on the same windows with other seeds.

The exported model keeps the default body and size; only its training targets change: a
teacher ensemble's softened probabilities carry how alike the classes look (a punch that
looks a little like noise), which the one-hot labels of a few windows per class do not
(issue 22; bench/notes/distill.txt: how the settings were chosen and what they gave).
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

#: added to the refit's seed for teacher j (j = 1..K): no teacher repeats the student
TEACHER_SEED_STEP = 1000


def teacher_seeds(seed: int, teachers: int) -> list[int]:
    """The seeds of the K teachers of a model trained with ``seed``."""
    return [seed + TEACHER_SEED_STEP * j for j in range(1, teachers + 1)]


def soft_targets(
    teachers: Sequence[nn.Module], x: torch.Tensor, temperature: float
) -> torch.Tensor:
    """The teachers' mean softmax at the temperature, on the batch the student sees."""
    with torch.no_grad():
        probs = [torch.softmax(t(x).float() / temperature, 1) for t in teachers]
        return torch.stack(probs).mean(0)


def distill_loss(
    hard: torch.Tensor,
    logits: torch.Tensor,
    target: torch.Tensor,
    weights: torch.Tensor,
    alpha: float,
    temperature: float,
) -> torch.Tensor:
    """(1 - alpha) * hard + alpha * T^2 * KL(target || student at T). The KL term is a
    mean weighted by each window's class weight, as the hard cross-entropy is, so the
    class balance stays that of the labels; T^2 keeps its gradients' scale apart from T."""
    log_student = torch.log_softmax(logits / temperature, 1)
    kl = (target * (target.clamp_min(1e-12).log() - log_student)).sum(1)
    soft = (weights * kl).sum() / weights.sum()
    return (1 - alpha) * hard + alpha * temperature * temperature * soft
