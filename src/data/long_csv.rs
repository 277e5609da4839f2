//! Long-form CSV: one row per time step, with a sequence-id column, an optional time column,
//! feature columns and optionally a label column or response columns.
//!
//! Columns are chosen by name in [`CsvColumns`], or detected: the id column is named like
//! `id`/`sequence`/`series`, the time column like `time`/`step`/`t`, the label like
//! `label`/`class`/`y`/`target`, and every other column whose first value is numeric is a
//! feature (non-numeric columns such as dates are skipped). Without an id column the whole file
//! is one sequence.
//!
//! Rows of one sequence need **not** be contiguous: sequences keep the order in which their ids
//! first appear, and their steps keep file order unless a time column is given, in which case
//! steps are sorted by time and a repeated time within a sequence is an error. Empty, `?`, `NA`,
//! `NaN` and `null` feature values are missing (NaN). A label that is constant within every
//! sequence gives one label per sequence, otherwise one per step (unless chosen explicitly);
//! class names are sorted naturally ("2" before "10").
//!
//! Rows are parsed straight into `f32` buffers with one reused `csv::ByteRecord`, so a file
//! takes little more memory than its values as `f32` (plus 4 bytes per step for the line number,
//! and the time and label per step when there are such columns).

use std::collections::HashMap;
use std::io::{Read, Write};
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::{
    DataError, Sequence, SequenceDataset, Targets, display_name, natural_order, stem_name,
};

/// How one role's column is chosen.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum ColumnChoice {
    /// Detect it by its name.
    #[default]
    Auto,
    /// There is no such column.
    None,
    /// The column with this header name.
    Named(String),
}

/// Whether targets are per sequence or per time step.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum TargetLevel {
    /// Per sequence when constant within every sequence, else per step.
    #[default]
    Auto,
    /// One per sequence; a value changing within a sequence is an error.
    Sequence,
    /// One per time step.
    Step,
}

/// Which columns hold the targets.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum CsvTarget {
    /// A column named like `label`/`class`/`y`/`target`, if any: class labels, except that a
    /// `y`/`target` column whose first value is a non-integer number is a response.
    #[default]
    Auto,
    /// No targets.
    None,
    /// Class labels from this column.
    Labels { column: String, level: TargetLevel },
    /// Numeric responses from these columns.
    Responses {
        columns: Vec<String>,
        level: TargetLevel,
    },
}

/// Column roles for a long-form CSV file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CsvColumns {
    /// The sequence-id column.
    pub id: ColumnChoice,
    /// The time column (numeric; steps are sorted by it).
    pub time: ColumnChoice,
    /// Feature columns in order; empty means every other numeric column.
    pub features: Vec<String>,
    /// The target columns.
    pub target: CsvTarget,
    /// Field delimiter, `b','` by default.
    pub delimiter: u8,
}

impl Default for CsvColumns {
    fn default() -> Self {
        CsvColumns {
            id: ColumnChoice::Auto,
            time: ColumnChoice::Auto,
            features: Vec::new(),
            target: CsvTarget::Auto,
            delimiter: b',',
        }
    }
}

const ID_NAMES: &[&str] = &[
    "id",
    "sequence",
    "sequenceid",
    "seq",
    "seqid",
    "series",
    "seriesid",
];
const TIME_NAMES: &[&str] = &["time", "t", "step", "timestep", "timeindex"];
const LABEL_NAMES: &[&str] = &["label", "class", "y", "target", "classlabel", "category"];

fn name_like(name: &str, words: &[&str]) -> bool {
    let n: String = name
        .chars()
        .filter(|c| !matches!(c, '_' | '-' | ' '))
        .flat_map(char::to_lowercase)
        .collect();
    words.contains(&n.as_str())
}

/// Reads the header names of a CSV file (for a column picker).
pub fn csv_header(path: &Path, delimiter: u8) -> Result<Vec<String>, DataError> {
    let file = std::fs::File::open(path).map_err(|e| DataError::io(path, e))?;
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .from_reader(file);
    let name = display_name(path);
    let headers = reader
        .byte_headers()
        .map_err(|e| csv_error(&name, e))?
        .clone();
    Ok(header_names(&headers))
}

/// Reads a long-form CSV file.
pub fn read_long_csv(path: &Path, columns: &CsvColumns) -> Result<SequenceDataset, DataError> {
    read_long_csv_with_progress(path, columns, &mut |_, _| {})
}

/// Reads a long-form CSV file, calling `progress(bytes read, total bytes)` about every MiB.
pub fn read_long_csv_with_progress(
    path: &Path,
    columns: &CsvColumns,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<SequenceDataset, DataError> {
    let file = std::fs::File::open(path).map_err(|e| DataError::io(path, e))?;
    let total = file.metadata().map(|m| m.len()).unwrap_or(0);
    let mut ds = parse_reader(file, total, &display_name(path), columns, progress)?;
    ds.name = stem_name(path);
    Ok(ds)
}

/// Parses long-form CSV bytes; `source_name` is used in messages and (its stem) as the name.
pub fn parse_long_csv(
    bytes: &[u8],
    source_name: &str,
    columns: &CsvColumns,
) -> Result<SequenceDataset, DataError> {
    let mut ds = parse_reader(
        bytes,
        bytes.len() as u64,
        source_name,
        columns,
        &mut |_, _| {},
    )?;
    ds.name = stem_name(Path::new(source_name));
    Ok(ds)
}

/// Counts bytes and reports progress about every MiB.
struct Progress<'a, R> {
    inner: R,
    read: u64,
    reported: u64,
    total: u64,
    callback: &'a mut dyn FnMut(u64, u64),
}

impl<R: Read> Read for Progress<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        if self.read - self.reported >= 1 << 20 || (n == 0 && self.read != self.reported) {
            self.reported = self.read;
            (self.callback)(self.read, self.total.max(self.read));
        }
        Ok(n)
    }
}

fn csv_error(file: &str, e: csv::Error) -> DataError {
    let line = e.position().map(|p| p.line());
    let message = match e.kind() {
        csv::ErrorKind::Io(io) => io.to_string(),
        csv::ErrorKind::Utf8 { err, .. } => format!("not UTF-8 text: {err}"),
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!("the row has {len} fields but the header has {expected_len}"),
        _ => e.to_string(),
    };
    match line {
        Some(line) => DataError::at_line(file, line, message),
        None => DataError::in_file(file, message),
    }
}

fn header_names(headers: &csv::ByteRecord) -> Vec<String> {
    headers
        .iter()
        .map(|h| {
            String::from_utf8_lossy(h)
                .trim_start_matches('\u{feff}')
                .trim()
                .to_owned()
        })
        .collect()
}

fn trim(bytes: &[u8]) -> &[u8] {
    bytes.trim_ascii()
}

fn is_missing(v: &[u8]) -> bool {
    v.is_empty()
        || v == b"?"
        || v.eq_ignore_ascii_case(b"na")
        || v.eq_ignore_ascii_case(b"nan")
        || v.eq_ignore_ascii_case(b"n/a")
        || v.eq_ignore_ascii_case(b"null")
}

/// A number, NaN for a missing marker, or `None` when the text is not numeric.
fn parse_number(raw: &[u8]) -> Option<f64> {
    let v = trim(raw);
    if is_missing(v) {
        return Some(f64::NAN);
    }
    let s = std::str::from_utf8(v).ok()?;
    let x: f64 = s.parse().ok()?;
    x.is_finite().then_some(x)
}

fn parse_f32(raw: &[u8]) -> Option<f32> {
    let v = trim(raw);
    if is_missing(v) {
        return Some(f32::NAN);
    }
    let s = std::str::from_utf8(v).ok()?;
    let x: f32 = s.parse().ok()?;
    x.is_finite().then_some(x)
}

fn shown(raw: &[u8]) -> String {
    let s = String::from_utf8_lossy(raw);
    if s.chars().count() > 40 {
        format!("{}…", s.chars().take(40).collect::<String>())
    } else {
        s.into_owned()
    }
}

enum Plan {
    None,
    Labels {
        column: usize,
        level: TargetLevel,
    },
    Responses {
        columns: Vec<usize>,
        level: TargetLevel,
    },
}

struct Resolved {
    id: Option<usize>,
    time: Option<usize>,
    features: Vec<usize>,
    plan: Plan,
}

fn resolve(
    file: &str,
    names: &[String],
    first: &csv::ByteRecord,
    cols: &CsvColumns,
) -> Result<Resolved, DataError> {
    let find = |n: &str| -> Result<usize, DataError> {
        names.iter().position(|h| h == n).ok_or_else(|| {
            DataError::at_line(
                file,
                1,
                format!("no column named {n:?} (columns: {})", names.join(", ")),
            )
        })
    };
    let numeric = |i: usize| first.get(i).is_some_and(|v| parse_number(v).is_some());
    let auto = |words: &[&str], taken: &[usize]| {
        (0..names.len()).find(|&i| !taken.contains(&i) && name_like(&names[i], words))
    };
    let mut taken: Vec<usize> = Vec::new();
    let id = match &cols.id {
        ColumnChoice::Auto => auto(ID_NAMES, &taken),
        ColumnChoice::None => None,
        ColumnChoice::Named(n) => Some(find(n)?),
    };
    taken.extend(id);
    let time = match &cols.time {
        ColumnChoice::Auto => auto(TIME_NAMES, &taken).filter(|&i| numeric(i)),
        ColumnChoice::None => None,
        ColumnChoice::Named(n) => Some(find(n)?),
    };
    taken.extend(time);
    let explicit: Vec<usize> = cols
        .features
        .iter()
        .map(|n| find(n))
        .collect::<Result<_, _>>()?;
    let plan = match &cols.target {
        CsvTarget::None => Plan::None,
        CsvTarget::Labels { column, level } => Plan::Labels {
            column: find(column)?,
            level: *level,
        },
        CsvTarget::Responses { columns, level } => {
            if columns.is_empty() {
                return Err(DataError::in_file(file, "no response columns chosen"));
            }
            Plan::Responses {
                columns: columns.iter().map(|n| find(n)).collect::<Result<_, _>>()?,
                level: *level,
            }
        }
        CsvTarget::Auto => {
            let mut skip = taken.clone();
            skip.extend(&explicit);
            match auto(LABEL_NAMES, &skip) {
                None => Plan::None,
                Some(column) => {
                    let lower = names[column].to_ascii_lowercase();
                    let value = first.get(column).map(trim).unwrap_or_default();
                    let fractional = parse_number(value).is_some_and(|x| x.is_finite())
                        && value.iter().any(|&b| matches!(b, b'.' | b'e' | b'E'));
                    if (lower == "y" || lower == "target") && fractional {
                        Plan::Responses {
                            columns: vec![column],
                            level: TargetLevel::Auto,
                        }
                    } else {
                        Plan::Labels {
                            column,
                            level: TargetLevel::Auto,
                        }
                    }
                }
            }
        }
    };
    match &plan {
        Plan::Labels { column, .. } => taken.push(*column),
        Plan::Responses { columns, .. } => taken.extend(columns),
        Plan::None => {}
    }
    let features = if explicit.is_empty() {
        (0..names.len())
            .filter(|i| !taken.contains(i) && numeric(*i))
            .collect()
    } else {
        if let Some(&c) = explicit.iter().find(|c| taken.contains(c)) {
            return Err(DataError::at_line(
                file,
                1,
                format!(
                    "column {:?} is chosen both as a feature and for another role",
                    names[c]
                ),
            ));
        }
        explicit
    };
    if features.is_empty() {
        return Err(DataError::at_line(
            file,
            1,
            format!("no numeric feature columns (columns: {})", names.join(", ")),
        ));
    }
    Ok(Resolved {
        id,
        time,
        features,
        plan,
    })
}

#[derive(Default)]
struct SeqBuf {
    values: Vec<f32>,
    times: Vec<f64>,
    lines: Vec<u32>,
    labels: Vec<u32>,
    responses: Vec<f32>,
}

fn parse_reader<R: Read>(
    reader: R,
    total: u64,
    file: &str,
    cols: &CsvColumns,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<SequenceDataset, DataError> {
    let counted = Progress {
        inner: reader,
        read: 0,
        reported: 0,
        total,
        callback: progress,
    };
    let mut rdr = csv::ReaderBuilder::new()
        .delimiter(cols.delimiter)
        .flexible(true)
        .buffer_capacity(1 << 16)
        .from_reader(counted);
    let headers = rdr.byte_headers().map_err(|e| csv_error(file, e))?.clone();
    let names = header_names(&headers);
    if names.is_empty() || (names.len() == 1 && names[0].is_empty()) {
        return Err(DataError::in_file(file, "the file is empty"));
    }
    let mut rec = csv::ByteRecord::new();
    if !rdr
        .read_byte_record(&mut rec)
        .map_err(|e| csv_error(file, e))?
    {
        return Err(DataError::in_file(file, "no data rows after the header"));
    }
    let plan = resolve(file, &names, &rec, cols)?;
    let c = plan.features.len();
    let n_resp = match &plan.plan {
        Plan::Responses { columns, .. } => columns.len(),
        _ => 0,
    };

    let mut seqs: Vec<SeqBuf> = Vec::new();
    let mut ids: Vec<Vec<u8>> = Vec::new();
    let mut id_index: HashMap<Vec<u8>, usize> = HashMap::new();
    let mut last_id: Option<(Vec<u8>, usize)> = None;
    let mut classes: Vec<Vec<u8>> = Vec::new();
    let mut class_index: HashMap<Vec<u8>, u32> = HashMap::new();
    let width = names.len();

    loop {
        let line = rec.position().map_or(0, |p| p.line());
        let err_col =
            |col: usize, msg: String| DataError::at_column(file, line, names[col].clone(), msg);
        if rec.len() != width {
            return Err(DataError::at_line(
                file,
                line,
                format!(
                    "the row has {} fields but the header has {width}",
                    rec.len()
                ),
            ));
        }
        // Which sequence.
        let s = match plan.id {
            None => 0,
            Some(col) => {
                let id = trim(rec.get(col).unwrap_or_default());
                if id.is_empty() {
                    return Err(err_col(col, "empty sequence id".into()));
                }
                match &last_id {
                    Some((last, s)) if last.as_slice() == id => *s,
                    _ => {
                        let s = match id_index.get(id) {
                            Some(&s) => s,
                            None => {
                                let s = ids.len();
                                ids.push(id.to_vec());
                                id_index.insert(id.to_vec(), s);
                                s
                            }
                        };
                        last_id = Some((id.to_vec(), s));
                        s
                    }
                }
            }
        };
        if s == seqs.len() {
            seqs.push(SeqBuf::default());
        }
        let Some(buf) = seqs.get_mut(s) else {
            return Err(DataError::at_line(
                file,
                line,
                "internal error: sequence index",
            ));
        };
        buf.lines.push(u32::try_from(line).unwrap_or(u32::MAX));
        if let Some(col) = plan.time {
            let raw = rec.get(col).unwrap_or_default();
            match parse_number(raw) {
                Some(t) if t.is_finite() => buf.times.push(t),
                _ => {
                    return Err(err_col(
                        col,
                        format!("time {:?} is not a number", shown(raw)),
                    ));
                }
            }
        }
        for &col in &plan.features {
            let raw = rec.get(col).unwrap_or_default();
            match parse_f32(raw) {
                Some(v) => buf.values.push(v),
                None => {
                    return Err(err_col(col, format!("{:?} is not a number", shown(raw))));
                }
            }
        }
        match &plan.plan {
            Plan::None => {}
            Plan::Labels { column, .. } => {
                let raw = trim(rec.get(*column).unwrap_or_default());
                if raw.is_empty() {
                    return Err(err_col(*column, "missing label".into()));
                }
                let k = match class_index.get(raw) {
                    Some(&k) => k,
                    None => {
                        let k = u32::try_from(classes.len()).unwrap_or(u32::MAX);
                        classes.push(raw.to_vec());
                        class_index.insert(raw.to_vec(), k);
                        k
                    }
                };
                buf.labels.push(k);
            }
            Plan::Responses { columns, .. } => {
                for &col in columns {
                    let raw = rec.get(col).unwrap_or_default();
                    match parse_f32(raw) {
                        Some(v) if !v.is_nan() => buf.responses.push(v),
                        Some(_) => return Err(err_col(col, "missing response".into())),
                        None => {
                            return Err(err_col(
                                col,
                                format!("response {:?} is not a number", shown(raw)),
                            ));
                        }
                    }
                }
            }
        }
        if !rdr
            .read_byte_record(&mut rec)
            .map_err(|e| csv_error(file, e))?
        {
            break;
        }
    }
    drop(id_index);
    drop(class_index);

    // Sort by time, refusing repeats.
    let id_name = |s: usize| -> String {
        ids.get(s).map_or_else(
            || "1".to_owned(),
            |id| String::from_utf8_lossy(id).into_owned(),
        )
    };
    if plan.time.is_some() {
        for (s, buf) in seqs.iter_mut().enumerate() {
            let sorted = buf.times.windows(2).all(|w| w[0] < w[1]);
            if sorted {
                continue;
            }
            let mut order: Vec<usize> = (0..buf.times.len()).collect();
            order.sort_by(|&a, &b| buf.times[a].total_cmp(&buf.times[b]).then(a.cmp(&b)));
            for w in order.windows(2) {
                if buf.times[w[0]] == buf.times[w[1]] {
                    let line = buf.lines.get(w[1]).copied().unwrap_or(0);
                    return Err(DataError::at_line(
                        file,
                        u64::from(line),
                        format!(
                            "sequence {:?} has time {} twice (also on line {})",
                            id_name(s),
                            buf.times[w[1]],
                            buf.lines.get(w[0]).copied().unwrap_or(0)
                        ),
                    ));
                }
            }
            buf.values = permute(&buf.values, &order, c);
            buf.lines = permute(&buf.lines, &order, 1);
            if !buf.labels.is_empty() {
                buf.labels = permute(&buf.labels, &order, 1);
            }
            if n_resp > 0 {
                buf.responses = permute(&buf.responses, &order, n_resp);
            }
        }
    }

    // Targets.
    let targets = match &plan.plan {
        Plan::None => Targets::None,
        Plan::Labels { column, level } => {
            let class_names: Vec<String> = classes
                .iter()
                .map(|b| String::from_utf8_lossy(b).into_owned())
                .collect();
            let (class_names, remap) = natural_order(class_names);
            let changing = seqs
                .iter()
                .position(|b| b.labels.windows(2).any(|w| w[0] != w[1]));
            let per_step = match (level, changing) {
                (TargetLevel::Step, _) | (TargetLevel::Auto, Some(_)) => true,
                (TargetLevel::Sequence, Some(s)) => {
                    let b = &seqs[s];
                    let k = b.labels.windows(2).position(|w| w[0] != w[1]).unwrap_or(0) + 1;
                    return Err(DataError::at_column(
                        file,
                        u64::from(b.lines.get(k).copied().unwrap_or(0)),
                        names[*column].clone(),
                        format!(
                            "the label changes within sequence {:?}; choose per-step labels",
                            id_name(s)
                        ),
                    ));
                }
                _ => false,
            };
            let map = |k: &u32| remap.get(*k as usize).copied().unwrap_or(0);
            if per_step {
                Targets::StepLabels {
                    class_names,
                    labels: seqs
                        .iter_mut()
                        .map(|b| std::mem::take(&mut b.labels).iter().map(map).collect())
                        .collect(),
                }
            } else {
                Targets::Labels {
                    class_names,
                    labels: seqs
                        .iter()
                        .map(|b| b.labels.first().map_or(0, map))
                        .collect(),
                }
            }
        }
        Plan::Responses { columns, level } => {
            let names_r: Vec<String> = columns.iter().map(|&i| names[i].clone()).collect();
            let varies = |b: &SeqBuf| {
                b.responses
                    .chunks(n_resp)
                    .zip(b.responses.chunks(n_resp).skip(1))
                    .position(|(x, y)| x != y)
            };
            let changing = seqs.iter().position(|b| varies(b).is_some());
            let per_step = match (level, changing) {
                (TargetLevel::Step, _) | (TargetLevel::Auto, Some(_)) => true,
                (TargetLevel::Sequence, Some(s)) => {
                    let b = &seqs[s];
                    let k = varies(b).unwrap_or(0) + 1;
                    return Err(DataError::at_line(
                        file,
                        u64::from(b.lines.get(k).copied().unwrap_or(0)),
                        format!(
                            "the response changes within sequence {:?}; choose per-step responses",
                            id_name(s)
                        ),
                    ));
                }
                _ => false,
            };
            if per_step {
                Targets::StepResponses {
                    names: names_r,
                    values: seqs
                        .iter_mut()
                        .map(|b| std::mem::take(&mut b.responses))
                        .collect(),
                }
            } else {
                Targets::Responses {
                    names: names_r,
                    values: seqs
                        .iter()
                        .map(|b| b.responses.iter().take(n_resp).copied().collect())
                        .collect(),
                }
            }
        }
    };

    let sequences = seqs
        .into_iter()
        .map(|b| {
            let mut values = b.values;
            values.shrink_to_fit();
            Sequence {
                steps: b.lines.len(),
                values,
            }
        })
        .collect();
    Ok(SequenceDataset {
        name: String::new(),
        num_features: c,
        feature_names: plan.features.iter().map(|&i| names[i].clone()).collect(),
        sequences,
        targets,
    })
}

/// Reorders rows of `width` items by `order`.
fn permute<T: Copy>(items: &[T], order: &[usize], width: usize) -> Vec<T> {
    let mut out = Vec::with_capacity(items.len());
    for &i in order {
        if let Some(row) = items.get(i * width..(i + 1) * width) {
            out.extend_from_slice(row);
        }
    }
    out
}

/// Writes a data set as long-form CSV: columns `sequence` (1-based), `step` (1-based), the
/// features, then `label` or the response names. Missing values are written empty.
pub fn write_long_csv(ds: &SequenceDataset, out: &mut dyn Write) -> Result<(), DataError> {
    ds.validate()?;
    let io = |e: std::io::Error| DataError::Io {
        path: ds.name.clone(),
        error: e,
    };
    let csv_io = |e: csv::Error| DataError::Io {
        path: ds.name.clone(),
        error: std::io::Error::other(e.to_string()),
    };
    let mut w = csv::WriterBuilder::new().from_writer(out);
    let mut header: Vec<String> = vec!["sequence".into(), "step".into()];
    header.extend(ds.feature_names.iter().cloned());
    match &ds.targets {
        Targets::None => {}
        Targets::Labels { .. } | Targets::StepLabels { .. } => header.push("label".into()),
        Targets::Responses { names, .. } | Targets::StepResponses { names, .. } => {
            header.extend(names.iter().cloned())
        }
    }
    w.write_record(&header).map_err(csv_io)?;
    let c = ds.num_features;
    let mut num = String::new();
    let mut field = |w: &mut csv::Writer<&mut dyn Write>, v: f32| -> Result<(), csv::Error> {
        num.clear();
        if !v.is_nan() {
            use std::fmt::Write as _;
            let _ = write!(num, "{v}");
        }
        w.write_field(num.as_bytes())
    };
    for (i, seq) in ds.sequences.iter().enumerate() {
        for t in 0..seq.steps {
            w.write_field((i + 1).to_string()).map_err(csv_io)?;
            w.write_field((t + 1).to_string()).map_err(csv_io)?;
            for v in seq.values.iter().skip(t * c).take(c) {
                field(&mut w, *v).map_err(csv_io)?;
            }
            match &ds.targets {
                Targets::None => {}
                Targets::Labels {
                    class_names,
                    labels,
                } => {
                    let name = labels.get(i).and_then(|&l| class_names.get(l));
                    w.write_field(name.map_or("", String::as_str))
                        .map_err(csv_io)?;
                }
                Targets::StepLabels {
                    class_names,
                    labels,
                } => {
                    let name = labels
                        .get(i)
                        .and_then(|l| l.get(t))
                        .and_then(|&l| class_names.get(l));
                    w.write_field(name.map_or("", String::as_str))
                        .map_err(csv_io)?;
                }
                Targets::Responses { values, .. } => {
                    for v in values.get(i).into_iter().flatten() {
                        field(&mut w, *v).map_err(csv_io)?;
                    }
                }
                Targets::StepResponses { names, values } => {
                    let r = names.len();
                    for v in values.get(i).into_iter().flatten().skip(t * r).take(r) {
                        field(&mut w, *v).map_err(csv_io)?;
                    }
                }
            }
            w.write_record(None::<&[u8]>).map_err(csv_io)?;
        }
    }
    w.flush().map_err(io)?;
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<SequenceDataset, DataError> {
        parse_long_csv(text.as_bytes(), "data.csv", &CsvColumns::default())
    }

    #[test]
    fn detects_columns_sorts_by_time_and_interleaves_sequences() {
        let text = "id,time,x1,x2,label\na,2,3.5,4,10\nb,1,9,9,2\na,1,1.5,2,10\nb,2,8,?,2\n";
        let ds = parse(text).unwrap();
        assert_eq!(ds.name, "data");
        assert_eq!(ds.feature_names, ["x1", "x2"]);
        assert_eq!(ds.len(), 2);
        assert_eq!(ds.sequences[0].values, vec![1.5, 2.0, 3.5, 4.0]);
        assert_eq!(ds.sequences[1].values[..3], [9.0, 9.0, 8.0]);
        assert!(ds.sequences[1].values[3].is_nan());
        assert_eq!(
            ds.targets,
            Targets::Labels {
                class_names: vec!["2".into(), "10".into()],
                labels: vec![1, 0]
            }
        );
    }

    #[test]
    fn changing_label_becomes_per_step_labels() {
        let text = "sequence,step,v,class\n1,1,0.5,up\n1,2,0.7,down\n2,1,0.1,up\n";
        let ds = parse(text).unwrap();
        assert_eq!(
            ds.targets,
            Targets::StepLabels {
                class_names: vec!["down".into(), "up".into()],
                labels: vec![vec![1, 0], vec![1]]
            }
        );
        let cols = CsvColumns {
            target: CsvTarget::Labels {
                column: "class".into(),
                level: TargetLevel::Sequence,
            },
            ..CsvColumns::default()
        };
        let err = parse_long_csv(text.as_bytes(), "data.csv", &cols)
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "data.csv:3: column \"class\": the label changes within sequence \"1\"; choose per-step labels"
        );
    }

    #[test]
    fn without_id_column_the_file_is_one_sequence_and_text_columns_are_skipped() {
        let text = "Date,Passengers\n1949-01,112\n1949-02,118\n1949-03,132\n";
        let ds = parse(text).unwrap();
        assert_eq!(ds.len(), 1);
        assert_eq!(ds.feature_names, ["Passengers"]);
        assert_eq!(ds.sequences[0].values, vec![112.0, 118.0, 132.0]);
        assert_eq!(ds.targets, Targets::None);
    }

    #[test]
    fn fractional_target_is_a_response() {
        let text = "id,x,target\n1,1,0.5\n1,2,0.5\n2,3,1.25\n";
        let ds = parse(text).unwrap();
        assert_eq!(
            ds.targets,
            Targets::Responses {
                names: vec!["target".into()],
                values: vec![vec![0.5], vec![1.25]]
            }
        );
    }

    #[test]
    fn bad_input_names_file_line_column_and_problem() {
        let err = parse("id,x,label\n1,2,a\n1,abc,a\n")
            .unwrap_err()
            .to_string();
        assert_eq!(err, "data.csv:3: column \"x\": \"abc\" is not a number");
        let err = parse("id,x,label\n1,2,a\n1,3,\n").unwrap_err().to_string();
        assert_eq!(err, "data.csv:3: column \"label\": missing label");
        let err = parse("id,x,label\n1,2,a\n1,3\n").unwrap_err().to_string();
        assert_eq!(err, "data.csv:3: the row has 2 fields but the header has 3");
        let err = parse("id,t,x\n1,1,2\n1,2,3\n1,1,4\n")
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "data.csv:4: sequence \"1\" has time 1 twice (also on line 2)"
        );
        assert_eq!(
            parse("").unwrap_err().to_string(),
            "data.csv: the file is empty"
        );
        assert_eq!(
            parse("id,x\n").unwrap_err().to_string(),
            "data.csv: no data rows after the header"
        );
        let cols = CsvColumns {
            id: ColumnChoice::Named("speaker".into()),
            ..CsvColumns::default()
        };
        let err = parse_long_csv(b"id,x\n1,2\n", "data.csv", &cols)
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "data.csv:1: no column named \"speaker\" (columns: id, x)"
        );
    }

    #[test]
    fn write_then_read_round_trips() {
        let ds = parse("id,time,a,b,label\nx,1,1,2,p\nx,2,3,,p\ny,1,5,6,q\n").unwrap();
        let mut out = Vec::new();
        write_long_csv(&ds, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(
            text,
            "sequence,step,a,b,label\n1,1,1,2,p\n1,2,3,,p\n2,1,5,6,q\n"
        );
        let back = parse_long_csv(text.as_bytes(), "data.csv", &CsvColumns::default()).unwrap();
        assert_eq!(back.targets, ds.targets);
        assert_eq!(back.sequences[0].values[..3], [1.0, 2.0, 3.0]);
    }

    #[test]
    fn progress_reports_total_bytes_at_the_end() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.csv");
        std::fs::write(&path, "id,x\n1,1\n1,2\n").unwrap();
        let mut calls = Vec::new();
        let ds = read_long_csv_with_progress(&path, &CsvColumns::default(), &mut |a, b| {
            calls.push((a, b))
        })
        .unwrap();
        assert_eq!(ds.name, "p");
        assert_eq!(calls.last(), Some(&(13, 13)));
    }
}
