//! A generic, accessible SVG line chart: axes with nice ticks, one dash pattern, marker
//! shape and legend entry per series (so colour is never the only cue), optional
//! vertical marks (a crossover), an `aria-label` that summarises the chart, and a
//! "Data table" disclosure with every number as the text alternative.
//!
//! The geometry (ticks, scales, paths, the summary and the table) is pure and tested
//! natively; the component only lays it out.

use leptos::prelude::*;

/// How values on an axis (and in the data table) are written.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Format {
    /// A plain number (`3`, `2.5`).
    #[default]
    Number,
    /// A percentage (`60%`).
    Percent,
    /// US dollars (`$0.12`).
    Dollars,
    /// Simulated time, the value in seconds (`00:10:00`).
    Clock,
}

impl Format {
    /// `v` as an axis tick, with as many decimals as the tick `step` needs.
    pub fn tick(self, v: f64, step: f64) -> String {
        let decimals = decimals_for(step);
        match self {
            Format::Number => fixed(v, decimals),
            Format::Percent => format!("{}%", fixed(v, decimals)),
            Format::Dollars => format!("${}", fixed(v, decimals.max(2))),
            Format::Clock => clock(v),
        }
    }

    /// `v` as the data table shows it (more precise than a tick).
    pub fn value(self, v: f64) -> String {
        match self {
            Format::Number => trimmed(v, 2),
            Format::Percent => format!("{}%", trimmed(v, 1)),
            Format::Dollars => format!("${}", fixed(v, if v.abs() < 1.0 { 4 } else { 2 })),
            Format::Clock => clock(v),
        }
    }
}

/// Decimals needed to tell ticks `step` apart (0 for steps of 1 or more, at most 6).
fn decimals_for(step: f64) -> usize {
    if !step.is_finite() || step <= 0.0 || step >= 1.0 {
        return 0;
    }
    ((-step.log10()).ceil() as usize).min(6)
}

fn fixed(v: f64, decimals: usize) -> String {
    let s = format!("{v:.decimals$}");
    // Never show "-0".
    if s.trim_start_matches('-')
        .chars()
        .all(|c| c == '0' || c == '.')
    {
        s.trim_start_matches('-').to_string()
    } else {
        s
    }
}

fn trimmed(v: f64, decimals: usize) -> String {
    let s = fixed(v, decimals);
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// Seconds of simulated time as `HH:MM:SS`, like the event log.
fn clock(seconds: f64) -> String {
    if !seconds.is_finite() {
        return "-".into();
    }
    let s = seconds.max(0.0).round() as u64;
    format!("{:02}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
}

/// One line of the chart.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Series {
    /// Its name in the legend and the data table's header.
    pub name: String,
    /// (x, y) points in x order.
    pub points: Vec<(f64, f64)>,
    /// Draw as steps (the value holds until the next point), for counts such as replicas.
    pub step: bool,
}

/// A labelled vertical line at `x` (the crossover, a moment worth noting).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Mark {
    /// Where it is, in x units.
    pub x: f64,
    /// What it marks.
    pub label: String,
}

/// Dash patterns by series index (`none` = solid).
pub const DASHES: [&str; 6] = ["none", "8 4", "2 3", "10 3 2 3", "5 2", "1 5"];

/// Marker shapes by series index, as their legend names them.
pub const MARKERS: [&str; 6] = ["circle", "square", "triangle", "diamond", "cross", "plus"];

/// A tick step of 1, 2 or 5 × 10ⁿ close to `raw`.
pub fn nice_step(raw: f64) -> f64 {
    if !raw.is_finite() || raw <= 0.0 {
        return 1.0;
    }
    let magnitude = 10f64.powf(raw.log10().floor());
    let fraction = raw / magnitude;
    let nice = if fraction <= 1.0 {
        1.0
    } else if fraction <= 2.0 {
        2.0
    } else if fraction <= 5.0 {
        5.0
    } else {
        10.0
    };
    nice * magnitude
}

/// Tick steps that read well on a clock, in seconds.
const CLOCK_STEPS: [f64; 17] = [
    1.0, 5.0, 10.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 900.0, 1800.0, 3600.0, 7200.0, 10800.0,
    21600.0, 43200.0, 86400.0,
];

/// A clock-friendly tick step (15 s, 1 m, 5 m, 1 h …) close to `raw` seconds.
pub fn clock_step(raw: f64) -> f64 {
    if !raw.is_finite() || raw <= 0.0 {
        return 1.0;
    }
    match CLOCK_STEPS.iter().find(|s| **s >= raw) {
        Some(s) => *s,
        None => nice_step(raw / 86400.0).max(1.0) * 86400.0,
    }
}

/// About `target` evenly spaced ticks that cover `min..=max`, first and last included
/// (the axis' domain). Equal or non-finite bounds still give a usable axis.
pub fn ticks(min: f64, max: f64, target: usize, format: Format) -> Vec<f64> {
    let (mut lo, mut hi) = if min.is_finite() && max.is_finite() {
        (min.min(max), min.max(max))
    } else {
        (0.0, 1.0)
    };
    if hi - lo < 1e-9 {
        let pad = if lo.abs() < 1e-9 { 1.0 } else { lo.abs() * 0.1 };
        lo -= if lo >= 0.0 && lo - pad < 0.0 { lo } else { pad };
        hi += pad;
    }
    let raw = (hi - lo) / target.max(1) as f64;
    let step = match format {
        Format::Clock => clock_step(raw),
        _ => nice_step(raw),
    };
    let first = (lo / step).floor();
    let last = (hi / step).ceil();
    let count = ((last - first) as usize).min(200);
    (0..=count).map(|k| (first + k as f64) * step).collect()
}

/// A linear map from a domain (`d0..d1`) onto a range of pixels (`r0..r1`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Scale {
    d0: f64,
    d1: f64,
    r0: f64,
    r1: f64,
}

impl Scale {
    /// Maps `d0..d1` onto `r0..r1` (a zero-width domain maps everything to the middle).
    pub fn new(d0: f64, d1: f64, r0: f64, r1: f64) -> Self {
        Scale { d0, d1, r0, r1 }
    }

    /// Where `v` lands.
    pub fn map(&self, v: f64) -> f64 {
        let span = self.d1 - self.d0;
        if span.abs() < 1e-12 || !v.is_finite() {
            return (self.r0 + self.r1) / 2.0;
        }
        self.r0 + (v - self.d0) / span * (self.r1 - self.r0)
    }
}

fn num(v: f64) -> String {
    trimmed(v, 1)
}

/// The SVG path of already-scaled points: straight segments, or steps that hold each
/// value until the next point's x.
pub fn line_path(points: &[(f64, f64)], step: bool) -> String {
    let mut d = String::new();
    let mut prev: Option<(f64, f64)> = None;
    for &(x, y) in points {
        match prev {
            None => d.push_str(&format!("M{} {}", num(x), num(y))),
            Some((_, py)) if step => {
                d.push_str(&format!(" L{} {} L{} {}", num(x), num(py), num(x), num(y)))
            }
            Some(_) => d.push_str(&format!(" L{} {}", num(x), num(y))),
        }
        prev = Some((x, y));
    }
    d
}

/// One path drawing marker `shape` (an index into [`MARKERS`]) of radius `r` at each
/// already-scaled point.
pub fn marker_path(shape: usize, points: &[(f64, f64)], r: f64) -> String {
    let mut d = String::new();
    for &(x, y) in points {
        let (l, t, rr, b) = (num(x - r), num(y - r), num(x + r), num(y + r));
        let (cx, cy) = (num(x), num(y));
        let part = match shape % MARKERS.len() {
            0 => format!(
                "M{l} {cy} A{r} {r} 0 1 0 {rr} {cy} A{r} {r} 0 1 0 {l} {cy} Z",
                r = num(r)
            ),
            1 => format!("M{l} {t} H{rr} V{b} H{l} Z"),
            2 => format!("M{cx} {t} L{rr} {b} L{l} {b} Z"),
            3 => format!("M{cx} {t} L{rr} {cy} L{cx} {b} L{l} {cy} Z"),
            4 => format!("M{l} {t} L{rr} {b} M{rr} {t} L{l} {b}"),
            _ => format!("M{l} {cy} H{rr} M{cx} {t} V{b}"),
        };
        if !d.is_empty() {
            d.push(' ');
        }
        d.push_str(&part);
    }
    d
}

/// At most `max` of `points` to mark (evenly spread, the first and last always), so a
/// long series stays legible.
pub fn thin(points: &[(f64, f64)], max: usize) -> Vec<(f64, f64)> {
    if points.len() <= max || max < 2 {
        return points.to_vec();
    }
    let stride = (points.len() - 1).div_ceil(max - 1);
    let mut out: Vec<(f64, f64)> = points.iter().step_by(stride).copied().collect();
    if let (Some(last), Some(kept)) = (points.last(), out.last())
        && kept != last
    {
        out.push(*last);
    }
    out
}

/// The data's extent: (x min, x max, y min, y max), marks included in x; y includes 0
/// when every value is non-negative (counts and money read wrongly from a cut axis).
/// `None` when there is no point at all.
pub fn extent(series: &[Series], marks: &[Mark]) -> Option<(f64, f64, f64, f64)> {
    let mut pts = series
        .iter()
        .flat_map(|s| s.points.iter())
        .filter(|(x, y)| x.is_finite() && y.is_finite())
        .peekable();
    pts.peek()?;
    let (mut x0, mut x1, mut y0, mut y1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
    for &(x, y) in pts {
        x0 = x0.min(x);
        x1 = x1.max(x);
        y0 = y0.min(y);
        y1 = y1.max(y);
    }
    for m in marks.iter().filter(|m| m.x.is_finite()) {
        x0 = x0.min(m.x);
        x1 = x1.max(m.x);
    }
    if y0 >= 0.0 {
        y0 = 0.0;
    }
    Some((x0, x1, y0, y1))
}

/// The sentence screen readers get for the chart: what it shows, the x range, and for
/// each series where it starts, where it ends, and its lowest and highest values.
pub fn summary(
    title: &str,
    series: &[Series],
    marks: &[Mark],
    x_format: Format,
    y_format: Format,
) -> String {
    let Some((x0, x1, ..)) = extent(series, &[]) else {
        return format!("{title}: no data yet.");
    };
    let mut out = format!(
        "{title}, from {} to {}.",
        x_format.value(x0),
        x_format.value(x1)
    );
    for s in series.iter().filter(|s| !s.points.is_empty()) {
        let ys = s.points.iter().map(|p| p.1);
        let min = ys.clone().fold(f64::MAX, f64::min);
        let max = ys.fold(f64::MIN, f64::max);
        let (first, last) = (s.points[0].1, s.points[s.points.len() - 1].1);
        out.push_str(&format!(
            " {}: {} to {} (lowest {}, highest {}).",
            s.name,
            y_format.value(first),
            y_format.value(last),
            y_format.value(min),
            y_format.value(max)
        ));
    }
    for m in marks {
        out.push_str(&format!(" Marked: {} at {}.", m.label, x_format.value(m.x)));
    }
    out
}

/// The data table: every distinct x (ascending), and each series' y there (`None`
/// where the series has no point at that x).
pub fn table(series: &[Series]) -> Vec<(f64, Vec<Option<f64>>)> {
    let mut xs: Vec<f64> = series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.0))
        .filter(|x| x.is_finite())
        .collect();
    xs.sort_by(f64::total_cmp);
    xs.dedup_by(|a, b| (*a - *b).abs() < 1e-9);
    xs.into_iter()
        .map(|x| {
            let ys = series
                .iter()
                .map(|s| {
                    // The last point at this x (a step series may have two).
                    s.points
                        .iter()
                        .rev()
                        .find(|p| (p.0 - x).abs() < 1e-9)
                        .map(|p| p.1)
                })
                .collect();
            (x, ys)
        })
        .collect()
}

/// The drawing's size in SVG units, and the plot area's margins.
const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 280.0;
const LEFT: f64 = 64.0;
const RIGHT: f64 = 20.0;
const TOP: f64 = 18.0;
const BOTTOM: f64 = 46.0;
/// Markers drawn per series at most.
const MAX_MARKERS: usize = 24;

/// A line chart of `series` against a shared x axis, with its legend and a data table.
#[component]
pub fn LineChart(
    /// The chart's heading.
    #[prop(into)]
    title: String,
    /// The lines.
    series: Vec<Series>,
    /// What x is (`Time`).
    #[prop(into)]
    x_label: String,
    /// What y is (`Replicas`).
    #[prop(into)]
    y_label: String,
    /// How x values are written.
    #[prop(optional)]
    x_format: Format,
    /// How y values are written.
    #[prop(optional)]
    y_format: Format,
    /// Vertical marks (a crossover).
    #[prop(optional)]
    marks: Vec<Mark>,
    /// `data-kind` of the figure (`hpa`, `cost`, `crossover`).
    #[prop(optional, into)]
    kind: String,
    /// A sentence under the chart saying how to read it.
    #[prop(optional, into)]
    note: String,
    /// Keeps the data table open across re-renders (the caller owns the state).
    #[prop(optional)]
    table_open: Option<RwSignal<bool>>,
) -> impl IntoView {
    let label = summary(&title, &series, &marks, x_format, y_format);
    let table_open = table_open.unwrap_or_else(|| RwSignal::new(false));
    let plot = extent(&series, &marks).map(|(x0, x1, y0, y1)| {
        let xt = ticks(x0, x1, 6, x_format);
        let yt = ticks(y0, y1, 5, y_format);
        let (xs, ys) = (
            Scale::new(xt[0], xt[xt.len() - 1], LEFT, WIDTH - RIGHT),
            Scale::new(yt[0], yt[yt.len() - 1], HEIGHT - BOTTOM, TOP),
        );
        let x_step = xt.get(1).map_or(1.0, |b| b - xt[0]);
        let y_step = yt.get(1).map_or(1.0, |b| b - yt[0]);
        let grid = yt
            .iter()
            .map(|&v| {
                let y = num(ys.map(v));
                view! {
                    <line class="chart-grid" x1=num(LEFT) x2=num(WIDTH - RIGHT) y1=y.clone() y2=y.clone() />
                    <text class="chart-tick" x=num(LEFT - 6.0) y=y text-anchor="end" dominant-baseline="middle">
                        {y_format.tick(v, y_step)}
                    </text>
                }
            })
            .collect_view();
        let x_ticks = xt
            .iter()
            .map(|&v| {
                let x = num(xs.map(v));
                view! {
                    <line class="chart-axis" x1=x.clone() x2=x.clone() y1=num(HEIGHT - BOTTOM) y2=num(HEIGHT - BOTTOM + 4.0) />
                    <text class="chart-tick" x=x y=num(HEIGHT - BOTTOM + 16.0) text-anchor="middle">
                        {x_format.tick(v, x_step)}
                    </text>
                }
            })
            .collect_view();
        let lines = series
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let scaled: Vec<(f64, f64)> =
                    s.points.iter().map(|&(x, y)| (xs.map(x), ys.map(y))).collect();
                let line = line_path(&scaled, s.step);
                let markers = marker_path(i, &thin(&scaled, MAX_MARKERS), 4.0);
                view! {
                    <g class=format!("chart-series chart-series-{}", i % DASHES.len())>
                        <path class="chart-line" d=line stroke-dasharray=DASHES[i % DASHES.len()] />
                        <path class="chart-marker" d=markers />
                    </g>
                }
            })
            .collect_view();
        let mark_lines = marks
            .iter()
            .map(|m| {
                let x = num(xs.map(m.x));
                view! {
                    <g class="chart-mark">
                        <line x1=x.clone() x2=x.clone() y1=num(TOP) y2=num(HEIGHT - BOTTOM) />
                        <text x=x y=num(TOP - 5.0) text-anchor="middle">
                            {format!("{} {}", m.label, x_format.value(m.x))}
                        </text>
                    </g>
                }
            })
            .collect_view();
        view! {
            <line class="chart-axis" x1=num(LEFT) x2=num(LEFT) y1=num(TOP) y2=num(HEIGHT - BOTTOM) />
            <line class="chart-axis" x1=num(LEFT) x2=num(WIDTH - RIGHT) y1=num(HEIGHT - BOTTOM) y2=num(HEIGHT - BOTTOM) />
            {grid}
            {x_ticks}
            {mark_lines}
            {lines}
            <text class="chart-axis-label" x=num((LEFT + WIDTH - RIGHT) / 2.0) y=num(HEIGHT - 6.0) text-anchor="middle">
                {x_label.clone()}
            </text>
            <text
                class="chart-axis-label"
                x="14"
                y=num((TOP + HEIGHT - BOTTOM) / 2.0)
                text-anchor="middle"
                transform=format!("rotate(-90 14 {})", num((TOP + HEIGHT - BOTTOM) / 2.0))
            >
                {y_label.clone()}
            </text>
        }
    });
    let legend = series
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let k = i % DASHES.len();
            view! {
                <li>
                    <svg class=format!("chart-swatch chart-series-{k}") viewBox="0 0 36 12" width="36" height="12" aria-hidden="true">
                        <path class="chart-line" d="M2 6 H34" stroke-dasharray=DASHES[k] />
                        <path class="chart-marker" d=marker_path(i, &[(18.0, 6.0)], 4.0) />
                    </svg>
                    {s.name.clone()}
                    <span class="visually-hidden">
                        {format!(", drawn as a {} with {} markers", dash_name(k), MARKERS[i % MARKERS.len()])}
                    </span>
                </li>
            }
        })
        .collect_view();
    let header = series
        .iter()
        .map(|s| view! { <th scope="col">{s.name.clone()}</th> })
        .collect_view();
    let rows = table(&series)
        .into_iter()
        .map(|(x, ys)| {
            let cells = ys
                .into_iter()
                .map(|y| view! { <td>{y.map_or_else(|| "–".to_string(), |y| y_format.value(y))}</td> })
                .collect_view();
            view! {
                <tr>
                    <th scope="row">{x_format.value(x)}</th>
                    {cells}
                </tr>
            }
        })
        .collect_view();
    let has_plot = plot.is_some();
    view! {
        <figure class="chart" data-testid="chart" data-kind=kind>
            <figcaption class="chart-title">{title.clone()}</figcaption>
            {match plot {
                Some(plot) => view! {
                    <svg
                        class="chart-svg"
                        viewBox=format!("0 0 {WIDTH} {HEIGHT}")
                        role="img"
                        aria-label=label
                        preserveAspectRatio="xMidYMid meet"
                    >
                        {plot}
                    </svg>
                }
                .into_any(),
                None => view! { <p class="muted">"No data yet."</p> }.into_any(),
            }}
            {has_plot.then(|| view! { <ul class="chart-legend" aria-label="Legend">{legend}</ul> })}
            {(!note.is_empty()).then(|| view! { <p class="chart-note">{note.clone()}</p> })}
            <details
                class="chart-data"
                prop:open=move || table_open.get()
                on:toggle=move |ev| {
                    let open = event_target::<web_sys::Element>(&ev).has_attribute("open");
                    if open != table_open.get_untracked() {
                        table_open.set(open);
                    }
                }
            >
                <summary>"Data table"</summary>
                <div class="chart-table-scroll" tabindex="0" role="region" aria-label=format!("{title}: data")>
                    <table class="chart-table" data-testid="chart-table">
                        <caption class="visually-hidden">{title.clone()}</caption>
                        <thead>
                            <tr>
                                <th scope="col">{x_label.clone()}</th>
                                {header}
                            </tr>
                        </thead>
                        <tbody>{rows}</tbody>
                    </table>
                </div>
            </details>
        </figure>
    }
}

/// The legend's word for dash pattern `k`.
fn dash_name(k: usize) -> &'static str {
    match k {
        0 => "solid line",
        1 => "dashed line",
        2 => "dotted line",
        3 => "dash-dot line",
        4 => "short-dash line",
        _ => "sparse-dot line",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nice_steps_are_one_two_or_five_times_a_power_of_ten() {
        assert_eq!(nice_step(0.7), 1.0);
        assert_eq!(nice_step(1.3), 2.0);
        assert_eq!(nice_step(3.0), 5.0);
        assert_eq!(nice_step(7.0), 10.0);
        assert_eq!(nice_step(23.0), 50.0);
        assert!((nice_step(0.013) - 0.02).abs() < 1e-12);
        assert_eq!(nice_step(0.0), 1.0);
        assert_eq!(nice_step(f64::NAN), 1.0);
    }

    #[test]
    fn ticks_cover_the_data_with_round_numbers() {
        assert_eq!(ticks(0.0, 6.0, 5, Format::Number), [0.0, 2.0, 4.0, 6.0]);
        assert_eq!(
            ticks(0.0, 180.0, 5, Format::Percent),
            [0.0, 50.0, 100.0, 150.0, 200.0]
        );
        // A flat series still gets an axis, and money stays non-negative.
        let flat = ticks(3.0, 3.0, 5, Format::Number);
        assert!(flat.first().is_some_and(|t| *t <= 3.0) && flat.last().is_some_and(|t| *t > 3.0));
        let zero = ticks(0.0, 0.0, 5, Format::Dollars);
        assert_eq!(zero.first(), Some(&0.0));
        assert!(zero.len() >= 2);
        // Non-finite input does not panic.
        assert!(ticks(f64::NAN, f64::INFINITY, 5, Format::Number).len() >= 2);
    }

    #[test]
    fn clock_ticks_use_clock_steps() {
        // Ten minutes in about six ticks: every two minutes.
        let t = ticks(15.0, 600.0, 6, Format::Clock);
        assert_eq!(t[1] - t[0], 120.0);
        assert_eq!(t[0], 0.0);
        assert_eq!(*t.last().unwrap(), 600.0);
        assert_eq!(clock_step(40.0), 60.0);
        assert_eq!(clock_step(200_000.0), 5.0 * 86400.0);
        assert_eq!(Format::Clock.tick(3725.0, 60.0), "01:02:05");
    }

    #[test]
    fn formats_ticks_and_values() {
        assert_eq!(Format::Percent.tick(50.0, 50.0), "50%");
        assert_eq!(Format::Dollars.tick(0.05, 0.05), "$0.05");
        assert_eq!(Format::Dollars.tick(0.002, 0.001), "$0.002");
        assert_eq!(Format::Number.tick(-0.0, 1.0), "0");
        assert_eq!(Format::Number.value(2.50), "2.5");
        assert_eq!(Format::Dollars.value(0.11652), "$0.1165");
        assert_eq!(Format::Dollars.value(12.345), "$12.35");
        assert_eq!(Format::Percent.value(82.4), "82.4%");
    }

    #[test]
    fn scales_map_domains_onto_pixels() {
        let s = Scale::new(0.0, 10.0, 100.0, 0.0);
        assert_eq!(s.map(0.0), 100.0);
        assert_eq!(s.map(2.5), 75.0);
        assert_eq!(Scale::new(5.0, 5.0, 0.0, 10.0).map(5.0), 5.0);
    }

    #[test]
    fn paths_draw_lines_steps_and_markers() {
        let pts = [(0.0, 10.0), (5.0, 20.0), (10.0, 20.0)];
        assert_eq!(line_path(&pts, false), "M0 10 L5 20 L10 20");
        assert_eq!(line_path(&pts, true), "M0 10 L5 10 L5 20 L10 20 L10 20");
        assert_eq!(line_path(&[], false), "");
        assert_eq!(marker_path(1, &[(10.0, 10.0)], 2.0), "M8 8 H12 V12 H8 Z");
        assert!(
            marker_path(0, &[(1.0, 1.0), (2.0, 2.0)], 1.0)
                .matches('Z')
                .count()
                == 2
        );
    }

    #[test]
    fn long_series_are_thinned_but_keep_their_ends() {
        let pts: Vec<(f64, f64)> = (0..100).map(|i| (i as f64, 0.0)).collect();
        let kept = thin(&pts, 10);
        assert!(kept.len() <= 11);
        assert_eq!(kept.first(), Some(&(0.0, 0.0)));
        assert_eq!(kept.last(), Some(&(99.0, 0.0)));
    }

    #[test]
    fn summary_and_table_describe_every_series() {
        let series = vec![
            Series {
                name: "Replicas".into(),
                points: vec![(0.0, 2.0), (60.0, 6.0)],
                step: true,
            },
            Series {
                name: "Target".into(),
                points: vec![(0.0, 60.0), (30.0, 60.0)],
                step: false,
            },
        ];
        let marks = [Mark {
            x: 30.0,
            label: "spike".into(),
        }];
        let s = summary("Web", &series, &marks, Format::Clock, Format::Number);
        assert_eq!(
            s,
            "Web, from 00:00:00 to 00:01:00. Replicas: 2 to 6 (lowest 2, highest 6). \
             Target: 60 to 60 (lowest 60, highest 60). Marked: spike at 00:00:30."
        );
        let t = table(&series);
        assert_eq!(t.len(), 3);
        assert_eq!(t[1], (30.0, vec![None, Some(60.0)]));
        assert_eq!(extent(&series, &[]), Some((0.0, 60.0, 0.0, 60.0)));
        assert_eq!(
            summary("Empty", &[], &[], Format::Clock, Format::Number),
            "Empty: no data yet."
        );
    }
}
