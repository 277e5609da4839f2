//! The recurrent kernels: LSTM, BiLSTM and GRU with MATLAB's semantics.
//!
//! Two paths compute the same equations (reference §1):
//! - **fused**: libtorch's packed-sequence LSTM/GRU ops (cuDNN on CUDA) for tanh/sigmoid, with
//!   libtorch's second bias held at zero so there is ONE bias per gate;
//! - **step loop**: tensor ops one time step at a time, autograd-capable on any device, for
//!   softsign and hard-sigmoid (and whenever gate values are recorded).
//!
//! Both take right-padded input `[batch, time, channels]` with each sequence's real length and
//! never let padding change an output: a sequence's state stops at its last real step.

use tch::{Kind, Tensor};

use crate::spec::{GateActivation, ResetGateMode, StateActivation};

/// Which recurrent cell.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cell {
    Lstm,
    Gru,
}

impl Cell {
    /// Gates per direction: 4 (i, f, g, o) or 3 (r, z, n).
    pub fn gates(self) -> i64 {
        match self {
            Cell::Lstm => 4,
            Cell::Gru => 3,
        }
    }
}

/// The learnables of one direction, in MATLAB's layout: input weights `[G·H, C]`, recurrent
/// weights `[G·H, H]`, bias `[G·H]`.
pub struct DirectionWeights<'a> {
    pub input_weights: &'a Tensor,
    pub recurrent_weights: &'a Tensor,
    pub bias: &'a Tensor,
}

/// The state of one direction for a batch: hidden `[B, H]`, cell `[B, H]` (LSTM only).
#[derive(Debug)]
pub struct DirectionState {
    pub hidden: Tensor,
    pub cell: Option<Tensor>,
}

impl DirectionState {
    /// A shallow copy sharing storage.
    pub fn shallow_clone(&self) -> Self {
        Self {
            hidden: self.hidden.shallow_clone(),
            cell: self.cell.as_ref().map(Tensor::shallow_clone),
        }
    }
}

/// Per-step gate and state values of one direction, recorded by the step loop, each
/// `[B, T, H]`: for LSTM `[i, f, g, o]`, for GRU `[r, z, n]`; hidden h_t; cell c_t (LSTM).
pub struct Recording {
    pub gates: Vec<Tensor>,
    pub hidden: Tensor,
    pub cell: Option<Tensor>,
}

/// Options shared by both paths.
#[derive(Clone, Copy, Debug)]
pub struct CellOptions {
    pub cell: Cell,
    pub state_activation: StateActivation,
    pub gate_activation: GateActivation,
    pub reset_gate_mode: ResetGateMode,
}

impl CellOptions {
    /// Whether libtorch's fused kernels compute exactly these equations.
    pub fn fused_capable(&self) -> bool {
        self.state_activation == StateActivation::Tanh
            && self.gate_activation == GateActivation::Sigmoid
            && (self.cell == Cell::Lstm
                || self.reset_gate_mode == ResetGateMode::AfterMultiplication)
    }
}

/// σg.
pub fn gate_activation(x: &Tensor, a: GateActivation) -> Tensor {
    match a {
        GateActivation::Sigmoid => x.sigmoid(),
        GateActivation::HardSigmoid => (x * 0.2 + 0.5).clamp(0.0, 1.0),
    }
}

/// σc.
pub fn state_activation(x: &Tensor, a: StateActivation) -> Tensor {
    match a {
        StateActivation::Tanh => x.tanh(),
        StateActivation::Softsign => x / (x.abs() + 1.0),
    }
}

/// `[B, T]` of 1.0 at real steps, 0.0 at padding.
pub fn step_mask(lengths: &Tensor, steps: i64, kind: Kind) -> Tensor {
    let t = Tensor::arange(steps, (Kind::Int64, lengths.device())).unsqueeze(0);
    t.lt_tensor(&lengths.unsqueeze(1)).to_kind(kind)
}

/// Reverses each sequence within its real length (padding stays at the end): `[B, T, C]`.
pub fn reverse_within_length(x: &Tensor, lengths: &Tensor) -> Tensor {
    let (b, t, c) = x.size3().unwrap_or((0, 0, 0));
    if t == 0 {
        return x.shallow_clone();
    }
    let steps = Tensor::arange(t, (Kind::Int64, x.device()))
        .unsqueeze(0)
        .expand([b, t], true);
    let len = lengths.unsqueeze(1);
    let rev = (&len - 1 - &steps).where_self(&steps.lt_tensor(&len), &steps);
    x.gather(1, &rev.unsqueeze(2).expand([b, t, c], true), false)
}

/// The input of a fused kernel: a right-padded batch as it is, or a packed sequence.
enum FusedInput<'a> {
    Padded(&'a Tensor),
    Packed {
        data: &'a Tensor,
        batch_sizes: &'a Tensor,
    },
}

/// One call of libtorch's fused LSTM or GRU op with ONE bias (libtorch's second bias held at
/// zero); returns the outputs and the final state.
fn fused_kernel(
    opts: &CellOptions,
    w: &DirectionWeights,
    input: FusedInput,
    h0: &Tensor,
    c0: Option<&Tensor>,
    train: bool,
) -> Result<(Tensor, DirectionState), tch::TchError> {
    let zero_bias = w.bias.zeros_like();
    let params = [w.input_weights, w.recurrent_weights, w.bias, &zero_bias];
    let h0 = h0.unsqueeze(0);
    match opts.cell {
        Cell::Lstm => {
            let c0 = c0.map_or_else(|| h0.zeros_like(), |c| c.unsqueeze(0));
            let hx = [&h0, &c0];
            let (out, hn, cn) = match input {
                FusedInput::Padded(x) => {
                    x.f_lstm(&hx, &params, true, 1, 0.0, train, false, true)?
                }
                FusedInput::Packed { data, batch_sizes } => Tensor::f_lstm_data(
                    data,
                    batch_sizes,
                    &hx,
                    &params,
                    true,
                    1,
                    0.0,
                    train,
                    false,
                )?,
            };
            Ok((
                out,
                DirectionState {
                    hidden: hn.squeeze_dim(0),
                    cell: Some(cn.squeeze_dim(0)),
                },
            ))
        }
        Cell::Gru => {
            let (out, hn) = match input {
                FusedInput::Padded(x) => x.f_gru(&h0, &params, true, 1, 0.0, train, false, true)?,
                FusedInput::Packed { data, batch_sizes } => {
                    Tensor::f_gru_data(data, batch_sizes, &h0, &params, true, 1, 0.0, train, false)?
                }
            };
            Ok((
                out,
                DirectionState {
                    hidden: hn.squeeze_dim(0),
                    cell: None,
                },
            ))
        }
    }
}

/// Runs one direction with the fused packed-sequence op. `x` right-padded `[B, T, C]`,
/// `lengths` `[B]` int64 on the CPU (any order). Returns outputs `[B, T, H]` (zeros at padding)
/// and the state at each sequence's last real step.
pub fn fused_direction(
    opts: &CellOptions,
    w: &DirectionWeights,
    x: &Tensor,
    lengths_cpu: &Tensor,
    init: &DirectionState,
    train: bool,
) -> Result<(Tensor, DirectionState), tch::TchError> {
    let steps = x.size()[1];
    let (sorted_len, perm_cpu) = lengths_cpu.f_sort(0, true)?;
    let perm = perm_cpu.to_device(x.device());
    let inv = perm.argsort(0, false);
    let xs = x.f_index_select(0, &perm)?;
    let (data, batch_sizes) = xs.f_internal_pack_padded_sequence(&sorted_len, true)?;
    let h0 = init.hidden.f_index_select(0, &perm)?;
    let c0 = match &init.cell {
        Some(c) => Some(c.f_index_select(0, &perm)?),
        None => None,
    };
    let input = FusedInput::Packed {
        data: &data,
        batch_sizes: &batch_sizes,
    };
    let (out, state) = fused_kernel(opts, w, input, &h0, c0.as_ref(), train)?;
    let (padded, _) = Tensor::f_internal_pad_packed_sequence(&out, &batch_sizes, true, 0.0, steps)?;
    let state = DirectionState {
        hidden: state.hidden.f_index_select(0, &inv)?,
        cell: match state.cell {
            Some(c) => Some(c.f_index_select(0, &inv)?),
            None => None,
        },
    };
    Ok((padded.f_index_select(0, &inv)?, state))
}

/// Runs one direction with the fused op over the right-padded batch as it is (oneDNN's LSTM on
/// the CPU, cuDNN on CUDA). Outputs at real steps are exact — padding only follows them — but
/// the returned state is the one after the LAST PADDED step, so callers use it only when every
/// length equals the padded length.
pub fn padded_direction(
    opts: &CellOptions,
    w: &DirectionWeights,
    x: &Tensor,
    init: &DirectionState,
    train: bool,
) -> Result<(Tensor, DirectionState), tch::TchError> {
    fused_kernel(
        opts,
        w,
        FusedInput::Padded(x),
        &init.hidden,
        init.cell.as_ref(),
        train,
    )
}

/// Runs one direction one time step at a time. Same contract as [`fused_direction`]; with
/// `record`, also returns every gate and state per step.
pub fn step_direction(
    opts: &CellOptions,
    w: &DirectionWeights,
    x: &Tensor,
    lengths: &Tensor,
    init: &DirectionState,
    record: bool,
) -> (Tensor, DirectionState, Option<Recording>) {
    let steps = x.size()[1];
    let hidden_units = w.recurrent_weights.size()[1];
    let mask = step_mask(lengths, steps, x.kind());
    // x·Wᵀ + b for all steps at once: [B, T, G·H]
    let xw = x.matmul(&w.input_weights.tr()) + w.bias;
    let rt = w.recurrent_weights.tr();
    let mut h = init.hidden.shallow_clone();
    let mut c = match (&init.cell, opts.cell) {
        (Some(c), _) => c.shallow_clone(),
        (None, _) => h.zeros_like(),
    };
    let mut outs = Vec::with_capacity(steps as usize);
    let mut rec_gates: Vec<Vec<Tensor>> = (0..opts.cell.gates()).map(|_| Vec::new()).collect();
    let mut rec_c = Vec::new();
    for t in 0..steps {
        let m = mask.select(1, t).unsqueeze(1);
        let xt = xw.select(1, t);
        let (h_new, c_new, gates) = match opts.cell {
            Cell::Lstm => {
                let z = &xt + h.matmul(&rt);
                let parts = z.chunk(4, 1);
                let i = gate_activation(&parts[0], opts.gate_activation);
                let f = gate_activation(&parts[1], opts.gate_activation);
                let g = state_activation(&parts[2], opts.state_activation);
                let o = gate_activation(&parts[3], opts.gate_activation);
                let c_new = &f * &c + &i * &g;
                let h_new = &o * state_activation(&c_new, opts.state_activation);
                (h_new, c_new, vec![i, f, g, o])
            }
            Cell::Gru => {
                let xp = xt.chunk(3, 1);
                let rw = w.recurrent_weights.chunk(3, 0);
                let r = gate_activation(&(&xp[0] + h.matmul(&rw[0].tr())), opts.gate_activation);
                let zg = gate_activation(&(&xp[1] + h.matmul(&rw[1].tr())), opts.gate_activation);
                let rec = match opts.reset_gate_mode {
                    ResetGateMode::AfterMultiplication => &r * h.matmul(&rw[2].tr()),
                    ResetGateMode::BeforeMultiplication => (&r * &h).matmul(&rw[2].tr()),
                };
                let n = state_activation(&(&xp[2] + rec), opts.state_activation);
                let h_new = (-&zg + 1.0) * &n + &zg * &h;
                (h_new, c.shallow_clone(), vec![r, zg, n])
            }
        };
        // Padding never moves the state: keep the last real step's values.
        h = &h_new * &m + &h * (-&m + 1.0);
        c = &c_new * &m + &c * (-&m + 1.0);
        if record {
            for (k, g) in gates.into_iter().enumerate() {
                rec_gates[k].push(g * &m);
            }
            rec_c.push(&c_new * &m);
        }
        outs.push(h_new * &m);
    }
    let out = if outs.is_empty() {
        x.new_zeros([x.size()[0], 0, hidden_units], (x.kind(), x.device()))
    } else {
        Tensor::stack(&outs, 1)
    };
    let recording = record.then(|| Recording {
        gates: rec_gates
            .iter()
            .map(|g| {
                if g.is_empty() {
                    out.zeros_like()
                } else {
                    Tensor::stack(g, 1)
                }
            })
            .collect(),
        hidden: out.shallow_clone(),
        cell: (opts.cell == Cell::Lstm).then(|| {
            if rec_c.is_empty() {
                out.zeros_like()
            } else {
                Tensor::stack(&rec_c, 1)
            }
        }),
    });
    let state = DirectionState {
        hidden: h,
        cell: (opts.cell == Cell::Lstm).then_some(c),
    };
    (out, state, recording)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reversal_keeps_padding_in_place() {
        let x = Tensor::from_slice(&[1f32, 2., 3., 0., 5., 6., 7., 8.]).view([2, 4, 1]);
        let len = Tensor::from_slice(&[3i64, 4]);
        let r = reverse_within_length(&x, &len);
        let v: Vec<f32> = Vec::try_from(r.flatten(0, -1)).unwrap();
        assert_eq!(v, [3., 2., 1., 0., 8., 7., 6., 5.]);
    }

    #[test]
    fn hard_sigmoid_is_matlabs_not_pytorchs() {
        let x = Tensor::from_slice(&[-3f64, -2.5, 0.0, 1.0, 2.5, 3.0]);
        let y: Vec<f64> = Vec::try_from(gate_activation(&x, GateActivation::HardSigmoid)).unwrap();
        assert_eq!(y, [0.0, 0.0, 0.5, 0.7, 1.0, 1.0]);
        let s: Vec<f64> = Vec::try_from(state_activation(&x, StateActivation::Softsign)).unwrap();
        assert!((s[3] - 0.5).abs() < 1e-12);
    }
}
