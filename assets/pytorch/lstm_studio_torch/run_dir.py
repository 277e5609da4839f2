"""The studio's run directory: ``project.ron``, ``weights.safetensors`` (MATLAB names),
``metrics.csv``, ``confusion.csv`` and ``summary.json``. ``lstm-studio eval RUN_DIR`` and the
studio's Open Run read it directly; ``lstm-studio train PROJECT --init-from
RUN_DIR/weights.safetensors`` continues training from it.
"""

import csv
import json
import os
import shutil


METRICS_HEADER = ["iteration", "epoch", "elapsed_s", "learn_rate", "train_loss", "train_metric", "val_loss", "val_metric"]


def write_metrics(path, history):
    """One row per iteration, the studio's columns."""
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(METRICS_HEADER)
        for r in history:
            w.writerow([
                r["iteration"],
                r["epoch"],
                f"{r['elapsed_s']:.4f}",
                repr(float(r["learn_rate"])),
                repr(float(r["train_loss"])),
                repr(float(r["train_metric"])),
                "" if r.get("val_loss") is None else repr(float(r["val_loss"])),
                "" if r.get("val_metric") is None else repr(float(r["val_metric"])),
            ])


def write_confusion(path, classes, counts):
    """A header of predicted classes, one row per true class."""
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["true\\predicted"] + list(classes))
        for c, row in zip(classes, counts):
            w.writerow([c] + [int(v) for v in row])


def write_run(out_dir, network, project_ron, history, summary, confusion=None):
    """Writes a complete run directory (``confusion`` = ``(classes, counts)`` or None)."""
    os.makedirs(out_dir, exist_ok=True)
    shutil.copyfile(project_ron, os.path.join(out_dir, "project.ron"))
    tmp = os.path.join(out_dir, "weights.safetensors.tmp")
    network.save_studio_weights(tmp)
    os.replace(tmp, os.path.join(out_dir, "weights.safetensors"))
    write_metrics(os.path.join(out_dir, "metrics.csv"), history)
    if confusion is not None:
        write_confusion(os.path.join(out_dir, "confusion.csv"), *confusion)
    with open(os.path.join(out_dir, "summary.json"), "w", encoding="utf-8") as f:
        json.dump(summary, f, indent=2)
