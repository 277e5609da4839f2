//! The LSTM (and BiLSTM, GRU) against a float64 implementation of the reference's equations,
//! written here from the equations: every activation combination × both output modes ×
//! nonzero initial states × sequences of different lengths in one batch.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use lstm_studio::engine::Network;
use lstm_studio::spec::{
    GateActivation, LayerKind, LayerSpec, OutputMode, RecurrentSpec, SequenceInputSpec,
    StateActivation,
};
use tch::{Device, Kind, Tensor};

const C: usize = 3;
const H: usize = 4;

fn sig(x: f64, a: GateActivation) -> f64 {
    match a {
        GateActivation::Sigmoid => 1.0 / (1.0 + (-x).exp()),
        GateActivation::HardSigmoid => (0.2 * x + 0.5).clamp(0.0, 1.0),
    }
}

fn act(x: f64, a: StateActivation) -> f64 {
    match a {
        StateActivation::Tanh => x.tanh(),
        StateActivation::Softsign => x / (1.0 + x.abs()),
    }
}

/// The documented equations, one time step at a time, in f64. `w` is [4H, C] row-major, `r`
/// [4H, H], gates i, f, g, o. Returns h_1..h_T.
#[allow(clippy::too_many_arguments)]
fn reference_lstm(
    x: &[Vec<f64>],
    w: &[f64],
    r: &[f64],
    b: &[f64],
    h0: &[f64],
    c0: &[f64],
    sa: StateActivation,
    ga: GateActivation,
) -> Vec<Vec<f64>> {
    let h_units = h0.len();
    let c_in = x.first().map(Vec::len).unwrap_or(0);
    let mut h = h0.to_vec();
    let mut c = c0.to_vec();
    let mut out = Vec::new();
    for xt in x {
        let mut z = vec![0.0; 4 * h_units];
        for row in 0..4 * h_units {
            let mut s = b[row];
            for k in 0..c_in {
                s += w[row * c_in + k] * xt[k];
            }
            for k in 0..h_units {
                s += r[row * h_units + k] * h[k];
            }
            z[row] = s;
        }
        for u in 0..h_units {
            let i = sig(z[u], ga);
            let f = sig(z[h_units + u], ga);
            let g = act(z[2 * h_units + u], sa);
            let o = sig(z[3 * h_units + u], ga);
            c[u] = f * c[u] + i * g;
            h[u] = o * act(c[u], sa);
        }
        out.push(h.clone());
    }
    out
}

/// The GRU equations (MATLAB's, reset gate after the multiplication, one bias).
fn reference_gru(x: &[Vec<f64>], w: &[f64], r: &[f64], b: &[f64], h0: &[f64]) -> Vec<Vec<f64>> {
    let hu = h0.len();
    let c_in = x.first().map(Vec::len).unwrap_or(0);
    let mut h = h0.to_vec();
    let mut out = Vec::new();
    let lin = |m: &[f64], v: &[f64], row: usize, n: usize| {
        (0..n).map(|k| m[row * n + k] * v[k]).sum::<f64>()
    };
    for xt in x {
        let mut new_h = vec![0.0; hu];
        for u in 0..hu {
            let rg = sig(
                lin(w, xt, u, c_in) + lin(r, &h, u, hu) + b[u],
                GateActivation::Sigmoid,
            );
            let z = sig(
                lin(w, xt, hu + u, c_in) + lin(r, &h, hu + u, hu) + b[hu + u],
                GateActivation::Sigmoid,
            );
            let n =
                (lin(w, xt, 2 * hu + u, c_in) + b[2 * hu + u] + rg * lin(r, &h, 2 * hu + u, hu))
                    .tanh();
            new_h[u] = (1.0 - z) * n + z * h[u];
        }
        h = new_h;
        out.push(h.clone());
    }
    out
}

fn tensor_named(net: &Network, name: &str) -> Vec<f64> {
    let t = net
        .named_tensors()
        .into_iter()
        .find(|(n, _)| n == name)
        .map(|(_, t)| t)
        .unwrap();
    Vec::<f64>::try_from(t.detach().to_kind(Kind::Double).flatten(0, -1)).unwrap()
}

fn sequences() -> Vec<Vec<Vec<f64>>> {
    // Three sequences of lengths 5, 2 and 7 with deterministic values.
    [5usize, 2, 7]
        .iter()
        .enumerate()
        .map(|(s, &len)| {
            (0..len)
                .map(|t| {
                    (0..C)
                        .map(|c| ((s * 31 + t * 7 + c * 3) as f64 * 0.37).sin() * 1.5)
                        .collect()
                })
                .collect()
        })
        .collect()
}

fn batch(seqs: &[Vec<Vec<f64>>]) -> (Tensor, Vec<i64>) {
    let t = seqs.iter().map(Vec::len).max().unwrap();
    let mut v = vec![0f64; seqs.len() * t * C];
    for (b, s) in seqs.iter().enumerate() {
        for (step, xt) in s.iter().enumerate() {
            for c in 0..C {
                v[(b * t + step) * C + c] = xt[c];
            }
        }
    }
    (
        Tensor::from_slice(&v).view([seqs.len() as i64, t as i64, C as i64]),
        seqs.iter().map(|s| s.len() as i64).collect(),
    )
}

fn network(kind: LayerKind, kind_f: Kind) -> Network {
    let layers = vec![
        LayerSpec::new(LayerKind::SequenceInput(SequenceInputSpec {
            input_size: C,
            ..Default::default()
        })),
        LayerSpec::new(kind),
        LayerSpec::new(LayerKind::Regression),
    ];
    let net = Network::build_seeded(&layers, Device::Cpu, kind_f, 7).unwrap();
    // Give the bias some spread so every gate matters.
    for l in net.learnables() {
        if l.name.ends_with("/Bias") {
            tch::no_grad(|| {
                let mut t = l.tensor.shallow_clone();
                let n = t.size()[0];
                t.copy_(&(Tensor::arange(n, (kind_f, Device::Cpu)) * 0.13).sin());
            });
        }
    }
    net
}

fn max_rel_err(a: &[f64], b: &[f64]) -> f64 {
    let scale = b.iter().fold(0f64, |m, v| m.max(v.abs())).max(1e-12);
    a.iter().zip(b).fold(0f64, |m, (x, y)| m.max((x - y).abs())) / scale
}

fn lstm_spec(
    mode: OutputMode,
    sa: StateActivation,
    ga: GateActivation,
    directions: usize,
) -> RecurrentSpec {
    RecurrentSpec {
        output_mode: mode,
        state_activation: sa,
        gate_activation: ga,
        hidden_state: Some(
            (0..H * directions)
                .map(|u| 0.3 * (u as f64 + 1.0).cos())
                .collect(),
        ),
        cell_state: Some(
            (0..H * directions)
                .map(|u| -0.2 * (u as f64 + 2.0).sin())
                .collect(),
        ),
        ..RecurrentSpec::with_hidden_units(H)
    }
}

#[test]
fn lstm_matches_the_float64_equations_for_every_activation_and_mode() {
    let seqs = sequences();
    for sa in [StateActivation::Tanh, StateActivation::Softsign] {
        for ga in [GateActivation::Sigmoid, GateActivation::HardSigmoid] {
            for mode in [OutputMode::Sequence, OutputMode::Last] {
                for kind in [Kind::Float, Kind::Double] {
                    let net = network(LayerKind::Lstm(lstm_spec(mode, sa, ga, 1)), kind);
                    let (w, r, b) = (
                        tensor_named(&net, "lstm/InputWeights"),
                        tensor_named(&net, "lstm/RecurrentWeights"),
                        tensor_named(&net, "lstm/Bias"),
                    );
                    let (h0, c0) = (
                        tensor_named(&net, "lstm/HiddenState"),
                        tensor_named(&net, "lstm/CellState"),
                    );
                    let (x, lengths) = batch(&seqs);
                    let out = tch::no_grad(|| net.forward(&x, &lengths, false, None, None))
                        .unwrap()
                        .scores;
                    let out = out.to_kind(Kind::Double);
                    for (bi, s) in seqs.iter().enumerate() {
                        let want = reference_lstm(s, &w, &r, &b, &h0, &c0, sa, ga);
                        let got: Vec<f64> = match mode {
                            OutputMode::Sequence => Vec::try_from(
                                out.get(bi as i64)
                                    .narrow(0, 0, s.len() as i64)
                                    .flatten(0, -1),
                            )
                            .unwrap(),
                            OutputMode::Last => Vec::try_from(out.get(bi as i64)).unwrap(),
                        };
                        let want: Vec<f64> = match mode {
                            OutputMode::Sequence => want.concat(),
                            OutputMode::Last => want.last().unwrap().clone(),
                        };
                        let e = max_rel_err(&got, &want);
                        assert!(
                            e < 1e-5,
                            "{sa:?} {ga:?} {mode:?} {kind:?} sequence {bi}: relative error {e}"
                        );
                    }
                }
            }
        }
    }
}

#[test]
fn bilstm_runs_the_backward_direction_over_real_steps_only() {
    let seqs = sequences();
    for (sa, ga) in [
        (StateActivation::Tanh, GateActivation::Sigmoid),
        (StateActivation::Softsign, GateActivation::HardSigmoid),
    ] {
        let net = network(
            LayerKind::Bilstm(lstm_spec(OutputMode::Sequence, sa, ga, 2)),
            Kind::Double,
        );
        let (w, r, b) = (
            tensor_named(&net, "bilstm/InputWeights"),
            tensor_named(&net, "bilstm/RecurrentWeights"),
            tensor_named(&net, "bilstm/Bias"),
        );
        let (h0, c0) = (
            tensor_named(&net, "bilstm/HiddenState"),
            tensor_named(&net, "bilstm/CellState"),
        );
        let (x, lengths) = batch(&seqs);
        let out = tch::no_grad(|| net.forward(&x, &lengths, false, None, None))
            .unwrap()
            .scores;
        let half = |v: &[f64], d: usize, n: usize| v[d * n..(d + 1) * n].to_vec();
        for (bi, s) in seqs.iter().enumerate() {
            let fwd = reference_lstm(
                s,
                &half(&w, 0, 4 * H * C),
                &half(&r, 0, 4 * H * H),
                &half(&b, 0, 4 * H),
                &h0[..H],
                &c0[..H],
                sa,
                ga,
            );
            let rev: Vec<Vec<f64>> = s.iter().rev().cloned().collect();
            let mut bwd = reference_lstm(
                &rev,
                &half(&w, 1, 4 * H * C),
                &half(&r, 1, 4 * H * H),
                &half(&b, 1, 4 * H),
                &h0[H..],
                &c0[H..],
                sa,
                ga,
            );
            bwd.reverse();
            let want: Vec<f64> = fwd
                .iter()
                .zip(&bwd)
                .flat_map(|(f, b)| f.iter().chain(b).copied())
                .collect();
            let got: Vec<f64> = Vec::try_from(
                out.get(bi as i64)
                    .narrow(0, 0, s.len() as i64)
                    .flatten(0, -1),
            )
            .unwrap();
            let e = max_rel_err(&got, &want);
            assert!(e < 1e-5, "{sa:?} {ga:?} sequence {bi}: relative error {e}");
        }
    }
}

#[test]
fn gru_matches_the_float64_equations() {
    let seqs = sequences();
    let spec = RecurrentSpec {
        hidden_state: Some((0..H).map(|u| 0.25 * (u as f64).cos()).collect()),
        bias_initializer: lstm_studio::spec::BiasInitializer::Zeros,
        ..RecurrentSpec::with_hidden_units(H)
    };
    for force_step in [false, true] {
        let mut net = network(LayerKind::Gru(spec.clone()), Kind::Double);
        net.force_step_loop = force_step;
        let (w, r, b, h0) = (
            tensor_named(&net, "gru/InputWeights"),
            tensor_named(&net, "gru/RecurrentWeights"),
            tensor_named(&net, "gru/Bias"),
            tensor_named(&net, "gru/HiddenState"),
        );
        let (x, lengths) = batch(&seqs);
        let out = tch::no_grad(|| net.forward(&x, &lengths, false, None, None))
            .unwrap()
            .scores;
        for (bi, s) in seqs.iter().enumerate() {
            let want = reference_gru(s, &w, &r, &b, &h0).concat();
            let got: Vec<f64> = Vec::try_from(
                out.get(bi as i64)
                    .narrow(0, 0, s.len() as i64)
                    .flatten(0, -1),
            )
            .unwrap();
            let e = max_rel_err(&got, &want);
            assert!(
                e < 1e-5,
                "step loop {force_step}, sequence {bi}: relative error {e}"
            );
        }
    }
}

#[test]
fn a_batch_gives_what_each_sequence_gives_alone() {
    let seqs = sequences();
    for mode in [OutputMode::Sequence, OutputMode::Last] {
        for kind in [
            LayerKind::Lstm(lstm_spec(
                mode,
                StateActivation::Tanh,
                GateActivation::Sigmoid,
                1,
            )),
            LayerKind::Bilstm(lstm_spec(
                mode,
                StateActivation::Tanh,
                GateActivation::Sigmoid,
                2,
            )),
        ] {
            let net = network(kind, Kind::Double);
            let (x, lengths) = batch(&seqs);
            let all = tch::no_grad(|| net.forward(&x, &lengths, false, None, None))
                .unwrap()
                .scores;
            for (bi, s) in seqs.iter().enumerate() {
                let (xi, li) = batch(std::slice::from_ref(s));
                let alone = tch::no_grad(|| net.forward(&xi, &li, false, None, None))
                    .unwrap()
                    .scores
                    .get(0);
                let in_batch = match mode {
                    OutputMode::Sequence => all.get(bi as i64).narrow(0, 0, s.len() as i64),
                    OutputMode::Last => all.get(bi as i64),
                };
                let d = (alone - in_batch).abs().max().double_value(&[]);
                assert!(
                    d < 1e-12,
                    "{mode:?} sequence {bi}: padding changed the output by {d}"
                );
            }
        }
    }
}

#[test]
fn fused_and_step_loop_paths_agree_in_outputs_and_gradients() {
    let seqs = sequences();
    for mode in [OutputMode::Sequence, OutputMode::Last] {
        let mut net = network(
            LayerKind::Lstm(lstm_spec(
                mode,
                StateActivation::Tanh,
                GateActivation::Sigmoid,
                1,
            )),
            Kind::Double,
        );
        let (x, lengths) = batch(&seqs);
        let mut results = Vec::new();
        for force in [false, true] {
            net.force_step_loop = force;
            let out = net.forward(&x, &lengths, true, None, None).unwrap().scores;
            let loss =
                (&out * (out.ones_like() * 0.7).cumsum(-1, Kind::Double).sin()).sum(Kind::Double);
            for l in net.learnables() {
                let mut g = l.tensor.grad();
                if g.defined() {
                    let _ = g.zero_();
                }
            }
            loss.backward();
            let grads: Vec<Tensor> = net
                .learnables()
                .iter()
                .map(|l| l.tensor.grad().copy())
                .collect();
            results.push((out.detach(), grads));
        }
        let d = (&results[0].0 - &results[1].0)
            .abs()
            .max()
            .double_value(&[]);
        assert!(d < 1e-12, "{mode:?}: outputs differ by {d}");
        for (a, b) in results[0].1.iter().zip(&results[1].1) {
            let d = (a - b).abs().max().double_value(&[]);
            assert!(d < 1e-10, "{mode:?}: gradients differ by {d}");
        }
    }
}

#[test]
fn step_loop_gradients_pass_a_finite_difference_check() {
    let seqs = sequences();
    for (sa, ga) in [
        (StateActivation::Softsign, GateActivation::HardSigmoid),
        (StateActivation::Tanh, GateActivation::HardSigmoid),
        (StateActivation::Softsign, GateActivation::Sigmoid),
    ] {
        let net = network(
            LayerKind::Lstm(lstm_spec(OutputMode::Last, sa, ga, 1)),
            Kind::Double,
        );
        let (x, lengths) = batch(&seqs);
        let loss_of = |net: &Network| {
            let out = net.forward(&x, &lengths, true, None, None).unwrap().scores;
            (&out * (out.ones_like() * 0.9).cumsum(-1, Kind::Double).cos()).sum(Kind::Double)
        };
        let loss = loss_of(&net);
        loss.backward();
        for l in net.learnables() {
            let grad = l.tensor.grad().copy();
            let flat = l.tensor.numel();
            for idx in [0usize, flat / 3, flat / 2, flat - 1] {
                let eps = 1e-6;
                let p = l.tensor.shallow_clone();
                let pf = || p.view([-1]).get(idx as i64).double_value(&[]);
                let orig = pf();
                tch::no_grad(|| {
                    let _ = p.view([-1]).get(idx as i64).fill_(orig + eps);
                });
                let up = tch::no_grad(|| loss_of(&net)).double_value(&[]);
                tch::no_grad(|| {
                    let _ = p.view([-1]).get(idx as i64).fill_(orig - eps);
                });
                let down = tch::no_grad(|| loss_of(&net)).double_value(&[]);
                tch::no_grad(|| {
                    let _ = p.view([-1]).get(idx as i64).fill_(orig);
                });
                let numeric = (up - down) / (2.0 * eps);
                let analytic = grad.view([-1]).get(idx as i64).double_value(&[]);
                let tol = 1e-6 * (1.0 + numeric.abs());
                assert!(
                    (numeric - analytic).abs() < tol,
                    "{sa:?} {ga:?} {} [{idx}]: analytic {analytic} vs numeric {numeric}",
                    l.name
                );
            }
        }
    }
}

#[test]
fn the_padded_fast_path_gives_the_same_scores_and_gradients() {
    let seqs = sequences();
    for mode in [OutputMode::Sequence, OutputMode::Last] {
        for kind in [
            LayerKind::Lstm(lstm_spec(
                mode,
                StateActivation::Tanh,
                GateActivation::Sigmoid,
                1,
            )),
            LayerKind::Bilstm(lstm_spec(
                mode,
                StateActivation::Tanh,
                GateActivation::Sigmoid,
                2,
            )),
            LayerKind::Gru(RecurrentSpec {
                output_mode: mode,
                bias_initializer: lstm_studio::spec::BiasInitializer::Zeros,
                ..RecurrentSpec::with_hidden_units(H)
            }),
        ] {
            let net = network(kind, Kind::Float);
            let (x, lengths) = batch(&seqs);
            let x = x.to_kind(Kind::Float);
            let mut results = Vec::new();
            for fast in [false, true] {
                for l in net.learnables() {
                    let mut g = l.tensor.grad();
                    if g.defined() {
                        let _ = g.zero_();
                    }
                }
                let out = if fast {
                    net.forward_scores(&x, &lengths, true, None).unwrap()
                } else {
                    net.forward(&x, &lengths, true, None, None).unwrap().scores
                };
                // Only real steps count, as in training.
                let t = out.size()[1];
                let mask = if mode == OutputMode::Sequence {
                    Tensor::arange(t, (Kind::Int64, Device::Cpu))
                        .unsqueeze(0)
                        .lt_tensor(&Tensor::from_slice(&lengths).unsqueeze(1))
                        .unsqueeze(2)
                        .to_kind(Kind::Float)
                } else {
                    out.ones_like()
                };
                let loss = (&out * &mask * (out.ones_like() * 0.3).cumsum(-1, Kind::Float).sin())
                    .sum(Kind::Float);
                loss.backward();
                let grads: Vec<Tensor> = net
                    .learnables()
                    .iter()
                    .map(|l| l.tensor.grad().copy())
                    .collect();
                results.push(((out * mask).detach(), grads));
            }
            let d = (&results[0].0 - &results[1].0)
                .abs()
                .max()
                .double_value(&[]);
            assert!(d < 1e-5, "{mode:?}: scores differ by {d}");
            for (a, b) in results[0].1.iter().zip(&results[1].1) {
                let d = (a - b).abs().max().double_value(&[]);
                assert!(d < 1e-4, "{mode:?}: gradients differ by {d}");
            }
        }
    }
}
