// The review page in a real browser: headless Debian chromium driven by puppeteer-core.
// Builds a dataset from the demo corpus, samples it, serves it, reviews three studies by
// keyboard and by mouse, reloads, checks every verdict is still there (in the page and in the
// review file), and checks the token and loopback rules. Writes screenshots to
// $CXRVQA_TEST_OUTPUT (the build's test-output/browser folder).
//
// Environment: CXRVQA_BINARY, CXRVQA_SOURCE_DIR, CXRVQA_TEST_OUTPUT, CXRVQA_TEST_TMP,
// CXRVQA_CHROMIUM (default /usr/bin/chromium).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import puppeteer from 'puppeteer-core';

const binary = process.env.CXRVQA_BINARY;
const sourceDir = process.env.CXRVQA_SOURCE_DIR;
const outputDir = process.env.CXRVQA_TEST_OUTPUT || path.join(os.tmpdir(), 'cxrvqa-browser-output');
const chromium = process.env.CXRVQA_CHROMIUM || '/usr/bin/chromium';
const demo = sourceDir ? path.join(sourceDir, 'data/demo/mimic') : '';

let work;
let db;
let server;
let url;
let origin;
let token;
let browser;
let page;
const requestsElsewhere = [];
const pageErrors = [];

function run(args) {
  const result = spawnSync(binary, args, { encoding: 'utf8', timeout: 120_000 });
  assert.equal(result.status, 0, `cxrvqa ${args.join(' ')} failed:\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

// Starts `cxrvqa review serve` and resolves with the URL it prints.
function startServer() {
  const child = spawn(binary, ['review', 'serve', '--db', db, '--reviewer', 'browser-test'],
    { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('review serve printed no URL within 30 s')), 30_000);
    child.on('exit', (code) => reject(new Error(`review serve exited with ${code}`)));
    readline.createInterface({ input: child.stdout }).on('line', (line) => {
      if (line.startsWith('http://')) {
        clearTimeout(timer);
        resolve({ child, url: line.trim() });
      }
    });
  });
}

async function api(pathname, headers = { 'X-Review-Token': token }) {
  const response = await fetch(new URL(pathname, origin), { headers });
  return { status: response.status, body: await response.text() };
}

async function studyFromServer(position) {
  const response = await api(`/api/study/${position}`);
  assert.equal(response.status, 200);
  return JSON.parse(response.body);
}

// Waits until every pair on the page shows a saved verdict of the server.
async function waitAllSaved() {
  await page.waitForFunction(() => {
    const labels = Array.from(document.querySelectorAll('#items .saved'));
    return labels.length > 0 && labels.every((label) => label.textContent.startsWith('saved '));
  }, { timeout: 60_000 });
}

async function waitPosition(position) {
  await page.waitForFunction((p) => document.body.dataset.position === String(p), { timeout: 60_000 }, position);
}

async function pageVerdicts() {
  return page.$$eval('#items .item', (nodes) => nodes.map((node) => ({
    verdict: node.querySelector('.verdict[aria-pressed="true"]')?.dataset.verdict || '',
    right_answer: node.querySelector('.right-answer').value,
    comment: node.querySelector('.comment').value,
  })));
}

function serverVerdicts(study) {
  return study.items.map((item) => ({
    verdict: item.verdict ? item.verdict.verdict : '',
    right_answer: item.verdict ? item.verdict.right_answer : '',
    comment: item.verdict ? item.verdict.comment : '',
  }));
}

before(async () => {
  assert.ok(binary && fs.existsSync(binary), 'CXRVQA_BINARY must name the built cxrvqa program');
  assert.ok(fs.existsSync(chromium), `${chromium} not found: install the Debian package chromium (scripts/install-deps.sh)`);
  const base = process.env.CXRVQA_TEST_TMP || os.tmpdir();
  fs.mkdirSync(base, { recursive: true });
  work = fs.mkdtempSync(path.join(base, 'browser-review-'));
  fs.mkdirSync(outputDir, { recursive: true });
  const dataset = path.join(work, 'dataset');
  run(['-q', 'pipeline', '--corpus', 'mimic', '--reports', demo, '--metadata', path.join(demo, 'mimic_all.csv'),
    '--out-dir', dataset, '--min-count', '1', '--seed', '7']);
  db = path.join(work, 'review.sqlite');
  run(['review', 'sample', '--dataset', dataset, '--db', db, '--n', '12', '--seed', '5']);
  ({ child: server, url } = await startServer());
  const parsed = new URL(url);
  origin = parsed.origin;
  token = parsed.searchParams.get('token');
  assert.match(origin, /^http:\/\/127\.0\.0\.1:\d+$/);
  assert.match(token, /^[0-9a-f]{32}$/);

  browser = await puppeteer.launch({
    executablePath: chromium,
    headless: true,
    timeout: 120_000,
    protocolTimeout: 120_000,
    userDataDir: path.join(work, 'profile'),
    // As root (CI) chromium needs --no-sandbox; the page is our own, on loopback.
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
  page = await browser.newPage();
  page.setDefaultTimeout(60_000);
  await page.setViewport({ width: 1400, height: 1000 });
  page.on('request', (request) => {
    const address = request.url();
    if (!address.startsWith(`${origin}/`) && !address.startsWith('data:')) requestsElsewhere.push(address);
  });
  page.on('pageerror', (error) => pageErrors.push(String(error)));
  page.on('console', (message) => {
    if (message.type() === 'error') pageErrors.push(message.text());
  });
});

after(async () => {
  if (browser) await browser.close();
  if (server) server.kill('SIGTERM');
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

test('three studies reviewed by keyboard and mouse survive a reload', async () => {
  const response = await page.goto(url);
  assert.equal(response.status(), 200);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
  await waitPosition(1);
  assert.match(await page.$eval('#position', (node) => node.textContent), /^Study 1 of 12$/);
  assert.ok(await page.$('#report .hl'), 'the report shows highlighted findings');
  assert.match(await page.$eval('#keyinfo', (node) => node.textContent), /Present/);

  // Study 1, keyboard only: c on each pair, w + right answer on the second, a comment on the last.
  const first = await page.$$eval('#items .item', (nodes) => nodes.length);
  assert.ok(first >= 2, 'study 1 has at least two pairs');
  const expected1 = [];
  for (let i = 0; i < first; i += 1) {
    if (i === 1) {
      await page.keyboard.press('w');
      await page.keyboard.type('typed right answer');
      await page.keyboard.press('Enter');
      await page.keyboard.press('j');
      expected1.push({ verdict: 'wrong', right_answer: 'typed right answer', comment: '' });
    } else {
      await page.keyboard.press('c');
      expected1.push({ verdict: 'correct', right_answer: '', comment: '' });
    }
  }
  await page.keyboard.press('m');
  await page.keyboard.type('comment by keyboard');
  await page.keyboard.press('Enter');
  expected1[first - 1].comment = 'comment by keyboard';
  await waitAllSaved();
  assert.deepEqual(await pageVerdicts(), expected1);
  await page.screenshot({ path: path.join(outputDir, 'review-study1.png'), fullPage: true });

  // Study 2, mouse only.
  await page.click('#next');
  await waitPosition(2);
  const second = await page.$$('#items .item');
  const expected2 = [];
  for (let i = 0; i < second.length; i += 1) {
    const item = second[i];
    if (i === 0) {
      await (await item.$('.verdict.wrong')).click();
      await (await item.$('.right-answer')).click();
      await page.keyboard.type('clicked right answer');
      await page.click('#report');  // leaving the field saves it
      expected2.push({ verdict: 'wrong', right_answer: 'clicked right answer', comment: '' });
    } else if (i === second.length - 1) {
      await (await item.$('.verdict.unsure')).click();
      await (await item.$('.comment')).click();
      await page.keyboard.type('comment by mouse');
      await page.click('#report');
      expected2.push({ verdict: 'unsure', right_answer: '', comment: 'comment by mouse' });
    } else {
      await (await item.$('.verdict.correct')).click();
      expected2.push({ verdict: 'correct', right_answer: '', comment: '' });
    }
  }
  await waitAllSaved();
  assert.deepEqual(await pageVerdicts(), expected2);

  // Study 3: keys 1 / 2 / 3 and the arrow key to get there.
  await page.keyboard.press('ArrowRight');
  await waitPosition(3);
  const third = await page.$$eval('#items .item', (nodes) => nodes.length);
  const expected3 = [];
  for (let i = 0; i < third; i += 1) {
    const verdict = i === 0 ? 'unsure' : 'correct';
    await page.keyboard.press(i === 0 ? '3' : '1');
    expected3.push({ verdict, right_answer: '', comment: '' });
  }
  await waitAllSaved();
  assert.deepEqual(await pageVerdicts(), expected3);
  const judged = first + second.length + third;
  await page.waitForFunction((n) => document.getElementById('progress-text').textContent.startsWith(`${n} of `),
    { timeout: 60_000 }, judged);

  // Reload: the review resumes at study 3 with its verdicts; going back shows studies 2 and 1.
  await page.reload();
  await page.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
  await waitPosition(3);
  assert.deepEqual(await pageVerdicts(), expected3);
  await page.keyboard.press('p');
  await waitPosition(2);
  assert.deepEqual(await pageVerdicts(), expected2);
  await page.click('#prev');
  await waitPosition(1);
  assert.deepEqual(await pageVerdicts(), expected1);
  await page.screenshot({ path: path.join(outputDir, 'review.png'), fullPage: true });

  // What the server holds (the review file) is what the page shows.
  assert.deepEqual(serverVerdicts(await studyFromServer(1)), expected1);
  assert.deepEqual(serverVerdicts(await studyFromServer(2)), expected2);
  assert.deepEqual(serverVerdicts(await studyFromServer(3)), expected3);
  const report = JSON.parse(run(['review', 'report', '--db', db, '--json']));
  assert.equal(report.verdicts_per_reviewer['browser-test'], judged);
  assert.equal(report.overall.wrong, 2);
  assert.equal(report.overall.unsure, 2);
  assert.equal(report.overall.correct, judged - 4);

  assert.deepEqual(requestsElsewhere, [], 'the page loads nothing from elsewhere');
  assert.deepEqual(pageErrors, [], 'no script error or blocked resource');
});

test('requests without the token are refused with 403', async () => {
  assert.equal((await api('/', {})).status, 403);
  assert.equal((await api('/api/study/1', {})).status, 403);
  assert.equal((await api('/api/study/1', { 'X-Review-Token': 'f'.repeat(32) })).status, 403);
  assert.equal((await api(`/review.js?token=${'0'.repeat(32)}`, {})).status, 403);
  const refused = await page.goto(`${origin}/`);
  assert.equal(refused.status(), 403);
  assert.doesNotMatch(await page.content(), /Report|study/i);
  assert.equal((await api('/api/state')).status, 200);
});

test('the server refuses to bind a non-loopback address', () => {
  for (const host of ['0.0.0.0', '192.0.2.10', '::']) {
    const result = spawnSync(binary, ['review', 'serve', '--db', db, '--reviewer', 'x', '--host', host],
      { encoding: 'utf8', timeout: 20_000 });
    assert.equal(result.status, 1, `--host ${host}: ${result.stdout}${result.stderr}`);
    assert.match(result.stderr, /loopback/);
    assert.doesNotMatch(result.stdout, /http:\/\//);
  }
});
