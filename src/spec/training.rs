//! Training options: MATLAB's trainingOptions, every entry of the reference's §4 with its
//! default, as plain serde data with validation.

use serde::{Deserialize, Serialize};

use super::layers::format_number;

/// The solver (trainingOptions' first argument).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Solver {
    /// Stochastic gradient descent with momentum.
    Sgdm,
    #[default]
    Adam,
    Rmsprop,
}

/// Shuffle.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Shuffle {
    #[default]
    Once,
    Never,
    EveryEpoch,
}

/// LearnRateSchedule.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum LearnRateSchedule {
    #[default]
    None,
    /// Multiply by LearnRateDropFactor every LearnRateDropPeriod epochs.
    Piecewise,
}

/// GradientThresholdMethod.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum GradientThresholdMethod {
    /// Each learnable's gradient is scaled so its L2 norm is at most the threshold.
    #[default]
    L2norm,
    /// All gradients scaled together so their joint L2 norm is at most the threshold.
    GlobalL2norm,
    /// Each element clipped to [-threshold, threshold].
    AbsoluteValue,
}

/// SequenceLength: how a mini-batch's sequences are brought to one length.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum SequenceLength {
    /// Pad to the longest sequence of the mini-batch.
    #[default]
    Longest,
    /// Truncate to the shortest sequence of the mini-batch.
    Shortest,
    /// Split into chunks of this many steps; the state is carried across chunks.
    Fixed(usize),
}

/// SequencePaddingDirection.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum PaddingDirection {
    #[default]
    Right,
    Left,
}

/// OutputNetwork.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum OutputNetwork {
    #[default]
    LastIteration,
    BestValidationLoss,
}

/// ExecutionEnvironment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum ExecutionEnvironment {
    /// A GPU if one is available, else the CPU.
    #[default]
    Auto,
    Cpu,
    Gpu,
}

/// trainingOptions. `None` for InitialLearnRate / SquaredGradientDecayFactor means the solver's
/// default (MATLAB's defaults differ by solver).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TrainingOptions {
    pub solver: Solver,
    pub initial_learn_rate: Option<f64>,
    pub momentum: f64,
    pub gradient_decay_factor: f64,
    pub squared_gradient_decay_factor: Option<f64>,
    pub epsilon: f64,
    pub max_epochs: usize,
    pub mini_batch_size: usize,
    pub shuffle: Shuffle,
    pub learn_rate_schedule: LearnRateSchedule,
    pub learn_rate_drop_factor: f64,
    pub learn_rate_drop_period: usize,
    pub l2_regularization: f64,
    /// GradientThreshold; `f64::INFINITY` (MATLAB's Inf) disables clipping.
    pub gradient_threshold: f64,
    pub gradient_threshold_method: GradientThresholdMethod,
    pub sequence_length: SequenceLength,
    pub sequence_padding_value: f64,
    pub sequence_padding_direction: PaddingDirection,
    pub validation_frequency: usize,
    /// ValidationPatience; `None` is Inf (no early stop).
    pub validation_patience: Option<usize>,
    pub output_network: OutputNetwork,
    pub execution_environment: ExecutionEnvironment,
    /// CheckpointPath; empty = no checkpoints.
    pub checkpoint_path: String,
    pub verbose: bool,
    pub verbose_frequency: usize,
    /// Plots: 'training-progress' draws the live charts.
    pub plots_training_progress: bool,
    /// Seed of every random choice (initializers, shuffles, dropout): same seed and device ⇒
    /// the same metrics.
    pub seed: u64,
    /// Sort each mini-batch's candidates by length to cut padding (studio extension; default
    /// false = MATLAB's behaviour).
    pub sort_by_length: bool,
    /// Fraction of the training data held out for validation when no validation set is given
    /// (studio extension; 0 = none).
    pub validation_fraction: f64,
}

impl Default for TrainingOptions {
    fn default() -> Self {
        Self {
            solver: Solver::Adam,
            initial_learn_rate: None,
            momentum: 0.9,
            gradient_decay_factor: 0.9,
            squared_gradient_decay_factor: None,
            epsilon: 1e-8,
            max_epochs: 30,
            mini_batch_size: 128,
            shuffle: Shuffle::Once,
            learn_rate_schedule: LearnRateSchedule::None,
            learn_rate_drop_factor: 0.1,
            learn_rate_drop_period: 10,
            l2_regularization: 1e-4,
            gradient_threshold: f64::INFINITY,
            gradient_threshold_method: GradientThresholdMethod::L2norm,
            sequence_length: SequenceLength::Longest,
            sequence_padding_value: 0.0,
            sequence_padding_direction: PaddingDirection::Right,
            validation_frequency: 50,
            validation_patience: None,
            output_network: OutputNetwork::LastIteration,
            execution_environment: ExecutionEnvironment::Auto,
            checkpoint_path: String::new(),
            verbose: true,
            verbose_frequency: 50,
            plots_training_progress: true,
            seed: 0,
            sort_by_length: false,
            validation_fraction: 0.0,
        }
    }
}

impl TrainingOptions {
    /// MATLAB's defaults for a solver.
    pub fn for_solver(solver: Solver) -> Self {
        Self {
            solver,
            ..Self::default()
        }
    }

    /// InitialLearnRate in effect: 0.01 for sgdm, 0.001 for adam and rmsprop unless set.
    pub fn learn_rate(&self) -> f64 {
        self.initial_learn_rate.unwrap_or(match self.solver {
            Solver::Sgdm => 0.01,
            Solver::Adam | Solver::Rmsprop => 0.001,
        })
    }

    /// SquaredGradientDecayFactor in effect: 0.999 for adam, 0.9 for rmsprop unless set.
    pub fn squared_gradient_decay(&self) -> f64 {
        self.squared_gradient_decay_factor
            .unwrap_or(match self.solver {
                Solver::Rmsprop => 0.9,
                _ => 0.999,
            })
    }

    /// The learning rate of an epoch (1-based) under the schedule.
    pub fn learn_rate_at_epoch(&self, epoch: usize) -> f64 {
        match self.learn_rate_schedule {
            LearnRateSchedule::None => self.learn_rate(),
            LearnRateSchedule::Piecewise => {
                let drops = (epoch.saturating_sub(1)) / self.learn_rate_drop_period.max(1);
                self.learn_rate() * self.learn_rate_drop_factor.powi(drops as i32)
            }
        }
    }

    /// Every invalid option as "Name must …, got …".
    pub fn validate(&self) -> Vec<String> {
        let mut e = Vec::new();
        let mut check = |ok: bool, name: &str, rule: &str, got: String| {
            if !ok {
                e.push(format!("{name} must be {rule}, got {got}"));
            }
        };
        let lr = self.learn_rate();
        check(
            lr.is_finite() && lr > 0.0,
            "InitialLearnRate",
            "a positive number",
            format_number(lr),
        );
        let unit = |v: f64| (0.0..1.0).contains(&v);
        check(
            unit(self.momentum),
            "Momentum",
            "in [0, 1)",
            format_number(self.momentum),
        );
        check(
            unit(self.gradient_decay_factor),
            "GradientDecayFactor",
            "in [0, 1)",
            format_number(self.gradient_decay_factor),
        );
        let sq = self.squared_gradient_decay();
        check(
            unit(sq),
            "SquaredGradientDecayFactor",
            "in [0, 1)",
            format_number(sq),
        );
        check(
            self.epsilon > 0.0 && self.epsilon.is_finite(),
            "Epsilon",
            "a positive number",
            format_number(self.epsilon),
        );
        check(
            self.max_epochs > 0,
            "MaxEpochs",
            "a positive integer",
            self.max_epochs.to_string(),
        );
        check(
            self.mini_batch_size > 0,
            "MiniBatchSize",
            "a positive integer",
            self.mini_batch_size.to_string(),
        );
        check(
            self.learn_rate_drop_factor.is_finite()
                && (0.0..=1.0).contains(&self.learn_rate_drop_factor),
            "LearnRateDropFactor",
            "in [0, 1]",
            format_number(self.learn_rate_drop_factor),
        );
        check(
            self.learn_rate_drop_period > 0,
            "LearnRateDropPeriod",
            "a positive integer",
            self.learn_rate_drop_period.to_string(),
        );
        check(
            self.l2_regularization.is_finite() && self.l2_regularization >= 0.0,
            "L2Regularization",
            "a nonnegative number",
            format_number(self.l2_regularization),
        );
        check(
            self.gradient_threshold > 0.0,
            "GradientThreshold",
            "a positive number or Inf",
            format_number(self.gradient_threshold),
        );
        if let SequenceLength::Fixed(n) = self.sequence_length {
            check(
                n > 0,
                "SequenceLength",
                "'longest', 'shortest' or a positive integer",
                n.to_string(),
            );
        }
        check(
            self.sequence_padding_value.is_finite(),
            "SequencePaddingValue",
            "a finite number",
            format_number(self.sequence_padding_value),
        );
        check(
            self.validation_frequency > 0,
            "ValidationFrequency",
            "a positive integer",
            self.validation_frequency.to_string(),
        );
        if let Some(p) = self.validation_patience {
            check(
                p > 0,
                "ValidationPatience",
                "a positive integer or Inf",
                p.to_string(),
            );
        }
        check(
            self.verbose_frequency > 0,
            "VerboseFrequency",
            "a positive integer",
            self.verbose_frequency.to_string(),
        );
        check(
            (0.0..1.0).contains(&self.validation_fraction),
            "ValidationFraction",
            "in [0, 1)",
            format_number(self.validation_fraction),
        );
        e
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_follow_the_solver() {
        assert_eq!(TrainingOptions::for_solver(Solver::Sgdm).learn_rate(), 0.01);
        assert_eq!(
            TrainingOptions::for_solver(Solver::Adam).learn_rate(),
            0.001
        );
        assert_eq!(
            TrainingOptions::for_solver(Solver::Rmsprop).squared_gradient_decay(),
            0.9
        );
        assert_eq!(
            TrainingOptions::for_solver(Solver::Adam).squared_gradient_decay(),
            0.999
        );
    }

    #[test]
    fn piecewise_schedule_drops_every_period() {
        let o = TrainingOptions {
            learn_rate_schedule: LearnRateSchedule::Piecewise,
            learn_rate_drop_period: 10,
            learn_rate_drop_factor: 0.1,
            ..TrainingOptions::for_solver(Solver::Sgdm)
        };
        assert!((o.learn_rate_at_epoch(10) - 0.01).abs() < 1e-15);
        assert!((o.learn_rate_at_epoch(11) - 0.001).abs() < 1e-15);
        assert!((o.learn_rate_at_epoch(21) - 0.0001).abs() < 1e-15);
    }

    #[test]
    fn invalid_options_are_named() {
        let o = TrainingOptions {
            momentum: 1.0,
            mini_batch_size: 0,
            ..TrainingOptions::default()
        };
        let e = o.validate();
        assert!(
            e.contains(&"Momentum must be in [0, 1), got 1".to_string()),
            "{e:?}"
        );
        assert!(
            e.contains(&"MiniBatchSize must be a positive integer, got 0".to_string()),
            "{e:?}"
        );
    }
}
