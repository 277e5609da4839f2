//! A plain-data summary of a data set for the GUI's data panel and reports: sequence and step
//! counts, sequence lengths (min, median, max and a histogram), class counts, per-feature
//! mean/std/min/max ignoring missing values, and the number of missing values.

use serde::{Deserialize, Serialize};

use super::{SequenceDataset, Targets};

/// One bar of the sequence-length histogram: lengths in `lo..=hi`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LengthBin {
    pub lo: usize,
    pub hi: usize,
    pub count: usize,
}

/// How many sequences (or, for per-step labels, time steps) carry one class.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClassCount {
    pub name: String,
    pub count: usize,
}

/// Statistics of one feature over all time steps, ignoring missing values (all 0 when every
/// value is missing). `std` is the population standard deviation (divides by the count).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeatureSummary {
    pub name: String,
    pub mean: f32,
    pub std: f32,
    pub min: f32,
    pub max: f32,
    pub missing: usize,
}

/// Summary of a [`SequenceDataset`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DatasetSummary {
    pub name: String,
    pub num_sequences: usize,
    pub num_features: usize,
    pub total_steps: usize,
    pub length_min: usize,
    /// Median sequence length (the mean of the two middle ones for an even count).
    pub length_median: f32,
    pub length_max: usize,
    pub length_histogram: Vec<LengthBin>,
    /// In class-index order; empty without class labels.
    pub class_counts: Vec<ClassCount>,
    pub features: Vec<FeatureSummary>,
    pub missing_values: usize,
    /// "no targets", "sequence labels", ….
    pub target_kind: String,
}

impl DatasetSummary {
    /// Summarizes `ds` with at most `bins` histogram bars of equal integer width.
    pub fn of(ds: &SequenceDataset, bins: usize) -> DatasetSummary {
        let mut lengths: Vec<usize> = ds.sequences.iter().map(|s| s.steps).collect();
        lengths.sort_unstable();
        let n = lengths.len();
        let length_min = lengths.first().copied().unwrap_or(0);
        let length_max = lengths.last().copied().unwrap_or(0);
        let length_median = match n {
            0 => 0.0,
            _ if n % 2 == 1 => lengths[n / 2] as f32,
            _ => (lengths[n / 2 - 1] + lengths[n / 2]) as f32 / 2.0,
        };
        let mut length_histogram = Vec::new();
        if n > 0 && bins > 0 {
            let span = length_max - length_min + 1;
            let width = span.div_ceil(bins).max(1);
            let mut lo = length_min;
            while lo <= length_max {
                let hi = (lo + width - 1).min(length_max);
                let count = lengths.iter().filter(|&&l| l >= lo && l <= hi).count();
                length_histogram.push(LengthBin { lo, hi, count });
                lo = hi + 1;
            }
        }
        let class_counts = match &ds.targets {
            Targets::Labels {
                class_names,
                labels,
            } => count_classes(class_names, labels.iter()),
            Targets::StepLabels {
                class_names,
                labels,
            } => count_classes(class_names, labels.iter().flatten()),
            _ => Vec::new(),
        };
        let c = ds.num_features;
        let mut sum = vec![0f64; c];
        let mut sum_sq = vec![0f64; c];
        let mut count = vec![0usize; c];
        let mut min = vec![f32::INFINITY; c];
        let mut max = vec![f32::NEG_INFINITY; c];
        let mut missing = vec![0usize; c];
        for seq in &ds.sequences {
            for row in seq.values.chunks_exact(c.max(1)) {
                for (k, &v) in row.iter().enumerate().take(c) {
                    if v.is_nan() {
                        missing[k] += 1;
                        continue;
                    }
                    let x = f64::from(v);
                    sum[k] += x;
                    sum_sq[k] += x * x;
                    count[k] += 1;
                    min[k] = min[k].min(v);
                    max[k] = max[k].max(v);
                }
            }
        }
        let features = (0..c)
            .map(|k| {
                let m = count[k] as f64;
                let (mean, std, lo, hi) = if count[k] == 0 {
                    (0.0, 0.0, 0.0, 0.0)
                } else {
                    let mean = sum[k] / m;
                    let var = (sum_sq[k] / m - mean * mean).max(0.0);
                    (mean as f32, var.sqrt() as f32, min[k], max[k])
                };
                FeatureSummary {
                    name: ds.feature_names.get(k).cloned().unwrap_or_default(),
                    mean,
                    std,
                    min: lo,
                    max: hi,
                    missing: missing[k],
                }
            })
            .collect();
        DatasetSummary {
            name: ds.name.clone(),
            num_sequences: n,
            num_features: c,
            total_steps: lengths.iter().sum(),
            length_min,
            length_median,
            length_max,
            length_histogram,
            class_counts,
            features,
            missing_values: missing.iter().sum(),
            target_kind: ds.targets.kind().to_owned(),
        }
    }
}

fn count_classes<'a>(names: &[String], labels: impl Iterator<Item = &'a usize>) -> Vec<ClassCount> {
    let mut counts = vec![0usize; names.len()];
    for &l in labels {
        if let Some(c) = counts.get_mut(l) {
            *c += 1;
        }
    }
    names
        .iter()
        .zip(counts)
        .map(|(name, count)| ClassCount {
            name: name.clone(),
            count,
        })
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::data::Sequence;

    fn ds() -> SequenceDataset {
        SequenceDataset {
            name: "s".into(),
            num_features: 2,
            feature_names: vec!["a".into(), "b".into()],
            sequences: vec![
                Sequence {
                    steps: 1,
                    values: vec![1.0, 10.0],
                },
                Sequence {
                    steps: 2,
                    values: vec![3.0, f32::NAN, 5.0, 20.0],
                },
                Sequence {
                    steps: 4,
                    values: vec![0.0; 8],
                },
            ],
            targets: Targets::Labels {
                class_names: vec!["x".into(), "y".into()],
                labels: vec![1, 1, 0],
            },
        }
    }

    #[test]
    fn summary_counts_lengths_classes_and_features() {
        let s = DatasetSummary::of(&ds(), 2);
        assert_eq!((s.num_sequences, s.total_steps), (3, 7));
        assert_eq!((s.length_min, s.length_median, s.length_max), (1, 2.0, 4));
        assert_eq!(
            s.length_histogram,
            vec![
                LengthBin {
                    lo: 1,
                    hi: 2,
                    count: 2
                },
                LengthBin {
                    lo: 3,
                    hi: 4,
                    count: 1
                }
            ]
        );
        assert_eq!(
            s.class_counts[0],
            ClassCount {
                name: "x".into(),
                count: 1
            }
        );
        assert_eq!(s.class_counts[1].count, 2);
        // Feature a: 1, 3, 5, 0, 0, 0, 0 → mean 9/7.
        assert!((s.features[0].mean - 9.0 / 7.0).abs() < 1e-6);
        assert_eq!((s.features[0].min, s.features[0].max), (0.0, 5.0));
        // Feature b: 10, 20, 0, 0, 0, 0 (one missing) → mean 5, std sqrt(500/6 - 25).
        assert_eq!(s.features[1].mean, 5.0);
        assert!((s.features[1].std - (500.0f32 / 6.0 - 25.0).sqrt()).abs() < 1e-5);
        assert_eq!((s.features[1].missing, s.missing_values), (1, 1));
    }

    #[test]
    fn median_of_even_count_is_the_middle_mean() {
        let mut d = ds();
        d.sequences.push(Sequence {
            steps: 7,
            values: vec![0.0; 14],
        });
        if let Targets::Labels { labels, .. } = &mut d.targets {
            labels.push(0);
        }
        assert_eq!(DatasetSummary::of(&d, 10).length_median, 3.0);
    }
}
