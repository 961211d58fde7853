//! A `docker build` step explained: the instruction, what its cache key is made of,
//! whether the cache had it (HIT) or not (MISS) and why, the layer it produced, and how
//! long it took.

use leptos::prelude::*;
use simulator::image::builder::BuildStep;

/// `HIT` when the step was served from the build cache, `MISS` otherwise.
pub fn verdict(step: &BuildStep) -> &'static str {
    if step.cached { "HIT" } else { "MISS" }
}

/// Bytes the way `docker images` writes them (decimal units): `512B`, `1.5kB`, `187MB`.
pub fn fmt_bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["B", "kB", "MB", "GB", "TB"];
    let mut v = n as f64;
    let mut unit = 0;
    while v >= 1000.0 && unit < UNITS.len() - 1 {
        v /= 1000.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{n}B")
    } else if v < 10.0 {
        format!("{v:.2}{}", UNITS[unit])
    } else if v < 100.0 {
        format!("{v:.1}{}", UNITS[unit])
    } else {
        format!("{v:.0}{}", UNITS[unit])
    }
}

/// A step's duration: `0s` (cached), `850ms`, `12.4s`, `2m05s`.
pub fn fmt_ms(ms: u64) -> String {
    if ms == 0 {
        "0s".into()
    } else if ms < 1000 {
        format!("{ms}ms")
    } else if ms < 60_000 {
        format!("{:.1}s", ms as f64 / 1000.0)
    } else {
        format!("{}m{:02}s", ms / 60_000, ms % 60_000 / 1000)
    }
}

/// What the cache key is computed from, as (input, value): the parent (the base image
/// for `FROM`), the instruction text, each copied file's content digest, and the build
/// args and environment a `RUN` sees.
pub fn cache_key_inputs(step: &BuildStep) -> Vec<(String, String)> {
    let mut out = Vec::new();
    if let Some(base) = &step.base_digest {
        out.push(("Base image".to_string(), base.clone()));
    }
    out.push(("Instruction".to_string(), step.inputs.text.clone()));
    for (path, digest) in &step.inputs.files {
        out.push((format!("File {path}"), digest.clone()));
    }
    for (k, v) in &step.inputs.args {
        out.push((format!("Build arg {k}"), v.clone()));
    }
    for (k, v) in &step.inputs.env {
        out.push((format!("Env {k}"), v.clone()));
    }
    out
}

/// The layer the step produced: `sha256:… (12.3MB compressed, 40.1MB on disk)`, or
/// why there is none.
pub fn layer_text(step: &BuildStep) -> String {
    match &step.layer {
        Some(l) => format!(
            "{} ({} compressed, {} on disk)",
            l.digest,
            fmt_bytes(l.size),
            fmt_bytes(l.uncompressed_size)
        ),
        None => "none: this instruction changes only the image's metadata".into(),
    }
}

/// A build step's cache verdict and what it is made of.
#[component]
pub fn BuildStepExplanation(
    /// The step, as the builder recorded it.
    step: BuildStep,
) -> impl IntoView {
    let hit = step.cached;
    let inputs = cache_key_inputs(&step)
        .into_iter()
        .map(|(k, v)| {
            view! {
                <li>
                    <span class="explain-key">{k}</span>
                    ": "
                    <code class="explain-value">{v}</code>
                </li>
            }
        })
        .collect_view();
    let notes = step
        .notes
        .iter()
        .map(|n| view! { <li>{n.clone()}</li> })
        .collect_view();
    let has_notes = !step.notes.is_empty();
    view! {
        <div class="explain explain-build" data-testid="explain-build-step">
            <p class="explain-outcome">
                <span class="cache-verdict" class:hit=hit class:miss=!hit>
                    {format!("Cache {}", verdict(&step))}
                </span>
                " "
                {step.reason.clone()}
            </p>
            <dl class="explain-facts">
                <dt>"Step"</dt>
                <dd>
                    {format!("{} ", step.index)}
                    <code>{step.instruction.clone()}</code>
                    {format!(" (Dockerfile line {}, stage {})", step.line, step.stage)}
                </dd>
                <dt>"Cache key"</dt>
                <dd>
                    <code class="explain-value">{step.cache_key.clone()}</code>
                    <ul class="explain-inputs" aria-label="Cache key inputs">{inputs}</ul>
                </dd>
                <dt>"Layer"</dt>
                <dd class="explain-value">{layer_text(&step)}</dd>
                <dt>"Size added"</dt>
                <dd>{fmt_bytes(step.size_added)}</dd>
                <dt>"Duration"</dt>
                <dd>{if hit { "0s (served from the cache)".to_string() } else { fmt_ms(step.duration_ms) }}</dd>
            </dl>
            {has_notes.then(|| view! { <ul class="explain-notes" aria-label="How the size was estimated">{notes}</ul> })}
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use simulator::event::Detail;
    use simulator::{Scenario, Simulation};

    #[test]
    fn formats_sizes_and_durations() {
        assert_eq!(fmt_bytes(512), "512B");
        assert_eq!(fmt_bytes(1_500), "1.50kB");
        assert_eq!(fmt_bytes(187_000_000), "187MB");
        assert_eq!(fmt_bytes(42_300_000), "42.3MB");
        assert_eq!(fmt_ms(0), "0s");
        assert_eq!(fmt_ms(850), "850ms");
        assert_eq!(fmt_ms(12_400), "12.4s");
        assert_eq!(fmt_ms(125_000), "2m05s");
    }

    #[test]
    fn a_rebuild_hits_the_cache_and_says_what_the_key_is_made_of() {
        let mut ws = simulator::Workspace::default();
        ws.insert(
            "Dockerfile",
            "FROM alpine:3.21\nCOPY app.sh /app.sh\nRUN echo hi\n",
        );
        ws.insert("app.sh", "echo hello\n");
        let scenario = Scenario::named("default")
            .expect("default scenario")
            .with_workspace(ws);
        let mut sim = Simulation::new(&scenario);
        sim.run("docker build -t demo .").expect("first build");
        sim.run("docker build -t demo .").expect("second build");
        let steps: Vec<BuildStep> = sim
            .log()
            .events()
            .iter()
            .filter_map(|e| match e.detail.as_deref() {
                Some(Detail::BuildStep(s)) => Some((**s).clone()),
                _ => None,
            })
            .collect();
        assert!(steps.len() >= 4, "{} build steps", steps.len());
        let copy = steps
            .iter()
            .rev()
            .find(|s| s.instruction.starts_with("COPY"))
            .expect("a COPY step");
        assert_eq!(verdict(copy), "HIT");
        let inputs = cache_key_inputs(copy);
        assert!(inputs.iter().any(|(k, _)| k == "File app.sh"), "{inputs:?}");
        assert!(layer_text(copy).starts_with("sha256:"));
        let first_run = steps
            .iter()
            .find(|s| s.instruction.starts_with("RUN"))
            .expect("a RUN step");
        assert_eq!(verdict(first_run), "MISS");
    }
}
