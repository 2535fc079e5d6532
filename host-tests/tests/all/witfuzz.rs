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
