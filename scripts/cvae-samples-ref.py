#!/usr/bin/env python3
"""The conditional-sample score of the PyTorch reference CVAE (shared/bench/torch_ref.py --conditional),
for `node scripts/bench.mjs --only cvae-samples`: trains torch_ref.py's conditional ConvVAE exactly as
torch_ref.py does (first N Fashion-MNIST training images, Adam 1e-3, batch 128), then decodes 100 prior
samples z ~ N(0, I) per label with that label (the decoder's mean image, sigmoid of the logits) and
counts those nearer (squared distance) to their label's mean training image than to any other label's
mean. Prints one JSON line (with --every-epoch: one per epoch, the last one the final model).

Usage: /usr/bin/python3 scripts/cvae-samples-ref.py <torch_ref.py> [--train-n 10000] [--epochs 2] [--seed 0] [--every-epoch]
"""
import argparse, importlib.util, json, os, time
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
import torch, torch.nn.functional as F

ap = argparse.ArgumentParser()
ap.add_argument("torch_ref"); ap.add_argument("--train-n", type=int, default=10000); ap.add_argument("--epochs", type=int, default=2)
ap.add_argument("--seed", type=int, default=0); ap.add_argument("--threads", type=int, default=os.cpu_count())
ap.add_argument("--every-epoch", action="store_true", help="score after every epoch, not only the last")
ap.add_argument("--recon", action="store_true", help="also score the test images' reconstructions (decoder mean at z = mu, with the label): the ceiling of a perfect prior")
ap.add_argument("--temperatures", default="1", help="also score z ~ N(0, t^2 I) for each t (diagnostic; the figure is t = 1)")
a = ap.parse_args()
spec = importlib.util.spec_from_file_location("torch_ref", a.torch_ref); tr = importlib.util.module_from_spec(spec); spec.loader.exec_module(tr)
torch.set_num_threads(a.threads); torch.manual_seed(a.seed)
(xtr, ytr), (xte, yte) = tr.load("train", a.train_n), tr.load("t10k", 10000)
means = torch.stack([xtr[ytr == c].mean(0).flatten() for c in range(tr.CLASSES)])
nearest = lambda imgs: torch.cdist(imgs.flatten(1), means).argmin(1)
real_pred = nearest(xte)
real_per_label = [(real_pred[yte == c] == c).float().mean().item() for c in range(tr.CLASSES)]
m = tr.ConvVAE(16, 28, 1, [32, 64], tr.CLASSES); opt = torch.optim.Adam(m.parameters(), 1e-3)

def per_label_score(t, zs):
    out = []
    with torch.no_grad():
        for c in range(tr.CLASSES):
            y = F.one_hot(torch.full((100,), c), tr.CLASSES).float()
            h = F.relu(m.fc(torch.cat([t * zs, y], 1))).view(-1, m.f_last, m.b, m.b)
            out.append(nearest(torch.sigmoid(m.dec(h))))
    return torch.stack(out)  # [label, sample] -> nearest label mean

def score(ep, seconds):
    m.eval(); row = {"impl": "pytorch", "train_n": a.train_n, "epoch": ep, "epochs": a.epochs, "train_s": round(seconds, 1)}
    for t in [float(v) for v in a.temperatures.split(",")]:
        # One fresh z per sample and label (as the figure's definition); and, as a diagnostic, the same
        # 100 z decoded with every label: how many distinct nearest means a z gets across the 10 labels
        # (1 = the decoder ignores the label, 10 = the label alone decides).
        fresh = torch.stack([per_label_score(t, torch.randn(100, 16))[c] for c in range(tr.CLASSES)])
        per_label = [(fresh[c] == c).float().mean().item() for c in range(tr.CLASSES)]
        shared = per_label_score(t, torch.randn(100, 16))
        distinct = sum(len(set(shared[:, i].tolist())) for i in range(100)) / 100
        key = "" if t == 1 else f"_t{t:g}"
        row.update({f"per_label{key}": [round(v, 3) for v in per_label], f"mean{key}": round(sum(per_label) / len(per_label), 4),
                    f"min{key}": round(min(per_label), 3), f"distinct_nearest_over_labels{key}": round(distinct, 2)})
    if a.recon:
        # The ceiling of a perfect prior: the decoder's mean image of each test image's own posterior mean
        # (z = mu(x, label)), decoded with its label, scored by the same rule.
        with torch.no_grad():
            pred = torch.cat([nearest(torch.sigmoid(m(xte[i:i + 1000], F.one_hot(yte[i:i + 1000], tr.CLASSES).float(), sample=False)[0]))
                              for i in range(0, len(xte), 1000)])
        rec = [(pred[yte == c] == c).float().mean().item() for c in range(tr.CLASSES)]
        row.update(recon_per_label=[round(v, 3) for v in rec], recon_mean=round(sum(rec) / len(rec), 4), recon_min=round(min(rec), 3))
    row.update(real_test=round((real_pred == yte).float().mean().item(), 4), real_per_label=[round(v, 3) for v in real_per_label])
    print(json.dumps(row), flush=True)
    m.train()

t0 = time.time()
for ep in range(1, a.epochs + 1):
    m.train(); perm = torch.randperm(len(xtr))
    for i in range(0, len(xtr) - 128 + 1, 128):
        idx = perm[i:i + 128]; x = xtr[idx]
        logits, mu, lv = m(x, F.one_hot(ytr[idx], tr.CLASSES).float()); rec, kl = tr.neg_elbo(logits, x, mu, lv)
        loss = (rec + kl) / len(x); opt.zero_grad(); loss.backward(); opt.step()
    if a.every_epoch or ep == a.epochs:
        rng = torch.get_rng_state(); score(ep, time.time() - t0); torch.set_rng_state(rng)
