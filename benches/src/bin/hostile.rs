//! Load time and peak memory of hostile hunt files, about 1 MB each, in the shapes fuzzing
//! found: thousands of problems on one line, and many costly regex answers.
//!
//! Each shape is loaded in a child process of its own, so that its peak resident set
//! (`VmHWM` in `/proc/self/status`, Linux) is its alone. Run with
//! `cargo run --release -p benches --bin hostile [BYTES]`; the figures printed are the
//! wall-clock time of `hunt_core::definition::load` and the child's peak RSS.

use std::process::Command;
use std::time::Instant;

/// The size of each generated file unless the first argument says otherwise.
const BYTES: usize = 1 << 20;

const HEAD: &str = "id = \"hostile\"\ntitle = \"Hostile\"\n\
    start = 2026-11-28T09:00:00Z\nend = 2026-11-28T21:00:00Z\n";

/// Writes a hostile file of about the given number of bytes.
type Writer = fn(usize) -> String;

/// The shapes, by name, and how to write a file of about `bytes` bytes in each.
const SHAPES: [(&str, Writer); 3] = [
    ("empty answers on one line", empty_answers_one_line),
    ("regex answers in one challenge", regexes_one_challenge),
    ("one regex answer per challenge", regex_per_challenge),
];

fn challenge(id: usize, normalization: &str) -> String {
    format!(
        "\n[[challenge]]\nid = \"c{id}\"\ntitle = \"C{id}\"\npoints = 100\n\
         normalization = \"{normalization}\"\n"
    )
}

/// `answers = ["", "", …]`: every entry is a problem, all on one line.
fn empty_answers_one_line(bytes: usize) -> String {
    let mut text = HEAD.to_owned() + &challenge(0, "exact") + "answers = [";
    while text.len() < bytes {
        text.push_str("\"\", ");
    }
    text + "]\n"
}

/// `answers = ['\w{20}', …]` in a single regex challenge.
fn regexes_one_challenge(bytes: usize) -> String {
    let mut text = HEAD.to_owned() + &challenge(0, "regex") + "answers = [";
    while text.len() < bytes {
        text.push_str("'\\w{20}', ");
    }
    text + "]\n"
}

/// One `'\w{20}'` answer in each of many regex challenges, so no per-challenge limit applies.
fn regex_per_challenge(bytes: usize) -> String {
    let mut text = HEAD.to_owned();
    let mut id = 0;
    while text.len() < bytes {
        text.push_str(&challenge(id, "regex"));
        text.push_str("answers = ['\\w{20}']\n");
        id += 1;
    }
    text
}

fn peak_rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("Linux /proc");
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|kib| kib.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("/proc/self/status has VmHWM")
}

fn main() {
    let mut args = std::env::args().skip(1);
    let bytes = args
        .next()
        .map_or(BYTES, |text| text.parse().expect("BYTES is a count"));
    match args.next() {
        // A child: load one shape and print its figures.
        Some(shape) => {
            let (name, write) = SHAPES[shape.parse::<usize>().expect("a shape index")];
            let text = write(bytes);
            let started = Instant::now();
            let result = hunt_core::definition::load(&text);
            let elapsed = started.elapsed();
            let outcome = match result {
                Ok(_) => "loaded".to_owned(),
                Err(error) => format!("{} problems", error.total()),
            };
            println!(
                "{name:32} {:>8} bytes  {:>9.3} s  peak {:>7} MiB  ({outcome})",
                text.len(),
                elapsed.as_secs_f64(),
                peak_rss_kib() / 1024
            );
        }
        None => {
            let me = std::env::current_exe().expect("the probe's own path");
            for shape in 0..SHAPES.len() {
                let status = Command::new(&me)
                    .arg(bytes.to_string())
                    .arg(shape.to_string())
                    .status()
                    .expect("the probe runs itself");
                assert!(status.success(), "shape {shape} failed: {status}");
            }
        }
    }
}
