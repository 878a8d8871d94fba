//! Scoring: each `scoring` table (a rule and exactly its parameters, in range), each
//! `first_blood` list, and the scoring of each challenge from its own table or the hunt's.
//!
//! Each `scoring` and `first_blood` is checked once, where it is written: the hunt's defaults
//! at the top, a challenge's own in the challenge. A challenge that takes a hunt default with
//! a problem is not reported again.

use std::fmt::Display;

use super::super::keys::{Key, names};
use super::super::location::Site;
use super::super::problem::ProblemKind;
use super::super::spec::{ChallengeSpec, ScoringKind, ScoringSpec};
use super::super::{ChallengeName, MAX_FIRST_BLOOD, MAX_FIRST_BLOOD_PERCENT, MAX_POINTS};
use super::{Validator, to_u32};
use crate::scoring::{Scoring, ValueMode, ValueRule};
use Key::{
    ScoringDecay, ScoringDifficulty, ScoringInitial, ScoringMax, ScoringMin, ScoringMinRatio,
    ScoringMinimum, ScoringMode, ScoringOriginal, ScoringPoints,
};

/// A checked `scoring` table: its rule, with the top value open when the table leaves it to
/// each challenge's `points`.
#[derive(Debug, Clone, Copy)]
pub(super) struct Shape {
    kind: ScoringKind,
    top: Option<i64>,
    /// The least value (`minimum`, `min`), which the top value must not be under; 0 if none.
    floor: i64,
    decay: i64,
    min_ratio: f64,
    difficulty: f64,
    mode: ValueMode,
}

impl Shape {
    /// `static` with the points left to each challenge: the hunt default when `scoring` is
    /// absent.
    pub(super) const STATIC: Shape = Shape {
        kind: ScoringKind::Static,
        top: None,
        floor: 0,
        decay: 0,
        min_ratio: 0.25,
        difficulty: 5.0,
        mode: ValueMode::Retroactive,
    };

    fn rule(&self, top: i64) -> ValueRule {
        let (floor, decay) = (self.floor, self.decay);
        match self.kind {
            ScoringKind::CtfdLinear => ValueRule::CtfdLinear {
                initial: top,
                minimum: floor,
                decay,
            },
            ScoringKind::CtfdLog => ValueRule::CtfdLog {
                initial: top,
                minimum: floor,
                decay,
            },
            ScoringKind::Rctf => ValueRule::Rctf {
                max: top,
                min: floor,
            },
            ScoringKind::Gzctf => ValueRule::Gzctf {
                original: top,
                min_ratio: self.min_ratio,
                difficulty: self.difficulty,
            },
            _ => ValueRule::Static { points: top },
        }
    }
}

/// The parameters of each rule: the top value first, then the required ones, then the
/// optional ones.
fn parameters(kind: ScoringKind) -> (Key, &'static [Key], &'static [Key]) {
    match kind {
        ScoringKind::CtfdLinear | ScoringKind::CtfdLog => {
            (ScoringInitial, &[ScoringMinimum, ScoringDecay], &[])
        }
        ScoringKind::Rctf => (ScoringMax, &[ScoringMin], &[]),
        ScoringKind::Gzctf => (ScoringOriginal, &[], &[ScoringMinRatio, ScoringDifficulty]),
        _ => (ScoringPoints, &[], &[]),
    }
}

/// "`a`, `b` and `c`".
fn and_list(names: &[&str]) -> String {
    let quoted: Vec<String> = names.iter().map(|name| format!("`{name}`")).collect();
    match quoted.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        _ => quoted.concat(),
    }
}

impl Validator<'_, '_, '_> {
    /// Checks a `scoring` table of the hunt (`owner` `None`) or of a challenge.
    pub(super) fn scoring_table(
        &mut self,
        s: &ScoringSpec,
        owner: Option<u32>,
        of: &dyn Display,
    ) -> Option<Shape> {
        let site = |param: Key| Site::key(owner, param);
        let table = Site::key(owner, Key::Scoring);
        let rule = s.rule.as_str();
        let (top_key, required, optional) = parameters(s.rule);
        let ints = [
            (ScoringPoints, s.points),
            (ScoringInitial, s.initial),
            (ScoringMinimum, s.minimum),
            (ScoringDecay, s.decay),
            (ScoringMax, s.max),
            (ScoringMin, s.min),
            (ScoringOriginal, s.original),
        ];
        let floats = [
            (ScoringMinRatio, s.min_ratio),
            (ScoringDifficulty, s.difficulty),
        ];
        let present = ints
            .iter()
            .filter(|(_, v)| v.is_some())
            .map(|(k, _)| *k)
            .chain(floats.iter().filter(|(_, v)| v.is_some()).map(|(k, _)| *k));
        let mut taken: Vec<Key> = vec![top_key];
        taken.extend(required);
        taken.extend(optional);
        let mut ok = true;
        for param in present {
            if !taken.contains(&param) {
                ok = false;
                self.report(
                    ProblemKind::UnknownKey,
                    &[site(param), table],
                    format!(
                        "{param} is not a parameter of the `{rule}` rule in {of}; it takes {}",
                        and_list(&names(&taken))
                    ),
                );
            }
        }
        let int = |key: Key| ints.iter().find(|(k, _)| *k == key).and_then(|(_, v)| *v);
        for &param in required {
            if int(param).is_none() && self.ok(site(param)) {
                ok = false;
                self.report(
                    ProblemKind::MissingKey,
                    &[table],
                    format!("missing key {param} in {of}: the `{rule}` rule needs it"),
                );
            }
        }
        // Every integer parameter is a number of points, or (`decay` of `ctfd-log`) of solves.
        for &param in std::iter::once(&top_key).chain(required) {
            if !self.ok(site(param)) {
                ok = false;
            } else if let Some(value) = int(param) {
                ok &= self.check_range(
                    value,
                    0,
                    MAX_POINTS,
                    site(param),
                    &format_args!("{param} in {of}"),
                );
            }
        }
        let floor_key = required.first().copied();
        let floor = floor_key.and_then(int).unwrap_or(0);
        let top = int(top_key);
        if let (Some(floor_key), Some(top)) = (floor_key, top)
            && ok
            && floor > top
        {
            ok = false;
            self.report(
                ProblemKind::OutOfRange,
                &[site(floor_key), table],
                format!("{floor_key} in {of} is {floor}, above {top_key} ({top})"),
            );
        }
        let mut min_ratio = 0.25;
        let mut difficulty = 5.0;
        if s.rule == ScoringKind::Gzctf {
            if let Some(ratio) = s.min_ratio
                && self.ok(site(ScoringMinRatio))
            {
                min_ratio = ratio;
                if !(0.0..=1.0).contains(&ratio) {
                    ok = false;
                    self.report(
                        ProblemKind::OutOfRange,
                        &[site(ScoringMinRatio), table],
                        format!("{ScoringMinRatio} in {of} is {ratio}; it must be from 0 to 1"),
                    );
                }
            }
            if let Some(d) = s.difficulty
                && self.ok(site(ScoringDifficulty))
            {
                difficulty = d;
                if !(d.is_finite() && d > 0.0) {
                    ok = false;
                    self.report(
                        ProblemKind::OutOfRange,
                        &[site(ScoringDifficulty), table],
                        format!("{ScoringDifficulty} in {of} is {d}; it must be a positive number"),
                    );
                }
            }
        }
        if s.mode == ValueMode::CaptureTime && s.rule == ScoringKind::Rctf {
            ok = false;
            self.report(
                ProblemKind::BadValue,
                &[site(ScoringMode), table],
                format!(
                    "`mode = \"capture-time\"` in {of} cannot be used with the `rctf` rule: an rCTF value depends on the solves of every other challenge, so it cannot be fixed at the time of a solve; use `retroactive` or another rule"
                ),
            );
        }
        ok.then_some(Shape {
            kind: s.rule,
            top,
            floor,
            decay: int(ScoringDecay).unwrap_or(0),
            min_ratio,
            difficulty,
            mode: s.mode,
        })
    }

    /// Checks a `first_blood` list of the hunt or of a challenge.
    pub(super) fn first_blood(
        &mut self,
        bonuses: &[i64],
        owner: Option<u32>,
        of: &dyn Display,
    ) -> Option<Vec<u32>> {
        let site = Site::key(owner, Key::FirstBlood);
        if !self.ok(site) {
            return None;
        }
        let mut ok = true;
        if bonuses.len() > MAX_FIRST_BLOOD {
            ok = false;
            self.report(
                ProblemKind::OutOfRange,
                &[site],
                format!(
                    "{of} has {} first-blood bonuses; at most {MAX_FIRST_BLOOD} are allowed",
                    bonuses.len()
                ),
            );
        }
        let mut percents = Vec::with_capacity(bonuses.len());
        for (k, &percent) in bonuses.iter().enumerate() {
            ok &= self.check_range(
                percent,
                0,
                MAX_FIRST_BLOOD_PERCENT,
                Site::FirstBlood(owner, to_u32(k)),
                &format_args!("first-blood bonus {} (in percent) of {of}", k + 1),
            );
            percents.push(u32::try_from(percent).unwrap_or(0));
        }
        ok.then_some(percents)
    }

    /// The scoring of one challenge: its own table or the hunt's (`hunt` is `None` when the
    /// hunt's has a problem), its `points` and its first bloods (`hunt_bonuses` likewise).
    pub(super) fn challenge_scoring(
        &mut self,
        c: &ChallengeSpec,
        i: u32,
        hunt: Option<Shape>,
        hunt_bonuses: Option<&[u32]>,
    ) -> Option<Scoring> {
        let name = ChallengeName(&c.id, i);
        let field = |key| Site::Field(i, key);
        let first_blood = match &c.first_blood {
            Some(own) => self.first_blood(own, Some(i), &format_args!("{name}")),
            None => hunt_bonuses.map(<[u32]>::to_vec),
        };
        // A table the parser could not read is absent from the spec, and broken in the map.
        let (shape, own) = match &c.scoring {
            _ if !self.ok(field(Key::Scoring)) => (None, true),
            Some(own) => (
                self.scoring_table(own, Some(i), &format_args!("`scoring` of {name}")),
                true,
            ),
            None => (hunt, false),
        };
        let shape = shape?;
        let (top_key, _, _) = parameters(shape.kind);
        let top = match (c.points, shape.top) {
            (Some(_), Some(_)) if own => {
                self.report(
                    ProblemKind::BadValue,
                    &[field(Key::Points), Site::Challenge(i)],
                    format!(
                        "{name} gives its value twice, in {} and in `{}`; keep one",
                        Key::Points,
                        top_key.path()
                    ),
                );
                return None;
            }
            (Some(points), _) => {
                if !self.ok(field(Key::Points)) || !(0..=MAX_POINTS).contains(&points) {
                    return None;
                }
                if shape.floor > points {
                    let floor_key = parameters(shape.kind)
                        .1
                        .first()
                        .copied()
                        .unwrap_or(ScoringMin);
                    self.report(
                        ProblemKind::OutOfRange,
                        &[field(Key::Points), Site::Challenge(i)],
                        format!(
                            "{} of {name} is {points}, below the {floor_key} of its scoring rule ({})",
                            Key::Points,
                            shape.floor
                        ),
                    );
                    return None;
                }
                points
            }
            (None, Some(top)) => top,
            (None, None) => {
                if self.ok(field(Key::Points)) {
                    let why = if shape.kind == ScoringKind::Static {
                        String::new()
                    } else {
                        format!(
                            ": its `{}` scoring rule gives no {top_key}",
                            shape.kind.as_str()
                        )
                    };
                    self.report(
                        ProblemKind::MissingKey,
                        &[Site::Challenge(i)],
                        format!("missing key {} in {name}{why}", Key::Points),
                    );
                }
                return None;
            }
        };
        Some(Scoring {
            rule: shape.rule(top),
            mode: shape.mode,
            first_blood: first_blood?,
        })
    }
}

/// The most a challenge can be worth to one team: its top value plus the largest first-blood
/// bonus, as [`Scoring::points`] computes it.
pub(super) fn most_points(scoring: &Scoring) -> i64 {
    let top = match scoring.rule {
        ValueRule::Static { points } => points,
        ValueRule::CtfdLinear {
            initial, minimum, ..
        }
        | ValueRule::CtfdLog {
            initial, minimum, ..
        } => initial.max(minimum),
        ValueRule::Rctf { max, min } => max.max(min),
        ValueRule::Gzctf { original, .. } => original,
    };
    let bonus = scoring.first_blood.iter().copied().max().unwrap_or(0);
    top.saturating_add(top.saturating_mul(i64::from(bonus)) / 100)
}
