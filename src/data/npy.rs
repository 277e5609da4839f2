//! NumPy `.npy` and `.npz` files.
//!
//! An `.npz` holds `X` (N×T×C, or N×T for one feature; float32/float64, or integers), an
//! optional `y` and an optional `lengths` (N integers, each 1..=T, when `X` is padded):
//! - `y` of N integers, booleans or strings: one class label per sequence (class names are the
//!   distinct values in natural order);
//! - `y` of N×T integers or strings: one label per step;
//! - `y` of N floats or N×R floats: responses per sequence; N×T×R floats: responses per step.
//!
//! An `.npy` holds `X` alone and gives no targets. The `.npy` header is parsed by hand
//! (versions 1–3, little or big endian, C or Fortran order); object arrays (pickles) are
//! refused. Every size is checked against the bytes present before anything is allocated.

use std::io::Read;
use std::path::Path;

use super::{
    DataError, Sequence, SequenceDataset, Targets, default_feature_names, display_name,
    natural_order, stem_name,
};

/// Largest member read from an `.npz` (decompressed).
const MAX_MEMBER_BYTES: u64 = 16 << 30;

/// The values of an array, in C order.
#[derive(Debug, Clone, PartialEq)]
enum NpyData {
    F32(Vec<f32>),
    F64(Vec<f64>),
    Int(Vec<i64>),
    Text(Vec<String>),
}

#[derive(Debug, Clone, PartialEq)]
struct NpyArray {
    shape: Vec<usize>,
    data: NpyData,
}

impl NpyArray {
    fn is_float(&self) -> bool {
        matches!(self.data, NpyData::F32(_) | NpyData::F64(_))
    }

    fn shape_text(&self) -> String {
        let dims: Vec<String> = self.shape.iter().map(|d| d.to_string()).collect();
        format!("({})", dims.join(", "))
    }

    fn f32_at(&self, i: usize) -> f32 {
        match &self.data {
            NpyData::F32(v) => v.get(i).copied().unwrap_or(f32::NAN),
            NpyData::F64(v) => v.get(i).map_or(f32::NAN, |&x| x as f32),
            NpyData::Int(v) => v.get(i).map_or(f32::NAN, |&x| x as f32),
            NpyData::Text(_) => f32::NAN,
        }
    }

    fn text_at(&self, i: usize) -> String {
        match &self.data {
            NpyData::Int(v) => v.get(i).map(|x| x.to_string()).unwrap_or_default(),
            NpyData::Text(v) => v.get(i).cloned().unwrap_or_default(),
            NpyData::F32(v) => v.get(i).map(|x| x.to_string()).unwrap_or_default(),
            NpyData::F64(v) => v.get(i).map(|x| x.to_string()).unwrap_or_default(),
        }
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Float,
    Int,
    UInt,
    Bool,
    Unicode,
    Bytes,
}

/// Parses one `.npy` image. `what` names it in messages (`file` or `file: member`).
fn parse_array(bytes: &[u8], what: &str) -> Result<NpyArray, DataError> {
    let fail = |m: String| DataError::in_file(what, m);
    if bytes.len() < 10 || &bytes[..6] != b"\x93NUMPY" {
        return Err(fail("not a NumPy .npy array (bad magic bytes)".into()));
    }
    let major = bytes[6];
    let (header_len, start) = match major {
        1 => (u16::from_le_bytes([bytes[8], bytes[9]]) as usize, 10usize),
        2 | 3 => {
            let Some(b) = bytes.get(8..12) else {
                return Err(fail("truncated .npy header".into()));
            };
            (u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize, 12)
        }
        v => return Err(fail(format!("unsupported .npy version {v}"))),
    };
    let Some(header) = start
        .checked_add(header_len)
        .and_then(|end| bytes.get(start..end))
    else {
        return Err(fail("truncated .npy header".into()));
    };
    let header = String::from_utf8_lossy(header);
    let data = &bytes[start + header_len..];

    let descr = dict_value(&header, "descr")
        .and_then(quoted)
        .ok_or_else(|| fail(format!("no 'descr' in the .npy header {:?}", header.trim())))?;
    let fortran = match dict_value(&header, "fortran_order").map(|v| v.trim_start()) {
        Some(v) if v.starts_with("True") => true,
        Some(v) if v.starts_with("False") => false,
        _ => return Err(fail("no 'fortran_order' in the .npy header".into())),
    };
    let shape = dict_value(&header, "shape")
        .and_then(parse_shape)
        .ok_or_else(|| {
            fail(format!(
                "no valid 'shape' in the .npy header {:?}",
                header.trim()
            ))
        })?;

    let (order, rest) = match descr.as_bytes().first() {
        Some(b'<' | b'|' | b'=') => (false, &descr[1..]),
        Some(b'>') => (true, &descr[1..]),
        _ => (false, descr),
    };
    let big = order;
    let (kind, size) = {
        let mut chars = rest.chars();
        let kind = match chars.next() {
            Some('f') => Kind::Float,
            Some('i') => Kind::Int,
            Some('u') => Kind::UInt,
            Some('b') => Kind::Bool,
            Some('U') => Kind::Unicode,
            Some('S' | 'a') => Kind::Bytes,
            Some('O') => {
                return Err(fail(
                    "object arrays (pickled Python objects) are not supported; save numbers or fixed-width strings".into(),
                ));
            }
            _ => return Err(fail(format!("unsupported dtype {descr:?}"))),
        };
        let size: usize = chars
            .as_str()
            .parse()
            .map_err(|_| fail(format!("unsupported dtype {descr:?}")))?;
        (kind, size)
    };
    let item = match kind {
        Kind::Unicode => size.checked_mul(4),
        _ => Some(size),
    };
    let valid = match kind {
        Kind::Float => matches!(size, 4 | 8),
        Kind::Int | Kind::UInt => matches!(size, 1 | 2 | 4 | 8),
        Kind::Bool => size == 1,
        Kind::Unicode | Kind::Bytes => size > 0,
    };
    let Some(item) = item.filter(|_| valid) else {
        return Err(fail(format!("unsupported dtype {descr:?}")));
    };
    let count = shape
        .iter()
        .try_fold(1usize, |a, &d| a.checked_mul(d))
        .ok_or_else(|| fail("the array shape is too large".into()))?;
    let needed = count
        .checked_mul(item)
        .ok_or_else(|| fail("the array shape is too large".into()))?;
    if data.len() < needed {
        return Err(fail(format!(
            "the header promises {needed} bytes of data but only {} follow",
            data.len()
        )));
    }
    let data = &data[..needed];
    let word = |chunk: &[u8]| -> u64 {
        let mut b = [0u8; 8];
        if big {
            b[8 - chunk.len()..].copy_from_slice(chunk);
            u64::from_be_bytes(b)
        } else {
            b[..chunk.len()].copy_from_slice(chunk);
            u64::from_le_bytes(b)
        }
    };
    let values = match kind {
        Kind::Float if size == 4 => NpyData::F32(
            data.chunks_exact(4)
                .map(|c| f32::from_bits(word(c) as u32))
                .collect(),
        ),
        Kind::Float => NpyData::F64(
            data.chunks_exact(8)
                .map(|c| f64::from_bits(word(c)))
                .collect(),
        ),
        Kind::Int => {
            let shift = 64 - 8 * size as u32;
            NpyData::Int(
                data.chunks_exact(size)
                    .map(|c| ((word(c) << shift) as i64) >> shift)
                    .collect(),
            )
        }
        Kind::UInt | Kind::Bool => {
            let mut v = Vec::with_capacity(count);
            for c in data.chunks_exact(size) {
                let x = word(c);
                v.push(i64::try_from(x).map_err(|_| fail(format!("value {x} is too large")))?);
            }
            NpyData::Int(v)
        }
        Kind::Unicode => {
            let mut v = Vec::with_capacity(count);
            for c in data.chunks_exact(item) {
                let mut s = String::new();
                for cp in c.chunks_exact(4) {
                    let code = word(cp) as u32;
                    if code == 0 {
                        break;
                    }
                    s.push(char::from_u32(code).ok_or_else(|| {
                        fail(format!("invalid character code {code:#x} in a string"))
                    })?);
                }
                v.push(s);
            }
            NpyData::Text(v)
        }
        Kind::Bytes => NpyData::Text(
            data.chunks_exact(item)
                .map(|c| {
                    let end = c.iter().position(|&b| b == 0).unwrap_or(c.len());
                    String::from_utf8_lossy(&c[..end]).into_owned()
                })
                .collect(),
        ),
    };
    let data = if fortran && shape.len() > 1 {
        to_c_order(values, &shape)
    } else {
        values
    };
    Ok(NpyArray { shape, data })
}

/// The text after `'key':` in a Python dict literal.
fn dict_value<'a>(header: &'a str, key: &str) -> Option<&'a str> {
    for q in ['\'', '"'] {
        let pat = format!("{q}{key}{q}");
        if let Some(pos) = header.find(&pat) {
            let rest = header.get(pos + pat.len()..)?.trim_start();
            return rest.strip_prefix(':');
        }
    }
    None
}

/// The contents of a leading quoted string.
fn quoted(v: &str) -> Option<&str> {
    let v = v.trim_start();
    let q = v.chars().next().filter(|c| *c == '\'' || *c == '"')?;
    let rest = &v[1..];
    rest.find(q).map(|end| &rest[..end])
}

/// A Python tuple of integers: `(3, 4)`, `(5,)`, `()`.
fn parse_shape(v: &str) -> Option<Vec<usize>> {
    let v = v.trim_start().strip_prefix('(')?;
    let inner = &v[..v.find(')')?];
    inner
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| s.trim_end_matches('L').parse::<usize>().ok())
        .collect()
}

/// Reorders Fortran-order (column-major) values into C order.
fn to_c_order(data: NpyData, shape: &[usize]) -> NpyData {
    fn reorder<T: Clone>(v: Vec<T>, shape: &[usize]) -> Vec<T> {
        let n = v.len();
        let mut out = Vec::with_capacity(n);
        let mut idx = vec![0usize; shape.len()];
        for _ in 0..n {
            // Fortran offset of the current C-order multi-index.
            let mut off = 0usize;
            let mut stride = 1usize;
            for (i, &d) in idx.iter().zip(shape) {
                off += i * stride;
                stride *= d;
            }
            if let Some(x) = v.get(off) {
                out.push(x.clone());
            }
            for k in (0..shape.len()).rev() {
                idx[k] += 1;
                if idx[k] < shape[k] {
                    break;
                }
                idx[k] = 0;
            }
        }
        out
    }
    match data {
        NpyData::F32(v) => NpyData::F32(reorder(v, shape)),
        NpyData::F64(v) => NpyData::F64(reorder(v, shape)),
        NpyData::Int(v) => NpyData::Int(reorder(v, shape)),
        NpyData::Text(v) => NpyData::Text(reorder(v, shape)),
    }
}

/// Reads an `.npy` file of X alone.
pub fn read_npy(path: &Path) -> Result<SequenceDataset, DataError> {
    let bytes = std::fs::read(path).map_err(|e| DataError::io(path, e))?;
    let mut ds = parse_npy(&bytes, &display_name(path))?;
    ds.name = stem_name(path);
    Ok(ds)
}

/// Reads an `.npz` file with X, optional y and optional lengths.
pub fn read_npz(path: &Path) -> Result<SequenceDataset, DataError> {
    let bytes = std::fs::read(path).map_err(|e| DataError::io(path, e))?;
    let mut ds = parse_npz(&bytes, &display_name(path))?;
    ds.name = stem_name(path);
    Ok(ds)
}

/// Parses the bytes of an `.npy` file holding X (N×T×C or N×T); no targets.
pub fn parse_npy(bytes: &[u8], source_name: &str) -> Result<SequenceDataset, DataError> {
    let x = parse_array(bytes, source_name)?;
    build(source_name, &x, None, None)
}

/// Parses the bytes of an `.npz` archive (members `X.npy`, optional `y.npy`, `lengths.npy`).
pub fn parse_npz(bytes: &[u8], source_name: &str) -> Result<SequenceDataset, DataError> {
    let fail = |m: String| DataError::in_file(source_name, m);
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|e| fail(format!("not a valid .npz (zip) archive: {e}")))?;
    let names: Vec<String> = archive.file_names().map(str::to_owned).collect();
    let mut member = |want: &[&str]| -> Result<Option<NpyArray>, DataError> {
        let Some(name) = names.iter().find(|n| want.contains(&n.as_str())).cloned() else {
            return Ok(None);
        };
        let what = format!("{source_name}: {name}");
        let file = archive
            .by_name(&name)
            .map_err(|e| DataError::in_file(&what, format!("cannot read: {e}")))?;
        let mut buf = Vec::new();
        file.take(MAX_MEMBER_BYTES)
            .read_to_end(&mut buf)
            .map_err(|e| DataError::in_file(&what, format!("cannot read: {e}")))?;
        parse_array(&buf, &what).map(Some)
    };
    let Some(x) = member(&["X.npy", "x.npy"])? else {
        let mut listed = names.join(", ");
        if listed.is_empty() {
            listed = "none".into();
        }
        return Err(fail(format!(
            "no array X in the archive (members: {listed})"
        )));
    };
    let y = member(&["y.npy", "Y.npy"])?;
    let lengths = member(&["lengths.npy"])?;
    build(source_name, &x, y.as_ref(), lengths.as_ref())
}

fn build(
    file: &str,
    x: &NpyArray,
    y: Option<&NpyArray>,
    lengths: Option<&NpyArray>,
) -> Result<SequenceDataset, DataError> {
    let fail = |m: String| DataError::in_file(file, m);
    if matches!(x.data, NpyData::Text(_)) {
        return Err(fail("X holds strings; it must hold numbers".into()));
    }
    let (n, t, c) = match x.shape[..] {
        [n, t, c] => (n, t, c),
        [n, t] => (n, t, 1),
        _ => {
            return Err(fail(format!(
                "X has shape {}; expected N×T×C (sequences × time steps × features) or N×T",
                x.shape_text()
            )));
        }
    };
    if n == 0 || t == 0 || c == 0 {
        return Err(fail(format!("X has shape {}: no data", x.shape_text())));
    }
    let steps: Vec<usize> = match lengths {
        None => vec![t; n],
        Some(l) => {
            if l.shape != [n] || matches!(l.data, NpyData::Text(_)) {
                return Err(fail(format!(
                    "lengths has shape {} but must hold {n} whole numbers (one per sequence)",
                    l.shape_text()
                )));
            }
            let mut v = Vec::with_capacity(n);
            for i in 0..n {
                let len = match &l.data {
                    NpyData::Int(d) => d.get(i).copied().unwrap_or(-1),
                    _ => {
                        let f = f64::from(l.f32_at(i));
                        if f.fract() == 0.0 { f as i64 } else { -1 }
                    }
                };
                if len < 1 || len as u64 > t as u64 {
                    return Err(fail(format!(
                        "lengths[{i}] is {len}; each length must be a whole number between 1 and T = {t}"
                    )));
                }
                v.push(len as usize);
            }
            v
        }
    };
    let sequences: Vec<Sequence> = steps
        .iter()
        .enumerate()
        .map(|(i, &len)| Sequence {
            steps: len,
            values: (0..len * c).map(|k| x.f32_at(i * t * c + k)).collect(),
        })
        .collect();

    let targets = match y {
        None => Targets::None,
        Some(y) => match (y.is_float(), &y.shape[..]) {
            (false, [m]) if *m == n => {
                let (class_names, labels) = classes((0..n).map(|i| y.text_at(i)).collect());
                Targets::Labels {
                    class_names,
                    labels,
                }
            }
            (false, [m, ty]) if *m == n && *ty == t => {
                let (class_names, flat) = classes((0..n * t).map(|i| y.text_at(i)).collect());
                Targets::StepLabels {
                    class_names,
                    labels: steps
                        .iter()
                        .enumerate()
                        .map(|(i, &len)| flat[i * t..i * t + len].to_vec())
                        .collect(),
                }
            }
            (true, [m]) if *m == n => Targets::Responses {
                names: vec!["y".into()],
                values: (0..n).map(|i| vec![y.f32_at(i)]).collect(),
            },
            (true, [m, r]) if *m == n && *r > 0 => Targets::Responses {
                names: default_feature_names("y", *r),
                values: (0..n)
                    .map(|i| (0..*r).map(|k| y.f32_at(i * r + k)).collect())
                    .collect(),
            },
            (true, [m, ty, r]) if *m == n && *ty == t && *r > 0 => Targets::StepResponses {
                names: default_feature_names("y", *r),
                values: steps
                    .iter()
                    .enumerate()
                    .map(|(i, &len)| (0..len * r).map(|k| y.f32_at(i * t * r + k)).collect())
                    .collect(),
            },
            _ => {
                return Err(fail(format!(
                    "y has shape {} ({}); expected N = {n} labels, N×T = {n}×{t} labels, or N×R / N×T×R float responses",
                    y.shape_text(),
                    if y.is_float() { "floats" } else { "labels" }
                )));
            }
        },
    };
    if let Targets::Responses { values, .. } | Targets::StepResponses { values, .. } = &targets
        && values.iter().flatten().any(|v| !v.is_finite())
    {
        return Err(fail("y holds a NaN or infinite response".into()));
    }
    Ok(SequenceDataset {
        name: stem_name(Path::new(file)),
        num_features: c,
        feature_names: default_feature_names("dim", c),
        sequences,
        targets,
    })
}

/// Class names in natural order and the class index of each value.
fn classes(values: Vec<String>) -> (Vec<String>, Vec<usize>) {
    let mut distinct: Vec<String> = values.clone();
    distinct.sort();
    distinct.dedup();
    let (names, _) = natural_order(distinct);
    let index: std::collections::HashMap<&str, usize> = names
        .iter()
        .enumerate()
        .map(|(i, n)| (n.as_str(), i))
        .collect();
    let labels = values
        .iter()
        .map(|v| index.get(v.as_str()).copied().unwrap_or(0))
        .collect();
    (names, labels)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
pub(crate) mod tests {
    use super::*;
    use std::io::Write;

    /// A version-1 `.npy` image.
    pub(crate) fn npy(descr: &str, shape: &[usize], data: &[u8]) -> Vec<u8> {
        let dims: Vec<String> = shape.iter().map(|d| d.to_string()).collect();
        let shape = if shape.len() == 1 {
            format!("({},)", dims[0])
        } else {
            format!("({})", dims.join(", "))
        };
        let mut header =
            format!("{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape}, }}");
        while (10 + header.len() + 1) % 64 != 0 {
            header.push(' ');
        }
        header.push('\n');
        let mut out = b"\x93NUMPY\x01\x00".to_vec();
        out.extend((header.len() as u16).to_le_bytes());
        out.extend(header.as_bytes());
        out.extend(data);
        out
    }

    fn f32s(v: &[f32]) -> Vec<u8> {
        v.iter().flat_map(|x| x.to_le_bytes()).collect()
    }

    fn npz(members: &[(&str, Vec<u8>)]) -> Vec<u8> {
        let mut cursor = std::io::Cursor::new(Vec::new());
        {
            let mut zip = zip::ZipWriter::new(&mut cursor);
            for (name, bytes) in members {
                let opts = zip::write::FileOptions::default()
                    .compression_method(zip::CompressionMethod::Deflated);
                zip.start_file(*name, opts).unwrap();
                zip.write_all(bytes).unwrap();
            }
            zip.finish().unwrap();
        }
        cursor.into_inner()
    }

    #[test]
    fn npy_of_x_alone_has_no_targets() {
        let x: Vec<f32> = (0..12).map(|i| i as f32).collect();
        let ds = parse_npy(&npy("<f4", &[2, 3, 2], &f32s(&x)), "x.npy").unwrap();
        assert_eq!(ds.len(), 2);
        assert_eq!(ds.num_features, 2);
        assert_eq!(ds.sequences[1].values, vec![6.0, 7.0, 8.0, 9.0, 10.0, 11.0]);
        assert_eq!(ds.targets, Targets::None);
    }

    #[test]
    fn npz_with_int_labels_lengths_and_float64_x() {
        let x: Vec<u8> = (0..8)
            .flat_map(|i| (i as f64 * 0.5).to_le_bytes())
            .collect();
        let y: Vec<u8> = [10i64, 2].iter().flat_map(|v| v.to_le_bytes()).collect();
        let lengths: Vec<u8> = [1i32, 4].iter().flat_map(|v| v.to_le_bytes()).collect();
        let bytes = npz(&[
            ("X.npy", npy("<f8", &[2, 4], &x)),
            ("y.npy", npy("<i8", &[2], &y)),
            ("lengths.npy", npy("<i4", &[2], &lengths)),
        ]);
        let ds = parse_npz(&bytes, "set.npz").unwrap();
        assert_eq!(ds.name, "set");
        assert_eq!(ds.sequences[0].values, vec![0.0]);
        assert_eq!(ds.sequences[1].values, vec![2.0, 2.5, 3.0, 3.5]);
        assert_eq!(
            ds.targets,
            Targets::Labels {
                class_names: vec!["2".into(), "10".into()],
                labels: vec![1, 0]
            }
        );
    }

    #[test]
    fn npz_with_string_labels_and_responses() {
        let x = npy("<f4", &[2, 1, 1], &f32s(&[1.0, 2.0]));
        let mut u = Vec::new();
        for s in ["cat", "ox"] {
            let mut chars: Vec<u32> = s.chars().map(|c| c as u32).collect();
            chars.resize(3, 0);
            u.extend(chars.iter().flat_map(|c| c.to_le_bytes()));
        }
        let ds = parse_npz(
            &npz(&[("X.npy", x.clone()), ("y.npy", npy("<U3", &[2], &u))]),
            "a.npz",
        )
        .unwrap();
        assert_eq!(ds.class_names().unwrap(), ["cat", "ox"]);
        let r = npy("<f4", &[2, 2], &f32s(&[0.5, 1.0, 1.5, 2.0]));
        let ds = parse_npz(&npz(&[("X.npy", x), ("y.npy", r)]), "a.npz").unwrap();
        assert_eq!(
            ds.targets,
            Targets::Responses {
                names: vec!["y1".into(), "y2".into()],
                values: vec![vec![0.5, 1.0], vec![1.5, 2.0]]
            }
        );
    }

    #[test]
    fn fortran_order_is_reordered() {
        // C-order [[1,2,3],[4,5,6]] stored column-major: 1,4,2,5,3,6.
        let mut bytes = npy("<f4", &[2, 3], &f32s(&[1.0, 4.0, 2.0, 5.0, 3.0, 6.0]));
        let pos = bytes.windows(5).position(|w| w == b"False").unwrap();
        bytes.splice(pos..pos + 5, b"True ".iter().copied());
        let ds = parse_npy(&bytes, "f.npy").unwrap();
        assert_eq!(ds.sequences[0].values, vec![1.0, 2.0, 3.0]);
        assert_eq!(ds.sequences[1].values, vec![4.0, 5.0, 6.0]);
    }

    #[test]
    fn bad_arrays_are_named() {
        let err = parse_npy(&npy("<f4", &[2, 3, 2], &[0; 8]), "x.npy")
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "x.npy: the header promises 48 bytes of data but only 8 follow"
        );
        let err = parse_npy(b"hello", "x.npy").unwrap_err().to_string();
        assert!(err.contains("bad magic"), "{err}");
        let err = parse_npy(&npy("|O", &[1], &[0; 8]), "x.npy")
            .unwrap_err()
            .to_string();
        assert!(err.contains("object arrays"), "{err}");
        let x = npy("<f4", &[2, 1, 1], &f32s(&[1.0, 2.0]));
        let y = npy("<i4", &[3], &[0; 12]);
        let err = parse_npz(&npz(&[("X.npy", x), ("y.npy", y)]), "d.npz")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("d.npz: y has shape (3)"), "{err}");
        let err = parse_npz(&npz(&[("a.npy", vec![])]), "d.npz")
            .unwrap_err()
            .to_string();
        assert_eq!(err, "d.npz: no array X in the archive (members: a.npy)");
        let err = parse_npz(b"", "d.npz").unwrap_err().to_string();
        assert!(err.starts_with("d.npz: not a valid .npz"), "{err}");
    }
}
