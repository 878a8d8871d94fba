//! The same solves in PostgreSQL, ranked by window queries as a CTFd-like platform would:
//! a `solves` table loaded with `COPY`, the board as `rank() OVER (ORDER BY score DESC,
//! last solve)` over the sum of each solve's value, static or CTFd's "logarithmic" formula
//! computed in SQL from each challenge's solve count. Also the cost of one solve written as
//! its own `INSERT` (autocommit), which is what a platform pays per submission.
//!
//! Uses the schema `hunt_bench_event` on `HUNT_PG_URL` (default
//! `postgres://postgres@127.0.0.1:5432/test`), dropped afterwards; a server that does not
//! answer is reported and the comparison skipped.

use std::time::{Duration, Instant};

use crate::Figures;
use benches::workload::{Values, Workload};
use sqlx::{AssertSqlSafe, Connection, PgConnection, Row};

const SCHEMA: &str = "hunt_bench_event";

/// Single-row inserts timed for the per-solve write cost.
const INSERTS: usize = 2_000;

fn url() -> String {
    std::env::var("HUNT_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned())
}

/// The ranked board as SQL: `(team, score, last, place)`.
fn board_sql(w: &Workload) -> String {
    let values = match w.spec.values {
        Values::Static => format!("SELECT challenge, points AS value FROM {SCHEMA}.challenges"),
        Values::CtfdDecay => {
            let d = (w.spec.teams / 5).max(1);
            // CTFd's decay.py: ceil((minimum - initial) / decay² · s² + initial), floored.
            format!(
                "SELECT challenge, greatest(100, ceil((100.0 - 500.0) / ({d}.0 * {d}.0) \
                 * power(greatest(count(*) - 1, 0), 2) + 500.0))::bigint AS value \
                 FROM {SCHEMA}.solves GROUP BY challenge"
            )
        }
    };
    format!(
        "WITH v AS ({values}), \
         totals AS (SELECT s.team, sum(v.value)::bigint AS score, max(s.at) AS last \
                    FROM {SCHEMA}.solves s JOIN v USING (challenge) GROUP BY s.team) \
         SELECT team, score, last, rank() OVER (ORDER BY score DESC, last) AS place \
         FROM totals"
    )
}

async fn connect() -> Result<PgConnection, sqlx::Error> {
    tokio::time::timeout(Duration::from_secs(10), PgConnection::connect(&url()))
        .await
        .map_err(|_| sqlx::Error::PoolTimedOut)?
}

async fn execute(connection: &mut PgConnection, statement: String) -> Result<(), sqlx::Error> {
    sqlx::query(AssertSqlSafe(statement))
        .execute(&mut *connection)
        .await
        .map(|_| ())
}

/// Runs the comparison; `None` (after saying why) if PostgreSQL does not answer.
pub async fn run(w: &Workload, hunt_top: &[(u32, i64)]) -> Option<Figures> {
    let mut connection = match connect().await {
        Ok(c) => c,
        Err(error) => {
            println!("  PostgreSQL does not answer at HUNT_PG_URL ({error}): comparison skipped");
            return None;
        }
    };
    let result = run_on(&mut connection, w, hunt_top).await;
    let _ = execute(
        &mut connection,
        format!("DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"),
    )
    .await;
    match result {
        Ok(figures) => Some(figures),
        Err(error) => {
            println!("  PostgreSQL failed during the run ({error}): comparison skipped");
            None
        }
    }
}

async fn run_on(
    c: &mut PgConnection,
    w: &Workload,
    hunt_top: &[(u32, i64)],
) -> Result<Figures, sqlx::Error> {
    execute(c, format!("DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")).await?;
    execute(c, format!("CREATE SCHEMA {SCHEMA}")).await?;
    execute(
        c,
        format!("CREATE TABLE {SCHEMA}.challenges (challenge int PRIMARY KEY, points bigint)"),
    )
    .await?;
    execute(
        c,
        format!(
            "CREATE TABLE {SCHEMA}.solves (team int NOT NULL, challenge int NOT NULL, \
             at bigint NOT NULL, PRIMARY KEY (team, challenge))"
        ),
    )
    .await?;
    let points: Vec<String> = w
        .hunt
        .challenges
        .iter()
        .enumerate()
        .map(|(i, ch)| format!("({i}, {})", ch.scoring.rule.initial()))
        .collect();
    execute(
        c,
        format!(
            "INSERT INTO {SCHEMA}.challenges VALUES {}",
            points.join(", ")
        ),
    )
    .await?;

    // The first solves one INSERT each, as submissions arrive; the rest by COPY.
    let inserts = w.solves.len().min(INSERTS);
    let started = Instant::now();
    for solve in &w.solves[..inserts] {
        sqlx::query(AssertSqlSafe(format!(
            "INSERT INTO {SCHEMA}.solves VALUES ($1, $2, $3)"
        )))
        .bind(solve.team as i32)
        .bind(solve.challenge as i32)
        .bind(solve.at)
        .execute(&mut *c)
        .await?;
    }
    let per_solve = started.elapsed().as_nanos() as f64 / inserts.max(1) as f64;
    let started = Instant::now();
    let mut copy = c
        .copy_in_raw(&format!("COPY {SCHEMA}.solves FROM STDIN"))
        .await?;
    let mut text = String::with_capacity(1 << 20);
    for chunk in w.solves[inserts..].chunks(50_000) {
        text.clear();
        for s in chunk {
            text.push_str(&format!("{}\t{}\t{}\n", s.team, s.challenge, s.at));
        }
        copy.send(text.as_bytes()).await?;
    }
    copy.finish().await?;
    execute(c, format!("ANALYZE {SCHEMA}.solves")).await?;
    println!(
        "  PostgreSQL: one INSERT per solve {} (mean of {inserts}); the rest by COPY in {:.2?}",
        super::ns(per_solve),
        started.elapsed()
    );

    let board = board_sql(w);
    let top_sql = format!("{board} ORDER BY score DESC, last, team LIMIT 100");
    let mut top = Vec::new();
    let top100 = median_sql(c, &top_sql, 5, Some(&mut top)).await?;
    let rank_sql = format!("SELECT place FROM ({board}) b WHERE team = 1");
    let rank = median_sql(c, &rank_sql, 5, None).await?;
    let full_sql = format!("{board} ORDER BY score DESC, last, team");
    let full = median_sql(c, &full_sql, 3, None).await?;
    println!(
        "  PostgreSQL {:?} window queries (medians): top 100 {}, one team's rank {}, full \
         board {}; its top 100 {} hunt's",
        w.spec.values,
        super::ns(top100),
        super::ns(rank),
        super::ns(full),
        if top == hunt_top { "is" } else { "is NOT" }
    );
    Ok(Figures {
        per_solve,
        top100,
        rank,
        board: full,
    })
}

/// The median time of `runs` runs of `query`, fetching every row; the rows of the last run
/// as (team, score) into `rows` if given.
async fn median_sql(
    c: &mut PgConnection,
    query: &str,
    runs: usize,
    mut rows: Option<&mut Vec<(u32, i64)>>,
) -> Result<f64, sqlx::Error> {
    let mut samples = Vec::with_capacity(runs);
    for _ in 0..runs {
        let started = Instant::now();
        let fetched = sqlx::query(AssertSqlSafe(query.to_owned()))
            .fetch_all(&mut *c)
            .await?;
        samples.push(started.elapsed().as_nanos() as u64);
        if let Some(rows) = rows.as_deref_mut() {
            rows.clear();
            for row in &fetched {
                let team: i32 = row.try_get(0)?;
                let score: i64 = row.try_get(1)?;
                rows.push((team as u32, score));
            }
        }
    }
    Ok(super::Summary::of(&mut samples).median)
}
