//! A challenge's answers: plain answers (and regexes, within the hunt's budgets), sealed
//! digests, answer templates and their feeders, and partial answers.

use std::collections::HashSet;
use std::fmt::Display;

use super::super::keys::Key;
use super::super::location::Site;
use super::super::problem::ProblemKind;
use super::super::spec::{ChallengeSpec, HuntSpec};
use super::super::unlock_graph::{Edges, Guarantees};
use super::super::{ChallengeName, MAX_REPLY_BYTES};
use super::text::Text;
use super::{Context, Validator, to_u32};
use crate::answer::{
    Accepted, AnswerChecker, AnswerTemplate, MAX_REGEXES_PER_CHALLENGE, MAX_REGEXES_PER_HUNT,
    Normalization, REGEX_BUDGET_PER_CHALLENGE, REGEX_BUDGET_PER_HUNT, RegexProblem, SealedDigest,
    TemplateError, compile_regex_within,
};
use crate::hunt::{Limits, PartialAnswer, UnlockRule};
use crate::ids::ChallengeId;

impl Validator<'_, '_, '_> {
    /// Parses an `answer_template`, resolving its feeders.
    pub(super) fn template(
        &mut self,
        text: &str,
        i: u32,
        name: ChallengeName<'_>,
        normalization: Normalization,
        context: &Context<'_>,
    ) -> Option<Accepted> {
        let site = [Site::Field(i, Key::AnswerTemplate), Site::Challenge(i)];
        if normalization == Normalization::Regex {
            self.report(
                ProblemKind::BadValue,
                &[
                    Site::Field(i, Key::Normalization),
                    Site::Field(i, Key::AnswerTemplate),
                    Site::Challenge(i),
                ],
                format!(
                    "{name}: an `answer_template` builds a plain answer and cannot be a regex; choose another `normalization`"
                ),
            );
            return None;
        }
        let resolve = |slug: &str| context.ids.get(slug).map(ChallengeId);
        match AnswerTemplate::parse(text, resolve) {
            Ok(template) => Some(Accepted::Template(template)),
            Err(TemplateError::UnknownFeeder(slug)) => {
                if context.ids_readable {
                    self.report(
                        ProblemKind::UnknownReference,
                        &site,
                        format!("unknown challenge `{slug}` in the `answer_template` of {name}"),
                    );
                }
                None
            }
            Err(error) => {
                self.report(
                    ProblemKind::BadValue,
                    &site,
                    format!("the `answer_template` of {name}: {error}"),
                );
                None
            }
        }
    }

    /// Reports each template feeder that a challenge's unlock rule does not require solved.
    /// Runs on an acyclic graph only; rules with a problem are taken to require everything,
    /// so a mistake there is not reported again here.
    pub(super) fn feeders(
        &mut self,
        spec: &HuntSpec,
        compiled: &[Option<AnswerChecker>],
        edges: &Edges,
        rules: &[UnlockRule],
        rules_ok: &[bool],
    ) {
        let mut guarantees = Guarantees::new(rules, edges, rules_ok);
        for (i, checker) in compiled.iter().enumerate() {
            let Some(AnswerChecker {
                accepted: Accepted::Template(template),
                ..
            }) = checker
            else {
                continue;
            };
            let c = to_u32(i);
            if !rules_ok[i] {
                continue;
            }
            let mut seen = HashSet::new();
            for feeder in template.feeders() {
                if !seen.insert(feeder) || guarantees.requires(c, feeder.0) {
                    continue;
                }
                let name = ChallengeName(&spec.challenges[i].id, c);
                let feeder_id = &spec.challenges[feeder.index()].id;
                self.report(
                    ProblemKind::FeederNotRequired,
                    &[Site::Field(c, Key::AnswerTemplate), Site::Challenge(c)],
                    format!(
                        "the `answer_template` of {name} uses the answer to `{feeder_id}`, but its unlock rule does not require `{feeder_id}` solved, so a team could reach it without that answer; add `{feeder_id}` to its `unlock`"
                    ),
                );
            }
        }
    }

    pub(super) fn answers(
        &mut self,
        c: &ChallengeSpec,
        i: u32,
        name: ChallengeName<'_>,
        normalization: Normalization,
        limits: &Limits,
    ) -> Option<Accepted> {
        let mut ok = true;
        if normalization == Normalization::Regex {
            let mut regexes = Vec::with_capacity(c.answers.len().min(MAX_REGEXES_PER_CHALLENGE));
            let mut challenge_bytes = 0;
            for (k, pattern) in c.answers.iter().enumerate() {
                if self.regexes.exhausted {
                    return None;
                }
                let site = [Site::Answer(i, to_u32(k)), Site::Field(i, Key::Answers)];
                if k == MAX_REGEXES_PER_CHALLENGE {
                    self.report(
                        ProblemKind::RegexBudget,
                        &site,
                        format!(
                            "{name} has {} regex answers; at most {MAX_REGEXES_PER_CHALLENGE} are allowed",
                            c.answers.len()
                        ),
                    );
                    return None;
                }
                if self.regexes.count == MAX_REGEXES_PER_HUNT {
                    self.regexes.exhausted = true;
                    self.report(
                        ProblemKind::RegexBudget,
                        &site,
                        format!(
                            "answer {} of {name} is a regex beyond the {MAX_REGEXES_PER_HUNT} a hunt may have",
                            k + 1
                        ),
                    );
                    return None;
                }
                let left_hunt = REGEX_BUDGET_PER_HUNT - self.regexes.bytes;
                let left_challenge = REGEX_BUDGET_PER_CHALLENGE - challenge_bytes;
                self.regexes.count += 1;
                match compile_regex_within(pattern, left_hunt.min(left_challenge)) {
                    Ok((regex, bytes)) => {
                        regexes.push(regex);
                        challenge_bytes += bytes;
                        self.regexes.bytes += bytes;
                    }
                    Err(RegexProblem::OverBudget { .. }) => {
                        let whose = if left_hunt < left_challenge {
                            self.regexes.exhausted = true;
                            format!("the hunt's regex answers ({REGEX_BUDGET_PER_HUNT} bytes)")
                        } else {
                            format!("{name}'s regex answers ({REGEX_BUDGET_PER_CHALLENGE} bytes)")
                        };
                        self.report(
                            ProblemKind::RegexBudget,
                            &site,
                            format!(
                                "answer {} of {name} compiles to more than is left of the budget of {whose}; use fewer or simpler regexes",
                                k + 1
                            ),
                        );
                        return None;
                    }
                    Err(problem) => {
                        ok = false;
                        // The regex crate draws the pattern with a caret under the mistake,
                        // over several lines; a problem is one line, so keep the last (the
                        // reason).
                        let text = problem.to_string();
                        let reason = match text.lines().last() {
                            Some(last) if text.contains('\n') => {
                                format!("invalid regex: {}", last.trim_start_matches("error: "))
                            }
                            _ => text,
                        };
                        self.report(
                            ProblemKind::InvalidRegex,
                            &site,
                            format!("answer {} of {name}: {reason}", k + 1),
                        );
                    }
                }
            }
            return ok.then_some(Accepted::Regex(regexes));
        }
        let mut normalized = Vec::with_capacity(c.answers.len());
        for (k, answer) in c.answers.iter().enumerate() {
            let site = [Site::Answer(i, to_u32(k)), Site::Field(i, Key::Answers)];
            let what = Nth("answer", k, name);
            ok &= self.typeable(answer, limits, &site, &what);
            let form = normalization.apply(answer);
            if form.trim().is_empty() {
                ok = false;
                self.report(
                    ProblemKind::EmptyAnswer,
                    &site,
                    format!("{what}, {answer:?}, is empty after `{normalization}` normalization"),
                );
            }
            normalized.push(form);
        }
        ok.then_some(Accepted::Plain(normalized))
    }

    /// Whether a team could type `answer` at all: within the length limit, no control
    /// characters (submissions with them are refused before judging).
    pub(super) fn typeable(
        &mut self,
        answer: &str,
        limits: &Limits,
        site: &[Site],
        what: &dyn Display,
    ) -> bool {
        if answer.len() > limits.max_answer_bytes {
            self.report(
                ProblemKind::TooLong,
                site,
                format!(
                    "{what} is {} bytes long; answers are limited to {} bytes (`limits.max_answer_bytes`)",
                    answer.len(),
                    limits.max_answer_bytes
                ),
            );
            return false;
        }
        if let Some(control) = answer.chars().find(|c| c.is_control()) {
            self.report(
                ProblemKind::BadValue,
                site,
                format!(
                    "{what} contains the control character U+{:04X}, which no submission may contain",
                    u32::from(control)
                ),
            );
            return false;
        }
        true
    }

    pub(super) fn sealed(
        &mut self,
        c: &ChallengeSpec,
        i: u32,
        name: ChallengeName<'_>,
    ) -> Option<Accepted> {
        let mut digests = Vec::with_capacity(c.sealed.len());
        for (k, hex) in c.sealed.iter().enumerate() {
            match SealedDigest::from_hex(hex) {
                Some(digest) => digests.push(digest),
                None => self.report(
                    ProblemKind::BadDigest,
                    &[Site::Sealed(i, to_u32(k)), Site::Field(i, Key::Sealed)],
                    format!(
                        "sealed answer {} of {name} must be 64 hexadecimal digits (an HMAC-SHA256 digest)",
                        k + 1
                    ),
                ),
            }
        }
        (digests.len() == c.sealed.len()).then_some(Accepted::Sealed(digests))
    }

    pub(super) fn partials(
        &mut self,
        c: &ChallengeSpec,
        i: u32,
        name: ChallengeName<'_>,
        normalization: Normalization,
        limits: &Limits,
        accepted: Option<&Accepted>,
    ) -> Option<Vec<PartialAnswer>> {
        let partial_normalization = normalization.partial_normalization();
        let plain: HashSet<&str> = match accepted {
            Some(Accepted::Plain(answers)) => answers.iter().map(String::as_str).collect(),
            _ => HashSet::new(),
        };
        let mut ok = true;
        let mut partials = Vec::with_capacity(c.partial.len());
        for (k, partial) in c.partial.iter().enumerate() {
            let k = to_u32(k);
            let site = [
                Site::PartialAnswer(i, k),
                Site::Partial(i, k),
                Site::Field(i, Key::Partial),
            ];
            let what = Nth("partial answer", k as usize, name);
            if partial.reply.len() > MAX_REPLY_BYTES {
                ok = false;
                self.report(
                    ProblemKind::TooLong,
                    &[Site::PartialReply(i, k), Site::Partial(i, k), Site::Field(i, Key::Partial)],
                    format!(
                        "the reply of {what} is {} bytes long; at most {MAX_REPLY_BYTES} are allowed",
                        partial.reply.len()
                    ),
                );
            }
            self.check_text(
                &partial.reply,
                Text::Content,
                &[
                    Site::PartialReply(i, k),
                    Site::Partial(i, k),
                    Site::Field(i, Key::Partial),
                ],
                &format_args!("the reply of {what}"),
            );
            if !self.typeable(&partial.answer, limits, &site, &what) {
                ok = false;
                continue;
            }
            let key = partial_normalization.apply(&partial.answer);
            if key.trim().is_empty() {
                ok = false;
                self.report(
                    ProblemKind::EmptyAnswer,
                    &site,
                    format!(
                        "{what}, {:?}, is empty after `{partial_normalization}` normalization",
                        partial.answer
                    ),
                );
                continue;
            }
            let is_answer = match accepted {
                Some(Accepted::Plain(_)) => plain.contains(key.as_str()),
                Some(Accepted::Regex(regexes)) => {
                    let submitted = Normalization::Regex.apply(&partial.answer);
                    regexes.iter().any(|regex| regex.is_match(&submitted))
                }
                // Sealed answers cannot be compared without the secret, nor templates without
                // a team's feeder answers.
                Some(Accepted::Sealed(_) | Accepted::Template(_)) | None => false,
            };
            if is_answer {
                ok = false;
                self.report(
                    ProblemKind::PartialIsAnswer,
                    &site,
                    format!(
                        "{what}, {:?}, is also an accepted answer, so its reply would never be seen",
                        partial.answer
                    ),
                );
            }
            partials.push(PartialAnswer {
                normalized: key,
                reply: partial.reply.clone(),
            });
        }
        ok.then_some(partials)
    }
}

/// "answer 2 of challenge `x`", formatted only if reported.
struct Nth<'a>(&'static str, usize, ChallengeName<'a>);

impl Display for Nth<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {} of {}", self.0, self.1 + 1, self.2)
    }
}
