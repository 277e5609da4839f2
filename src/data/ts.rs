//! The `.ts` format of the UEA & UCR time series archive (and sktime): `#` comment lines, `@`
//! header lines, then after `@data` one sequence per line, its dimensions separated by `:`,
//! the values of a dimension by `,`, and the class label (or regression target) last.
//!
//! Every header is read (`@problemName`, `@univariate`, `@dimensions`, `@equalLength`,
//! `@seriesLength`, `@classLabel true <labels…>`/`false`, `@targetLabel true`, `@missing`,
//! `@timeStamps`) and checked against the data: a sequence whose dimension count, length or
//! label contradicts the header is an error naming the line. `?` (and `NaN`) mark missing values.
//! Timestamped data (`(t,v)` pairs, `@timeStamps true`) is refused with a clear error.
//! Class names keep the `@classLabel` order.

use std::collections::HashMap;
use std::io::Write;
use std::path::Path;

use super::{
    DataError, Sequence, SequenceDataset, Targets, default_feature_names, display_name, stem_name,
};

/// Reads a `.ts` file.
pub fn read_ts(path: &Path) -> Result<SequenceDataset, DataError> {
    let bytes = std::fs::read(path).map_err(|e| DataError::io(path, e))?;
    let name = display_name(path);
    let text = utf8_text(&bytes, &name)?;
    let mut ds = parse_ts(text, &name)?;
    if ds.name.is_empty() {
        ds.name = stem_name(path);
    }
    Ok(ds)
}

/// Checks that file contents are UTF-8, naming the line of the first bad byte.
pub(crate) fn utf8_text<'a>(bytes: &'a [u8], file: &str) -> Result<&'a str, DataError> {
    std::str::from_utf8(bytes).map_err(|e| {
        let before = bytes.get(..e.valid_up_to()).unwrap_or_default();
        let line = before.iter().filter(|&&b| b == b'\n').count() as u64 + 1;
        DataError::at_line(file, line, "the file is not UTF-8 text")
    })
}

#[derive(Default)]
struct Header {
    problem_name: Option<String>,
    univariate: Option<bool>,
    dimensions: Option<usize>,
    equal_length: Option<bool>,
    series_length: Option<usize>,
    /// `Some(None)`: `@classLabel false`.
    class_labels: Option<Option<Vec<String>>>,
    target_label: Option<bool>,
    missing: Option<bool>,
}

/// Parses `.ts` text; `source_name` (a file name) is used in messages and, without a
/// `@problemName`, as the data set name.
pub fn parse_ts(text: &str, source_name: &str) -> Result<SequenceDataset, DataError> {
    let mut header = Header::default();
    let mut in_data = false;
    let mut sequences: Vec<Sequence> = Vec::new();
    let mut labels: Vec<usize> = Vec::new();
    let mut responses: Vec<Vec<f32>> = Vec::new();
    let mut dims: Option<usize> = None;
    let mut first_len: Option<usize> = None;
    let mut has_target = false;
    let mut dim_buf: Vec<Vec<f32>> = Vec::new();
    let mut class_index: HashMap<String, usize> = HashMap::new();
    let err = |line: u64, msg: String| DataError::at_line(source_name, line, msg);

    for (i, raw) in text.lines().enumerate() {
        let line_no = i as u64 + 1;
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(rest) = line.strip_prefix('@') {
            if in_data {
                return Err(err(line_no, format!("header line @{rest} after @data")));
            }
            let (key, value) = match rest.split_once(char::is_whitespace) {
                Some((k, v)) => (k, v.trim()),
                None => (rest, ""),
            };
            let key = key.to_ascii_lowercase();
            let flag = |v: &str| -> Result<bool, DataError> {
                let word = v.split_whitespace().next().unwrap_or("");
                match word.to_ascii_lowercase().as_str() {
                    "true" => Ok(true),
                    "false" => Ok(false),
                    _ => Err(err(
                        line_no,
                        format!("@{key} must be true or false, not {word:?}"),
                    )),
                }
            };
            let count = |v: &str| -> Result<usize, DataError> {
                match v.parse::<usize>() {
                    Ok(n) if n > 0 => Ok(n),
                    _ => Err(err(
                        line_no,
                        format!("@{key} must be a positive whole number, not {v:?}"),
                    )),
                }
            };
            match key.as_str() {
                "problemname" => header.problem_name = Some(value.to_owned()),
                "timestamps" => {
                    if flag(value)? {
                        return Err(err(
                            line_no,
                            "timestamped .ts data (@timeStamps true) is not supported; export the series without timestamps".into(),
                        ));
                    }
                }
                "missing" => header.missing = Some(flag(value)?),
                "univariate" => header.univariate = Some(flag(value)?),
                "dimensions" | "dimension" => header.dimensions = Some(count(value)?),
                "equallength" => header.equal_length = Some(flag(value)?),
                "serieslength" => header.series_length = Some(count(value)?),
                "classlabel" => {
                    if flag(value)? {
                        let names: Vec<String> = value
                            .split_whitespace()
                            .skip(1)
                            .map(str::to_owned)
                            .collect();
                        if names.is_empty() {
                            return Err(err(
                                line_no,
                                "@classLabel true must list the class labels".into(),
                            ));
                        }
                        class_index.clear();
                        for (k, n) in names.iter().enumerate() {
                            if class_index.insert(n.clone(), k).is_some() {
                                return Err(err(
                                    line_no,
                                    format!("@classLabel lists label {n:?} twice"),
                                ));
                            }
                        }
                        header.class_labels = Some(Some(names));
                    } else {
                        header.class_labels = Some(None);
                    }
                }
                "targetlabel" => header.target_label = Some(flag(value)?),
                "data" => {
                    in_data = true;
                    if matches!(header.class_labels, Some(Some(_)))
                        && header.target_label == Some(true)
                    {
                        return Err(err(
                            line_no,
                            "both @classLabel true and @targetLabel true: a .ts file is either classification or regression".into(),
                        ));
                    }
                    has_target = matches!(header.class_labels, Some(Some(_)))
                        || header.target_label == Some(true);
                    if header.univariate == Some(true) {
                        if let Some(d) = header.dimensions.filter(|&d| d != 1) {
                            return Err(err(
                                line_no,
                                format!("@univariate true contradicts @dimensions {d}"),
                            ));
                        }
                        dims = Some(1);
                    }
                    if let Some(d) = header.dimensions {
                        dims = Some(d);
                    }
                    if header.series_length.is_some() && header.equal_length == Some(false) {
                        // sktime writes @seriesLength only for equal lengths; treat it as a
                        // length every sequence must have only when @equalLength is not false.
                        header.series_length = None;
                    }
                }
                other => return Err(err(line_no, format!("unknown header @{other}"))),
            }
            continue;
        }
        if !in_data {
            return Err(err(
                line_no,
                "data before the @data line (or a header line without '@')".into(),
            ));
        }

        // One sequence.
        let fields: Vec<&str> = line.split(':').collect();
        let n_dims = fields.len() - usize::from(has_target);
        if n_dims == 0 {
            return Err(err(
                line_no,
                "no values before the label (expected dimensions separated by ':')".into(),
            ));
        }
        let expected = match dims {
            Some(d) => d,
            None => {
                dims = Some(n_dims);
                n_dims
            }
        };
        if n_dims != expected {
            let why = if header.dimensions.is_some() {
                format!("@dimensions {expected}")
            } else if header.univariate == Some(true) {
                "@univariate true".to_owned()
            } else {
                format!("the first sequence has {expected}")
            };
            let label_note = if has_target { " (plus the label)" } else { "" };
            return Err(err(
                line_no,
                format!("the sequence has {n_dims} dimensions{label_note} but {why}"),
            ));
        }
        dim_buf.resize_with(expected, Vec::new);
        for (d, field) in fields.iter().take(expected).enumerate() {
            let buf = &mut dim_buf[d];
            buf.clear();
            let field = field.trim();
            if field.starts_with('(') {
                return Err(err(
                    line_no,
                    format!(
                        "dimension {}: timestamped values \"(t,v)\" are not supported",
                        d + 1
                    ),
                ));
            }
            if field.is_empty() {
                return Err(err(line_no, format!("dimension {} has no values", d + 1)));
            }
            for (k, v) in field.split(',').enumerate() {
                let v = v.trim();
                let value = if v == "?" || v.eq_ignore_ascii_case("nan") {
                    if header.missing == Some(false) {
                        return Err(err(
                            line_no,
                            format!(
                                "dimension {}, value {}: missing value {v:?} but the header says @missing false",
                                d + 1,
                                k + 1
                            ),
                        ));
                    }
                    f32::NAN
                } else {
                    match v.parse::<f32>() {
                        Ok(x) if x.is_finite() => x,
                        Ok(_) => {
                            return Err(err(
                                line_no,
                                format!(
                                    "dimension {}, value {}: {v:?} is not a finite 32-bit number",
                                    d + 1,
                                    k + 1
                                ),
                            ));
                        }
                        Err(_) if v.is_empty() => {
                            return Err(err(
                                line_no,
                                format!("dimension {}, value {}: empty value", d + 1, k + 1),
                            ));
                        }
                        Err(_) => {
                            return Err(err(
                                line_no,
                                format!(
                                    "dimension {}, value {}: {v:?} is not a number",
                                    d + 1,
                                    k + 1
                                ),
                            ));
                        }
                    }
                };
                buf.push(value);
            }
        }
        let steps = dim_buf[0].len();
        for (d, buf) in dim_buf.iter().enumerate().skip(1) {
            if buf.len() != steps {
                return Err(err(
                    line_no,
                    format!(
                        "dimension {} has {} values but dimension 1 has {steps}",
                        d + 1,
                        buf.len()
                    ),
                ));
            }
        }
        if header.equal_length == Some(true) {
            if let Some(len) = header.series_length {
                if steps != len {
                    return Err(err(
                        line_no,
                        format!("the sequence has {steps} time steps but @seriesLength is {len}"),
                    ));
                }
            } else if let Some(first) = first_len.filter(|&f| f != steps) {
                return Err(err(
                    line_no,
                    format!(
                        "the sequence has {steps} time steps but @equalLength true and the first sequence has {first}"
                    ),
                ));
            }
        } else if let Some(len) = header.series_length.filter(|&l| l != steps) {
            return Err(err(
                line_no,
                format!("the sequence has {steps} time steps but @seriesLength is {len}"),
            ));
        }
        first_len.get_or_insert(steps);
        let mut values = Vec::with_capacity(steps * expected);
        for t in 0..steps {
            for buf in &dim_buf {
                values.push(buf[t]);
            }
        }
        sequences.push(Sequence { steps, values });

        if has_target {
            let label = fields.last().map_or("", |s| s.trim());
            if label.is_empty() {
                return Err(err(
                    line_no,
                    "missing class label or target after the last ':'".into(),
                ));
            }
            match &header.class_labels {
                Some(Some(names)) => match class_index.get(label) {
                    Some(&k) => labels.push(k),
                    None => {
                        return Err(err(
                            line_no,
                            format!(
                                "label {label:?} is not in the @classLabel list ({})",
                                names.join(" ")
                            ),
                        ));
                    }
                },
                _ => match label.parse::<f32>() {
                    Ok(x) if x.is_finite() => responses.push(vec![x]),
                    _ => {
                        return Err(err(
                            line_no,
                            format!("regression target {label:?} is not a finite number"),
                        ));
                    }
                },
            }
        }
    }

    if !in_data {
        let msg = if text.trim().is_empty() {
            "the file is empty"
        } else {
            "no @data line: not a .ts file"
        };
        return Err(DataError::in_file(source_name, msg));
    }
    if sequences.is_empty() {
        return Err(DataError::in_file(source_name, "no sequences after @data"));
    }
    let num_features = dims.unwrap_or(1);
    let targets = match header.class_labels {
        Some(Some(class_names)) => Targets::Labels {
            class_names,
            labels,
        },
        _ if has_target => Targets::Responses {
            names: vec!["target".to_owned()],
            values: responses,
        },
        _ => Targets::None,
    };
    let name = header
        .problem_name
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| stem_name(Path::new(source_name)));
    Ok(SequenceDataset {
        name,
        num_features,
        feature_names: default_feature_names("dim", num_features),
        sequences,
        targets,
    })
}

/// Writes a data set in `.ts` format. Sequence labels and single sequence responses can be
/// written; per-step targets and several responses cannot (the format has one target per
/// sequence). Missing values are written as `?`.
pub fn write_ts(ds: &SequenceDataset, out: &mut dyn Write) -> Result<(), DataError> {
    let unwritable = |message: String| DataError::Unwritable {
        dataset: ds.name.clone(),
        format: ".ts",
        message,
    };
    ds.validate()?;
    let c = ds.num_features;
    if c == 0 {
        return Err(unwritable("it has no features".into()));
    }
    let target_header = match &ds.targets {
        Targets::None => "@classLabel false".to_owned(),
        Targets::Labels { class_names, .. } => {
            if let Some(bad) = class_names.iter().find(|n| {
                n.is_empty() || n.contains(|ch: char| ch.is_whitespace() || ch == ':' || ch == ',')
            }) {
                return Err(unwritable(format!(
                    "class name {bad:?} is empty or contains a space, ':' or ','"
                )));
            }
            format!("@classLabel true {}", class_names.join(" "))
        }
        Targets::Responses { names, .. } if names.len() == 1 => "@targetLabel true".to_owned(),
        other => {
            return Err(unwritable(format!(
                "it has {} (the format holds one label or one response per sequence)",
                other.kind()
            )));
        }
    };
    let lengths: Vec<usize> = ds.sequences.iter().map(|s| s.steps).collect();
    let equal = lengths.windows(2).all(|w| w[0] == w[1]);
    let missing = ds
        .sequences
        .iter()
        .any(|s| s.values.iter().any(|v| v.is_nan()));
    let name = if ds.name.is_empty() { "data" } else { &ds.name };
    let mut text = String::new();
    use std::fmt::Write as _;
    let _ = writeln!(
        text,
        "@problemName {}",
        name.replace(char::is_whitespace, "_")
    );
    let _ = writeln!(text, "@timeStamps false");
    let _ = writeln!(text, "@missing {missing}");
    let _ = writeln!(text, "@univariate {}", c == 1);
    let _ = writeln!(text, "@dimensions {c}");
    let _ = writeln!(text, "@equalLength {equal}");
    if equal && let Some(&len) = lengths.first() {
        let _ = writeln!(text, "@seriesLength {len}");
    }
    let _ = writeln!(text, "{target_header}");
    let _ = writeln!(text, "@data");
    let io = |e| DataError::Io {
        path: ds.name.clone(),
        error: e,
    };
    out.write_all(text.as_bytes()).map_err(io)?;
    for (i, seq) in ds.sequences.iter().enumerate() {
        text.clear();
        for d in 0..c {
            if d > 0 {
                text.push(':');
            }
            for t in 0..seq.steps {
                if t > 0 {
                    text.push(',');
                }
                match seq.values.get(t * c + d) {
                    Some(v) if !v.is_nan() => {
                        let _ = write!(text, "{v}");
                    }
                    _ => text.push('?'),
                }
            }
        }
        match &ds.targets {
            Targets::Labels {
                class_names,
                labels,
            } => {
                let label = labels.get(i).and_then(|&l| class_names.get(l));
                let _ = write!(text, ":{}", label.map_or("", String::as_str));
            }
            Targets::Responses { values, .. } => {
                let v = values
                    .get(i)
                    .and_then(|v| v.first())
                    .copied()
                    .unwrap_or(f32::NAN);
                let _ = write!(text, ":{v}");
            }
            _ => {}
        }
        text.push('\n');
        out.write_all(text.as_bytes()).map_err(io)?;
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    const SMALL: &str = "# a comment\n@problemName Tiny\n@timeStamps false\n@missing true\n@univariate false\n@dimensions 2\n@equalLength false\n@classLabel true b a\n@data\n1,2,3:4,5,6:a\n7,?:8,9:b\n";

    #[test]
    fn parses_values_time_major_with_labels_in_header_order() {
        let ds = parse_ts(SMALL, "tiny.ts").unwrap();
        assert_eq!(ds.name, "Tiny");
        assert_eq!(ds.num_features, 2);
        assert_eq!(ds.sequences[0].steps, 3);
        assert_eq!(ds.sequences[0].values, vec![1.0, 4.0, 2.0, 5.0, 3.0, 6.0]);
        assert_eq!(ds.sequences[1].values[0..2], [7.0, 8.0]);
        assert!(ds.sequences[1].values[2].is_nan());
        assert_eq!(
            ds.targets,
            Targets::Labels {
                class_names: vec!["b".into(), "a".into()],
                labels: vec![1, 0]
            }
        );
        assert_eq!(ds.missing_values(), 1);
    }

    #[test]
    fn ragged_dimensions_name_line_and_counts() {
        let text = "@dimensions 3\n@classLabel true x\n@data\n1,2:3,4:5,6:x\n1,2,3:4,5,6:7,8:x\n";
        let err = parse_ts(text, "JapaneseVowels_TRAIN.ts")
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "JapaneseVowels_TRAIN.ts:5: dimension 3 has 2 values but dimension 1 has 3"
        );
    }

    #[test]
    fn non_numeric_value_is_named() {
        let text = "@classLabel true x\n@data\n1,abc,3:x\n";
        let err = parse_ts(text, "f.ts").unwrap_err().to_string();
        assert_eq!(err, "f.ts:3: dimension 1, value 2: \"abc\" is not a number");
    }

    #[test]
    fn label_not_in_header_list_and_missing_label() {
        let text = "@classLabel true 1 2\n@data\n1,2:1\n1,2:3\n";
        let err = parse_ts(text, "f.ts").unwrap_err().to_string();
        assert_eq!(
            err,
            "f.ts:4: label \"3\" is not in the @classLabel list (1 2)"
        );
        let text = "@dimensions 1\n@classLabel true 1 2\n@data\n1,2:\n";
        let err = parse_ts(text, "f.ts").unwrap_err().to_string();
        assert_eq!(
            err,
            "f.ts:4: missing class label or target after the last ':'"
        );
    }

    #[test]
    fn header_contradicting_data_is_an_error() {
        let dims = "@dimensions 2\n@classLabel true x\n@data\n1,2:x\n";
        let err = parse_ts(dims, "f.ts").unwrap_err().to_string();
        assert_eq!(
            err,
            "f.ts:4: the sequence has 1 dimensions (plus the label) but @dimensions 2"
        );
        let len = "@equalLength true\n@seriesLength 3\n@classLabel false\n@data\n1,2,3\n1,2\n";
        let err = parse_ts(len, "f.ts").unwrap_err().to_string();
        assert_eq!(
            err,
            "f.ts:6: the sequence has 2 time steps but @seriesLength is 3"
        );
        let eq = "@equalLength true\n@classLabel false\n@data\n1,2,3\n1,2\n";
        let err = parse_ts(eq, "f.ts").unwrap_err().to_string();
        assert!(err.starts_with("f.ts:5: the sequence has 2 time steps but @equalLength true"));
        let miss = "@missing false\n@classLabel false\n@data\n1,?,3\n";
        let err = parse_ts(miss, "f.ts").unwrap_err().to_string();
        assert!(
            err.contains("f.ts:4: dimension 1, value 2: missing value \"?\""),
            "{err}"
        );
        let uni = "@univariate true\n@dimensions 2\n@data\n";
        assert!(parse_ts(uni, "f.ts").is_err());
    }

    #[test]
    fn empty_file_and_timestamps_are_refused_clearly() {
        assert_eq!(
            parse_ts("", "empty.ts").unwrap_err().to_string(),
            "empty.ts: the file is empty"
        );
        assert_eq!(
            parse_ts("@data\n", "e.ts").unwrap_err().to_string(),
            "e.ts: no sequences after @data"
        );
        let err = parse_ts("@timeStamps true\n@data\n", "t.ts")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("t.ts:1: timestamped .ts data"), "{err}");
        let err = parse_ts("@data\n(0,1),(1,2)\n", "t.ts")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("t.ts:2: dimension 1: timestamped values"),
            "{err}"
        );
    }

    #[test]
    fn regression_targets_become_responses() {
        let text = "@targetLabel true\n@data\n1,2:3,4:0.5\n5,6:7,8:-2\n";
        let ds = parse_ts(text, "reg.ts").unwrap();
        assert_eq!(ds.name, "reg");
        assert_eq!(
            ds.targets,
            Targets::Responses {
                names: vec!["target".into()],
                values: vec![vec![0.5], vec![-2.0]]
            }
        );
    }

    #[test]
    fn write_then_parse_round_trips_exactly() {
        let ds = parse_ts(SMALL, "tiny.ts").unwrap();
        let mut out = Vec::new();
        write_ts(&ds, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("@classLabel true b a\n"));
        let back = parse_ts(&text, "back.ts").unwrap();
        assert_eq!(back.targets, ds.targets);
        assert_eq!(back.sequences[0], ds.sequences[0]);
        assert_eq!(back.missing_values(), 1);
    }

    #[test]
    fn reads_the_japanese_vowels_file() {
        let text = include_str!("../../assets/data/JapaneseVowels_TRAIN.ts");
        let ds = parse_ts(text, "JapaneseVowels_TRAIN.ts").unwrap();
        assert_eq!(ds.len(), 270);
        assert_eq!(ds.sequences[0].steps, 20);
        assert_eq!(ds.sequences[0].values[0], 1.860936);
        assert_eq!(ds.sequences[0].values[1], -0.207383);
        assert_eq!(ds.sequences[0].values[12], 1.891651);
    }
}
