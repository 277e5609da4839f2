//! Load benchmark for long-form CSV: writes a deterministic ~200 MB file (1000 sequences ×
//! 1000 time steps × 20 features, with id, time and label columns) into a temporary folder,
//! loads it with progress and prints one line: file MB, seconds, MB/s, and the memory the load
//! took (peak RSS minus the RSS before loading) against the size of the values as f32.
//!
//! Run with `cargo run --release --example bench_load_csv [sequences] [steps]`.

use std::io::{BufWriter, Write};
use std::time::Instant;

use lstm_studio::data::{CsvColumns, read_long_csv_with_progress};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let sequences: usize = args.next().map_or(Ok(1000), |a| a.parse())?;
    let steps: usize = args.next().map_or(Ok(1000), |a| a.parse())?;
    let features = 20;
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("bench_long.csv");
    {
        let mut w = BufWriter::with_capacity(1 << 20, std::fs::File::create(&path)?);
        write!(w, "id,time")?;
        for f in 1..=features {
            write!(w, ",f{f}")?;
        }
        writeln!(w, ",label")?;
        // A fixed linear congruential generator keeps the file identical on every run.
        let mut state: u64 = 0x2545_f491_4f6c_dd1d;
        for s in 0..sequences {
            for t in 0..steps {
                write!(w, "s{s},{t}")?;
                for _ in 0..features {
                    state = state
                        .wrapping_mul(6_364_136_223_846_793_005)
                        .wrapping_add(1_442_695_040_888_963_407);
                    let v = ((state >> 40) as f64 / (1u64 << 24) as f64) * 200.0 - 100.0;
                    write!(w, ",{v:.5}")?;
                }
                writeln!(w, ",class{}", s % 7)?;
            }
        }
        w.flush()?;
    }
    let bytes = std::fs::metadata(&path)?.len();
    let mb = bytes as f64 / 1e6;
    // The process maps libtorch's libraries before any data exists: measure the growth.
    let baseline = rss_bytes("VmRSS:").unwrap_or(0) as f64;
    let mut last_percent = 0;
    let start = Instant::now();
    let ds = read_long_csv_with_progress(&path, &CsvColumns::default(), &mut |read, total| {
        let percent = read * 100 / total.max(1);
        if percent >= last_percent + 10 {
            last_percent = percent;
            eprint!("\rloading… {percent}%");
        }
    })?;
    let seconds = start.elapsed().as_secs_f64();
    eprintln!();
    let data_bytes = (ds.total_steps() * ds.num_features * 4) as f64;
    let peak = rss_bytes("VmHWM:").unwrap_or(0) as f64;
    println!(
        "{mb:.1} MB in {seconds:.2} s = {:.0} MB/s; {} sequences, {} steps, {} features; memory for the load {:.0} MB = {:.2}× the f32 data ({:.0} MB) (peak RSS {:.0} MB, of which {:.0} MB before loading: the program and its libraries)",
        mb / seconds,
        ds.len(),
        ds.total_steps(),
        ds.num_features,
        (peak - baseline) / 1e6,
        (peak - baseline) / data_bytes,
        data_bytes / 1e6,
        peak / 1e6,
        baseline / 1e6
    );
    Ok(())
}

/// A resident-set figure from /proc/self/status (`VmRSS:` now, `VmHWM:` peak), in bytes.
fn rss_bytes(key: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(key))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}
