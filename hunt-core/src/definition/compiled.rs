//! The compiled [`Hunt`] as bytes, so that opening a hunt whose checkpoint carries them need
//! not parse and validate its TOML again (on a 100,000-challenge hunt that is most of the
//! time every command takes).
//!
//! The bytes are postcard of a mirror of the compiled types, private to this module: the
//! compiled types themselves get no `Deserialize`, so a [`Hunt`] still only comes out of
//! validation, or out of these bytes, which only the core writes (inside a checksummed
//! snapshot, tied by its checkpoint to the digest of the definition they were compiled from).
//! Regexes are kept as their anchored patterns and rebuilt with the limits they were
//! compiled with; the slug index is rebuilt from the challenges.
//!
//! Any change to a compiled type must be mirrored here; `compiled_hunts_round_trip` compares
//! every sample hunt's decoded form with its compiled one.

use serde::{Deserialize, Serialize};

use crate::answer::{
    Accepted, AnswerChecker, AnswerTemplate, Normalization, SealedDigest, TemplatePart,
};
use crate::hint::{Hint, HintCharge};
use crate::hunt::Limits;
use crate::hunt::{
    Challenge, Division, Hunt, LockedView, PartialAnswer, RankingOrder, SharedRanks, UnlockRule,
};
use crate::ids::{ChallengeId, HuntId, RoundId};
use crate::scoring::{Scoring, ValueMode, ValueRule};
use crate::throttle::{Backoff, Lockout, RateWindow, Throttle};
use crate::time::{Span, Timestamp};

/// `hunt` as bytes, for [`decode`].
pub(crate) fn encode(hunt: &Hunt) -> Vec<u8> {
    postcard::to_stdvec(&HuntWire::from(hunt)).expect("postcard serializes every compiled hunt")
}

/// The hunt [`encode`] wrote; an error (as text) for bytes it did not write, never a panic.
pub(crate) fn decode(bytes: &[u8]) -> Result<Hunt, String> {
    let wire: HuntWire = postcard::from_bytes(bytes).map_err(|e| e.to_string())?;
    wire.into_hunt()
}

#[derive(Serialize, Deserialize)]
struct HuntWire {
    id: String,
    title: String,
    start: Timestamp,
    end: Timestamp,
    freeze: Option<Timestamp>,
    ranking: RankingOrder,
    shared_ranks: SharedRanks,
    final_meta: Option<ChallengeId>,
    limits: Limits,
    hint_charge: HintCharge,
    team_window: Option<RateWindow>,
    secret_fingerprint: Option<[u8; 32]>,
    divisions: Vec<(String, bool)>,
    rounds: Vec<String>,
    challenges: Vec<ChallengeWire>,
}

impl From<&Hunt> for HuntWire {
    fn from(hunt: &Hunt) -> Self {
        Self {
            id: hunt.id.as_str().to_owned(),
            title: hunt.title.clone(),
            start: hunt.start,
            end: hunt.end,
            freeze: hunt.freeze,
            ranking: hunt.ranking,
            shared_ranks: hunt.shared_ranks,
            final_meta: hunt.final_meta,
            limits: hunt.limits,
            hint_charge: hunt.hint_charge,
            team_window: hunt.team_window,
            secret_fingerprint: hunt.secret_fingerprint.map(|d| d.0),
            divisions: hunt
                .divisions
                .iter()
                .map(|d| (d.name.clone(), d.affects_values))
                .collect(),
            rounds: hunt.rounds.clone(),
            challenges: hunt.challenges.iter().map(ChallengeWire::from).collect(),
        }
    }
}

impl HuntWire {
    fn into_hunt(self) -> Result<Hunt, String> {
        let id = HuntId::new(self.id).map_err(|e| e.to_string())?;
        let challenges = self
            .challenges
            .into_iter()
            .enumerate()
            .map(|(i, c)| c.into_challenge(i))
            .collect::<Result<Vec<_>, _>>()?;
        let by_slug = challenges.iter().map(|c| (c.slug.clone(), c.id)).collect();
        let hunt = Hunt {
            id,
            title: self.title,
            start: self.start,
            end: self.end,
            freeze: self.freeze,
            ranking: self.ranking,
            shared_ranks: self.shared_ranks,
            final_meta: self.final_meta,
            limits: self.limits,
            hint_charge: self.hint_charge,
            team_window: self.team_window,
            secret_fingerprint: self.secret_fingerprint.map(SealedDigest),
            divisions: self
                .divisions
                .into_iter()
                .map(|(name, affects_values)| Division {
                    name,
                    affects_values,
                })
                .collect(),
            rounds: self.rounds,
            challenges,
            by_slug,
        };
        check_ids(&hunt)?;
        Ok(hunt)
    }
}

/// Checks that every dense id in `hunt` is in range, so that bytes from a damaged or foreign
/// writer can never make a later lookup go out of bounds.
fn check_ids(hunt: &Hunt) -> Result<(), String> {
    let challenges = hunt.challenges.len();
    let rounds = hunt.rounds.len();
    let challenge_ok = |id: ChallengeId| id.index() < challenges;
    if hunt.by_slug.len() != challenges {
        return Err("two challenges share a slug".to_owned());
    }
    if hunt.final_meta.is_some_and(|id| !challenge_ok(id)) {
        return Err("the final meta is out of range".to_owned());
    }
    let mut rules = Vec::new();
    for challenge in &hunt.challenges {
        rules.push(&challenge.unlock);
        while let Some(rule) = rules.pop() {
            match rule {
                UnlockRule::Solved(id) if !challenge_ok(*id) => {
                    return Err(format!(
                        "{} unlocks after an unknown challenge",
                        challenge.slug
                    ));
                }
                UnlockRule::SolvesInRound { round, .. } if round.index() >= rounds => {
                    return Err(format!("{} counts an unknown round", challenge.slug));
                }
                UnlockRule::AllOf(of) | UnlockRule::AnyOf(of) | UnlockRule::AtLeast { of, .. } => {
                    rules.extend(of);
                }
                _ => {}
            }
        }
        if challenge.round.is_some_and(|round| round.index() >= rounds) {
            return Err(format!("{} is in an unknown round", challenge.slug));
        }
        if let Accepted::Template(template) = &challenge.answers.accepted
            && template
                .parts
                .iter()
                .any(|p| matches!(p, TemplatePart::Feeder(id) if !challenge_ok(*id)))
        {
            return Err(format!(
                "{}'s template names an unknown feeder",
                challenge.slug
            ));
        }
        let hints = challenge.hints.len();
        if challenge
            .hints
            .iter()
            .any(|h| h.requires.is_some_and(|r| r >= hints))
        {
            return Err(format!(
                "{} has a hint requiring an unknown hint",
                challenge.slug
            ));
        }
    }
    Ok(())
}

#[derive(Serialize, Deserialize)]
struct ChallengeWire {
    slug: String,
    title: String,
    content: String,
    round: Option<RoundId>,
    meta: bool,
    scoring: ScoringWire,
    answers: AnswersWire,
    unlock: RuleWire,
    tie_break: bool,
    throttle: ThrottleWire,
    hints: Vec<(String, String, i64, Option<usize>)>,
    locked_view: LockedView,
}

impl From<&Challenge> for ChallengeWire {
    fn from(c: &Challenge) -> Self {
        Self {
            slug: c.slug.clone(),
            title: c.title.clone(),
            content: c.content.clone(),
            round: c.round,
            meta: c.meta,
            scoring: ScoringWire::from(&c.scoring),
            answers: AnswersWire::from(&c.answers),
            unlock: RuleWire::from(&c.unlock),
            tie_break: c.tie_break,
            throttle: ThrottleWire::from(&c.throttle),
            hints: c
                .hints
                .iter()
                .map(|h| (h.slug.clone(), h.content.clone(), h.cost, h.requires))
                .collect(),
            locked_view: c.locked_view,
        }
    }
}

impl ChallengeWire {
    fn into_challenge(self, index: usize) -> Result<Challenge, String> {
        let id = u32::try_from(index).map_err(|_| "too many challenges".to_owned())?;
        Ok(Challenge {
            id: ChallengeId(id),
            answers: self.answers.into_checker()?,
            slug: self.slug,
            title: self.title,
            content: self.content,
            round: self.round,
            meta: self.meta,
            scoring: self.scoring.into(),
            unlock: self
                .unlock
                .into_rule()
                .ok_or_else(|| "an unlock rule does not decode".to_owned())?,
            tie_break: self.tie_break,
            throttle: self.throttle.into(),
            hints: self
                .hints
                .into_iter()
                .map(|(slug, content, cost, requires)| Hint {
                    slug,
                    content,
                    cost,
                    requires,
                })
                .collect(),
            locked_view: self.locked_view,
        })
    }
}

#[derive(Serialize, Deserialize)]
struct ScoringWire {
    rule: RuleValueWire,
    mode: ValueMode,
    first_blood: Vec<u32>,
}

/// [`ValueRule`], externally tagged (postcard cannot read its serde form's internal tag).
#[derive(Serialize, Deserialize)]
enum RuleValueWire {
    Static(i64),
    CtfdLinear(i64, i64, i64),
    CtfdLog(i64, i64, i64),
    Rctf(i64, i64),
    Gzctf(i64, f64, f64),
}

impl From<&Scoring> for ScoringWire {
    fn from(s: &Scoring) -> Self {
        let rule = match s.rule {
            ValueRule::Static { points } => RuleValueWire::Static(points),
            ValueRule::CtfdLinear {
                initial,
                minimum,
                decay,
            } => RuleValueWire::CtfdLinear(initial, minimum, decay),
            ValueRule::CtfdLog {
                initial,
                minimum,
                decay,
            } => RuleValueWire::CtfdLog(initial, minimum, decay),
            ValueRule::Rctf { max, min } => RuleValueWire::Rctf(max, min),
            ValueRule::Gzctf {
                original,
                min_ratio,
                difficulty,
            } => RuleValueWire::Gzctf(original, min_ratio, difficulty),
        };
        Self {
            rule,
            mode: s.mode,
            first_blood: s.first_blood.clone(),
        }
    }
}

impl From<ScoringWire> for Scoring {
    fn from(s: ScoringWire) -> Self {
        let rule = match s.rule {
            RuleValueWire::Static(points) => ValueRule::Static { points },
            RuleValueWire::CtfdLinear(initial, minimum, decay) => ValueRule::CtfdLinear {
                initial,
                minimum,
                decay,
            },
            RuleValueWire::CtfdLog(initial, minimum, decay) => ValueRule::CtfdLog {
                initial,
                minimum,
                decay,
            },
            RuleValueWire::Rctf(max, min) => ValueRule::Rctf { max, min },
            RuleValueWire::Gzctf(original, min_ratio, difficulty) => ValueRule::Gzctf {
                original,
                min_ratio,
                difficulty,
            },
        };
        Scoring {
            rule,
            mode: s.mode,
            first_blood: s.first_blood,
        }
    }
}

#[derive(Serialize, Deserialize)]
struct AnswersWire {
    normalization: Normalization,
    accepted: AcceptedWire,
    partials: Vec<(String, String)>,
}

#[derive(Serialize, Deserialize)]
enum AcceptedWire {
    Plain(Vec<String>),
    Sealed(Vec<[u8; 32]>),
    /// Anchored patterns, as [`regex::Regex::as_str`] gives them.
    Regex(Vec<String>),
    Template(Vec<PartWire>),
}

#[derive(Serialize, Deserialize)]
enum PartWire {
    Literal(String),
    Feeder(ChallengeId),
}

impl From<&AnswerChecker> for AnswersWire {
    fn from(a: &AnswerChecker) -> Self {
        let accepted = match &a.accepted {
            Accepted::Plain(answers) => AcceptedWire::Plain(answers.clone()),
            Accepted::Sealed(digests) => {
                AcceptedWire::Sealed(digests.iter().map(|d| d.0).collect())
            }
            Accepted::Regex(regexes) => {
                AcceptedWire::Regex(regexes.iter().map(|r| r.as_str().to_owned()).collect())
            }
            Accepted::Template(template) => AcceptedWire::Template(
                template
                    .parts
                    .iter()
                    .map(|part| match part {
                        TemplatePart::Literal(text) => PartWire::Literal(text.clone()),
                        TemplatePart::Feeder(id) => PartWire::Feeder(*id),
                    })
                    .collect(),
            ),
        };
        Self {
            normalization: a.normalization,
            accepted,
            partials: a
                .partials
                .iter()
                .map(|p| (p.normalized.clone(), p.reply.clone()))
                .collect(),
        }
    }
}

impl AnswersWire {
    fn into_checker(self) -> Result<AnswerChecker, String> {
        let accepted = match self.accepted {
            AcceptedWire::Plain(answers) => Accepted::Plain(answers),
            AcceptedWire::Sealed(digests) => {
                Accepted::Sealed(digests.into_iter().map(SealedDigest).collect())
            }
            AcceptedWire::Regex(patterns) => Accepted::Regex(
                patterns
                    .iter()
                    .map(|p| crate::answer::rebuild_regex(p).map_err(|e| e.to_string()))
                    .collect::<Result<_, _>>()?,
            ),
            AcceptedWire::Template(parts) => Accepted::Template(AnswerTemplate {
                parts: parts
                    .into_iter()
                    .map(|part| match part {
                        PartWire::Literal(text) => TemplatePart::Literal(text),
                        PartWire::Feeder(id) => TemplatePart::Feeder(id),
                    })
                    .collect(),
            }),
        };
        Ok(AnswerChecker {
            normalization: self.normalization,
            accepted,
            partials: self
                .partials
                .into_iter()
                .map(|(normalized, reply)| PartialAnswer { normalized, reply })
                .collect(),
        })
    }
}

/// [`UnlockRule`], kept flat: nested rules are stored as a preorder list with child counts,
/// so decoding hostile bytes never recurses deeply.
#[derive(Serialize, Deserialize)]
struct RuleWire(Vec<RuleNode>);

#[derive(Serialize, Deserialize)]
enum RuleNode {
    Always,
    Solved(ChallengeId),
    AllOf(u32),
    AnyOf(u32),
    AtLeast(u32, u32),
    ScoreAtLeast(i64),
    After(Span),
    SolvesInRound(RoundId, u32),
}

impl From<&UnlockRule> for RuleWire {
    fn from(rule: &UnlockRule) -> Self {
        let count = |of: &Vec<UnlockRule>| u32::try_from(of.len()).unwrap_or(u32::MAX);
        let mut nodes = Vec::new();
        let mut stack = vec![rule];
        while let Some(rule) = stack.pop() {
            let children = match rule {
                UnlockRule::Always => {
                    nodes.push(RuleNode::Always);
                    None
                }
                UnlockRule::Solved(id) => {
                    nodes.push(RuleNode::Solved(*id));
                    None
                }
                UnlockRule::AllOf(of) => {
                    nodes.push(RuleNode::AllOf(count(of)));
                    Some(of)
                }
                UnlockRule::AnyOf(of) => {
                    nodes.push(RuleNode::AnyOf(count(of)));
                    Some(of)
                }
                UnlockRule::AtLeast { n, of } => {
                    nodes.push(RuleNode::AtLeast(*n, count(of)));
                    Some(of)
                }
                UnlockRule::ScoreAtLeast(score) => {
                    nodes.push(RuleNode::ScoreAtLeast(*score));
                    None
                }
                UnlockRule::After(span) => {
                    nodes.push(RuleNode::After(*span));
                    None
                }
                UnlockRule::SolvesInRound { round, n } => {
                    nodes.push(RuleNode::SolvesInRound(*round, *n));
                    None
                }
            };
            // Children in order: pushed reversed, so the first is written first.
            if let Some(of) = children {
                stack.extend(of.iter().rev());
            }
        }
        Self(nodes)
    }
}

impl RuleWire {
    /// Rebuilds the rule from its preorder list, with an explicit stack; `None` when the list
    /// is not one rule exactly.
    fn into_rule(self) -> Option<UnlockRule> {
        /// A rule whose children are still being read.
        struct Open {
            node: RuleNode,
            wanted: u32,
            children: Vec<UnlockRule>,
        }
        let mut open: Vec<Open> = Vec::new();
        let mut nodes = self.0.into_iter();
        loop {
            let mut done = match nodes.next()? {
                RuleNode::Always => UnlockRule::Always,
                RuleNode::Solved(id) => UnlockRule::Solved(id),
                RuleNode::ScoreAtLeast(score) => UnlockRule::ScoreAtLeast(score),
                RuleNode::After(span) => UnlockRule::After(span),
                RuleNode::SolvesInRound(round, n) => UnlockRule::SolvesInRound { round, n },
                node @ (RuleNode::AllOf(k) | RuleNode::AnyOf(k) | RuleNode::AtLeast(_, k)) => {
                    open.push(Open {
                        node,
                        wanted: k,
                        children: Vec::new(),
                    });
                    match close(&mut open) {
                        Some(rule) => rule,
                        None => continue,
                    }
                }
            };
            // Hand the finished rule to its parent, closing every parent it completes.
            loop {
                let Some(parent) = open.last_mut() else {
                    return nodes.next().is_none().then_some(done);
                };
                parent.children.push(done);
                match close(&mut open) {
                    Some(rule) => done = rule,
                    None => break,
                }
            }
        }

        /// The innermost open rule, finished, if it has all its children.
        fn close(open: &mut Vec<Open>) -> Option<UnlockRule> {
            let last = open.last()?;
            if last.children.len() < last.wanted as usize {
                return None;
            }
            let Open { node, children, .. } = open.pop()?;
            Some(match node {
                RuleNode::AllOf(_) => UnlockRule::AllOf(children),
                RuleNode::AnyOf(_) => UnlockRule::AnyOf(children),
                RuleNode::AtLeast(n, _) => UnlockRule::AtLeast { n, of: children },
                _ => return None,
            })
        }
    }
}

#[derive(Serialize, Deserialize)]
struct ThrottleWire {
    max_attempts: Option<u32>,
    lockout: Option<Span>,
    window: Option<RateWindow>,
    /// `(linear, free, step)`: quadratic when `linear` is false.
    backoff: Option<(bool, u32, Span)>,
}

impl From<&Throttle> for ThrottleWire {
    fn from(t: &Throttle) -> Self {
        Self {
            max_attempts: t.max_attempts,
            lockout: match t.lockout {
                Lockout::Forever => None,
                Lockout::Timeout(span) => Some(span),
            },
            window: t.window,
            backoff: t.backoff.map(|b| match b {
                Backoff::Quadratic { step } => (false, 0, step),
                Backoff::Linear { free, step } => (true, free, step),
            }),
        }
    }
}

impl From<ThrottleWire> for Throttle {
    fn from(t: ThrottleWire) -> Self {
        Throttle {
            max_attempts: t.max_attempts,
            lockout: t.lockout.map_or(Lockout::Forever, Lockout::Timeout),
            window: t.window,
            backoff: t.backoff.map(|(linear, free, step)| {
                if linear {
                    Backoff::Linear { free, step }
                } else {
                    Backoff::Quadratic { step }
                }
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every valid sample definition, with the sample hunts of the CLI.
    fn samples() -> Vec<(String, String)> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = Vec::new();
        for dir in [
            root.join("tests/definitions/valid"),
            root.join("../examples/hunts"),
        ] {
            for entry in std::fs::read_dir(&dir).expect("a sample directory") {
                let path = entry.expect("an entry").path();
                if path.extension().is_some_and(|e| e == "toml") {
                    let source = std::fs::read_to_string(&path).expect("readable");
                    files.push((path.display().to_string(), source));
                }
            }
        }
        assert!(files.len() >= 9, "{files:?}");
        files
    }

    /// `hunt` as text, every field but the slug index (a hash map, in no fixed order).
    fn shown(hunt: &Hunt) -> String {
        let mut hunt = hunt.clone();
        let mut slugs: Vec<(String, ChallengeId)> = hunt.by_slug.drain().collect();
        slugs.sort();
        format!("{hunt:?} {slugs:?}")
    }

    #[test]
    fn compiled_hunts_round_trip() {
        for (name, source) in samples() {
            let hunt = crate::definition::load(&source).unwrap_or_else(|e| panic!("{name}: {e}"));
            let decoded = decode(&encode(&hunt)).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(shown(&decoded), shown(&hunt), "{name}");
        }
    }

    #[test]
    fn deep_unlock_rules_round_trip_without_recursion() {
        let mut rule = UnlockRule::Solved(ChallengeId(0));
        for depth in 0..5_000 {
            rule = match depth % 3 {
                0 => UnlockRule::AllOf(vec![rule, UnlockRule::Always]),
                1 => UnlockRule::AnyOf(vec![UnlockRule::ScoreAtLeast(3), rule]),
                _ => UnlockRule::AtLeast {
                    n: 1,
                    of: vec![rule, UnlockRule::AllOf(Vec::new())],
                },
            };
        }
        let wire = RuleWire::from(&rule);
        let back = wire.into_rule().expect("one rule");
        assert!(back == rule);
        // Dropping the deep rules recursively would be the only recursion: unwind them.
        for rule in [rule, back] {
            let mut stack = vec![rule];
            while let Some(rule) = stack.pop() {
                if let UnlockRule::AllOf(of)
                | UnlockRule::AnyOf(of)
                | UnlockRule::AtLeast { of, .. } = rule
                {
                    stack.extend(of);
                }
            }
        }
    }

    #[test]
    fn bytes_it_did_not_write_are_errors() {
        let (_, source) = samples().remove(0);
        let hunt = crate::definition::load(&source).expect("a valid sample");
        let bytes = encode(&hunt);
        for cut in [0, 1, bytes.len() / 2, bytes.len() - 1] {
            assert!(decode(&bytes[..cut]).is_err(), "cut at {cut}");
        }
        assert!(decode(b"\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff").is_err());
        // Rules that are not one rule exactly.
        assert!(RuleWire(Vec::new()).into_rule().is_none());
        assert!(
            RuleWire(vec![RuleNode::AllOf(2), RuleNode::Always])
                .into_rule()
                .is_none()
        );
        assert!(
            RuleWire(vec![RuleNode::Always, RuleNode::Always])
                .into_rule()
                .is_none()
        );
        // A rule naming a challenge the hunt does not have.
        let mut wire = HuntWire::from(&hunt);
        wire.challenges[0].unlock = RuleWire(vec![RuleNode::Solved(ChallengeId(u32::MAX))]);
        let bytes = postcard::to_stdvec(&wire).expect("serializes");
        assert!(decode(&bytes).is_err());
    }
}
