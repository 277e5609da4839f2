//! The trainingOptions form: every option of the reference's §4 under its MATLAB name, with
//! help text on hover. It edits a copy of the options; the Training area applies a changed
//! copy through the undoable document edit and shows `TrainingOptions::validate` messages.

use crate::spec::{
    ExecutionEnvironment, GradientThresholdMethod, LearnRateSchedule, OutputNetwork,
    PaddingDirection, SequenceLength, Shuffle, Solver, TrainingOptions,
};

fn row(ui: &mut egui::Ui, name: &str, help: &str, add: impl FnOnce(&mut egui::Ui) -> bool) -> bool {
    ui.label(name).on_hover_text(help);
    let changed = ui.horizontal(add).inner;
    ui.end_row();
    changed
}

fn combo<T: PartialEq + Copy>(
    ui: &mut egui::Ui,
    id: &str,
    value: &mut T,
    options: &[(T, &str)],
) -> bool {
    let current = options
        .iter()
        .find(|(v, _)| v == value)
        .map_or("?", |(_, n)| n);
    let mut changed = false;
    egui::ComboBox::from_id_salt(id)
        .selected_text(format!("'{current}'"))
        .show_ui(ui, |ui| {
            for (v, n) in options {
                if ui.selectable_label(value == v, format!("'{n}'")).clicked() && value != v {
                    *value = *v;
                    changed = true;
                }
            }
        });
    changed
}

fn number(ui: &mut egui::Ui, v: &mut f64, speed: f64) -> bool {
    ui.add(egui::DragValue::new(v).speed(speed).max_decimals(8))
        .changed()
}

fn count(ui: &mut egui::Ui, v: &mut usize) -> bool {
    ui.add(egui::DragValue::new(v).speed(0.2)).changed()
}

/// Draws the form; returns whether an option changed.
pub fn training_options_ui(ui: &mut egui::Ui, o: &mut TrainingOptions) -> bool {
    let mut changed = false;
    ui.strong("Solver");
    egui::Grid::new("opts-solver").num_columns(2).spacing([10.0, 3.0]).striped(true).show(ui, |ui| {
        changed |= row(ui, "solverName", "The optimizer: 'sgdm' (stochastic gradient descent with momentum), 'adam' or 'rmsprop'.", |ui| {
            combo(ui, "solver", &mut o.solver, &[(Solver::Sgdm, "sgdm"), (Solver::Adam, "adam"), (Solver::Rmsprop, "rmsprop")])
        });
        changed |= row(ui, "InitialLearnRate", "Step size at the start of training. Default 0.01 for sgdm, 0.001 for adam and rmsprop.", |ui| {
            let mut custom = o.initial_learn_rate.is_some();
            let mut c = false;
            if ui.checkbox(&mut custom, "set").on_hover_text("Unchecked: the solver's default").changed() {
                o.initial_learn_rate = custom.then(|| o.learn_rate());
                c = true;
            }
            match &mut o.initial_learn_rate {
                Some(v) => c |= number(ui, v, 1e-4),
                None => {
                    ui.weak(format!("default {}", crate::spec::layers::format_number(o.learn_rate())));
                }
            }
            c
        });
        if o.solver == Solver::Sgdm {
            changed |= row(ui, "Momentum", "Contribution of the previous step to the current one (sgdm), in [0, 1). Default 0.9.", |ui| number(ui, &mut o.momentum, 0.01));
        }
        if o.solver == Solver::Adam {
            changed |= row(ui, "GradientDecayFactor", "Decay rate of the gradient moving average (adam), in [0, 1). Default 0.9.", |ui| {
                number(ui, &mut o.gradient_decay_factor, 0.001)
            });
        }
        if o.solver != Solver::Sgdm {
            changed |= row(ui, "SquaredGradientDecayFactor", "Decay rate of the squared-gradient moving average, in [0, 1). Default 0.999 adam, 0.9 rmsprop.", |ui| {
                let mut custom = o.squared_gradient_decay_factor.is_some();
                let mut c = false;
                if ui.checkbox(&mut custom, "set").changed() {
                    o.squared_gradient_decay_factor = custom.then(|| o.squared_gradient_decay());
                    c = true;
                }
                match &mut o.squared_gradient_decay_factor {
                    Some(v) => c |= number(ui, v, 0.0001),
                    None => {
                        ui.weak(format!("default {}", o.squared_gradient_decay()));
                    }
                }
                c
            });
            changed |= row(ui, "Epsilon", "Denominator offset of adam and rmsprop, positive. Default 1e-8.", |ui| number(ui, &mut o.epsilon, 1e-9));
        }
        changed |= row(ui, "L2Regularization", "Weight decay factor, nonnegative. Default 1e-4.", |ui| number(ui, &mut o.l2_regularization, 1e-5));
        changed |= row(ui, "GradientThreshold", "Gradients are clipped above this value; Inf = no clipping (default).", |ui| {
            let mut inf = o.gradient_threshold.is_infinite();
            let mut c = false;
            if ui.checkbox(&mut inf, "Inf").changed() {
                o.gradient_threshold = if inf { f64::INFINITY } else { 1.0 };
                c = true;
            }
            if !inf {
                c |= number(ui, &mut o.gradient_threshold, 0.01);
            }
            c
        });
        changed |= row(
            ui,
            "GradientThresholdMethod",
            "'l2norm': each learnable's gradient scaled on its own; 'global-l2norm': all together; 'absolute-value': element-wise clip.",
            |ui| {
                combo(
                    ui,
                    "gtm",
                    &mut o.gradient_threshold_method,
                    &[
                        (GradientThresholdMethod::L2norm, "l2norm"),
                        (GradientThresholdMethod::GlobalL2norm, "global-l2norm"),
                        (GradientThresholdMethod::AbsoluteValue, "absolute-value"),
                    ],
                )
            },
        );
    });
    ui.add_space(6.0);
    ui.strong("Epochs and mini-batches");
    egui::Grid::new("opts-epochs").num_columns(2).spacing([10.0, 3.0]).striped(true).show(ui, |ui| {
        changed |= row(ui, "MaxEpochs", "Full passes over the training data. Default 30.", |ui| count(ui, &mut o.max_epochs));
        changed |= row(ui, "MiniBatchSize", "Sequences per iteration. Default 128.", |ui| count(ui, &mut o.mini_batch_size));
        changed |= row(ui, "Shuffle", "'once' before training (default), 'never', or 'every-epoch'.", |ui| {
            combo(ui, "shuffle", &mut o.shuffle, &[(Shuffle::Once, "once"), (Shuffle::Never, "never"), (Shuffle::EveryEpoch, "every-epoch")])
        });
        changed |= row(ui, "LearnRateSchedule", "'none' or 'piecewise' (multiply by LearnRateDropFactor every LearnRateDropPeriod epochs).", |ui| {
            combo(ui, "lrs", &mut o.learn_rate_schedule, &[(LearnRateSchedule::None, "none"), (LearnRateSchedule::Piecewise, "piecewise")])
        });
        if o.learn_rate_schedule == LearnRateSchedule::Piecewise {
            changed |= row(ui, "LearnRateDropFactor", "Factor in [0, 1] applied at each drop. Default 0.1.", |ui| number(ui, &mut o.learn_rate_drop_factor, 0.01));
            changed |= row(ui, "LearnRateDropPeriod", "Epochs between drops. Default 10.", |ui| count(ui, &mut o.learn_rate_drop_period));
        }
        changed |= row(ui, "Seed", "Seed of every random choice (initializers, shuffles, dropout): same seed, same device gives same metrics.", |ui| {
            ui.add(egui::DragValue::new(&mut o.seed)).changed()
        });
    });
    ui.add_space(6.0);
    ui.strong("Sequences");
    egui::Grid::new("opts-seq").num_columns(2).spacing([10.0, 3.0]).striped(true).show(ui, |ui| {
        changed |= row(ui, "SequenceLength", "'longest' pads each mini-batch to its longest sequence; 'shortest' truncates; a number splits into pieces of that many steps.", |ui| {
            let mut kind = match o.sequence_length {
                SequenceLength::Longest => 0,
                SequenceLength::Shortest => 1,
                SequenceLength::Fixed(_) => 2,
            };
            let before = kind;
            egui::ComboBox::from_id_salt("seqlen")
                .selected_text(["'longest'", "'shortest'", "number"][kind])
                .show_ui(ui, |ui| {
                    ui.selectable_value(&mut kind, 0, "'longest'");
                    ui.selectable_value(&mut kind, 1, "'shortest'");
                    ui.selectable_value(&mut kind, 2, "number");
                });
            let mut c = kind != before;
            if c {
                o.sequence_length = match kind {
                    0 => SequenceLength::Longest,
                    1 => SequenceLength::Shortest,
                    _ => SequenceLength::Fixed(20),
                };
            }
            if let SequenceLength::Fixed(n) = &mut o.sequence_length {
                c |= count(ui, n);
            }
            c
        });
        changed |= row(ui, "SequencePaddingValue", "The value padded steps get. Default 0 (padding never changes an output here).", |ui| {
            number(ui, &mut o.sequence_padding_value, 0.1)
        });
        changed |= row(ui, "SequencePaddingDirection", "'right' (default) or 'left'.", |ui| {
            combo(ui, "paddir", &mut o.sequence_padding_direction, &[(PaddingDirection::Right, "right"), (PaddingDirection::Left, "left")])
        });
        changed |= row(ui, "SortByLength", "Studio extension: sort mini-batch candidates by length to cut padding (off = MATLAB's behaviour).", |ui| {
            ui.checkbox(&mut o.sort_by_length, "").changed()
        });
    });
    ui.add_space(6.0);
    ui.strong("Validation and output");
    egui::Grid::new("opts-val").num_columns(2).spacing([10.0, 3.0]).striped(true).show(ui, |ui| {
        changed |= row(ui, "ValidationFrequency", "Iterations between validations. Default 50.", |ui| count(ui, &mut o.validation_frequency));
        changed |= row(ui, "ValidationPatience", "Stop after this many validations without a lower loss; Inf = never (default).", |ui| {
            let mut inf = o.validation_patience.is_none();
            let mut c = false;
            if ui.checkbox(&mut inf, "Inf").changed() {
                o.validation_patience = if inf { None } else { Some(5) };
                c = true;
            }
            if let Some(p) = &mut o.validation_patience {
                c |= count(ui, p);
            }
            c
        });
        changed |= row(ui, "OutputNetwork", "'last-iteration' (default) or 'best-validation-loss'.", |ui| {
            combo(ui, "outnet", &mut o.output_network, &[(OutputNetwork::LastIteration, "last-iteration"), (OutputNetwork::BestValidationLoss, "best-validation-loss")])
        });
        changed |= row(ui, "ExecutionEnvironment", "'auto' (a GPU if available), 'cpu' or 'gpu'.", |ui| {
            combo(ui, "exec", &mut o.execution_environment, &[(ExecutionEnvironment::Auto, "auto"), (ExecutionEnvironment::Cpu, "cpu"), (ExecutionEnvironment::Gpu, "gpu")])
        });
        changed |= row(ui, "CheckpointPath", "A folder for a checkpoint every epoch (training can resume from one); empty = none.", |ui| {
            ui.add(egui::TextEdit::singleline(&mut o.checkpoint_path).desired_width(160.0).hint_text("(none)")).changed()
        });
        changed |= row(ui, "Verbose", "Print progress in the terminal (CLI).", |ui| ui.checkbox(&mut o.verbose, "").changed());
        changed |= row(ui, "VerboseFrequency", "Iterations between printed lines. Default 50.", |ui| count(ui, &mut o.verbose_frequency));
        changed |= row(ui, "Plots", "'training-progress' shows the live charts; 'none' hides them.", |ui| {
            let mut v = if o.plots_training_progress { 1 } else { 0 };
            let c = combo(ui, "plots", &mut v, &[(0, "none"), (1, "training-progress")]);
            o.plots_training_progress = v == 1;
            c
        });
    });
    changed
}
