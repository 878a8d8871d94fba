//! `hunt graph --out FILE.svg`: the top teams' scores over time, drawn with plotters' SVG
//! backend (text is left to the SVG viewer's fonts, so no system fonts are needed here).

use std::io::Write;
use std::path::{Path, PathBuf};

use hunt_core::Timestamp;
use hunt_core::state::HuntState;
use plotters::prelude::*;

use crate::failure::Failure;
use crate::output;
use crate::store::Selection;
use crate::timeline::{self, Series};

/// Picture size in pixels.
const SIZE: (u32, u32) = (1000, 600);

/// Arguments of `hunt graph`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Where to write the SVG picture (replaced if it exists)
    #[arg(long, value_name = "FILE.svg")]
    pub out: PathBuf,

    /// How many teams, from the top of the board
    #[arg(long, value_name = "N", default_value_t = 10)]
    pub top: usize,
}

/// Runs `hunt graph`.
pub async fn run(selection: &Selection, args: &Args, out: &mut dyn Write) -> Result<(), Failure> {
    let (state, log) = selection.replay().await?;
    let series = timeline::top(&state, &log, args.top);
    draw(&state, &series, &args.out)?;
    writeln!(
        out,
        "Wrote the scores of the top {} teams over time to {}",
        series.len(),
        args.out.display()
    )?;
    Ok(())
}

/// Draws `series` as a step chart over the hunt's window and writes it to `path`.
pub fn draw(state: &HuntState, series: &[Series], path: &Path) -> Result<(), Failure> {
    let hunt = state.hunt();
    let start = hunt.start.as_millis();
    // From the start to the last change (at least an hour in), never past the end.
    let last = series
        .iter()
        .filter_map(|s| s.steps.last())
        .map(|(at, _)| at.as_millis())
        .max()
        .unwrap_or(start);
    let end = last
        .max(start + 3_600_000)
        .min(hunt.end.as_millis())
        .max(start + 1);
    let scores = series.iter().flat_map(|s| s.steps.iter().map(|(_, v)| *v));
    let low = scores.clone().min().unwrap_or(0).min(0);
    let high = scores.max().unwrap_or(0).max(100);
    let high = high + high / 10;
    let multi_day = end - start > 24 * 3_600_000;

    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
        root.fill(&WHITE).map_err(cannot_draw)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(
                format!("{}: scores over time", hunt.title),
                ("sans-serif", 22),
            )
            .margin(20)
            .x_label_area_size(40)
            .y_label_area_size(60)
            .build_cartesian_2d(start..end, low..high)
            .map_err(cannot_draw)?;
        chart
            .configure_mesh()
            .x_desc("time (UTC)")
            .y_desc("score")
            .x_label_formatter(&|ms| clock_label(*ms, multi_day))
            .draw()
            .map_err(cannot_draw)?;
        for (i, team) in series.iter().enumerate() {
            let color = Palette99::pick(i).to_rgba();
            chart
                .draw_series(LineSeries::new(
                    step_points(&team.steps, end),
                    color.stroke_width(2),
                ))
                .map_err(cannot_draw)?
                .label(team.name.clone())
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], color));
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::LowerRight)
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK)
            .draw()
            .map_err(cannot_draw)?;
        root.present().map_err(cannot_draw)?;
    }
    output::write_file(path, svg.as_bytes())
}

/// The corners of a step line: the score holds until the next change, then jumps.
fn step_points(steps: &[(Timestamp, i64)], end: i64) -> Vec<(i64, i64)> {
    let mut points = Vec::with_capacity(steps.len() * 2 + 1);
    for (at, score) in steps {
        let at = at.as_millis().min(end);
        if let Some(&(_, previous)) = points.last() {
            points.push((at, previous));
        }
        points.push((at, *score));
    }
    if let Some(&(_, score)) = points.last() {
        points.push((end, score));
    }
    points
}

/// An axis label: the time of day in UTC, with the day for hunts longer than a day.
fn clock_label(ms: i64, with_day: bool) -> String {
    let format = if with_day { "%b %d %H:%M" } else { "%H:%M" };
    jiff::Timestamp::from_millisecond(ms)
        .map(|ts| ts.strftime(format).to_string())
        .unwrap_or_default()
}

fn cannot_draw(error: impl std::fmt::Display) -> Failure {
    Failure::user(format!("cannot draw the score graph: {error}"))
}
