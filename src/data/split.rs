//! Seeded hold-out splits for validation data. For sequence labels the split is stratified:
//! each class gives round(fraction × its count) sequences to validation (but always keeps at
//! least one for training), so class proportions are kept. For other targets it is a plain
//! seeded shuffle split. The same seed always gives the same split.

use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;

use super::{SequenceDataset, Targets};

/// Splits the sequence indices of `ds` into (training, validation), each sorted ascending,
/// with about `fraction` (clamped to 0..=1; NaN counts as 0) of the sequences in validation.
pub fn stratified_holdout(
    ds: &SequenceDataset,
    fraction: f64,
    seed: u64,
) -> (Vec<usize>, Vec<usize>) {
    let fraction = if fraction.is_nan() {
        0.0
    } else {
        fraction.clamp(0.0, 1.0)
    };
    let mut rng = StdRng::seed_from_u64(seed);
    let n = ds.len();
    let mut train = Vec::with_capacity(n);
    let mut val = Vec::new();
    match &ds.targets {
        Targets::Labels {
            class_names,
            labels,
        } => {
            let mut groups: Vec<Vec<usize>> = vec![Vec::new(); class_names.len()];
            for (i, &l) in labels.iter().enumerate().take(n) {
                if let Some(g) = groups.get_mut(l) {
                    g.push(i);
                } else {
                    train.push(i);
                }
            }
            for mut g in groups {
                g.shuffle(&mut rng);
                let take =
                    ((g.len() as f64 * fraction).round() as usize).min(g.len().saturating_sub(1));
                val.extend_from_slice(&g[..take]);
                train.extend_from_slice(&g[take..]);
            }
        }
        _ => {
            let mut all: Vec<usize> = (0..n).collect();
            all.shuffle(&mut rng);
            let take = ((n as f64 * fraction).round() as usize).min(n);
            val.extend_from_slice(&all[..take]);
            train.extend_from_slice(&all[take..]);
        }
    }
    train.sort_unstable();
    val.sort_unstable();
    (train, val)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::data::Sequence;

    fn labelled(counts: &[usize]) -> SequenceDataset {
        let labels: Vec<usize> = counts
            .iter()
            .enumerate()
            .flat_map(|(k, &c)| std::iter::repeat_n(k, c))
            .collect();
        SequenceDataset {
            name: "s".into(),
            num_features: 1,
            feature_names: vec!["x".into()],
            sequences: labels
                .iter()
                .map(|_| Sequence {
                    steps: 1,
                    values: vec![0.0],
                })
                .collect(),
            targets: Targets::Labels {
                class_names: (0..counts.len()).map(|k| k.to_string()).collect(),
                labels,
            },
        }
    }

    #[test]
    fn stratified_keeps_class_proportions() {
        let ds = labelled(&[30, 10, 60]);
        let (train, val) = stratified_holdout(&ds, 0.2, 7);
        assert_eq!((train.len(), val.len()), (80, 20));
        let Targets::Labels { labels, .. } = &ds.targets else {
            unreachable!()
        };
        let per_class = |idx: &[usize], k| idx.iter().filter(|&&i| labels[i] == k).count();
        assert_eq!(
            [per_class(&val, 0), per_class(&val, 1), per_class(&val, 2)],
            [6, 2, 12]
        );
        let mut all: Vec<usize> = train.iter().chain(&val).copied().collect();
        all.sort_unstable();
        assert_eq!(all, (0..100).collect::<Vec<_>>());
    }

    #[test]
    fn same_seed_same_split_and_other_seed_differs() {
        let ds = labelled(&[50, 50]);
        assert_eq!(
            stratified_holdout(&ds, 0.3, 1),
            stratified_holdout(&ds, 0.3, 1)
        );
        assert_ne!(
            stratified_holdout(&ds, 0.3, 1).1,
            stratified_holdout(&ds, 0.3, 2).1
        );
    }

    #[test]
    fn a_class_of_one_stays_in_training_and_regression_is_shuffled() {
        let ds = labelled(&[1, 4]);
        let (train, val) = stratified_holdout(&ds, 0.5, 3);
        assert!(train.contains(&0));
        assert_eq!(val.len(), 2);
        let mut reg = labelled(&[10]);
        reg.targets = Targets::Responses {
            names: vec!["y".into()],
            values: vec![vec![0.0]; 10],
        };
        let (train, val) = stratified_holdout(&reg, 0.25, 3);
        assert_eq!((train.len(), val.len()), (7, 3));
        assert_eq!(stratified_holdout(&reg, f64::NAN, 3).1.len(), 0);
    }
}
