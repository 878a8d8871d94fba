//! Unlock rules: resolving each rule of the spec into its compiled form, checking every
//! node (references, counts, rounds, times) where it was written.

use super::super::location::Site;
use super::super::problem::ProblemKind;
use super::super::spec::{UnlockSpec, format_span};
use super::super::{ChallengeName, MAX_COUNT, MAX_RULE_DEPTH};
use super::Validator;
use super::ids::{Ids, RoundNames};
use crate::hunt::UnlockRule;
use crate::ids::{ChallengeId, RoundId};
use crate::time::Span;

/// Resolves unlock rules into their compiled form, checking each node.
pub(super) struct Resolver<'a, 'v, 'm, 's, 'p> {
    pub(super) v: &'v mut Validator<'m, 's, 'p>,
    pub(super) ids: &'a Ids<'a>,
    pub(super) rounds: &'a RoundNames<'a>,
    pub(super) window: Option<Span>,
    /// Whether every challenge id could be read; if not, an unknown reference may name the
    /// unreadable one, so it is not reported.
    pub(super) ids_readable: bool,
}

impl Resolver<'_, '_, '_, '_, '_> {
    /// Resolves one node (numbered `next` in pre-order, as the parser numbered it); a node
    /// with a problem becomes `Always`, after its children are checked. Recursive over the
    /// rule's nesting, which stops at [`MAX_RULE_DEPTH`].
    pub(super) fn rule(
        &mut self,
        rule: &UnlockSpec,
        c: u32,
        name: ChallengeName<'_>,
        next: &mut u32,
        depth: u32,
        named: &mut Vec<(u32, u32)>,
    ) -> UnlockRule {
        let node = *next;
        *next += 1;
        let site = Site::Rule(c, node);
        let arg = Site::RuleArg(c, node);
        let n_site = Site::RuleN(c, node);
        let v = &mut *self.v;
        if !v.ok(site) {
            return UnlockRule::Always;
        }
        if depth > MAX_RULE_DEPTH {
            v.report(
                ProblemKind::TooDeep,
                &[site, Site::Challenge(c)],
                format!("the unlock rule of {name} nests deeper than {MAX_RULE_DEPTH} levels"),
            );
            return UnlockRule::Always;
        }
        match rule {
            UnlockSpec::Always => UnlockRule::Always,
            UnlockSpec::Solved(id) => {
                if !v.ok(arg) {
                    return UnlockRule::Always;
                }
                match self.ids.get(id) {
                    Some(target) => {
                        named.push((target, node));
                        UnlockRule::Solved(ChallengeId(target))
                    }
                    None => {
                        if self.ids_readable {
                            v.report(
                                ProblemKind::UnknownReference,
                                &[arg, site, Site::Challenge(c)],
                                format!("unknown challenge `{id}` in the unlock rule of {name}"),
                            );
                        }
                        UnlockRule::Always
                    }
                }
            }
            UnlockSpec::AllOf(rules) => {
                UnlockRule::AllOf(self.rules(rules, c, name, next, depth, named))
            }
            UnlockSpec::AnyOf(rules) => {
                UnlockRule::AnyOf(self.rules(rules, c, name, next, depth, named))
            }
            UnlockSpec::AtLeast { n, of } => {
                let of = self.rules(of, c, name, next, depth, named);
                let v = &mut *self.v;
                if !v.ok(n_site) {
                    return UnlockRule::Always;
                }
                match u32::try_from(*n) {
                    Ok(n) if n >= 1 && n as usize <= of.len() => UnlockRule::AtLeast { n, of },
                    _ => {
                        v.report(
                            ProblemKind::OutOfRange,
                            &[n_site, site, Site::Challenge(c)],
                            format!(
                                "`at_least` in the unlock rule of {name} needs n = {n} of {} rules; n must be from 1 to {}",
                                of.len(),
                                of.len()
                            ),
                        );
                        UnlockRule::Always
                    }
                }
            }
            UnlockSpec::ScoreAtLeast(score) => {
                if !v.ok(arg) {
                    return UnlockRule::Always;
                }
                if *score < 0 {
                    v.report(
                        ProblemKind::OutOfRange,
                        &[arg, site, Site::Challenge(c)],
                        format!("`score_at_least` in the unlock rule of {name} is {score}; it must not be negative"),
                    );
                    return UnlockRule::Always;
                }
                UnlockRule::ScoreAtLeast(*score)
            }
            UnlockSpec::After(after) => {
                if !v.ok(arg) {
                    return UnlockRule::Always;
                }
                if after.as_millis() < 0 {
                    v.report(
                        ProblemKind::OutOfRange,
                        &[arg, site, Site::Challenge(c)],
                        format!(
                            "`after` in the unlock rule of {name} is negative ({}); it counts from the start",
                            format_span(*after)
                        ),
                    );
                    return UnlockRule::Always;
                }
                if let Some(window) = self.window
                    && *after >= window
                {
                    v.report(
                        ProblemKind::NeverUnlocks,
                        &[arg, site, Site::Challenge(c)],
                        format!(
                            "`after = \"{}\"` in the unlock rule of {name} never holds: the hunt lasts {}",
                            format_span(*after),
                            format_span(window)
                        ),
                    );
                    return UnlockRule::Always;
                }
                UnlockRule::After(*after)
            }
            UnlockSpec::SolvesInRound { round, n } => {
                if !v.ok(arg) || !v.ok(n_site) {
                    return UnlockRule::Always;
                }
                let round_id = self.rounds.get(round);
                if round_id.is_none() {
                    v.report(
                        ProblemKind::UnknownReference,
                        &[arg, site, Site::Challenge(c)],
                        format!("unknown round `{round}` in the unlock rule of {name}"),
                    );
                }
                let n_fits = v.check_range(
                    *n,
                    1,
                    MAX_COUNT,
                    n_site,
                    &format_args!("`n` of `solves_in_round` in the unlock rule of {name}"),
                );
                match (round_id, u32::try_from(*n)) {
                    (Some(round), Ok(n)) if n_fits => UnlockRule::SolvesInRound {
                        round: RoundId(round),
                        n,
                    },
                    _ => UnlockRule::Always,
                }
            }
        }
    }

    pub(super) fn rules(
        &mut self,
        rules: &[UnlockSpec],
        c: u32,
        name: ChallengeName<'_>,
        next: &mut u32,
        depth: u32,
        named: &mut Vec<(u32, u32)>,
    ) -> Vec<UnlockRule> {
        rules
            .iter()
            .map(|rule| self.rule(rule, c, name, next, depth + 1, named))
            .collect()
    }
}
