//! The PyTorch export against the studio: (1) the exported `torch.nn.Module`, given the studio
//! network's weights, computes the studio's outputs for every activation combination, both
//! output modes, nonzero initial states and sequences of different lengths in one batch (LSTM,
//! BiLSTM, GRU, dropout, fc, z-score input); (2) `torchrun --nproc_per_node=2` (gloo, loopback)
//! trains the canonical example and the studio evaluates the imported run directory with the
//! accuracy the run reported, then continues training from it; (3) the exported solver takes
//! the studio solver's steps (sgdm, adam, rmsprop; per-gate learn-rate and L2 factors; every
//! gradient threshold method).
//!
//! Both need the repository's Python (`.venv-python`, torch + numpy + safetensors); without it
//! they print why and pass.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use lstm_studio::data::NormalizationStats;
use lstm_studio::engine::{self, Network, run_dir};
use lstm_studio::project_data::embedded;
use lstm_studio::pytorch_export::export_pytorch;
use lstm_studio::spec::{
    FullyConnectedSpec, GateActivation, LayerKind, LayerSpec, OutputMode, Project, RecurrentSpec,
    ResetGateMode, SequenceInputSpec, StateActivation,
};
use tch::{Device, Kind, Tensor};

fn python() -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join(".venv-python");
    if p.exists() {
        Some(p)
    } else {
        eprintln!(
            "SKIPPED: {} is missing (run `make bootstrap`); the PyTorch export tests need it",
            p.display()
        );
        None
    }
}

const C: usize = 3;

fn states(n: usize, seed: u64) -> Vec<f64> {
    (0..n)
        .map(|k| ((k as f64 + 1.0) * 0.37 + seed as f64 * 0.11).sin() * 0.8)
        .collect()
}

fn recurrent(
    h: usize,
    mode: OutputMode,
    sa: StateActivation,
    ga: GateActivation,
    dirs: usize,
    seed: u64,
    cell: bool,
) -> RecurrentSpec {
    RecurrentSpec {
        output_mode: mode,
        state_activation: sa,
        gate_activation: ga,
        hidden_state: Some(states(dirs * h, seed)),
        cell_state: cell.then(|| states(dirs * h, seed + 7)),
        reset_gate_mode: if ga == GateActivation::HardSigmoid {
            ResetGateMode::BeforeMultiplication
        } else {
            ResetGateMode::AfterMultiplication
        },
        ..RecurrentSpec::with_hidden_units(h)
    }
}

/// sequenceinput(3, zscore) → lstm(5) → dropout → bilstm(4) → gru(3) → lstm(4, mode) → fc(3) →
/// softmax → classification, every recurrent layer with the given activations and nonzero
/// initial states.
fn network(sa: StateActivation, ga: GateActivation, mode: OutputMode) -> Vec<LayerSpec> {
    vec![
        LayerSpec::new(LayerKind::SequenceInput(SequenceInputSpec {
            input_size: C,
            normalization: lstm_studio::data::Normalization::ZScore,
            ..SequenceInputSpec::default()
        })),
        LayerSpec::new(LayerKind::Lstm(recurrent(
            5,
            OutputMode::Sequence,
            sa,
            ga,
            1,
            1,
            true,
        ))),
        LayerSpec::new(LayerKind::Dropout { probability: 0.3 }),
        LayerSpec::new(LayerKind::Bilstm(recurrent(
            4,
            OutputMode::Sequence,
            sa,
            ga,
            2,
            2,
            true,
        ))),
        LayerSpec::new(LayerKind::Gru(RecurrentSpec {
            bias_initializer: lstm_studio::spec::BiasInitializer::NarrowNormal,
            ..recurrent(3, OutputMode::Sequence, sa, ga, 1, 3, false)
        })),
        LayerSpec::new(LayerKind::Lstm(recurrent(4, mode, sa, ga, 1, 4, true))),
        LayerSpec::new(LayerKind::FullyConnected(FullyConnectedSpec {
            output_size: 3,
            ..FullyConnectedSpec::default()
        })),
        LayerSpec::new(LayerKind::Softmax),
        LayerSpec::new(LayerKind::Classification { classes: None }),
    ]
}

const FORWARD_SCRIPT: &str = r#"
import sys
import torch
from safetensors.torch import load_file, save_file
torch.set_num_threads(1)
for case in sys.argv[1:]:
    sys.path.insert(0, case)
    from lstm_studio_torch import StudioNetwork
    sys.path.pop(0)
    model = StudioNetwork.from_config(case + "/config.json")
    model.load_studio_weights(case + "/weights.safetensors")
    model.eval()
    inp = load_file(case + "/input.safetensors")
    out = {}
    with torch.no_grad():
        for fused in (True, False):
            model.set_fused(fused)
            out["fused" if fused else "step"] = model(inp["x"], inp["lengths"]).contiguous()
    save_file(out, case + "/output.safetensors")
print("ok")
"#;

#[test]
fn exported_module_computes_the_studio_outputs() {
    let Some(py) = python() else { return };
    let root = tempfile::tempdir().unwrap();
    let lengths = [6i64, 2, 4, 1];
    let (b, t) = (lengths.len() as i64, 6i64);
    let mut cases = Vec::new();
    let mut k = 0;
    for sa in [StateActivation::Tanh, StateActivation::Softsign] {
        for ga in [GateActivation::Sigmoid, GateActivation::HardSigmoid] {
            for mode in [OutputMode::Sequence, OutputMode::Last] {
                k += 1;
                let dir = root.path().join(format!("case{k}"));
                let layers = network(sa, ga, mode);
                let project = Project {
                    layers: layers.clone(),
                    ..Project::default()
                };
                export_pytorch(&project, &dir).unwrap();
                let mut net =
                    Network::build_seeded(&layers, Device::Cpu, Kind::Float, k as u64).unwrap();
                net.set_normalization_stats(NormalizationStats {
                    mean: vec![0.1, -0.2, 0.3],
                    std: vec![0.8, 1.5, 0.6],
                    min: vec![-2.0, -3.0, -1.0],
                    max: vec![2.0, 3.0, 1.0],
                });
                net.save_weights(&dir.join("weights.safetensors")).unwrap();
                // Scaled-up inputs so hard-sigmoid and softsign leave their linear parts; the
                // padding holds a large value that must change nothing.
                let x = Tensor::randn([b, t, C as i64], (Kind::Float, Device::Cpu)) * 2.5;
                let mask = Tensor::arange(t, (Kind::Int64, Device::Cpu))
                    .unsqueeze(0)
                    .lt_tensor(&Tensor::from_slice(&lengths).unsqueeze(1))
                    .unsqueeze(2);
                let x = x.where_self(&mask, &Tensor::from(7.5f32));
                Tensor::write_safetensors(
                    &[
                        ("x", x.shallow_clone()),
                        ("lengths", Tensor::from_slice(&lengths)),
                    ],
                    dir.join("input.safetensors"),
                )
                .unwrap();
                let scores =
                    tch::no_grad(|| net.forward_scores(&x, &lengths, false, None)).unwrap();
                cases.push((format!("{sa:?}/{ga:?}/{mode:?}"), dir, scores));
            }
        }
    }
    let started = Instant::now();
    let script = root.path().join("forward.py");
    std::fs::write(&script, FORWARD_SCRIPT).unwrap();
    let out = Command::new(&py)
        .arg(&script)
        .args(cases.iter().map(|c| &c.1))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "python failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    eprintln!(
        "python forward of {} cases: {:.1} s",
        cases.len(),
        started.elapsed().as_secs_f64()
    );
    let real = Some(
        Tensor::arange(t, (Kind::Int64, Device::Cpu))
            .unsqueeze(0)
            .lt_tensor(&Tensor::from_slice(&lengths).unsqueeze(1))
            .unsqueeze(2)
            .to_kind(Kind::Float),
    );
    let mut worst = 0.0f64;
    for (name, dir, scores) in &cases {
        let got: Vec<(String, Tensor)> =
            Tensor::read_safetensors(dir.join("output.safetensors")).unwrap();
        for (path, y) in got {
            assert_eq!(y.size(), scores.size(), "{name} ({path}): shape");
            // Per-step outputs are compared at real steps only: what a network leaves at
            // padding is not an output (the studio's fast path runs on over it).
            let diff = match &real {
                Some(m) if y.dim() == 3 => ((&y - scores) * m).abs().max().double_value(&[]),
                _ => (&y - scores).abs().max().double_value(&[]),
            };
            eprintln!("{name:<36} python {path:<5} vs studio: max |difference| {diff:.3e}");
            assert!(diff < 1e-5, "{name} ({path}): max difference {diff}");
            worst = worst.max(diff);
        }
        // 'last' must read each sequence's last real step, not zeros or padding.
        assert!(scores.abs().sum(Kind::Double).double_value(&[]) > 0.0);
    }
    eprintln!("largest difference over all cases and both Python paths: {worst:.3e}");
}

/// Waits for a child, killing it after `limit`.
fn wait_with_limit(mut child: std::process::Child, limit: Duration) -> std::process::Output {
    let start = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            return child.wait_with_output().unwrap();
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let out = child.wait_with_output().unwrap();
            panic!(
                "torchrun ran past {limit:?}:\n{}\n{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn torchrun_trains_the_canonical_example_and_the_studio_opens_the_run() {
    let Some(py) = python() else { return };
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("export");
    let mut project = Project::canonical();
    project.training.max_epochs = 4;
    export_pytorch(&project, &dir).unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let run = root.path().join("run");
    let started = Instant::now();
    let child = Command::new(&py)
        .args([
            "-m",
            "torch.distributed.run",
            "--nproc_per_node=2",
            "--master_addr",
            "127.0.0.1",
        ])
        .arg(format!("--master_port={port}"))
        .arg("train.py")
        .arg("--out")
        .arg(&run)
        .current_dir(&dir)
        .env("GLOO_SOCKET_IFNAME", "lo")
        .env("OMP_NUM_THREADS", "1")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let out = wait_with_limit(child, Duration::from_secs(240));
    let seconds = started.elapsed().as_secs_f64();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "torchrun failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    eprintln!("{stdout}");
    eprintln!("torchrun --nproc_per_node=2 (4 epochs, 40 iterations): {seconds:.1} s wall");

    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(run.join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["processes"], 2);
    assert_eq!(summary["iterations"], 40);
    let reported = summary["test_accuracy"].as_f64().unwrap();
    let metrics = std::fs::read_to_string(run.join("metrics.csv")).unwrap();
    assert_eq!(metrics.lines().count(), 41, "one row per iteration");
    assert!(run.join("confusion.csv").is_file());

    // The studio opens the run directory as a trained model.
    let loaded = run_dir::load_run(&run, Device::Cpu).unwrap();
    assert_eq!(loaded.classes.len(), 9);
    let mut test = embedded("japanese-vowels", true).unwrap();
    test.align_classes(&loaded.classes).unwrap();
    let ev = engine::evaluate(&loaded.network, &test, 128).unwrap();
    let evaluated = ev.accuracy.unwrap();
    eprintln!(
        "test accuracy: reported by the PyTorch run {reported:.6}, evaluated by the studio {evaluated:.6}"
    );
    assert!(
        (reported - evaluated).abs() <= 1e-6,
        "reported {reported}, studio {evaluated}"
    );
    assert!(
        evaluated > 0.5,
        "4 epochs should learn something: {evaluated}"
    );

    // ... and continues training from it (`lstm-studio train PROJECT --init-from RUN/weights.safetensors`).
    let req = engine::TrainingRequest {
        layers: project.layers.clone(),
        options: lstm_studio::spec::TrainingOptions {
            max_epochs: 1,
            ..project.training.clone()
        },
        train: embedded("japanese-vowels", false).unwrap(),
        validation: None,
        test: Some(test),
        init_from: Some(run.join("weights.safetensors")),
        resume_from: None,
    };
    let outcome = engine::train(&req, &mut engine::Silent).unwrap();
    let continued = outcome.test.unwrap().accuracy.unwrap();
    eprintln!("after one more studio epoch from the imported weights: {continued:.4}");
    assert!(continued > 0.5, "{continued}");
}

const SOLVER_SCRIPT: &str = r#"
import sys
import torch
import torch.nn.functional as F
from safetensors.torch import load_file, save_file
torch.set_num_threads(1)
for case in sys.argv[1:]:
    sys.path.insert(0, case)
    from lstm_studio_torch import StudioNetwork, StudioSolver, load_config
    sys.path.pop(0)
    cfg = load_config(case + "/config.json")
    model = StudioNetwork(cfg)
    model.load_studio_weights(case + "/before.safetensors")
    inp = load_file(case + "/input.safetensors")
    solver = StudioSolver(model.learnables(), cfg["training"])
    for _ in range(3):
        scores = model(inp["x"], inp["lengths"])
        loss = F.cross_entropy(scores, inp["y"], reduction="sum") / scores.shape[0]
        loss.backward()
        solver.step(float(cfg["training"]["InitialLearnRate"]))
    model.save_studio_weights(case + "/python_after.safetensors")
print("ok")
"#;

#[test]
fn exported_solver_takes_the_studio_solver_steps() {
    use lstm_studio::engine::batch::BatchTarget;
    use lstm_studio::engine::eval::loss_parts;
    use lstm_studio::engine::solver::SolverState;
    use lstm_studio::spec::{GateFactor, GradientThresholdMethod, Solver, TrainingOptions};
    let Some(py) = python() else { return };
    let root = tempfile::tempdir().unwrap();
    let lengths = [5i64, 3, 4, 2];
    let b = lengths.len() as i64;
    let mut cases = Vec::new();
    for (k, (solver, method)) in [
        (Solver::Sgdm, GradientThresholdMethod::L2norm),
        (Solver::Adam, GradientThresholdMethod::GlobalL2norm),
        (Solver::Rmsprop, GradientThresholdMethod::AbsoluteValue),
        (Solver::Adam, GradientThresholdMethod::L2norm),
    ]
    .into_iter()
    .enumerate()
    {
        let dir = root.path().join(format!("solver{k}"));
        let lstm = RecurrentSpec {
            output_mode: OutputMode::Last,
            input_weights_learn_rate_factor: GateFactor(vec![1.0, 0.0, 0.5, 2.0]),
            recurrent_weights_learn_rate_factor: GateFactor(vec![0.5, 1.0, 1.0, 0.0]),
            bias_learn_rate_factor: GateFactor(vec![2.0, 1.0, 0.0, 1.0]),
            input_weights_l2_factor: GateFactor(vec![1.0, 2.0, 0.0, 1.0]),
            recurrent_weights_l2_factor: GateFactor::scalar(3.0),
            bias_l2_factor: GateFactor(vec![0.0, 1.0, 0.0, 5.0]),
            ..RecurrentSpec::with_hidden_units(4)
        };
        let layers = vec![
            LayerSpec::new(LayerKind::SequenceInput(SequenceInputSpec {
                input_size: C,
                ..SequenceInputSpec::default()
            })),
            LayerSpec::new(LayerKind::Lstm(lstm)),
            LayerSpec::new(LayerKind::FullyConnected(FullyConnectedSpec {
                output_size: 3,
                weights_learn_rate_factor: 0.5,
                bias_l2_factor: 2.0,
                ..FullyConnectedSpec::default()
            })),
            LayerSpec::new(LayerKind::Softmax),
            LayerSpec::new(LayerKind::Classification { classes: None }),
        ];
        let options = TrainingOptions {
            l2_regularization: 0.05,
            gradient_threshold: 0.05,
            gradient_threshold_method: method,
            initial_learn_rate: Some(0.05),
            ..TrainingOptions::for_solver(solver)
        };
        let project = Project {
            layers: layers.clone(),
            training: options.clone(),
            ..Project::default()
        };
        export_pytorch(&project, &dir).unwrap();
        let net = Network::build_seeded(&layers, Device::Cpu, Kind::Float, 100 + k as u64).unwrap();
        net.save_weights(&dir.join("before.safetensors")).unwrap();
        let x = Tensor::randn([b, 5, C as i64], (Kind::Float, Device::Cpu)) * 2.0;
        let y = Tensor::from_slice(&[0i64, 2, 1, 2]);
        Tensor::write_safetensors(
            &[
                ("x", x.shallow_clone()),
                ("lengths", Tensor::from_slice(&lengths)),
                ("y", y.shallow_clone()),
            ],
            dir.join("input.safetensors"),
        )
        .unwrap();
        let learnables = net.learnables();
        let mut state = SolverState::new(solver, &learnables);
        for _ in 0..3 {
            let scores = net.forward_scores(&x, &lengths, true, None).unwrap();
            let parts =
                loss_parts(&scores, &BatchTarget::Labels(y.shallow_clone()), true, None).unwrap();
            (parts.loss_sum / b as f64).backward();
            state.step(&learnables, options.learn_rate(), &options);
        }
        net.save_weights(&dir.join("studio_after.safetensors"))
            .unwrap();
        cases.push((format!("{solver:?}/{method:?}"), dir));
    }
    let script = root.path().join("solver.py");
    std::fs::write(&script, SOLVER_SCRIPT).unwrap();
    let out = Command::new(&py)
        .arg(&script)
        .args(cases.iter().map(|c| &c.1))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "python failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    for (name, dir) in &cases {
        let read = |f: &str| -> std::collections::HashMap<String, Tensor> {
            Tensor::read_safetensors(dir.join(f))
                .unwrap()
                .into_iter()
                .collect()
        };
        let (before, studio, python) = (
            read("before.safetensors"),
            read("studio_after.safetensors"),
            read("python_after.safetensors"),
        );
        let mut worst = 0.0f64;
        let mut moved = 0.0f64;
        for (tensor, s) in &studio {
            let p = &python[tensor];
            worst = worst.max((p - s).abs().max().double_value(&[]));
            moved = moved.max((s - &before[tensor]).abs().max().double_value(&[]));
        }
        eprintln!(
            "{name:<28} 3 steps: largest weight change {moved:.3e}, python vs studio {worst:.3e}"
        );
        assert!(moved > 1e-3, "{name}: the learnables did not move");
        assert!(worst < 1e-5, "{name}: python and studio differ by {worst}");
        // A learn-rate factor of 0 keeps its gate block fixed (forget-gate rows of InputWeights).
        let iw = &studio["lstm/InputWeights"];
        let fixed = (iw.narrow(0, 4, 4) - before["lstm/InputWeights"].narrow(0, 4, 4))
            .abs()
            .max()
            .double_value(&[]);
        assert_eq!(fixed, 0.0, "{name}: forget-gate InputWeights moved");
    }
}
