#!/usr/bin/env python3
"""The canonical Japanese Vowels example in PyTorch eager mode, for `make bench`.

The same network, initializers, options and thread count as the studio's
examples/japanese_vowels.ron: sequenceInput(12) -> lstm(100, 'last') -> fc(9) -> softmax ->
classification; adam (lr 0.001, 0.9/0.999, eps 1e-8), L2Regularization 1e-4 on weights (bias L2
factor 0), GradientThreshold 1 per learnable ('l2norm'), MiniBatchSize 27, MaxEpochs 100,
Shuffle 'once'. MATLAB's initializers: glorot input weights, orthogonal recurrent weights,
unit-forget-gate bias, ONE bias (b_hh fixed at zero), glorot/zeros for fc. 'last' = the last real
step (packed sequences). Prints one JSON line: train_seconds, test_accuracy, threads.
"""
import argparse
import json
import math
import random
import time

import torch
from torch import nn


def read_ts(path):
    seqs, labels, classes, in_data = [], [], [], False
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            if line.lower().startswith("@classlabel"):
                classes = line.split()[2:]
                continue
            if line.lower().startswith("@data"):
                in_data = True
                continue
            if line.startswith("@") or not in_data:
                continue
            parts = line.split(":")
            dims = [[float(v) for v in p.split(",")] for p in parts[:-1]]
            seqs.append(torch.tensor(dims, dtype=torch.float32).t().contiguous())  # T x C
            labels.append(classes.index(parts[-1]) if classes else int(parts[-1]))
    return seqs, torch.tensor(labels), classes


class Net(nn.Module):
    def __init__(self, c, h, k):
        super().__init__()
        self.lstm = nn.LSTM(c, h, batch_first=True)
        self.fc = nn.Linear(h, k)
        with torch.no_grad():
            a = math.sqrt(6.0 / (c + 4 * h))
            self.lstm.weight_ih_l0.uniform_(-a, a)
            q, _ = torch.linalg.qr(torch.randn(4 * h, h, dtype=torch.float64))
            self.lstm.weight_hh_l0.copy_(q.float())
            self.lstm.bias_ih_l0.zero_()
            self.lstm.bias_ih_l0[h:2 * h] = 1.0
            self.lstm.bias_hh_l0.zero_()
            a = math.sqrt(6.0 / (h + k))
            self.fc.weight.uniform_(-a, a)
            self.fc.bias.zero_()
        self.lstm.bias_hh_l0.requires_grad_(False)

    def forward(self, x, lengths, padded=False):
        if padded:
            # The padded batch as it is; the last real step gathered (exact: padding follows it).
            out, _ = self.lstm(x)
            idx = (lengths - 1).view(-1, 1, 1).expand(-1, 1, out.shape[2])
            return self.fc(out.gather(1, idx).squeeze(1))
        packed = nn.utils.rnn.pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
        _, (h, _) = self.lstm(packed)
        return self.fc(h[-1])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--train", required=True)
    ap.add_argument("--test", required=True)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--epochs", type=int, default=100)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--padded", action="store_true",
                    help="run the LSTM over the padded batch and gather the last real step (no packing)")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    random.seed(a.seed)
    xtr, ytr, classes = read_ts(a.train)
    xte, yte, _ = read_ts(a.test)
    net = Net(12, 100, len(classes))
    weights = [net.lstm.weight_ih_l0, net.lstm.weight_hh_l0, net.fc.weight]
    biases = [net.lstm.bias_ih_l0, net.fc.bias]
    opt = torch.optim.Adam(weights + biases, lr=1e-3, betas=(0.9, 0.999), eps=1e-8)
    order = list(range(len(xtr)))
    random.shuffle(order)  # Shuffle 'once'
    b = 27
    start = time.perf_counter()
    for _ in range(a.epochs):
        for i in range(0, len(order) - b + 1, b):
            idx = order[i:i + b]
            seqs = [xtr[j] for j in idx]
            lengths = torch.tensor([s.shape[0] for s in seqs])
            x = nn.utils.rnn.pad_sequence(seqs, batch_first=True)
            loss = nn.functional.cross_entropy(net(x, lengths, a.padded), ytr[idx])
            opt.zero_grad()
            loss.backward()
            with torch.no_grad():
                for w in weights:
                    w.grad.add_(w, alpha=1e-4)  # L2Regularization x WeightsL2Factor 1
                for p in weights + biases:  # GradientThreshold 1, 'l2norm' per learnable
                    n = p.grad.norm()
                    if n > 1.0:
                        p.grad.mul_(1.0 / n)
            opt.step()
    seconds = time.perf_counter() - start
    with torch.no_grad():
        lengths = torch.tensor([s.shape[0] for s in xte])
        x = nn.utils.rnn.pad_sequence(xte, batch_first=True)
        acc = (net(x, lengths, a.padded).argmax(1) == yte).float().mean().item()
    print(json.dumps({"train_seconds": seconds, "test_accuracy": acc, "threads": a.threads, "padded": a.padded}))


if __name__ == "__main__":
    main()
