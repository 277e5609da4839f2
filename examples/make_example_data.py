#!/usr/bin/env python3
"""Writes the data of two examples (standard library only, seeded, deterministic):

- examples/data/airline_{train,test}.csv — the airline series (assets/data/Airline.csv) as a
  forecasting task: standardized with the training part's mean and std (the first 90% of the
  months), input x = passengers at month t, response y = passengers at month t+1 (next-step
  targets). The test file continues the series (it starts with the last training month so the
  state can be warmed up).
- examples/data/regimes_{train,test}.csv — sequence-to-sequence classification: each sequence
  switches between three regimes (a slow sine, a fast sine, noise around a level); the label of
  every time step is the regime that generated it.

Run: python3 examples/make_example_data.py
"""
import csv
import math
import os
import random

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
OUT = os.path.join(HERE, "data")


def airline():
    with open(os.path.join(ROOT, "assets", "data", "Airline.csv")) as f:
        rows = list(csv.DictReader(f))
    key = [k for k in rows[0] if k.lower() != "date"][0]
    values = [float(r[key]) for r in rows]
    n_train = int(0.9 * len(values))
    mean = sum(values[:n_train]) / n_train
    std = math.sqrt(sum((v - mean) ** 2 for v in values[:n_train]) / n_train)
    z = [(v - mean) / std for v in values]
    for name, lo, hi in [("train", 0, n_train), ("test", n_train - 1, len(z))]:
        with open(os.path.join(OUT, f"airline_{name}.csv"), "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["step", "x", "y"])
            for t in range(lo, hi - 1):
                w.writerow([t - lo + 1, f"{z[t]:.6f}", f"{z[t + 1]:.6f}"])
    print(f"airline: mean {mean:.3f}, std {std:.3f} (multiply forecasts by std and add mean)")


def regimes(rng, n, name):
    with open(os.path.join(OUT, f"regimes_{name}.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["sequence", "step", "x", "label"])
        for s in range(n):
            steps = rng.randint(60, 120)
            t = 0
            phase = rng.random() * 6.28
            while t < steps:
                regime = rng.randint(0, 2)
                length = rng.randint(10, 30)
                for _ in range(min(length, steps - t)):
                    if regime == 0:
                        x = math.sin(0.15 * t + phase)
                    elif regime == 1:
                        x = math.sin(1.2 * t + phase)
                    else:
                        x = 0.5 + rng.gauss(0.0, 0.3)
                    w.writerow([s + 1, t + 1, f"{x:.5f}", ["slow", "fast", "noise"][regime]])
                    t += 1


def main():
    os.makedirs(OUT, exist_ok=True)
    airline()
    rng = random.Random(2024)
    regimes(rng, 120, "train")
    regimes(rng, 40, "test")


if __name__ == "__main__":
    main()
