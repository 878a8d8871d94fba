//! The unlock graph's problems, as messages: cycles named in unlock order, and challenges
//! that can never unlock with the reason.

use std::borrow::Cow;

use super::super::ChallengeName;
use super::super::location::Site;
use super::super::problem::ProblemKind;
use super::super::spec::HuntSpec;
use super::super::unlock_graph::{self, Edges, Failure, Game};
use super::{Validator, to_u32};
use crate::hunt::UnlockRule;
use crate::time::Span;

impl Validator<'_, '_, '_> {
    /// Reports cycles and challenges that can never unlock; whether the graph is acyclic.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn graph(
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
}
