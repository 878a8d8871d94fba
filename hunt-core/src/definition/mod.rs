//! Hunt definitions: the TOML format, and its validation into a compiled [`Hunt`].
//!
//! [`load`] parses a TOML definition and validates it; [`compile`] validates a [`HuntSpec`]
//! built in code. Both report every problem at once, like a compiler: a [`DefinitionError`]
//! holds one [`Problem`] per mistake, each with a [`ProblemKind`] to branch on and, for text,
//! the line and column it comes from.
//!
//! # The format
//!
//! ```
//! let hunt = hunt_core::definition::load(r#"
//! id = "hackathon-2026"               # a slug: a-z, 0-9, '-', '_'; at most 64 bytes
//! title = "Hackathon Treasure Hunt"   # at most 200 bytes; titles hold no control characters
//! start = 2026-11-28T09:00:00Z        # a TOML offset date-time, or an RFC 3339 string
//! end = 2026-11-28T21:00:00Z          # after start
//! freeze = 2026-11-28T20:00:00Z       # optional; strictly between start and end
//! ranking = "points"                  # or "puzzle-hunt"; default "points"
//! shared_ranks = "standard"           # or "dense", "ordinal"; default "standard"
//! final_meta = "finale"               # required by "puzzle-hunt"; must be a meta challenge
//! normalization = "caseless"          # for all challenges: exact, caseless (default), alphanumeric, letters, regex
//! locked_view = "hidden"              # for all challenges: hidden (default) or preview
//! ## The scoring of every challenge without its own; default: static, points from each challenge.
//! ##   rule = "static"       points
//! ##   rule = "ctfd-linear"  initial, minimum, decay   (CTFd; minimum <= initial)
//! ##   rule = "ctfd-log"     initial, minimum, decay   (CTFd's parabola; minimum <= initial)
//! ##   rule = "rctf"         max, min                  (min <= max; retroactive only)
//! ##   rule = "gzctf"        original, min_ratio (0 to 1, default 0.25), difficulty (> 0, default 5.0)
//! ## Points, decay: 0 to 1,000,000,000. The top value (points, initial, max, original) may be
//! ## left to each challenge's `points`.
//! ## mode: "retroactive" (default: every solver holds the current value) or "capture-time"
//! ## (each solver keeps the value at its solve).
//! scoring = { rule = "ctfd-log", initial = 500, minimum = 100, decay = 20, mode = "retroactive" }
//! first_blood = [5, 3, 1]             # percent bonus for the 1st, 2nd, … counted solver;
//!                                     ## at most 10 entries, 0 to 100 each; default none
//! hint_charge = "taken"               # or "on-solve" (only if the team solves it); default "taken"
//! team_throttle = { attempts = 10, per = "1m" }  # wrong guesses per team over all challenges; default none
//! ## The throttle of every challenge without its own; default none. `window`: at most `attempts`
//! ## (1 to 1,000,000) wrong guesses in any `per`. `backoff`: kind = "quadratic" (the i-th most
//! ## recent wrong guess blocks for i² × step) or "linear" (after `free` wrong guesses, 0 to
//! ## 1,000,000, default 0, each blocks for (wrong - free) × step). Spans are positive.
//! throttle = { window = { attempts = 3, per = "10s" }, backoff = { kind = "quadratic", step = "40s" } }
//! ## Optional: the fingerprint of the secret the sealed answers were sealed with, as `hunt seal`
//! ## writes it (HMAC-SHA256 of a fixed label). With it, the hunt opens only with that secret.
//! secret_fingerprint = "3080b64295f1058c78e2220c63dc14908a481d9d271df846d8a7007196b8fc77"
//!
//! [limits]                            # optional; each from 1 to 65536, default from hunt::Limits
//! max_answer_bytes = 1024
//! max_team_name_bytes = 128
//! max_reason_bytes = 1024
//!
//! [[division]]                        # optional; at most 64. Without any, every division
//! id = "students"                     # name is accepted. A slug, unique.
//! affects_values = true               # default true: its solves count for values and first bloods
//!
//! [[division]]                        # with divisions, every team must name one of them
//! id = "open"                         # (compared as ids are: "OPEN" is open)
//! affects_values = false
//!
//! [[challenge]]
//! id = "warmup"                       # a slug, unique also after folding case, '-' and '_'
//! title = "Warm-up"                   # at most 200 bytes
//! content = "Decode: aGVsbG8gd29ybGQ=" # optional, default ""; at most 1 MiB; no control characters but newlines and tabs (hints too)
//! round = "Act I"                     # optional; at most 100 bytes
//! points = 100                        # 0 to 1,000,000,000: the static points, or the top value
//!                                     ## of a dynamic rule; required unless `scoring` gives it
//! answers = ["hello world"]           # plain answers; or `sealed` or `answer_template`, exactly one
//! normalization = "caseless"          # optional; the hunt's by default
//! partial = [{ answer = "hello", reply = "Keep going!" }]
//! tie_break = true                    # optional, default true
//! max_attempts = 20                   # optional; 1 to 1,000,000; unlimited by default
//! attempts_reset = "5m"               # optional, needs max_attempts: the cap holds per window of
//!                                     ## this length instead of locking for good
//! locked_view = "preview"             # optional; the hunt's by default
//! first_blood = []                    # optional; replaces the hunt's
//! throttle = { window = { attempts = 5, per = "1m" } }  # optional; replaces the hunt's entirely
//!
//! [[challenge.hint]]                  # optional, any number
//! id = "nudge"                        # a slug, unique in the challenge
//! content = "Base64."                 # at most 1 MiB
//! cost = 10                           # 0 to 1,000,000,000; default 0
//!
//! [[challenge.hint]]
//! id = "shove"
//! content = "Try `base64 -d`."
//! cost = 20
//! requires = "nudge"                  # optional: an earlier hint of the same challenge
//!
//! [[challenge]]
//! id = "cipher"
//! title = "Cipher"
//! round = "Act I"
//! points = 200
//! sealed = ["5f1d4e0c2b7a9e8d6c3b2a1f0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d"]
//! unlock = "warmup"                   # shorthand for { solved = "warmup" }
//!
//! [[challenge]]
//! id = "flags"
//! title = "Flags"
//! scoring = { rule = "gzctf", original = 1000 }  # optional; replaces the hunt's scoring entirely
//! normalization = "regex"             # each answer is a pattern matching the whole answer
//! answers = ['flag\{[0-9]{3}\}']
//! unlock = { any_of = ["cipher", { after = "2h" }] }
//!
//! [[challenge]]
//! id = "finale"
//! title = "Finale"
//! meta = true
//! points = 500
//! ## The answer built from the team's own answers to feeders ("hello world-…"); `{{` and `}}`
//! ## are literal braces. Not with regex normalization. The unlock rule must require every
//! ## feeder solved.
//! answer_template = "{warmup}-{cipher}"
//! unlock = { all_of = [
//!     "warmup",
//!     "cipher",
//!     { at_least = { n = 1, of = ["cipher", "flags"] } },
//!     { score_at_least = 300 },
//!     { solves_in_round = { round = "Act I", n = 2 } },
//! ] }
//! "#)?;
//! assert_eq!(hunt.challenges.len(), 4);
//! assert_eq!(hunt.rounds, ["Act I"]);
//! assert_eq!(hunt.challenges[0].scoring.rule.initial(), 100);
//! assert_eq!(hunt.challenges[0].hints[1].requires, Some(0));
//! assert_eq!(hunt.divisions.len(), 2);
//! # Ok::<(), hunt_core::definition::DefinitionError>(())
//! ```
//!
//! An unlock rule is a table with exactly one key, nested at most [`MAX_RULE_DEPTH`] deep:
//! `{ always = true }`, `{ solved = "id" }`, `{ all_of = [...] }`, `{ any_of = [...] }`,
//! `{ at_least = { n = 2, of = [...] } }` (n from 1 to the number of rules),
//! `{ score_at_least = 300 }` (the team's highest score so far counts: an unlock is never
//! taken back), `{ after = "2h" }` (from the start; before the end) or
//! `{ solves_in_round = { round = "Act I", n = 3 } }`. In the lists, a string names a
//! challenge and means `solved`. `unlock` itself also takes a string: `"always"`, or a
//! challenge id (`{ solved = "always" }` names a challenge called `always`). Without `unlock`,
//! a challenge is unlocked from the start.
//!
//! # Validation
//!
//! Besides the shape of each value, validation checks that ids are unique slugs, that every
//! reference resolves, that the unlock graph has no cycle (reported in unlock order, as in
//! "unlock cycle: a → b → c → a") and that every challenge can unlock: a challenge can if its
//! rule holds once every challenge that can unlock is solved, with a score of at most their
//! points and at any time in the hunt. A challenge that cannot only because one it needs
//! cannot is not reported again. Answers must not normalize to nothing, partial answers must
//! not be accepted answers, regexes must compile within [`crate::answer::compile_regex`]'s
//! limits, and sealed answers must be 64 hexadecimal digits (and never regexes).
//!
//! A scoring rule must have exactly its own parameters, in range; a challenge's `points` must
//! not be under its rule's floor. For `score_at_least`, a challenge counts at the most it can
//! be worth: its top value plus its largest first-blood bonus. An answer template's feeders
//! must be required by the unlock rule: `solved x` requires `x` and what `x`'s rule requires,
//! `all_of` what any of its rules requires, `any_of` what all of them require, `at_least n`
//! of `k` rules what more than `k - n` of them require, and time, score and round rules
//! nothing.
//!
//! Validation never recurses over the graph of challenges, so a chain of a million challenges
//! compiles in linear time.

pub(crate) mod compiled;
mod keys;
mod location;
mod parse;
mod problem;
mod spec;
mod unlock_graph;
mod validate;

pub use problem::{DefinitionError, Location, MAX_REPORTED_PROBLEMS, Problem, ProblemKind};
pub use spec::{
    BackoffKind, BackoffSpec, ChallengeSpec, DivisionSpec, HintSpec, HuntSpec, LimitsSpec,
    PartialSpec, RateWindowSpec, ScoringKind, ScoringSpec, ThrottleSpec, UnlockSpec,
};

use crate::hunt::Hunt;
use location::SourceMap;
use problem::Problems;

/// How deeply unlock rules may nest.
pub const MAX_RULE_DEPTH: u32 = 32;
/// The most points a challenge can be worth.
pub const MAX_POINTS: i64 = 1_000_000_000;
/// The largest `max_attempts`.
pub const MAX_ATTEMPTS: i64 = 1_000_000;
/// The largest `n` of `solves_in_round`.
pub const MAX_COUNT: i64 = 1_000_000;
/// The largest value of each `[limits]` entry.
pub const MAX_LIMIT: i64 = 65_536;
/// The longest hunt or challenge id, in bytes.
pub const MAX_ID_BYTES: usize = crate::ids::MAX_HUNT_ID_LEN;
/// The longest hunt or challenge title, in bytes.
pub const MAX_TITLE_BYTES: usize = 200;
/// The longest challenge content, in bytes.
pub const MAX_CONTENT_BYTES: usize = 1 << 20;
/// The longest reply of a partial answer, in bytes.
pub const MAX_REPLY_BYTES: usize = 4096;
/// The longest round name, in bytes.
pub const MAX_ROUND_BYTES: usize = 100;
/// The most first-blood bonuses (for the first, second, … solver).
pub const MAX_FIRST_BLOOD: usize = 10;
/// The largest first-blood bonus, in percent.
pub const MAX_FIRST_BLOOD_PERCENT: i64 = 100;
/// The most divisions a hunt declares.
pub const MAX_DIVISIONS: usize = 64;

/// Parses and validates a TOML hunt definition, reporting every problem with its location.
pub fn load(source: &str) -> Result<Hunt, DefinitionError> {
    let (spec, map, mut problems) = parse::parse(source);
    let hunt = spec.and_then(|spec| validate::compile(&spec, &map, &mut problems));
    match hunt {
        Some(hunt) if problems.is_empty() => Ok(hunt),
        _ => Err(problems.into_error(&map)),
    }
}

/// Parses a TOML hunt definition into a spec without validating it; the problems found while
/// reading (syntax, unknown keys, wrong types) are reported as by [`load`].
pub fn parse(source: &str) -> Result<HuntSpec, DefinitionError> {
    let (spec, map, problems) = parse::parse(source);
    match spec {
        Some(spec) if problems.is_empty() => Ok(spec),
        _ => Err(problems.into_error(&map)),
    }
}

/// Validates a spec built in code; its problems have no location.
pub fn compile(spec: &HuntSpec) -> Result<Hunt, DefinitionError> {
    let map = SourceMap::new(None);
    let mut problems = Problems::default();
    match validate::compile(spec, &map, &mut problems) {
        Some(hunt) if problems.is_empty() => Ok(hunt),
        _ => Err(problems.into_error(&map)),
    }
}

/// How messages name a challenge: by id, or by position when it has none. Formatted only
/// when a problem is reported, so checking a valid hunt allocates no messages.
#[derive(Debug, Clone, Copy)]
struct ChallengeName<'a>(&'a str, u32);

impl std::fmt::Display for ChallengeName<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.0.is_empty() {
            write!(f, "challenge #{}", u64::from(self.1) + 1)
        } else {
            write!(f, "challenge `{}`", self.0)
        }
    }
}

#[cfg(test)]
mod tests;
