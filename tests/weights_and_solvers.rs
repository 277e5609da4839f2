//! Weight files (safetensors with MATLAB names and shapes) and the solvers' per-gate factors.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use lstm_studio::data::{Sequence, SequenceDataset, Targets};
use lstm_studio::engine::train::{TrainingRequest, train};
use lstm_studio::engine::{Network, Silent};
use lstm_studio::spec::{
    ExecutionEnvironment, GateFactor, LayerKind, LayerSpec, Project, Shuffle, Solver,
    TrainingOptions, canonical_network,
};
use tch::{Device, Kind, Tensor};

fn tensor(net: &Network, name: &str) -> Tensor {
    net.named_tensors()
        .into_iter()
        .find(|(n, _)| n == name)
        .map(|(_, t)| t.detach().copy())
        .unwrap()
}

#[test]
fn weight_file_round_trips_with_matlab_names_and_shapes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("w.safetensors");
    let net = Network::build_seeded(&canonical_network(), Device::Cpu, Kind::Float, 1).unwrap();
    net.save_weights(&path).unwrap();
    let read = Tensor::read_safetensors(&path).unwrap();
    let shapes: std::collections::HashMap<String, Vec<i64>> =
        read.iter().map(|(n, t)| (n.clone(), t.size())).collect();
    assert_eq!(shapes["lstm/InputWeights"], [400, 12]);
    assert_eq!(shapes["lstm/RecurrentWeights"], [400, 100]);
    assert_eq!(shapes["lstm/Bias"], [400]);
    assert_eq!(shapes["lstm/HiddenState"], [100]);
    assert_eq!(shapes["lstm/CellState"], [100]);
    assert_eq!(shapes["fc/Weights"], [9, 100]);
    assert_eq!(shapes["fc/Bias"], [9]);
    let mut other =
        Network::build_seeded(&canonical_network(), Device::Cpu, Kind::Float, 2).unwrap();
    assert!(!tensor(&other, "lstm/InputWeights").equal(&tensor(&net, "lstm/InputWeights")));
    other.load_weights(&path).unwrap();
    for (n, t) in net.named_tensors() {
        assert!(
            tensor(&other, &n).equal(&t.detach()),
            "{n} differs after loading"
        );
    }
}

#[test]
fn a_wrong_shape_is_refused_with_the_name_and_both_shapes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("w.safetensors");
    let mut layers = canonical_network();
    if let LayerKind::SequenceInput(s) = &mut layers[0].kind {
        s.input_size = 10;
    }
    let small = Network::build(&layers, Device::Cpu, Kind::Float).unwrap();
    small.save_weights(&path).unwrap();
    let mut net = Network::build(&canonical_network(), Device::Cpu, Kind::Float).unwrap();
    let e = net.load_weights(&path).unwrap_err().to_string();
    assert!(e.contains("lstm/InputWeights"), "{e}");
    assert!(e.contains("[400, 12]") && e.contains("[400, 10]"), "{e}");
}

#[test]
fn pickled_files_are_never_read() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("w.pt");
    std::fs::write(&path, b"not read").unwrap();
    let mut net = Network::build(&canonical_network(), Device::Cpu, Kind::Float).unwrap();
    let e = net.load_weights(&path).unwrap_err().to_string();
    assert!(e.contains("only .safetensors"), "{e}");
}

/// A small two-class problem: class 1 sequences drift up, class 0 down.
fn toy_data(n: usize, features: usize) -> SequenceDataset {
    let mut sequences = Vec::new();
    let mut labels = Vec::new();
    for i in 0..n {
        let steps = 4 + i % 5;
        let class = i % 2;
        let sign = if class == 1 { 1.0 } else { -1.0 };
        let values = (0..steps * features)
            .map(|k| sign * (k as f32 * 0.1) + ((i * 7 + k) as f32).sin() * 0.3)
            .collect();
        sequences.push(Sequence { steps, values });
        labels.push(class);
    }
    SequenceDataset {
        name: "toy".into(),
        num_features: features,
        feature_names: (1..=features).map(|f| format!("x{f}")).collect(),
        sequences,
        targets: Targets::Labels {
            class_names: vec!["down".into(), "up".into()],
            labels,
        },
    }
}

fn toy_layers(h: usize, classes: usize) -> Vec<LayerSpec> {
    let mut layers = canonical_network();
    if let LayerKind::SequenceInput(s) = &mut layers[0].kind {
        s.input_size = 3;
    }
    layers[1].recurrent_mut().unwrap().num_hidden_units = h;
    if let LayerKind::FullyConnected(f) = &mut layers[2].kind {
        f.output_size = classes;
    }
    layers
}

fn options(solver: Solver, epochs: usize) -> TrainingOptions {
    TrainingOptions {
        max_epochs: epochs,
        mini_batch_size: 8,
        shuffle: Shuffle::Never,
        execution_environment: ExecutionEnvironment::Cpu,
        seed: 3,
        ..TrainingOptions::for_solver(solver)
    }
}

fn run(layers: Vec<LayerSpec>, o: TrainingOptions) -> (Network, Network) {
    let before = Network::build_seeded(&layers, Device::Cpu, Kind::Float, o.seed).unwrap();
    let req = TrainingRequest {
        layers,
        options: o,
        train: toy_data(16, 3),
        validation: None,
        test: None,
        init_from: None,
        resume_from: None,
    };
    let out = train(&req, &mut Silent).unwrap();
    (before, out.network)
}

fn row_block_change(before: &Network, after: &Network, name: &str, h: i64) -> Vec<f64> {
    let d = tensor(after, name) - tensor(before, name);
    (0..4)
        .map(|g| d.narrow(0, g * h, h).abs().max().double_value(&[]))
        .collect()
}

#[test]
fn a_zero_learn_rate_factor_freezes_exactly_that_gate_for_every_solver() {
    let h = 5;
    for solver in [Solver::Adam, Solver::Sgdm, Solver::Rmsprop] {
        let mut layers = toy_layers(h, 2);
        let r = layers[1].recurrent_mut().unwrap();
        r.input_weights_learn_rate_factor = GateFactor(vec![1.0, 0.0, 1.0, 1.0]);
        r.recurrent_weights_learn_rate_factor = GateFactor(vec![1.0, 1.0, 0.0, 1.0]);
        r.bias_learn_rate_factor = GateFactor(vec![0.0, 1.0, 1.0, 1.0]);
        let (before, after) = run(layers, options(solver, 3));
        let iw = row_block_change(&before, &after, "lstm/InputWeights", h as i64);
        let rw = row_block_change(&before, &after, "lstm/RecurrentWeights", h as i64);
        let b = row_block_change(&before, &after, "lstm/Bias", h as i64);
        assert_eq!(iw[1], 0.0, "{solver:?}: forget rows of InputWeights moved");
        assert!(
            iw[0] > 0.0 && iw[2] > 0.0 && iw[3] > 0.0,
            "{solver:?}: {iw:?}"
        );
        assert_eq!(
            rw[2], 0.0,
            "{solver:?}: cell candidate rows of RecurrentWeights moved"
        );
        assert!(
            rw[0] > 0.0 && rw[1] > 0.0 && rw[3] > 0.0,
            "{solver:?}: {rw:?}"
        );
        assert_eq!(b[0], 0.0, "{solver:?}: input gate bias moved");
        assert!(b[1] > 0.0 && b[2] > 0.0 && b[3] > 0.0, "{solver:?}: {b:?}");
    }
}

#[test]
fn an_l2_factor_changes_only_its_own_blocks_update() {
    let h = 5;
    for solver in [Solver::Adam, Solver::Sgdm, Solver::Rmsprop] {
        let mut results = Vec::new();
        for forget_l2 in [0.0, 50.0] {
            let mut layers = toy_layers(h, 2);
            let r = layers[1].recurrent_mut().unwrap();
            r.input_weights_l2_factor = GateFactor(vec![0.0, forget_l2, 0.0, 0.0]);
            let o = TrainingOptions {
                l2_regularization: 0.01,
                mini_batch_size: 16,
                ..options(solver, 1)
            };
            results.push(run(layers, o));
        }
        // One iteration (16 sequences, mini-batch 16) from the same start: only the forget
        // block of InputWeights may differ between the two runs.
        let a = tensor(&results[0].1, "lstm/InputWeights");
        let b = tensor(&results[1].1, "lstm/InputWeights");
        let d = (a - b).abs();
        let per_gate: Vec<f64> = (0..4)
            .map(|g| d.narrow(0, g * h as i64, h as i64).max().double_value(&[]))
            .collect();
        assert!(
            per_gate[1] > 0.0,
            "{solver:?}: the L2 factor had no effect: {per_gate:?}"
        );
        assert_eq!(
            [per_gate[0], per_gate[2], per_gate[3]],
            [0.0, 0.0, 0.0],
            "{solver:?}: {per_gate:?}"
        );
        for name in ["lstm/RecurrentWeights", "lstm/Bias", "fc/Weights"] {
            assert!(
                tensor(&results[0].1, name).equal(&tensor(&results[1].1, name)),
                "{solver:?}: {name} changed"
            );
        }
    }
}

#[test]
fn the_same_seed_gives_the_same_metrics() {
    let o = TrainingOptions {
        shuffle: Shuffle::EveryEpoch,
        ..options(Solver::Adam, 3)
    };
    let req = |o: TrainingOptions| TrainingRequest {
        layers: toy_layers(6, 2),
        options: o,
        train: toy_data(24, 3),
        validation: None,
        test: None,
        init_from: None,
        resume_from: None,
    };
    let a = train(&req(o.clone()), &mut Silent).unwrap();
    let b = train(&req(o.clone()), &mut Silent).unwrap();
    assert_eq!(
        a.history,
        b.history
            .iter()
            .map(|r| lstm_studio::engine::IterationRecord {
                elapsed_s: a.history[r.iteration - 1].elapsed_s,
                ..r.clone()
            })
            .collect::<Vec<_>>()
    );
    let c = train(&req(TrainingOptions { seed: 99, ..o }), &mut Silent).unwrap();
    assert_ne!(
        a.history.last().unwrap().train_loss,
        c.history.last().unwrap().train_loss
    );
}

#[test]
fn the_canonical_project_round_trips() {
    let p = Project::canonical();
    let text = p.to_ron().unwrap();
    assert_eq!(
        Project::from_ron(&text, std::path::Path::new("p.ron")).unwrap(),
        p
    );
}
