"""Losses and evaluation with the studio's definitions.

* classification: cross-entropy over softmax of the scores; accuracy; the confusion matrix
  (rows = true class, columns = predicted);
* regression: half the squared error summed over responses; RMSE over all values.

Losses are means over observations (sequences).
"""

import math

import torch
import torch.nn.functional as F

from .data import make_batch


def loss_parts(scores, target, classification):
    """``(loss sum, metric sum)`` of one batch: cross-entropy and correct answers, or half the
    squared error and the squared error. Divide by the number of observations for means."""
    if classification:
        loss = F.cross_entropy(scores.float(), target, reduction="sum")
        correct = (scores.argmax(-1) == target).float().sum()
        return loss, correct
    sse = (scores.float() - target).square().sum()
    return 0.5 * sse, sse.detach()


@torch.no_grad()
def evaluate(model, data, batch_size=128, device="cpu"):
    """Runs ``model`` (in eval mode) over every sequence, in order, in batches of ``batch_size``.

    Returns a dict: ``loss``, and ``accuracy`` + ``confusion`` (classification) or ``rmse``.
    """
    was_training = model.training
    model.eval()
    classification = data.labels is not None
    correct, loss, sse, values = 0, 0.0, 0.0, 0
    k = model.output_size
    counts = [[0] * k for _ in range(k)] if classification else None
    n = len(data)
    for start in range(0, n, batch_size):
        rows = list(range(start, min(start + batch_size, n)))
        x, lengths, y = make_batch(data, rows)
        scores = model(x.to(device), lengths.to(device)).float().cpu()
        if classification:
            p = scores.softmax(-1)
            pred = p.argmax(-1)
            for t, q, pr in zip(y.tolist(), pred.tolist(), p):
                counts[t][q] += 1
                correct += int(t == q)
                loss -= math.log(max(float(pr[t]), 1e-30))
        else:
            d = (scores - y).square()
            sse += float(d.sum())
            values += d.numel()
    model.train(was_training)
    if classification:
        return {"loss": loss / max(n, 1), "accuracy": correct / max(n, 1), "confusion": counts}
    return {"loss": 0.5 * sse / max(n, 1), "rmse": math.sqrt(sse / max(values, 1))}
