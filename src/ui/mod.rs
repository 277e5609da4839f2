//! The studio's areas and panels, one file each. Each area keeps its own state struct and
//! draws itself with a `ui` function; shared state is [`crate::app::Studio`].

pub mod data;
pub mod document;
pub mod inspect;
pub mod menu;
pub mod network;
pub mod results;
pub mod status;
pub mod training;
pub mod charts;
pub mod confusion;
pub mod heatmap;
pub mod picker;
pub mod training_form;
