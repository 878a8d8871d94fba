//! `hunt graph --out FILE.svg`: the top teams' scores over time, drawn with plotters' SVG
//! backend (text is left to the SVG viewer's fonts, so no system fonts are needed here).
//!
//! The series are the core's timelines (`HuntState::top_timelines`), so the graph counts
//! scores exactly as the board does: dynamic values, hint costs and adjustments included.

use std::io::Write;
use std::path::{Path, PathBuf};

use hunt_core::Timestamp;
use hunt_core::state::HuntState;
use plotters::prelude::*;

use crate::failure::Failure;
use crate::output;
use crate::store::Selection;

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

    /// The public graph, as teams see it: frozen after the hunt's freeze time, until
    /// `hunt admin reveal`
    #[arg(long)]
    pub public: bool,
}

/// One team's score after each change, in time order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Series {
    /// The team's display name.
    pub name: String,
    /// `(when, score from then on)`, starting at the hunt's start with 0.
    pub steps: Vec<(Timestamp, i64)>,
}

/// The series of the first `n` teams of `view`'s board (the live state or its public view),
/// in board order.
pub fn series(view: &HuntState, n: usize) -> Vec<Series> {
    let start = view.hunt().start;
    view.top_timelines(n)
        .into_iter()
        .map(|(row, timeline)| {
            let mut steps = vec![(start, 0)];
            // Scoring before the start (an early adjustment) is drawn at the start.
            steps.extend(timeline.iter().map(|p| (p.at.max(start), p.score)));
            Series {
                name: row.name,
                steps,
            }
        })
        .collect()
}

/// Runs `hunt graph`.
pub async fn run(selection: &Selection, args: &Args, out: &mut dyn Write) -> Result<(), Failure> {
    let engine = selection.open_engine().await?;
    let state = engine.snapshot();
    let view = if args.public { state.public() } else { &*state };
    let series = series(view, args.top);
    draw(&state, &series, &args.out)?;
    let frozen = if args.public && state.is_frozen() {
        " (public: frozen at the freeze)"
    } else {
        ""
    };
    writeln!(
        out,
        "Wrote the scores of the top {} teams over time{frozen} to {}",
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

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use hunt_core::{Command, IdempotencyKey, TeamId};

    use super::*;

    const HUNT: &str = include_str!("../../../hunts/hackathon.toml");

    fn at(time: &str) -> Timestamp {
        Timestamp::parse_rfc3339(time).expect("valid")
    }

    /// Decides and applies `command` at `time`.
    fn run(state: &mut HuntState, command: Command, time: &str) {
        let decision = state.decide(&command, at(time)).expect("decided");
        state.apply_all(&decision.events).expect("applied");
    }

    fn submit(team: u32, challenge: &str, answer: &str, key: u128) -> Command {
        Command::Submit {
            team: TeamId(team),
            challenge: challenge.into(),
            answer: answer.into(),
            key: IdempotencyKey(key),
        }
    }

    #[test]
    fn series_follow_the_core_timelines_live_and_frozen() {
        let hunt = hunt_core::definition::load(HUNT).expect("the sample loads");
        let mut state = HuntState::new(Arc::new(hunt), None).expect("no sealed answers");
        for name in ["Otters", "Pointers"] {
            let register = Command::Register {
                name: name.into(),
                division: None,
            };
            run(&mut state, register, "2026-11-28T08:00:00Z");
        }
        run(
            &mut state,
            submit(0, "welcome", "anchors", 1),
            "2026-11-28T10:00:00Z",
        );
        let adjust = Command::Adjust {
            team: TeamId(0),
            delta: -30,
            reason: "late".into(),
        };
        run(&mut state, adjust, "2026-11-28T11:00:00Z");
        // After the 20:00 freeze: on the live graph only.
        run(
            &mut state,
            submit(1, "welcome", "anchors", 2),
            "2026-11-28T20:10:00Z",
        );
        run(
            &mut state,
            submit(1, "lighthouse", "light", 3),
            "2026-11-28T20:20:00Z",
        );

        let start = at("2026-11-28T09:00:00Z");
        let live = series(&state, 10);
        assert_eq!(live[0].name, "Pointers");
        assert_eq!(
            live[0].steps,
            [
                (start, 0),
                (at("2026-11-28T20:10:00Z"), 100),
                (at("2026-11-28T20:20:00Z"), 250)
            ]
        );
        assert_eq!(
            live[1].steps,
            [
                (start, 0),
                (at("2026-11-28T10:00:00Z"), 100),
                (at("2026-11-28T11:00:00Z"), 70)
            ]
        );
        let public = series(state.public(), 10);
        assert_eq!(public[0].name, "Otters");
        assert_eq!(public[1].steps, [(start, 0)]);
    }
}
