//! `shipshape bench scheduler` in wasm32: the same driver
//! (`simulator::scheduler::bench`), timed with JavaScript's clock from the test (the
//! simulator has none). Off by default; to measure, build it in release with the
//! variable set at compile time:
//!
//! ```text
//! SHIPSHAPE_WASM_BENCH=50000 CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
//!   cargo test -p simulator --release --target wasm32-unknown-unknown --test bench_wasm -- --nocapture
//! ```
//!
//! The value is the number of measured pods (5000 nodes, 5000 untimed init pods first).
#![cfg(target_arch = "wasm32")]

use simulator::scheduler::bench::{SchedulerBench, UPSTREAM_THRESHOLD_5000_NODES};
use wasm_bindgen_test::{console_log, wasm_bindgen_test};

#[wasm_bindgen_test]
fn scheduler_bench_in_wasm() {
    let Some(pods) = option_env!("SHIPSHAPE_WASM_BENCH").and_then(|v| v.parse::<usize>().ok())
    else {
        return;
    };
    let nodes = 5000;
    let mut bench = SchedulerBench::new(nodes, 1);
    bench.run(nodes);
    let start = js_sys::Date::now();
    let bound = bench.run(pods);
    let secs = (js_sys::Date::now() - start) / 1000.0;
    assert_eq!(bound, pods);
    console_log!(
        "wasm32: scheduled {pods} pods on {nodes} nodes in {secs:.2}s: {:.0} pods/s (upstream CI threshold {UPSTREAM_THRESHOLD_5000_NODES} pods/s)",
        pods as f64 / secs
    );
}
