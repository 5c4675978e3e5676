// The HTML report's stylesheet and script, inlined into the one file (no network, no CDN: the
// page's Content-Security-Policy allows nothing else). The script builds every element from the
// embedded data with textContent, never innerHTML: response bodies are a hostile server's text.
// Scenario details are built when opened, and a waterfall draws at most MAX_BARS bars until
// asked for more, so a run of thousands of exchanges opens at once.

export const STYLE = `
:root { --pass: #1a7f37; --fail: #cf222e; --warn: #9a6700; --blocked: #6e7781; --error: #bc4c00; --skipped: #8c959f;
  --line: #d0d7de; --muted: #57606a; --bg: #ffffff; --panel: #f6f8fa; --focus: #0969da; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0; color: #1f2328; background: var(--bg); }
header, main { padding: 12px 20px; }
header { border-bottom: 1px solid var(--line); background: var(--panel); }
h1 { font-size: 20px; margin: 0 0 6px; }
h2 { font-size: 16px; margin: 20px 0 8px; }
.facts { color: var(--muted); }
.chips span { display: inline-block; margin: 4px 6px 0 0; padding: 1px 8px; border-radius: 10px; border: 1px solid var(--line); }
.controls { display: flex; flex-wrap: wrap; gap: 10px; align-items: center; margin: 10px 0 0; }
.controls input[type=search] { width: 22em; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
tr.scenario { cursor: pointer; }
tr.scenario:focus { outline: 2px solid var(--focus); outline-offset: -2px; }
tr.scenario:hover { background: var(--panel); }
.status { font-weight: 600; text-transform: uppercase; font-size: 12px; }
.s-pass { color: var(--pass); } .s-fail { color: var(--fail); } .s-warn { color: var(--warn); }
.s-blocked { color: var(--blocked); } .s-error { color: var(--error); } .s-skipped { color: var(--skipped); }
td.detail { background: var(--panel); padding: 10px 14px; }
.waterfall { position: relative; border: 1px solid var(--line); background: #fff; margin: 6px 0 10px; }
.lane { display: flex; height: 18px; border-bottom: 1px dotted #eaeef2; }
.lane .label { width: 40%; padding: 0 6px; font: 11px/18px ui-monospace, monospace; white-space: nowrap; overflow: hidden;
  text-overflow: ellipsis; color: var(--muted); }
.lane .track { position: relative; flex: 1; }
.marks { position: absolute; left: 40%; right: 0; top: 0; bottom: 0; pointer-events: none; }
.bar { position: absolute; top: 4px; height: 10px; min-width: 2px; border-radius: 2px; background: var(--pass); }
.bar.o-4xx { background: var(--warn); } .bar.o-5xx, .bar.o-none { background: var(--fail); }
.bar.evidence { outline: 2px solid var(--fail); outline-offset: 1px; }
.bar.hit { outline: 3px solid var(--focus); }
.mark { position: absolute; top: 0; width: 2px; height: 100%; background: var(--fail); opacity: .8; }
.mark.warn { background: var(--warn); }
.axis { display: flex; justify-content: space-between; color: var(--muted); font-size: 11px; margin-left: 40%; padding: 0 2px; }
.lanes-note { color: var(--muted); font-size: 12px; margin: 4px 0; }
.finding { border-left: 4px solid var(--fail); background: #fff; padding: 6px 10px; margin: 8px 0; }
.finding.warn, .finding.blocked { border-left-color: var(--warn); }
.finding h3 { font-size: 14px; margin: 0 0 4px; }
pre { background: #fff; border: 1px solid var(--line); padding: 8px; overflow: auto; max-height: 28em; margin: 4px 0; font-size: 12px; }
details > summary { cursor: pointer; }
.journey li { margin: 2px 0; list-style: none; }
.journey { padding-left: 0; }
.muted { color: var(--muted); }
.hidden { display: none; }
kbd { border: 1px solid var(--line); border-radius: 3px; padding: 0 4px; font-size: 12px; }
`;

export const SCRIPT = `
'use strict';
const DATA = JSON.parse(document.getElementById('provspec-data').textContent);
const MAX_BARS = 2000;
const $ = (tag, attrs, ...children) => {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') el.className = v; else if (k === 'text') el.textContent = v;
    else if (k.startsWith('on')) el.addEventListener(k.slice(2), v); else el.setAttribute(k, String(v));
  }
  for (const c of children) if (c !== undefined && c !== null) el.append(c);
  return el;
};
const ms = (n) => n >= 1000 ? (n / 1000).toFixed(2) + ' s' : (Math.round(n * 10) / 10) + ' ms';
const state = { failedOnly: false, section: '', dialect: '', code: '', query: '', person: '' };
const rows = [];

function statusEl(status) { return $('span', { class: 'status s-' + status, text: status }); }

function header() {
  const h = document.getElementById('summary');
  const t = DATA.totals;
  h.append($('h1', { text: 'provspec run ' + DATA.runId }),
    $('div', { class: 'facts' }, statusEl(DATA.status), ' · began ' + DATA.startedAt + ' · ' + ms(DATA.ms) +
      ' · ' + DATA.specs.length + ' spec' + (DATA.specs.length === 1 ? '' : 's')),
    $('div', { class: 'chips' }, ...['pass', 'fail', 'warn', 'blocked', 'error', 'skipped']
      .map((s) => $('span', { class: 's-' + s, text: s + ' ' + t[s] }))));
  if (DATA.dropped) h.append($('div', { class: 'facts', text: 'Timelines were cut: ' + DATA.dropped + ' more entries were not kept.' }));
}

function controls() {
  const c = document.getElementById('controls');
  const sections = [...new Set(DATA.specs.flatMap((s) => s.scenarios.map((x) => x.section)))];
  const dialects = [...new Set(DATA.specs.flatMap((s) => s.scenarios.map((x) => x.dialect)))];
  const people = [...new Set(DATA.specs.flatMap((s) => s.scenarios.map((x) => x.identity).filter(Boolean)))].sort();
  const select = (id, label, values, key) => $('label', {}, label + ' ',
    $('select', { id, onchange: (e) => { state[key] = e.target.value; apply(); } },
      $('option', { value: '', text: 'all' }), ...values.map((v) => $('option', { value: v, text: v }))));
  c.append(
    $('label', {}, $('input', { type: 'checkbox', id: 'failed-only', onchange: (e) => { state.failedOnly = e.target.checked; apply(); } }),
      ' failed only'),
    select('section', 'section', sections, 'section'),
    select('dialect', 'dialect', dialects, 'dialect'),
    $('label', {}, 'status code ', $('input', { id: 'code', size: 4, inputmode: 'numeric',
      oninput: (e) => { state.code = e.target.value.trim(); apply(); } })),
    $('input', { type: 'search', id: 'search', placeholder: 'request id or text  (press /)',
      oninput: (e) => { state.query = e.target.value.trim(); apply(); } }),
    $('label', {}, 'journey of ', $('input', { id: 'person', list: 'people', placeholder: 'identity or resource id',
      onchange: (e) => { state.person = e.target.value.trim(); apply(); } }),
      $('datalist', { id: 'people' }, ...people.map((p) => $('option', { value: p })))),
    $('span', { class: 'muted' }, $('kbd', { text: '↑' }), $('kbd', { text: '↓' }), ' move ', $('kbd', { text: 'Enter' }),
      ' open ', $('kbd', { text: 'f' }), ' failed only'));
}

function exchangesOf(sc) { return sc.timeline.filter((e) => e[0] === 'x'); }

function matches(sc) {
  if (state.failedOnly && sc.status !== 'fail' && sc.status !== 'error') return false;
  if (state.section && sc.section !== state.section) return false;
  if (state.dialect && sc.dialect !== state.dialect) return false;
  if (state.code && !exchangesOf(sc).some((e) => String(e[4]) === state.code)) return false;
  if (state.query) {
    const q = state.query.toLowerCase();
    const hay = (sc.section + '.' + sc.name + ' ' + (sc.identity || '')).toLowerCase();
    if (!hay.includes(q) && !exchangesOf(sc).some((e) => e[1].toLowerCase() === q || e[3].toLowerCase().includes(q))
      && !sc.findings.some((f) => (f.id + ' ' + f.title + ' ' + f.message).toLowerCase().includes(q))) return false;
  }
  return true;
}

function specs() {
  const root = document.getElementById('specs');
  for (const spec of DATA.specs) {
    const body = $('tbody');
    root.append($('section', { class: 'spec' }, $('h2', {}, statusEl(spec.status), ' ' + spec.name + ' ',
      $('span', { class: 'muted', text: spec.file + ' · ' + spec.dialect + ' · ' + ms(spec.ms) })),
      spec.error ? $('div', { class: 'finding' }, $('h3', { text: 'The spec did not run' }), $('div', { text: spec.error })) : null,
      $('table', {}, $('thead', {}, $('tr', {}, ...['status', 'scenario', 'identity', 'dialect', 'checks', 'time', 'line']
        .map((h) => $('th', { text: h })))), body),
      auditTrail(spec)));
    for (const sc of spec.scenarios) {
      const failing = sc.findings.filter((f) => f.status === 'fail' || f.status === 'error').length;
      const row = $('tr', { class: 'scenario', tabindex: 0, 'data-key': sc.key, 'aria-expanded': 'false' },
        $('td', {}, statusEl(sc.status)), $('td', { text: sc.section + '.' + sc.name }), $('td', { text: sc.identity || '' }),
        $('td', { text: sc.dialect }), $('td', { text: sc.checks + (failing ? ' (' + failing + ' failed)' : '') }),
        $('td', { text: ms(sc.ms) }), $('td', { text: spec.file + ':' + sc.line }));
      const detail = $('tr', { class: 'hidden' }, $('td', { class: 'detail', colspan: 7 }));
      row.addEventListener('click', () => toggle(row));
      body.append(row, detail);
      rows.push({ row, detail, sc, spec });
    }
  }
}

function auditTrail(spec) {
  const entries = [...spec.audit, ...spec.orphans.filter((o) => !spec.audit.includes(o))];
  if (!entries.length) return null;
  const details = (e) => [e.group, ...(e.changes || []).map((c) => c.attribute + ': ' + JSON.stringify(c.before) + ' → ' +
    JSON.stringify(c.after)), e.reason].filter(Boolean).join(' · ');
  const actor = (e) => (e.dialect || spec.dialect) + '-shaped run ' + DATA.runId;
  return $('details', { class: 'audit' }, $('summary', { text: 'Audit trail: ' + entries.length + ' entries' }),
    $('table', {}, $('thead', {}, $('tr', {}, ...['time', 'action', 'resource', 'name', 'scenario', 'step', 'by', 'details']
      .map((h) => $('th', { text: h })))),
    $('tbody', {}, ...entries.map((e) => $('tr', {}, $('td', { text: e.time ? e.time.slice(11, 23) : '' }),
      $('td', { class: e.action === 'left' ? 's-fail' : '', text: e.unconfirmed ? 'possibly left' : e.action }),
      $('td', { text: e.resourceType + ' ' + (e.id || '(unknown)') }), $('td', { text: e.display }), $('td', { text: e.scenario }),
      $('td', { text: e.step || '' }), $('td', { text: actor(e) }), $('td', { text: details(e) }))))));
}

function toggle(row, open) {
  const r = rows.find((x) => x.row === row);
  const opening = open ?? r.detail.classList.contains('hidden');
  if (opening && !r.detail.firstChild.firstChild) r.detail.firstChild.append(...scenarioDetail(r.sc, r.spec));
  r.detail.classList.toggle('hidden', !opening);
  row.setAttribute('aria-expanded', String(opening));
  return r;
}

function outcome(e) { return e[4] === 0 ? 'o-none' : e[4] >= 500 ? 'o-5xx' : e[4] >= 400 ? 'o-4xx' : 'o-2xx'; }

function waterfall(sc) {
  const xs = exchangesOf(sc);
  const start = Math.min(sc.start, ...xs.map((e) => e[5]));
  const end = Math.max(sc.start + sc.ms, ...xs.map((e) => e[5] + e[6]));
  const span = Math.max(1, end - start);
  const evidence = new Set(sc.findings.filter((f) => f.status === 'fail' || f.status === 'error').flatMap((f) => f.evidence));
  const box = $('div', { class: 'waterfall', role: 'list', 'aria-label': 'timeline of ' + sc.name });
  const draw = (limit) => {
    box.replaceChildren();
    for (const e of xs.slice(0, limit)) {
      const left = ((e[5] - start) / span) * 100;
      const width = Math.max(0.2, (e[6] / span) * 100);
      const label = e[2] + ' ' + e[3] + ' → ' + (e[4] || 'no answer') + ' · ' + ms(e[6]) + ' · ' + e[7] + ' · ' + e[1];
      box.append($('div', { class: 'lane', role: 'listitem' },
        $('span', { class: 'label', text: e[7] + '  ' + e[2] + ' ' + e[3] + ' → ' + (e[4] || '—'), title: label }),
        $('div', { class: 'track' },
          $('div', { class: 'bar ' + outcome(e) + (evidence.has(e[1]) ? ' evidence' : ''), 'data-id': e[1], title: label,
            style: 'left:' + left.toFixed(3) + '%;width:' + width.toFixed(3) + '%', 'aria-label': label }))));
    }
    const marks = $('div', { class: 'marks' });
    for (const c of sc.timeline.filter((x) => x[0] === 'c' && (x[2] === 'fail' || x[2] === 'error' || x[2] === 'warn'))) {
      marks.append($('div', { class: 'mark' + (c[2] === 'warn' ? ' warn' : ''), title: c[2] + ' ' + c[1], 'data-check': c[1],
        style: 'left:' + Math.min(100, Math.max(0, ((c[3] - start) / span) * 100)).toFixed(3) + '%' }));
    }
    box.append(marks);
  };
  draw(MAX_BARS);
  const parts = [box, $('div', { class: 'axis' }, $('span', { text: '0' }), $('span', { text: ms(span) }))];
  if (xs.length > MAX_BARS) {
    const more = $('button', { text: 'draw all ' + xs.length + ' exchanges', onclick: () => { draw(xs.length); more.remove(); } });
    parts.unshift($('div', { class: 'lanes-note', text: 'The first ' + MAX_BARS + ' of ' + xs.length + ' exchanges. ' }, more));
  }
  if (xs.length === 0) {
    return [$('div', { class: 'lanes-note', text: DATA.merged
      ? 'Merged from shard reports, which keep no timelines: each shard\u2019s own --html has this scenario\u2019s.'
      : 'No exchanges recorded for this scenario.' })];
  }
  return parts;
}

function pretty(text, headers) {
  if (text === undefined) return '';
  const type = headers && (headers['content-type'] || '');
  if (/json/i.test(type || '') || /^\\s*[{[]/.test(text)) { try { return JSON.stringify(JSON.parse(text), null, 2); } catch {} }
  return text;
}

function exchangeDetail(id, open) {
  const x = DATA.exchanges[id];
  if (!x) return $('div', { class: 'muted', text: 'exchange ' + id + ' (not kept: it decided no finding)' });
  const head = (h) => Object.entries(h || {}).map(([k, v]) => k + ': ' + v).join('\\n');
  return $('details', { class: 'exchange', open: open ? '' : undefined, 'data-id': id },
    $('summary', { text: x.method + ' ' + x.url + ' → ' + (x.status ?? ('failed: ' + x.error)) + ' · ' + ms(x.ms) +
      ' · request id ' + id }),
    $('pre', { text: x.method + ' ' + x.url + '\\n' + head(x.requestHeaders) + (x.requestBody ? '\\n\\n' + pretty(x.requestBody) : '') }),
    $('pre', { text: (x.status ?? 'no answer: ' + x.error) + '\\n' + head(x.responseHeaders) +
      (x.responseBody ? '\\n\\n' + pretty(x.responseBody, x.responseHeaders) : '') }));
}

function findingEl(f, file) {
  return $('div', { class: 'finding ' + f.status, 'data-check': f.id },
    $('h3', {}, statusEl(f.status), ' ' + f.id + ' ', $('span', { class: 'muted', text: file + ':' + f.line + ':' + f.column })),
    $('div', { text: f.title + (f.message ? ': ' + f.message : '') }),
    $('div', { class: 'muted', text: f.level + ' · ' + f.basis + (f.blockedBy ? ' · blocked by ' + f.blockedBy : '') }),
    f.frame ? $('pre', { class: 'frame', text: f.frame }) : null,
    f.expected !== undefined ? $('pre', { text: '- expected ' + f.expected + '\\n+ actual   ' + f.actual }) : null,
    ...f.evidence.map((id, i) => exchangeDetail(id, i === 0 && (f.status === 'fail' || f.status === 'error'))));
}

function scenarioDetail(sc, spec) {
  const findings = sc.findings;
  return [...waterfall(sc),
    findings.length
      ? $('div', {}, ...findings.map((f) => findingEl(f, spec.file)))
      : $('div', { class: 'muted', text: 'Every check passed.' })];
}

function journey() {
  const root = document.getElementById('journey');
  root.replaceChildren();
  if (!state.person) return root.classList.add('hidden');
  root.classList.remove('hidden');
  const who = state.person;
  const own = new Set([who]);
  for (const spec of DATA.specs) for (const sc of spec.scenarios) if (sc.identity === who) for (const e of exchangesOf(sc)) {
    if (e[8] && e[3].includes('/Users')) own.add(e[8]);
  }
  const items = [];
  for (const spec of DATA.specs) for (const sc of spec.scenarios) {
    const mine = sc.identity === who;
    for (const e of sc.timeline) {
      if (e[0] === 'x' && (mine || own.has(e[8]))) items.push([e[5], sc, e]);
      if (e[0] === 'c' && mine && e[2] !== 'pass' && e[2] !== 'skipped') items.push([e[3], sc, e]);
    }
  }
  items.sort((a, b) => a[0] - b[0]);
  const list = $('ul', { class: 'journey' });
  for (const [at, sc, e] of items) {
    const where = $('span', { class: 'muted', text: '+' + ms(at) + ' ' + sc.section + '.' + sc.name + ' ' });
    list.append(e[0] === 'x'
      ? $('li', {}, where, e[2] + ' ' + e[3] + ' → ' + (e[4] || 'no answer') + ' ',
        $('span', { class: 'muted', text: e[7] + ' · ' + e[1] }))
      : $('li', {}, where, statusEl(e[2]), ' ' + e[1]));
  }
  root.append($('h2', { text: 'Journey of ' + who + ' (' + items.length + ' events)' }),
    items.length ? list : $('div', { class: 'muted', text: 'Nothing in this run concerns ' + who + '.' }));
}

function apply() {
  let shown = 0;
  for (const r of rows) {
    const ok = matches(r.sc);
    r.row.classList.toggle('hidden', !ok);
    if (!ok) r.detail.classList.add('hidden');
    if (ok) shown++;
  }
  document.getElementById('count').textContent = shown + ' of ' + rows.length + ' scenarios';
  journey();
  // A request id finds its exchange: its scenario opens and the bar is marked.
  const q = state.query;
  if (q) for (const r of rows) {
    if (r.row.classList.contains('hidden') || !exchangesOf(r.sc).some((e) => e[1] === q)) continue;
    toggle(r.row, true);
    const bar = r.detail.querySelector('.bar[data-id="' + CSS.escape(q) + '"]');
    document.querySelectorAll('.bar.hit').forEach((b) => b.classList.remove('hit'));
    if (bar) { bar.classList.add('hit'); bar.scrollIntoView({ block: 'center' }); }
    break;
  }
}

document.addEventListener('keydown', (e) => {
  const typing = e.target instanceof HTMLInputElement || e.target instanceof HTMLSelectElement;
  if (e.key === '/' && !typing) { e.preventDefault(); document.getElementById('search').focus(); return; }
  if (e.key === 'Escape' && typing) { e.target.blur(); return; }
  if (typing) return;
  if (e.key === 'f') {
    const box = document.getElementById('failed-only');
    box.checked = !box.checked;
    state.failedOnly = box.checked;
    apply();
    return;
  }
  const visible = rows.filter((r) => !r.row.classList.contains('hidden')).map((r) => r.row);
  const i = visible.indexOf(document.activeElement);
  if (e.key === 'ArrowDown' || e.key === 'j') { e.preventDefault(); (visible[i + 1] || visible[0])?.focus(); }
  else if (e.key === 'ArrowUp' || e.key === 'k') { e.preventDefault(); (visible[i - 1] || visible[visible.length - 1])?.focus(); }
  else if ((e.key === 'Enter' || e.key === ' ') && i >= 0) { e.preventDefault(); toggle(visible[i]); }
});

header();
controls();
specs();
apply();
const firstFailing = rows.find((r) => r.sc.status === 'fail' || r.sc.status === 'error');
if (firstFailing) { toggle(firstFailing.row, true); }
document.body.dataset.ready = 'true';
`;
