//! Fuzzing the WIT surface (issue 6.3): random call sequences never trap and leave no host
//! resources behind. Longer: `cargo run --release -p host-tests --bin witfuzz -- SEEDS STEPS`.

#[test]
fn random_wit_call_sequences_never_trap() {
    for seed in 0..4 {
        let s = host_tests::witfuzz::run(seed, 1500);
        println!("seed {seed}: {} calls, {} errors", s.calls, s.errors);
        assert!(s.calls >= 1500);
    }
}

/// The same on the 0.3 world, with overlapping calls on one file among the random calls.
#[test]
fn random_wit_call_sequences_with_overlapping_calls_never_trap_on_the_03_world() {
    let mut overlapped = 0;
    for seed in 0..3 {
        let s = host_tests::witfuzz::run_on(host_tests::Sf::p3(), seed, 1500);
        println!(
            "seed {seed}: {} calls, {} errors, {} overlapped",
            s.calls, s.errors, s.overlapped
        );
        assert!(s.calls >= 1500);
        overlapped += s.overlapped;
    }
    assert!(
        overlapped > 0,
        "no calls overlapped: the test did not test that"
    );
}

/// Garbage and truncated TLS records from peers (issue 13.5), in both worlds: every call
/// returns (no trap), within the socket's timeout (no hang).
#[test]
fn garbage_and_truncated_tls_records_never_trap_or_hang() {
    for (sf, seed) in [(host_tests::Sf::new_p2(), 1), (host_tests::Sf::p3(), 2)] {
        let mut sf = sf;
        let t = std::time::Instant::now();
        let s = host_tests::witfuzz::tls_garbage(&mut sf, seed, 24);
        println!(
            "seed {seed}: {} cases, {} errors in {:?}",
            s.cases,
            s.errors,
            t.elapsed()
        );
        assert_eq!(s.cases, 48);
        assert!(s.errors >= 24);
    }
}
