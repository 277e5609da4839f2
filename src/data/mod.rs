//! Sequence data sets: the in-memory model ([`SequenceDataset`]), the loaders for the `.ts`,
//! long-form CSV, raw UCI Japanese Vowels and NumPy `.npy`/`.npz` formats, statistics,
//! MATLAB-style input normalization, stratified hold-out splits and the embedded sample data.
//!
//! This module is pure Rust (no tch, no egui): the engine turns a [`SequenceDataset`] into tensors
//! and the GUI shows its [`stats::DatasetSummary`]. Every loader reports problems as a
//! [`DataError`] naming the file, the line (and column where it helps) and the problem; no loader
//! panics or returns a partly loaded data set.

pub mod embedded;
pub mod long_csv;
pub mod normalize;
pub mod npy;
pub mod split;
pub mod stats;
pub mod ts;
pub mod uci;

use std::cmp::Ordering;
use std::fmt;
use std::path::Path;

use serde::{Deserialize, Serialize};

pub use long_csv::{
    ColumnChoice, CsvColumns, CsvTarget, TargetLevel, csv_header, parse_long_csv, read_long_csv,
    read_long_csv_with_progress, write_long_csv,
};
pub use normalize::{Normalization, NormalizationStats};
pub use npy::{parse_npy, parse_npz, read_npy, read_npz};
pub use split::stratified_holdout;
pub use stats::DatasetSummary;
pub use ts::{parse_ts, read_ts, write_ts};
pub use uci::{UCI_TEST_BLOCKS, UCI_TRAIN_BLOCKS, parse_uci_vowels, read_uci_vowels};

/// One sequence: `steps` time steps of `num_features` values each, stored time-major:
/// `values[t * num_features + c]`. A missing value is `f32::NAN`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sequence {
    /// Number of time steps.
    pub steps: usize,
    /// `steps * num_features` values, time-major.
    pub values: Vec<f32>,
}

impl Sequence {
    /// The `num_features` values of time step `t`, or `None` past the end.
    pub fn step(&self, t: usize, num_features: usize) -> Option<&[f32]> {
        let start = t.checked_mul(num_features)?;
        self.values.get(start..start.checked_add(num_features)?)
    }
}

/// What is to be predicted for each sequence (or each time step).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Targets {
    /// No targets (prediction only, or forecasting where the series is its own target).
    None,
    /// Sequence-to-label classification: one class index into `class_names` per sequence.
    Labels {
        class_names: Vec<String>,
        labels: Vec<usize>,
    },
    /// Sequence-to-sequence classification: one class index per time step.
    StepLabels {
        class_names: Vec<String>,
        labels: Vec<Vec<usize>>,
    },
    /// Sequence-to-one regression: `names.len()` values per sequence.
    Responses {
        names: Vec<String>,
        values: Vec<Vec<f32>>,
    },
    /// Sequence-to-sequence regression: per sequence `steps * names.len()` values, time-major.
    StepResponses {
        names: Vec<String>,
        values: Vec<Vec<f32>>,
    },
}

impl Targets {
    /// A short word for the kind of targets, used in messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Targets::None => "no targets",
            Targets::Labels { .. } => "sequence labels",
            Targets::StepLabels { .. } => "per-step labels",
            Targets::Responses { .. } => "sequence responses",
            Targets::StepResponses { .. } => "per-step responses",
        }
    }
}

/// A named collection of multivariate sequences with their targets.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SequenceDataset {
    /// Shown in the GUI (the `.ts` problem name or the file stem).
    pub name: String,
    /// Values per time step (C).
    pub num_features: usize,
    /// One name per feature.
    pub feature_names: Vec<String>,
    /// The sequences.
    pub sequences: Vec<Sequence>,
    /// One target entry per sequence (or none).
    pub targets: Targets,
}

/// Where in a file a problem was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// File name (or the source name given to a `parse_*` function).
    pub file: String,
    /// 1-based line, when the problem is on one line.
    pub line: Option<u64>,
    /// 1-based column or a column name, when it helps.
    pub column: Option<String>,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        match &self.column {
            Some(c) if !c.is_empty() && c.bytes().all(|b| b.is_ascii_digit()) => write!(f, ":{c}")?,
            Some(c) => write!(f, ": column {c:?}")?,
            None => {}
        }
        Ok(())
    }
}

/// Everything that can go wrong loading, checking or writing sequence data.
#[derive(Debug, thiserror::Error)]
pub enum DataError {
    /// The file could not be read or written.
    #[error("{path}: {error}")]
    Io { path: String, error: std::io::Error },
    /// The contents are malformed or contradict themselves.
    #[error("{location}: {message}")]
    Parse { location: Location, message: String },
    /// A file extension no loader handles.
    #[error(
        "{path}: unknown data file type {extension:?} (expected .ts, .csv, .txt/.train/.test for raw UCI Japanese Vowels, .npy or .npz)"
    )]
    UnknownFormat { path: String, extension: String },
    /// Two data sets (training and test) do not fit together.
    #[error("{dataset}: {message}")]
    Incompatible { dataset: String, message: String },
    /// A missing value where none is allowed (training refuses NaNs).
    #[error(
        "{dataset}: sequence {sequence} has a missing value (NaN) at time step {step}, feature {feature} ({feature_name}); fill or remove missing values before training"
    )]
    MissingValue {
        dataset: String,
        /// 1-based sequence number.
        sequence: usize,
        /// 1-based time step.
        step: usize,
        /// 1-based feature number.
        feature: usize,
        feature_name: String,
    },
    /// A data set cannot be written in the requested format.
    #[error("{dataset}: cannot write as {format}: {message}")]
    Unwritable {
        dataset: String,
        format: &'static str,
        message: String,
    },
}

impl DataError {
    /// A problem on one line of a file.
    pub fn at_line(file: &str, line: u64, message: impl Into<String>) -> Self {
        DataError::Parse {
            location: Location {
                file: file.to_owned(),
                line: Some(line),
                column: None,
            },
            message: message.into(),
        }
    }

    /// A problem at one line and column (a number or a column name) of a file.
    pub fn at_column(
        file: &str,
        line: u64,
        column: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        DataError::Parse {
            location: Location {
                file: file.to_owned(),
                line: Some(line),
                column: Some(column.into()),
            },
            message: message.into(),
        }
    }

    /// A problem with a file as a whole.
    pub fn in_file(file: &str, message: impl Into<String>) -> Self {
        DataError::Parse {
            location: Location {
                file: file.to_owned(),
                line: None,
                column: None,
            },
            message: message.into(),
        }
    }

    pub(crate) fn io(path: &Path, error: std::io::Error) -> Self {
        DataError::Io {
            path: path.display().to_string(),
            error,
        }
    }
}

impl SequenceDataset {
    /// Number of sequences.
    pub fn len(&self) -> usize {
        self.sequences.len()
    }

    /// True when there are no sequences.
    pub fn is_empty(&self) -> bool {
        self.sequences.is_empty()
    }

    /// Total number of time steps over all sequences.
    pub fn total_steps(&self) -> usize {
        self.sequences.iter().map(|s| s.steps).sum()
    }

    /// The class names of a classification data set, in class-index order.
    pub fn class_names(&self) -> Option<&[String]> {
        match &self.targets {
            Targets::Labels { class_names, .. } | Targets::StepLabels { class_names, .. } => {
                Some(class_names)
            }
            _ => None,
        }
    }

    /// The sequences at `indices` (in that order) with their targets. Class names and feature
    /// names are kept whole, so a subset's labels index the same classes. Indices past the end
    /// are skipped.
    pub fn subset(&self, indices: &[usize]) -> SequenceDataset {
        let keep: Vec<usize> = indices
            .iter()
            .copied()
            .filter(|&i| i < self.sequences.len())
            .collect();
        fn pick<T: Clone>(items: &[T], keep: &[usize]) -> Vec<T> {
            keep.iter().filter_map(|&i| items.get(i).cloned()).collect()
        }
        let targets = match &self.targets {
            Targets::None => Targets::None,
            Targets::Labels {
                class_names,
                labels,
            } => Targets::Labels {
                class_names: class_names.clone(),
                labels: pick(labels, &keep),
            },
            Targets::StepLabels {
                class_names,
                labels,
            } => Targets::StepLabels {
                class_names: class_names.clone(),
                labels: pick(labels, &keep),
            },
            Targets::Responses { names, values } => Targets::Responses {
                names: names.clone(),
                values: pick(values, &keep),
            },
            Targets::StepResponses { names, values } => Targets::StepResponses {
                names: names.clone(),
                values: pick(values, &keep),
            },
        };
        SequenceDataset {
            name: self.name.clone(),
            num_features: self.num_features,
            feature_names: self.feature_names.clone(),
            sequences: pick(&self.sequences, &keep),
            targets,
        }
    }

    /// Re-indexes this (test) set's labels onto the training set's class order, so class `k`
    /// means the same thing in both. A label the training set never saw is an error naming it.
    pub fn align_classes(&mut self, train_class_names: &[String]) -> Result<(), DataError> {
        let dataset = self.name.clone();
        let (class_names, mapping) = match &self.targets {
            Targets::Labels { class_names, .. } | Targets::StepLabels { class_names, .. } => {
                let used = self.used_classes();
                let mut mapping = vec![usize::MAX; class_names.len()];
                for (i, name) in class_names.iter().enumerate() {
                    match train_class_names.iter().position(|n| n == name) {
                        Some(j) => mapping[i] = j,
                        None if used.get(i).copied().unwrap_or(false) => {
                            return Err(DataError::Incompatible {
                                dataset,
                                message: format!(
                                    "label {name:?} does not occur in the training data (training classes: {})",
                                    train_class_names.join(", ")
                                ),
                            });
                        }
                        None => {}
                    }
                }
                (class_names.clone(), mapping)
            }
            other => {
                return Err(DataError::Incompatible {
                    dataset,
                    message: format!(
                        "has {}, so its classes cannot be aligned with the training classes",
                        other.kind()
                    ),
                });
            }
        };
        let remap = |l: &mut usize| {
            if let Some(&m) = mapping.get(*l) {
                *l = m;
            }
        };
        debug_assert!(class_names.len() == mapping.len());
        match &mut self.targets {
            Targets::Labels {
                class_names,
                labels,
            } => {
                labels.iter_mut().for_each(remap);
                *class_names = train_class_names.to_vec();
            }
            Targets::StepLabels {
                class_names,
                labels,
            } => {
                labels.iter_mut().flatten().for_each(remap);
                *class_names = train_class_names.to_vec();
            }
            _ => {}
        }
        Ok(())
    }

    /// Which classes occur in the labels (indexed by class).
    fn used_classes(&self) -> Vec<bool> {
        let mut used = vec![false; self.class_names().map_or(0, <[String]>::len)];
        let mut mark = |l: usize| {
            if let Some(u) = used.get_mut(l) {
                *u = true;
            }
        };
        match &self.targets {
            Targets::Labels { labels, .. } => labels.iter().for_each(|&l| mark(l)),
            Targets::StepLabels { labels, .. } => labels.iter().flatten().for_each(|&l| mark(l)),
            _ => {}
        }
        used
    }

    /// Checks that this (test or validation) set fits a network trained on `train`: the same
    /// number of features, the same kind of targets, the same responses, and only labels the
    /// training set knows.
    pub fn check_compatible(&self, train: &SequenceDataset) -> Result<(), DataError> {
        let fail = |message: String| {
            Err(DataError::Incompatible {
                dataset: self.name.clone(),
                message,
            })
        };
        if self.num_features != train.num_features {
            return fail(format!(
                "has {} features per time step but the training data {:?} has {}",
                self.num_features, train.name, train.num_features
            ));
        }
        if !matches!(self.targets, Targets::None)
            && std::mem::discriminant(&self.targets) != std::mem::discriminant(&train.targets)
        {
            return fail(format!(
                "has {} but the training data {:?} has {}",
                self.targets.kind(),
                train.name,
                train.targets.kind()
            ));
        }
        match (&self.targets, &train.targets) {
            (Targets::Responses { names: a, .. }, Targets::Responses { names: b, .. })
            | (Targets::StepResponses { names: a, .. }, Targets::StepResponses { names: b, .. })
                if a.len() != b.len() =>
            {
                return fail(format!(
                    "has {} responses but the training data {:?} has {}",
                    a.len(),
                    train.name,
                    b.len()
                ));
            }
            _ => {}
        }
        if let (Some(names), Some(train_names)) = (self.class_names(), train.class_names()) {
            let used = self.used_classes();
            for (name, _) in names.iter().zip(used).filter(|(_, u)| *u) {
                if !train_names.contains(name) {
                    return fail(format!(
                        "label {name:?} does not occur in the training data {:?} (training classes: {})",
                        train.name,
                        train_names.join(", ")
                    ));
                }
            }
        }
        Ok(())
    }

    /// Number of missing (NaN) feature values.
    pub fn missing_values(&self) -> usize {
        self.sequences
            .iter()
            .flat_map(|s| &s.values)
            .filter(|v| v.is_nan())
            .count()
    }

    /// Fails on the first missing (NaN) value, naming its sequence, time step and feature
    /// (all 1-based). Training refuses missing values.
    pub fn check_no_missing(&self) -> Result<(), DataError> {
        let c = self.num_features.max(1);
        for (i, seq) in self.sequences.iter().enumerate() {
            if let Some(pos) = seq.values.iter().position(|v| v.is_nan()) {
                let feature = pos % c;
                return Err(DataError::MissingValue {
                    dataset: self.name.clone(),
                    sequence: i + 1,
                    step: pos / c + 1,
                    feature: feature + 1,
                    feature_name: self.feature_names.get(feature).cloned().unwrap_or_default(),
                });
            }
        }
        Ok(())
    }

    /// Checks the internal consistency of the data set: value counts match `steps *
    /// num_features`, one target per sequence, label indices in range. Loaders guarantee this;
    /// it is for data sets built by hand.
    pub fn validate(&self) -> Result<(), DataError> {
        let fail = |message: String| {
            Err(DataError::Incompatible {
                dataset: self.name.clone(),
                message,
            })
        };
        if self.feature_names.len() != self.num_features {
            return fail(format!(
                "has {} feature names for {} features",
                self.feature_names.len(),
                self.num_features
            ));
        }
        for (i, s) in self.sequences.iter().enumerate() {
            if Some(s.values.len()) != s.steps.checked_mul(self.num_features) {
                return fail(format!(
                    "sequence {} has {} values for {} steps of {} features",
                    i + 1,
                    s.values.len(),
                    s.steps,
                    self.num_features
                ));
            }
        }
        let n = self.sequences.len();
        let count_ok = match &self.targets {
            Targets::None => true,
            Targets::Labels { labels, .. } => labels.len() == n,
            Targets::StepLabels { labels, .. } => labels.len() == n,
            Targets::Responses { values, .. } | Targets::StepResponses { values, .. } => {
                values.len() == n
            }
        };
        if !count_ok {
            return fail(format!(
                "has {n} sequences but a different number of targets"
            ));
        }
        match &self.targets {
            Targets::Labels {
                class_names,
                labels,
            } => {
                if let Some(i) = labels.iter().position(|&l| l >= class_names.len()) {
                    return fail(format!("sequence {} has a label index out of range", i + 1));
                }
            }
            Targets::StepLabels {
                class_names,
                labels,
            } => {
                for (i, (l, s)) in labels.iter().zip(&self.sequences).enumerate() {
                    if l.len() != s.steps || l.iter().any(|&k| k >= class_names.len()) {
                        return fail(format!(
                            "sequence {} has per-step labels that do not match its steps or classes",
                            i + 1
                        ));
                    }
                }
            }
            Targets::Responses { names, values } => {
                if let Some(i) = values.iter().position(|v| v.len() != names.len()) {
                    return fail(format!(
                        "sequence {} has the wrong number of responses",
                        i + 1
                    ));
                }
            }
            Targets::StepResponses { names, values } => {
                for (i, (v, s)) in values.iter().zip(&self.sequences).enumerate() {
                    if Some(v.len()) != s.steps.checked_mul(names.len()) {
                        return fail(format!(
                            "sequence {} has per-step responses that do not match its steps",
                            i + 1
                        ));
                    }
                }
            }
            Targets::None => {}
        }
        Ok(())
    }
}

/// Compares two strings the way people sort names: runs of digits by their numeric value
/// ("2" before "10"), everything else character by character.
pub fn natural_cmp(a: &str, b: &str) -> Ordering {
    let (mut a, mut b) = (a.as_bytes(), b.as_bytes());
    loop {
        match (a.first(), b.first()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) if x.is_ascii_digit() && y.is_ascii_digit() => {
                let da = a.iter().take_while(|c| c.is_ascii_digit()).count();
                let db = b.iter().take_while(|c| c.is_ascii_digit()).count();
                let (na, nb) = (&a[..da], &b[..db]);
                let ta = trim_zeros(na);
                let tb = trim_zeros(nb);
                let ord = ta.len().cmp(&tb.len()).then_with(|| ta.cmp(tb));
                if ord != Ordering::Equal {
                    return ord;
                }
                a = &a[da..];
                b = &b[db..];
            }
            (Some(x), Some(y)) => {
                if x != y {
                    return x.cmp(y);
                }
                a = &a[1..];
                b = &b[1..];
            }
        }
    }
}

fn trim_zeros(digits: &[u8]) -> &[u8] {
    let zeros = digits.iter().take_while(|&&c| c == b'0').count();
    &digits[zeros..]
}

/// Sorts class names naturally and returns them with a map from old to new index.
pub(crate) fn natural_order(names: Vec<String>) -> (Vec<String>, Vec<usize>) {
    let mut order: Vec<usize> = (0..names.len()).collect();
    order.sort_by(|&i, &j| natural_cmp(&names[i], &names[j]).then_with(|| names[i].cmp(&names[j])));
    let mut old_to_new = vec![0; names.len()];
    for (new, &old) in order.iter().enumerate() {
        old_to_new[old] = new;
    }
    let sorted = order.iter().map(|&i| names[i].clone()).collect();
    (sorted, old_to_new)
}

/// Default feature names `dim1`, `dim2`, ….
pub(crate) fn default_feature_names(prefix: &str, n: usize) -> Vec<String> {
    (1..=n).map(|i| format!("{prefix}{i}")).collect()
}

/// The file name of a path, for messages.
pub(crate) fn display_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

/// The file stem of a path, as a data set name.
pub(crate) fn stem_name(path: &Path) -> String {
    path.file_stem()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "data".to_owned())
}

/// How [`load`] reads the formats that need choices.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LoadOptions {
    /// Column roles for long-form CSV.
    pub csv: CsvColumns,
    /// Blocks per speaker for the raw UCI Japanese Vowels format; `None` recognises the
    /// standard training (270 blocks) and test (370 blocks) files.
    pub uci_block_counts: Option<Vec<usize>>,
}

/// Loads a data set, choosing the reader by file extension: `.ts`, `.csv`, `.txt`/`.train`/
/// `.test` (raw UCI Japanese Vowels), `.npy`, `.npz`.
pub fn load(path: &Path, options: &LoadOptions) -> Result<SequenceDataset, DataError> {
    load_with_progress(path, options, &mut |_, _| {})
}

/// [`load`] with a progress callback `(bytes read, total bytes)` (called for CSV files, which
/// can be large; other formats report once when done).
pub fn load_with_progress(
    path: &Path,
    options: &LoadOptions,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<SequenceDataset, DataError> {
    let extension = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    let ds = match extension.as_str() {
        "ts" => ts::read_ts(path)?,
        "csv" => return long_csv::read_long_csv_with_progress(path, &options.csv, progress),
        "txt" | "train" | "test" => {
            uci::read_uci_vowels(path, options.uci_block_counts.as_deref())?
        }
        "npy" => npy::read_npy(path)?,
        "npz" => npy::read_npz(path)?,
        _ => {
            return Err(DataError::UnknownFormat {
                path: display_name(path),
                extension,
            });
        }
    };
    progress(1, 1);
    Ok(ds)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn two_class_set(name: &str, classes: &[&str], labels: Vec<usize>) -> SequenceDataset {
        let n = labels.len();
        SequenceDataset {
            name: name.into(),
            num_features: 2,
            feature_names: vec!["a".into(), "b".into()],
            sequences: (0..n)
                .map(|i| Sequence {
                    steps: 2,
                    values: vec![i as f32, 1.0, 2.0, 3.0],
                })
                .collect(),
            targets: Targets::Labels {
                class_names: classes.iter().map(|s| s.to_string()).collect(),
                labels,
            },
        }
    }

    #[test]
    fn natural_cmp_orders_numbers_by_value() {
        let mut v = vec!["10", "2", "1", "b", "a10", "a9", "02"];
        v.sort_by(|a, b| natural_cmp(a, b));
        assert_eq!(v, ["1", "2", "02", "10", "a9", "a10", "b"]);
    }

    #[test]
    fn subset_keeps_class_names_and_picks_labels() {
        let ds = two_class_set("d", &["x", "y"], vec![0, 1, 1, 0]);
        let s = ds.subset(&[3, 1, 99]);
        assert_eq!(s.len(), 2);
        assert_eq!(s.sequences[0].values[0], 3.0);
        assert_eq!(
            s.targets,
            Targets::Labels {
                class_names: vec!["x".into(), "y".into()],
                labels: vec![0, 1]
            }
        );
    }

    #[test]
    fn align_classes_reindexes_onto_training_order() {
        let mut test = two_class_set("test", &["b", "c"], vec![0, 1, 1]);
        let train: Vec<String> = ["c", "a", "b"].iter().map(|s| s.to_string()).collect();
        test.align_classes(&train).unwrap();
        assert_eq!(
            test.targets,
            Targets::Labels {
                class_names: train,
                labels: vec![2, 0, 0]
            }
        );
    }

    #[test]
    fn align_classes_names_an_unseen_label() {
        let mut test = two_class_set("vowels_test.ts", &["1", "10"], vec![0, 1]);
        let err = test
            .align_classes(&["1".to_string(), "2".to_string()])
            .unwrap_err()
            .to_string();
        assert!(err.contains("vowels_test.ts"), "{err}");
        assert!(
            err.contains("label \"10\" does not occur in the training data"),
            "{err}"
        );
    }

    #[test]
    fn check_compatible_names_feature_count_mismatch() {
        let train = two_class_set("train.ts", &["x"], vec![0]);
        let mut test = two_class_set("test.ts", &["x"], vec![0]);
        test.num_features = 3;
        let err = test.check_compatible(&train).unwrap_err().to_string();
        assert_eq!(
            err,
            "test.ts: has 3 features per time step but the training data \"train.ts\" has 2"
        );
        let unseen = two_class_set("test.ts", &["x", "zebra"], vec![0, 1]);
        let err = unseen.check_compatible(&train).unwrap_err().to_string();
        assert!(err.contains("label \"zebra\""), "{err}");
    }

    #[test]
    fn check_no_missing_names_sequence_step_and_feature() {
        let mut ds = two_class_set("d", &["x"], vec![0, 0]);
        assert_eq!(ds.missing_values(), 0);
        assert!(ds.check_no_missing().is_ok());
        ds.sequences[1].values[3] = f32::NAN;
        assert_eq!(ds.missing_values(), 1);
        let err = ds.check_no_missing().unwrap_err().to_string();
        assert!(
            err.starts_with(
                "d: sequence 2 has a missing value (NaN) at time step 2, feature 2 (b)"
            ),
            "{err}"
        );
    }

    #[test]
    fn validate_catches_wrong_value_count() {
        let mut ds = two_class_set("d", &["x"], vec![0]);
        assert!(ds.validate().is_ok());
        ds.sequences[0].values.pop();
        assert!(ds.validate().is_err());
    }

    #[test]
    fn load_dispatches_on_extension() {
        let dir = tempfile::tempdir().unwrap();
        let ds = two_class_set("d", &["x", "y"], vec![0, 1]);
        let ts_path = dir.path().join("set.ts");
        let mut bytes = Vec::new();
        write_ts(&ds, &mut bytes).unwrap();
        std::fs::write(&ts_path, &bytes).unwrap();
        let csv_path = dir.path().join("set.csv");
        let mut bytes = Vec::new();
        write_long_csv(&ds, &mut bytes).unwrap();
        std::fs::write(&csv_path, &bytes).unwrap();
        let txt_path = dir.path().join("ae.txt");
        std::fs::write(&txt_path, "1 2\n\n3 4\n5 6\n").unwrap();
        let options = LoadOptions {
            uci_block_counts: Some(vec![1, 1]),
            ..LoadOptions::default()
        };
        for path in [&ts_path, &csv_path] {
            let back = load(path, &options).unwrap();
            assert_eq!(back.sequences, ds.sequences, "{}", path.display());
            assert_eq!(back.targets, ds.targets);
        }
        let uci = load(&txt_path, &options).unwrap();
        assert_eq!(
            (uci.name.as_str(), uci.len(), uci.num_features),
            ("ae", 2, 2)
        );
        let err = load(&dir.path().join("missing.ts"), &options)
            .unwrap_err()
            .to_string();
        assert!(err.contains("missing.ts"), "{err}");
    }

    #[test]
    fn hostile_inputs_give_errors_not_panics() {
        let inputs: &[&[u8]] = &[
            b"",
            b":",
            b"@data\n:::",
            b"@classLabel true\n@data\n1:2",
            b"@dimensions 99999999999999999999\n",
            b"@seriesLength 0\n",
            b"\x93NUMPY\x01\x00\xff\xff{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296, 4294967296), }",
            b"\x93NUMPY\x01\x00\x40\x00{'descr': '<U99999999999999999', 'fortran_order': True, 'shape': (1,), }",
            b"PK\x05\x06\x00\x00\x00\x00\x01\x00\x01\x00\xff\xff\xff\xff\xff\xff\xff\xff\x00\x00",
            b"id,id\n,\n",
            b"\xef\xbb\xbf\"\n\"",
        ];
        for bytes in inputs {
            let text = String::from_utf8_lossy(bytes);
            let _ = parse_ts(&text, "f.ts");
            let _ = parse_long_csv(bytes, "f.csv", &CsvColumns::default());
            let _ = parse_uci_vowels(&text, "f.txt", None);
            let _ = parse_npy(bytes, "f.npy");
            let _ = parse_npz(bytes, "f.npz");
        }
    }

    #[test]
    fn load_refuses_unknown_extension() {
        let err = load(Path::new("/tmp/data.xlsx"), &LoadOptions::default())
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("data.xlsx: unknown data file type \"xlsx\""),
            "{err}"
        );
    }
}
