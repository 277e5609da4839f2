//! Sample data compiled into the binary (see `assets/data/CREDITS.md` for sources and
//! credit): Japanese Vowels (the default data set, as in MATLAB's LSTM examples), BasicMotions
//! and the Airline passengers series.

use super::{CsvColumns, DataError, SequenceDataset, parse_long_csv, parse_ts};

const JV_TRAIN: &str = include_str!("../../assets/data/JapaneseVowels_TRAIN.ts");
const JV_TEST: &str = include_str!("../../assets/data/JapaneseVowels_TEST.ts");
const BM_TRAIN: &str = include_str!("../../assets/data/BasicMotions_TRAIN.ts");
const BM_TEST: &str = include_str!("../../assets/data/BasicMotions_TEST.ts");
const AIRLINE: &str = include_str!("../../assets/data/Airline.csv");

/// The names [`by_name`] knows, with a one-line description each.
pub const NAMES: &[(&str, &str)] = &[
    (
        "japanese-vowels",
        "Japanese Vowels: 9 speakers, 12 LPC coefficients, lengths 7–29 (270 train / 370 test)",
    ),
    (
        "basic-motions",
        "BasicMotions: 4 activities, 6 smartwatch channels, length 100 (40 train / 40 test)",
    ),
    (
        "airline",
        "Airline passengers 1949–1960: one monthly series of 144 steps (forecasting)",
    ),
];

/// Japanese Vowels training set: 270 sequences, 12 features, 9 classes.
pub fn japanese_vowels_train() -> Result<SequenceDataset, DataError> {
    parse_ts(JV_TRAIN, "JapaneseVowels_TRAIN.ts")
}

/// Japanese Vowels test set: 370 sequences.
pub fn japanese_vowels_test() -> Result<SequenceDataset, DataError> {
    parse_ts(JV_TEST, "JapaneseVowels_TEST.ts")
}

/// BasicMotions training set: 40 sequences of 100 steps, 6 features, 4 classes.
pub fn basic_motions_train() -> Result<SequenceDataset, DataError> {
    parse_ts(BM_TRAIN, "BasicMotions_TRAIN.ts")
}

/// BasicMotions test set: 40 sequences.
pub fn basic_motions_test() -> Result<SequenceDataset, DataError> {
    parse_ts(BM_TEST, "BasicMotions_TEST.ts")
}

/// The airline passengers series: one univariate sequence of 144 monthly steps, no targets.
pub fn airline() -> Result<SequenceDataset, DataError> {
    let mut ds = parse_long_csv(AIRLINE.as_bytes(), "Airline.csv", &CsvColumns::default())?;
    ds.name = "Airline".to_owned();
    Ok(ds)
}

/// A sample data set by name (see [`NAMES`]): `(training, test)`; the airline series has no
/// separate test set. `None` for an unknown name.
pub fn by_name(
    name: &str,
) -> Option<Result<(SequenceDataset, Option<SequenceDataset>), DataError>> {
    let pair = |a: fn() -> Result<SequenceDataset, DataError>,
                b: fn() -> Result<SequenceDataset, DataError>| {
        Some(a().and_then(|train| Ok((train, Some(b()?)))))
    };
    match name {
        "japanese-vowels" => pair(japanese_vowels_train, japanese_vowels_test),
        "basic-motions" => pair(basic_motions_train, basic_motions_test),
        "airline" => Some(airline().map(|ds| (ds, None))),
        _ => None,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::data::stats::DatasetSummary;

    #[test]
    fn japanese_vowels_has_the_documented_shape() {
        let train = japanese_vowels_train().unwrap();
        assert_eq!(train.len(), 270);
        assert_eq!(train.num_features, 12);
        let s = DatasetSummary::of(&train, 10);
        assert_eq!((s.length_min, s.length_max), (7, 26));
        assert_eq!(s.class_counts.len(), 9);
        assert!(s.class_counts.iter().all(|c| c.count == 30));
        assert_eq!(train.class_names().unwrap()[0], "1");
        let mut test = japanese_vowels_test().unwrap();
        assert_eq!(test.len(), 370);
        let ts = DatasetSummary::of(&test, 10);
        assert!(ts.length_min >= 7 && ts.length_max <= 29);
        let counts: Vec<usize> = ts.class_counts.iter().map(|c| c.count).collect();
        assert_eq!(counts, crate::data::UCI_TEST_BLOCKS);
        test.check_compatible(&train).unwrap();
        test.align_classes(train.class_names().unwrap()).unwrap();
    }

    #[test]
    fn basic_motions_and_airline() {
        let (train, test) = by_name("basic-motions").unwrap().unwrap();
        assert_eq!((train.len(), train.num_features), (40, 6));
        assert!(train.sequences.iter().all(|s| s.steps == 100));
        assert_eq!(
            train.class_names().unwrap(),
            ["Standing", "Running", "Walking", "Badminton"]
        );
        assert_eq!(test.unwrap().len(), 40);
        let air = airline().unwrap();
        assert_eq!((air.len(), air.num_features), (1, 1));
        assert_eq!(air.sequences[0].steps, 144);
        assert_eq!(air.sequences[0].values[..3], [112.0, 118.0, 132.0]);
        assert_eq!(air.targets, crate::data::Targets::None);
        assert!(by_name("nope").is_none());
        for (name, _) in NAMES {
            assert!(by_name(name).unwrap().is_ok());
        }
    }
}
