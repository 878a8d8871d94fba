//! The live board page for the big screen: the public standings (with a "frozen" marker
//! after the freeze), division tabs, the top 10's score graph and first-blood
//! announcements. Rendered on the server so it shows without script; a small inline script
//! then follows `/events`, keeps the board it sent (a full `board`, then each `board_delta`
//! applied to it) and redraws it, with no reload and no polling.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::response::Html;
use hunt_core::state::Row;
use serde::Deserialize;

use super::app::App;
use super::error::ApiError;
use super::html::{escape, page as layout};
use super::snapshot::{Board, ROWS};
use crate::render;

/// Which division's tab is shown.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BoardQuery {
    division: Option<String>,
}

/// `GET /board`.
pub async fn page(
    State(app): State<App>,
    query: Result<Query<BoardQuery>, QueryRejection>,
) -> Result<Html<String>, ApiError> {
    let Query(query) = query?;
    let state = app.engine.snapshot();
    let board = Board::of(&state, app.clock.now());
    let rows = match &query.division {
        Some(division) => state.public().division_page(division, 0, ROWS),
        None => board.rows.clone(),
    };
    let mut tabs = format!(
        "<nav class=\"tabs\"><a href=\"{}\"{}>All</a>",
        escape(&app.at("/board")),
        if query.division.is_none() {
            " class=\"on\""
        } else {
            ""
        }
    );
    for division in &board.divisions {
        let on = query.division.as_deref() == Some(division.as_str());
        tabs.push_str(&format!(
            "<a href=\"{}?division={}\"{}>{}</a>",
            escape(&app.at("/board")),
            percent(division),
            if on { " class=\"on\"" } else { "" },
            escape(division)
        ));
    }
    tabs.push_str("</nav>");
    let frozen = match (board.frozen, state.hunt().freeze) {
        (true, Some(at)) => format!(
            "<span class=\"frozen\" id=\"frozen\">Frozen since {}</span>",
            escape(&render::time(at))
        ),
        _ => "<span class=\"frozen\" id=\"frozen\" hidden></span>".to_owned(),
    };
    let initial = serde_json::to_string(&board).unwrap_or_else(|_| "null".to_owned());
    let division = serde_json::to_string(&query.division).unwrap_or_else(|_| "null".to_owned());
    let base = serde_json::to_string(&app.base).unwrap_or_else(|_| "\"\"".to_owned());
    let body = format!(
        "<header><h1>{}</h1><div class=\"stats\">{frozen}<span><b id=\"teams\">{}</b> teams\
         </span></div></header><main class=\"wide\">{tabs}<div id=\"blood\" aria-live=\"polite\"></div>\
         <div class=\"grid\"><div><table class=\"board\"><thead><tr><th class=\"num\">#</th>\
         <th>Team</th><th class=\"num\">Score</th><th class=\"num\">Solves</th></tr></thead>\
         <tbody id=\"rows\">{}</tbody></table></div><div><h2>Top 10</h2>\
         <svg id=\"graph\" viewBox=\"0 0 600 400\" width=\"100%\" role=\"img\" \
         aria-label=\"Score graph of the top 10\"></svg><ul class=\"legend\" id=\"legend\"></ul>\
         </div></div></main>\
         <script>const INITIAL = {}; const DIVISION = {}; const BASE = {};\n{SCRIPT}</script>",
        escape(&board.title),
        board.total,
        table_rows(&rows),
        script_safe(&initial),
        script_safe(&division),
        script_safe(&base),
    );
    Ok(Html(layout(&board.title, &body)))
}

/// The board's rows as table rows.
fn table_rows(rows: &[Row]) -> String {
    rows.iter()
        .map(|row| {
            format!(
                "<tr{}><td class=\"num\">{}</td><td>{}</td><td class=\"num\">{}</td>\
                 <td class=\"num\">{}</td></tr>",
                if row.place <= 3 { " class=\"top\"" } else { "" },
                row.place,
                escape(&row.name),
                row.score,
                row.solves
            )
        })
        .collect()
}

/// JSON made safe inside a `<script>` element (no `</script>` or `<!--` can close it).
fn script_safe(json: &str) -> String {
    json.replace('<', "\\u003c")
}

/// A query-string value, percent-encoded.
fn percent(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            b => format!("%{b:02X}"),
        })
        .collect()
}

/// Follows the hunt's `/events` (under `BASE`, the hunt's base path): keeps the stream's
/// board, applying each delta to it as `delta.rs` describes, redraws the rows and the
/// graph, shows first bloods.
const SCRIPT: &str = r##"
const esc = s => String(s).replace(/[&<>"']/g, c => ({'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;',"'":'&#39;'}[c]));
const COLORS = ['#0b5fad','#c0392b','#17753a','#8e44ad','#d35400','#16a085','#2c3e50','#b7950b','#7f8c8d','#e84393'];
function rows(list) {
  document.getElementById('rows').innerHTML = list.map(r =>
    `<tr${r.place <= 3 ? ' class="top"' : ''}><td class="num">${r.place}</td><td>${esc(r.name)}</td>` +
    `<td class="num">${r.score}</td><td class="num">${r.solves}</td></tr>`).join('');
}
function graph(board) {
  const svg = document.getElementById('graph');
  const W = 600, H = 400, L = 50, B = 30, now = Date.now();
  // From a little before the first scoring to now (or the end): the action fills the width.
  let first = Infinity, max = 1;
  board.series.forEach(s => s.points.forEach(p => { first = Math.min(first, p[0]); max = Math.max(max, p[1]); }));
  // Up to now, or the end; a frozen board's graph stops at the freeze.
  const stop = board.frozen && board.freeze_at ? board.freeze_at : Infinity;
  const t1 = Math.max(board.start + 1, Math.min(board.end, now, stop));
  const from = Math.max(board.start, Math.min(first, t1));
  const t0 = Math.max(board.start, from - Math.max((t1 - from) * 0.1, 1000));
  const x = t => L + (Math.min(Math.max(t, t0), t1) - t0) / Math.max(t1 - t0, 1) * (W - L - 10);
  const y = v => H - B - Math.max(v, 0) / max * (H - B - 10);
  const clock = t => new Date(t).toISOString().slice(11, t1 - t0 < 600000 ? 19 : 16);
  let out = `<line x1="${L}" y1="${H-B}" x2="${W-10}" y2="${H-B}" stroke="#999"/>` +
    `<line x1="${L}" y1="10" x2="${L}" y2="${H-B}" stroke="#999"/>` +
    `<text x="${L-6}" y="16" text-anchor="end">${max}</text><text x="${L-6}" y="${H-B}" text-anchor="end">0</text>` +
    `<text x="${L}" y="${H-8}">${clock(t0)}</text><text x="${W-10}" y="${H-8}" text-anchor="end">${clock(t1)}</text>`;
  let legend = '';
  board.series.forEach((s, i) => {
    const color = COLORS[i % 10];
    let d = `M${x(t0)},${y(0)}`;
    s.points.forEach(p => { d += ` H${x(p[0])} V${y(p[1])}`; });
    d += ` H${x(t1)}`;
    out += `<path d="${d}" fill="none" stroke="${color}" stroke-width="3"/>`;
    legend += `<li><i style="background:${color}"></i>${esc(s.team)}</li>`;
  });
  svg.innerHTML = out;
  document.getElementById('legend').innerHTML = legend;
}
function board(b) {
  document.getElementById('teams').textContent = b.total;
  const f = document.getElementById('frozen');
  f.hidden = !b.frozen;
  if (b.frozen && b.freeze_at) f.textContent = 'Frozen since ' + new Date(b.freeze_at).toISOString().replace('T', ' ').slice(0, 19) + 'Z';
  graph(b);
  if (DIVISION === null) rows(b.rows);
  else fetch(BASE + '/api/board?limit=50&division=' + encodeURIComponent(DIVISION)).then(r => r.json()).then(p => rows(p.rows));
  document.body.dataset.seq = b.seq;
}
// Rows by position: the rows past `len` are gone, the changed ones replaced or appended in
// position order. Each graph line continues an old one (its first `keep` points) or is new.
function apply(b, d) {
  b.seq = d.seq; b.frozen = d.frozen; b.total = d.total;
  if (d.divisions) b.divisions = d.divisions;
  b.rows.length = Math.min(b.rows.length, d.len);
  d.rows.forEach(([i, r]) => { b.rows[i] = r; });
  if (d.series) {
    const old = b.series;
    b.series = d.series.map(l => l.from === undefined ? {team: l.team, points: l.points}
      : {team: old[l.from].team, points: old[l.from].points.slice(0, l.keep).concat(l.points)});
  }
  return b;
}
graph(INITIAL);
document.body.dataset.seq = INITIAL.seq;
// The stream's own board: its first event is a full one, and a resumed stream's deltas
// continue the board this page last had from it.
let current = INITIAL;
const events = new EventSource(BASE + '/events');
events.addEventListener('board', e => { current = JSON.parse(e.data); board(current); });
events.addEventListener('board_delta', e => board(apply(current, JSON.parse(e.data))));
events.addEventListener('first_blood', e => {
  const s = JSON.parse(e.data);
  const el = document.getElementById('blood');
  el.textContent = `First blood! ${s.team_name} solved ${s.challenge}`;
  clearTimeout(el.timer); el.timer = setTimeout(() => { el.textContent = ''; }, 15000);
});
"##;
