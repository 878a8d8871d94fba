// End to end in headless Chromium, on a service serving two hunts (each under /h/{hunt}/):
// a team opens the join link `hunt team add` printed, sees only its open challenges,
// submits a wrong then a right answer and sees both verdicts; a board open in a second
// browser context moves (rows and graph) when another team solves, with no reload, while
// the other hunt's board, open beside it, does not; after the freeze it shows the marker and
// stops moving. Screenshots of the list of hunts, the team page and the board go to
// target/browser/ (look at them: they must be fit for a projector).
//
// Usage: node e2e.mjs HUNT_BINARY OUT_DIR   (Chromium at /usr/bin/chromium, or $CHROMIUM)

import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const [hunt, out] = process.argv.slice(2);
if (!hunt || !out) throw new Error('usage: node e2e.mjs HUNT_BINARY OUT_DIR');
mkdirSync(out, { recursive: true });
const dir = mkdtempSync(join(tmpdir(), 'hunt-e2e-'));
const data = join(dir, 'store');
const iso = s => new Date(Math.floor(Date.now() / 1000 + s) * 1000).toISOString().replace('.000', '');
const FREEZE_IN = 30;
writeFileSync(join(dir, 'hunt.toml'), `id = "harbour"
title = "Harbour Hunt 2026"
start = "${iso(-3600)}"
end = "${iso(3600)}"
freeze = "${iso(FREEZE_IN)}"
locked_view = "preview"
first_blood = [10]

[[challenge]]
id = "welcome"
title = "Welcome Aboard"
round = "Harbour"
content = "The first word of the ship's motto, painted on the bow: **ANCHORS** hold, sails fly."
points = 100
answers = ["anchors"]
max_attempts = 10

[[challenge.hint]]
id = "look"
content = "Read the bow."
cost = 10

[[challenge]]
id = "lighthouse"
title = "The Lighthouse"
round = "Harbour"
content = "It blinks every 7 seconds. What does it give?"
points = 150
answers = ["light"]

[[challenge]]
id = "vault"
title = "The Captain's Vault"
round = "Open Sea"
content = "VAULT-SECRET-CONTENT"
points = 300
answers = ["gold"]
unlock = { solved = "welcome" }
`);
writeFileSync(join(dir, 'lagoon.toml'), `id = "lagoon"
title = "Lagoon Hunt"
start = "${iso(-3600)}"
end = "${iso(3600)}"

[[challenge]]
id = "shell"
title = "The Shell"
content = "Listen to it."
points = 10
answers = ["sea"]
`);
const run = (...args) => execFileSync(hunt, ['--data', data, ...args], { encoding: 'utf8' });
run('init', join(dir, 'hunt.toml'));
run('init', join(dir, 'lagoon.toml'));
const teams = ['Sea Otters', 'Null Pointers', 'Kraken Crew', 'Lighthouse Keepers'];
// The printed links, under the hunt's base path: their paths, and their tokens.
const links = teams.map(name => run('--hunt', 'harbour', 'team', 'add', name)
  .match(/http:\/\/[^/]+(\/h\/harbour\/join\/([0-9a-f]{32}))/));
const tokens = links.map(m => m[2]);
run('--hunt', 'lagoon', 'team', 'add', 'Lagoon Divers');

const server = spawn(hunt, ['--data', data, 'serve', '--listen', '127.0.0.1:0'], {
  stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, HUNT_LOG: 'warn' },
});
const base = await new Promise((resolve, reject) => {
  server.stdout.once('data', chunk => resolve(String(chunk).match(/http:\/\/[^/]+/)[0]));
  server.once('exit', code => reject(new Error(`hunt serve exited with ${code}`)));
});
const harbour = `${base}/h/harbour`;
const submit = (token, challenge, answer) => fetch(`${harbour}/api/submit`, {
  method: 'POST',
  headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
  body: JSON.stringify({ challenge, answer, id: `${challenge}-${answer}-${Math.random()}` }),
}).then(r => r.json());

function check(ok, what) {
  if (!ok) throw new Error(`failed: ${what}`);
  console.log(`ok: ${what}`);
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  // Playwright gives every launch a fresh temporary user-data dir.
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
    '--disable-component-update', '--no-first-run'],
});
try {
  // Some history for the graph: two teams solved something before the page opens.
  await submit(tokens[2], 'lighthouse', 'light');
  await submit(tokens[3], 'welcome', 'anchors');

  const listContext = await browser.newContext({ viewport: { width: 1280, height: 700 } });
  const list = await listContext.newPage();
  await list.goto(`${base}/`);
  check((await list.textContent('main')).includes('Lagoon Hunt'), 'the root lists the hunts');
  await list.screenshot({ path: join(out, 'hunts.png') });

  const teamContext = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const team = await teamContext.newPage();
  await team.goto(`${base}${links[0][1]}`);
  check(new URL(team.url()).pathname === '/h/harbour/', 'the printed join link lands on the team page');
  const text = await team.textContent('main');
  check(text.includes('Welcome Aboard') && text.includes('The Lighthouse'), 'open challenges shown');
  check(text.includes("The Captain's Vault") && !text.includes('VAULT-SECRET-CONTENT'),
    'the locked challenge shows its title only');
  const answer = async (challenge, value) => {
    await team.fill(`#c-${challenge} input[name=answer]`, value);
    await Promise.all([team.waitForNavigation(), team.click(`#c-${challenge} button:has-text("Submit")`)]);
    return team.textContent('#verdict');
  };
  const wrong = await answer('welcome', 'sails');
  check(wrong === 'Incorrect. 9 attempts left', `wrong answer verdict: ${wrong}`);
  const right = await answer('welcome', 'Anchors');
  check(right === 'Correct! +100 points', `right answer verdict: ${right}`);
  check((await team.textContent('main')).includes('VAULT-SECRET-CONTENT'), 'the vault opened');
  // The time left counts down on the page by itself.
  const left0 = await team.textContent('#left');
  check(/ left$/.test(left0), `the time left is shown: ${left0}`);
  await team.waitForFunction(l => document.getElementById('left').textContent !== l, left0,
    { timeout: 20000 });
  check(/ left$/.test(await team.textContent('#left')), 'the time left counts down');
  await team.screenshot({ path: join(out, 'team.png'), fullPage: true });

  const boardContext = await browser.newContext({ viewport: { width: 1600, height: 900 } });
  const board = await boardContext.newPage();
  await board.goto(`${harbour}/board`);
  await board.evaluate(() => {
    window.notReloaded = true;
    window.deltas = 0;
    events.addEventListener('board_delta', () => { window.deltas += 1; });
  });
  const seq0 = Number(await board.getAttribute('body', 'data-seq'));
  const graph0 = await board.innerHTML('#graph');
  // The other hunt's board, open at the same time: nothing of harbour's moves it.
  const other = await boardContext.newPage();
  await other.goto(`${base}/h/lagoon/board`);
  const otherRows = await other.textContent('#rows');
  const otherSeq = await other.getAttribute('body', 'data-seq');
  await board.waitForTimeout(500);
  await submit(tokens[1], 'vault', 'gold').then(v => check(v.verdict.verdict === 'locked', 'locked is locked'));
  await submit(tokens[1], 'welcome', 'anchors');
  await board.waitForFunction(s => Number(document.body.dataset.seq) > s, seq0, { timeout: 20000 });
  const rows = await board.textContent('#rows');
  check(rows.includes('Null Pointers') && /Null Pointers\s*100/.test(rows), `the board moved: ${rows}`);
  check(await board.evaluate(() => window.notReloaded === true), 'without a reload');
  check((await board.innerHTML('#graph')) !== graph0, 'the graph moved');
  check((await other.textContent('#rows')) === otherRows && !otherRows.includes('Null Pointers')
    && (await other.getAttribute('body', 'data-seq')) === otherSeq, "the other hunt's board did not move");
  await submit(tokens[2], 'welcome', 'anchors');
  await board.waitForFunction(() => /Kraken Crew\s*265/.test(document.getElementById('rows').textContent), null, { timeout: 20000 });
  check(await board.evaluate(() => window.deltas > 0), 'the board moved by deltas');
  // The deltas applied in the page make exactly the board a freshly opened page gets.
  const fresh = await boardContext.newPage();
  await fresh.goto(`${harbour}/board`);
  const full = await fresh.evaluate(() => JSON.stringify(INITIAL));
  await board.waitForFunction(s => current.seq === JSON.parse(s).seq, full, { timeout: 20000 });
  check(await board.evaluate(() => JSON.stringify(current)) === full, 'the deltas give the full board');
  await fresh.close();
  // A first blood while the board is open: announced on the board.
  await submit(tokens[0], 'vault', 'gold');
  await board.waitForFunction(() => document.getElementById('blood').textContent.includes('First blood'), null, { timeout: 20000 });
  check((await board.textContent('#blood')) === "First blood! Sea Otters solved The Captain's Vault", 'the first blood is announced');
  await board.screenshot({ path: join(out, 'board.png') });

  // The freeze: pushed at its instant; then a solve does not move the board.
  await board.waitForSelector('#frozen:not([hidden])', { timeout: (FREEZE_IN + 10) * 1000 });
  check((await board.textContent('#frozen')).startsWith('Frozen since'), 'the frozen marker shows');
  const frozenRows = await board.textContent('#rows');
  const late = await submit(tokens[3], 'lighthouse', 'light');
  check(late.verdict.verdict === 'correct', 'a solve after the freeze is accepted');
  await board.waitForTimeout(1500);
  check((await board.textContent('#rows')) === frozenRows, 'the frozen board does not move');
  await board.screenshot({ path: join(out, 'board-frozen.png') });
  console.log(`screenshots in ${out}`);
} finally {
  await browser.close();
  server.kill('SIGTERM');
}
