//! The review report as PDF. The incident goes into the typst template
//! (`templates/review.typ`) as JSON data, never pasted into markup, so any
//! text users typed prints literally. Fonts are embedded; nothing is read
//! from the machine at run time.

mod world;

use incident_core::Timestamp;
use incident_core::desk::IncidentExport;
use incident_core::domain::{KeyMoment, StageSpan, key_moments, review_checklist, stage_spans};
use incident_core::format::{date_time, metric};
use serde::Serialize;
use std::collections::BTreeMap;
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("the report template failed: {0}")]
    Template(String),
    #[error("could not write the PDF: {0}")]
    Pdf(String),
    #[error("could not prepare the report data: {0}")]
    Data(#[from] serde_json::Error),
}

/// What the template gets: the export, plus what is easier to compute here.
#[derive(Serialize)]
struct ReportData<'a> {
    export: &'a IncidentExport,
    /// The timeline in order of when things happened.
    timeline: Vec<&'a incident_core::domain::TimelineEntry>,
    spans: Vec<PlacedSpan>,
    moments: Vec<PlacedMoment>,
    metrics: Vec<MetricRow>,
    checklist: Vec<String>,
    /// The strip's time range, as text.
    range: [String; 2],
    generated: String,
    /// Every moment the template prints, keyed by its JSON form: the
    /// template looks times up instead of formatting them itself, so the PDF
    /// and the Markdown export print the same strings (`format::date_time`).
    times: BTreeMap<String, String>,
}

/// A stage span with its position on the strip (0–1 of its width).
#[derive(Serialize)]
struct PlacedSpan {
    #[serde(flatten)]
    span: StageSpan,
    from: f64,
    to: f64,
}

#[derive(Serialize)]
struct PlacedMoment {
    #[serde(flatten)]
    moment: KeyMoment,
    at_fraction: f64,
    clock: String,
}

#[derive(Serialize)]
struct MetricRow {
    name: &'static str,
    value: String,
    seconds: Option<i64>,
    definition: &'static str,
}

/// The moments the template shows with `when(…)`, formatted.
fn times(export: &IncidentExport) -> BTreeMap<String, String> {
    let record = &export.incident;
    let always = [record.started_at, record.detected_at, record.declared_at];
    let entries = export.timeline.iter().map(|e| e.occurred_at);
    let maybe = [record.resolved_at, record.closed_at]
        .into_iter()
        .chain(
            record
                .roles
                .iter()
                .flat_map(|a| [Some(a.assumed_at), a.relieved_at]),
        )
        .chain(record.communications.iter().map(|c| c.sent_at))
        .flatten();
    always
        .into_iter()
        .chain(entries)
        .chain(maybe)
        .map(|at| (at.to_string(), date_time(at)))
        .collect()
}

fn report_data(export: &IncidentExport) -> ReportData<'_> {
    let record = &export.incident;
    let spans = stage_spans(record, &export.timeline);
    let moments = key_moments(record);
    let first = moments
        .iter()
        .map(|m| m.at)
        .chain(spans.iter().map(|s| s.start))
        .min()
        .unwrap_or(record.declared_at);
    let last = moments
        .iter()
        .map(|m| m.at)
        .chain(spans.iter().filter_map(|s| s.end))
        .chain(export.timeline.iter().map(|e| e.occurred_at))
        .max()
        .unwrap_or(record.declared_at);
    let width = (last.millis() - first.millis()).max(1) as f64;
    let fraction = |t: Timestamp| ((t.millis() - first.millis()) as f64 / width).clamp(0.0, 1.0);
    let metrics = export
        .metrics
        .rows()
        .into_iter()
        .map(|row| MetricRow {
            name: row.label,
            value: metric(row.seconds),
            seconds: row.seconds,
            definition: row.definition,
        })
        .collect();
    let mut timeline: Vec<&incident_core::domain::TimelineEntry> = export.timeline.iter().collect();
    timeline.sort_by_key(|e| (e.occurred_at, e.n));
    ReportData {
        export,
        timeline,
        spans: spans
            .into_iter()
            .map(|span| PlacedSpan {
                from: fraction(span.start),
                to: fraction(span.end.unwrap_or(last)),
                span,
            })
            .collect(),
        moments: moments
            .into_iter()
            .map(|moment| PlacedMoment {
                at_fraction: fraction(moment.at),
                clock: date_time(moment.at),
                moment,
            })
            .collect(),
        metrics,
        checklist: review_checklist(record),
        range: [date_time(first), date_time(last)],
        generated: date_time(Timestamp::from_datetime(chrono::Utc::now())),
        times: times(export),
    }
}

/// The review report of `export` as PDF bytes.
pub fn render_pdf(export: &IncidentExport) -> Result<Vec<u8>, ReportError> {
    let data = serde_json::to_vec(&report_data(export))?;
    world::render(data, world::TEMPLATE)
}

/// How long rendering took, for benchmarks.
pub fn render_pdf_timed(export: &IncidentExport) -> Result<(Vec<u8>, Duration), ReportError> {
    let start = std::time::Instant::now();
    let pdf = render_pdf(export)?;
    Ok((pdf, start.elapsed()))
}
