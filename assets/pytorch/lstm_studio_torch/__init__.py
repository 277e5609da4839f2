"""LSTM Studio's network, data, solver and run directory for PyTorch.

Written by ``lstm-studio export-pytorch``. Everything here follows the studio (and MATLAB's
lstmLayer) exactly:

* ``model``   -- the network as a ``torch.nn.Module``: MATLAB gate order (input, forget, cell
  candidate, output), ONE bias per gate, softsign / hard-sigmoid (MATLAB's clamp(0.2x+0.5, 0, 1),
  not PyTorch's Hardsigmoid), initial HiddenState/CellState, OutputMode 'last' = the last REAL
  time step, bilstm, gru (reset after multiplication), fully connected, dropout;
* ``data``    -- the ``.ts`` loader and right-padded mini-batches;
* ``solver``  -- sgdm / adam / rmsprop with per-gate learn-rate and L2 factors, gradient
  thresholds after the L2 term (a mirror of the studio's ``src/engine/solver.rs``);
* ``run_dir`` -- weights in the studio's safetensors naming (``lstm/InputWeights`` ...),
  metrics.csv, confusion.csv and summary.json: a run directory the studio opens directly.

Nothing here downloads anything.
"""

from .model import StudioNetwork, load_config
from .data import SequenceData, read_ts, make_batch
from .solver import StudioSolver, learn_rate_at_epoch
from .evaluate import evaluate, loss_parts
from . import run_dir

__all__ = ["StudioNetwork", "load_config", "SequenceData", "read_ts", "make_batch", "StudioSolver", "learn_rate_at_epoch", "evaluate", "loss_parts", "run_dir"]
