//! Mini-batches: sequences of a data set turned into right-padded tensors `[B, T, C]` with
//! their lengths and targets, after the SequenceLength option ('longest' pads, 'shortest'
//! truncates, N splits into chunks whose state is carried from one to the next).
//!
//! Padding never changes an output (the kernels stop each sequence at its last real step), so
//! SequencePaddingValue and SequencePaddingDirection only matter where MATLAB truncates or
//! splits: with 'left', truncation keeps a sequence's LAST steps and chunks are aligned to the
//! end of the longest sequence.

use tch::{Device, Kind, Tensor};

use crate::data::{SequenceDataset, Targets};
use crate::spec::{PaddingDirection, SequenceLength};

/// Targets of a mini-batch, on the device.
pub enum BatchTarget {
    None,
    /// `[B]` class indices.
    Labels(Tensor),
    /// `[B, T]` class indices, -100 at padding.
    StepLabels(Tensor),
    /// `[B, R]`.
    Responses(Tensor),
    /// `[B, T, R]` with a `[B, T]` mask of real steps.
    StepResponses(Tensor, Tensor),
}

/// One piece of a mini-batch.
pub struct Batch {
    /// `[B, T, C]`, right-padded.
    pub x: Tensor,
    /// Real lengths within this piece (≥ 1).
    pub lengths: Vec<i64>,
    /// Per-sequence targets for 'last' networks are set only on the piece holding the
    /// sequence's final step (`ends_here`).
    pub target: BatchTarget,
    /// Positions (within the mini-batch) of the sequences in this piece.
    pub rows: Vec<usize>,
    /// Whether each sequence's last real step is in this piece.
    pub ends_here: Vec<bool>,
}

/// The start and length of the part of a sequence that is used under SequenceLength
/// 'shortest' (the others use everything).
fn window(steps: usize, keep: usize, dir: PaddingDirection) -> (usize, usize) {
    let keep = keep.min(steps);
    match dir {
        PaddingDirection::Right => (0, keep),
        PaddingDirection::Left => (steps - keep, keep),
    }
}

/// Builds the pieces of one mini-batch of `indices` of `ds`.
pub fn make_batches(
    ds: &SequenceDataset,
    indices: &[usize],
    sequence_length: SequenceLength,
    direction: PaddingDirection,
    padding_value: f64,
    device: Device,
) -> Vec<Batch> {
    let c = ds.num_features;
    let lens: Vec<usize> = indices.iter().map(|&i| ds.sequences[i].steps).collect();
    let longest = lens.iter().copied().max().unwrap_or(0);
    let shortest = lens.iter().copied().min().unwrap_or(0);
    // (start, length) used of each sequence
    let windows: Vec<(usize, usize)> = lens
        .iter()
        .map(|&l| match sequence_length {
            SequenceLength::Shortest => window(l, shortest, direction),
            _ => (0, l),
        })
        .collect();
    let chunk = match sequence_length {
        SequenceLength::Fixed(n) if n > 0 => n,
        _ => longest.max(1),
    };
    let used_longest = windows.iter().map(|w| w.1).max().unwrap_or(0);
    let pieces = used_longest.div_ceil(chunk).max(1);
    let mut out = Vec::with_capacity(pieces);
    for p in 0..pieces {
        // Piece p covers steps [p·chunk, (p+1)·chunk) of each (used part of a) sequence; with
        // left direction, chunks are aligned so that every sequence ends in the last piece.
        let mut rows = Vec::new();
        let mut ranges = Vec::new();
        for (row, &(start, len)) in windows.iter().enumerate() {
            let (from, to) = match (direction, sequence_length) {
                (PaddingDirection::Left, SequenceLength::Fixed(_)) => {
                    let offset = pieces * chunk - len; // virtual left padding
                    let a = (p * chunk).saturating_sub(offset).min(len);
                    let b = ((p + 1) * chunk).saturating_sub(offset).min(len);
                    (a, b)
                }
                _ => ((p * chunk).min(len), ((p + 1) * chunk).min(len)),
            };
            if to > from {
                rows.push(row);
                ranges.push((start + from, to - from, to == len));
            }
        }
        if rows.is_empty() {
            continue;
        }
        let t = ranges.iter().map(|r| r.1).max().unwrap_or(1);
        let b = rows.len();
        let mut x = vec![padding_value as f32; b * t * c];
        for (k, (&row, &(from, n, _))) in rows.iter().zip(&ranges).enumerate() {
            let s = &ds.sequences[indices[row]];
            let src = &s.values[from * c..(from + n) * c];
            x[k * t * c..k * t * c + n * c].copy_from_slice(src);
        }
        let lengths: Vec<i64> = ranges.iter().map(|r| r.1 as i64).collect();
        let ends_here: Vec<bool> = ranges.iter().map(|r| r.2).collect();
        let target = match &ds.targets {
            Targets::None => BatchTarget::None,
            Targets::Labels { labels, .. } => {
                let v: Vec<i64> = rows.iter().map(|&r| labels[indices[r]] as i64).collect();
                BatchTarget::Labels(Tensor::from_slice(&v).to_device(device))
            }
            Targets::StepLabels { labels, .. } => {
                let mut v = vec![-100i64; b * t];
                for (k, (&row, &(from, n, _))) in rows.iter().zip(&ranges).enumerate() {
                    for s in 0..n {
                        v[k * t + s] = labels[indices[row]][from + s] as i64;
                    }
                }
                BatchTarget::StepLabels(
                    Tensor::from_slice(&v)
                        .view([b as i64, t as i64])
                        .to_device(device),
                )
            }
            Targets::Responses { values, .. } => {
                let r = values.first().map(Vec::len).unwrap_or(0);
                let v: Vec<f32> = rows
                    .iter()
                    .flat_map(|&row| values[indices[row]].iter().copied())
                    .collect();
                BatchTarget::Responses(
                    Tensor::from_slice(&v)
                        .view([b as i64, r as i64])
                        .to_device(device),
                )
            }
            Targets::StepResponses { values, names } => {
                let r = names.len().max(1);
                let mut v = vec![0f32; b * t * r];
                let mut m = vec![0f32; b * t];
                for (k, (&row, &(from, n, _))) in rows.iter().zip(&ranges).enumerate() {
                    let src = &values[indices[row]];
                    v[k * t * r..k * t * r + n * r].copy_from_slice(&src[from * r..(from + n) * r]);
                    for s in 0..n {
                        m[k * t + s] = 1.0;
                    }
                }
                BatchTarget::StepResponses(
                    Tensor::from_slice(&v)
                        .view([b as i64, t as i64, r as i64])
                        .to_device(device),
                    Tensor::from_slice(&m)
                        .view([b as i64, t as i64])
                        .to_device(device),
                )
            }
        };
        let x = Tensor::from_slice(&x)
            .view([b as i64, t as i64, c as i64])
            .to_device(device)
            .to_kind(Kind::Float);
        out.push(Batch {
            x,
            lengths,
            target,
            rows,
            ends_here,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::Sequence;

    fn ds(lens: &[usize]) -> SequenceDataset {
        SequenceDataset {
            name: "t".into(),
            num_features: 1,
            feature_names: vec!["x".into()],
            sequences: lens
                .iter()
                .map(|&l| Sequence {
                    steps: l,
                    values: (0..l).map(|v| v as f32 + 1.0).collect(),
                })
                .collect(),
            targets: Targets::Labels {
                class_names: vec!["a".into()],
                labels: vec![0; lens.len()],
            },
        }
    }

    #[test]
    fn longest_pads_to_the_longest() {
        let b = make_batches(
            &ds(&[3, 5]),
            &[0, 1],
            SequenceLength::Longest,
            PaddingDirection::Right,
            0.0,
            Device::Cpu,
        );
        assert_eq!(b.len(), 1);
        assert_eq!(b[0].x.size(), [2, 5, 1]);
        assert_eq!(b[0].lengths, [3, 5]);
    }

    #[test]
    fn shortest_truncates_from_the_padding_side() {
        let right = make_batches(
            &ds(&[3, 5]),
            &[0, 1],
            SequenceLength::Shortest,
            PaddingDirection::Right,
            0.0,
            Device::Cpu,
        );
        let v: Vec<f32> = Vec::try_from(right[0].x.flatten(0, -1)).unwrap();
        assert_eq!(v, [1., 2., 3., 1., 2., 3.]);
        let left = make_batches(
            &ds(&[3, 5]),
            &[0, 1],
            SequenceLength::Shortest,
            PaddingDirection::Left,
            0.0,
            Device::Cpu,
        );
        let v: Vec<f32> = Vec::try_from(left[0].x.flatten(0, -1)).unwrap();
        assert_eq!(v, [1., 2., 3., 3., 4., 5.]);
    }

    #[test]
    fn fixed_length_splits_into_chunks() {
        let b = make_batches(
            &ds(&[3, 5]),
            &[0, 1],
            SequenceLength::Fixed(2),
            PaddingDirection::Right,
            0.0,
            Device::Cpu,
        );
        assert_eq!(b.len(), 3);
        assert_eq!(b[1].lengths, [1, 2]);
        assert_eq!(b[1].ends_here, [true, false]);
        assert_eq!(b[2].rows, [1]);
        assert_eq!(b[2].lengths, [1]);
    }
}
