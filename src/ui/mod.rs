//! The studio's areas and panels, one file each. Each area keeps its own state struct and
//! draws itself with a `ui` function; shared state is [`crate::app::Studio`].

pub mod charts;
pub mod confusion;
pub mod data;
pub mod document;
pub mod file_dialogs;
pub mod gate_diagram;
pub mod heatmap;
pub mod inspect;
pub mod inspector;
pub mod layer_stack;
pub mod library;
pub mod matlab_dialog;
pub mod menu;
pub mod network;
pub mod picker;
pub mod results;
pub mod settings;
pub mod status;
pub mod training;
pub mod training_form;
