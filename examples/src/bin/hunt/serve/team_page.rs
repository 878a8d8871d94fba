//! The team's page, server-rendered: its rounds and challenges as the engine's
//! [`progress`](hunt_core::state::HuntState::progress) view gives them, the answer and hint
//! forms, and the verdict of the last post in the CLI's words. A small script reloads the
//! page when the team's stream says something changed (an unlock, another member's solve).

use axum::Form;
use axum::extract::rejection::FormRejection;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use hunt_core::state::{ChallengeView, HintView};
use hunt_core::{TeamId, Timestamp, Verdict};
use serde::Deserialize;

use super::api::{hint_for, submit_for};
use super::app::App;
use super::auth::{self, Who};
use super::error::ApiError;
use super::html::{escape, markdown, page as layout};
use super::tokens::Token;
use crate::clock::wall_clock;
use crate::render;

/// `GET /join/{token}`: stores the token in a cookie and goes to the team's page (the
/// admin's goes to the board).
pub async fn join(State(app): State<App>, Path(token): Path<String>) -> Response {
    let who = Who::of(&app, Token::parse(&token));
    let to = match &who {
        Who::Team(..) => app.at("/"),
        Who::Admin(_) => app.at("/board"),
        Who::Anonymous => {
            let body = "<main><h2>This join link is not valid</h2><p>Ask the organisers for \
                        your team's link.</p></main>";
            return (
                StatusCode::NOT_FOUND,
                Html(layout("Not a valid link", body)),
            )
                .into_response();
        }
    };
    let cookie = who
        .token()
        .map(|token| auth::set_cookie(token, &app.base))
        .unwrap_or_default();
    ([(header::SET_COOKIE, cookie)], Redirect::to(&to)).into_response()
}

/// `GET /`: the team's page, or a pointer to the board for anyone else.
pub async fn page(State(app): State<App>, who: Who) -> Response {
    match who {
        Who::Team(team, token) => Html(render_page(&app, team, &token, None)).into_response(),
        Who::Admin(_) => Redirect::to(&app.at("/board")).into_response(),
        Who::Anonymous => {
            let title = app.engine.snapshot().hunt().title.clone();
            let body = format!(
                "<header><h1>{}</h1></header><main><p>Open your team's join link to play.</p>\
                 <p><a href=\"{}\">See the live board</a></p></main>",
                escape(&title),
                escape(&app.at("/board"))
            );
            Html(layout(&title, &body)).into_response()
        }
    }
}

/// The answer form.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnswerForm {
    challenge: String,
    answer: String,
    id: String,
    csrf: String,
}

/// The hint form.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HintForm {
    challenge: String,
    hint: String,
    id: String,
    csrf: String,
}

/// The team and token of a form post, if its CSRF token matches.
fn poster(who: &Who, csrf: &str) -> Result<(TeamId, Token), ApiError> {
    let (team, token) = who.team()?;
    if !token.csrf_matches(csrf) {
        return Err(ApiError::forbidden(
            "this form is out of date or came from another site: reload the page",
        ));
    }
    Ok((team, token.clone()))
}

/// `POST /answer`: judges the answer and shows the page with the verdict.
pub async fn answer(
    State(app): State<App>,
    who: Who,
    form: Result<Form<AnswerForm>, FormRejection>,
) -> Result<Html<String>, ApiError> {
    let Form(form) = form?;
    let (team, token) = poster(&who, &form.csrf)?;
    let (verdict, now) = submit_for(&app, team, &form.challenge, &form.answer, &form.id).await?;
    let good = verdict.is_correct() && !matches!(verdict, Verdict::Duplicate { .. });
    let words = render::verdict(&verdict, now);
    let banner = Banner {
        good,
        bad: matches!(verdict, Verdict::Incorrect { .. }),
        words,
    };
    Ok(Html(render_page(&app, team, &token, Some(banner))))
}

/// `POST /hint`: takes the hint and shows the page with the reply.
pub async fn hint(
    State(app): State<App>,
    who: Who,
    form: Result<Form<HintForm>, FormRejection>,
) -> Result<Html<String>, ApiError> {
    let Form(form) = form?;
    let (team, token) = poster(&who, &form.csrf)?;
    let (_, words) = hint_for(&app, team, &form.challenge, &form.hint, &form.id).await?;
    let banner = Banner {
        good: false,
        bad: false,
        words,
    };
    Ok(Html(render_page(&app, team, &token, Some(banner))))
}

/// The message at the top of the page after a post.
#[derive(Debug)]
struct Banner {
    good: bool,
    bad: bool,
    words: String,
}

/// Counts the time left down every second, in the words [`time_left`] uses, from the
/// milliseconds until the start and the end the page was rendered with (at the service's
/// clock, which runs `data-speed` times faster than the wall clock in `hunt demo --serve`).
/// When the hunt opens or ends the page reloads, so its challenges follow.
const COUNTDOWN: &str = "<script>(() => {\
const el = document.getElementById('left'); if (!el) return;\
const speed = Number(el.dataset.speed) || 1, t0 = Date.now();\
const start = Number(el.dataset.start), end = Number(el.dataset.end);\
const words = ms => { const secs = Math.ceil(Math.max(0, ms) / 1000);\
  const h = Math.floor(secs / 3600), min = Math.floor(secs / 60) % 60, s = secs % 60;\
  if (h > 0) return min > 0 ? `${h} h ${min} min` : `${h} h`;\
  if (min > 0) return s > 0 ? `${min} min ${s} s` : `${min} min`; return `${s} s`; };\
let phase = start > 0 ? 0 : end > 0 ? 1 : 2;\
const tick = () => { const passed = (Date.now() - t0) * speed;\
  const now = start - passed > 0 ? 0 : end - passed > 0 ? 1 : 2;\
  if (now !== phase) { location.reload(); return; }\
  el.textContent = now === 0 ? `opens in ${words(start - passed)}`\
    : now === 1 ? `${words(end - passed)} left` : 'ended'; };\
setInterval(tick, Math.max(50, 1000 / speed));\
})();</script>";

/// How long until `end` (or until `start`), in words.
fn time_left(now: Timestamp, start: Timestamp, end: Timestamp) -> String {
    if now < start {
        format!("opens in {}", render::wait(start.since(now)))
    } else if now < end {
        format!("{} left", render::wait(end.since(now)))
    } else {
        "ended".to_owned()
    }
}

/// The whole team page.
fn render_page(app: &App, team: TeamId, token: &Token, banner: Option<Banner>) -> String {
    let state = app.engine.snapshot();
    let now = app.clock.now();
    let hunt = state.hunt();
    let (Some(info), Some(progress)) = (state.team(team), state.progress(team, now)) else {
        return layout("Unknown team", "<main><h2>Unknown team</h2></main>");
    };
    let place = match progress.place {
        0 => "-".to_owned(),
        place => format!("{place} of {}", state.public().board_len()),
    };
    let mut body = format!(
        "<header><h1>{}</h1><div class=\"stats\"><span>Team <b>{}</b></span>\
         <span>Score <b id=\"score\">{}</b></span><span>Place <b>{}</b></span>\
         <span><b id=\"left\" data-start=\"{}\" data-end=\"{}\" data-speed=\"{}\">{}</b>\
         </span></div></header><main>",
        escape(&hunt.title),
        escape(&info.name),
        progress.score,
        escape(&place),
        hunt.start.since(now).as_millis(),
        hunt.end.since(now).as_millis(),
        app.clock.speed(),
        escape(&time_left(now, hunt.start, hunt.end)),
    );
    if let Some(banner) = banner {
        let class = if banner.good {
            "verdict good"
        } else if banner.bad {
            "verdict bad"
        } else {
            "verdict"
        };
        body.push_str(&format!(
            "<div class=\"{class}\" id=\"verdict\">{}</div>",
            escape(&banner.words)
        ));
    }
    let csrf = token.csrf();
    let mut round: Option<Option<String>> = None;
    for view in &progress.challenges {
        let this = match view {
            ChallengeView::Open { round, .. } | ChallengeView::Preview { round, .. } => round,
            _ => &None,
        };
        if round.as_ref() != Some(this) {
            let name = this.as_deref().unwrap_or("Challenges");
            body.push_str(&format!("<h2>{}</h2>", escape(name)));
            round = Some(this.clone());
        }
        body.push_str(&card(app, view, &csrf, now));
    }
    // The base path is a slug's (`/h/{id}`) or empty; as JSON in the script it is quoted.
    let base = serde_json::to_string(&app.base).unwrap_or_else(|_| "\"\"".to_owned());
    body.push_str(&format!(
        "<p class=\"meta\"><a href=\"{}\">Live board</a></p></main>\
         <script>(() => {{ const BASE = {};\
         new EventSource(BASE + '/api/team/events').addEventListener('changed', () => {{\
         if (document.getElementById('verdict')) return;\
         if (![...document.querySelectorAll('input[type=text]')].some(i => i.value)) \
         location.replace(BASE + '/'); }}); }})();</script>",
        escape(&app.at("/board")),
        base.replace('<', "\\u003c"),
    ));
    body.push_str(COUNTDOWN);
    layout(&format!("{} — {}", hunt.title, info.name), &body)
}

/// One challenge's card; its forms post to `app`'s routes.
fn card(app: &App, view: &ChallengeView, csrf: &str, now: Timestamp) -> String {
    match view {
        ChallengeView::Open {
            slug,
            title,
            content,
            points,
            solves,
            attempts_left,
            retry_at,
            hints,
            solved,
            ..
        } => {
            let slug_e = escape(slug);
            let mut out = format!(
                "<section class=\"card{}\" id=\"c-{slug_e}\"><h3><span>{}</span>\
                 <span class=\"meta\">{points} points · {solves} {}</span></h3>{}",
                if solved.is_some() { " solved" } else { "" },
                escape(title),
                if *solves == 1 { "solve" } else { "solves" },
                markdown(content),
            );
            for hint in hints {
                out.push_str(&hint_line(app, slug, hint, csrf, solved.is_some()));
            }
            match solved {
                Some(solve) => out.push_str(&format!(
                    "<p>Solved with <span class=\"answer\">{}</span> (+{} points)</p>",
                    escape(&solve.answer),
                    solve.points
                )),
                None => {
                    let mut notes = Vec::new();
                    match attempts_left {
                        Some(1) => notes.push("1 attempt left".to_owned()),
                        Some(n) => notes.push(format!("{n} attempts left")),
                        None => {}
                    }
                    if let Some(at) = retry_at {
                        notes.push(format!(
                            "too many guesses: try again in {}",
                            render::wait(at.since(now))
                        ));
                    }
                    if !notes.is_empty() {
                        out.push_str(&format!("<p class=\"meta\">{}</p>", notes.join(" · ")));
                    }
                    out.push_str(&format!(
                        "<form class=\"inline\" method=\"post\" action=\"{}\">\
                         <input type=\"hidden\" name=\"challenge\" value=\"{slug_e}\">\
                         <input type=\"hidden\" name=\"id\" value=\"{}\">\
                         <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
                         <input type=\"text\" name=\"answer\" placeholder=\"Your answer\" \
                         aria-label=\"Answer to {}\" autocomplete=\"off\" required>\
                         <button>Submit</button></form>",
                        escape(&app.at("/answer")),
                        form_id(),
                        escape(title)
                    ));
                }
            }
            out.push_str("</section>");
            out
        }
        ChallengeView::Preview { slug, title, .. } => format!(
            "<section class=\"card locked\" id=\"c-{}\"><h3><span>{}</span>\
             <span class=\"meta\">locked</span></h3></section>",
            escape(slug),
            escape(title)
        ),
        _ => String::new(),
    }
}

/// One hint of an open challenge: its content once taken, else a button with its cost.
fn hint_line(app: &App, challenge: &str, hint: &HintView, csrf: &str, solved: bool) -> String {
    match (&hint.content, &hint.requires) {
        (Some(content), _) => format!(
            "<div class=\"hintbox\"><b>Hint</b> ({} points): {}</div>",
            -hint.cost,
            escape(content)
        ),
        (None, Some(first)) => format!(
            "<p class=\"meta\">Hint “{}” (−{} points) after hint “{}”</p>",
            escape(&hint.slug),
            hint.cost,
            escape(first)
        ),
        (None, None) if solved => String::new(),
        (None, None) => format!(
            "<form method=\"post\" action=\"{}\"><input type=\"hidden\" name=\"challenge\" \
             value=\"{}\"><input type=\"hidden\" name=\"hint\" value=\"{}\">\
             <input type=\"hidden\" name=\"id\" value=\"{}\">\
             <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
             <button class=\"hint\">Take hint “{}” (−{} points)</button></form>",
            escape(&app.at("/hint")),
            escape(challenge),
            escape(&hint.slug),
            form_id(),
            escape(&hint.slug),
            hint.cost
        ),
    }
}

/// A fresh id for one rendered form: posting it twice (a reload) is judged once.
fn form_id() -> String {
    Token::random().map_or_else(|_| format!("{:x}", wall_clock().0), |t| t.to_hex())
}
