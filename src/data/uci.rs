//! The raw UCI Japanese Vowels text format (`ae.train`, `ae.test`): blocks of rows of 12 LPC
//! cepstrum coefficients separated by blank lines, one block per utterance. The speaker is
//! given only by block order: the training file has 30 blocks for each of the 9 speakers, the
//! test file 31 35 88 44 29 24 40 50 29. The reader takes those block counts and produces
//! sequence labels with class names "1".."9" (one per entry of the counts).

use std::path::Path;

use super::{DataError, Sequence, SequenceDataset, Targets, display_name, stem_name};

/// Blocks per speaker in `ae.train`.
pub const UCI_TRAIN_BLOCKS: [usize; 9] = [30; 9];
/// Blocks per speaker in `ae.test`.
pub const UCI_TEST_BLOCKS: [usize; 9] = [31, 35, 88, 44, 29, 24, 40, 50, 29];

/// Reads a raw UCI Japanese Vowels file. Without `block_counts`, a file of 270 blocks is taken
/// as `ae.train` and one of 370 blocks as `ae.test`.
pub fn read_uci_vowels(
    path: &Path,
    block_counts: Option<&[usize]>,
) -> Result<SequenceDataset, DataError> {
    let bytes = std::fs::read(path).map_err(|e| DataError::io(path, e))?;
    let name = display_name(path);
    let text = super::ts::utf8_text(&bytes, &name)?;
    let mut ds = parse_uci_vowels(text, &name, block_counts)?;
    ds.name = stem_name(path);
    Ok(ds)
}

/// Parses raw UCI Japanese Vowels text. `block_counts[k]` blocks in a row belong to speaker
/// `k + 1`; `None` recognises the standard training and test files by their block count.
pub fn parse_uci_vowels(
    text: &str,
    source_name: &str,
    block_counts: Option<&[usize]>,
) -> Result<SequenceDataset, DataError> {
    let mut sequences: Vec<Sequence> = Vec::new();
    let mut current: Vec<f32> = Vec::new();
    let mut steps = 0usize;
    let mut width: Option<usize> = None;
    for (i, raw) in text.lines().enumerate() {
        let line_no = i as u64 + 1;
        let line = raw.trim();
        if line.is_empty() {
            if steps > 0 {
                sequences.push(Sequence {
                    steps,
                    values: std::mem::take(&mut current),
                });
                steps = 0;
            }
            continue;
        }
        let mut n = 0usize;
        for (k, word) in line.split_whitespace().enumerate() {
            match word.parse::<f32>() {
                Ok(x) if x.is_finite() => current.push(x),
                _ => {
                    return Err(DataError::at_line(
                        source_name,
                        line_no,
                        format!("value {}: {word:?} is not a number", k + 1),
                    ));
                }
            }
            n += 1;
        }
        match width {
            None => width = Some(n),
            Some(w) if w != n => {
                return Err(DataError::at_line(
                    source_name,
                    line_no,
                    format!("the row has {n} values but the first row has {w}"),
                ));
            }
            Some(_) => {}
        }
        steps += 1;
    }
    if steps > 0 {
        sequences.push(Sequence {
            steps,
            values: current,
        });
    }
    let Some(num_features) = width else {
        return Err(DataError::in_file(source_name, "the file is empty"));
    };
    let counts: &[usize] = match block_counts {
        Some(c) => c,
        None if sequences.len() == UCI_TRAIN_BLOCKS.iter().sum::<usize>() => &UCI_TRAIN_BLOCKS,
        None if sequences.len() == UCI_TEST_BLOCKS.iter().sum::<usize>() => &UCI_TEST_BLOCKS,
        None => {
            return Err(DataError::in_file(
                source_name,
                format!(
                    "{} blocks: neither the UCI training file (270) nor the test file (370); give the blocks per speaker",
                    sequences.len()
                ),
            ));
        }
    };
    let expected = counts.iter().try_fold(0usize, |a, &b| a.checked_add(b));
    if expected != Some(sequences.len()) {
        return Err(DataError::in_file(
            source_name,
            format!(
                "{} blocks but the blocks per speaker ({}) add up to {}",
                sequences.len(),
                counts
                    .iter()
                    .map(|c| c.to_string())
                    .collect::<Vec<_>>()
                    .join(" "),
                expected.map_or_else(|| "too many".to_owned(), |e| e.to_string())
            ),
        ));
    }
    let labels = counts
        .iter()
        .enumerate()
        .flat_map(|(k, &n)| std::iter::repeat_n(k, n))
        .collect();
    Ok(SequenceDataset {
        name: stem_name(Path::new(source_name)),
        num_features,
        feature_names: super::default_feature_names("LPC", num_features),
        sequences,
        targets: Targets::Labels {
            class_names: (1..=counts.len()).map(|k| k.to_string()).collect(),
            labels,
        },
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    /// The UCI text of a data set: one row per step, a blank line after each block.
    fn to_uci(ds: &SequenceDataset) -> String {
        let mut s = String::new();
        for seq in &ds.sequences {
            for row in seq.values.chunks(ds.num_features) {
                let words: Vec<String> = row.iter().map(|v| v.to_string()).collect();
                s.push_str(&words.join(" "));
                s.push_str(" \n");
            }
            s.push('\n');
        }
        s
    }

    #[test]
    fn reads_uci_text_generated_from_the_ts_files() {
        for (text, n) in [
            (
                include_str!("../../assets/data/JapaneseVowels_TRAIN.ts"),
                270,
            ),
            (
                include_str!("../../assets/data/JapaneseVowels_TEST.ts"),
                370,
            ),
        ] {
            let ts = crate::data::parse_ts(text, "jv.ts").unwrap();
            let uci = parse_uci_vowels(&to_uci(&ts), "ae.train", None).unwrap();
            assert_eq!(uci.len(), n);
            assert_eq!(uci.num_features, 12);
            assert_eq!(uci.sequences, ts.sequences);
            assert_eq!(uci.targets, ts.targets);
        }
    }

    #[test]
    fn explicit_block_counts_label_blocks_in_order() {
        let text = "1 2\n3 4\n\n5 6\n\n7 8\n";
        let ds = parse_uci_vowels(text, "mini.txt", Some(&[2, 1])).unwrap();
        assert_eq!(ds.sequences[0].values, vec![1.0, 2.0, 3.0, 4.0]);
        assert_eq!(
            ds.targets,
            Targets::Labels {
                class_names: vec!["1".into(), "2".into()],
                labels: vec![0, 0, 1]
            }
        );
        let err = parse_uci_vowels(text, "mini.txt", Some(&[2, 2]))
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "mini.txt: 3 blocks but the blocks per speaker (2 2) add up to 4"
        );
    }

    #[test]
    fn ragged_rows_and_bad_numbers_name_the_line() {
        let err = parse_uci_vowels("1 2\n3\n", "ae.train", Some(&[1]))
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "ae.train:2: the row has 1 values but the first row has 2"
        );
        let err = parse_uci_vowels("1 x\n", "ae.train", Some(&[1]))
            .unwrap_err()
            .to_string();
        assert_eq!(err, "ae.train:1: value 2: \"x\" is not a number");
        let err = parse_uci_vowels("\n\n", "ae.train", None)
            .unwrap_err()
            .to_string();
        assert_eq!(err, "ae.train: the file is empty");
    }
}
