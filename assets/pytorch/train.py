#!/usr/bin/env python3
"""Trains the exported LSTM Studio network with PyTorch, on one process or many.

    python train.py --out runs/my-run                                  # one process
    torchrun --nproc_per_node=4 train.py --out runs/my-run             # 4 processes, one machine
    torchrun --nnodes=2 --nproc_per_node=8 --rdzv_backend=c10d \\
             --rdzv_endpoint=HOST:29500 train.py --out runs/my-run     # a cluster

Under torchrun the network is wrapped in DistributedDataParallel: the 'gloo' backend on CPUs,
'nccl' on GPUs (one GPU per process, cuda:LOCAL_RANK).

How a mini-batch is shared: every rank draws the SAME epoch order (from the seed), cuts it into
MiniBatchSize mini-batches (complete ones only, like the studio and MATLAB), and rank r takes the
sequences r, r+N, r+2N, ... of each mini-batch (N = the number of processes; no
DistributedSampler). Each rank's loss is its share of the loss SUM divided by the mini-batch's
observation count, times N, so DDP's gradient average is exactly the gradient of the mini-batch's
mean loss. One iteration is one mini-batch and one solver step, as in the studio, so iteration
counts, ValidationFrequency and the learn-rate schedule mean the same. Results equal a single
process's only up to the order of floating-point reductions.

The result is a complete studio run directory (project.ron, weights.safetensors, metrics.csv,
confusion.csv, summary.json): open it with ``lstm-studio eval RUN_DIR --data ...``, the studio's
Open Run, or continue training with ``lstm-studio train PROJECT --init-from
RUN_DIR/weights.safetensors``.

Nothing here downloads anything.
"""

import argparse
import math
import os
import sys
import time

import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from lstm_studio_torch import StudioNetwork, StudioSolver, evaluate, learn_rate_at_epoch, load_config, loss_parts, make_batch, read_ts, run_dir  # noqa: E402


def parse_args():
    p = argparse.ArgumentParser(description="Train the exported LSTM Studio network (one process, or many under torchrun).")
    p.add_argument("--config", default=os.path.join(HERE, "config.json"), help="the exported config.json")
    p.add_argument("--out", default=None, help="the run directory to write (default runs/<name>-<time>)")
    p.add_argument("--epochs", type=int, default=None, help="MaxEpochs (default: the project's)")
    p.add_argument("--seed", type=int, default=None, help="the seed (default: the project's)")
    p.add_argument("--device", choices=["auto", "cpu", "cuda"], default=None, help="default: the project's ExecutionEnvironment")
    p.add_argument(
        "--init-from",
        default=os.path.join(HERE, "initial_weights.safetensors"),
        help="start from these learnables (default: the studio's own initial weights for the project's seed); 'none' draws them from the initializers",
    )
    p.add_argument("--step-loop", action="store_true", help="use the step loop even where libtorch's fused kernels apply")
    p.add_argument("--threads", type=int, default=None, help="torch CPU threads per process")
    return p.parse_args()


def epoch_order(n, shuffle, seed, epoch):
    """The order of the training data in an epoch: 'once' shuffles once, 'every-epoch' every
    epoch, 'never' keeps file order. (Drawn from torch's generator: not the studio's order.)"""
    if shuffle == "never":
        return list(range(n))
    key = 0 if shuffle == "once" else epoch
    g = torch.Generator().manual_seed(int(seed) * 1_000_003 + key)
    return torch.randperm(n, generator=g).tolist()


def choose_device(env, local_rank):
    if env == "cpu":
        return torch.device("cpu")
    if env in ("gpu", "cuda"):
        if not torch.cuda.is_available():
            raise SystemExit("ExecutionEnvironment is 'gpu' but torch sees no CUDA device; use --device cpu")
        return torch.device("cuda", local_rank)
    return torch.device("cuda", local_rank) if torch.cuda.is_available() else torch.device("cpu")


def main():
    args = parse_args()
    cfg = load_config(args.config)
    o = dict(cfg["training"])
    if args.epochs is not None:
        o["MaxEpochs"] = args.epochs
    if args.seed is not None:
        o["Seed"] = args.seed
    if args.threads:
        torch.set_num_threads(args.threads)
    if o["SequenceLength"] not in ("longest", "shortest"):
        raise SystemExit(f"SequenceLength {o['SequenceLength']} (chunks with carried state) is not supported by the exported trainer; use 'longest' or 'shortest'")
    if cfg["task"]["per_step"]:
        raise SystemExit("sequence-to-sequence networks are not supported by the exported trainer (the .ts format holds one target per sequence)")

    distributed = "WORLD_SIZE" in os.environ
    rank = int(os.environ.get("RANK", "0"))
    world = int(os.environ.get("WORLD_SIZE", "1"))
    local_rank = int(os.environ.get("LOCAL_RANK", "0"))
    device = choose_device(args.device or o["ExecutionEnvironment"], local_rank)
    if device.type == "cuda":
        torch.cuda.set_device(device)
    backend = "nccl" if device.type == "cuda" else "gloo"
    if distributed:
        dist.init_process_group(backend=backend)
    lead = rank == 0

    def log(msg):
        if lead:
            print(msg, flush=True)

    # Data, with validation and test labels re-indexed onto the training classes.
    data_dir = os.path.dirname(os.path.abspath(args.config))
    files = cfg["data"]
    if not files.get("train"):
        raise SystemExit("the export has no training data (config.json: data.train)")
    train = read_ts(os.path.join(data_dir, files["train"]))
    validation = read_ts(os.path.join(data_dir, files["validation"])) if files.get("validation") else None
    test = read_ts(os.path.join(data_dir, files["test"])) if files.get("test") else None
    classification = cfg["task"]["classification"]
    if classification:
        for d in (validation, test):
            if d is not None:
                d.align_classes(train.class_names)

    # The network: the studio's initial learnables for the seed (or fresh ones), then DDP.
    seed = int(o["Seed"])
    torch.manual_seed(seed)
    model = StudioNetwork(cfg)
    if args.init_from and args.init_from != "none" and os.path.exists(args.init_from):
        model.load_studio_weights(args.init_from)
        log(f"initial learnables: {args.init_from}")
    else:
        model.reset_parameters(seed)
        log("initial learnables: drawn from the layers' initializers")
    model.set_fused(not args.step_loop)
    model.to(device)
    torch.manual_seed(seed + rank)  # dropout masks differ between ranks
    net = DistributedDataParallel(model, device_ids=[device.index] if device.type == "cuda" else None) if distributed else model
    solver = StudioSolver(model.learnables(), o)

    n = len(train)
    mbs = min(int(o["MiniBatchSize"]), n)
    if mbs < world:
        raise SystemExit(f"MiniBatchSize {mbs} is smaller than the number of processes {world}: every rank needs at least one sequence")
    per_epoch = n // mbs
    max_epochs = int(o["MaxEpochs"])
    max_iterations = per_epoch * max_epochs
    shortest = o["SequenceLength"] == "shortest"
    device_label = f"PyTorch {torch.__version__}, {world} x {'CUDA' if device.type == 'cuda' else 'CPU'} ({backend if distributed else 'one process'})"
    log(f"training on {device_label}: {n} sequences, MiniBatchSize {mbs}, {per_epoch} iterations per epoch, {max_epochs} epochs")

    patience = o["ValidationPatience"]
    history = []
    best = None  # (val loss, snapshot)
    worse = 0
    stop_reason = "Completed"
    message = None
    iteration = 0
    epochs_done = 0
    final_loss = float("nan")
    last_good = {k: v.detach().clone() for k, v in model.state_dict().items()}
    start = time.time()
    for epoch in range(1, max_epochs + 1):
        lr = learn_rate_at_epoch(o, epoch)
        order = epoch_order(n, o["Shuffle"], seed, epoch)
        stop = False
        for b in range(per_epoch):
            rows = order[b * mbs:(b + 1) * mbs]
            mine = rows[rank::world]
            iteration += 1
            net.train()
            x, lengths, y = make_batch(train, mine, float(o["SequencePaddingValue"]), shortest, o["SequencePaddingDirection"])
            scores = net(x.to(device), lengths.to(device))
            loss_sum, metric_sum = loss_parts(scores, y.to(device), classification)
            (loss_sum * (world / len(rows))).backward()  # DDP averages: the mini-batch's mean loss
            totals = torch.stack([loss_sum.detach().float(), metric_sum.detach().float()]).to(device)
            if distributed:
                dist.all_reduce(totals)
            loss = float(totals[0]) / len(rows)
            if classification:
                metric = float(totals[1]) / len(rows)
            else:
                metric = math.sqrt(float(totals[1]) / (len(rows) * model.output_size))
            if not math.isfinite(loss):
                model.load_state_dict(last_good)
                stop_reason = f"NonFinite {{ iteration: {iteration} }}"
                message = f"Training stopped at iteration {iteration} (epoch {epoch}): the loss is {loss}. The network from the last iteration with a finite loss is kept."
                stop = True
                break
            last_good = {k: v.detach().clone() for k, v in model.state_dict().items()}
            solver.step(lr)
            final_loss = loss
            rec = {"iteration": iteration, "epoch": epoch, "elapsed_s": time.time() - start, "learn_rate": lr, "train_loss": loss, "train_metric": metric}
            if validation is not None and (iteration == 1 or iteration % int(o["ValidationFrequency"]) == 0 or iteration == max_iterations):
                # Every rank evaluates the whole validation set: identical results, so early
                # stopping needs no communication.
                ev = evaluate(model, validation, mbs, device)
                rec["val_loss"] = ev["loss"]
                rec["val_metric"] = ev.get("accuracy", ev.get("rmse"))
                if best is None or ev["loss"] < best[0]:
                    worse = 0
                    snap = {k: v.detach().clone() for k, v in model.state_dict().items()} if o["OutputNetwork"] == "best-validation-loss" else None
                    best = (ev["loss"], snap)
                else:
                    worse += 1
            history.append(rec)
            if o["Verbose"] and (iteration == 1 or iteration % int(o["VerboseFrequency"]) == 0 or iteration == max_iterations):
                val = f"  val loss {rec['val_loss']:.4f}" if "val_loss" in rec else ""
                log(f"epoch {epoch:3d}  iteration {iteration:5d}  loss {loss:.4f}  {'accuracy' if classification else 'RMSE'} {metric:.4f}{val}")
            if patience != "Inf" and worse >= int(patience):
                stop_reason = "EarlyStop"
                message = f"Validation loss did not improve for {patience} validations: stopped early at iteration {iteration} (epoch {epoch})."
                stop = True
                break
        epochs_done = epoch
        if stop:
            break
    train_seconds = time.time() - start
    if o["OutputNetwork"] == "best-validation-loss" and best is not None and best[1] is not None:
        model.load_state_dict(best[1])

    if lead:
        summary = {
            "final_train_loss": final_loss,
            "epochs": epochs_done,
            "iterations": iteration,
            "train_seconds": train_seconds,
            "device": device_label,
            "stop_reason": stop_reason,
            "trained_with": "PyTorch export (train.py)",
            "processes": world,
        }
        if message:
            summary["message"] = message
            print(message, flush=True)
        confusion = None
        if test is not None:
            ev = evaluate(model, test, 128, device)
            if classification:
                summary["test_accuracy"] = ev["accuracy"]
                confusion = (train.class_names, ev["confusion"])
                print(f"test accuracy: {ev['accuracy']:.4f} ({len(test)} sequences)", flush=True)
            else:
                summary["test_rmse"] = ev["rmse"]
                print(f"test RMSE: {ev['rmse']:.6f}", flush=True)
        out = args.out or os.path.join("runs", f"{cfg['name'].replace(' ', '_')}-{int(time.time())}")
        run_dir.write_run(out, model, os.path.join(data_dir, "project.ron"), history, summary, confusion)
        print(f"trained {epochs_done} epochs ({iteration} iterations) in {train_seconds:.2f} s; run directory {out}", flush=True)
    if distributed:
        dist.barrier()
        dist.destroy_process_group()


if __name__ == "__main__":
    main()
