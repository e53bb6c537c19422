// The consumer page's "verified" mark in headless Chromium (issue 6).
//
// 1. Real server: starts `origod --demo` on a temp data dir (HTTP and gRPC on 127.0.0.1 port 0),
//    opens the demo wine bottle's page, waits for verify.js to finish and asserts what a consumer
//    sees: the verified mark, the origin and the producer's grade; saves a screenshot. Then it
//    tampers with the proof bundle on its way to the page (page.route) — one byte of a leaf's
//    event, of its batch signature, of its record time, of the checkpoint signature; a missing
//    proof — and asserts that the page says "failed" and names the check.
// 2. Fixture page (runs first): a bundle signed offline by browser_bundle_fixture with an Ed25519
//    and a P-256 producer (the demo has only Ed25519), served with verify.js from the source
//    tree: both verify; a pending event is fetched again; a P-256 signature byte, another
//    producer's key and another origin fail.
//
// Usage: node consumer_page_test.mjs --origod PATH --fixture PATH --verify-js PATH --out DIR

import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const { chromium } = await import(path.join(here, 'node_modules', 'playwright-core', 'index.mjs'));

const args = {};
for (let i = 2; i + 1 < process.argv.length; i += 2) args[process.argv[i].replace(/^--/, '')] = process.argv[i + 1];
for (const need of ['origod', 'fixture', 'verify-js', 'out']) {
  if (!args[need]) {
    console.error(`usage: consumer_page_test.mjs --origod PATH --fixture PATH --verify-js PATH --out DIR (missing --${need})`);
    process.exit(2);
  }
}
fs.mkdirSync(args.out, { recursive: true });
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'origo-browser-'));
const started = Date.now();
let failures = 0;
const cleanups = [];

function log(msg) { console.log(`[${((Date.now() - started) / 1000).toFixed(1)}s] ${msg}`); }
function expect(ok, what, detail = '') {
  if (ok) { log(`ok   ${what}${detail ? ` — ${String(detail).slice(0, 160)}` : ''}`); return; }
  failures++;
  log(`FAIL ${what}${detail ? `\n     ${detail}` : ''}`);
}

// --- bundle tampering (the proofs JSON as the page would receive it) -------------------------

// Offsets of the fields of a protobuf message: [{num, type, start, end}] (value bytes).
function fields(b) {
  const out = [];
  let at = 0;
  const varint = () => { let v = 0, m = 1, x; do { x = b[at++]; v += (x & 0x7f) * m; m *= 128; } while (x & 0x80); return v; };
  while (at < b.length) {
    const tag = varint(), num = Math.floor(tag / 8), type = tag % 8;
    if (type === 0) { const start = at; varint(); out.push({ num, type, start, end: at }); }
    else if (type === 2) { const len = varint(); out.push({ num, type, start: at, end: at + len }); at += len; }
    else throw new Error(`unexpected wire type ${type}`);
  }
  return out;
}
// Flips the low bit of one byte in the middle of field `num` of the first event's leaf.
function tamperLeafField(bundle, num) {
  const leaf = Buffer.from(bundle.events[0].leaf, 'base64');
  const f = fields(leaf).find((x) => x.num === num);
  const at = f.type === 0 ? f.start : f.start + Math.floor((f.end - f.start) / 2);
  leaf[at] ^= 0x01;
  bundle.events[0].leaf = leaf.toString('base64');
  return bundle;
}
function tamperCheckpointSignature(bundle) {
  const note = bundle.checkpoint;
  const split = note.lastIndexOf('\n\n') + 2;
  const lines = note.slice(split, -1).split('\n').map((line) => {
    const w = line.split(' ');
    const sig = Buffer.from(w[2], 'base64');
    sig[10] ^= 0x01;  // inside the signature, after the 4-byte key hash
    return `${w[0]} ${w[1]} ${sig.toString('base64')}`;
  });
  bundle.checkpoint = note.slice(0, split) + lines.join('\n') + '\n';
  return bundle;
}
function dropFirstEvent(bundle) { bundle.events.shift(); return bundle; }
function findLeafWith(bundle, alg) {
  const i = bundle.events.findIndex((e) => e.producer_key.alg === alg);
  const [e] = bundle.events.splice(i, 1);
  bundle.events.unshift(e);
  return bundle;
}

// Each case: tamper function, and the words the failure must contain (en, zh).
const TAMPERS = [
  { name: 'one byte of a leaf\'s event', fn: (b) => tamperLeafField(b, 1), en: 'event bytes do not match its id', zh: '事件内容与其编号不符' },
  { name: 'one byte of a leaf\'s batch signature', fn: (b) => tamperLeafField(b, 5), en: 'batch signature invalid', zh: '批次签名无效' },
  { name: 'one byte of a leaf\'s record time (not producer-signed)', fn: (b) => tamperLeafField(b, 6), en: 'inclusion proof does not match checkpoint', zh: '包含证明与检查点不符' },
  { name: 'one byte of the checkpoint signature', fn: tamperCheckpointSignature, en: 'checkpoint signature invalid', zh: '检查点签名无效' },
  { name: 'a timeline event without its proof', fn: dropFirstEvent, en: 'has no proof', zh: '没有证明' },
];

// --- browser -----------------------------------------------------------------------------------

async function launch() {
  const profile = fs.mkdtempSync(path.join(work, 'profile-'));
  return chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    viewport: { width: 390, height: 844 },  // a phone
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic',
      '--disable-background-networking', '--disable-component-update', '--no-first-run',
      '--disable-sync'],
  });
}

// Opens `url` with the proofs (URLs matching `proofs`) passed through `tamper`, and returns the
// status element's final state and text.
async function openAndVerify(context, url, proofs, tamper) {
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  if (tamper) {
    await page.route(proofs, async (route) => {
      const response = await route.fetch();
      const body = tamper(await response.json());
      await route.fulfill({ response, json: body });
    });
  }
  await page.goto(url);
  await page.waitForSelector('#verify-status:is([data-state=verified],[data-state=failed])', { timeout: 30000 });
  const status = page.locator('#verify-status');
  const result = { page, state: await status.getAttribute('data-state'), text: await status.textContent(), errors };
  return result;
}

async function fixtureTests(context) {
  const fixtureFile = path.join(work, 'fixture.json');
  execFileSync(args.fixture, [fixtureFile]);
  const fixture = JSON.parse(fs.readFileSync(fixtureFile, 'utf8'));
  const verifyJs = fs.readFileSync(args['verify-js']);
  const ids = fixture.bundle.events.map((e) => e.event_id);
  const pageHtml = (lang, proofs = 'fixture') => `<!doctype html><html lang="${lang}" data-proofs="/api/v1/proofs/${proofs}">
<head><meta charset="utf-8"><script type="application/json" id="origo-log">${JSON.stringify(fixture.log)}</script>
<script src="/static/verify.js" defer></script></head><body>
<p id="verify-status" data-state="pending">…</p><ol>${ids.map((id) => `<li data-event-id="${id}">${id}</li>`).join('')}</ol>
</body></html>`;
  let pendingServed = 0;
  const server = http.createServer((req, res) => {
    const u = new URL(req.url, 'http://x');
    if (u.pathname === '/static/verify.js') { res.setHeader('content-type', 'text/javascript'); res.end(verifyJs); }
    else if (u.pathname === '/api/v1/proofs/fixture') { res.setHeader('content-type', 'application/json'); res.end(JSON.stringify(fixture.bundle)); }
    else if (u.pathname === '/api/v1/proofs/fixture-pending') {
      // The first answer lists the newest event as pending (no checkpoint covers it yet).
      const bundle = structuredClone(fixture.bundle);
      if (pendingServed++ === 0) bundle.pending = [bundle.events.pop().event_id];
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(bundle));
    } else if (u.pathname === '/en-pending') { res.setHeader('content-type', 'text/html; charset=utf-8'); res.end(pageHtml('en', 'fixture-pending')); }
    else if (u.pathname === '/en' || u.pathname === '/zh') { res.setHeader('content-type', 'text/html; charset=utf-8'); res.end(pageHtml(u.pathname === '/en' ? 'en' : 'zh-CN')); }
    else { res.statusCode = 404; res.end(); }
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  cleanups.push(() => server.close());
  const base = `http://127.0.0.1:${server.address().port}`;
  const proofs = '**/api/v1/proofs/**';

  let r = await openAndVerify(context, `${base}/en`, proofs, null);
  expect(r.state === 'verified' && r.text.includes(`Verified: ${ids.length} records`),
    `fixture: Ed25519 and P-256 producers verify (${ids.length} records)`, r.text + r.errors.join('; '));
  await r.page.close();
  r = await openAndVerify(context, `${base}/zh`, proofs, null);
  expect(r.state === 'verified' && r.text.includes(`已验证：${ids.length} 条记录`), 'fixture: Chinese page says 已验证', r.text);
  await r.page.close();
  r = await openAndVerify(context, `${base}/en-pending`, proofs, null);
  expect(r.state === 'verified' && pendingServed === 2 && r.text.includes(`Verified: ${ids.length} records`),
    'fixture: a pending event is fetched again once a checkpoint covers it', `${pendingServed} fetches; ${r.text}`);
  await r.page.close();
  r = await openAndVerify(context, `${base}/en`, proofs, (b) => tamperLeafField(findLeafWith(b, 'p256'), 5));
  expect(r.state === 'failed' && r.text.includes('batch signature invalid'),
    'fixture: one byte of a P-256 batch signature fails', r.text);
  await r.page.close();
  r = await openAndVerify(context, `${base}/en`, proofs, (b) => {
    findLeafWith(b, 'p256');
    const other = b.events.find((e) => e.producer_key.alg === 'ed25519');
    b.events[0].producer_key = other.producer_key;  // a real key, but not the manifest's
    return b;
  });
  expect(r.state === 'failed' && r.text.includes("producer key does not match the manifest's key id"),
    'fixture: another producer\'s key is refused by key id', r.text);
  await r.page.close();
  r = await openAndVerify(context, `${base}/en`, proofs, (b) => { b.checkpoint = b.checkpoint.replace('origo.test/log', 'evil.test/log'); return b; });
  expect(r.state === 'failed' && /checkpoint (signature invalid|is not signed|is from another log)/.test(r.text),
    'fixture: a checkpoint of another origin fails', r.text);
  await r.page.close();
}

// --- the real server -------------------------------------------------------------------------------

async function startOrigod() {
  const data = path.join(work, 'data');
  const child = spawn(args.origod, ['--data', data, '--grpc-listen', '127.0.0.1:0',
    '--http-listen', '127.0.0.1:0', '--demo'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '', err = '';
  child.stderr.on('data', (c) => { err += c; });
  const exited = new Promise((ok) => child.on('exit', (code, signal) => ok(code ?? signal)));
  cleanups.push(async () => { if (child.exitCode === null) { child.kill('SIGKILL'); await exited; } });
  const base = await new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`origod not ready in 90 s:\n${out}\n${err}`)), 90000);
    child.stdout.on('data', (c) => {
      out += c;
      const m = /^\s*HTTP\s+(http:\/\/\S+)/m.exec(out);
      if (m && /^ready/m.test(out)) { clearTimeout(timer); ok(m[1]); }
    });
    child.on('exit', () => fail(new Error(`origod exited early:\n${out}\n${err}`)));
  });
  log(`origod --demo serving HTTP on ${base}`);
  return { base, stop: async () => { child.kill('SIGTERM'); return exited; }, output: () => out + err };
}

const BOTTLE = '/01/06971236000147/21/HL25-0007';

async function serverTests(context) {
  const origod = await startOrigod();
  const proofs = '**/api/v1/proofs/**';
  const url = `${origod.base}${BOTTLE}`;

  let r = await openAndVerify(context, url, proofs, null);
  const lang = await r.page.getAttribute('html', 'lang');
  const timeline = await r.page.locator('[data-event-id]').count();
  expect(lang === 'zh-CN', 'bottle page is Chinese first', `lang=${lang}`);
  expect(r.state === 'verified' && r.text.includes('已验证') && timeline > 0,
    `bottle page verifies its ${timeline} timeline events`, `${r.state}: ${r.text} ${r.errors.join('; ')}`);
  const origin = (await r.page.textContent('#origin').catch(() => '')) || '';
  expect(/Vineyard block A3/.test(origin) && /2025-09-20/.test(origin),
    'bottle page shows its origin (Vineyard block A3, harvested 2025-09-20)', origin);
  const grade = ((await r.page.textContent('#producer .grade').catch(() => '')) || '').trim();
  expect(/^(AAA|AA|A|B|C|D)$/.test(grade), `bottle page shows the producer's grade (${grade})`);
  const shot = path.join(path.resolve(args.out), 'consumer_page_verified.png');
  await r.page.screenshot({ path: shot, fullPage: true });
  log(`screenshot: ${shot}`);
  await r.page.close();

  r = await openAndVerify(context, `${url}?lang=en`, proofs, null);
  expect(r.state === 'verified' && r.text.startsWith('Verified:'), 'English page says Verified', r.text);
  await r.page.close();

  for (const t of TAMPERS) {
    for (const lang of ['zh', 'en']) {
      if (lang === 'en' && t !== TAMPERS[0] && t !== TAMPERS[3]) continue;  // English: two cases
      r = await openAndVerify(context, lang === 'en' ? `${url}?lang=en` : url, proofs, t.fn);
      const words = lang === 'en' ? t.en : t.zh;
      expect(r.state === 'failed' && r.text.includes(words),
        `tampered ${t.name} (${lang}): failed, "${words}"`, `${r.state}: ${r.text}`);
      await r.page.close();
    }
  }
  const code = await origod.stop();
  expect(code === 0, 'origod stops cleanly on SIGTERM', code === 0 ? '' : origod.output().slice(-2000));
}

let context;
try {
  context = await launch();
  log(`chromium ${context.browser()?.version() ?? ''} started`);
  await fixtureTests(context);
  await serverTests(context);
} catch (e) {
  failures++;
  log(`FAIL ${e.stack || e}`);
} finally {
  if (context) await context.close().catch(() => {});
  for (const c of cleanups.reverse()) await c();
  fs.rmSync(work, { recursive: true, force: true });
}
log(failures ? `${failures} check(s) failed` : 'all checks passed');
process.exit(failures ? 1 : 0);
