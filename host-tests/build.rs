//! Builds the sockfile component for `wasm32-wasip2` and tells the tests where it is.
//!
//! The nested cargo uses its own target directory (`target/guest`), or it would deadlock on
//! the outer build's artifact lock, and host-only flags must not leak into the guest build.

use std::env;
use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    let manifest = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));
    let root = manifest
        .parent()
        .expect("host-tests lives in the workspace root")
        .to_path_buf();
    let target_dir = root.join("target").join("guest");
    for p in ["src", "wit", "Cargo.toml", "Cargo.lock"] {
        println!("cargo:rerun-if-changed={}", root.join(p).display());
    }
    // The 0.2 component, and the 0.3 one (same crate, feature `p3`) in its own directory.
    let wasm = build_component(&root, &target_dir, &[]);
    let wasm_p3 = build_component(
        &root,
        &root.join("target").join("guest-p3"),
        &["--features=p3"],
    );
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("OUT_DIR"));
    std::fs::write(
        out.join("gen.rs"),
        format!("/// The sockfile component built by build.rs.\npub const SOCKFILE_COMPONENT: &str = {wasm:?};\n"),
    )
    .expect("write gen.rs");
    std::fs::write(
        out.join("gen_p3.rs"),
        format!("/// The 0.3 sockfile component built by build.rs.\npub const SOCKFILE_P3_COMPONENT: &str = {wasm_p3:?};\n"),
    )
    .expect("write gen_p3.rs");
}

fn build_component(root: &Path, target_dir: &Path, extra: &[&str]) -> PathBuf {
    let cargo = env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = Command::new(cargo)
        .current_dir(root)
        .args([
            "build",
            "--release",
            "--target=wasm32-wasip2",
            "--package=sockfile",
        ])
        .args(extra)
        .env("CARGO_TARGET_DIR", target_dir)
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .env_remove("RUSTFLAGS")
        .env_remove("RUSTC_WORKSPACE_WRAPPER")
        .env_remove("CARGO_BUILD_TARGET")
        .status()
        .expect("failed to run cargo for the guest component");
    assert!(
        status.success(),
        "building the sockfile component failed ({extra:?})"
    );
    target_dir.join("wasm32-wasip2/release/sockfile.wasm")
}
