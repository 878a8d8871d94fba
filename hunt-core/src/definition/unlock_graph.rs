//! The unlock graph: cycles between challenges, and challenges that can never unlock.
//!
//! Both analyses are iterative (an explicit stack, a worklist), never recursive over the
//! graph, so a chain of a million challenges cannot overflow the stack; recursion happens only
//! over the nesting of one rule, which validation bounds by
//! [`MAX_RULE_DEPTH`](super::MAX_RULE_DEPTH). Both run in time linear in the size of the
//! rules (plus a logarithm for the score thresholds).

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, VecDeque};

use crate::hunt::UnlockRule;
use crate::time::Span;

/// Challenges referenced by each challenge's rule, in compressed rows.
#[derive(Debug, Default)]
pub(crate) struct Edges {
    /// Row `c` is `targets[starts[c]..starts[c + 1]]`.
    starts: Vec<usize>,
    /// A referenced challenge and the rule node (pre-order number) naming it.
    targets: Vec<(u32, u32)>,
}

impl Edges {
    /// Rows from each challenge's list of (referenced challenge, rule node).
    pub(crate) fn new(rows: impl IntoIterator<Item = Vec<(u32, u32)>>) -> Self {
        let mut edges = Edges {
            starts: vec![0],
            targets: Vec::new(),
        };
        for row in rows {
            edges.targets.extend(row);
            edges.starts.push(edges.targets.len());
        }
        edges
    }

    fn len(&self) -> usize {
        self.starts.len() - 1
    }

    /// The (referenced challenge, rule node) pairs of challenge `c`.
    pub(crate) fn row(&self, c: u32) -> &[(u32, u32)] {
        let c = c as usize;
        &self.targets[self.starts[c]..self.starts[c + 1]]
    }

    /// The reverse rows: for each challenge, the challenges whose rules reference it.
    fn reversed(&self) -> Edges {
        let n = self.len();
        let mut starts = vec![0_usize; n + 1];
        for &(target, _) in &self.targets {
            starts[target as usize + 1] += 1;
        }
        for c in 0..n {
            starts[c + 1] += starts[c];
        }
        let mut fill = starts.clone();
        let mut targets = vec![(0, 0); self.targets.len()];
        for c in 0..n {
            for &(target, node) in self.row(to_u32(c)) {
                targets[fill[target as usize]] = (to_u32(c), node);
                fill[target as usize] += 1;
            }
        }
        Edges { starts, targets }
    }
}

fn to_u32(n: usize) -> u32 {
    // Challenge counts are checked to fit in `u32` before the graph is built.
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// A cycle, in unlock order: each challenge's rule references the one before it, and the
/// first references the last.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Cycle {
    pub(crate) path: Vec<u32>,
    /// The rule node of the first challenge that references the last one.
    pub(crate) closing_node: u32,
}

/// One cycle per strongly connected component of the reference graph that has one (several
/// challenges, or one that references itself), starting at the component's first challenge.
pub(crate) fn cycles(edges: &Edges) -> Vec<Cycle> {
    let components = components(edges);
    if components.is_empty() {
        return Vec::new();
    }
    let dependents = edges.reversed();
    let mut search = Search {
        component: vec![NONE; edges.len()],
        parent: vec![NONE; edges.len()],
    };
    components
        .iter()
        .enumerate()
        .map(|(k, component)| {
            for &c in component {
                search.component[c as usize] = to_u32(k);
            }
            search.shortest_cycle(edges, &dependents, component)
        })
        .collect()
}

const NONE: u32 = u32::MAX;

/// Dense scratch space of the cycle search, shared by all components.
struct Search {
    /// The component each challenge belongs to (if any).
    component: Vec<u32>,
    /// How the breadth-first search reached each challenge.
    parent: Vec<u32>,
}

impl Search {
    /// The shortest cycle through the component's first challenge, found breadth-first along
    /// the unlock direction (from a challenge to those whose rules reference it).
    fn shortest_cycle(&mut self, edges: &Edges, dependents: &Edges, component: &[u32]) -> Cycle {
        let first = component.iter().copied().min().unwrap_or_default();
        let k = self.component[first as usize];
        let mut queue = VecDeque::from([first]);
        let mut last = first;
        'search: while let Some(u) = queue.pop_front() {
            for &(v, _) in dependents.row(u) {
                if v == first {
                    last = u;
                    break 'search;
                }
                if self.component[v as usize] == k && self.parent[v as usize] == NONE {
                    self.parent[v as usize] = u;
                    queue.push_back(v);
                }
            }
        }
        let mut path = vec![last];
        let mut at = last;
        while at != first && self.parent[at as usize] != NONE {
            at = self.parent[at as usize];
            path.push(at);
        }
        path.reverse();
        let closing_node = edges
            .row(first)
            .iter()
            .find(|(target, _)| *target == last)
            .map_or(0, |(_, node)| *node);
        Cycle { path, closing_node }
    }
}

/// Tarjan's strongly connected components, with an explicit call stack; only the components
/// that contain a cycle.
fn components(edges: &Edges) -> Vec<Vec<u32>> {
    let n = edges.len();
    let mut tarjan = Tarjan {
        index: vec![UNVISITED; n],
        low: vec![0; n],
        on_stack: vec![false; n],
        stack: Vec::new(),
        calls: Vec::new(),
        counter: 0,
    };
    let mut found = Vec::new();
    for root in 0..n {
        if tarjan.index[root] != UNVISITED {
            continue;
        }
        tarjan.visit(to_u32(root));
        while let Some(&mut (v, ref mut next)) = tarjan.calls.last_mut() {
            let row = edges.row(v);
            if let Some(&(w, _)) = row.get(*next) {
                *next += 1;
                if tarjan.index[w as usize] == UNVISITED {
                    tarjan.visit(w);
                } else if tarjan.on_stack[w as usize] {
                    tarjan.low[v as usize] = tarjan.low[v as usize].min(tarjan.index[w as usize]);
                }
                continue;
            }
            tarjan.calls.pop();
            if let Some(&(u, _)) = tarjan.calls.last() {
                tarjan.low[u as usize] = tarjan.low[u as usize].min(tarjan.low[v as usize]);
            }
            if tarjan.low[v as usize] == tarjan.index[v as usize] {
                let mut component = Vec::new();
                while let Some(w) = tarjan.stack.pop() {
                    tarjan.on_stack[w as usize] = false;
                    component.push(w);
                    if w == v {
                        break;
                    }
                }
                let self_loop = row.iter().any(|&(w, _)| w == v);
                if component.len() > 1 || self_loop {
                    found.push(component);
                }
            }
        }
    }
    // Deterministic order: by first challenge.
    found.sort_by_key(|component| component.iter().copied().min());
    found
}

const UNVISITED: u32 = u32::MAX;

struct Tarjan {
    index: Vec<u32>,
    low: Vec<u32>,
    on_stack: Vec<bool>,
    stack: Vec<u32>,
    /// The explicit call stack: (challenge, position of its next edge to explore).
    calls: Vec<(u32, usize)>,
    counter: u32,
}

impl Tarjan {
    fn visit(&mut self, v: u32) {
        self.index[v as usize] = self.counter;
        self.low[v as usize] = self.counter;
        self.counter += 1;
        self.stack.push(v);
        self.on_stack[v as usize] = true;
        self.calls.push((v, 0));
    }
}

/// What a team could have at best: every challenge that can unlock solved.
#[derive(Debug)]
pub(crate) struct Reach {
    pub(crate) reachable: Vec<bool>,
    /// The sum of the points of the reachable challenges.
    pub(crate) score: i64,
    /// Reachable challenges per round.
    pub(crate) round_solves: Vec<u32>,
}

/// The facts every rule is evaluated against.
pub(crate) struct Game<'a> {
    pub(crate) rules: &'a [UnlockRule],
    /// Points of each challenge, never negative.
    pub(crate) points: &'a [i64],
    pub(crate) rounds: &'a [Option<u32>],
    pub(crate) round_count: usize,
    /// The length of the hunt, if known; `after` rules hold when shorter.
    pub(crate) window: Option<Span>,
}

const NO_PARENT: u32 = u32::MAX;

/// One node of a flattened rule: it holds once `count` of its children hold and
/// `count >= need`.
struct Node {
    parent: u32,
    owner: u32,
    need: u32,
    count: u32,
    holds: bool,
}

/// The least fixpoint: a challenge is reachable if its rule can hold when every reachable
/// challenge is solved, the score is the sum of their points, and the time is anywhere in the
/// hunt.
///
/// Each rule is flattened into nodes that count how many of their children hold; a leaf is
/// woken once, by the solve, round count or score it waits for, so the whole computation is
/// linear in the size of the rules.
pub(crate) fn reach(game: &Game<'_>) -> Reach {
    let n = game.rules.len();
    let mut nodes: Vec<Node> = Vec::new();
    let mut ready: Vec<u32> = Vec::new();
    let mut solved_waiters: Vec<(u32, u32)> = Vec::new();
    let mut round_waiters: Vec<Vec<(u32, u32)>> = vec![Vec::new(); game.round_count];
    let mut score_waiters: BinaryHeap<Reverse<(i64, u32)>> = BinaryHeap::new();
    for (owner, rule) in game.rules.iter().enumerate() {
        let mut leaves = Leaves {
            nodes: &mut nodes,
            ready: &mut ready,
            solved: &mut solved_waiters,
            rounds: &mut round_waiters,
            scores: &mut score_waiters,
            window: game.window,
        };
        leaves.flatten(rule, NO_PARENT, to_u32(owner));
    }
    // Group the waiters on each challenge, as compressed rows.
    solved_waiters.sort_unstable();
    for waiters in &mut round_waiters {
        waiters.sort_unstable();
    }
    let waiters_of = |c: u32| {
        let from = solved_waiters.partition_point(|&(target, _)| target < c);
        let to = solved_waiters.partition_point(|&(target, _)| target <= c);
        &solved_waiters[from..to]
    };

    let mut reach = Reach {
        reachable: vec![false; n],
        score: 0,
        round_solves: vec![0; game.round_count],
    };
    let mut round_next = vec![0_usize; game.round_count];
    let mut queue: Vec<u32> = Vec::new();
    for node in ready {
        satisfy(&mut nodes, node, &mut queue);
    }
    while let Some(c) = queue.pop() {
        reach.reachable[c as usize] = true;
        reach.score = reach.score.saturating_add(game.points[c as usize]);
        for &(_, node) in waiters_of(c) {
            satisfy(&mut nodes, node, &mut queue);
        }
        if let Some(r) = game.rounds[c as usize] {
            let r = r as usize;
            reach.round_solves[r] += 1;
            while let Some(&(need, node)) = round_waiters[r].get(round_next[r]) {
                if need > reach.round_solves[r] {
                    break;
                }
                round_next[r] += 1;
                satisfy(&mut nodes, node, &mut queue);
            }
        }
        while let Some(&Reverse((need, node))) = score_waiters.peek() {
            if need > reach.score {
                break;
            }
            score_waiters.pop();
            satisfy(&mut nodes, node, &mut queue);
        }
    }
    reach
}

/// Marks `node` as holding and walks up while parents reach their need; a root that holds
/// makes its challenge reachable.
fn satisfy(nodes: &mut [Node], mut node: u32, queue: &mut Vec<u32>) {
    loop {
        let current = &mut nodes[node as usize];
        if current.holds {
            return;
        }
        current.holds = true;
        let parent = current.parent;
        if parent == NO_PARENT {
            queue.push(current.owner);
            return;
        }
        let parent_node = &mut nodes[parent as usize];
        parent_node.count += 1;
        if parent_node.count < parent_node.need {
            return;
        }
        node = parent;
    }
}

struct Leaves<'a> {
    nodes: &'a mut Vec<Node>,
    /// Nodes that hold from the start.
    ready: &'a mut Vec<u32>,
    /// (challenge, node) for `solved` leaves.
    solved: &'a mut Vec<(u32, u32)>,
    /// Per round, (solves needed, node).
    rounds: &'a mut Vec<Vec<(u32, u32)>>,
    /// (score needed, node), smallest first.
    scores: &'a mut BinaryHeap<Reverse<(i64, u32)>>,
    window: Option<Span>,
}

impl Leaves<'_> {
    /// Flattens one rule; recursive over its nesting, which validation bounds.
    fn flatten(&mut self, rule: &UnlockRule, parent: u32, owner: u32) {
        let id = to_u32(self.nodes.len());
        // A node that can never hold needs more than it will ever count.
        let never = u32::MAX;
        let (need, children): (u32, &[UnlockRule]) = match rule {
            UnlockRule::Always => (0, &[]),
            UnlockRule::Solved(c) => {
                self.solved.push((c.0, id));
                (1, &[])
            }
            UnlockRule::AllOf(rules) => (to_u32(rules.len()), rules),
            UnlockRule::AnyOf(rules) => (1, rules),
            UnlockRule::AtLeast { n, of } => (*n, of),
            UnlockRule::ScoreAtLeast(score) => {
                if *score <= 0 {
                    (0, &[])
                } else {
                    self.scores.push(Reverse((*score, id)));
                    (1, &[])
                }
            }
            UnlockRule::After(after) => (
                if after_holds(*after, self.window) {
                    0
                } else {
                    never
                },
                &[],
            ),
            UnlockRule::SolvesInRound { round, n } => {
                self.rounds[round.index()].push((*n, id));
                (1, &[])
            }
        };
        self.nodes.push(Node {
            parent,
            owner,
            need,
            count: 0,
            holds: false,
        });
        if need == 0 {
            self.ready.push(id);
        }
        for child in children {
            self.flatten(child, id, owner);
        }
    }
}

fn after_holds(after: Span, window: Option<Span>) -> bool {
    window.is_none_or(|window| after < window)
}

/// Why an unreachable challenge's own rule fails, or `None` if it fails only because a
/// challenge it needs is unreachable (which is reported for that challenge, or as a cycle).
///
/// The rule is evaluated as if the challenges it names were solved too.
pub(crate) fn own_failure(game: &Game<'_>, reach: &Reach, c: u32) -> Option<Failure> {
    let rule = &game.rules[c as usize];
    let mut named = Vec::new();
    collect_named(rule, &mut named);
    named.sort_unstable();
    named.dedup();
    named.retain(|&x| !reach.reachable[x as usize]);
    let mut score = reach.score;
    let mut round_solves = reach.round_solves.clone();
    for &x in &named {
        score = score.saturating_add(game.points[x as usize]);
        if let Some(r) = game.rounds[x as usize] {
            round_solves[r as usize] += 1;
        }
    }
    let facts = Facts {
        reach,
        named: &named,
        score,
        round_solves: &round_solves,
        window: game.window,
    };
    if facts.holds(rule) {
        return None;
    }
    Some(match rule {
        UnlockRule::ScoreAtLeast(needed) => Failure::Score {
            needed: *needed,
            possible: score,
        },
        UnlockRule::SolvesInRound { round, n } => Failure::Round {
            round: round.0,
            needed: *n,
            possible: round_solves[round.index()],
        },
        _ => Failure::Rule,
    })
}

/// Why a rule can never hold.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Failure {
    /// A score that the challenges that can unlock before it do not add up to.
    Score { needed: i64, possible: i64 },
    /// More solves in a round than it has challenges that can unlock before it.
    Round {
        round: u32,
        needed: u32,
        possible: u32,
    },
    /// Some combination of the above inside `all_of`, `any_of` or `at_least`.
    Rule,
}

fn collect_named(rule: &UnlockRule, named: &mut Vec<u32>) {
    match rule {
        UnlockRule::Solved(c) => named.push(c.0),
        UnlockRule::AllOf(rules)
        | UnlockRule::AnyOf(rules)
        | UnlockRule::AtLeast { of: rules, .. } => {
            for rule in rules {
                collect_named(rule, named);
            }
        }
        _ => {}
    }
}

struct Facts<'a> {
    reach: &'a Reach,
    /// Sorted.
    named: &'a [u32],
    score: i64,
    round_solves: &'a [u32],
    window: Option<Span>,
}

impl Facts<'_> {
    fn holds(&self, rule: &UnlockRule) -> bool {
        let count = |rules: &[UnlockRule]| rules.iter().filter(|rule| self.holds(rule)).count();
        match rule {
            UnlockRule::Always => true,
            UnlockRule::Solved(c) => {
                self.reach.reachable[c.index()] || self.named.binary_search(&c.0).is_ok()
            }
            UnlockRule::AllOf(rules) => rules.iter().all(|rule| self.holds(rule)),
            UnlockRule::AnyOf(rules) => rules.iter().any(|rule| self.holds(rule)),
            UnlockRule::AtLeast { n, of } => count(of) >= *n as usize,
            UnlockRule::ScoreAtLeast(score) => *score <= self.score,
            UnlockRule::After(after) => after_holds(*after, self.window),
            UnlockRule::SolvesInRound { round, n } => self.round_solves[round.index()] >= *n,
        }
    }
}

/// Which challenges a challenge's rule requires solved: those a team has always solved by
/// the time the rule holds.
///
/// `solved x` requires `x` and whatever `x`'s own rule requires (solves are never undone);
/// `all_of` requires what any of its rules requires; `any_of` what all of them do;
/// `at_least n of k` what more than `k - n` of them do (so what any does when `n = k`, what all
/// do when `n = 1`); time, score and round rules require nothing.
///
/// Asked for one (challenge, required) pair at a time, it evaluates the challenges the first
/// one depends on in post-order with an explicit stack, remembering results per required
/// challenge, so a long chain costs linear time and no recursion over the graph. The graph
/// must be acyclic.
pub(crate) struct Guarantees<'a> {
    rules: &'a [UnlockRule],
    edges: &'a Edges,
    /// Rules with a problem, taken as `always` by validation, are taken here to require
    /// everything, so a mistake in them is not reported again through what depends on them.
    trusted: &'a [bool],
    /// For each required challenge asked about: which challenges' rules require it.
    memo: HashMap<u32, HashMap<u32, bool>>,
}

impl<'a> Guarantees<'a> {
    pub(crate) fn new(rules: &'a [UnlockRule], edges: &'a Edges, trusted: &'a [bool]) -> Self {
        Self {
            rules,
            edges,
            trusted,
            memo: HashMap::new(),
        }
    }

    /// Whether a team has always solved `required` once `c`'s rule holds.
    pub(crate) fn requires(&mut self, c: u32, required: u32) -> bool {
        let memo = self.memo.entry(required).or_default();
        let mut stack = vec![(c, false)];
        while let Some((x, expanded)) = stack.pop() {
            if memo.contains_key(&x) {
                continue;
            }
            if !self.trusted[x as usize] {
                memo.insert(x, true);
            } else if expanded {
                let holds = requires(&self.rules[x as usize], required, memo);
                memo.insert(x, holds);
            } else {
                stack.push((x, true));
                for &(target, _) in self.edges.row(x) {
                    if target != required && !memo.contains_key(&target) {
                        stack.push((target, false));
                    }
                }
            }
        }
        memo[&c]
    }
}

/// Whether `rule` requires `required` solved, given the answer for every challenge it names
/// (other than `required` itself) in `memo`. Recursive over the nesting of one rule only.
fn requires(rule: &UnlockRule, required: u32, memo: &HashMap<u32, bool>) -> bool {
    match rule {
        UnlockRule::Solved(x) => x.0 == required || memo.get(&x.0).copied().unwrap_or(false),
        UnlockRule::AllOf(rules) => rules.iter().any(|r| requires(r, required, memo)),
        UnlockRule::AnyOf(rules) => {
            !rules.is_empty() && rules.iter().all(|r| requires(r, required, memo))
        }
        UnlockRule::AtLeast { n, of } => {
            let without = of.iter().filter(|r| !requires(r, required, memo)).count();
            without < *n as usize
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::{ChallengeId, RoundId};

    fn solved(c: u32) -> UnlockRule {
        UnlockRule::Solved(ChallengeId(c))
    }

    fn edges_of(rules: &[UnlockRule]) -> Edges {
        Edges::new(rules.iter().map(|rule| {
            let mut named = Vec::new();
            collect_named(rule, &mut named);
            named.into_iter().map(|c| (c, 0)).collect()
        }))
    }

    #[test]
    fn cycles_are_listed_in_unlock_order_from_their_first_challenge() {
        // 0 → 1 → 2 → 0 (each unlocks the next), 3 on its own, 4 needs itself.
        let rules = [
            solved(2),
            solved(0),
            UnlockRule::AllOf(vec![solved(1), solved(3)]),
            UnlockRule::Always,
            UnlockRule::AnyOf(vec![UnlockRule::Always, solved(4)]),
        ];
        let found: Vec<Vec<u32>> = cycles(&edges_of(&rules))
            .into_iter()
            .map(|cycle| cycle.path)
            .collect();
        assert_eq!(found, vec![vec![0, 1, 2], vec![4]]);
    }

    #[test]
    fn reach_follows_solves_rounds_and_score() {
        let rules = [
            UnlockRule::Always,
            solved(0),
            UnlockRule::ScoreAtLeast(30),
            UnlockRule::SolvesInRound {
                round: RoundId(0),
                n: 2,
            },
            UnlockRule::ScoreAtLeast(1000),
            UnlockRule::AtLeast {
                n: 2,
                of: vec![solved(4), solved(3), UnlockRule::After(Span::from_secs(60))],
            },
            UnlockRule::After(Span::from_secs(3600)),
        ];
        let game = Game {
            rules: &rules,
            points: &[10, 20, 5, 0, 0, 0, 0],
            rounds: &[Some(0), Some(0), None, None, None, None, None],
            round_count: 1,
            window: Some(Span::from_secs(3600)),
        };
        let reach = reach(&game);
        assert_eq!(
            reach.reachable,
            [true, true, true, true, false, true, false]
        );
        assert_eq!(reach.score, 35);
        assert_eq!(
            own_failure(&game, &reach, 4),
            Some(Failure::Score {
                needed: 1000,
                possible: 35
            })
        );
        assert_eq!(own_failure(&game, &reach, 6), Some(Failure::Rule));
    }
}
