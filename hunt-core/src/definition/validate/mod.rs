//! Validation of a [`HuntSpec`] into a compiled [`Hunt`], reporting every problem.
//!
//! Checks run field by field, then over references, then over the unlock graph. A value that
//! already has a problem is taken to be fine afterwards (a bad `n` makes its rule "always"),
//! so each mistake is reported once, where it was made, and not again through what depends on
//! it. Each concept has its file: the hunt's own fields, challenge ids and rounds, a
//! challenge's fields and its answers, scoring, throttles, hints, divisions, unlock rules and
//! the unlock graph.

mod answers;
mod challenge;
mod checks;
mod divisions;
mod graph;
mod hints;
mod hunt;
mod ids;
mod scoring;
mod text;
mod throttle;
mod unlock;

use ids::{Ids, rounds};
use unlock::Resolver;

use super::keys::{self, Key};
use super::location::{Site, SourceMap};
use super::problem::{ProblemKind, Problems};
use super::spec::HuntSpec;
use super::unlock_graph::Edges;
use super::{ChallengeName, MAX_POINTS};
use crate::hunt::{Challenge, Hunt, Limits};
use crate::ids::{ChallengeId, RoundId};

/// Checks `spec` (whose values' spans are in `map`) and compiles it if nothing is wrong,
/// adding to `problems` what is.
pub(crate) fn compile(
    spec: &HuntSpec,
    map: &SourceMap<'_>,
    problems: &mut Problems,
) -> Option<Hunt> {
    let mut v = Validator {
        map,
        problems,
        regexes: RegexUse::default(),
    };
    let hunt_id = v.hunt_fields(spec);
    let limits = spec.limits.resolve();
    let window = v.window(spec);

    if u32::try_from(spec.challenges.len()).is_err() {
        v.report(
            ProblemKind::OutOfRange,
            &[],
            format!(
                "{} challenges are more than the {} allowed",
                spec.challenges.len(),
                u32::MAX
            ),
        );
        return None;
    }

    let ids = v.ids(spec);
    let ids_readable =
        (0..spec.challenges.len()).all(|i| !map.is_broken(Site::Field(to_u32(i), Key::Id)));

    // The hunt's defaults, each checked once; `None` where they have a problem.
    // A default the parser could not read is absent from the spec, and broken in the map.
    let hunt_scoring = match &spec.scoring {
        _ if !v.ok(Site::Hunt(Key::Scoring)) => None,
        None => Some(scoring::Shape::STATIC),
        Some(scoring) if v.ok(Site::Hunt(Key::Scoring)) => {
            v.scoring_table(scoring, None, &"the hunt's `scoring`")
        }
        Some(_) => None,
    };
    let hunt_bonuses = v.first_blood(&spec.first_blood, None, &"the hunt");
    let team_window = match &spec.team_throttle {
        Some(window) if v.ok(Site::Hunt(Key::TeamThrottle)) => {
            v.rate_window(window, None, keys::TEAM_WINDOW, &Key::TeamThrottle)
        }
        _ => None,
    };
    let hunt_throttle = match &spec.throttle {
        _ if !v.ok(Site::Hunt(Key::Throttle)) => None,
        None => Some((None, None)),
        Some(throttle) if v.ok(Site::Hunt(Key::Throttle)) => {
            v.throttle_table(throttle, None, &"the hunt")
        }
        Some(_) => None,
    };
    let divisions = v.divisions(&spec.divisions);
    let secret_fingerprint = v.secret_fingerprint(spec.secret_fingerprint.as_deref());

    let (rounds, round_names) = rounds(spec);
    let mut compiled = Vec::with_capacity(spec.challenges.len());
    let mut scorings = Vec::with_capacity(spec.challenges.len());
    let mut throttles = Vec::with_capacity(spec.challenges.len());
    let mut hints = Vec::with_capacity(spec.challenges.len());
    for (i, challenge) in spec.challenges.iter().enumerate() {
        let i = to_u32(i);
        let name = ChallengeName(&challenge.id, i);
        let context = Context {
            limits: &limits,
            rounds: &rounds,
            ids: &ids,
            ids_readable,
        };
        compiled.push(v.challenge(spec, challenge, i, &context));
        scorings.push(v.challenge_scoring(challenge, i, hunt_scoring, hunt_bonuses.as_deref()));
        throttles.push(v.challenge_throttle(challenge, i, hunt_throttle));
        hints.push(v.hints(&challenge.hints, i, name));
    }

    // Unlock rules, with references resolved.
    let mut resolver = Resolver {
        v: &mut v,
        ids: &ids,
        rounds: &round_names,
        window,
        ids_readable,
    };
    let mut rules = Vec::with_capacity(spec.challenges.len());
    let mut refs = Vec::with_capacity(spec.challenges.len());
    // Whether each rule resolved without a problem (a rule with one is taken as `always`).
    let mut rules_ok = Vec::with_capacity(spec.challenges.len());
    for (i, challenge) in spec.challenges.iter().enumerate() {
        let mut named = Vec::new();
        let mut next = 0;
        let name = ChallengeName(&challenge.id, to_u32(i));
        let before = resolver.v.problems.len();
        let rule = resolver.rule(&challenge.unlock, to_u32(i), name, &mut next, 1, &mut named);
        rules_ok.push(resolver.v.problems.len() == before);
        rules.push(rule);
        refs.push(named);
    }
    let edges = Edges::new(refs);
    // The most each challenge can be worth; optimistic where its scoring has a problem, so
    // that mistake does not also make challenges look unreachable.
    let points: Vec<i64> = scorings
        .iter()
        .map(|scoring| {
            scoring
                .as_ref()
                .map_or(2 * MAX_POINTS, scoring::most_points)
        })
        .collect();
    let acyclic = v.graph(
        spec,
        &edges,
        &rules,
        &points,
        &rounds,
        round_names.len(),
        window,
    );
    if acyclic {
        v.feeders(spec, &compiled, &edges, &rules, &rules_ok);
    }
    let final_meta = v.final_meta(spec, &ids);

    if !v.problems.is_empty() {
        return None;
    }
    let hunt_id = hunt_id?;
    let mut challenges = Vec::with_capacity(spec.challenges.len());
    let settings = scorings.into_iter().zip(throttles).zip(hints);
    for ((((i, spec_challenge), answers), unlock), ((scoring, throttle), hints)) in spec
        .challenges
        .iter()
        .enumerate()
        .zip(compiled)
        .zip(rules)
        .zip(settings)
    {
        challenges.push(Challenge {
            id: ChallengeId(to_u32(i)),
            slug: spec_challenge.id.clone(),
            title: spec_challenge.title.clone(),
            content: spec_challenge.content.clone(),
            round: rounds[i].map(RoundId),
            meta: spec_challenge.meta,
            scoring: scoring?,
            answers: answers?,
            unlock,
            tie_break: spec_challenge.tie_break,
            throttle: throttle?,
            hints: hints?,
            locked_view: spec_challenge.locked_view.unwrap_or(spec.locked_view),
        });
    }
    let by_slug = challenges
        .iter()
        .map(|challenge| (challenge.slug.clone(), challenge.id))
        .collect();
    Some(Hunt {
        id: hunt_id,
        title: spec.title.clone(),
        start: spec.start,
        end: spec.end,
        freeze: spec.freeze,
        ranking: spec.ranking,
        shared_ranks: spec.shared_ranks,
        final_meta: final_meta.map(ChallengeId),
        limits,
        hint_charge: spec.hint_charge,
        team_window,
        secret_fingerprint: secret_fingerprint?,
        divisions: divisions?,
        rounds: round_names
            .into_iter()
            .map(|(name, _)| name.to_owned())
            .collect(),
        challenges,
        by_slug,
    })
}

/// What checking one challenge needs from the rest of the hunt.
struct Context<'a> {
    limits: &'a Limits,
    rounds: &'a [Option<u32>],
    ids: &'a Ids<'a>,
    ids_readable: bool,
}

fn to_u32(n: usize) -> u32 {
    // The number of challenges is checked to fit first; rule nodes and list entries of one
    // challenge are far fewer than `u32::MAX` in any definition that parses.
    u32::try_from(n).unwrap_or(u32::MAX)
}

struct Validator<'m, 's, 'p> {
    map: &'m SourceMap<'s>,
    problems: &'p mut Problems,
    /// What the hunt's regex answers have used of their budget so far.
    regexes: RegexUse,
}

/// Regex answers compiled so far, against [`crate::answer::MAX_REGEXES_PER_HUNT`] and
/// [`crate::answer::REGEX_BUDGET_PER_HUNT`].
#[derive(Debug, Default)]
struct RegexUse {
    count: usize,
    bytes: usize,
    /// The hunt's budget ran out and was reported: later regexes are not compiled.
    exhausted: bool,
}

impl Validator<'_, '_, '_> {
    /// Reports a problem at the first of `sites` with a span.
    fn report(&mut self, kind: ProblemKind, sites: &[Site], message: String) {
        self.problems.push(kind, self.map.span(sites), message);
    }

    fn ok(&self, site: Site) -> bool {
        !self.map.is_broken(site)
    }
}
