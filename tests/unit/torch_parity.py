"""PyTorch side of fedload's parity tests (tests/unit/model_torch_parity.cpp).

usage: torch_parity.py DIR CASE

The C++ test writes raw float32 little-endian arrays and meta.txt (key value lines) into DIR;
this script rebuilds the same model with torch.nn modules, runs it, and writes its results back
as raw float32 arrays. Exit code 3 means torch is not installed (the test then skips).

cases
  forecaster  nn.LSTM(I, H, layers, batch_first=True) -> nn.Linear(H, O) on the last hidden
              state, MSE loss; two optimizer steps (Adam or SGD with momentum, weight decay,
              optional clip_grad_norm_, optional FedProx term prox_mu/2 ||w - center||^2 added
              to the loss as in the FedProx reference). Writes yhat, loss, grads (state_dict
              order, of the MSE alone) of the first step and the parameters after both steps.
  toolkit     nn.Embedding(V, D) on indices, concatenated with features F, then
              Linear(D+F, K) -> tanh -> Linear(K, K) -> relu -> Linear(K, O) -> sigmoid, MSE.
              Writes yhat, loss and grads.
"""
import pathlib
import sys

import numpy as np

try:
    import torch
except ImportError:
    sys.exit(3)


def read(d, name, shape):
    a = np.fromfile(d / f"{name}.bin", dtype="<f4")
    return torch.from_numpy(a.reshape(shape).copy())


def write(d, name, t):
    t.detach().to(torch.float32).contiguous().numpy().astype("<f4").tofile(d / f"{name}.bin")


def load_params(module, flat):
    offset = 0
    with torch.no_grad():
        for p in module.parameters():
            n = p.numel()
            p.copy_(flat[offset:offset + n].view_as(p))
            offset += n
    assert offset == flat.numel(), f"{offset} parameters used, {flat.numel()} given"


def flat_grads(module):
    return torch.cat([p.grad.reshape(-1) for p in module.parameters()])


def forecaster(d, m):
    B, T, I, H, L, O = (int(m[k]) for k in ("B", "T", "I", "H", "layers", "O"))

    class Net(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.lstm = torch.nn.LSTM(I, H, L, batch_first=True)
            self.head = torch.nn.Linear(H, O)

        def forward(self, x):
            return self.head(self.lstm(x)[0][:, -1, :])

    net = Net()
    n = sum(p.numel() for p in net.parameters())
    load_params(net, read(d, "params", (n,)))
    x, y = read(d, "x", (B, T, I)), read(d, "y", (B, O))
    wd = float(m["weight_decay"])
    if m["optimizer"] == "adam":
        opt = torch.optim.Adam(net.parameters(), lr=float(m["lr"]), weight_decay=wd, foreach=False)
    else:
        opt = torch.optim.SGD(net.parameters(), lr=float(m["lr"]), momentum=float(m["momentum"]),
                              weight_decay=wd, foreach=False)
    clip = float(m["max_grad_norm"])
    mu = float(m.get("prox_mu", 0))
    center = read(d, "center", (n,)) if mu > 0 else None
    for step in range(2):
        opt.zero_grad()
        yhat = net(x)
        loss = torch.nn.functional.mse_loss(yhat, y)
        loss.backward()
        if step == 0:
            write(d, "yhat", yhat)
            write(d, "loss", loss.reshape(1))
            write(d, "grads", flat_grads(net))
        if mu > 0:
            # the proximal term is part of the local objective: its gradient joins the MSE's
            # before clipping
            w = torch.cat([p.reshape(-1) for p in net.parameters()])
            (0.5 * mu * ((w - center) ** 2).sum()).backward()
        if clip > 0:
            torch.nn.utils.clip_grad_norm_(net.parameters(), clip)
        opt.step()
    write(d, "params_after", torch.cat([p.reshape(-1) for p in net.parameters()]))


def toolkit(d, m):
    N, V, D, F, K, O = (int(m[k]) for k in ("N", "V", "D", "F", "K", "O"))

    class Net(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.emb = torch.nn.Embedding(V, D)
            self.l1 = torch.nn.Linear(D + F, K)
            self.l2 = torch.nn.Linear(K, K)
            self.l3 = torch.nn.Linear(K, O)

        def forward(self, idx, feat):
            z = torch.cat([self.emb(idx), feat], dim=1)
            return torch.sigmoid(self.l3(torch.relu(self.l2(torch.tanh(self.l1(z))))))

    net = Net()
    n = sum(p.numel() for p in net.parameters())
    load_params(net, read(d, "params", (n,)))
    idx = read(d, "index", (N,)).round().long()
    yhat = net(idx, read(d, "features", (N, F)))
    loss = torch.nn.functional.mse_loss(yhat, read(d, "y", (N, O)))
    loss.backward()
    write(d, "yhat", yhat)
    write(d, "loss", loss.reshape(1))
    write(d, "grads", flat_grads(net))


def main():
    d = pathlib.Path(sys.argv[1])
    meta = dict(line.split() for line in (d / "meta.txt").read_text().splitlines() if line.strip())
    torch.set_num_threads(1)
    {"forecaster": forecaster, "toolkit": toolkit}[sys.argv[2]](d, meta)


if __name__ == "__main__":
    main()
