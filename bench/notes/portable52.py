"""Train a tiny conv+LSTM for a few steps; print a hash of the weights and the CPU path."""

import hashlib
import sys
import time

import torch

torch.manual_seed(0)
torch.set_num_threads(1)
t0 = time.time()


class Net(torch.nn.Module):
    def __init__(s):
        super().__init__()
        s.c = torch.nn.Conv1d(9, 32, 5, padding=2)
        s.b = torch.nn.BatchNorm1d(32)
        s.l = torch.nn.LSTM(32, 48, batch_first=True)
        s.o = torch.nn.Linear(48, 6)

    def forward(s, x):
        h = torch.relu(s.b(s.c(x))).transpose(1, 2)
        y, _ = s.l(h)
        return s.o(y[:, -1])


n = Net()
opt = torch.optim.AdamW(n.parameters(), 1e-3)
g = torch.Generator().manual_seed(1)
x = torch.randn(64, 9, 50, generator=g)
y = torch.randint(0, 6, (64,), generator=g)
for _ in range(int(sys.argv[1]) if len(sys.argv) > 1 else 20):
    opt.zero_grad()
    loss = torch.nn.functional.cross_entropy(n(x), y)
    loss.backward()
    opt.step()
h = hashlib.sha256(b"".join(p.detach().numpy().tobytes() for p in n.parameters())).hexdigest()[:16]
print(
    h,
    f"loss={loss.item():.9f}",
    torch.backends.cpu.get_cpu_capability(),
    f"{time.time() - t0:.1f}s",
)
