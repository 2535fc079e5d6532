//! Builds the sockfile components (`scripts/component.sh`: cargo for `wasm32-wasip2`, then the
//! least-authority composition) and tells the tests where they are.
//!
//! The nested cargo builds use their own target directories (`target/guest`,
//! `target/guest-p3`, `target/no-cli`), or they would deadlock on the outer build's artifact
//! lock, and host-only flags must not leak into the guest build.

use std::env;
use std::path::PathBuf;
use std::process::Command;

fn main() {
    let manifest = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));
    let root = manifest
        .parent()
        .expect("host-tests lives in the workspace root")
        .to_path_buf();
    for p in [
        "src",
        "wit",
        "Cargo.toml",
        "Cargo.lock",
        "no-cli/src",
        "no-cli/wit",
        "no-cli/Cargo.toml",
        "scripts/component.sh",
    ] {
        println!("cargo:rerun-if-changed={}", root.join(p).display());
    }
    let status = Command::new("bash")
        .current_dir(&root)
        .arg("scripts/component.sh")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .env_remove("RUSTFLAGS")
        .env_remove("RUSTC_WORKSPACE_WRAPPER")
        .env_remove("CARGO_BUILD_TARGET")
        .env_remove("CARGO_TARGET_DIR")
        .status()
        .expect("failed to run scripts/component.sh");
    assert!(status.success(), "building the sockfile components failed");
    let dir = root.join("target").join("component");
    let (wasm, wasm_p3) = (dir.join("sockfile.wasm"), dir.join("sockfile-async.wasm"));
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("OUT_DIR"));
    std::fs::write(
        out.join("gen.rs"),
        format!("/// The sockfile component (scripts/component.sh).\npub const SOCKFILE_COMPONENT: &str = {wasm:?};\n"),
    )
    .expect("write gen.rs");
    std::fs::write(
        out.join("gen_p3.rs"),
        format!("/// The 0.3 sockfile component (scripts/component.sh).\npub const SOCKFILE_P3_COMPONENT: &str = {wasm_p3:?};\n"),
    )
    .expect("write gen_p3.rs");
}
