//! Input normalization as MATLAB's `sequenceInputLayer` does it: statistics per feature
//! computed from the training data over all time steps, then `zscore` ((x − mean) / std),
//! `rescale-symmetric` (to [−1, 1]) or `rescale-zero-one` (to [0, 1]).
//!
//! A feature whose training std (z-score) or range (rescaling) is zero — a constant — is
//! shifted but left unscaled, as MATLAB does, so it never turns into NaN or ±Inf: z-score
//! gives x − mean, both rescalings give x − min (the constant maps to 0). Missing values (NaN)
//! are ignored by the statistics and stay NaN. `std` is the population standard deviation.

use serde::{Deserialize, Serialize};

use super::SequenceDataset;

/// How inputs are normalized (MATLAB's `Normalization` option).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Normalization {
    /// Inputs pass through unchanged.
    #[default]
    #[serde(rename = "none")]
    None,
    /// (x − mean) / std.
    #[serde(rename = "zscore")]
    ZScore,
    /// 2 (x − min) / (max − min) − 1, to [−1, 1].
    #[serde(rename = "rescale-symmetric")]
    RescaleSymmetric,
    /// (x − min) / (max − min), to [0, 1].
    #[serde(rename = "rescale-zero-one")]
    RescaleZeroOne,
}

impl Normalization {
    /// All options, for a picker.
    pub const ALL: [Normalization; 4] = [
        Normalization::None,
        Normalization::ZScore,
        Normalization::RescaleSymmetric,
        Normalization::RescaleZeroOne,
    ];

    /// MATLAB's name for the option.
    pub fn matlab_name(self) -> &'static str {
        match self {
            Normalization::None => "none",
            Normalization::ZScore => "zscore",
            Normalization::RescaleSymmetric => "rescale-symmetric",
            Normalization::RescaleZeroOne => "rescale-zero-one",
        }
    }
}

/// Per-feature statistics of the training data, over all time steps of all sequences.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct NormalizationStats {
    pub mean: Vec<f32>,
    pub std: Vec<f32>,
    pub min: Vec<f32>,
    pub max: Vec<f32>,
}

impl NormalizationStats {
    /// Computes the statistics from (training) data, ignoring missing values. A feature with
    /// no values at all gets mean 0, std 0, min 0, max 0 (and so is left unscaled).
    pub fn compute(ds: &SequenceDataset) -> NormalizationStats {
        let summary = super::stats::DatasetSummary::of(ds, 0);
        NormalizationStats {
            mean: summary.features.iter().map(|f| f.mean).collect(),
            std: summary.features.iter().map(|f| f.std).collect(),
            min: summary.features.iter().map(|f| f.min).collect(),
            max: summary.features.iter().map(|f| f.max).collect(),
        }
    }

    /// Number of features the statistics cover.
    pub fn num_features(&self) -> usize {
        self.mean.len()
    }

    /// `(offset, scale, shift)` for feature `k`: the output is `(x − offset) · scale + shift`.
    fn affine(&self, kind: Normalization, k: usize) -> (f32, f32, f32) {
        let get = |v: &[f32]| v.get(k).copied().unwrap_or(0.0);
        let usable = |d: f32| d.is_finite() && d > 0.0;
        match kind {
            Normalization::None => (0.0, 1.0, 0.0),
            Normalization::ZScore => {
                let std = get(&self.std);
                (
                    get(&self.mean),
                    if usable(std) { 1.0 / std } else { 1.0 },
                    0.0,
                )
            }
            Normalization::RescaleZeroOne | Normalization::RescaleSymmetric => {
                let (min, range) = (get(&self.min), get(&self.max) - get(&self.min));
                if !usable(range) {
                    (min, 1.0, 0.0)
                } else if kind == Normalization::RescaleZeroOne {
                    (min, 1.0 / range, 0.0)
                } else {
                    (min, 2.0 / range, -1.0)
                }
            }
        }
    }
}

/// Normalizes one value of feature `feature` (used at inference, step by step).
pub fn normalize_value(
    stats: &NormalizationStats,
    kind: Normalization,
    feature: usize,
    x: f32,
) -> f32 {
    let (offset, scale, shift) = stats.affine(kind, feature);
    (x - offset) * scale + shift
}

/// Normalizes the values of one time step in place (`step.len()` features).
pub fn normalize_step(stats: &NormalizationStats, kind: Normalization, step: &mut [f32]) {
    for (k, x) in step.iter_mut().enumerate() {
        *x = normalize_value(stats, kind, k, *x);
    }
}

/// Normalizes every value of a data set in place with statistics of the training data.
pub fn apply(stats: &NormalizationStats, kind: Normalization, ds: &mut SequenceDataset) {
    if kind == Normalization::None {
        return;
    }
    let c = ds.num_features.max(1);
    let affine: Vec<(f32, f32, f32)> = (0..c).map(|k| stats.affine(kind, k)).collect();
    for seq in &mut ds.sequences {
        for row in seq.values.chunks_exact_mut(c) {
            for (x, &(offset, scale, shift)) in row.iter_mut().zip(&affine) {
                *x = (*x - offset) * scale + shift;
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::data::{Sequence, Targets};

    fn ds() -> SequenceDataset {
        // Feature 0: 1, 3, 5 (mean 3, population std sqrt(8/3), range 4). Feature 1: constant 7.
        SequenceDataset {
            name: "n".into(),
            num_features: 2,
            feature_names: vec!["a".into(), "b".into()],
            sequences: vec![
                Sequence {
                    steps: 2,
                    values: vec![1.0, 7.0, 3.0, 7.0],
                },
                Sequence {
                    steps: 1,
                    values: vec![5.0, 7.0],
                },
            ],
            targets: Targets::None,
        }
    }

    #[test]
    fn stats_over_all_steps() {
        let s = NormalizationStats::compute(&ds());
        assert_eq!(s.mean, vec![3.0, 7.0]);
        assert!((s.std[0] - (8.0f32 / 3.0).sqrt()).abs() < 1e-6);
        assert_eq!(s.std[1], 0.0);
        assert_eq!(
            (s.min.clone(), s.max.clone()),
            (vec![1.0, 7.0], vec![5.0, 7.0])
        );
    }

    #[test]
    fn rescalings_map_training_range_and_leave_constants_unscaled() {
        let s = NormalizationStats::compute(&ds());
        let mut d = ds();
        apply(&s, Normalization::RescaleSymmetric, &mut d);
        assert_eq!(d.sequences[0].values, vec![-1.0, 0.0, 0.0, 0.0]);
        assert_eq!(d.sequences[1].values, vec![1.0, 0.0]);
        let mut d = ds();
        apply(&s, Normalization::RescaleZeroOne, &mut d);
        assert_eq!(d.sequences[0].values, vec![0.0, 0.0, 0.5, 0.0]);
        assert_eq!(
            normalize_value(&s, Normalization::RescaleZeroOne, 1, 9.0),
            2.0
        );
    }

    #[test]
    fn zscore_has_zero_mean_and_unit_std_and_no_nan_for_constants() {
        let s = NormalizationStats::compute(&ds());
        let mut d = ds();
        apply(&s, Normalization::ZScore, &mut d);
        let after = NormalizationStats::compute(&d);
        assert!(after.mean[0].abs() < 1e-6);
        assert!((after.std[0] - 1.0).abs() < 1e-6);
        assert_eq!(d.sequences[1].values[1], 0.0);
        assert!(
            d.sequences
                .iter()
                .flat_map(|q| &q.values)
                .all(|v| v.is_finite())
        );
        let mut step = [5.0, 8.0];
        normalize_step(&s, Normalization::ZScore, &mut step);
        assert_eq!(step[1], 1.0);
        assert!((step[0] - 2.0 / (8.0f32 / 3.0).sqrt()).abs() < 1e-6);
        assert!(normalize_value(&s, Normalization::ZScore, 0, f32::NAN).is_nan());
    }

    #[test]
    fn serde_names_match_matlab() {
        for n in Normalization::ALL {
            let json = serde_json::to_string(&n).unwrap();
            assert_eq!(json, format!("\"{}\"", n.matlab_name()));
            assert_eq!(serde_json::from_str::<Normalization>(&json).unwrap(), n);
        }
        assert_eq!(
            serde_json::to_string(&Normalization::RescaleSymmetric).unwrap(),
            "\"rescale-symmetric\""
        );
    }
}
