#!/usr/bin/env python3
"""The conditional-sample score of the PyTorch reference CVAE (shared/bench/torch_ref.py --conditional),
for `node scripts/bench.mjs --only cvae-samples`: trains torch_ref.py's conditional ConvVAE exactly as
torch_ref.py does (first N Fashion-MNIST training images, Adam 1e-3, batch 128), then decodes 100 prior
samples z ~ N(0, I) per label with that label and counts those nearer (squared distance) to their
label's mean training image than to any other label's mean. Prints one JSON line.

Usage: /usr/bin/python3 scripts/cvae-samples-ref.py <torch_ref.py> [--train-n 10000] [--epochs 2] [--seed 0]
"""
import argparse, importlib.util, json, os
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
import torch, torch.nn.functional as F

ap = argparse.ArgumentParser()
ap.add_argument("torch_ref"); ap.add_argument("--train-n", type=int, default=10000); ap.add_argument("--epochs", type=int, default=2)
ap.add_argument("--seed", type=int, default=0); ap.add_argument("--threads", type=int, default=os.cpu_count())
a = ap.parse_args()
spec = importlib.util.spec_from_file_location("torch_ref", a.torch_ref); tr = importlib.util.module_from_spec(spec); spec.loader.exec_module(tr)
torch.set_num_threads(a.threads); torch.manual_seed(a.seed)
(xtr, ytr), (xte, yte) = tr.load("train", a.train_n), tr.load("t10k", 10000)
m = tr.ConvVAE(16, 28, 1, [32, 64], tr.CLASSES); opt = torch.optim.Adam(m.parameters(), 1e-3)
for ep in range(a.epochs):
    m.train(); perm = torch.randperm(len(xtr))
    for i in range(0, len(xtr) - 128 + 1, 128):
        idx = perm[i:i + 128]; x = xtr[idx]
        logits, mu, lv = m(x, F.one_hot(ytr[idx], tr.CLASSES).float()); rec, kl = tr.neg_elbo(logits, x, mu, lv)
        loss = (rec + kl) / len(x); opt.zero_grad(); loss.backward(); opt.step()
means = torch.stack([xtr[ytr == c].mean(0).flatten() for c in range(tr.CLASSES)])
nearest = lambda imgs: torch.cdist(imgs.flatten(1), means).argmin(1)
m.eval(); per_label = []
with torch.no_grad():
    for c in range(tr.CLASSES):
        y = F.one_hot(torch.full((100,), c), tr.CLASSES).float()
        h = F.relu(m.fc(torch.cat([torch.randn(100, 16), y], 1))).view(-1, m.f_last, m.b, m.b)
        per_label.append((nearest(torch.sigmoid(m.dec(h))) == c).float().mean().item())
print(json.dumps({"impl": "pytorch", "train_n": a.train_n, "epochs": a.epochs, "per_label": [round(v, 3) for v in per_label],
                  "mean": round(sum(per_label) / len(per_label), 4), "real_test": round((nearest(xte) == yte).float().mean().item(), 4)}), flush=True)
