//! Two OS processes, each an engine with its own pool, submit a mixed load to one hunt at
//! once: correct answers, wrong ones, re-submits of solved answers and retries of earlier
//! command ids, across teams, through an unlock chain, an attempt cap and a dynamically
//! scored challenge. Nothing may be applied twice or lost: no key judged twice, no duplicate
//! solve, exactly one first blood per solved challenge, no cap exceeded, and both processes'
//! final boards equal to a fresh replay of the log.
//!
//! The second process is this test binary run again (`--exact processes::child`) with
//! [`ROLE`] set; it talks to the parent in lines on stdin and stdout. By default each
//! process runs 8 tasks × 1,000 commands; `HUNT_SOAK=1` runs 64 × 1,600 (about 100,000 per
//! process).

use std::collections::{HashMap, HashSet};
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::sync::Arc;

use hunt_core::engine::Engine;
use hunt_core::{Event, HuntId, IdempotencyKey, JudgedAs, TeamId, Timestamp, Verdict};

use crate::support::{Schema, read_all};

/// The environment variable that makes [`child`] play the second process.
const ROLE: &str = "HUNT_PG_TEST_CHILD";

/// The schema the child works in.
const SCHEMA: &str = "HUNT_PG_TEST_SCHEMA";

const DEFINITION: &str = r#"
id = "duel"
title = "Two processes"
start = 2026-11-28T09:00:00Z
end = 2026-11-28T21:00:00Z
first_blood = [10]

[[challenge]]
id = "c0"
title = "Zero"
points = 100
answers = ["anchor"]

[[challenge]]
id = "c1"
title = "One"
points = 200
answers = ["compass"]
max_attempts = 4

[[challenge]]
id = "c2"
title = "Two"
points = 300
answers = ["kraken"]
unlock = "c0"

[[challenge]]
id = "c3"
title = "Three"
points = 500
answers = ["treasure"]
scoring = { rule = "ctfd-linear", minimum = 100, decay = 5 }
"#;

const CHALLENGES: [(&str, &str); 4] = [
    ("c0", "anchor"),
    ("c1", "compass"),
    ("c2", "kraken"),
    ("c3", "treasure"),
];
const WRONG: [&str; 12] = [
    "rope", "sail", "mast", "keel", "hull", "deck", "helm", "oar", "bow", "stern", "port", "reef",
];
const TEAMS: u32 = 1_000;

fn now() -> Timestamp {
    Timestamp::parse_rfc3339("2026-11-28T10:00:00Z").expect("a valid time")
}

fn sizes() -> (u64, u64) {
    if std::env::var_os("HUNT_SOAK").is_some() {
        (64, 1_600)
    } else {
        (8, 1_000)
    }
}

/// One answered command: key, challenge, and the verdict of its first decision.
type Answer = (u128, String, Verdict);

/// Runs `tasks` × `commands` mixed commands on `engine` (process `process`), each answered
/// (a failed one retried with its key), and returns the answers.
async fn load(engine: Arc<Engine>, teams: Vec<TeamId>, process: u64) -> Vec<Answer> {
    let (tasks, commands) = sizes();
    let mut running = Vec::new();
    for task in 0..tasks {
        let (engine, teams) = (engine.clone(), teams.clone());
        running.push(tokio::spawn(async move {
            let mut answers: Vec<Answer> = Vec::new();
            let mut sent: Vec<(u128, TeamId, &'static str, String)> = Vec::new();
            let mut rng = (process * 1_000 + task) * 2_654_435_761 + 1;
            for i in 0..commands {
                rng ^= rng << 13;
                rng ^= rng >> 7;
                rng ^= rng << 17;
                let roll = rng % 100;
                // Each process's teams overlap the other's: cross-process races on one team.
                let team = teams[((rng >> 8) % teams.len() as u64) as usize];
                let (challenge, right) = CHALLENGES[((rng >> 16) % 4) as usize];
                let fresh = u128::from(process) << 96 | u128::from(task) << 64 | u128::from(i);
                let (key, team, challenge, answer) = match roll {
                    0..30 => (fresh, team, challenge, right.to_owned()),
                    // Wrong, and new: each one is judged and recorded (until a cap).
                    30..80 => (
                        fresh,
                        team,
                        challenge,
                        format!("{}-{i}", WRONG[((rng >> 24) % WRONG.len() as u64) as usize]),
                    ),
                    // A solved answer again, under a new key.
                    80..90 => match answers
                        .iter()
                        .rev()
                        .find(|(_, _, v)| matches!(v, Verdict::Correct { .. }))
                    {
                        Some((key, _, _)) => {
                            let (_, t, c, a) = sent
                                .iter()
                                .find(|s| s.0 == *key)
                                .expect("sent before")
                                .clone();
                            (fresh, t, c, a)
                        }
                        None => (fresh, team, challenge, right.to_owned()),
                    },
                    // An earlier command again, with its own key: a client's retry.
                    _ => match sent.get(((rng >> 32) as usize) % sent.len().max(1)) {
                        Some(earlier) => earlier.clone(),
                        None => (fresh, team, challenge, right.to_owned()),
                    },
                };
                let verdict = loop {
                    match engine
                        .submit(team, challenge, &answer, IdempotencyKey(key), now())
                        .await
                    {
                        Ok(verdict) => break verdict,
                        Err(error) => eprintln!("retrying {key:x}: {error}"),
                    }
                };
                if key == fresh {
                    sent.push((key, team, challenge, answer));
                }
                answers.push((key, challenge.to_owned(), verdict));
            }
            answers
        }));
    }
    let mut answers = Vec::new();
    for task in running {
        answers.extend(task.await.expect("a load task does not panic"));
    }
    answers
}

/// The engine of the hunt in `schema` with its teams, in this process.
async fn open(schema: &Schema, app: &str) -> (Arc<Engine>, Vec<TeamId>) {
    let store = hunt_store_pg::PgStore::open(&schema.options().application_name(app))
        .await
        .expect("the store opens");
    let hunt = HuntId::new("duel").expect("a valid id");
    let engine = Engine::open(Arc::new(store), &hunt, None)
        .await
        .expect("the hunt opens");
    let teams = (0..TEAMS)
        .map(|t| {
            engine
                .snapshot()
                .team_by_name(&format!("Team {t}"))
                .expect("the teams are registered")
        })
        .collect();
    (Arc::new(engine), teams)
}

/// Plays the second process when [`ROLE`] is set; passes at once otherwise.
#[test]
fn child() {
    if std::env::var_os(ROLE).is_none() {
        return;
    }
    let schema = Schema::named(std::env::var(SCHEMA).expect("the parent names the schema"));
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    runtime.block_on(async {
        let (engine, teams) = open(&schema, "hunt-test duel child").await;
        let answers = load(engine.clone(), teams, 1).await;
        let mut out = std::io::stdout().lock();
        for (key, challenge, verdict) in &answers {
            let first = matches!(
                verdict,
                Verdict::Correct {
                    first_solve: true,
                    ..
                }
            );
            writeln!(out, "answer {key:x} {challenge} {first}").expect("stdout");
        }
        writeln!(out, "done").expect("stdout");
        out.flush().expect("stdout");
        // The parent sends the final end once both loads are over.
        let mut line = String::new();
        std::io::stdin()
            .read_line(&mut line)
            .expect("the final end");
        let end: u64 = line.trim().parse().expect("a position");
        while engine.snapshot().seq() < end {
            engine.catch_up().await.expect("catches up");
        }
        writeln!(out, "board {:?}", engine.snapshot().standings()).expect("stdout");
    });
    std::mem::forget(schema);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_apply_every_command_once() {
    let schema = Schema::fresh().await;
    let setup = Engine::create(Arc::new(schema.open().await), DEFINITION, None)
        .await
        .expect("the hunt loads");
    let setup = Arc::new(setup);
    let mut registering = Vec::new();
    for t in 0..TEAMS {
        let setup = setup.clone();
        registering.push(tokio::spawn(async move {
            setup
                .register(&format!("Team {t}"), None, now())
                .await
                .expect("registers")
        }));
    }
    for registration in registering {
        registration.await.expect("a registration does not panic");
    }
    drop(setup);
    let (engine, teams) = open(&schema, "hunt-test duel parent").await;

    let mut child = Command::new(std::env::current_exe().expect("the test binary"))
        .args(["--exact", "processes::child", "--nocapture", "--quiet"])
        .env(ROLE, "duel")
        .env(SCHEMA, schema.name())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("the child starts");
    let stdout = child.stdout.take().expect("piped");
    let (send, received) = std::sync::mpsc::channel::<String>();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if send.send(line).is_err() {
                break;
            }
        }
    });
    let ours = load(engine.clone(), teams, 0).await;

    // Both loads are over once the child says "done"; then the end is final.
    let mut lines = tokio::task::spawn_blocking(move || {
        let mut lines = Vec::new();
        while let Ok(line) = received.recv_timeout(std::time::Duration::from_secs(300)) {
            let done = line == "done";
            lines.push(line);
            if done {
                return (lines, received);
            }
        }
        panic!("the child never finished its load: {lines:?}");
    });
    let (mut lines, received) = (&mut lines).await.expect("joins");
    let direct = schema.open().await;
    let hunt = HuntId::new("duel").expect("a valid id");
    let end = hunt_core::store::Store::end(&direct, &hunt)
        .await
        .expect("the end reads");
    let mut stdin = child.stdin.take().expect("piped");
    writeln!(stdin, "{end}").expect("the child reads its stdin");
    drop(stdin);
    let status = tokio::task::spawn_blocking(move || child.wait())
        .await
        .expect("joins")
        .expect("the child ends");
    assert!(status.success(), "the child failed: {status:?}");
    lines.extend(received.try_iter());
    let mut theirs = Vec::new();
    let mut their_board = None;
    for line in &lines {
        let mut words = line.split(' ');
        match words.next() {
            Some("answer") => {
                let key = u128::from_str_radix(words.next().expect("a key"), 16).expect("hex");
                let challenge = words.next().expect("a challenge").to_owned();
                let first = words.next() == Some("true");
                theirs.push((key, challenge, first));
            }
            Some("board") => their_board = Some(line["board ".len()..].to_owned()),
            _ => {}
        }
    }
    let (tasks, commands) = sizes();
    assert_eq!(
        theirs.len() as u64,
        tasks * commands,
        "every child command answered"
    );
    assert_eq!(
        ours.len() as u64,
        tasks * commands,
        "every parent command answered"
    );

    let log = read_all(&direct, &hunt).await;
    assert_eq!(log.len() as u64, end, "the end was final");
    let mut judged: HashMap<u128, u32> = HashMap::new();
    let mut solves: HashMap<(TeamId, String), u32> = HashMap::new();
    let mut guesses: HashMap<(TeamId, String), HashSet<String>> = HashMap::new();
    for recorded in &log {
        if let Event::SubmissionJudged {
            key,
            team,
            challenge,
            judged: how,
            ..
        } = &recorded.event
        {
            *judged.entry(key.0).or_default() += 1;
            match how {
                JudgedAs::Correct => {
                    *solves.entry((*team, challenge.to_string())).or_default() += 1;
                }
                JudgedAs::Incorrect { guess } => {
                    guesses
                        .entry((*team, challenge.to_string()))
                        .or_default()
                        .insert(guess.clone());
                }
                _ => {}
            }
        }
    }
    let twice: Vec<_> = judged.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "keys judged twice: {twice:?}");
    let double: Vec<_> = solves.iter().filter(|(_, n)| **n > 1).collect();
    assert!(double.is_empty(), "duplicate solves: {double:?}");
    let over: Vec<_> = guesses
        .iter()
        .filter(|((_, c), g)| c == "c1" && g.len() > 4)
        .collect();
    assert!(over.is_empty(), "attempt cap exceeded: {over:?}");
    // Exactly one first blood per solved challenge, over both processes' first answers.
    let mut first_bloods: HashMap<String, u32> = HashMap::new();
    for (_, challenge, verdict) in &ours {
        if matches!(
            verdict,
            Verdict::Correct {
                first_solve: true,
                ..
            }
        ) {
            *first_bloods.entry(challenge.clone()).or_default() += 1;
        }
    }
    for (_, challenge, first) in &theirs {
        if *first {
            *first_bloods.entry(challenge.clone()).or_default() += 1;
        }
    }
    let solved: HashSet<&String> = solves.keys().map(|(_, c)| c).collect();
    for challenge in &solved {
        assert_eq!(
            first_bloods.get(*challenge),
            Some(&1),
            "first bloods of {challenge}: {first_bloods:?}"
        );
    }
    assert_eq!(first_bloods.len(), solved.len(), "{first_bloods:?}");

    let fresh = Engine::open(Arc::new(direct), &hunt, None)
        .await
        .expect("a fresh replay");
    let oracle = format!("{:?}", fresh.snapshot().standings());
    engine.catch_up().await.expect("catches up");
    assert_eq!(format!("{:?}", engine.snapshot().standings()), oracle);
    assert_eq!(their_board.as_deref(), Some(oracle.as_str()));
    eprintln!(
        "2 processes x {tasks} tasks x {commands} commands: {} events, {} solves",
        log.len(),
        solves.len()
    );
}
