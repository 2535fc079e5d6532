//! Differential testing against CPython (issue 6.1): 2,000 seeded random scenarios run with
//! CPython's `socket.makefile()` and with sockfile over real loopback connections; every
//! divergence must be a documented deviation. A longer run:
//! `cargo run --release -p host-tests --bin differential -- START COUNT`.

use host_tests::diff;

#[test]
fn cpython_and_sockfile_agree_on_2000_random_scenarios() {
    let (tally, failures) = diff::run(0, 2000);
    println!("differential: {tally:?}");
    assert!(
        failures.is_empty(),
        "{} unexplained divergences (replay: cargo run -p host-tests --bin differential -- SEED 1):\n{}",
        failures.len(),
        failures.iter().take(20).cloned().collect::<Vec<_>>().join("\n")
    );
}

/// The same random scenarios through the 0.2 and the 0.3 world: identical outcomes.
#[test]
fn the_03_world_gives_the_02_results_on_1000_random_scenarios() {
    let failures = diff::run_both_worlds(10_000, 1000);
    assert!(
        failures.is_empty(),
        "{} scenarios differ between the worlds:\n{}",
        failures.len(),
        failures
            .iter()
            .take(10)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}
