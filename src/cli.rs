//! The headless commands of `lstm-studio`: analyze, train, eval, predict, forecast, inspect,
//! and MATLAB code import/export. Without a command, the studio window opens.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand, ValueEnum};
use tch::{Device, Kind, Tensor};

use crate::data::SequenceDataset;
use crate::engine::{
    self, IterationRecord, Network, TrainingEvent, TrainingObserver, TrainingRequest, run_dir,
};
use crate::project_data::{ProjectData, load_spec};
use crate::spec::{ExecutionEnvironment, Project, analyze};

/// LSTM Studio: design, train and inspect LSTM networks (MATLAB's lstmLayer workflow on
/// libtorch). Run without a command to open the studio.
#[derive(Parser, Debug)]
#[command(name = "lstm-studio", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Commands>,
    /// Open this project in the studio instead of the canonical example.
    #[arg(long, global = false)]
    pub project: Option<PathBuf>,
    /// Studio: render the window into this PNG after it settles, then quit.
    #[arg(long)]
    pub screenshot: Option<PathBuf>,
    /// Studio: the area to show first (network, data, training, results, inspect).
    #[arg(long)]
    pub area: Option<String>,
    /// Studio: train for this many epochs first (with --screenshot: shoot after training).
    #[arg(long)]
    pub train_epochs: Option<usize>,
    /// Studio: with --screenshot and --train-epochs, shoot mid-training after this many iterations.
    #[arg(long)]
    pub shoot_after_iterations: Option<usize>,
}

/// Execution device on the command line.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum DeviceArg {
    Auto,
    Cpu,
    Cuda,
}

impl From<DeviceArg> for ExecutionEnvironment {
    fn from(d: DeviceArg) -> Self {
        match d {
            DeviceArg::Auto => ExecutionEnvironment::Auto,
            DeviceArg::Cpu => ExecutionEnvironment::Cpu,
            DeviceArg::Cuda => ExecutionEnvironment::Gpu,
        }
    }
}

#[derive(Subcommand, Debug)]
pub enum Commands {
    /// Show the layer array as MATLAB displays it, with sizes and learnables; exit 1 if invalid.
    Analyze { project: PathBuf },
    /// Train a project's network and write a run directory.
    Train {
        project: PathBuf,
        /// Training data (.ts, .csv, .txt, .npz) or embedded:NAME.
        #[arg(long)]
        train_data: Option<String>,
        #[arg(long)]
        validation_data: Option<String>,
        #[arg(long)]
        test_data: Option<String>,
        /// An embedded data set for train and test (japanese-vowels, basic-motions).
        #[arg(long)]
        dataset: Option<String>,
        /// Start from these learnables (safetensors) instead of the initializers.
        #[arg(long)]
        init_from: Option<PathBuf>,
        /// Continue from a checkpoint written by an earlier run.
        #[arg(long)]
        resume: Option<PathBuf>,
        /// MaxEpochs (0: write the run directory from the initial learnables, no training).
        #[arg(long)]
        epochs: Option<usize>,
        #[arg(long)]
        seed: Option<u64>,
        #[arg(long, value_enum)]
        device: Option<DeviceArg>,
        /// libtorch's CPU threads.
        #[arg(long)]
        threads: Option<i32>,
        /// The run directory (default runs/<project>-<time>).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Print one JSON summary as the last line of stdout.
        #[arg(long)]
        json: bool,
    },
    /// Evaluate a run (accuracy or RMSE, confusion matrix) on labelled data.
    Eval {
        run: PathBuf,
        #[arg(long)]
        data: String,
        #[arg(long)]
        json: bool,
    },
    /// Run a network on data and write its outputs as CSV.
    Predict {
        /// A run directory, or a project file with --weights.
        run: PathBuf,
        #[arg(long)]
        weights: Option<PathBuf>,
        #[arg(long)]
        data: String,
        #[arg(long)]
        out: PathBuf,
    },
    /// Closed-loop forecasting (predictAndUpdateState) N steps past each sequence.
    Forecast {
        run: PathBuf,
        #[arg(long)]
        data: String,
        #[arg(long)]
        steps: usize,
        #[arg(long)]
        out: PathBuf,
    },
    /// Write the gates and states of every recurrent layer over one sequence (CSV + safetensors).
    Inspect {
        run: PathBuf,
        #[arg(long)]
        data: String,
        /// 1-based sequence number in file order.
        #[arg(long)]
        sequence: usize,
        #[arg(long)]
        out: PathBuf,
    },
    /// Read MATLAB code (layers = [...], trainingOptions) into a project file.
    ImportMatlab {
        script: PathBuf,
        #[arg(short, long)]
        out: PathBuf,
    },
    /// Write a project as MATLAB code.
    ExportMatlab {
        project: PathBuf,
        #[arg(short, long)]
        out: PathBuf,
    },
    /// Write a project as a Python package for PyTorch: the network as a torch.nn.Module, the
    /// data as .ts, the solver with per-gate factors and a train.py for torchrun /
    /// DistributedDataParallel that writes a studio run directory.
    ExportPytorch {
        project: PathBuf,
        #[arg(short, long)]
        out: PathBuf,
    },
}

/// Runs a headless command; returns the process exit code.
pub fn run(cmd: Commands) -> Result<i32> {
    match cmd {
        Commands::Analyze { project } => {
            let p = Project::load(&project)?;
            let a = analyze(&p.layers);
            let mut named = p.layers.clone();
            crate::spec::assign_names(&mut named);
            print!("{}", a.table(&named));
            Ok(if a.is_valid() { 0 } else { 1 })
        }
        Commands::Train {
            project,
            train_data,
            validation_data,
            test_data,
            dataset,
            init_from,
            resume,
            epochs,
            seed,
            device,
            threads,
            out,
            json,
        } => {
            if let Some(t) = threads {
                tch::set_num_threads(t);
            }
            let mut p = Project::load(&project)?;
            if let Some(e) = epochs {
                p.training.max_epochs = e;
            }
            if let Some(s) = seed {
                p.training.seed = s;
            }
            if let Some(d) = device {
                p.training.execution_environment = d.into();
            }
            let mut data =
                ProjectData::load(&p, Some(&project)).context("loading the project's data")?;
            if let Some(name) = &dataset {
                data.train = Some(crate::project_data::embedded(name, false)?);
                data.test = Some(crate::project_data::embedded(name, true)?);
            }
            if let Some(f) = &train_data {
                data.train = Some(load_spec(f)?);
            }
            if let Some(f) = &validation_data {
                data.validation = Some(load_spec(f)?);
            }
            if let Some(f) = &test_data {
                data.test = Some(load_spec(f)?);
            }
            data.align()?;
            let Some(train) = data.train.clone() else {
                bail!(
                    "no training data: give --train-data FILE or --dataset NAME, or name it in the project"
                );
            };
            let stem = project
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_else(|| "run".into());
            let out = out.unwrap_or_else(|| {
                let stamp = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map(|d| d.as_secs())
                    .unwrap_or(0);
                PathBuf::from("runs").join(format!("{stem}-{stamp}"))
            });
            train_command(
                &p,
                train,
                data.validation,
                data.test,
                init_from,
                resume,
                &out,
                json,
            )
        }
        Commands::Eval { run, data, json } => {
            let r = run_dir::load_run(&run, Device::Cpu)?;
            let ds = aligned(load_spec(&data)?, &r.classes)?;
            let ev = engine::evaluate(&r.network, &ds, 128)?;
            if let Some(cm) = &ev.confusion {
                print_confusion(cm);
            }
            if let Some(a) = ev.accuracy {
                println!("accuracy: {a:.4} ({} sequences)", ds.sequences.len());
            }
            if let Some(e) = ev.rmse {
                println!("RMSE: {e:.6}");
            }
            if json {
                let v = serde_json::json!({ "accuracy": ev.accuracy, "rmse": ev.rmse, "loss": ev.loss,
                    "confusion": ev.confusion.as_ref().map(|c| &c.counts) });
                println!("{v}");
            }
            Ok(0)
        }
        Commands::Predict {
            run,
            weights,
            data,
            out,
        } => {
            let (net, classes) = open_network(&run, weights.as_deref())?;
            let ds = load_spec(&data)?;
            let pred = engine::predict(&net, &ds, 128)?;
            write_predictions(&out, &pred, &classes, net.task.is_classification())?;
            eprintln!("wrote {} ({} sequences)", out.display(), ds.sequences.len());
            Ok(0)
        }
        Commands::Forecast {
            run,
            data,
            steps,
            out,
        } => forecast(&run, &data, steps, &out),
        Commands::Inspect {
            run,
            data,
            sequence,
            out,
        } => inspect_command(&run, &data, sequence, &out),
        Commands::ImportMatlab { script, out } => {
            let text = std::fs::read_to_string(&script)
                .with_context(|| format!("reading {}", script.display()))?;
            let imported = crate::spec::matlab::import_matlab(&text)
                .map_err(|e| anyhow::anyhow!("{}: {e}", script.display()))?;
            for n in &imported.notes {
                eprintln!("note: {n}");
            }
            let mut p = Project {
                name: script
                    .file_stem()
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_default(),
                layers: imported.layers,
                ..Project::default()
            };
            if let Some(t) = imported.training {
                p.training = t;
            }
            p.save(&out)?;
            let a = analyze(&p.layers);
            for e in &a.errors {
                eprintln!("warning: the imported network is not valid yet: {e}");
            }
            eprintln!("wrote {}", out.display());
            Ok(0)
        }
        Commands::ExportMatlab { project, out } => {
            let p = Project::load(&project)?;
            let text = crate::spec::matlab::export_matlab(&p);
            crate::spec::project::write_atomically(&out, text.as_bytes())?;
            eprintln!("wrote {}", out.display());
            Ok(0)
        }
        Commands::ExportPytorch { project, out } => {
            let p = Project::load(&project)?;
            let report = crate::pytorch_export::export_pytorch_with(&p, Some(&project), &out)?;
            for n in &report.notes {
                eprintln!("note: {n}");
            }
            eprintln!("wrote {} ({} files)", out.display(), report.files.len());
            let dir = out.display();
            eprintln!("train: cd {dir} && torchrun --nproc_per_node=N train.py --out runs/ddp");
            eprintln!("then:  lstm-studio eval {dir}/runs/ddp --data FILE");
            Ok(0)
        }
    }
}

fn aligned(mut ds: SequenceDataset, classes: &[String]) -> Result<SequenceDataset> {
    if !classes.is_empty() && ds.class_names().is_some() {
        ds.align_classes(classes)?;
    }
    Ok(ds)
}

/// A network from a run directory, or from a project and a weights file.
fn open_network(path: &Path, weights: Option<&Path>) -> Result<(Network, Vec<String>)> {
    if path.is_dir() {
        let r = run_dir::load_run(path, Device::Cpu)?;
        return Ok((r.network, r.classes));
    }
    let Some(w) = weights else {
        bail!(
            "{}: a project file needs --weights W.safetensors (or give a run directory)",
            path.display()
        )
    };
    let p = Project::load(path)?;
    let mut net = Network::build(&p.layers, Device::Cpu, Kind::Float)?;
    net.load_weights(w)?;
    let classes = run_dir::resolved_project(&p, &[])
        .layers
        .iter()
        .find_map(|l| match &l.kind {
            crate::spec::LayerKind::Classification { classes: Some(c) } => Some(c.clone()),
            _ => None,
        })
        .unwrap_or_else(|| (1..=net.output_size).map(|k| k.to_string()).collect());
    Ok((net, classes))
}

/// Progress on stderr with indicatif.
struct ProgressBar {
    bar: Option<indicatif::ProgressBar>,
    last: Option<IterationRecord>,
}

impl TrainingObserver for ProgressBar {
    fn on_event(&mut self, event: TrainingEvent) {
        match event {
            TrainingEvent::Started {
                device,
                max_iterations,
                first_epoch,
                iterations_per_epoch,
                ..
            } => {
                let bar = indicatif::ProgressBar::new(max_iterations as u64);
                bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
                bar.set_style(
                    indicatif::ProgressStyle::with_template(
                        "{spinner} [{elapsed_precise}] {bar:30} {pos}/{len} it  {msg}",
                    )
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
                );
                bar.set_position(((first_epoch - 1) * iterations_per_epoch) as u64);
                bar.println(format!("training on {device}"));
                self.bar = Some(bar);
            }
            TrainingEvent::Iteration(r) => {
                if let Some(b) = &self.bar {
                    b.set_position(r.iteration as u64);
                    b.set_message(format!(
                        "epoch {} loss {:.4} metric {:.4}",
                        r.epoch, r.train_loss, r.train_metric
                    ));
                }
                self.last = Some(r);
            }
            TrainingEvent::Message(m) => {
                if let Some(b) = &self.bar {
                    b.println(m);
                } else {
                    eprintln!("{m}");
                }
            }
            _ => {}
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn train_command(
    p: &Project,
    train: SequenceDataset,
    validation: Option<SequenceDataset>,
    test: Option<SequenceDataset>,
    init_from: Option<PathBuf>,
    resume: Option<PathBuf>,
    out: &Path,
    json: bool,
) -> Result<i32> {
    let classes: Vec<String> = train
        .class_names()
        .map(<[String]>::to_vec)
        .unwrap_or_default();
    let (network, history, summary, test_eval) = if p.training.max_epochs == 0 {
        let device = engine::resolve_device(p.training.execution_environment)?;
        let mut net = Network::build_seeded(&p.layers, device, Kind::Float, p.training.seed)?;
        let req = TrainingRequest {
            layers: p.layers.clone(),
            options: p.training.clone(),
            train: train.clone(),
            validation: None,
            test: None,
            init_from: None,
            resume_from: None,
        };
        engine::train::check_data(&net, &req)?;
        if net.normalization() != crate::data::Normalization::None {
            net.set_normalization_stats(crate::data::NormalizationStats::compute(&train));
        }
        if let Some(w) = &init_from {
            net.load_weights(w)?;
        }
        let ev = match &test {
            Some(t) => Some(engine::evaluate(&net, t, 128)?),
            None => None,
        };
        let summary = engine::TrainingSummary {
            epochs: 0,
            iterations: 0,
            final_train_loss: f64::NAN,
            train_seconds: 0.0,
            device: engine::device_name(device),
            stop_reason: engine::StopReason::Completed,
            message: None,
        };
        (net, Vec::new(), summary, ev)
    } else {
        let req = TrainingRequest {
            layers: p.layers.clone(),
            options: p.training.clone(),
            train,
            validation,
            test,
            init_from,
            resume_from: resume,
        };
        let mut bar = ProgressBar {
            bar: None,
            last: None,
        };
        let outcome = engine::train(&req, &mut bar)?;
        if let Some(b) = &bar.bar {
            b.finish_and_clear();
        }
        if let Some(m) = &outcome.summary.message {
            eprintln!("{m}");
        }
        (
            outcome.network,
            outcome.history,
            outcome.summary,
            outcome.test,
        )
    };
    let acc = test_eval.as_ref().and_then(|e| e.accuracy);
    let rmse = test_eval.as_ref().and_then(|e| e.rmse);
    let summary_json = run_dir::summary_json(&summary, acc, rmse);
    run_dir::write_run(
        out,
        &network,
        &run_dir::RunRecord {
            project: p,
            classes: &classes,
            history: &history,
            confusion: test_eval.as_ref().and_then(|e| e.confusion.as_ref()),
            summary: summary_json.clone(),
        },
    )?;
    eprintln!(
        "trained {} epochs ({} iterations) in {:.2} s on {}; run directory {}",
        summary.epochs,
        summary.iterations,
        summary.train_seconds,
        summary.device,
        out.display()
    );
    if let Some(a) = acc {
        eprintln!("test accuracy: {a:.4}");
    }
    if let Some(r) = rmse {
        eprintln!("test RMSE: {r:.6}");
    }
    if json {
        println!("{summary_json}");
    }
    Ok(0)
}

fn print_confusion(cm: &engine::ConfusionMatrix) {
    let w = cm.classes.iter().map(String::len).max().unwrap_or(1).max(5);
    print!("{:>w$} |", "true\\pred");
    for c in &cm.classes {
        print!(" {c:>w$}");
    }
    println!(" | recall");
    let recall = cm.recall();
    for (i, row) in cm.counts.iter().enumerate() {
        print!("{:>w$} |", cm.classes[i]);
        for v in row {
            print!(" {v:>w$}");
        }
        println!(
            " | {}",
            recall[i]
                .map(|r| format!("{:.3}", r))
                .unwrap_or_else(|| "-".into())
        );
    }
    print!("{:>w$} |", "precision");
    for p in cm.precision() {
        print!(
            " {:>w$}",
            p.map(|r| format!("{:.3}", r)).unwrap_or_else(|| "-".into())
        );
    }
    println!();
}

/// The CSV layout of predictions: `sequence,…` per sequence, `sequence,step,…` per step;
/// `label,score_<class>…` for classification, `y1..yK` for regression; 1-based indices.
pub fn write_predictions(
    out: &Path,
    pred: &engine::Predictions,
    classes: &[String],
    classification: bool,
) -> Result<()> {
    let mut w =
        csv::Writer::from_path(out).with_context(|| format!("writing {}", out.display()))?;
    let k = pred.outputs;
    let mut header = vec!["sequence".to_string()];
    if pred.per_step {
        header.push("step".into());
    }
    if classification {
        header.push("label".into());
        header.extend(classes.iter().map(|c| format!("score_{c}")));
    } else {
        header.extend((1..=k).map(|i| format!("y{i}")));
    }
    w.write_record(&header)?;
    let labels = pred.labels();
    for (s, scores) in pred.scores.iter().enumerate() {
        for (step, row) in scores.chunks(k.max(1)).enumerate() {
            let mut rec = vec![(s + 1).to_string()];
            if pred.per_step {
                rec.push((step + 1).to_string());
            }
            if classification {
                let l = labels[s].get(step).copied().unwrap_or(0);
                rec.push(
                    classes
                        .get(l)
                        .cloned()
                        .unwrap_or_else(|| (l + 1).to_string()),
                );
            }
            rec.extend(row.iter().map(|v| v.to_string()));
            w.write_record(&rec)?;
        }
    }
    w.flush()?;
    Ok(())
}

fn forecast(run: &Path, data: &str, steps: usize, out: &Path) -> Result<i32> {
    let r = run_dir::load_run(run, Device::Cpu)?;
    let net = &r.network;
    if net.task.is_classification() || !net.task.is_per_step() {
        bail!(
            "forecast needs a sequence-to-sequence regression network trained on next-step targets"
        );
    }
    if net.output_size != net.input_size {
        bail!(
            "forecast feeds each prediction back as the next input: the network has {} outputs but {} inputs",
            net.output_size,
            net.input_size
        );
    }
    let ds = load_spec(data)?;
    if ds.num_features != net.input_size {
        bail!(
            "{data}: the data has {} features but the network's input layer takes {}",
            ds.num_features,
            net.input_size
        );
    }
    if let Some(i) = ds.sequences.iter().position(|s| s.steps == 0) {
        bail!("{data}: sequence {} has no time steps", i + 1);
    }
    let _g = tch::no_grad_guard();
    let mut w = csv::Writer::from_path(out)?;
    let c = net.input_size;
    let mut header = vec!["sequence".to_string(), "step".to_string()];
    header.extend((1..=c).map(|i| format!("y{i}")));
    w.write_record(&header)?;
    for (s, seq) in ds.sequences.iter().enumerate() {
        // predictAndUpdateState over the observed part, then closed loop.
        let x = Tensor::from_slice(&seq.values).view([1, seq.steps as i64, c as i64]);
        let o = net.forward(&x, &[seq.steps as i64], false, None, None)?;
        let mut state = o.states;
        let mut last = o
            .scores
            .select(1, seq.steps as i64 - 1)
            .reshape([1, 1, c as i64]);
        for k in 0..steps {
            let v: Vec<f32> = Vec::try_from(last.to_kind(Kind::Float).flatten(0, -1))?;
            let mut rec = vec![(s + 1).to_string(), (seq.steps + k + 1).to_string()];
            rec.extend(v.iter().map(|x| x.to_string()));
            w.write_record(&rec)?;
            let o = net.forward(&last, &[1], false, Some(&state), None)?;
            state = o.states;
            last = o.scores.reshape([1, 1, c as i64]);
        }
    }
    w.flush()?;
    eprintln!(
        "wrote {} ({} steps ahead for {} sequences)",
        out.display(),
        steps,
        ds.sequences.len()
    );
    Ok(0)
}

fn inspect_command(run: &Path, data: &str, sequence: usize, out: &Path) -> Result<i32> {
    if sequence == 0 {
        bail!("--sequence is 1-based");
    }
    let r = run_dir::load_run(run, Device::Cpu)?;
    let ds = load_spec(data)?;
    let ins = crate::worker::protocol::inspect(&r.network, &ds, sequence - 1)?;
    std::fs::create_dir_all(out)?;
    let mut tensors: Vec<(String, Tensor)> = Vec::new();
    let t = ins.steps;
    for (layer, units, dirs) in &ins.layers {
        for (d, trace) in dirs.iter().enumerate() {
            let suffix = if dirs.len() > 1 {
                if d == 0 { "_forward" } else { "_backward" }
            } else {
                ""
            };
            let mut series: Vec<(String, &Vec<f32>)> = trace
                .gates
                .iter()
                .map(|(n, v)| (n.replace(' ', "_"), v))
                .collect();
            series.push(("hidden".into(), &trace.hidden));
            if let Some(c) = &trace.cell {
                series.push(("cell".into(), c));
            }
            for (name, values) in series {
                let file = out.join(format!("{layer}{suffix}_{name}.csv"));
                let mut w = csv::Writer::from_path(&file)?;
                let mut header = vec!["step".to_string()];
                header.extend((1..=*units).map(|u| format!("unit{u}")));
                w.write_record(&header)?;
                for step in 0..t {
                    let mut rec = vec![(step + 1).to_string()];
                    rec.extend(
                        values[step * units..(step + 1) * units]
                            .iter()
                            .map(|v| v.to_string()),
                    );
                    w.write_record(&rec)?;
                }
                w.flush()?;
                tensors.push((
                    format!("{layer}{suffix}/{name}"),
                    Tensor::from_slice(values).view([t as i64, *units as i64]),
                ));
            }
        }
    }
    let k = ins.outputs;
    let mut w = csv::Writer::from_path(out.join("scores_per_step.csv"))?;
    let mut header = vec!["step".to_string()];
    header.extend((1..=k).map(|i| format!("y{i}")));
    w.write_record(&header)?;
    for step in 0..t {
        let mut rec = vec![(step + 1).to_string()];
        rec.extend(
            ins.scores_per_step[step * k..(step + 1) * k]
                .iter()
                .map(|v| v.to_string()),
        );
        w.write_record(&rec)?;
    }
    w.flush()?;
    tensors.push((
        "input".into(),
        Tensor::from_slice(&ins.input).view([t as i64, ins.num_features as i64]),
    ));
    tensors.push((
        "scores_per_step".into(),
        Tensor::from_slice(&ins.scores_per_step).view([t as i64, k as i64]),
    ));
    Tensor::write_safetensors(&tensors, out.join("inspection.safetensors"))?;
    let mut stdout = std::io::stdout();
    writeln!(
        stdout,
        "wrote gates and states of sequence {sequence} ({t} steps) to {}",
        out.display()
    )?;
    Ok(0)
}
