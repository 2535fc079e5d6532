//! `witfuzz [SEEDS [STEPS]]`: fuzz the WIT surface (host_tests::witfuzz) for seeds
//! 0..SEEDS (default 50) with STEPS calls each (default 5000); panics on the first trap.

fn main() {
    let args: Vec<u64> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let seeds = args.first().copied().unwrap_or(50);
    let steps = args.get(1).copied().unwrap_or(5000);
    let t = std::time::Instant::now();
    let (mut calls, mut errors) = (0, 0);
    for seed in 0..seeds {
        let s = host_tests::witfuzz::run(seed, steps);
        calls += s.calls;
        errors += s.errors;
        eprintln!(
            "seed {seed}: {} calls ({} errors), {:.0}s",
            s.calls,
            s.errors,
            t.elapsed().as_secs_f64()
        );
    }
    println!(
        "witfuzz: {seeds} seeds x {steps} steps: {calls} WIT calls ({errors} returned errors), no trap, {:.0}s",
        t.elapsed().as_secs_f64()
    );
}
