//! `hunt graph --out FILE.svg`: the top teams' scores over time, drawn with plotters' SVG
//! backend (text is left to the SVG viewer's fonts, so no system fonts are needed here).
//!
//! The series are the core's timelines (`HuntState::top_timelines`), so the graph counts
//! scores exactly as the board does: dynamic values, hint costs and adjustments included.

use std::io::Write;
use std::path::{Path, PathBuf};

use hunt_core::Timestamp;
use hunt_core::state::HuntState;
use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, Ranged};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::clock::At;
use crate::failure::Failure;
use crate::output;
use crate::store::Selection;

/// Picture size in pixels.
const SIZE: (u32, u32) = (1100, 600);

/// Width of the legend's column, right of the plot, in pixels.
const LEGEND_WIDTH: u32 = 240;

/// Longest team name the legend shows whole, in characters; longer ones are cut with "…".
const LEGEND_NAME_CHARS: usize = 22;

/// Round tick steps of the time axis, in milliseconds: the first that puts at most
/// [`MAX_TICKS`] ticks on the axis is used (past the last, whole weeks).
const STEPS: &[i64] = &[
    MINUTE,
    2 * MINUTE,
    5 * MINUTE,
    10 * MINUTE,
    15 * MINUTE,
    30 * MINUTE,
    HOUR,
    2 * HOUR,
    3 * HOUR,
    6 * HOUR,
    12 * HOUR,
    DAY,
    2 * DAY,
    7 * DAY,
];

/// The most ticks on the time axis.
const MAX_TICKS: i64 = 8;

const MINUTE: i64 = 60_000;
const HOUR: i64 = 60 * MINUTE;
const DAY: i64 = 24 * HOUR;

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

    /// The time axis runs to the hunt's end, or to now (or `--at`) if that is earlier
    #[command(flatten)]
    pub at: At,
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
    draw(&state, &series, args.at.now(), &args.out)?;
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

/// Draws `series` as a step chart and writes it to `path`: the time axis runs from the hunt's
/// start to its end, or to `now` if that is earlier (but never before the log's last event),
/// with ticks at round times; a dashed line marks the freeze; the legend is a column right
/// of the plot, so it never covers a line.
pub fn draw(
    state: &HuntState,
    series: &[Series],
    now: Timestamp,
    path: &Path,
) -> Result<(), Failure> {
    let hunt = state.hunt();
    let axis = TimeAxis::new(
        hunt.start,
        hunt.end,
        now.max(state.log_time().unwrap_or(now)),
    );
    let scores = series.iter().flat_map(|s| s.steps.iter().map(|(_, v)| *v));
    let low = scores.clone().min().unwrap_or(0).min(0);
    let high = scores.max().unwrap_or(0).max(100);
    let high = high + high / 10;
    let multi_day = axis.end - axis.start > DAY;
    let label = |ms: &i64| clock_label(*ms, multi_day, axis.step);

    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
        root.fill(&WHITE).map_err(cannot_draw)?;
        let root = root
            .titled(
                &format!("{}: scores over time", hunt.title),
                ("sans-serif", 22),
            )
            .map_err(cannot_draw)?;
        let (plot, legend) = root.split_horizontally(SIZE.0 - LEGEND_WIDTH);
        let mut chart = ChartBuilder::on(&plot)
            .margin(20)
            .x_label_area_size(40)
            .y_label_area_size(60)
            .build_cartesian_2d(axis.clone(), low..high)
            .map_err(cannot_draw)?;
        chart
            .configure_mesh()
            .x_desc("time (UTC)")
            .y_desc("score")
            .x_label_formatter(&label)
            .draw()
            .map_err(cannot_draw)?;
        if let Some(freeze) = hunt.freeze.map(Timestamp::as_millis)
            && freeze <= axis.end
        {
            let grey = RGBColor(90, 90, 90);
            chart
                .draw_series(DashedLineSeries::new(
                    [(freeze, low), (freeze, high)],
                    6,
                    4,
                    grey.stroke_width(1),
                ))
                .map_err(cannot_draw)?;
            let style = TextStyle::from(("sans-serif", 14).into_font())
                .color(&grey)
                .pos(Pos::new(HPos::Right, VPos::Top));
            chart
                .draw_series(std::iter::once(
                    EmptyElement::at((freeze, high)) + Text::new("freeze", (-4, 4), style),
                ))
                .map_err(cannot_draw)?;
        }
        for (i, team) in series.iter().enumerate() {
            chart
                .draw_series(LineSeries::new(
                    step_points(&team.steps, axis.end),
                    color(i).stroke_width(2),
                ))
                .map_err(cannot_draw)?;
        }
        draw_legend(&legend, series)?;
        root.present().map_err(cannot_draw)?;
    }
    output::write_file(path, svg.as_bytes())
}

/// The colour of the `i`-th team's line.
fn color(i: usize) -> RGBAColor {
    Palette99::pick(i).to_rgba()
}

/// The legend, in its own column: a box holding a line of each team's colour, its name and
/// its score at the end of the axis, in board order.
fn draw_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, plotters::coord::Shift>,
    series: &[Series],
) -> Result<(), Failure> {
    if series.is_empty() {
        return Ok(());
    }
    const ROW: i32 = 24;
    let (width, _) = area.dim_in_pixel();
    let width = i32::try_from(width).unwrap_or(i32::MAX);
    let top = 20;
    let rows = i32::try_from(series.len()).unwrap_or(i32::MAX / ROW);
    area.draw(&Rectangle::new(
        [(0, top), (width - 20, top + 12 + rows * ROW)],
        BLACK.stroke_width(1),
    ))
    .map_err(cannot_draw)?;
    let style =
        TextStyle::from(("sans-serif", 14).into_font()).pos(Pos::new(HPos::Left, VPos::Center));
    for (i, team) in series.iter().enumerate() {
        let y = top + 6 + ROW / 2 + i32::try_from(i).unwrap_or(0) * ROW;
        area.draw(&PathElement::new(
            vec![(10, y), (34, y)],
            color(i).stroke_width(2),
        ))
        .map_err(cannot_draw)?;
        let score = team.steps.last().map_or(0, |(_, score)| *score);
        let text = format!("{} ({score})", shortened(&team.name));
        area.draw(&Text::new(text, (42, y), style.clone()))
            .map_err(cannot_draw)?;
    }
    Ok(())
}

/// `name`, cut to [`LEGEND_NAME_CHARS`] characters with "…" when longer.
fn shortened(name: &str) -> String {
    if name.chars().count() <= LEGEND_NAME_CHARS {
        return name.to_owned();
    }
    let mut cut: String = name.chars().take(LEGEND_NAME_CHARS - 1).collect();
    cut.push('…');
    cut
}

/// The time axis, in milliseconds since the epoch, with its ticks at multiples of `step`
/// (multiples since the epoch, so on round UTC times: 10:00, 12:00, midnight).
#[derive(Debug, Clone, PartialEq, Eq)]
struct TimeAxis {
    start: i64,
    end: i64,
    step: i64,
}

impl TimeAxis {
    /// From `start` to `end`, or to `now` if that is earlier and after `start`.
    fn new(start: Timestamp, end: Timestamp, now: Timestamp) -> Self {
        let start = start.as_millis();
        let end = if now.as_millis() > start {
            end.as_millis().min(now.as_millis())
        } else {
            end.as_millis()
        };
        let end = end.max(start + 1);
        Self {
            start,
            end,
            step: tick_step(end - start),
        }
    }

    /// The ticks: every multiple of the step from the start to the end, both included.
    fn ticks(&self) -> Vec<i64> {
        let first = self.start.div_euclid(self.step) * self.step;
        let first = if first < self.start {
            first + self.step
        } else {
            first
        };
        (0..)
            .map(|i| first + i * self.step)
            .take_while(|at| *at <= self.end)
            .collect()
    }
}

impl Ranged for TimeAxis {
    // Labels come from `clock_label`, set on the mesh.
    type FormatOption = DefaultFormatting;
    type ValueType = i64;

    fn map(&self, value: &i64, limit: (i32, i32)) -> i32 {
        let share = (value - self.start) as f64 / (self.end - self.start) as f64;
        limit.0 + (share * f64::from(limit.1 - limit.0)).round() as i32
    }

    fn key_points<Hint: KeyPointHint>(&self, _hint: Hint) -> Vec<i64> {
        self.ticks()
    }

    fn range(&self) -> std::ops::Range<i64> {
        self.start..self.end
    }
}

/// The smallest round step that puts at most [`MAX_TICKS`] ticks on an axis `length`
/// milliseconds long (ticks at its multiples, so at most `length / step + 1` of them).
fn tick_step(length: i64) -> i64 {
    let fits = |step: i64| length / step < MAX_TICKS;
    if let Some(step) = STEPS.iter().copied().find(|step| fits(*step)) {
        return step;
    }
    let week = 7 * DAY;
    let weeks = (length / week) / (MAX_TICKS - 1) + 1;
    weeks * week
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

/// A tick label: the time of day in UTC, the day alone for steps of days, and the day and
/// time for hunts longer than a day.
fn clock_label(ms: i64, multi_day: bool, step: i64) -> String {
    let format = if step >= DAY {
        "%b %d"
    } else if multi_day {
        "%b %d %H:%M"
    } else {
        "%H:%M"
    };
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
    fn ticks_fall_on_round_steps_five_to_eight_of_them() {
        // (axis length, step chosen)
        for (length, step) in [
            (7 * MINUTE, MINUTE),
            (20 * MINUTE, 5 * MINUTE),
            (60 * MINUTE, 10 * MINUTE),
            (90 * MINUTE, 15 * MINUTE),
            (3 * HOUR, 30 * MINUTE),
            (5 * HOUR, HOUR),
            (12 * HOUR, 2 * HOUR),
            (20 * HOUR, 3 * HOUR),
            (36 * HOUR, 6 * HOUR),
            (3 * DAY, 12 * HOUR),
            (5 * DAY, DAY),
            (10 * DAY, 2 * DAY),
            (30 * DAY, 7 * DAY),
            (365 * DAY, 56 * DAY),
        ] {
            assert_eq!(tick_step(length), step, "{length} ms");
        }
        // A 12-hour hunt from 09:00: ticks at 10:00, 12:00, … 20:00, labelled as such.
        let axis = TimeAxis::new(
            at("2026-11-28T09:00:00Z"),
            at("2026-11-28T21:00:00Z"),
            at("2027-01-01T00:00:00Z"),
        );
        let labels: Vec<String> = axis
            .ticks()
            .into_iter()
            .map(|ms| clock_label(ms, false, axis.step))
            .collect();
        assert_eq!(
            labels,
            ["10:00", "12:00", "14:00", "16:00", "18:00", "20:00"]
        );
        // Now, before the end, ends the axis; before the start, it does not.
        let early = TimeAxis::new(
            at("2026-11-28T09:00:00Z"),
            at("2026-11-28T21:00:00Z"),
            at("2026-11-28T10:20:00Z"),
        );
        assert_eq!(
            (early.end, early.step),
            (at("2026-11-28T10:20:00Z").as_millis(), 15 * MINUTE)
        );
        let before = TimeAxis::new(
            at("2026-11-28T09:00:00Z"),
            at("2026-11-28T21:00:00Z"),
            at("2026-11-27T00:00:00Z"),
        );
        assert_eq!(before.end, at("2026-11-28T21:00:00Z").as_millis());
        // Steps of days are labelled by the day; longer hunts show the day with the time.
        assert_eq!(
            clock_label(at("2026-11-28T00:00:00Z").as_millis(), true, DAY),
            "Nov 28"
        );
        assert_eq!(
            clock_label(at("2026-11-28T06:00:00Z").as_millis(), true, 6 * HOUR),
            "Nov 28 06:00"
        );
        assert_eq!(shortened("Sea Otters"), "Sea Otters");
        assert_eq!(
            shortened("The Extraordinarily Long Team Name")
                .chars()
                .count(),
            LEGEND_NAME_CHARS
        );
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
