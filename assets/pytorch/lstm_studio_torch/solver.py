"""The studio's solvers -- sgdm, adam, rmsprop -- mirroring ``src/engine/solver.rs``.

MATLAB's per-block factors mean what the reference says:

* a learn-rate factor multiplies its block's STEP (for adam and rmsprop this is NOT the same as
  scaling the gradient, which is why ``torch.optim`` is not used);
* an L2 factor adds ``L2Regularization * factor * W`` to its block's gradient;
* gradient thresholds apply after the L2 term: 'l2norm' (each learnable's gradient on its
  own), 'global-l2norm' (all together), 'absolute-value' (element-wise).

Under DistributedDataParallel the gradients are already averaged over the ranks when
:meth:`StudioSolver.step` runs, so every rank takes the same step.
"""

import math

import torch


def _scale(factor, t):
    """``factor * t`` for a float factor or a per-row tensor factor."""
    return t * factor


def _is_zero(factor):
    return not isinstance(factor, torch.Tensor) and factor == 0.0


class StudioSolver:
    """One solver over ``learnables``: ``(name, parameter, learn-rate factor, L2 factor)``."""

    def __init__(self, learnables, options):
        self.learnables = learnables
        self.o = options
        self.solver = options["Solver"]
        self.steps = 0
        self.first = []
        self.second = []
        # Per-row factors live on the learnable's device.
        self.learnables = [
            (n, p, lr.to(p.device) if isinstance(lr, torch.Tensor) else lr, l2.to(p.device) if isinstance(l2, torch.Tensor) else l2)
            for n, p, lr, l2 in learnables
        ]
        for _, p, _, _ in self.learnables:
            z = torch.zeros_like(p.detach())
            self.first.append(z.clone() if self.solver in ("sgdm", "adam") else None)
            self.second.append(z.clone() if self.solver in ("adam", "rmsprop") else None)

    @torch.no_grad()
    def step(self, lr):
        """One update of every learnable at learning rate ``lr``; gradients are cleared afterwards."""
        o = self.o
        self.steps += 1
        l2 = float(o["L2Regularization"])
        grads = []
        for _, p, _, l2f in self.learnables:
            g = p.grad.detach() if p.grad is not None else torch.zeros_like(p)
            if l2 > 0 and not _is_zero(l2f):
                g = g + _scale(l2f, p.detach()) * l2
            grads.append(g)
        thr = float(o["GradientThreshold"])
        if math.isfinite(thr):
            method = o["GradientThresholdMethod"]
            if method == "l2norm":
                grads = [g * (thr * (g.norm() + 1e-30).reciprocal()).clamp(max=1.0) for g in grads]
            elif method == "global-l2norm":
                total = sum(g.square().sum() for g in grads)
                scale = (thr * (total.sqrt() + 1e-30).reciprocal()).clamp(max=1.0)
                grads = [g * scale for g in grads]
            elif method == "absolute-value":
                grads = [g.clamp(-thr, thr) for g in grads]
            else:
                raise ValueError(f"GradientThresholdMethod {method!r} is unknown")
        t = self.steps
        for k, ((_, p, lrf, _), g) in enumerate(zip(self.learnables, grads)):
            if self.solver == "sgdm":
                # v <- gamma v - lr f g ; theta <- theta + v
                v = self.first[k]
                v.mul_(float(o["Momentum"])).sub_(_scale(lrf, g) * lr)
                step = v
            elif self.solver == "adam":
                b1 = float(o["GradientDecayFactor"])
                b2 = float(o["SquaredGradientDecayFactor"])
                m, v = self.first[k], self.second[k]
                m.mul_(b1).add_(g * (1.0 - b1))
                v.mul_(b2).add_(g.square() * (1.0 - b2))
                c1 = 1.0 - b1**t
                c2 = 1.0 - b2**t
                denom = (v / c2).sqrt().add_(float(o["Epsilon"]))
                step = _scale(lrf, (m / c1) / denom) * (-lr)
            elif self.solver == "rmsprop":
                b2 = float(o["SquaredGradientDecayFactor"])
                v = self.second[k]
                v.mul_(b2).add_(g.square() * (1.0 - b2))
                step = _scale(lrf, g / v.sqrt().add(float(o["Epsilon"]))) * (-lr)
            else:
                raise ValueError(f"Solver {self.solver!r} is unknown")
            p.add_(step)
            if p.grad is not None:
                p.grad.zero_()


def learn_rate_at_epoch(options, epoch):
    """InitialLearnRate under LearnRateSchedule at a 1-based epoch ('piecewise' drops every period)."""
    lr = float(options["InitialLearnRate"])
    if options["LearnRateSchedule"] == "piecewise":
        drops = (epoch - 1) // max(int(options["LearnRateDropPeriod"]), 1)
        lr *= float(options["LearnRateDropFactor"]) ** drops
    return lr
