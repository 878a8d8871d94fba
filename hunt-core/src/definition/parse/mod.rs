//! Reading TOML text into a [`HuntSpec`], with the span of every value.
//!
//! The document is parsed into toml's spanned tree ([`DeTable`]) and walked by hand rather
//! than deserialized with serde, because serde stops at the first unknown key or wrong type
//! and we report them all. A value that cannot be read is reported here, replaced by a
//! placeholder in the spec and marked broken in the [`SourceMap`], so validation does not
//! report it a second time.
//!
//! This file walks the top level; each kind of table has its file (challenges, scoring,
//! throttles, hints, divisions, unlock rules), all built on the generic spanned readers of
//! `readers`.

mod challenge;
mod divisions;
mod hints;
mod readers;
mod scoring;
mod throttle;
mod unlock;

use std::ops::Range;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::keys::{self, Key};
use super::location::{Site, SourceMap};
use super::problem::{ProblemKind, Problems};
use super::spec::{HuntSpec, LimitsSpec};
use crate::hint::HintCharge;
use crate::hunt::{LockedView, RankingOrder, SharedRanks};
use crate::time::Timestamp;

type Value<'i> = Spanned<DeValue<'i>>;

const HINT_CHARGES: &[(&str, HintCharge)] = &[
    ("taken", HintCharge::Taken),
    ("on-solve", HintCharge::OnSolve),
];

const RANKINGS: &[(&str, RankingOrder)] = &[
    ("points", RankingOrder::Points),
    ("puzzle-hunt", RankingOrder::PuzzleHunt),
];

const SHARED_RANKS: &[(&str, SharedRanks)] = &[
    ("standard", SharedRanks::Standard),
    ("dense", SharedRanks::Dense),
    ("ordinal", SharedRanks::Ordinal),
];

const LOCKED_VIEWS: &[(&str, LockedView)] = &[
    ("hidden", LockedView::Hidden),
    ("preview", LockedView::Preview),
];

/// Parses `source`: the spec (`None` if the text is not TOML) and the problems found so far.
pub(crate) fn parse(source: &str) -> (Option<HuntSpec>, SourceMap<'_>, Problems) {
    let mut walker = Walker {
        map: SourceMap::new(Some(source)),
        problems: Problems::default(),
    };
    let (document, errors) = DeTable::parse_recoverable(source);
    if !errors.is_empty() {
        // What recovery leaves is a guess; checking it would report problems that are not there.
        for error in errors {
            walker.problems.push(
                ProblemKind::Syntax,
                error.span(),
                format!("invalid TOML: {}", error.message().trim_end()),
            );
        }
        return (None, walker.map, walker.problems);
    }
    let spec = walker.hunt(document.get_ref());
    (Some(spec), walker.map, walker.problems)
}

/// The entries of one table, after unknown keys have been reported.
struct Entries<'t, 'i> {
    /// The table's span; `None` for the document, whose problems have no better place.
    span: Option<Range<usize>>,
    /// What the table is, for messages: "at the top level", "in challenge `warmup`".
    context: String,
    items: Vec<(&'t str, &'t Value<'i>)>,
    /// Known keys that an unknown key was reported as a likely typo of; they are not also
    /// reported missing.
    misspelled: Vec<String>,
}

impl<'t, 'i> Entries<'t, 'i> {
    fn get(&self, key: Key) -> Option<&'t Value<'i>> {
        self.items
            .iter()
            .find(|(k, _)| *k == key.name())
            .map(|(_, v)| *v)
    }
}

struct Walker<'s> {
    map: SourceMap<'s>,
    problems: Problems,
}

impl Walker<'_> {
    pub(super) fn hunt(&mut self, document: &DeTable<'_>) -> HuntSpec {
        let e = self.entries(document, None, keys::HUNT, "at the top level".to_owned());
        let id = self.required(&e, Key::Id, Site::Hunt(Key::Id), Self::string);
        let title = self.required(&e, Key::Title, Site::Hunt(Key::Title), Self::string);
        let start = self.required(&e, Key::Start, Site::Hunt(Key::Start), Self::timestamp);
        let end = self.required(&e, Key::End, Site::Hunt(Key::End), Self::timestamp);
        let freeze = self.optional(&e, Key::Freeze, Site::Hunt(Key::Freeze), Self::timestamp);
        let ranking = self.optional(
            &e,
            Key::Ranking,
            Site::Hunt(Key::Ranking),
            |w, v, s, what| w.choice(v, s, what, RANKINGS),
        );
        let shared_ranks = self.optional(
            &e,
            Key::SharedRanks,
            Site::Hunt(Key::SharedRanks),
            |w, v, s, what| w.choice(v, s, what, SHARED_RANKS),
        );
        let final_meta =
            self.optional(&e, Key::FinalMeta, Site::Hunt(Key::FinalMeta), Self::string);
        let normalization = self.optional(
            &e,
            Key::Normalization,
            Site::Hunt(Key::Normalization),
            Self::normalization,
        );
        let locked_view = self.optional(
            &e,
            Key::LockedView,
            Site::Hunt(Key::LockedView),
            |w, v, s, what| w.choice(v, s, what, LOCKED_VIEWS),
        );
        let scoring = self.optional(
            &e,
            Key::Scoring,
            Site::Hunt(Key::Scoring),
            |w, v, _, what| w.scoring(v, None, what),
        );
        let first_blood = self.optional(
            &e,
            Key::FirstBlood,
            Site::Hunt(Key::FirstBlood),
            |w, v, s, what| w.first_blood(v, s, what, None),
        );
        let hint_charge = self.optional(
            &e,
            Key::HintCharge,
            Site::Hunt(Key::HintCharge),
            |w, v, s, what| w.choice(v, s, what, HINT_CHARGES),
        );
        let team_throttle = self.optional(
            &e,
            Key::TeamThrottle,
            Site::Hunt(Key::TeamThrottle),
            |w, v, _, what| w.rate_window(v, None, keys::TEAM_WINDOW, what),
        );
        let throttle = self.optional(
            &e,
            Key::Throttle,
            Site::Hunt(Key::Throttle),
            |w, v, _, what| w.throttle(v, None, what),
        );
        let limits = e
            .get(Key::Limits)
            .map_or_else(LimitsSpec::default, |v| self.limits(v));
        let secret_fingerprint = self.optional(
            &e,
            Key::SecretFingerprint,
            Site::Hunt(Key::SecretFingerprint),
            Self::string,
        );
        let divisions = self
            .optional(
                &e,
                Key::Division,
                Site::Hunt(Key::Division),
                |w, v, _, _| w.divisions(v),
            )
            .unwrap_or_default();
        let mut challenges = Vec::new();
        if let Some(value) = e.get(Key::Challenge) {
            match value.get_ref() {
                DeValue::Array(items) => {
                    for item in items.iter() {
                        let index = u32::try_from(challenges.len()).unwrap_or(u32::MAX);
                        if let Some(challenge) = self.challenge(item, index) {
                            challenges.push(challenge);
                        }
                    }
                }
                _ => self.wrong_type(value, "`challenge`", "an array of tables ([[challenge]])"),
            }
        }
        HuntSpec {
            id: id.unwrap_or_default(),
            title: title.unwrap_or_default(),
            start: start.unwrap_or(Timestamp(0)),
            end: end.unwrap_or(Timestamp(0)),
            freeze,
            ranking: ranking.unwrap_or_default(),
            shared_ranks: shared_ranks.unwrap_or_default(),
            final_meta,
            normalization: normalization.unwrap_or_default(),
            locked_view: locked_view.unwrap_or_default(),
            scoring,
            first_blood: first_blood.unwrap_or_default(),
            hint_charge: hint_charge.unwrap_or_default(),
            team_throttle,
            throttle,
            limits,
            secret_fingerprint,
            divisions,
            challenges,
        }
    }

    pub(super) fn limits(&mut self, value: &Value<'_>) -> LimitsSpec {
        let DeValue::Table(table) = value.get_ref() else {
            self.wrong_type(value, "`limits`", "a table");
            return LimitsSpec::default();
        };
        let e = self.entries(
            table,
            Some(value.span()),
            keys::LIMITS,
            "in `limits`".to_owned(),
        );
        let mut limit = |key: Key| self.optional(&e, key, Site::Limit(key), Self::integer);
        LimitsSpec {
            max_answer_bytes: limit(Key::MaxAnswerBytes),
            max_team_name_bytes: limit(Key::MaxTeamNameBytes),
            max_reason_bytes: limit(Key::MaxReasonBytes),
        }
    }
}
