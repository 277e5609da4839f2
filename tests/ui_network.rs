//! UI tests of the Network area and the studio shell, driving the real app state through
//! egui_kittest: clicks, typing, keys and pointer drags on the real widgets. Where a test goes
//! through an action (`NetworkAction`, `AppAction`) instead of a widget its name says so; the
//! widgets produce exactly those actions.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use egui::accesskit::Role;
use egui::{Key, Modifiers, Pos2, Rect, vec2};
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};

use lstm_studio::app::{AppAction, StudioApp, StudioOptions};
use lstm_studio::spec::{Activation, GateFactor, LayerKind, LayerType, analyze};
use lstm_studio::ui::network::NetworkAction;

fn harness() -> Harness<'static, StudioApp> {
    let app = StudioApp::new(&StudioOptions::default(), || {}).unwrap();
    let mut h = Harness::builder()
        .with_size(vec2(1400.0, 900.0))
        .build_ui_state(|ui, app: &mut StudioApp| app.ui_main(ui), app);
    h.run();
    h
}

fn layer_types(h: &Harness<'_, StudioApp>) -> Vec<LayerType> {
    h.state()
        .studio
        .document
        .project
        .layers
        .iter()
        .map(|l| l.layer_type())
        .collect()
}

fn hidden_units(h: &Harness<'_, StudioApp>, i: usize) -> usize {
    h.state().studio.document.project.layers[i]
        .recurrent()
        .unwrap()
        .num_hidden_units
}

fn card_rect(h: &Harness<'_, StudioApp>, index: usize) -> Rect {
    h.get_by_label_contains(&format!("Layer {index}:")).rect()
}

/// Presses the pointer at `from`, moves it in steps to `to` and releases it there.
fn drag(h: &mut Harness<'_, StudioApp>, from: Pos2, to: Pos2) {
    h.hover_at(from);
    h.run();
    h.drag_at(from);
    h.run();
    for k in 1..=6 {
        h.hover_at(from + (to - from) * (k as f32 / 6.0));
        h.run();
    }
    h.drop_at(to);
    h.run();
}

/// Focuses a text field, selects its text and types `text` over it.
fn type_into(h: &mut Harness<'_, StudioApp>, role: Role, label: &str, text: &str) {
    h.get_by_role_and_label(role, label).click();
    h.run();
    h.key_press_modifiers(Modifiers::COMMAND, Key::A);
    h.run();
    h.get_by_role_and_label(role, label).type_text(text);
    h.run();
}

#[test]
fn starts_on_the_canonical_network_with_the_lstm_selected() {
    let h = harness();
    use LayerType::*;
    assert_eq!(
        layer_types(&h),
        [SequenceInput, Lstm, FullyConnected, Softmax, Classification]
    );
    assert_eq!(h.state().network_area.selected, Some(1));
    assert!(
        h.state().studio.data.train.is_some(),
        "Japanese Vowels is loaded"
    );
    h.get_by_label_contains("Layer 2: lstm, LSTM, LSTM with 100 hidden units, activations 100");
    h.get_by_role_and_label(Role::TextInput, "NumHiddenUnits");
}

#[test]
fn dragging_lstm_from_the_library_inserts_it_where_dropped() {
    let mut h = harness();
    let from = h
        .get_by_role_and_label(Role::Button, "LSTM")
        .rect()
        .center();
    // Between card 2 (lstm) and card 3 (fc).
    let (above, below) = (card_rect(&h, 2), card_rect(&h, 3));
    let to = Pos2::new(
        below.center().x - 100.0,
        (above.bottom() + below.top()) / 2.0,
    );
    drag(&mut h, from, to);
    use LayerType::*;
    assert_eq!(
        layer_types(&h),
        [
            SequenceInput,
            Lstm,
            Lstm,
            FullyConnected,
            Softmax,
            Classification
        ]
    );
    assert_eq!(
        h.state().network_area.selected,
        Some(2),
        "the new layer is selected"
    );
    assert!(h.state().studio.document.can_undo());
}

#[test]
fn insert_layer_action_puts_the_layer_at_the_position() {
    // The action the library's drop and double-click produce.
    let mut h = harness();
    let app = h.state_mut();
    app.network_area.apply(
        NetworkAction::InsertLayer {
            ty: LayerType::Dropout,
            at: 2,
        },
        &mut app.studio,
    );
    h.run();
    use LayerType::*;
    assert_eq!(
        layer_types(&h),
        [
            SequenceInput,
            Lstm,
            Dropout,
            FullyConnected,
            Softmax,
            Classification
        ]
    );
    h.get_by_label_contains("Layer 3: dropout, Dropout, 50% dropout, activations 100");
}

#[test]
fn dragging_a_card_reorders_the_stack() {
    let mut h = harness();
    // Drag the fc card (3) above the lstm card (2).
    let from = card_rect(&h, 3).center() - vec2(150.0, 0.0);
    let target = card_rect(&h, 2);
    let to = Pos2::new(from.x, target.top() + 4.0);
    drag(&mut h, from, to);
    use LayerType::*;
    assert_eq!(
        layer_types(&h),
        [SequenceInput, FullyConnected, Lstm, Softmax, Classification]
    );
    assert_eq!(h.state().network_area.selected, Some(1));
}

#[test]
fn move_layer_action_and_undo() {
    let mut h = harness();
    let app = h.state_mut();
    app.network_area
        .apply(NetworkAction::MoveLayer { from: 3, to: 1 }, &mut app.studio);
    h.run();
    use LayerType::*;
    assert_eq!(
        layer_types(&h),
        [SequenceInput, Softmax, Lstm, FullyConnected, Classification]
    );
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    h.run();
    assert_eq!(
        layer_types(&h),
        [SequenceInput, Lstm, FullyConnected, Softmax, Classification]
    );
}

#[test]
fn typing_num_hidden_units_changes_the_sizes_after_it() {
    let mut h = harness();
    type_into(&mut h, Role::TextInput, "NumHiddenUnits", "200");
    assert_eq!(hidden_units(&h, 1), 200);
    let a = analyze(&h.state().studio.document.project.layers);
    assert_eq!(a.layers[1].activation, Some(Activation::Vector(200)));
    assert_eq!(
        a.layers[2].learnables[0].shape,
        vec![9, 200],
        "fc weights follow"
    );
    h.get_by_label_contains("Layer 2: lstm, LSTM, LSTM with 200 hidden units, activations 200");
    h.get_by_label("Total learnables: 172,209");
}

#[test]
fn undo_and_redo_a_typed_value_by_keys_and_menu() {
    let mut h = harness();
    type_into(&mut h, Role::TextInput, "NumHiddenUnits", "64");
    assert_eq!(hidden_units(&h, 1), 64);
    // Click elsewhere so the field lets go of the keyboard, then Ctrl+Z: the whole value.
    h.get_by_label_contains("Layer 1:").click();
    h.run();
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    h.run();
    assert_eq!(
        hidden_units(&h, 1),
        100,
        "one undo step for the typed value"
    );
    h.key_press_modifiers(Modifiers::COMMAND | Modifiers::SHIFT, Key::Z);
    h.run();
    assert_eq!(hidden_units(&h, 1), 64);
    // The Edit menu does the same.
    h.get_by_label("Edit").click();
    h.run();
    h.get_by_label_contains("Undo").click();
    h.run();
    assert_eq!(hidden_units(&h, 1), 100);
    h.get_by_label("Edit").click();
    h.run();
    h.get_by_label_contains("Redo").click();
    h.run();
    assert_eq!(hidden_units(&h, 1), 64);
}

#[test]
fn per_gate_factor_is_set_in_the_grid() {
    let mut h = harness();
    h.get_by_role_and_label(Role::CheckBox, "BiasLearnRateFactor per gate")
        .click();
    h.run();
    let r = |h: &Harness<'_, StudioApp>| {
        h.state().studio.document.project.layers[1]
            .recurrent()
            .unwrap()
            .bias_learn_rate_factor
            .clone()
    };
    assert_eq!(r(&h), GateFactor(vec![1.0; 4]));
    type_into(
        &mut h,
        Role::TextInput,
        "BiasLearnRateFactor (forget)",
        "2.5",
    );
    assert_eq!(r(&h), GateFactor(vec![1.0, 2.5, 1.0, 1.0]));
    // Back to one scalar.
    h.get_by_role_and_label(Role::CheckBox, "BiasLearnRateFactor per gate")
        .click();
    h.run();
    assert_eq!(r(&h), GateFactor(vec![1.0]));
}

#[test]
fn an_invalid_value_shows_its_message_at_the_field() {
    let mut h = harness();
    type_into(&mut h, Role::TextInput, "NumHiddenUnits", "0");
    assert_eq!(hidden_units(&h, 1), 0);
    h.get_by_label("NumHiddenUnits must be a positive integer, got 0");
    assert!(!analyze(&h.state().studio.document.project.layers).is_valid());
    // Text that is no number at all is reported and not applied.
    type_into(&mut h, Role::TextInput, "NumHiddenUnits", "12x");
    h.get_by_label("'12x' is not a whole number");
    assert_eq!(hidden_units(&h, 1), 0);
    // A negative factor.
    type_into(&mut h, Role::TextInput, "InputWeightsL2Factor", "-1");
    h.get_by_label("InputWeightsL2Factor must be a nonnegative scalar or a 1×4 vector, got -1");
}

#[test]
fn choosing_output_mode_from_the_drop_down() {
    let mut h = harness();
    h.get_by_role_and_label(Role::ComboBox, "OutputMode")
        .click();
    h.run();
    h.get_by_label("sequence").click();
    h.run();
    let lstm = h.state().studio.document.project.layers[1]
        .recurrent()
        .unwrap()
        .clone();
    assert_eq!(lstm.output_mode, lstm_studio::spec::OutputMode::Sequence);
    let a = analyze(&h.state().studio.document.project.layers);
    assert_eq!(a.layers[1].activation, Some(Activation::Sequence(100)));
}

#[test]
fn delete_key_and_duplicate_button() {
    let mut h = harness();
    h.get_by_label_contains("Layer 3: fc").click();
    h.run();
    h.key_press(Key::Delete);
    h.run();
    use LayerType::*;
    assert_eq!(
        layer_types(&h),
        [SequenceInput, Lstm, Softmax, Classification]
    );
    let app = h.state_mut();
    app.network_area
        .apply(NetworkAction::DuplicateLayer(1), &mut app.studio);
    h.run();
    assert_eq!(
        layer_types(&h),
        [SequenceInput, Lstm, Lstm, Softmax, Classification]
    );
}

#[test]
fn save_and_reopen_gives_the_same_project() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("vowels.ron");
    let mut h = harness();
    type_into(&mut h, Role::TextInput, "NumHiddenUnits", "77");
    h.get_by_role_and_label(Role::CheckBox, "RecurrentWeightsL2Factor per gate")
        .click();
    h.run();
    assert!(h.state().studio.document.dirty);
    h.state_mut().request(AppAction::SaveTo(path.clone()));
    h.run();
    assert!(!h.state().studio.document.dirty);
    assert!(path.exists());
    let saved = h.state().studio.document.project.clone();

    let mut h2 = harness();
    h2.state_mut().request(AppAction::OpenPath(path.clone()));
    h2.run();
    assert_eq!(h2.state().studio.document.project, saved);
    assert_eq!(
        h2.state().studio.document.path.as_deref(),
        Some(path.as_path())
    );
    assert_eq!(hidden_units(&h2, 1), 77);
    assert!(
        h2.state()
            .settings
            .recent
            .iter()
            .any(|p| p.ends_with("vowels.ron"))
    );
}

#[test]
fn opening_with_unsaved_changes_asks_first() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("other.ron");
    let mut other = lstm_studio::spec::Project::canonical();
    other.name = "Other".into();
    other.layers.remove(3);
    other.save(&path).unwrap();

    let mut h = harness();
    type_into(&mut h, Role::TextInput, "NumHiddenUnits", "50");
    h.state_mut().request(AppAction::OpenPath(path.clone()));
    h.run();
    h.get_by_label_contains("Save changes to");
    h.get_by_label("Cancel").click();
    h.run();
    assert_eq!(hidden_units(&h, 1), 50, "cancel keeps the work");
    h.state_mut().request(AppAction::OpenPath(path.clone()));
    h.run();
    h.get_by_label("Don't Save").click();
    h.run();
    assert_eq!(h.state().studio.document.project.name, "Other");
    assert!(!h.state().studio.document.dirty);
}

#[test]
fn new_with_unsaved_changes_asks_and_then_starts_empty() {
    let mut h = harness();
    h.key_press(Key::Delete);
    h.run();
    h.key_press_modifiers(Modifiers::COMMAND, Key::N);
    h.run();
    h.get_by_label("Don't Save").click();
    h.run();
    assert!(h.state().studio.document.project.layers.is_empty());
    h.get_by_label("The network is empty");
}

#[test]
fn closing_the_window_with_unsaved_changes_asks_first() {
    let mut h = harness();
    h.key_press(Key::Delete);
    h.run();
    h.input_mut()
        .viewports
        .entry(egui::ViewportId::ROOT)
        .or_default()
        .events
        .push(egui::ViewportEvent::Close);
    h.run();
    assert!(h.state().prompt.is_some());
    h.get_by_label_contains("before quitting");
}

#[test]
fn import_dialog_shows_parse_errors_at_line_and_column() {
    let mut h = harness();
    h.get_by_label("File").click();
    h.run();
    h.get_by_label("Import MATLAB code…").click();
    h.run();
    h.state_mut().matlab_import.source =
        "layers = [\n    sequenceInputLayer(3)\n    lstmLayer(10, 'OutputMode', 'lost')\n];".into();
    h.run();
    let err = h
        .state_mut()
        .matlab_import
        .error()
        .map(|e| (e.line, e.column, e.message.clone()));
    let (line, column, message) = err.expect("'lost' is no OutputMode");
    assert_eq!(line, 3, "{message}");
    h.get_by_label(&format!("Line {line}, column {column}: {message}"));
    assert!(
        h.query_by_label("Import")
            .is_some_and(|n| n.accesskit_node().is_disabled())
    );
}

#[test]
fn importing_matlab_code_builds_the_stack() {
    let mut h = harness();
    h.state_mut().request(AppAction::ImportMatlab);
    h.run();
    h.state_mut().matlab_import.source = "layers = [\n    sequenceInputLayer(3)\n    lstmLayer(10, 'OutputMode', 'last')\n    fullyConnectedLayer(1)\n    regressionLayer];".into();
    h.run();
    h.get_by_label("Import").click();
    h.run();
    use LayerType::*;
    assert_eq!(
        layer_types(&h),
        [SequenceInput, Lstm, FullyConnected, Regression]
    );
    assert_eq!(hidden_units(&h, 1), 10);
    match &h.state().studio.document.project.layers[0].kind {
        LayerKind::SequenceInput(s) => assert_eq!(s.input_size, 3),
        k => panic!("{k:?}"),
    }
    // One undo step back to the canonical network.
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    h.run();
    assert_eq!(
        layer_types(&h),
        [SequenceInput, Lstm, FullyConnected, Softmax, Classification]
    );
}
