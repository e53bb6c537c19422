// Origo consumer page: checks the page's proof bundle in the browser, trusting only the log key
// embedded in the page (DESIGN §5, §9). Every check uses WebCrypto; nothing is taken from the
// server's JSON that the hashed or signed bytes can say themselves. Contract with the page:
//   <html lang data-proofs="/api/v1/proofs/...">, <script type="application/json"
//   id="origo-log">{"origin","vkey"}</script>, <p id="verify-status" data-state="pending">,
//   timeline elements with data-event-id. data-state ends as "verified" or "failed".
(function () {
  'use strict';
  var d = document, html = d.documentElement, out = d.getElementById('verify-status');
  if (!out) return;
  var zh = /^zh/i.test(html.lang || '');
  var PAYLOAD_TYPE = 'application/vnd.origo.batch-manifest.v1+protobuf';
  var T = {
    fetch: ['无法获取证明（{0}）', 'could not fetch the proofs ({0})'],
    crypto: ['此浏览器在此连接上无法验证（WebCrypto 需要 HTTPS）',
      'this browser cannot verify on this connection (WebCrypto needs HTTPS)'],
    logkey: ['页面中的日志公钥格式错误', 'the log key in the page is malformed'],
    cpformat: ['检查点格式错误', 'checkpoint is malformed'],
    cpnosig: ['检查点没有日志密钥的签名', 'checkpoint is not signed by the log key'],
    cpsig: ['检查点签名无效', 'checkpoint signature invalid'],
    origin: ['检查点来自其他日志（{0}）', 'checkpoint is from another log ({0})'],
    size: ['证明的树大小与检查点不符', 'tree size does not match the checkpoint'],
    leaf: ['记录 {0}：日志叶无法解析', 'event {0}: log leaf does not parse'],
    eventid: ['记录 {0}：事件内容与其编号不符', 'event {0}: event bytes do not match its id'],
    manifest: ['记录 {0}：批次清单无法解析', 'event {0}: batch manifest does not parse'],
    batchpath: ['记录 {0}：批次路径与签名的批次根不符',
      'event {0}: batch path does not reach the signed batch root'],
    keyid: ['记录 {0}：生产者公钥与清单中的密钥编号不符',
      "event {0}: producer key does not match the manifest's key id"],
    batchsig: ['记录 {0}：批次签名无效', 'event {0}: batch signature invalid'],
    inclusion: ['记录 {0}：包含证明与检查点不符', 'event {0}: inclusion proof does not match checkpoint'],
    noproof: ['记录 {0} 没有证明', 'event {0} has no proof'],
    pending: ['记录 {0} 尚未收入已签名的检查点', 'event {0} is not yet in a signed checkpoint'],
    empty: ['没有可验证的记录', 'there are no records to verify'],
    failed: ['验证失败：', 'Verification failed: '],
    ok: ['已验证：{0} 条记录均由生产者签名，并收录于日志 {1}（检查点大小 {2}）',
      'Verified: {0} records, signed by their producers and included in log {1} (checkpoint size {2})'],
    wait: ['正在等待日志签名新的检查点…', 'Waiting for the log to sign a new checkpoint…']
  };
  function say(key, a, b, c) {
    return T[key][zh ? 0 : 1].replace('{0}', a).replace('{1}', b).replace('{2}', c);
  }
  function Fail(key, a) { this.msg = say(key, a); }
  function check(ok, key, a) { if (!ok) throw new Fail(key, a); }
  function show(state, text) { out.textContent = text; out.setAttribute('data-state', state); }

  var subtle = window.crypto && window.crypto.subtle;
  var enc = new TextEncoder();
  function b64(s) {
    var bin = atob(s), b = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) b[i] = bin.charCodeAt(i);
    return b;
  }
  function cat() {
    var n = 0, i, parts = arguments;
    for (i = 0; i < parts.length; i++) n += parts[i].length;
    var r = new Uint8Array(n), at = 0;
    for (i = 0; i < parts.length; i++) { r.set(parts[i], at); at += parts[i].length; }
    return r;
  }
  function same(a, b) {
    if (a.length !== b.length) return false;
    for (var i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  }
  function hex(b) {
    var s = '';
    for (var i = 0; i < b.length; i++) s += (b[i] < 16 ? '0' : '') + b[i].toString(16);
    return s;
  }
  async function sha256(b) { return new Uint8Array(await subtle.digest('SHA-256', b)); }
  async function verifies(alg, key, sig, data) {
    try { return await subtle.verify(alg, key, sig, data); } catch (x) { return false; }
  }
  var LEAF = new Uint8Array([0]), NODE = new Uint8Array([1]);

  // Minimal protobuf wire reader: field number -> list of values (Uint8Array for
  // length-delimited fields, Number for varints). Throws on anything malformed.
  function proto(b) {
    var at = 0, f = {};
    function varint() {
      var v = 0, mul = 1, byte;
      do {
        if (at >= b.length || mul > 0x20000000000000) throw 0;
        byte = b[at++];
        v += (byte & 0x7f) * mul;
        mul *= 128;
      } while (byte & 0x80);
      return v;
    }
    while (at < b.length) {
      var tag = varint(), num = Math.floor(tag / 8), type = tag % 8, val;
      if (num < 1) throw 0;
      if (type === 0) val = varint();
      else if (type === 2) {
        var len = varint();
        if (at + len > b.length) throw 0;
        val = b.subarray(at, at + len);
        at += len;
      } else if (type === 1 || type === 5) {
        at += type === 1 ? 8 : 4;
        if (at > b.length) throw 0;
        continue;
      } else throw 0;
      (f[num] = f[num] || []).push(val);
    }
    return f;
  }
  function one(f, n, bytes) {
    var v = f[n] ? f[n][f[n].length - 1] : undefined;  // last one wins, as in protobuf
    if (v === undefined) return bytes ? new Uint8Array(0) : 0;
    if (bytes !== (v instanceof Uint8Array)) throw 0;
    return v;
  }

  // RFC 9162 §2.1.3.2: the root that `path` gives for leaf hash `h` at `index` in a tree of `size`.
  async function rootFromPath(index, size, h, path) {
    if (index >= size) return null;
    var fn = index, sn = size - 1, r = h;
    for (var i = 0; i < path.length; i++) {
      var p = path[i];
      if (sn === 0 || p.length !== 32) return null;
      if (fn % 2 === 1 || fn === sn) {
        r = await sha256(cat(NODE, p, r));
        while (fn % 2 === 0 && fn !== 0) { fn = Math.floor(fn / 2); sn = Math.floor(sn / 2); }
      } else {
        r = await sha256(cat(NODE, r, p));
      }
      fn = Math.floor(fn / 2);
      sn = Math.floor(sn / 2);
    }
    return sn === 0 ? r : null;
  }

  // C2SP signed note + tlog-checkpoint body, verified with the page's vkey.
  async function openCheckpoint(note, log) {
    var vk = String(log.vkey || ''), p1 = vk.indexOf('+'), p2 = vk.indexOf('+', p1 + 1), raw;
    var name = vk.slice(0, p1), hash = vk.slice(p1 + 1, p2);
    try { raw = b64(vk.slice(p2 + 1)); } catch (e) { raw = null; }
    check(p1 > 0 && p2 > p1 && /^[0-9a-f]{8}$/.test(hash) && raw && raw.length === 33 &&
      raw[0] === 1, 'logkey');
    var kh = (await sha256(cat(enc.encode(name + '\n'), raw))).subarray(0, 4);
    check(hex(kh) === hash, 'logkey');
    var key = await subtle.importKey('raw', raw.subarray(1), { name: 'Ed25519' }, false, ['verify']);
    var split = note.lastIndexOf('\n\n');
    check(split > 0 && note.slice(-1) === '\n', 'cpformat');
    var text = note.slice(0, split + 1), lines = note.slice(split + 2, -1).split('\n'), sig = null;
    for (var i = 0; i < lines.length && !sig; i++) {
      var w = lines[i].split(' '), s;
      if (w.length !== 3 || w[0] !== '\u2014' || w[1] !== name) continue;
      try { s = b64(w[2]); } catch (e) { continue; }
      if (s.length === 68 && same(s.subarray(0, 4), kh)) sig = s.subarray(4);
    }
    check(sig, 'cpnosig');
    check(await verifies({ name: 'Ed25519' }, key, sig, enc.encode(text)), 'cpsig');
    var body = text.split('\n'), root;
    check(body[0] === log.origin, 'origin', body[0]);
    try { root = b64(body[2] || ''); } catch (e) { root = null; }
    check(/^(0|[1-9][0-9]{0,15})$/.test(body[1]) && root && root.length === 32, 'cpformat');
    return { size: Number(body[1]), root: root };
  }

  // ECDSA-Sig-Value DER (from OpenSSL) -> raw r||s, as WebCrypto wants; null if malformed.
  function derToRaw(der) {
    if (der.length < 8 || der[0] !== 0x30 || der[1] !== der.length - 2) return null;
    var at = 2, res = new Uint8Array(64);
    for (var k = 0; k < 2; k++) {
      if (der[at] !== 2) return null;
      var len = der[at + 1], v = der.subarray(at + 2, at + 2 + len);
      if (len < 1 || v.length !== len) return null;
      while (v.length > 32 && v[0] === 0) v = v.subarray(1);
      if (v.length > 32) return null;
      res.set(v, k * 32 + 32 - v.length);
      at += 2 + len;
    }
    return at === der.length ? res : null;
  }

  async function verifyEntry(e, cp) {
    var id = String(e.event_id || '').slice(0, 12), leafBytes, leaf, m;
    try {
      leafBytes = b64(e.leaf);
      leaf = proto(leafBytes);
      leaf = { event: one(leaf, 1, true), index: one(leaf, 2, false), path: leaf[3] || [],
        manifest: one(leaf, 4, true), sig: one(leaf, 5, true) };
      leaf.path.forEach(function (p) { if (!(p instanceof Uint8Array)) throw 0; });
    } catch (x) { throw new Fail('leaf', id); }
    check(hex(await sha256(leaf.event)) === e.event_id, 'eventid', id);
    try {
      m = proto(leaf.manifest);
      m = { keyId: new TextDecoder().decode(one(m, 2, true)), size: one(m, 3, false),
        root: one(m, 4, true) };
    } catch (x) { throw new Fail('manifest', id); }
    var r = await rootFromPath(leaf.index, m.size, await sha256(cat(LEAF, leaf.event)), leaf.path);
    check(r && same(r, m.root), 'batchpath', id);

    var pk = e.producer_key || {}, spki, alg, key, sig = leaf.sig;
    try { spki = b64(pk.spki); } catch (x) { spki = new Uint8Array(0); }
    check(hex(await sha256(spki)) === m.keyId, 'keyid', id);
    if (pk.alg === 'ed25519') alg = { name: 'Ed25519' };
    else if (pk.alg === 'p256') alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
    check(alg, 'keyid', id);
    try {
      key = await subtle.importKey('spki', spki, alg, false, ['verify']);
    } catch (x) { throw new Fail('keyid', id); }
    if (alg.name === 'ECDSA') sig = derToRaw(sig);
    var pae = cat(enc.encode('DSSEv1 ' + PAYLOAD_TYPE.length + ' ' + PAYLOAD_TYPE + ' ' +
      leaf.manifest.length + ' '), leaf.manifest);
    check(sig && await verifies(alg, key, sig, pae), 'batchsig', id);

    var proof = [];
    try { (e.inclusion || []).forEach(function (h) { proof.push(b64(h)); }); } catch (x) { proof = null; }
    r = proof && await rootFromPath(Number(e.leaf_index), cp.size,
      await sha256(cat(LEAF, leafBytes)), proof);
    check(r && same(r, cp.root), 'inclusion', id);
    return e.event_id;
  }

  async function run(attempt) {
    check(subtle, 'crypto');
    var log, res, bundle;
    try { log = JSON.parse(d.getElementById('origo-log').textContent); } catch (x) { log = null; }
    check(log && log.vkey, 'logkey');
    try {
      res = await fetch(html.getAttribute('data-proofs'), {
        headers: { Accept: 'application/json' }, cache: 'no-store' });
    } catch (x) { throw new Fail('fetch', x.message); }
    check(res.ok, 'fetch', 'HTTP ' + res.status);
    try { bundle = await res.json(); } catch (x) { throw new Fail('fetch', 'JSON'); }
    var cp = await openCheckpoint(String(bundle.checkpoint || ''), log);
    check(Number(bundle.tree_size) === cp.size, 'size');
    var done = {}, events = bundle.events || [], n = 0;
    for (var i = 0; i < events.length; i++) done[await verifyEntry(events[i], cp)] = 1;
    var wanted = d.querySelectorAll('[data-event-id]'), pending = bundle.pending || [];
    for (i = 0; i < wanted.length; i++) {
      var id = wanted[i].getAttribute('data-event-id');
      if (done[id] === 1) { done[id] = 2; n++; continue; }
      if (done[id] === 2) continue;
      if (pending.indexOf(id) >= 0 && attempt < 5) {
        show('pending', say('wait'));
        await new Promise(function (ok) { setTimeout(ok, 1500); });
        return run(attempt + 1);
      }
      check(false, pending.indexOf(id) >= 0 ? 'pending' : 'noproof', id.slice(0, 12));
    }
    if (!wanted.length) n = events.length;
    check(n > 0, 'empty');
    show('verified', say('ok', n, log.origin, cp.size));
  }

  run(0).catch(function (x) {
    show('failed', say('failed') + (x instanceof Fail ? x.msg : String(x && x.message || x)));
  });
})();
