//! Training behaviour: stop keeps the network, checkpoints resume where they left off, a NaN
//! loss stops with the iteration named and the last good network kept, and the worker thread
//! turns it all into plain-data events.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use lstm_studio::data::{Sequence, SequenceDataset, Targets};
use lstm_studio::engine::train::{TrainingRequest, train};
use lstm_studio::engine::{Control, Silent, StopReason, TrainingEvent, TrainingObserver, evaluate};
use lstm_studio::spec::{
    ExecutionEnvironment, LayerKind, LayerSpec, Project, Shuffle, Solver, TrainingOptions,
    canonical_network,
};
use lstm_studio::worker::{Command, Event, TrainJob, Worker};

fn toy_data(n: usize) -> SequenceDataset {
    let mut sequences = Vec::new();
    let mut labels = Vec::new();
    for i in 0..n {
        let steps = 3 + i % 6;
        let class = i % 3;
        let values = (0..steps * 3)
            .map(|k| (class as f32 - 1.0) * 0.5 + ((i * 13 + k) as f32).sin() * 0.2)
            .collect();
        sequences.push(Sequence { steps, values });
        labels.push(class);
    }
    SequenceDataset {
        name: "toy".into(),
        num_features: 3,
        feature_names: vec!["a".into(), "b".into(), "c".into()],
        sequences,
        targets: Targets::Labels {
            class_names: vec!["x".into(), "y".into(), "z".into()],
            labels,
        },
    }
}

fn layers() -> Vec<LayerSpec> {
    let mut l = canonical_network();
    if let LayerKind::SequenceInput(s) = &mut l[0].kind {
        s.input_size = 3;
    }
    l[1].recurrent_mut().unwrap().num_hidden_units = 8;
    if let LayerKind::FullyConnected(f) = &mut l[2].kind {
        f.output_size = 3;
    }
    l
}

fn options(epochs: usize) -> TrainingOptions {
    TrainingOptions {
        max_epochs: epochs,
        mini_batch_size: 6,
        shuffle: Shuffle::Once,
        execution_environment: ExecutionEnvironment::Cpu,
        seed: 5,
        ..TrainingOptions::for_solver(Solver::Adam)
    }
}

fn request(o: TrainingOptions) -> TrainingRequest {
    TrainingRequest {
        layers: layers(),
        options: o,
        train: toy_data(30),
        validation: None,
        test: None,
        init_from: None,
        resume_from: None,
    }
}

struct StopAfter(usize, usize);
impl TrainingObserver for StopAfter {
    fn on_event(&mut self, e: TrainingEvent) {
        if let TrainingEvent::Iteration(_) = e {
            self.1 += 1;
        }
    }
    fn control(&mut self) -> Control {
        if self.1 >= self.0 {
            Control::Stop
        } else {
            Control::Continue
        }
    }
}

#[test]
fn stop_keeps_a_usable_network() {
    let out = train(&request(options(20)), &mut StopAfter(3, 0)).unwrap();
    assert_eq!(out.summary.stop_reason, StopReason::Stopped);
    assert_eq!(out.summary.iterations, 3);
    let ev = evaluate(&out.network, &toy_data(30), 8).unwrap();
    assert_eq!(ev.confusion.unwrap().total(), 30);
}

#[test]
fn resuming_from_a_checkpoint_continues_where_it_left_off() {
    let dir = tempfile::tempdir().unwrap();
    let cp = dir.path().join("cp");
    let o = TrainingOptions {
        checkpoint_path: cp.to_string_lossy().into_owned(),
        ..options(3)
    };
    let full = train(&request(o.clone()), &mut Silent).unwrap();
    let first = std::fs::read_dir(&cp)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().contains("epoch1_"))
        .expect("a checkpoint after epoch 1");
    let mut req = request(TrainingOptions {
        checkpoint_path: String::new(),
        ..o
    });
    req.resume_from = Some(first);
    let resumed = train(&req, &mut Silent).unwrap();
    assert_eq!(resumed.summary.iterations, full.summary.iterations);
    assert_eq!(resumed.history.first().map(|r| r.epoch), Some(2));
    for ((n, a), (_, b)) in full
        .network
        .named_tensors()
        .iter()
        .zip(resumed.network.named_tensors().iter())
    {
        let d = (a.detach() - b.detach()).abs().max().double_value(&[]);
        assert!(d < 1e-6, "{n} differs by {d} after resuming");
    }
}

#[test]
fn a_nan_loss_stops_training_naming_the_iteration_and_keeps_the_last_good_network() {
    let o = TrainingOptions {
        initial_learn_rate: Some(1e38),
        ..TrainingOptions {
            solver: Solver::Sgdm,
            ..options(5)
        }
    };
    let out = train(&request(o), &mut Silent).unwrap();
    let StopReason::NonFinite { iteration } = out.summary.stop_reason else {
        panic!("expected a NaN stop, got {:?}", out.summary.stop_reason);
    };
    let msg = out.summary.message.unwrap();
    assert!(msg.contains(&format!("iteration {iteration}")), "{msg}");
    for (n, t) in out.network.named_tensors() {
        let finite = t.isfinite().all().int64_value(&[]) == 1;
        assert!(finite, "{n} is not finite in the kept network");
    }
}

#[test]
fn data_that_does_not_fit_the_network_is_refused_by_name() {
    let mut req = request(options(1));
    if let LayerKind::FullyConnected(f) = &mut req.layers[2].kind {
        f.output_size = 4;
    }
    let e = train(&req, &mut Silent).err().unwrap().to_string();
    assert_eq!(e, "fc: OutputSize is 4 but the training data has 3 classes");
    let mut req = request(options(1));
    req.train.sequences[2].values[1] = f32::NAN;
    let e = train(&req, &mut Silent).err().unwrap().to_string();
    assert!(e.contains("sequence 3"), "{e}");
}

#[test]
fn the_worker_streams_events_pauses_stops_and_survives_failures() {
    let worker = Worker::spawn(|| {}).unwrap();
    let project = Project {
        layers: layers(),
        training: options(200),
        ..Project::default()
    };
    worker.send(Command::Train(Box::new(TrainJob {
        project: project.clone(),
        train: toy_data(30),
        validation: None,
        test: Some(toy_data(12)),
        init_from: None,
        resume_from: None,
    })));
    let mut iterations = 0;
    let mut paused = false;
    let result = loop {
        let Some(e) = worker.recv_timeout(Duration::from_secs(60)) else {
            panic!("no event from the worker")
        };
        match e {
            Event::Training(TrainingEvent::Iteration(r)) => {
                iterations += 1;
                if r.iteration == 2 {
                    worker.send(Command::Pause);
                }
            }
            Event::Paused => {
                paused = true;
                worker.send(Command::Stop);
            }
            Event::Finished(r) => break r,
            Event::Failed(m) => panic!("{m}"),
            _ => {}
        }
    };
    assert!(paused);
    assert_eq!(result.summary.stop_reason, StopReason::Stopped);
    assert!(iterations < 200 * 5);
    assert_eq!(
        result
            .test
            .as_ref()
            .unwrap()
            .confusion
            .as_ref()
            .unwrap()
            .total(),
        12
    );
    // A bad job is a Failed event, and the worker still answers afterwards.
    let mut bad = project.clone();
    bad.layers.remove(0);
    worker.send(Command::Train(Box::new(TrainJob {
        project: bad,
        train: toy_data(30),
        validation: None,
        test: None,
        init_from: None,
        resume_from: None,
    })));
    let msg = loop {
        match worker.recv_timeout(Duration::from_secs(30)) {
            Some(Event::Failed(m)) => break m,
            Some(_) => {}
            None => panic!("no failure reported"),
        }
    };
    assert!(msg.contains("no input layer"), "{msg}");
    worker.send(Command::StepState {
        values: vec![0.1, 0.2, 0.3],
        steps: 1,
    });
    let stepped = loop {
        match worker.recv_timeout(Duration::from_secs(30)) {
            Some(Event::Stepped(s)) => break s,
            Some(Event::Failed(m)) => panic!("{m}"),
            Some(_) => {}
            None => panic!("no answer"),
        }
    };
    let sum: f32 = stepped.scores.iter().sum();
    assert!((sum - 1.0).abs() < 1e-5);
}

#[test]
fn validation_patience_stops_early_on_a_held_out_split() {
    let mut req = request(TrainingOptions {
        validation_fraction: 0.3,
        validation_frequency: 1,
        validation_patience: Some(2),
        ..options(50)
    });
    // Nothing can learn (every learn-rate factor 0), so the validation loss never improves
    // after the first validation: training stops at the third iteration.
    let r = req.layers[1].recurrent_mut().unwrap();
    for (_, f) in r.factors_mut().into_iter().take(3) {
        *f = lstm_studio::spec::GateFactor::scalar(0.0);
    }
    if let LayerKind::FullyConnected(f) = &mut req.layers[2].kind {
        f.weights_learn_rate_factor = 0.0;
        f.bias_learn_rate_factor = 0.0;
    }
    let out = train(&req, &mut Silent).unwrap();
    assert_eq!(out.summary.stop_reason, StopReason::EarlyStop);
    assert_eq!(out.summary.iterations, 3);
    assert!(out.history.iter().all(|r| r.val_loss.is_some()));
    assert!(out.summary.message.unwrap().contains("iteration 3"));
}

#[test]
fn the_worker_exports_a_pytorch_package_off_the_ui_thread() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("torch");
    let worker = Worker::spawn(|| {}).unwrap();
    worker.send(Command::ExportPytorch {
        project: Box::new(Project::canonical()),
        project_file: None,
        dir: out.clone(),
    });
    loop {
        match worker.recv_timeout(Duration::from_secs(60)) {
            Some(Event::Exported { dir, .. }) => {
                assert_eq!(dir, out);
                break;
            }
            Some(Event::Failed(m)) => panic!("{m}"),
            Some(_) => {}
            None => panic!("no answer from the worker"),
        }
    }
    assert!(out.join("train.py").exists());
    assert!(out.join("initial_weights.safetensors").exists());
}

#[test]
fn output_network_best_validation_loss_returns_the_best_validated_network() {
    let mut req = request(TrainingOptions {
        validation_frequency: 1,
        output_network: lstm_studio::spec::OutputNetwork::BestValidationLoss,
        initial_learn_rate: Some(0.01),
        ..options(6)
    });
    // A validation set that disagrees with the training labels: the better the network fits
    // the training data, the worse it validates, so the best validation comes early.
    let mut val = toy_data(12);
    if let Targets::Labels { labels, .. } = &mut val.targets {
        for l in labels.iter_mut() {
            *l = (*l + 1) % 3;
        }
    }
    req.validation = Some(val);
    let out = train(&req, &mut Silent).unwrap();
    let best = out
        .history
        .iter()
        .filter_map(|r| r.val_loss)
        .fold(f64::INFINITY, f64::min);
    let last = out.history.last().unwrap().val_loss.unwrap();
    assert!(
        best < last,
        "this run's last validation should not be its best ({best} vs {last})"
    );
    let ev = evaluate(&out.network, req.validation.as_ref().unwrap(), 6).unwrap();
    assert!(
        (ev.loss - best).abs() < 1e-9,
        "kept network has loss {} but the best was {best} (last {last})",
        ev.loss
    );
}
