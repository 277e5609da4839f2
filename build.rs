//! Embeds libtorch's library directory as an rpath, so `target/*/lstm-studio` starts from a file
//! manager with no LD_LIBRARY_PATH. The directory is the one tch builds against: `$LIBTORCH/lib`
//! (set by .cargo/config.toml to the bootstrap's `.libtorch`, or by the user).

use std::path::PathBuf;

fn main() {
    println!("cargo:rerun-if-env-changed=LIBTORCH");
    println!("cargo:rerun-if-changed=build.rs");
    let Some(libtorch) = std::env::var_os("LIBTORCH") else {
        println!(
            "cargo:warning=LIBTORCH is not set: run scripts/bootstrap.sh (make does) so the binary finds libtorch"
        );
        return;
    };
    let lib = PathBuf::from(libtorch).join("lib");
    // The real path: libtorch's own libraries find CUDA's next to them relative to $ORIGIN.
    let lib = std::fs::canonicalize(&lib).unwrap_or(lib);
    println!("cargo:rustc-link-arg=-Wl,-rpath,{}", lib.display());
    println!("cargo:rustc-env=LSTM_STUDIO_LIBTORCH_DIR={}", lib.display());
}
