//! The status bar: the device (CPU, or the CUDA device's name), the libtorch version, the data
//! set loaded, unsaved changes, and the latest message.

use std::sync::OnceLock;

use crate::app::Studio;

/// The compute device, worked out once: "CPU", or the CUDA device's name.
pub fn device_text() -> &'static str {
    static DEVICE: OnceLock<String> = OnceLock::new();
    DEVICE.get_or_init(|| {
        if crate::engine::cuda_available() {
            match cuda_device_name() {
                Some(name) => format!("CUDA: {name}"),
                None => "CUDA 0".to_string(),
            }
        } else {
            format!(
                "CPU ({} cores)",
                std::thread::available_parallelism()
                    .map(|n| n.get())
                    .unwrap_or(1)
            )
        }
    })
}

/// The first NVIDIA GPU's model name, as the driver reports it in /proc.
fn cuda_device_name() -> Option<String> {
    let mut dirs: Vec<_> = std::fs::read_dir("/proc/driver/nvidia/gpus")
        .ok()?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    dirs.sort();
    let info = std::fs::read_to_string(dirs.first()?.join("information")).ok()?;
    info.lines()
        .find_map(|l| l.strip_prefix("Model:"))
        .map(|m| m.trim().to_string())
}

/// Draws the status bar.
pub fn status_bar(ui: &mut egui::Ui, studio: &Studio, training: bool) {
    ui.horizontal(|ui| {
        ui.label(format!("Device: {}", device_text()))
            .on_hover_text("Where training runs by default (ExecutionEnvironment 'auto')");
        ui.separator();
        ui.label(format!("libtorch {}", crate::engine::libtorch_version()));
        ui.separator();
        match &studio.data.train {
            Some(d) => ui.label(format!(
                "Data: {} ({} sequences, {} features)",
                d.name,
                d.sequences.len(),
                d.num_features
            )),
            None => ui.label("Data: none loaded"),
        };
        ui.separator();
        if studio.document.dirty {
            ui.colored_label(ui.visuals().warn_fg_color, "• Unsaved changes");
        } else {
            ui.label("Saved");
        }
        if training {
            ui.separator();
            ui.label("Training…");
        }
        if let Some(m) = studio.messages.last() {
            ui.separator();
            ui.add(egui::Label::new(m.as_str()).truncate());
        }
    });
}
