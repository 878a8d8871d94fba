//! Reading TOML text into a [`HuntSpec`], with the span of every value.
//!
//! The document is parsed into toml's spanned tree ([`DeTable`]) and walked by hand rather
//! than deserialized with serde, because serde stops at the first unknown key or wrong type
//! and we report them all. A value that cannot be read is reported here, replaced by a
//! placeholder in the spec and marked broken in the [`SourceMap`], so validation does not
//! report it a second time.

mod readers;

use readers::{quoted_list, suggestion};

use std::ops::Range;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::location::{Site, SourceMap};
use super::problem::{ProblemKind, Problems};
use super::spec::{
    BackoffKind, BackoffSpec, ChallengeSpec, DivisionSpec, HintSpec, HuntSpec, LimitsSpec,
    PartialSpec, RULE_KEYS, RateWindowSpec, ScoringKind, ScoringSpec, ThrottleSpec, UnlockSpec,
};
use super::{ChallengeName, MAX_RULE_DEPTH};
use crate::hint::HintCharge;
use crate::hunt::{LockedView, RankingOrder, SharedRanks};
use crate::scoring::ValueMode;
use crate::time::{Span, Timestamp};

type Value<'i> = Spanned<DeValue<'i>>;

const HUNT_KEYS: &[&str] = &[
    "id",
    "title",
    "start",
    "end",
    "freeze",
    "ranking",
    "shared_ranks",
    "final_meta",
    "normalization",
    "locked_view",
    "scoring",
    "first_blood",
    "hint_charge",
    "team_throttle",
    "throttle",
    "limits",
    "secret_fingerprint",
    "division",
    "challenge",
];

const LIMIT_KEYS: &[&str] = &[
    "max_answer_bytes",
    "max_team_name_bytes",
    "max_reason_bytes",
];

const CHALLENGE_KEYS: &[&str] = &[
    "id",
    "title",
    "content",
    "round",
    "meta",
    "points",
    "scoring",
    "first_blood",
    "answers",
    "sealed",
    "answer_template",
    "normalization",
    "partial",
    "hint",
    "unlock",
    "tie_break",
    "max_attempts",
    "attempts_reset",
    "throttle",
    "locked_view",
];

/// The keys of a `scoring` table, with the site key of each.
pub(crate) const SCORING_KEYS: &[(&str, &str)] = &[
    ("rule", "scoring.rule"),
    ("points", "scoring.points"),
    ("initial", "scoring.initial"),
    ("minimum", "scoring.minimum"),
    ("decay", "scoring.decay"),
    ("max", "scoring.max"),
    ("min", "scoring.min"),
    ("original", "scoring.original"),
    ("min_ratio", "scoring.min_ratio"),
    ("difficulty", "scoring.difficulty"),
    ("mode", "scoring.mode"),
];

/// The site keys of a rate window table: the table, `attempts`, `per`.
pub(crate) type WindowKeys = [&'static str; 3];
pub(crate) const TEAM_WINDOW: WindowKeys = [
    "team_throttle",
    "team_throttle.attempts",
    "team_throttle.per",
];
pub(crate) const THROTTLE_WINDOW: WindowKeys = [
    "throttle.window",
    "throttle.window.attempts",
    "throttle.window.per",
];

const VALUE_MODES: &[(&str, ValueMode)] = &[
    ("retroactive", ValueMode::Retroactive),
    ("capture-time", ValueMode::CaptureTime),
];

const HINT_CHARGES: &[(&str, HintCharge)] = &[
    ("taken", HintCharge::Taken),
    ("on-solve", HintCharge::OnSolve),
];

const BACKOFF_KINDS: &[(&str, BackoffKind)] = &[
    ("quadratic", BackoffKind::Quadratic),
    ("linear", BackoffKind::Linear),
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
    fn get(&self, key: &str) -> Option<&'t Value<'i>> {
        self.items.iter().find(|(k, _)| *k == key).map(|(_, v)| *v)
    }
}

struct Walker<'s> {
    map: SourceMap<'s>,
    problems: Problems,
}

impl Walker<'_> {
    fn hunt(&mut self, document: &DeTable<'_>) -> HuntSpec {
        let e = self.entries(document, None, HUNT_KEYS, "at the top level".to_owned());
        let id = self.required(&e, "id", Site::Hunt("id"), Self::string);
        let title = self.required(&e, "title", Site::Hunt("title"), Self::string);
        let start = self.required(&e, "start", Site::Hunt("start"), Self::timestamp);
        let end = self.required(&e, "end", Site::Hunt("end"), Self::timestamp);
        let freeze = self.optional(&e, "freeze", Site::Hunt("freeze"), Self::timestamp);
        let ranking = self.optional(&e, "ranking", Site::Hunt("ranking"), |w, v, s, what| {
            w.choice(v, s, what, RANKINGS)
        });
        let shared_ranks = self.optional(
            &e,
            "shared_ranks",
            Site::Hunt("shared_ranks"),
            |w, v, s, what| w.choice(v, s, what, SHARED_RANKS),
        );
        let final_meta = self.optional(&e, "final_meta", Site::Hunt("final_meta"), Self::string);
        let normalization = self.optional(
            &e,
            "normalization",
            Site::Hunt("normalization"),
            Self::normalization,
        );
        let locked_view = self.optional(
            &e,
            "locked_view",
            Site::Hunt("locked_view"),
            |w, v, s, what| w.choice(v, s, what, LOCKED_VIEWS),
        );
        let scoring = self.optional(&e, "scoring", Site::Hunt("scoring"), |w, v, _, what| {
            w.scoring(v, None, what)
        });
        let first_blood = self.optional(
            &e,
            "first_blood",
            Site::Hunt("first_blood"),
            |w, v, s, what| w.first_blood(v, s, what, None),
        );
        let hint_charge = self.optional(
            &e,
            "hint_charge",
            Site::Hunt("hint_charge"),
            |w, v, s, what| w.choice(v, s, what, HINT_CHARGES),
        );
        let team_throttle = self.optional(
            &e,
            "team_throttle",
            Site::Hunt("team_throttle"),
            |w, v, _, what| w.rate_window(v, None, TEAM_WINDOW, what),
        );
        let throttle = self.optional(&e, "throttle", Site::Hunt("throttle"), |w, v, _, what| {
            w.throttle(v, None, what)
        });
        let limits = e
            .get("limits")
            .map_or_else(LimitsSpec::default, |v| self.limits(v));
        let secret_fingerprint = self.optional(
            &e,
            "secret_fingerprint",
            Site::Hunt("secret_fingerprint"),
            Self::string,
        );
        let divisions = self
            .optional(&e, "division", Site::Hunt("division"), |w, v, _, _| {
                w.divisions(v)
            })
            .unwrap_or_default();
        let mut challenges = Vec::new();
        if let Some(value) = e.get("challenge") {
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

    /// A `scoring` table of the hunt (`owner` `None`) or of a challenge.
    fn scoring(
        &mut self,
        value: &Value<'_>,
        owner: Option<u32>,
        what: &str,
    ) -> Option<ScoringSpec> {
        let DeValue::Table(table) = value.get_ref() else {
            self.wrong_type(value, what, "a table such as { rule = \"ctfd-log\", … }");
            return None;
        };
        let keys: Vec<&str> = SCORING_KEYS.iter().map(|(key, _)| *key).collect();
        let e = self.entries(table, Some(value.span()), &keys, format!("in {what}"));
        let site = |key: &str| {
            let dotted = SCORING_KEYS
                .iter()
                .find(|(k, _)| *k == key)
                .map_or("scoring", |(_, dotted)| dotted);
            Site::key(owner, dotted)
        };
        let kinds = ScoringKind::ALL;
        let rule = self.required(&e, "rule", site("rule"), |w, v, s, what| {
            w.choice(v, s, what, &kinds)
        });
        let int = |w: &mut Self, key| w.optional(&e, key, site(key), Self::integer);
        let points = int(self, "points");
        let initial = int(self, "initial");
        let minimum = int(self, "minimum");
        let decay = int(self, "decay");
        let max = int(self, "max");
        let min = int(self, "min");
        let original = int(self, "original");
        let min_ratio = self.optional(&e, "min_ratio", site("min_ratio"), Self::float);
        let difficulty = self.optional(&e, "difficulty", site("difficulty"), Self::float);
        let mode = self.optional(&e, "mode", site("mode"), |w, v, s, what| {
            w.choice(v, s, what, VALUE_MODES)
        });
        Some(ScoringSpec {
            rule: rule?,
            points,
            initial,
            minimum,
            decay,
            max,
            min,
            original,
            min_ratio,
            difficulty,
            mode: mode.unwrap_or_default(),
        })
    }

    /// A `first_blood` list; each entry's span is recorded under [`Site::FirstBlood`].
    fn first_blood(
        &mut self,
        value: &Value<'_>,
        site: Site,
        what: &str,
        owner: Option<u32>,
    ) -> Option<Vec<i64>> {
        self.map.record(site, value.span());
        let DeValue::Array(items) = value.get_ref() else {
            self.wrong_type(value, what, "an array of percentages such as [5, 3, 1]");
            return None;
        };
        let mut bonuses = Vec::with_capacity(items.len());
        let mut ok = true;
        for item in items.iter() {
            let k = u32::try_from(bonuses.len()).unwrap_or(u32::MAX);
            match self.integer(
                item,
                Site::FirstBlood(owner, k),
                &format!("each entry of {what}"),
            ) {
                Some(percent) => bonuses.push(percent),
                None => ok = false,
            }
        }
        ok.then_some(bonuses)
    }

    /// `{ attempts = …, per = "…" }`, its sites named by `keys`.
    fn rate_window(
        &mut self,
        value: &Value<'_>,
        owner: Option<u32>,
        keys: WindowKeys,
        what: &str,
    ) -> Option<RateWindowSpec> {
        let DeValue::Table(table) = value.get_ref() else {
            self.wrong_type(value, what, "a table { attempts = …, per = \"…\" }");
            return None;
        };
        let e = self.entries(
            table,
            Some(value.span()),
            &["attempts", "per"],
            format!("in {what}"),
        );
        let attempts = self.required(&e, "attempts", Site::key(owner, keys[1]), Self::integer);
        let per = self.required(&e, "per", Site::key(owner, keys[2]), Self::span);
        Some(RateWindowSpec {
            attempts: attempts?,
            per: per?,
        })
    }

    /// A `throttle` table of the hunt or of a challenge.
    fn throttle(
        &mut self,
        value: &Value<'_>,
        owner: Option<u32>,
        what: &str,
    ) -> Option<ThrottleSpec> {
        let DeValue::Table(table) = value.get_ref() else {
            self.wrong_type(value, what, "a table { window = …, backoff = … }");
            return None;
        };
        let e = self.entries(
            table,
            Some(value.span()),
            &["window", "backoff"],
            format!("in {what}"),
        );
        let site = |key| Site::key(owner, key);
        let window = self.optional(&e, "window", site("throttle.window"), |w, v, _, what| {
            w.rate_window(v, owner, THROTTLE_WINDOW, what)
        });
        let backoff = self.optional(&e, "backoff", site("throttle.backoff"), |w, v, _, what| {
            let DeValue::Table(table) = v.get_ref() else {
                w.wrong_type(v, what, "a table { kind = \"…\", step = \"…\" }");
                return None;
            };
            let e = w.entries(
                table,
                Some(v.span()),
                &["kind", "step", "free"],
                format!("in {what}"),
            );
            let kind = w.required(
                &e,
                "kind",
                site("throttle.backoff.kind"),
                |w, v, s, what| w.choice(v, s, what, BACKOFF_KINDS),
            );
            let step = w.required(&e, "step", site("throttle.backoff.step"), Self::span);
            let free = w.optional(&e, "free", site("throttle.backoff.free"), Self::integer);
            Some(BackoffSpec {
                kind: kind?,
                step: step?,
                free,
            })
        });
        // A broken window or back-off is reported and dropped; the rest is still checked.
        Some(ThrottleSpec { window, backoff })
    }

    fn divisions(&mut self, value: &Value<'_>) -> Option<Vec<DivisionSpec>> {
        let DeValue::Array(items) = value.get_ref() else {
            self.wrong_type(value, "`division`", "an array of tables ([[division]])");
            return None;
        };
        let mut divisions = Vec::with_capacity(items.len());
        for item in items.iter() {
            let DeValue::Table(table) = item.get_ref() else {
                self.wrong_type(item, "each `division`", "a table");
                continue;
            };
            let k = u32::try_from(divisions.len()).unwrap_or(u32::MAX);
            self.map.record(Site::Division(k), item.span());
            let e = self.entries(
                table,
                Some(item.span()),
                &["id", "affects_values"],
                format!("in division #{}", u64::from(k) + 1),
            );
            let field = |key| Site::DivisionField(k, key);
            let id = self.required(&e, "id", field("id"), Self::string);
            let affects_values =
                self.optional(&e, "affects_values", field("affects_values"), Self::boolean);
            divisions.push(DivisionSpec {
                id: id.unwrap_or_default(),
                affects_values: affects_values.unwrap_or(true),
            });
        }
        Some(divisions)
    }

    fn limits(&mut self, value: &Value<'_>) -> LimitsSpec {
        let DeValue::Table(table) = value.get_ref() else {
            self.wrong_type(value, "`limits`", "a table");
            return LimitsSpec::default();
        };
        let e = self.entries(
            table,
            Some(value.span()),
            LIMIT_KEYS,
            "in `limits`".to_owned(),
        );
        let mut limit = |key: &'static str| self.optional(&e, key, Site::Limit(key), Self::integer);
        LimitsSpec {
            max_answer_bytes: limit("max_answer_bytes"),
            max_team_name_bytes: limit("max_team_name_bytes"),
            max_reason_bytes: limit("max_reason_bytes"),
        }
    }

    fn challenge(&mut self, value: &Value<'_>, index: u32) -> Option<ChallengeSpec> {
        let DeValue::Table(table) = value.get_ref() else {
            self.wrong_type(value, "each `challenge`", "a table");
            return None;
        };
        self.map.record(Site::Challenge(index), value.span());
        // The id first, to name the challenge in the messages about the other keys.
        let named_id = table
            .iter()
            .find(|(k, _)| k.get_ref() == "id")
            .and_then(|(_, v)| v.get_ref().as_str());
        let name = ChallengeName(named_id.unwrap_or(""), index).to_string();
        let e = self.entries(
            table,
            Some(value.span()),
            CHALLENGE_KEYS,
            format!("in {name}"),
        );
        let field = |key| Site::Field(index, key);
        let id = self.required(&e, "id", field("id"), Self::string);
        let title = self.required(&e, "title", field("title"), Self::string);
        let content = self.optional(&e, "content", field("content"), Self::string);
        let round = self.optional(&e, "round", field("round"), Self::string);
        let meta = self.optional(&e, "meta", field("meta"), Self::boolean);
        let points = self.optional(&e, "points", field("points"), Self::integer);
        let scoring = self.optional(&e, "scoring", field("scoring"), |w, v, _, what| {
            w.scoring(v, Some(index), what)
        });
        let first_blood =
            self.optional(&e, "first_blood", field("first_blood"), |w, v, s, what| {
                w.first_blood(v, s, what, Some(index))
            });
        let answer_template = self.optional(
            &e,
            "answer_template",
            field("answer_template"),
            Self::string,
        );
        let attempts_reset =
            self.optional(&e, "attempts_reset", field("attempts_reset"), Self::span);
        let throttle = self.optional(&e, "throttle", field("throttle"), |w, v, _, what| {
            w.throttle(v, Some(index), what)
        });
        let answers = self.optional(&e, "answers", field("answers"), |w, v, s, what| {
            w.strings(v, s, what, |k| Site::Answer(index, k))
        });
        let sealed = self.optional(&e, "sealed", field("sealed"), |w, v, s, what| {
            w.strings(v, s, what, |k| Site::Sealed(index, k))
        });
        let normalization = self.optional(
            &e,
            "normalization",
            field("normalization"),
            Self::normalization,
        );
        let tie_break = self.optional(&e, "tie_break", field("tie_break"), Self::boolean);
        let max_attempts = self.optional(&e, "max_attempts", field("max_attempts"), Self::integer);
        let locked_view =
            self.optional(&e, "locked_view", field("locked_view"), |w, v, s, what| {
                w.choice(v, s, what, LOCKED_VIEWS)
            });
        let partial = e.get("partial").map_or_else(Vec::new, |v| {
            self.map.record(field("partial"), v.span());
            self.partials(v, index, &name)
        });
        let hints = e.get("hint").map_or_else(Vec::new, |v| {
            self.map.record(field("hint"), v.span());
            self.hints(v, index, &name)
        });
        let unlock = e.get("unlock").map_or(UnlockSpec::Always, |v| {
            self.map.record(field("unlock"), v.span());
            let mut next = 0;
            self.rule(v, index, &name, &mut next, 1)
        });
        Some(ChallengeSpec {
            id: id.unwrap_or_default(),
            title: title.unwrap_or_default(),
            content: content.unwrap_or_default(),
            round,
            meta: meta.unwrap_or(false),
            points,
            scoring,
            first_blood,
            answers: answers.unwrap_or_default(),
            sealed: sealed.unwrap_or_default(),
            answer_template,
            normalization,
            tie_break: tie_break.unwrap_or(true),
            max_attempts,
            attempts_reset,
            throttle,
            locked_view,
            partial,
            hints,
            unlock,
        })
    }

    fn partials(&mut self, value: &Value<'_>, index: u32, name: &str) -> Vec<PartialSpec> {
        let what = format!("`partial` of {name}");
        let DeValue::Array(items) = value.get_ref() else {
            self.wrong_type(value, &what, "an array of tables");
            self.map.mark_broken(Site::Field(index, "partial"));
            return Vec::new();
        };
        let mut partials = Vec::new();
        for item in items.iter() {
            let DeValue::Table(table) = item.get_ref() else {
                self.wrong_type(item, &format!("each {what}"), "a table");
                continue;
            };
            let k = u32::try_from(partials.len()).unwrap_or(u32::MAX);
            self.map.record(Site::Partial(index, k), item.span());
            let e = self.entries(
                table,
                Some(item.span()),
                &["answer", "reply"],
                format!("in a partial answer of {name}"),
            );
            let answer = self.required(&e, "answer", Site::PartialAnswer(index, k), Self::string);
            let reply = self.required(&e, "reply", Site::PartialReply(index, k), Self::string);
            if let (Some(answer), Some(reply)) = (answer, reply) {
                partials.push(PartialSpec { answer, reply });
            }
        }
        partials
    }

    fn hints(&mut self, value: &Value<'_>, index: u32, name: &str) -> Vec<HintSpec> {
        let what = format!("`hint` of {name}");
        let DeValue::Array(items) = value.get_ref() else {
            self.wrong_type(value, &what, "an array of tables ([[challenge.hint]])");
            self.map.mark_broken(Site::Field(index, "hint"));
            return Vec::new();
        };
        let mut hints = Vec::new();
        for item in items.iter() {
            let DeValue::Table(table) = item.get_ref() else {
                self.wrong_type(item, &format!("each {what}"), "a table");
                continue;
            };
            let k = u32::try_from(hints.len()).unwrap_or(u32::MAX);
            self.map.record(Site::Hint(index, k), item.span());
            let e = self.entries(
                table,
                Some(item.span()),
                &["id", "content", "cost", "requires"],
                format!("in hint #{} of {name}", u64::from(k) + 1),
            );
            let field = |key| Site::HintField(index, k, key);
            let id = self.required(&e, "id", field("id"), Self::string);
            let content = self.required(&e, "content", field("content"), Self::string);
            let cost = self.optional(&e, "cost", field("cost"), Self::integer);
            let requires = self.optional(&e, "requires", field("requires"), Self::string);
            // Kept even when broken, so later hints keep their positions.
            hints.push(HintSpec {
                id: id.unwrap_or_default(),
                content: content.unwrap_or_default(),
                cost: cost.unwrap_or(0),
                requires,
            });
        }
        hints
    }

    /// One node of an unlock rule; `next` numbers the nodes in pre-order, as validation does.
    fn rule(
        &mut self,
        value: &Value<'_>,
        index: u32,
        name: &str,
        next: &mut u32,
        depth: u32,
    ) -> UnlockSpec {
        let node = *next;
        *next += 1;
        let site = Site::Rule(index, node);
        let arg = Site::RuleArg(index, node);
        self.map.record(site, value.span());
        let what = format!("the unlock rule of {name}");
        if depth > MAX_RULE_DEPTH {
            self.problems.push(
                ProblemKind::TooDeep,
                Some(value.span()),
                format!("{what} nests deeper than {MAX_RULE_DEPTH} levels"),
            );
            self.map.mark_broken(site);
            return UnlockSpec::Always;
        }
        let table = match value.get_ref() {
            DeValue::String(id) => {
                self.map.record(arg, value.span());
                return if depth == 1 && id == "always" {
                    UnlockSpec::Always
                } else {
                    UnlockSpec::Solved(id.to_string())
                };
            }
            DeValue::Table(table) => table,
            _ => {
                self.wrong_type(value, &what, "a challenge id or a rule table");
                self.map.mark_broken(site);
                return UnlockSpec::Always;
            }
        };
        let mut entries = table.iter();
        let (key, inner) = match (entries.next(), entries.next()) {
            (Some(entry), None) => entry,
            (first, _) => {
                let found = match first {
                    None => "none".to_owned(),
                    Some(_) => table
                        .iter()
                        .map(|(k, _)| format!("`{}`", k.get_ref()))
                        .collect::<Vec<_>>()
                        .join(", "),
                };
                self.problems.push(
                    ProblemKind::BadRule,
                    Some(value.span()),
                    format!(
                        "a rule table in {what} needs exactly one key, one of {}; found {found}",
                        quoted_list(RULE_KEYS)
                    ),
                );
                self.map.mark_broken(site);
                return UnlockSpec::Always;
            }
        };
        let what = format!("`{}` in {what}", key.get_ref());
        let rule = match key.get_ref().as_ref() {
            "always" => match self.boolean(inner, arg, &what) {
                Some(true) => Some(UnlockSpec::Always),
                Some(false) => {
                    self.problems.push(
                        ProblemKind::BadValue,
                        Some(inner.span()),
                        format!("{what} must be true; leave `unlock` out instead"),
                    );
                    None
                }
                None => None,
            },
            "solved" => self.string(inner, arg, &what).map(UnlockSpec::Solved),
            "all_of" => self
                .rules(inner, index, name, next, depth, &what)
                .map(UnlockSpec::AllOf),
            "any_of" => self
                .rules(inner, index, name, next, depth, &what)
                .map(UnlockSpec::AnyOf),
            "at_least" => self.at_least(inner, index, name, next, depth, &what),
            "score_at_least" => self
                .integer(inner, arg, &what)
                .map(UnlockSpec::ScoreAtLeast),
            "after" => self.string(inner, arg, &what).and_then(|text| {
                let span = Span::parse(&text);
                if span.is_none() {
                    self.problems.push(
                        ProblemKind::BadDuration,
                        Some(inner.span()),
                        format!("{what}: `{text}` is not a duration such as \"90m\" or \"2h 30m\""),
                    );
                    self.map.mark_broken(arg);
                }
                span.map(UnlockSpec::After)
            }),
            "solves_in_round" => {
                let DeValue::Table(table) = inner.get_ref() else {
                    self.wrong_type(inner, &what, "a table { round = \"…\", n = … }");
                    self.map.mark_broken(site);
                    return UnlockSpec::Always;
                };
                let e = self.entries(
                    table,
                    Some(inner.span()),
                    &["round", "n"],
                    format!("in {what}"),
                );
                let round = self.required(&e, "round", arg, Self::string);
                let n = self.required(&e, "n", Site::RuleN(index, node), Self::integer);
                round
                    .zip(n)
                    .map(|(round, n)| UnlockSpec::SolvesInRound { round, n })
            }
            other => {
                self.problems.push(
                    ProblemKind::UnknownKey,
                    Some(key.span()),
                    format!(
                        "unknown unlock rule `{other}` in the unlock rule of {name}{}; expected one of {}",
                        suggestion(other, RULE_KEYS),
                        quoted_list(RULE_KEYS)
                    ),
                );
                None
            }
        };
        rule.unwrap_or_else(|| {
            self.map.mark_broken(site);
            UnlockSpec::Always
        })
    }

    fn rules(
        &mut self,
        value: &Value<'_>,
        index: u32,
        name: &str,
        next: &mut u32,
        depth: u32,
        what: &str,
    ) -> Option<Vec<UnlockSpec>> {
        let DeValue::Array(items) = value.get_ref() else {
            self.wrong_type(value, what, "an array of rules");
            return None;
        };
        Some(
            items
                .iter()
                .map(|item| self.rule(item, index, name, next, depth + 1))
                .collect(),
        )
    }

    fn at_least(
        &mut self,
        value: &Value<'_>,
        index: u32,
        name: &str,
        next: &mut u32,
        depth: u32,
        what: &str,
    ) -> Option<UnlockSpec> {
        let node = *next - 1;
        let DeValue::Table(table) = value.get_ref() else {
            self.wrong_type(value, what, "a table { n = …, of = […] }");
            return None;
        };
        let e = self.entries(
            table,
            Some(value.span()),
            &["n", "of"],
            format!("in {what}"),
        );
        let n_site = Site::RuleN(index, node);
        let n = self.required(&e, "n", n_site, Self::integer);
        let of = self.required(&e, "of", Site::RuleArg(index, node), |w, v, _, what| {
            w.rules(v, index, name, next, depth, what)
        });
        // A bad `n` still leaves the rules in `of` worth checking.
        let of = of?;
        if n.is_none() {
            self.map.mark_broken(n_site);
        }
        Some(UnlockSpec::AtLeast {
            n: n.unwrap_or(1),
            of,
        })
    }
}
