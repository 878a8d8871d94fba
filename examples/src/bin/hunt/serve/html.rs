//! HTML building blocks shared by the pages: escaping, Markdown with raw HTML escaped, and
//! the page layout with its style sheet (large type, dark on light, for a projector).

use pulldown_cmark::{Event, Options, Parser};

/// `text` with the characters that mean something in HTML escaped, for text and attributes.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Markdown rendered to HTML. Raw HTML in the source is shown as text, never interpreted,
/// so a challenge's content cannot inject script into a team's page.
pub fn markdown(source: &str) -> String {
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    let parser = Parser::new_ext(source, options).map(|event| match event {
        Event::Html(html) | Event::InlineHtml(html) => Event::Text(html),
        other => other,
    });
    let mut out = String::new();
    pulldown_cmark::html::push_html(&mut out, parser);
    out
}

/// A whole page: `title`, then `body`.
pub fn page(title: &str, body: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{}</title><style>{STYLE}</style></head><body>{body}</body></html>\n",
        escape(title)
    )
}

/// The style sheet of every page.
const STYLE: &str = r#"
:root { --ink:#1b1f24; --muted:#5b6470; --line:#d8dde3; --paper:#fbfbf8; --card:#fff;
  --accent:#0b5fad; --good:#17753a; --bad:#a3261b; --warn:#8a5a00; }
* { box-sizing: border-box; }
body { margin:0; background:var(--paper); color:var(--ink);
  font: 20px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
header { padding: 1.2rem 2rem; border-bottom: 2px solid var(--line); background: var(--card);
  display:flex; flex-wrap:wrap; gap:1.5rem; align-items:baseline; justify-content:space-between; }
header h1 { margin:0; font-size: 2rem; }
.stats { display:flex; gap:2rem; font-size:1.2rem; color:var(--muted); }
.stats b { color:var(--ink); font-size:1.5rem; }
main { max-width: 1200px; margin: 0 auto; padding: 1.5rem 2rem; }
h2 { font-size: 1.5rem; margin: 2rem 0 .8rem; border-bottom: 1px solid var(--line); }
.card { background:var(--card); border:1px solid var(--line); border-radius:10px;
  padding:1rem 1.4rem; margin: 0 0 1rem; }
.card h3 { margin: 0 0 .4rem; font-size:1.35rem; display:flex; justify-content:space-between; }
.card.solved { border-left: 8px solid var(--good); }
.card.locked { color: var(--muted); background: #f1f2f0; }
.meta { color:var(--muted); font-size:1rem; }
.answer { color: var(--good); font-weight: 600; }
form.inline { display:flex; gap:.6rem; margin-top:.6rem; }
input[type=text] { flex:1; font-size:1.1rem; padding:.5rem .7rem; border:2px solid var(--line);
  border-radius:8px; }
button { font-size:1.05rem; padding:.5rem 1.1rem; border-radius:8px; border:0;
  background:var(--accent); color:#fff; cursor:pointer; }
button.hint { background:#e8eef6; color:var(--accent); }
.verdict { padding: .9rem 1.2rem; border-radius: 10px; font-size: 1.3rem; margin-bottom: 1rem;
  font-weight:600; background:#fff4d6; color:var(--warn); border:1px solid #f0d58c; }
.verdict.good { background:#e3f4e8; color:var(--good); border-color:#a6d9b5; }
.verdict.bad { background:#fbe9e7; color:var(--bad); border-color:#efb8b0; }
.hintbox { background:#f4f7fb; border-radius:8px; padding:.5rem .8rem; margin:.4rem 0; }
table.board { width:100%; border-collapse: collapse; font-size: 1.5rem; background:var(--card); }
table.board th, table.board td { padding:.45rem .9rem; border-bottom:1px solid var(--line);
  text-align:left; }
table.board td.num, table.board th.num { text-align:right; font-variant-numeric: tabular-nums; }
table.board tr.top td { font-weight:700; }
.tabs { display:flex; gap:.5rem; margin: .5rem 0 1rem; flex-wrap:wrap; }
.tabs a { padding:.3rem .9rem; border-radius:999px; border:1px solid var(--line);
  color:var(--ink); text-decoration:none; background:var(--card); }
.tabs a.on { background:var(--ink); color:#fff; }
.frozen[hidden] { display:none; }
main.wide { max-width: 1700px; }
.grid h2 { margin-top: 0; }
.legend { display:flex; flex-wrap:wrap; gap:.3rem 1.2rem; list-style:none; padding:0;
  font-size:1.05rem; }
.legend i { display:inline-block; width:1.1rem; height:.35rem; border-radius:2px;
  vertical-align:middle; margin-right:.4rem; }
.frozen { display:inline-block; background:#dbeafe; color:#1e3a8a; padding:.2rem .8rem;
  border-radius:999px; font-weight:700; }
#blood { min-height: 2.4rem; font-size:1.4rem; font-weight:700; color:var(--bad); }
.grid { display:grid; grid-template-columns: minmax(0,3fr) minmax(0,2fr); gap:2rem; }
@media (max-width: 900px) { .grid { grid-template-columns: 1fr; } }
svg text { font: 14px system-ui, sans-serif; fill: var(--muted); }
a { color: var(--accent); }
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_escapes_raw_html() {
        let html = markdown("**bold** <script>alert(1)</script> <b onclick=x>");
        assert!(html.contains("<strong>bold</strong>"), "{html}");
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("<b "), "{html}");
        assert_eq!(
            escape("<a href=\"x\">'"),
            "&lt;a href=&quot;x&quot;&gt;&#39;"
        );
    }
}
