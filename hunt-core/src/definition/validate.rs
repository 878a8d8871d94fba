//! Validation of a [`HuntSpec`] into a compiled [`Hunt`], reporting every problem.
//!
//! Checks run field by field, then over references, then over the unlock graph. A value that
//! already has a problem is taken to be fine afterwards (a bad `n` makes its rule "always"),
//! so each mistake is reported once, where it was made, and not again through what depends on
//! it.

use std::borrow::Cow;
use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::fmt::Display;

mod answers;
mod policy;
mod text;
mod unlock;

use text::Text;
use unlock::Resolver;

use super::location::{Site, SourceMap};
use super::problem::{ProblemKind, Problems};
use super::spec::{ChallengeSpec, HuntSpec};
use super::unlock_graph::{self, Edges, Failure, Game};
use super::{
    ChallengeName, MAX_ATTEMPTS, MAX_CONTENT_BYTES, MAX_ID_BYTES, MAX_LIMIT, MAX_POINTS,
    MAX_ROUND_BYTES, MAX_TITLE_BYTES,
};
use crate::answer::{AnswerChecker, Normalization, SealedDigest};
use crate::hunt::{Challenge, Hunt, Limits, RankingOrder, UnlockRule};
use crate::ids::{ChallengeId, HuntId, RoundId, fold_id as fold, is_slug};
use crate::time::Span;

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
        (0..spec.challenges.len()).all(|i| !map.is_broken(Site::Field(to_u32(i), "id")));

    // The hunt's defaults, each checked once; `None` where they have a problem.
    // A default the parser could not read is absent from the spec, and broken in the map.
    let hunt_scoring = match &spec.scoring {
        _ if !v.ok(Site::Hunt("scoring")) => None,
        None => Some(policy::Shape::STATIC),
        Some(scoring) if v.ok(Site::Hunt("scoring")) => {
            v.scoring_table(scoring, None, &"the hunt's `scoring`")
        }
        Some(_) => None,
    };
    let hunt_bonuses = v.first_blood(&spec.first_blood, None, &"the hunt");
    let team_window = match &spec.team_throttle {
        Some(window) if v.ok(Site::Hunt("team_throttle")) => {
            v.rate_window(window, None, super::parse::TEAM_WINDOW, &"`team_throttle`")
        }
        _ => None,
    };
    let hunt_throttle = match &spec.throttle {
        _ if !v.ok(Site::Hunt("throttle")) => None,
        None => Some((None, None)),
        Some(throttle) if v.ok(Site::Hunt("throttle")) => {
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
        .map(|scoring| scoring.as_ref().map_or(2 * MAX_POINTS, policy::most_points))
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

/// The round of each challenge, and the round names in order of first appearance.
fn rounds(spec: &HuntSpec) -> (Vec<Option<u32>>, RoundNames<'_>) {
    let mut names = RoundNames::default();
    let rounds = spec
        .challenges
        .iter()
        .map(|challenge| {
            let name = challenge.round.as_deref()?;
            let next = to_u32(names.len());
            Some(*names.index.entry(name).or_insert_with(|| {
                names.order.push(name);
                next
            }))
        })
        .collect();
    (rounds, names)
}

#[derive(Default)]
struct RoundNames<'a> {
    index: HashMap<&'a str, u32>,
    order: Vec<&'a str>,
}

impl<'a> RoundNames<'a> {
    fn len(&self) -> usize {
        self.order.len()
    }

    fn get(&self, name: &str) -> Option<u32> {
        self.index.get(name).copied()
    }

    fn into_iter(self) -> impl Iterator<Item = (&'a str, u32)> {
        self.order.into_iter().zip(0..)
    }
}

struct Validator<'m, 's, 'p> {
    map: &'m SourceMap<'s>,
    problems: &'p mut Problems,
    /// What the hunt's regex answers have used of their budget so far.
    regexes: RegexUse,
}

/// Regex answers compiled so far, against [`MAX_REGEXES_PER_HUNT`] and
/// [`REGEX_BUDGET_PER_HUNT`].
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

    fn hunt_fields(&mut self, spec: &HuntSpec) -> Option<HuntId> {
        let site = Site::Hunt("id");
        let id = HuntId::new(spec.id.as_str()).ok();
        if id.is_none() && self.ok(site) {
            self.check_id(&spec.id, site, "hunt id");
        }
        self.check_len(
            &spec.title,
            MAX_TITLE_BYTES,
            Site::Hunt("title"),
            &"the hunt title",
        );
        self.check_text(
            &spec.title,
            Text::Line,
            &[Site::Hunt("title")],
            &"the hunt title",
        );
        for (key, value) in [
            ("max_answer_bytes", spec.limits.max_answer_bytes),
            ("max_team_name_bytes", spec.limits.max_team_name_bytes),
            ("max_reason_bytes", spec.limits.max_reason_bytes),
        ] {
            let site = Site::Limit(key);
            if let Some(value) = value
                && self.ok(site)
            {
                self.check_range(value, 1, MAX_LIMIT, site, &format_args!("`limits.{key}`"));
            }
        }
        id
    }

    /// The hunt's length, if `start` and `end` are readable and in order.
    fn window(&mut self, spec: &HuntSpec) -> Option<Span> {
        if !self.ok(Site::Hunt("start")) || !self.ok(Site::Hunt("end")) {
            return None;
        }
        if spec.end <= spec.start {
            self.report(
                ProblemKind::BadWindow,
                &[Site::Hunt("end")],
                format!(
                    "the hunt ends ({}) before it starts ({})",
                    spec.end, spec.start
                ),
            );
            return None;
        }
        let freeze_site = Site::Hunt("freeze");
        if let Some(freeze) = spec.freeze
            && self.ok(freeze_site)
            && !(spec.start < freeze && freeze < spec.end)
        {
            self.report(
                ProblemKind::FreezeOutsideWindow,
                &[freeze_site],
                format!(
                    "the freeze ({freeze}) must be after the start ({}) and before the end ({})",
                    spec.start, spec.end
                ),
            );
        }
        Some(spec.end.since(spec.start))
    }

    /// Checks every challenge id and returns the index of ids.
    fn ids<'a>(&mut self, spec: &'a HuntSpec) -> Ids<'a> {
        let mut ids = Ids {
            challenges: &spec.challenges,
            folded: HashMap::with_capacity(spec.challenges.len()),
            rejected: HashMap::new(),
        };
        for (i, challenge) in spec.challenges.iter().enumerate() {
            let i = to_u32(i);
            let site = Site::Field(i, "id");
            if !self.ok(site) {
                continue;
            }
            let id = challenge.id.as_str();
            self.check_id(id, site, "challenge id");
            let first = match ids.folded.entry(fold(id)) {
                Entry::Occupied(first) => *first.get(),
                Entry::Vacant(entry) => {
                    entry.insert(i);
                    continue;
                }
            };
            let first_id = spec.challenges[first as usize].id.as_str();
            let first_line = self.map.line_suffix(Site::Field(first, "id"));
            let message = if first_id == id {
                format!(
                    "duplicate challenge id `{id}`, already used by challenge #{}{first_line}",
                    first + 1
                )
            } else {
                // Still resolve references to it, so they are not reported as unknown too.
                ids.rejected.entry(id).or_insert(i);
                format!(
                    "challenge id `{id}` differs from `{first_id}`{first_line} only in case, `-` or `_`"
                )
            };
            self.report(
                ProblemKind::DuplicateId,
                &[site, Site::Challenge(i)],
                message,
            );
        }
        ids
    }

    /// The `secret_fingerprint`, if given: 64 hexadecimal digits. `None` if it is malformed
    /// (reported); `Some(None)` if absent.
    fn secret_fingerprint(&mut self, hex: Option<&str>) -> Option<Option<SealedDigest>> {
        let Some(hex) = hex else {
            return Some(None);
        };
        let site = Site::Hunt("secret_fingerprint");
        match SealedDigest::from_hex(hex) {
            Some(digest) => Some(Some(digest)),
            None => {
                if self.ok(site) {
                    self.report(
                        ProblemKind::BadDigest,
                        &[site],
                        "`secret_fingerprint` must be 64 hexadecimal digits, as `hunt seal` \
                         writes it"
                            .to_owned(),
                    );
                }
                None
            }
        }
    }

    fn check_id(&mut self, id: &str, site: Site, what: &str) {
        if id.len() > MAX_ID_BYTES {
            self.report(
                ProblemKind::TooLong,
                &[site],
                format!(
                    "{what} `{id}` is {} bytes long; at most {MAX_ID_BYTES} are allowed",
                    id.len()
                ),
            );
        } else if !is_slug(id, MAX_ID_BYTES) {
            self.report(
                ProblemKind::BadId,
                &[site],
                format!(
                    "{what} `{id}` is not a slug: use a-z, 0-9, `-` and `_`, starting with a letter or digit"
                ),
            );
        }
    }

    fn check_len(&mut self, text: &str, max: usize, site: Site, what: &dyn Display) {
        if text.len() > max && self.ok(site) {
            self.report(
                ProblemKind::TooLong,
                &[site],
                format!(
                    "{what} is {} bytes long; at most {max} are allowed",
                    text.len()
                ),
            );
        }
    }

    fn check_range(
        &mut self,
        value: i64,
        min: i64,
        max: i64,
        site: Site,
        what: &dyn Display,
    ) -> bool {
        let fits = (min..=max).contains(&value);
        if !fits {
            self.report(
                ProblemKind::OutOfRange,
                &[site],
                format!("{what} is {value}; it must be from {min} to {max}"),
            );
        }
        fits
    }

    /// Checks one challenge's own fields and builds its answer checker.
    fn challenge(
        &mut self,
        spec: &HuntSpec,
        c: &ChallengeSpec,
        i: u32,
        context: &Context<'_>,
    ) -> Option<AnswerChecker> {
        let Context { limits, rounds, .. } = *context;
        let name = ChallengeName(&c.id, i);
        let field = |key| Site::Field(i, key);
        self.check_len(
            &c.title,
            MAX_TITLE_BYTES,
            field("title"),
            &format_args!("the title of {name}"),
        );
        self.check_text(
            &c.title,
            Text::Line,
            &[field("title")],
            &format_args!("the title of {name}"),
        );
        self.check_len(
            &c.content,
            MAX_CONTENT_BYTES,
            field("content"),
            &format_args!("the content of {name}"),
        );
        self.check_text(
            &c.content,
            Text::Content,
            &[field("content")],
            &format_args!("the content of {name}"),
        );
        if let Some(round) = &c.round
            && rounds[i as usize].is_some()
            && self.ok(field("round"))
        {
            if round.is_empty() {
                self.report(
                    ProblemKind::BadValue,
                    &[field("round")],
                    format!("the round of {name} is empty; leave `round` out instead"),
                );
            }
            self.check_len(
                round,
                MAX_ROUND_BYTES,
                field("round"),
                &format_args!("the round of {name}"),
            );
            self.check_text(
                round,
                Text::Line,
                &[field("round")],
                &format_args!("the round of {name}"),
            );
        }
        if let Some(points) = c.points
            && self.ok(field("points"))
        {
            self.check_range(
                points,
                0,
                MAX_POINTS,
                field("points"),
                &format_args!("`points` of {name}"),
            );
        }
        if let Some(max_attempts) = c.max_attempts
            && self.ok(field("max_attempts"))
        {
            self.check_range(
                max_attempts,
                1,
                MAX_ATTEMPTS,
                field("max_attempts"),
                &format_args!("`max_attempts` of {name}"),
            );
        }

        let normalization = c.normalization.unwrap_or(spec.normalization);
        let answers_ok = self.ok(field("answers"));
        let sealed_ok = self.ok(field("sealed"));
        let template_ok = self.ok(field("answer_template"));
        let given: Vec<&str> = [
            (!c.answers.is_empty(), "`answers`"),
            (!c.sealed.is_empty(), "`sealed`"),
            (c.answer_template.is_some(), "`answer_template`"),
        ]
        .into_iter()
        .filter_map(|(given, key)| given.then_some(key))
        .collect();
        if given.is_empty() {
            if answers_ok && sealed_ok && template_ok {
                self.report(
                    ProblemKind::NoAnswers,
                    &[field("answers"), field("sealed"), Site::Challenge(i)],
                    format!("{name} has no answers: give `answers`, `sealed` or `answer_template`"),
                );
            }
            return None;
        }
        if given.len() > 1 {
            let message = if c.answer_template.is_none() {
                format!("{name} has both `answers` and `sealed`; give one of them")
            } else {
                format!(
                    "{name} has {}; give one of `answers`, `sealed` and `answer_template`",
                    given.join(" and ")
                )
            };
            let site = if c.answer_template.is_some() {
                field("answer_template")
            } else {
                field("sealed")
            };
            self.report(
                ProblemKind::MixedAnswers,
                &[site, Site::Challenge(i)],
                message,
            );
            return None;
        }
        let accepted = if let Some(template) = &c.answer_template {
            if !template_ok {
                return None;
            }
            self.template(template, i, name, normalization, context)
        } else if c.sealed.is_empty() {
            self.answers(c, i, name, normalization, limits)
        } else if normalization == Normalization::Regex {
            self.report(
                ProblemKind::SealedRegex,
                &[field("sealed"), field("normalization"), Site::Challenge(i)],
                format!("{name}: regex answers cannot be sealed"),
            );
            None
        } else {
            self.sealed(c, i, name)
        };
        let partials = self.partials(c, i, name, normalization, limits, accepted.as_ref());
        Some(AnswerChecker {
            normalization,
            accepted: accepted?,
            partials: partials?,
        })
    }

    /// Reports cycles and challenges that can never unlock; whether the graph is acyclic.
    #[allow(clippy::too_many_arguments)]
    fn graph(
        &mut self,
        spec: &HuntSpec,
        edges: &Edges,
        rules: &[UnlockRule],
        points: &[i64],
        rounds: &[Option<u32>],
        round_count: usize,
        window: Option<Span>,
    ) -> bool {
        let name = |c: u32| spec.challenges[c as usize].id.as_str();
        let cycles = unlock_graph::cycles(edges);
        let acyclic = cycles.is_empty();
        for cycle in cycles {
            let first = cycle.path[0];
            // A cycle through thousands of challenges is named by its ends.
            const SHOWN: usize = 16;
            let len = cycle.path.len();
            let mut text: Vec<Cow<'_, str>> = Vec::with_capacity(2 * SHOWN + 2);
            for (k, &c) in cycle.path.iter().enumerate() {
                if len <= 2 * SHOWN || k < SHOWN || k >= len - SHOWN {
                    text.push(Cow::Borrowed(name(c)));
                } else if k == SHOWN {
                    text.push(Cow::Owned(format!("… ({} more) …", len - 2 * SHOWN)));
                }
            }
            text.push(Cow::Borrowed(name(first)));
            self.report(
                ProblemKind::UnlockCycle,
                &[
                    Site::RuleArg(first, cycle.closing_node),
                    Site::Rule(first, 0),
                    Site::Challenge(first),
                ],
                format!(
                    "unlock cycle: {} (each unlocks only after the one before it is solved)",
                    text.join(" → ")
                ),
            );
        }

        let game = Game {
            rules,
            points,
            rounds,
            round_count,
            window,
        };
        let reach = unlock_graph::reach(&game);
        for c in (0..spec.challenges.len()).map(to_u32) {
            if reach.reachable[c as usize] {
                continue;
            }
            let Some(failure) = unlock_graph::own_failure(&game, &reach, c) else {
                continue;
            };
            let why = match failure {
                Failure::Score { needed, possible } => format!(
                    ": it needs a score of {needed}, but the challenges that can unlock before it are worth {possible} points in all"
                ),
                Failure::Round {
                    round,
                    needed,
                    possible,
                } => {
                    let round_name = spec
                        .challenges
                        .iter()
                        .zip(rounds)
                        .find(|(_, r)| **r == Some(round))
                        .and_then(|(c, _)| c.round.as_deref())
                        .unwrap_or_default();
                    format!(
                        ": it needs {needed} solves in round `{round_name}`, but only {possible} of its challenges can unlock before it"
                    )
                }
                Failure::Rule => {
                    ": its rule cannot hold even with every challenge that can unlock solved"
                        .to_owned()
                }
            };
            self.report(
                ProblemKind::NeverUnlocks,
                &[Site::Rule(c, 0), Site::Challenge(c)],
                format!("{} can never unlock{why}", ChallengeName(name(c), c)),
            );
        }
        acyclic
    }

    fn final_meta(&mut self, spec: &HuntSpec, ids: &Ids<'_>) -> Option<u32> {
        let site = Site::Hunt("final_meta");
        let Some(slug) = &spec.final_meta else {
            if spec.ranking == RankingOrder::PuzzleHunt && self.ok(site) {
                self.report(
                    ProblemKind::MissingFinalMeta,
                    &[Site::Hunt("ranking")],
                    "`ranking = \"puzzle-hunt\"` ranks by the time of solving the final meta: set `final_meta`"
                        .to_owned(),
                );
            }
            return None;
        };
        if !self.ok(site) {
            return None;
        }
        let Some(c) = ids.get(slug) else {
            self.report(
                ProblemKind::UnknownReference,
                &[site],
                format!("unknown challenge `{slug}` in `final_meta`"),
            );
            return None;
        };
        if !spec.challenges[c as usize].meta {
            self.report(
                ProblemKind::NotMeta,
                &[site],
                format!(
                    "the final meta `{slug}`{} is not a meta: set `meta = true` on it",
                    self.map.line_suffix(Site::Field(c, "id"))
                ),
            );
        }
        Some(c)
    }
}

/// Challenge ids, indexed by their folded form so that near-duplicates meet.
struct Ids<'a> {
    challenges: &'a [ChallengeSpec],
    /// Folded id → the first challenge with it.
    folded: HashMap<Cow<'a, str>, u32>,
    /// Ids reported as near-duplicates of an earlier one.
    rejected: HashMap<&'a str, u32>,
}

impl Ids<'_> {
    /// The challenge with exactly this id.
    fn get(&self, id: &str) -> Option<u32> {
        self.folded
            .get(fold(id).as_ref())
            .copied()
            .filter(|&c| self.challenges[c as usize].id == id)
            .or_else(|| self.rejected.get(id).copied())
    }
}

/// "answer 2 of challenge `x`", formatted only if reported.
struct Nth<'a>(&'static str, usize, ChallengeName<'a>);

impl Display for Nth<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {} of {}", self.0, self.1 + 1, self.2)
    }
}
