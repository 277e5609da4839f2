"""The studio's network as a ``torch.nn.Module``, with MATLAB's names and semantics.

Input is right-padded ``x`` of shape ``[batch, time, C]`` with each sequence's real length in
``lengths`` (int64, ``[batch]``). The output is the scores BEFORE softmax: ``[batch, K]`` for a
network whose last recurrent layer has OutputMode 'last', ``[batch, time, K]`` otherwise
(zeros at padding). Padding never changes an output: a sequence's state stops at its last real
step, and 'last' reads that step (MATLAB reads the padded last step; the studio does not).

Learnables are stored in MATLAB's layout, exactly as in the studio's weight files:

========================  ===============  =========================================
name                      shape            meaning
========================  ===============  =========================================
``lstm/InputWeights``     ``[4H, C]``      gates stacked input; forget; cell cand.; output
``lstm/RecurrentWeights`` ``[4H, H]``      same order
``lstm/Bias``             ``[4H]``         ONE bias per gate (PyTorch's b_hh is kept at 0)
``lstm/HiddenState``      ``[H]``          initial h_0 (not learnable)
``lstm/CellState``        ``[H]``          initial c_0 (not learnable)
``bilstm/...``            ``[8H, ...]``    forward block, then backward block; states [2H]
``gru/...``               ``[3H, ...]``    gates reset; update; candidate
``fc/Weights``            ``[K, In]``
``fc/Bias``               ``[K]``
``sequenceinput/Mean`` .. statistics of the input normalization (when used)
========================  ===============  =========================================
"""

import json
import math

import torch
import torch.nn.functional as F
from torch import nn


def load_config(path):
    """Reads ``config.json`` written by ``lstm-studio export-pytorch``."""
    with open(path, "r", encoding="utf-8") as f:
        return json.load(f)


# ---------------------------------------------------------------------------------------------
# Activations (reference section 1)
# ---------------------------------------------------------------------------------------------


def gate_activation(x, name):
    """GateActivationFunction (sigma_g): 'sigmoid' or MATLAB's 'hard-sigmoid'.

    MATLAB's (and old Keras') hard sigmoid is clamp(0.2 x + 0.5, 0, 1): 0 below -2.5, 1 above
    2.5. It is NOT torch.nn.Hardsigmoid (x/6 + 1/2).
    """
    if name == "sigmoid":
        return torch.sigmoid(x)
    if name == "hard-sigmoid":
        return torch.clamp(x * 0.2 + 0.5, 0.0, 1.0)
    raise ValueError(f"GateActivationFunction {name!r} is not 'sigmoid' or 'hard-sigmoid'")


def state_activation(x, name):
    """StateActivationFunction (sigma_c): 'tanh' or 'softsign' (x / (1 + |x|))."""
    if name == "tanh":
        return torch.tanh(x)
    if name == "softsign":
        return x / (x.abs() + 1.0)
    raise ValueError(f"StateActivationFunction {name!r} is not 'tanh' or 'softsign'")


# ---------------------------------------------------------------------------------------------
# Padding helpers
# ---------------------------------------------------------------------------------------------


def step_mask(lengths, steps, dtype):
    """``[B, T]``: 1.0 at real steps, 0.0 at padding."""
    t = torch.arange(steps, device=lengths.device).unsqueeze(0)
    return (t < lengths.unsqueeze(1)).to(dtype)


def reverse_within_length(x, lengths):
    """Reverses each sequence of ``[B, T, C]`` within its real length; padding stays at the end."""
    b, t, c = x.shape
    if t == 0:
        return x
    steps = torch.arange(t, device=x.device).unsqueeze(0).expand(b, t)
    length = lengths.unsqueeze(1)
    rev = torch.where(steps < length, length - 1 - steps, steps)
    return x.gather(1, rev.unsqueeze(2).expand(b, t, c))


def last_real_step(out, lengths):
    """``[B, T, D]`` -> ``[B, D]`` at each sequence's last REAL step."""
    d = out.shape[2]
    idx = (lengths - 1).clamp(min=0).view(-1, 1, 1).expand(-1, 1, d)
    return out.gather(1, idx).squeeze(1)


# ---------------------------------------------------------------------------------------------
# Initializers (used only when training starts without the studio's initial weights)
# ---------------------------------------------------------------------------------------------


def init_weights(name, rows, cols, fan_in, fan_out, generator=None):
    """MATLAB's weight initializers: glorot, he, orthogonal, narrow-normal, zeros, ones."""
    if name == "glorot":
        a = math.sqrt(6.0 / max(fan_in + fan_out, 1))
        return torch.empty(rows, cols).uniform_(-a, a, generator=generator)
    if name == "he":
        return torch.randn(rows, cols, generator=generator) * math.sqrt(2.0 / max(fan_in, 1))
    if name == "orthogonal":
        if rows == 0 or cols == 0:
            return torch.zeros(rows, cols)
        if rows >= cols:
            q = torch.linalg.qr(torch.randn(rows, cols, dtype=torch.float64, generator=generator), mode="reduced")[0]
        else:
            q = torch.linalg.qr(torch.randn(cols, rows, dtype=torch.float64, generator=generator), mode="reduced")[0].t()
        return q.float().contiguous()
    if name == "narrow-normal":
        return torch.randn(rows, cols, generator=generator) * 0.01
    if name == "zeros":
        return torch.zeros(rows, cols)
    if name == "ones":
        return torch.ones(rows, cols)
    raise ValueError(f"unknown weights initializer {name!r}")


def init_bias(name, gates, hidden, directions, generator=None):
    """MATLAB's bias initializers: unit-forget-gate (forget block 1, others 0), narrow-normal, ones, zeros."""
    n = gates * hidden * directions
    if name == "zeros":
        return torch.zeros(n)
    if name == "ones":
        return torch.ones(n)
    if name == "narrow-normal":
        return torch.randn(n, generator=generator) * 0.01
    if name == "unit-forget-gate":
        b = torch.zeros(directions, gates, hidden)
        if gates == 4:
            b[:, 1, :] = 1.0
        return b.reshape(n)
    raise ValueError(f"unknown bias initializer {name!r}")


def row_factor(values, gates, hidden, directions, two_d):
    """A learn-rate or L2 factor resolved to one learnable: a float, or per-row values.

    ``values`` is MATLAB's scalar or 1xG vector (one entry per gate block, in gate order); the
    per-row tensor broadcasts against the learnable (``[rows, 1]`` for matrices).
    """
    if len(values) == 1:
        return float(values[0])
    rows = [float(values[(r // max(hidden, 1)) % gates]) for r in range(gates * hidden * directions)]
    t = torch.tensor(rows, dtype=torch.float32)
    return t.unsqueeze(1) if two_d else t


# ---------------------------------------------------------------------------------------------
# Layers
# ---------------------------------------------------------------------------------------------


class SequenceInput(nn.Module):
    """sequenceInputLayer: C features per step; optional normalization with training statistics."""

    def __init__(self, spec):
        super().__init__()
        self.name = spec["Name"]
        self.input_size = spec["InputSize"]
        self.normalization = spec.get("Normalization", "none")
        self.stats = None
        self.register_buffer("offset", torch.zeros(self.input_size))
        self.register_buffer("scale", torch.ones(self.input_size))
        if spec.get("Mean") is not None:
            self.set_stats({k: torch.tensor(spec[k], dtype=torch.float32) for k in ("Mean", "StandardDeviation", "Min", "Max")})

    def set_stats(self, stats):
        """Sets Mean/StandardDeviation/Min/Max; (x - offset) * scale as the studio computes it."""
        self.stats = {k: v.detach().float().cpu().reshape(-1) for k, v in stats.items()}
        mean, std, lo, hi = (self.stats[k] for k in ("Mean", "StandardDeviation", "Min", "Max"))

        def safe(v):
            ok = torch.isfinite(v) & (v > 0)
            return torch.where(ok, 1.0 / torch.where(ok, v, torch.ones_like(v)), torch.ones_like(v))

        if self.normalization == "zscore":
            offset, scale = mean, safe(std)
        elif self.normalization == "rescale-symmetric":
            offset, scale = (lo + hi) / 2.0, 2.0 * safe(hi - lo)
        elif self.normalization == "rescale-zero-one":
            offset, scale = lo, safe(hi - lo)
        else:
            offset, scale = torch.zeros_like(mean), torch.ones_like(mean)
        self.offset.copy_(offset)
        self.scale.copy_(scale)

    def forward(self, x, lengths):
        if self.normalization == "none" or self.stats is None:
            return x
        return (x - self.offset) * self.scale


class Recurrent(nn.Module):
    """lstmLayer, bilstmLayer or gruLayer with MATLAB's properties.

    Two paths compute the same equations: libtorch's fused kernel over packed sequences for
    tanh/sigmoid (its second bias held at zero, so there is ONE bias per gate), and a step loop
    of tensor ops for softsign / hard-sigmoid (or when ``use_fused`` is False).
    """

    def __init__(self, spec, input_size):
        super().__init__()
        self.name = spec["Name"]
        self.kind = spec["type"]  # 'lstm', 'bilstm' or 'gru'
        self.cell = "gru" if self.kind == "gru" else "lstm"
        self.gates = 3 if self.cell == "gru" else 4
        self.directions = 2 if self.kind == "bilstm" else 1
        self.hidden_units = h = spec["NumHiddenUnits"]
        self.input_size = input_size
        self.output_mode = spec["OutputMode"]
        self.state_activation_function = spec["StateActivationFunction"]
        self.gate_activation_function = spec["GateActivationFunction"]
        self.reset_gate_mode = spec.get("ResetGateMode", "after-multiplication")
        self.spec = spec
        self.use_fused = True
        rows = self.gates * h * self.directions
        self.InputWeights = nn.Parameter(torch.zeros(rows, input_size))
        self.RecurrentWeights = nn.Parameter(torch.zeros(rows, h))
        self.Bias = nn.Parameter(torch.zeros(rows))
        hs = spec.get("HiddenState")
        self.register_buffer("HiddenState", torch.tensor(hs, dtype=torch.float32) if hs else torch.zeros(self.directions * h))
        if self.cell == "lstm":
            cs = spec.get("CellState")
            self.register_buffer("CellState", torch.tensor(cs, dtype=torch.float32) if cs else torch.zeros(self.directions * h))
        else:
            self.CellState = None
        self.reset_parameters()

    def reset_parameters(self, generator=None):
        """Draws the learnables from the layer's initializers (MATLAB's fan-in/fan-out)."""
        g, h, d, c = self.gates, self.hidden_units, self.directions, self.input_size
        s = self.spec
        with torch.no_grad():
            self.InputWeights.copy_(init_weights(s["InputWeightsInitializer"], g * h * d, c, c, g * h, generator))
            self.RecurrentWeights.copy_(init_weights(s["RecurrentWeightsInitializer"], g * h * d, h, h, g * h, generator))
            self.Bias.copy_(init_bias(s["BiasInitializer"], g, h, d, generator))

    def learnables(self):
        """``(MATLAB name, parameter, learn-rate factor, L2 factor)`` for the solver."""
        g, h, d, s = self.gates, self.hidden_units, self.directions, self.spec
        out = []
        for prop, two_d in (("InputWeights", True), ("RecurrentWeights", True), ("Bias", False)):
            lr = row_factor(s[prop + "LearnRateFactor"], g, h, d, two_d)
            l2 = row_factor(s[prop + "L2Factor"], g, h, d, two_d)
            out.append((f"{self.name}/{prop}", getattr(self, prop), lr, l2))
        return out

    def fused_capable(self):
        """Whether libtorch's fused kernel computes exactly these equations."""
        return (
            self.state_activation_function == "tanh"
            and self.gate_activation_function == "sigmoid"
            and (self.cell == "lstm" or self.reset_gate_mode == "after-multiplication")
        )

    def initial_state(self, batch, direction):
        """h_0 (and c_0) of one direction for a batch, from HiddenState/CellState."""
        h = self.hidden_units
        h0 = self.HiddenState[direction * h:(direction + 1) * h].unsqueeze(0).expand(batch, h).contiguous()
        c0 = None
        if self.CellState is not None:
            c0 = self.CellState[direction * h:(direction + 1) * h].unsqueeze(0).expand(batch, h).contiguous()
        return h0, c0

    def _fused_direction(self, x, lengths, h0, c0, w, r, b):
        """One direction with the fused op over packed sequences (exact at real steps)."""
        steps = x.shape[1]
        packed = nn.utils.rnn.pack_padded_sequence(x, lengths.cpu(), batch_first=True, enforce_sorted=False)
        order = packed.sorted_indices
        params = [w, r, b, torch.zeros_like(b)]  # PyTorch's b_hh held at zero: ONE bias
        hx0 = h0.index_select(0, order).unsqueeze(0)
        if self.cell == "lstm":
            cx0 = c0.index_select(0, order).unsqueeze(0)
            out, _, _ = torch.lstm(packed.data, packed.batch_sizes, (hx0, cx0), params, True, 1, 0.0, self.training, False)
        else:
            out, _ = torch.gru(packed.data, packed.batch_sizes, hx0, params, True, 1, 0.0, self.training, False)
        out = nn.utils.rnn.PackedSequence(out, packed.batch_sizes, packed.sorted_indices, packed.unsorted_indices)
        padded, _ = nn.utils.rnn.pad_packed_sequence(out, batch_first=True, total_length=steps)
        return padded

    def _step_direction(self, x, lengths, h, c, w, r, b):
        """One direction, one time step at a time: the reference equations as written.

        LSTM:  i, f, o = sigma_g(W x + R h + b) blocks;  g = sigma_c(...)
               c_t = f * c_{t-1} + i * g;  h_t = o * sigma_c(c_t)
        GRU:   r, z = sigma_g(...);  n = sigma_c(W_n x + b_n + r * (R_n h))  (after multiplication)
               h_t = (1 - z) * n + z * h_{t-1}
        At padding the state keeps its last real value and the output is zero.
        """
        steps = x.shape[1]
        mask = step_mask(lengths, steps, x.dtype)
        xw = x.matmul(w.t()) + b  # [B, T, G*H]: input part and the one bias, all steps at once
        rt = r.t()
        sg, sc = self.gate_activation_function, self.state_activation_function
        if c is None:
            c = torch.zeros_like(h)
        outs = []
        for t in range(steps):
            m = mask[:, t].unsqueeze(1)
            xt = xw[:, t]
            if self.cell == "lstm":
                z = xt + h.matmul(rt)
                zi, zf, zg, zo = z.chunk(4, 1)
                i = gate_activation(zi, sg)
                f = gate_activation(zf, sg)
                g = state_activation(zg, sc)
                o = gate_activation(zo, sg)
                c_new = f * c + i * g
                h_new = o * state_activation(c_new, sc)
            else:
                xr, xz, xn = xt.chunk(3, 1)
                rr, rz, rn = r.chunk(3, 0)
                reset = gate_activation(xr + h.matmul(rr.t()), sg)
                update = gate_activation(xz + h.matmul(rz.t()), sg)
                if self.reset_gate_mode == "after-multiplication":
                    rec = reset * h.matmul(rn.t())
                else:
                    rec = (reset * h).matmul(rn.t())
                n = state_activation(xn + rec, sc)
                h_new = (1.0 - update) * n + update * h
                c_new = c
            h = h_new * m + h * (1.0 - m)
            c = c_new * m + c * (1.0 - m)
            outs.append(h_new * m)
        if not outs:
            return x.new_zeros(x.shape[0], 0, self.hidden_units)
        return torch.stack(outs, 1)

    def forward(self, x, lengths):
        batch = x.shape[0]
        rows = self.gates * self.hidden_units
        fused = self.use_fused and self.fused_capable()
        outs = []
        for d in range(self.directions):
            w = self.InputWeights[d * rows:(d + 1) * rows]
            r = self.RecurrentWeights[d * rows:(d + 1) * rows]
            b = self.Bias[d * rows:(d + 1) * rows]
            h0, c0 = self.initial_state(batch, d)
            inp = x if d == 0 else reverse_within_length(x, lengths)
            if fused:
                out = self._fused_direction(inp, lengths, h0, c0, w, r, b)
            else:
                out = self._step_direction(inp, lengths, h0, c0, w, r, b)
            outs.append(out if d == 0 else reverse_within_length(out, lengths))
        out = outs[0] if len(outs) == 1 else torch.cat(outs, 2)
        if self.output_mode == "last":
            return last_real_step(out, lengths)
        return out


class FullyConnected(nn.Module):
    """fullyConnectedLayer: W x + b at every time step (or on the single 'last' vector)."""

    def __init__(self, spec, input_size):
        super().__init__()
        self.name = spec["Name"]
        self.spec = spec
        k = spec["OutputSize"]
        self.input_size = input_size
        self.Weights = nn.Parameter(torch.zeros(k, input_size))
        self.Bias = nn.Parameter(torch.zeros(k))
        self.reset_parameters()

    def reset_parameters(self, generator=None):
        k, c = self.Weights.shape
        with torch.no_grad():
            self.Weights.copy_(init_weights(self.spec["WeightsInitializer"], k, c, c, k, generator))
            self.Bias.copy_(init_bias(self.spec["BiasInitializer"], 1, k, 1, generator))

    def learnables(self):
        s = self.spec
        return [
            (f"{self.name}/Weights", self.Weights, float(s["WeightsLearnRateFactor"]), float(s["WeightsL2Factor"])),
            (f"{self.name}/Bias", self.Bias, float(s["BiasLearnRateFactor"]), float(s["BiasL2Factor"])),
        ]

    def forward(self, x, lengths):
        return x.matmul(self.Weights.t()) + self.Bias


class Dropout(nn.Module):
    """dropoutLayer(Probability): zeroes inputs at random while training."""

    def __init__(self, spec):
        super().__init__()
        self.name = spec["Name"]
        self.probability = float(spec["Probability"])

    def forward(self, x, lengths):
        if self.training and self.probability > 0:
            return F.dropout(x, self.probability, True)
        return x


class Identity(nn.Module):
    """softmaxLayer / classificationLayer / regressionLayer: the scores pass through (the loss applies softmax)."""

    def __init__(self, spec):
        super().__init__()
        self.name = spec["Name"]

    def forward(self, x, lengths):
        return x


# ---------------------------------------------------------------------------------------------
# The network
# ---------------------------------------------------------------------------------------------


class StudioNetwork(nn.Module):
    """The layer array of a studio project. ``forward(x, lengths)`` returns scores before softmax."""

    def __init__(self, config):
        super().__init__()
        self.config = config
        self.classification = config["task"]["classification"]
        self.per_step = config["task"]["per_step"]
        layers = []
        channels = 0
        for spec in config["layers"]:
            t = spec["type"]
            if t == "sequenceinput":
                channels = spec["InputSize"]
                layers.append(SequenceInput(spec))
            elif t in ("lstm", "bilstm", "gru"):
                layer = Recurrent(spec, channels)
                channels = layer.directions * layer.hidden_units
                layers.append(layer)
            elif t == "fc":
                layers.append(FullyConnected(spec, channels))
                channels = spec["OutputSize"]
            elif t == "dropout":
                layers.append(Dropout(spec))
            else:
                layers.append(Identity(spec))
        self.layers = nn.ModuleList(layers)
        self.output_size = channels

    @classmethod
    def from_config(cls, path):
        """The network of an exported ``config.json``."""
        return cls(load_config(path))

    def forward(self, x, lengths):
        h = x
        for layer in self.layers:
            h = layer(h, lengths)
        return h

    def set_fused(self, on):
        """Use libtorch's fused kernels where they apply (True), or the step loop everywhere."""
        for layer in self.layers:
            if isinstance(layer, Recurrent):
                layer.use_fused = on

    def input_layer(self):
        return self.layers[0] if isinstance(self.layers[0], SequenceInput) else None

    def learnables(self):
        """Every learnable ``(MATLAB name, parameter, learn-rate factor, L2 factor)``, in layer order."""
        out = []
        for layer in self.layers:
            if isinstance(layer, (Recurrent, FullyConnected)):
                out.extend(layer.learnables())
        return out

    def reset_parameters(self, seed):
        """Draws every learnable from its initializer with ``torch.manual_seed(seed)``."""
        torch.manual_seed(seed)
        for layer in self.layers:
            if isinstance(layer, (Recurrent, FullyConnected)):
                layer.reset_parameters()

    def studio_tensors(self):
        """Every tensor of a studio weight file, by MATLAB name (float32, CPU, contiguous)."""
        out = {}
        for name, p, _, _ in self.learnables():
            out[name] = p
        for layer in self.layers:
            if isinstance(layer, Recurrent):
                out[f"{layer.name}/HiddenState"] = layer.HiddenState
                if layer.CellState is not None:
                    out[f"{layer.name}/CellState"] = layer.CellState
            elif isinstance(layer, SequenceInput) and layer.stats is not None:
                for k in ("Mean", "StandardDeviation", "Min", "Max"):
                    out[f"{layer.name}/{k}"] = layer.stats[k]
        return {k: v.detach().float().cpu().contiguous() for k, v in out.items()}

    def load_studio_tensors(self, tensors, source="the weights"):
        """Loads tensors by MATLAB name; a missing, extra or misshapen tensor is refused by name."""
        tensors = dict(tensors)
        targets = {name: p for name, p, _, _ in self.learnables()}
        for layer in self.layers:
            if isinstance(layer, Recurrent):
                targets[f"{layer.name}/HiddenState"] = layer.HiddenState
                if layer.CellState is not None:
                    targets[f"{layer.name}/CellState"] = layer.CellState
        for name, dst in targets.items():
            if name not in tensors:
                raise KeyError(f"{source}: {name} is missing")
            src = tensors.pop(name)
            if tuple(src.shape) != tuple(dst.shape):
                raise ValueError(f"{source}: {name} has shape {tuple(src.shape)}, the network needs {tuple(dst.shape)}")
            if not torch.isfinite(src).all():
                raise ValueError(f"{source}: {name} holds NaN or infinite values")
            with torch.no_grad():
                dst.copy_(src.to(dst.dtype))
        inp = self.input_layer()
        stat_names = [f"{inp.name}/{k}" for k in ("Mean", "StandardDeviation", "Min", "Max")] if inp else []
        if stat_names and all(n in tensors for n in stat_names):
            inp.set_stats({n.split("/")[-1]: tensors.pop(n) for n in stat_names})
        for n in stat_names:
            tensors.pop(n, None)
        if tensors:
            raise KeyError(f"{source}: {sorted(tensors)[0]} is in the file but the network has no such tensor")

    def load_studio_weights(self, path):
        """Loads a studio ``weights.safetensors`` (only safetensors: pickles can run code)."""
        from safetensors.torch import load_file

        self.load_studio_tensors(load_file(str(path)), str(path))

    def save_studio_weights(self, path):
        """Writes ``weights.safetensors`` in the studio's naming (the studio loads it directly)."""
        from safetensors.torch import save_file

        save_file(self.studio_tensors(), str(path))
