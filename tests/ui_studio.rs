//! UI tests of the Data, Training, Results and "Inside the LSTM" areas, driving the real app
//! through egui_kittest: buttons are clicked by label; worker events arrive on the worker
//! thread, so the tests step frames until the state they expect shows up (with a timeout).
//! Where a test calls an area function instead of a widget its name says so (a painted
//! confusion-chart cell has no accessibility node; `select_cell` is what its click does).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use egui::vec2;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

use lstm_studio::app::{Area, StudioApp, StudioOptions};
use lstm_studio::data::Targets;
use lstm_studio::engine::IterationRecord;
use lstm_studio::engine::TrainingEvent;
use lstm_studio::ui::data::DataRole;
use lstm_studio::worker::Event;

fn harness(area: Area) -> Harness<'static, StudioApp> {
    harness_sized(area, 900.0)
}

fn harness_sized(area: Area, height: f32) -> Harness<'static, StudioApp> {
    let mut app = StudioApp::new(&StudioOptions::default(), || {}).unwrap();
    app.area = area;
    let mut h = Harness::builder()
        .with_size(vec2(1400.0, height))
        .with_accessibility_check(false)
        .build_ui_state(|ui, app: &mut StudioApp| app.ui_main(ui), app);
    h.run_ok();
    h
}

/// Steps frames until `done` holds (panics after `secs`).
fn wait_for(
    h: &mut Harness<'_, StudioApp>,
    secs: u64,
    what: &str,
    done: impl Fn(&StudioApp) -> bool,
) {
    let start = Instant::now();
    while !done(h.state()) {
        assert!(
            start.elapsed() < Duration::from_secs(secs),
            "timed out waiting for {what}"
        );
        h.step();
        std::thread::sleep(Duration::from_millis(20));
    }
    h.step();
}

/// Whether some widget's label contains `text`.
fn shows(h: &Harness<'_, StudioApp>, text: &str) -> bool {
    h.query_all_by_label_contains(text).next().is_some()
}

/// A small, quick problem: 54 training and 45 test sequences of Japanese Vowels.
fn small_problem(h: &mut Harness<'_, StudioApp>, max_epochs: usize) {
    let app = h.state_mut();
    let train = app.studio.data.train.as_ref().unwrap();
    let test = app.studio.data.test.as_ref().unwrap();
    let train = train.subset(&(0..270).step_by(5).collect::<Vec<_>>());
    let test = test.subset(&(0..370).step_by(8).collect::<Vec<_>>());
    let validation = app
        .studio
        .data
        .train
        .as_ref()
        .unwrap()
        .subset(&(1..270).step_by(9).collect::<Vec<_>>());
    app.studio.data.validation = Some(validation);
    app.studio.data.train = Some(train);
    app.studio.data.test = Some(test);
    app.studio.document.edit(|p| {
        p.training.max_epochs = max_epochs;
        p.training.mini_batch_size = 9;
        p.training.validation_frequency = 3;
    });
}

#[test]
fn the_data_area_shows_the_embedded_sets_with_their_counts() {
    let mut h = harness(Area::Data);
    assert!(
        shows(&h, "270 sequences · 12 features"),
        "shows {}",
        "270 sequences · 12 features"
    );
    assert!(
        shows(&h, "370 sequences · 12 features"),
        "shows {}",
        "370 sequences · 12 features"
    );
    // The browser lists the training set; filtering by length narrows it.
    let all = h.state().data_area.visible_sequences(&h.state().studio);
    assert_eq!(all.len(), 270);
    h.state_mut().data_area.length_filter = (20, 29);
    h.run_ok();
    let long = h.state().data_area.visible_sequences(&h.state().studio);
    let ds = h.state().studio.data.train.as_ref().unwrap();
    assert_eq!(
        long.len(),
        ds.sequences.iter().filter(|s| s.steps >= 20).count()
    );
    assert!(long.iter().all(|&i| ds.sequences[i].steps >= 20));
    assert!(
        shows(&h, "Per-feature statistics"),
        "shows {}",
        "Per-feature statistics"
    );
    assert!(
        shows(&h, "SequenceLength 'longest'"),
        "shows {}",
        "SequenceLength 'longest'"
    );
}

#[test]
fn using_the_basic_motions_sample_replaces_the_sets() {
    let mut h = harness(Area::Data);
    let app = h.state_mut();
    app.data_area
        .open_embedded("basic-motions", &mut app.studio);
    h.run_ok();
    assert!(
        shows(&h, "40 sequences · 6 features"),
        "shows {}",
        "40 sequences · 6 features"
    );
    assert_eq!(h.state().studio.data.test.as_ref().unwrap().len(), 40);
    // The network's input layer still takes 12 features: the area offers the fix.
    h.get_by_label("Set InputSize to 6").click();
    h.run_ok();
    let input = h
        .state()
        .studio
        .document
        .project
        .layers
        .iter()
        .find_map(|l| match &l.kind {
            lstm_studio::spec::LayerKind::SequenceInput(s) => Some(s.input_size),
            _ => None,
        });
    assert_eq!(input, Some(6));
}

#[test]
fn a_bad_file_shows_the_loaders_message_without_blocking() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("broken.ts");
    std::fs::write(
        &path,
        "@problemName x\n@classLabel true a b\n@data\n1,2,3:a\n1,oops:b\n",
    )
    .unwrap();
    let mut h = harness(Area::Data);
    let app = h.state_mut();
    app.data_area
        .open_file(&path, DataRole::Validation, &mut app.studio);
    wait_for(&mut h, 20, "the loader", |a| !a.data_area.is_loading());
    let err = h
        .state()
        .studio
        .data
        .error
        .clone()
        .expect("an error message");
    assert!(err.contains("broken.ts"), "{err}");
    assert!(shows(&h, "broken.ts"), "shows {}", "broken.ts");
}

#[test]
fn a_stratified_holdout_makes_a_validation_set() {
    let mut h = harness(Area::Data);
    h.get_by_label("Split for validation").click();
    h.run_ok();
    let d = &h.state().studio.data;
    assert_eq!(
        d.train.as_ref().unwrap().len() + d.validation.as_ref().unwrap().len(),
        270
    );
    assert_eq!(d.validation.as_ref().unwrap().len(), 54);
}

#[test]
fn invalid_options_are_named_and_block_training() {
    let mut h = harness(Area::Training);
    h.state_mut()
        .studio
        .document
        .edit(|p| p.training.mini_batch_size = 0);
    h.run_ok();
    assert!(
        shows(&h, "MiniBatchSize must be a positive integer, got 0"),
        "shows {}",
        "MiniBatchSize must be a positive integer, got 0"
    );
    h.get_by_label("Train").click();
    h.run_ok();
    assert!(!h.state().training_area.is_running());
    // The edit is undoable.
    h.state_mut().studio.document.undo();
    h.run_ok();
    assert!(h.query_by_label_contains("MiniBatchSize must be").is_none());
}

#[test]
fn training_streams_points_stops_and_the_confusion_matrix_matches_the_test_set() {
    let mut h = harness(Area::Training);
    small_problem(&mut h, 200);
    h.get_by_label("Train").click();
    h.step();
    assert!(h.state().training_area.is_running());
    wait_for(&mut h, 120, "iterations in the chart", |a| {
        a.training_area.series.loss.raw.len() >= 8
    });
    assert!(h.state().training_area.series.metric.smooth.len() >= 8);
    h.get_by_label("Stop").click();
    wait_for(&mut h, 120, "the stopped training to finish", |a| {
        !a.training_area.is_running()
    });
    let t = &h.state().training_area;
    let last = t.history.last().unwrap().iteration;
    assert!(last < 200 * 6, "stopped early at {last}");
    assert!(
        !t.series.val_loss.is_empty(),
        "validation points (the test set stands in when no validation set is given, or none)"
    );
    assert_eq!(t.runs.len(), 1);
    // The Results area: a confusion matrix over exactly the test set.
    h.state_mut().area = Area::Results;
    h.run_ok();
    let test_len = h.state().studio.data.test.as_ref().unwrap().len() as u64;
    let ev = h
        .state()
        .results_area
        .evaluated
        .clone()
        .expect("the test evaluation");
    let cm = ev.evaluation.confusion.clone().unwrap();
    assert_eq!(cm.total(), test_len);
    assert!(shows(&h, "Accuracy"), "shows {}", "Accuracy");
    // Selecting a cell (what clicking it does) lists exactly the matching sequences.
    let predicted = ev.predicted_labels();
    let Targets::Labels { labels, .. } = &ev.data.targets else {
        panic!("labels")
    };
    let (ti, pi) = (0..cm.classes.len())
        .flat_map(|i| (0..cm.classes.len()).map(move |j| (i, j)))
        .find(|&(i, j)| cm.counts[i][j] > 0 && i != j)
        .unwrap_or((0, 0));
    h.state_mut().results_area.select_cell(ti, pi);
    h.run_ok();
    let members = h.state().results_area.cell_members.clone();
    let expected: Vec<usize> = (0..labels.len())
        .filter(|&i| labels[i] == ti && predicted[i] == pi)
        .collect();
    assert_eq!(members, expected);
    assert_eq!(members.len() as u64, cm.counts[ti][pi]);
    assert!(
        shows(&h, &format!("{} sequences", members.len())),
        "shows {}",
        &format!("{} sequences", members.len())
    );
    h.get_by_label("Class scores");
    // The row-normalized chart reads in percentages; its recall column is the matrix's.
    h.state_mut().results_area.view.normalization =
        lstm_studio::ui::confusion::Normalization::RowNormalized;
    h.run_ok();
    assert!(shows(&h, "Accuracy"));
}

#[test]
fn inside_the_lstm_shows_gates_and_steps_the_state() {
    let mut h = harness_sized(Area::Inspect, 1400.0);
    assert!(shows(&h, "Train a network"), "shows {}", "Train a network");
    small_problem(&mut h, 2);
    let app = h.state_mut();
    app.training_area.start(&mut app.studio);
    wait_for(&mut h, 180, "training", |a| !a.training_area.is_running());
    wait_for(&mut h, 60, "the inspection", |a| {
        a.inspect_area.inspection.is_some()
    });
    let ins = h.state().inspect_area.inspection.clone().unwrap();
    assert_eq!(ins.layers.len(), 1);
    assert_eq!(ins.layers[0].1, 100);
    assert_eq!(ins.scores_per_step.len(), ins.steps * 9);
    h.run_ok();
    h.get_by_label("Hidden state h_t");
    h.get_by_label("Cell state c_t");
    h.get_by_label("Forget gate f_t");
    assert!(shows(&h, "Predicted class"), "shows {}", "Predicted class");
    // Step twice, then reset.
    h.get_by_label("Step").click();
    wait_for(&mut h, 30, "one step", |a| {
        a.inspect_area.playground.scores.len() == 1
    });
    h.get_by_label("Step").click();
    wait_for(&mut h, 30, "two steps", |a| {
        a.inspect_area.playground.scores.len() == 2
    });
    assert!(shows(&h, "Fed 2 of"), "shows {}", "Fed 2 of");
    // After a full run, the stateful scores equal the inspection's per-step scores.
    h.get_by_label("Run to end").click();
    let steps = ins.steps;
    wait_for(&mut h, 30, "the rest of the steps", |a| {
        a.inspect_area.playground.scores.len() == steps
    });
    let last = h
        .state()
        .inspect_area
        .playground
        .scores
        .last()
        .unwrap()
        .clone();
    for (a, b) in last.iter().zip(&ins.final_scores) {
        assert!((a - b).abs() < 1e-4, "{last:?} vs {:?}", ins.final_scores);
    }
    h.get_by_label("Reset state").click();
    wait_for(&mut h, 30, "the reset", |a| {
        a.inspect_area.playground.scores.is_empty()
    });
    // A custom initial HiddenState goes into the project (undoable).
    h.state_mut().inspect_area.playground.next_step = 0;
    h.get_all_by_label("Set").next().unwrap().click();
    h.run_ok();
    let hs = h
        .state()
        .studio
        .document
        .project
        .layers
        .iter()
        .find_map(|l| l.recurrent())
        .unwrap()
        .hidden_state
        .clone();
    assert_eq!(hs, Some(vec![0.0; 100]));
}

#[test]
fn a_hundred_thousand_points_per_series_draw_as_an_envelope() {
    let mut h = harness(Area::Training);
    let app = h.state_mut();
    let start = Event::Training(TrainingEvent::Started {
        device: "cpu".into(),
        iterations_per_epoch: 1000,
        max_iterations: 100_000,
        max_epochs: 100,
        first_epoch: 1,
        classes: vec![],
        classification: true,
        has_validation: false,
    });
    app.training_area.on_event(&start, &mut app.studio);
    for i in 1..=100_000usize {
        let r = IterationRecord {
            iteration: i,
            epoch: (i - 1) / 1000 + 1,
            train_loss: 1.0 / i as f64,
            train_metric: (i % 7) as f64 / 7.0,
            ..Default::default()
        };
        app.training_area.on_event(
            &Event::Training(TrainingEvent::Iteration(r)),
            &mut app.studio,
        );
    }
    assert_eq!(h.state().training_area.series.loss.raw.len(), 100_000);
    let t0 = Instant::now();
    h.run_steps(5);
    let per_frame = t0.elapsed() / 5;
    assert!(
        per_frame < Duration::from_millis(400),
        "a frame took {per_frame:?}"
    );
    let env = h
        .state()
        .training_area
        .series
        .loss
        .raw
        .envelope(f64::MIN..=f64::MAX, 1000);
    assert!(env.len() <= 4000);
    assert!(
        shows(&h, "iteration 100000 of 100000"),
        "shows {}",
        "iteration 100000 of 100000"
    );
}

/// The closed-loop forecast of the playground equals predictAndUpdateState computed directly
/// from the saved model: the observed steps, then each prediction fed back as the next input.
#[test]
fn closed_loop_forecast_feeds_predictions_back() {
    let opts = StudioOptions {
        project: Some("examples/airline_forecast.ron".into()),
        ..StudioOptions::default()
    };
    let mut app = StudioApp::new(&opts, || {}).unwrap();
    app.area = Area::Inspect;
    let mut h = Harness::builder()
        .with_size(vec2(1400.0, 1000.0))
        .with_accessibility_check(false)
        .build_ui_state(|ui, app: &mut StudioApp| app.ui_main(ui), app);
    h.run_ok();
    let app = h.state_mut();
    assert!(
        app.studio.data.test.is_some(),
        "{:?}",
        app.studio.data.error
    );
    app.studio.document.edit(|p| p.training.max_epochs = 15);
    app.training_area.start(&mut app.studio);
    wait_for(&mut h, 180, "training", |a| !a.training_area.is_running());
    wait_for(&mut h, 60, "the inspection", |a| {
        a.inspect_area.inspection.is_some()
    });
    h.run_ok();
    h.get_all_by_label("Forecast").last().unwrap().click();
    wait_for(&mut h, 60, "the forecast", |a| {
        a.inspect_area.playground.forecast.len() == 12
    });
    let forecast = h.state().inspect_area.playground.forecast.clone();
    // The same model, saved and computed here with the engine.
    let dir = tempfile::tempdir().unwrap();
    let run = dir.path().join("run");
    let app = h.state_mut();
    app.results_area.save_run(&run, &mut app.studio);
    wait_for(&mut h, 60, "the saved run", |_| {
        run.join("summary.json").exists()
    });
    let r = lstm_studio::engine::run_dir::load_run(&run, tch::Device::Cpu).unwrap();
    let test = h.state().studio.data.test.clone().unwrap();
    let seq = &test.sequences[0];
    let _g = tch::no_grad_guard();
    let x = tch::Tensor::from_slice(&seq.values).view([1, seq.steps as i64, 1]);
    let o = r
        .network
        .forward(&x, &[seq.steps as i64], false, None, None)
        .unwrap();
    let mut state = o.states;
    let mut last = o.scores.select(1, seq.steps as i64 - 1).reshape([1, 1, 1]);
    for (k, got) in forecast.iter().enumerate() {
        let o = r
            .network
            .forward(&last, &[1], false, Some(&state), None)
            .unwrap();
        state = o.states;
        last = o.scores.reshape([1, 1, 1]);
        let want = last.double_value(&[0, 0, 0]) as f32;
        assert!(
            (got[0] - want).abs() < 1e-4,
            "forecast step {}: {} vs {want}",
            k + 1,
            got[0]
        );
    }
}
