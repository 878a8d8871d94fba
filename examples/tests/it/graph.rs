//! `hunt graph`: the SVG score graph, read back as a picture would be. The SVG is parsed to
//! check its layout (the legend beside the plot, never over it; ticks at round times; the
//! freeze marked where it falls; the axis to the hunt's end), and rendered to PNG with resvg,
//! which must succeed (the PNG is left in the target directory, to look at).

use crate::Hunt;

/// One drawn element of the SVG, with what the checks read of it.
#[derive(Debug)]
struct Shape {
    tag: String,
    text: String,
    /// The points of a line or polyline; the corner and the opposite corner of a rectangle;
    /// the anchor of a text.
    points: Vec<(f64, f64)>,
    stroke: String,
    stroke_width: String,
}

/// Every `line`, `polyline`, `rect` and `text` element of `svg`, in document order.
fn shapes(svg: &str) -> Vec<Shape> {
    let document = roxmltree::Document::parse(svg).expect("the graph is well-formed XML");
    let number = |node: roxmltree::Node<'_, '_>, name: &str| -> f64 {
        node.attribute(name)
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("{name} of {node:?}"))
    };
    document
        .descendants()
        .filter(|node| node.is_element())
        .filter_map(|node| {
            let tag = node.tag_name().name();
            let points = match tag {
                "line" => vec![
                    (number(node, "x1"), number(node, "y1")),
                    (number(node, "x2"), number(node, "y2")),
                ],
                "polyline" => node
                    .attribute("points")
                    .unwrap_or_default()
                    .split_whitespace()
                    .map(|pair| {
                        let (x, y) = pair.split_once(',').expect("x,y");
                        (x.parse().expect("x"), y.parse().expect("y"))
                    })
                    .collect(),
                "rect" => {
                    let (x, y) = (number(node, "x"), number(node, "y"));
                    vec![
                        (x, y),
                        (x + number(node, "width"), y + number(node, "height")),
                    ]
                }
                "text" => vec![(number(node, "x"), number(node, "y"))],
                _ => return None,
            };
            Some(Shape {
                tag: tag.to_owned(),
                text: node.text().unwrap_or_default().trim().to_owned(),
                points,
                stroke: node.attribute("stroke").unwrap_or_default().to_owned(),
                stroke_width: node
                    .attribute("stroke-width")
                    .unwrap_or_default()
                    .to_owned(),
            })
        })
        .collect()
}

/// The smallest rectangle holding `points`: (left, top, right, bottom).
fn bounds(points: impl IntoIterator<Item = (f64, f64)>) -> (f64, f64, f64, f64) {
    points.into_iter().fold(
        (f64::MAX, f64::MAX, f64::MIN, f64::MIN),
        |(l, t, r, b), (x, y)| (l.min(x), t.min(y), r.max(x), b.max(y)),
    )
}

fn intersect(a: (f64, f64, f64, f64), b: (f64, f64, f64, f64)) -> bool {
    a.0 < b.2 && b.0 < a.2 && a.1 < b.3 && b.1 < a.3
}

#[test]
fn the_graph_keeps_its_legend_apart_ticks_round_and_marks_the_freeze() {
    let hunt = Hunt::hackathon();
    let teams: Vec<String> = (1..=10).map(|i| format!("Team {i:02}")).collect();
    for team in &teams {
        hunt.ok(&["team", "add", team, "--at", "2026-11-28T08:30:00Z"]);
    }
    // Everyone solves the welcome, half also the lighthouse, and the late lines (after the
    // 20:00 freeze, in the corner where the legend used to sit) go up for three teams.
    for (i, team) in teams.iter().enumerate() {
        let at = format!("2026-11-28T{:02}:{:02}:00Z", 9 + i, 7 * i % 60);
        hunt.ok(&["submit", team, "welcome", "anchors", "--at", &at]);
        if i % 2 == 0 {
            let at = format!("2026-11-28T{:02}:30:00Z", 10 + i);
            hunt.ok(&["submit", team, "lighthouse", "light", "--at", &at]);
        }
    }
    for (team, at) in [(1, "20:20"), (3, "20:40"), (5, "20:55")] {
        let at = format!("2026-11-28T{at}:00Z");
        hunt.ok(&["submit", &teams[team], "lighthouse", "light", "--at", &at]);
    }
    let out = hunt.scratch("scores.svg");
    let written = hunt.ok(&[
        "graph",
        "--out",
        out.to_str().expect("UTF-8 path"),
        "--at",
        "2026-11-29T12:00:00Z",
    ]);
    assert!(written.contains("top 10 teams"), "{written}");
    let svg = std::fs::read_to_string(&out).expect("the graph is written");
    let shapes = shapes(&svg);

    // The teams' lines are the long polylines drawn 2 wide (the legend's are 24 pixels); the
    // plot area holds them and the axis ticks.
    let lines: Vec<&Shape> = shapes
        .iter()
        .filter(|s| s.tag == "polyline" && s.stroke_width == "2")
        .filter(|s| {
            let (left, _, right, _) = bounds(s.points.iter().copied());
            right - left > 100.0
        })
        .collect();
    assert_eq!(lines.len(), 10, "{svg}");
    // Ticks every 2 hours on the 09:00-21:00 axis: 10:00 … 20:00, and no odd times.
    let ticks: Vec<&Shape> = shapes
        .iter()
        .filter(|s| s.tag == "text" && s.text.len() == 5 && s.text.as_bytes()[2] == b':')
        .collect();
    let labels: Vec<&str> = ticks.iter().map(|s| s.text.as_str()).collect();
    assert_eq!(
        labels,
        ["10:00", "12:00", "14:00", "16:00", "18:00", "20:00"],
        "{svg}"
    );
    // x of an instant of the day, from the tick labels (centred on their ticks).
    let x_of = |hour: f64| {
        let (x10, x20) = (ticks[0].points[0].0, ticks[5].points[0].0);
        x10 + (hour - 10.0) * (x20 - x10) / 10.0
    };
    let plot = bounds(lines.iter().flat_map(|s| s.points.iter().copied()));
    // The lines start at the start (09:00) and run to the hunt's end (21:00), not to the last
    // solve (20:55) nor to `--at` (the next day).
    assert!((plot.0 - x_of(9.0)).abs() <= 1.5, "{plot:?} {svg}");
    assert!((plot.2 - x_of(21.0)).abs() <= 1.5, "{plot:?} {svg}");

    // The legend: a box right of everything plotted, holding every team's name.
    let legend = shapes
        .iter()
        .filter(|s| s.tag == "rect" && s.stroke == "#000000")
        .map(|s| bounds(s.points.iter().copied()))
        .next()
        .unwrap_or_else(|| panic!("no legend box in {svg}"));
    let plotted = bounds(
        lines
            .iter()
            .chain(&ticks)
            .flat_map(|s| s.points.iter().copied()),
    );
    assert!(!intersect(legend, plotted), "{legend:?} {plotted:?}");
    assert!(legend.0 > plotted.2, "{legend:?} {plotted:?}");
    for team in &teams {
        let name = shapes
            .iter()
            .find(|s| s.tag == "text" && s.text.starts_with(team.as_str()))
            .unwrap_or_else(|| panic!("{team} not in the legend: {svg}"));
        let (x, y) = name.points[0];
        assert!(
            legend.0 < x && x < legend.2 && legend.1 < y && y < legend.3,
            "{team} at {x},{y}, legend {legend:?}"
        );
    }
    // The leader's final score is in the legend, with its name.
    assert!(
        shapes.iter().any(|s| s.text == "Team 01 (250)"),
        "{:?}",
        shapes.iter().map(|s| &s.text).collect::<Vec<_>>()
    );

    // The freeze: a dashed line at 20:00 (short segments, all at one x) and its label.
    let freeze = x_of(20.0);
    let dashes: Vec<&Shape> = shapes
        .iter()
        .filter(|s| {
            matches!(s.tag.as_str(), "line" | "polyline")
                && s.stroke_width == "1"
                && s.points.len() == 2
                && s.points[0].0 == s.points[1].0
                && (s.points[0].0 - freeze).abs() <= 1.5
                && (s.points[0].1 - s.points[1].1).abs() < 10.0
        })
        .collect();
    assert!(
        dashes.len() >= 10,
        "no dashed freeze line at x={freeze}: {svg}"
    );
    assert!(
        shapes.iter().any(|s| s.tag == "text" && s.text == "freeze"),
        "{svg}"
    );

    // resvg renders it; the PNG is kept for people to look at.
    let mut options = resvg::usvg::Options::default();
    let fonts = options.fontdb_mut();
    fonts.load_system_fonts();
    // The graph asks for "sans-serif", which fontdb takes as Arial: use a sans face the
    // machine has (text is left out where it has none; the checks above do not need it).
    let sans = fonts
        .faces()
        .flat_map(|face| face.families.iter().map(|(name, _)| name.clone()))
        .find(|name| name.contains("Sans") && !name.contains("Mono"));
    if let Some(sans) = sans {
        fonts.set_sans_serif_family(sans);
    }
    let tree = resvg::usvg::Tree::from_str(&svg, &options).expect("resvg reads the graph");
    let size = tree.size().to_int_size();
    let mut pixmap = resvg::tiny_skia::Pixmap::new(size.width(), size.height()).expect("a pixmap");
    resvg::render(
        &tree,
        resvg::tiny_skia::Transform::default(),
        &mut pixmap.as_mut(),
    );
    let png = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("score-graph.png");
    pixmap.save_png(&png).expect("the PNG is written");
    // The legend's column is drawn: pixels of the first team's colour sit inside its box.
    let first = lines[0].stroke.trim_start_matches('#');
    let rgb: Vec<u8> = (0..3)
        .map(|i| u8::from_str_radix(&first[2 * i..2 * i + 2], 16).expect("hex colour"))
        .collect();
    let in_legend = (legend.0 as u32..legend.2 as u32)
        .flat_map(|x| (legend.1 as u32..legend.3 as u32).map(move |y| (x, y)))
        .filter(|&(x, y)| {
            pixmap
                .pixel(x, y)
                .is_some_and(|p| [p.red(), p.green(), p.blue()] == rgb[..])
        })
        .count();
    assert!(
        in_legend >= 20,
        "{in_legend} pixels of #{first} in the legend"
    );
}
