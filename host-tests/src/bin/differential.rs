//! `differential [START [COUNT]]`: run differential scenarios START..START+COUNT (default
//! 0, 10000) against CPython and print the tally by class and every unexplained divergence.

fn main() {
    if std::env::args().nth(1).as_deref() == Some("--show") {
        // `differential --show SEED`: both outcomes of one scenario, side by side.
        let seed = std::env::args()
            .nth(2)
            .and_then(|a| a.parse().ok())
            .unwrap_or(0);
        let sc = host_tests::diff::generate(seed, 1).remove(0);
        let py = host_tests::diff::run_cpython(std::slice::from_ref(&sc)).remove(0);
        let ours = host_tests::diff::run_sockfile(&mut host_tests::Sf::new(), &sc);
        println!("scenario {}", sc.to_json());
        for (i, r) in py.results.iter().enumerate() {
            let op = if i == 0 {
                "makefile".to_string()
            } else {
                format!("{:?}", sc.ops[i - 1])
            };
            println!(
                "{op}\n  cpython  {r}\n  sockfile {}",
                ours.results.get(i).cloned().unwrap_or_default()
            );
        }
        println!(
            "peer cpython  {:?}\npeer sockfile {:?}",
            String::from_utf8_lossy(&py.peer),
            String::from_utf8_lossy(&ours.peer)
        );
        println!("{:?}", host_tests::diff::compare(&sc, &py, &ours));
        return;
    }
    let args: Vec<u64> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let start = args.first().copied().unwrap_or(0);
    let count = args.get(1).copied().unwrap_or(10_000);
    let t = std::time::Instant::now();
    let mut total = std::collections::BTreeMap::new();
    let mut failures = Vec::new();
    // In batches, so progress shows and memory stays flat.
    let mut at = start;
    while at < start + count {
        let n = 1000.min(start + count - at);
        let (tally, f) = host_tests::diff::run(at, n);
        for (k, v) in tally {
            *total.entry(k).or_insert(0) += v;
        }
        failures.extend(f);
        at += n;
        eprintln!(
            "{} scenarios, {:.0}s: {total:?}",
            at - start,
            t.elapsed().as_secs_f64()
        );
    }
    for f in &failures {
        println!("{f}");
    }
    println!(
        "scenarios {count} in {:.0}s: {total:?}",
        t.elapsed().as_secs_f64()
    );
    if !failures.is_empty() {
        std::process::exit(1);
    }
}
