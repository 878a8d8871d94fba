//! An unlock rule: a string naming a challenge, or a table with exactly one rule key, nested.

use toml::de::DeValue;

use super::super::MAX_RULE_DEPTH;
use super::super::keys::{self, Key};
use super::super::location::Site;
use super::super::problem::ProblemKind;
use super::super::spec::UnlockSpec;
use super::readers::{quoted_list, suggestion};
use super::{Value, Walker};
use crate::time::Span;

impl Walker<'_> {
    /// One node of an unlock rule; `next` numbers the nodes in pre-order, as validation does.
    pub(super) fn rule(
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
                return if depth == 1 && id == Key::Always.name() {
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
                        quoted_list(keys::RULE_NAMES)
                    ),
                );
                self.map.mark_broken(site);
                return UnlockSpec::Always;
            }
        };
        let what = format!("`{}` in {what}", key.get_ref());
        let written: &str = key.get_ref().as_ref();
        let rule = match keys::RULE.iter().copied().find(|k| k.name() == written) {
            Some(Key::Always) => match self.boolean(inner, arg, &what) {
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
            Some(Key::Solved) => self.string(inner, arg, &what).map(UnlockSpec::Solved),
            Some(Key::AllOf) => self
                .rules(inner, index, name, next, depth, &what)
                .map(UnlockSpec::AllOf),
            Some(Key::AnyOf) => self
                .rules(inner, index, name, next, depth, &what)
                .map(UnlockSpec::AnyOf),
            Some(Key::AtLeast) => self.at_least(inner, index, name, next, depth, &what),
            Some(Key::ScoreAtLeast) => self
                .integer(inner, arg, &what)
                .map(UnlockSpec::ScoreAtLeast),
            Some(Key::After) => self.string(inner, arg, &what).and_then(|text| {
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
            Some(Key::SolvesInRound) => {
                let DeValue::Table(table) = inner.get_ref() else {
                    self.wrong_type(inner, &what, "a table { round = \"…\", n = … }");
                    self.map.mark_broken(site);
                    return UnlockSpec::Always;
                };
                let e = self.entries(
                    table,
                    Some(inner.span()),
                    keys::SOLVES_IN_ROUND,
                    format!("in {what}"),
                );
                let round = self.required(&e, Key::Round, arg, Self::string);
                let n = self.required(&e, Key::N, Site::RuleN(index, node), Self::integer);
                round
                    .zip(n)
                    .map(|(round, n)| UnlockSpec::SolvesInRound { round, n })
            }
            _ => {
                let other = written;
                self.problems.push(
                    ProblemKind::UnknownKey,
                    Some(key.span()),
                    format!(
                        "unknown unlock rule `{other}` in the unlock rule of {name}{}; expected one of {}",
                        suggestion(other, keys::RULE_NAMES),
                        quoted_list(keys::RULE_NAMES)
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

    pub(super) fn rules(
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

    pub(super) fn at_least(
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
            keys::AT_LEAST,
            format!("in {what}"),
        );
        let n_site = Site::RuleN(index, node);
        let n = self.required(&e, Key::N, n_site, Self::integer);
        let of = self.required(&e, Key::Of, Site::RuleArg(index, node), |w, v, _, what| {
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
