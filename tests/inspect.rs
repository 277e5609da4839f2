//! The gate and state recordings of "Inside the LSTM" are the numbers the network computes in
//! prediction: the recorded h_t of the last step equals the network's 'last' output, on the
//! fused path and on the step loop.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use lstm_studio::data::{Sequence, SequenceDataset, Targets};
use lstm_studio::engine::Network;
use lstm_studio::spec::{
    GateActivation, LayerKind, LayerSpec, OutputMode, RecurrentSpec, SequenceInputSpec,
    StateActivation,
};
use lstm_studio::worker::protocol::inspect;
use tch::{Device, Kind, Tensor};

fn data() -> SequenceDataset {
    let sequences = [6usize, 9, 4]
        .iter()
        .enumerate()
        .map(|(s, &steps)| Sequence {
            steps,
            values: (0..steps * 2)
                .map(|k| ((s * 5 + k) as f32 * 0.41).cos())
                .collect(),
        })
        .collect();
    SequenceDataset {
        name: "d".into(),
        num_features: 2,
        feature_names: vec!["a".into(), "b".into()],
        sequences,
        targets: Targets::None,
    }
}

#[test]
fn recorded_last_hidden_state_equals_the_last_output_on_both_paths() {
    let ds = data();
    for (sa, ga) in [
        (StateActivation::Tanh, GateActivation::Sigmoid),
        (StateActivation::Softsign, GateActivation::HardSigmoid),
    ] {
        let layers = vec![
            LayerSpec::new(LayerKind::SequenceInput(SequenceInputSpec {
                input_size: 2,
                ..Default::default()
            })),
            LayerSpec::new(LayerKind::Lstm(RecurrentSpec {
                output_mode: OutputMode::Last,
                state_activation: sa,
                gate_activation: ga,
                hidden_state: Some(vec![0.1, -0.2, 0.3, 0.0, 0.5]),
                ..RecurrentSpec::with_hidden_units(5)
            })),
            LayerSpec::new(LayerKind::Regression),
        ];
        let mut net = Network::build_seeded(&layers, Device::Cpu, Kind::Float, 3).unwrap();
        for force_step in [false, true] {
            net.force_step_loop = force_step;
            for (i, s) in ds.sequences.iter().enumerate() {
                let rec = inspect(&net, &ds, i).unwrap();
                let (_, units, dirs) = &rec.layers[0];
                let h = &dirs[0].hidden;
                let last_h = &h[(s.steps - 1) * units..s.steps * units];
                let x = Tensor::from_slice(&s.values).view([1, s.steps as i64, 2]);
                let out = tch::no_grad(|| net.forward_scores(&x, &[s.steps as i64], false, None))
                    .unwrap();
                let out: Vec<f32> = Vec::try_from(out.flatten(0, -1)).unwrap();
                for (a, b) in last_h.iter().zip(&out) {
                    assert!(
                        (a - b).abs() < 1e-6,
                        "{sa:?}/{ga:?} step loop {force_step}: {a} vs {b}"
                    );
                }
                // The prediction as the sequence unfolds ends in the network's prediction.
                let k = rec.outputs;
                let last_scores = &rec.scores_per_step[(s.steps - 1) * k..s.steps * k];
                for (a, b) in last_scores.iter().zip(&rec.final_scores) {
                    assert!(
                        (a - b).abs() < 1e-5,
                        "scores after the last step {a} vs {b}"
                    );
                }
                // Gates are probabilities for sigmoid-like gate activations.
                let gates = &dirs[0].gates;
                assert_eq!(gates.len(), 4);
                assert!(gates[1].1.iter().all(|v| (0.0..=1.0).contains(v)));
            }
        }
    }
}
