//! Where the time of loading a large hunt definition goes: the TOML walk
//! ([`hunt_core::definition::parse`], of which the toml crate's own parse is printed apart)
//! and validation with compilation
//! ([`hunt_core::definition::compile`]), against the whole of
//! [`hunt_core::definition::load`], which every CLI command pays when it opens a hunt.
//!
//! Run with `cargo run --release -p hunt-core --example large_hunt [CHALLENGES]`.

use std::fmt::Write;
use std::time::Instant;

/// Challenges in the generated hunt unless the first argument says otherwise.
const CHALLENGES: usize = 100_000;

fn main() {
    let challenges: usize = std::env::args().nth(1).map_or(CHALLENGES, |text| {
        text.parse().expect("CHALLENGES is a count")
    });
    let mut source = String::from(
        "id = \"large\"\ntitle = \"Large\"\nstart = 2026-11-28T09:00:00Z\n\
         end = 2026-11-28T21:00:00Z\n",
    );
    for i in 0..challenges {
        // Every tenth challenge opens after the one before, so unlock rules are exercised too.
        let unlock = if i % 10 == 9 {
            format!("unlock = {{ solved = \"c{}\" }}\n", i - 1)
        } else {
            String::new()
        };
        write!(
            source,
            "\n[[challenge]]\nid = \"c{i}\"\ntitle = \"Challenge {i}\"\npoints = 100\n\
             answers = [\"answer {i}\"]\n{unlock}"
        )
        .expect("writing to a String");
    }
    let started = Instant::now();
    toml::de::DeTable::parse(&source).expect("the generated hunt is TOML");
    let toml = started.elapsed();
    let started = Instant::now();
    let spec = hunt_core::definition::parse(&source).expect("the generated hunt parses");
    let parsed = started.elapsed();
    let started = Instant::now();
    hunt_core::definition::compile(&spec).expect("the generated hunt compiles");
    let compiled = started.elapsed();
    let started = Instant::now();
    hunt_core::definition::load(&source).expect("the generated hunt loads");
    let loaded = started.elapsed();
    println!(
        "{challenges} challenges, {} bytes: TOML alone {:.3} s; parse {:.3} s, compile {:.3} s, \
         load {:.3} s",
        source.len(),
        toml.as_secs_f64(),
        parsed.as_secs_f64(),
        compiled.as_secs_f64(),
        loaded.as_secs_f64()
    );
}
