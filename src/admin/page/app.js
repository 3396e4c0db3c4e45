// The operations page: plain DOM, no framework, no build step. Data from /api (same origin, same
// credentials the browser already sent for the page); refreshed on server-sent events, else every 5 s.

const $ = (s) => document.querySelector(s);
const state = {
  selected:
    new URLSearchParams(location.hash.slice(1)).get('phone') || undefined,
  filtersFilled: false,
};
const STATES = ['done', 'in-progress', 'failed', 'not-yet', 'unknown'];

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') e.className = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else if (v !== undefined) e.setAttribute(k, v);
  }
  for (const c of children)
    e.append(
      c instanceof Node
        ? c
        : document.createTextNode(
            c === undefined || c === null ? '' : String(c),
          ),
    );
  return e;
}
const fmtTime = (ms) => (ms ? new Date(ms).toLocaleString() : '');
// "5 minutes ago" in the browser's language; past a day, the date.
const relative = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
const ago = (ms) => {
  if (!ms) return '';
  let v = Math.min(0, Math.round((ms - Date.now()) / 1000));
  for (const [per, unit] of [
    [60, 'second'],
    [60, 'minute'],
    [24, 'hour'],
  ]) {
    if (-v < per) return relative.format(v, unit);
    v = Math.round(v / per);
  }
  return new Date(ms).toLocaleDateString();
};
async function api(path, init) {
  const r = await fetch(path, { credentials: 'same-origin', ...init });
  if (!r.ok) throw new Error(`${path}: ${r.status}`);
  return r.json();
}

function renderConfig(c) {
  const box = $('#config');
  box.replaceChildren(
    el(
      'span',
      {},
      `${c.file} · sha256 ${c.sha256.slice(0, 12)} · loaded ${fmtTime(Date.parse(c.loadedAt))} · reloads ${c.reloads} · refused ${c.failures}`,
    ),
  );
  if (c.warnings?.length) {
    box.append(
      el(
        'details',
        { 'data-testid': 'config-warnings' },
        el(
          'summary',
          {},
          `${c.warnings.length} warning${c.warnings.length === 1 ? '' : 's'} (parameters the firmware does not know, missing images …)`,
        ),
        el('ul', {}, ...c.warnings.map((w) => el('li', {}, w.text))),
      ),
    );
  }
  if (c.lastError) {
    box.append(
      el(
        'div',
        { class: 'bad', 'data-testid': 'config-error' },
        `last reload refused ${fmtTime(Date.parse(c.lastError.at))}: `,
        c.lastError.issues.map((i) => i.text).join(' · '),
      ),
    );
  }
}

function renderRollout(models) {
  const svg = $('#rollout');
  const ns = 'http://www.w3.org/2000/svg';
  const W = 520,
    label = 110,
    barH = 20,
    gap = 8;
  svg.setAttribute('width', String(W));
  svg.setAttribute(
    'height',
    String(Math.max(1, models.length) * (barH + gap) + 4),
  );
  svg.replaceChildren();
  const max = Math.max(1, ...models.map((m) => m.total));
  models.forEach((m, i) => {
    const y = i * (barH + gap) + 2;
    const g = document.createElementNS(ns, 'g');
    g.setAttribute('data-model', m.model);
    const t = document.createElementNS(ns, 'text');
    t.setAttribute('x', '0');
    t.setAttribute('y', String(y + 14));
    t.textContent = `${m.model}${m.offered.length ? ` → ${m.offered.join('/')}` : ''}`;
    g.append(t);
    let x = label + 60;
    const scale = (W - label - 100) / max;
    for (const s of STATES) {
      const n = m.counts[s];
      if (!n) continue;
      const r = document.createElementNS(ns, 'rect');
      r.setAttribute('x', String(x));
      r.setAttribute('y', String(y));
      r.setAttribute('height', String(barH));
      r.setAttribute('width', String(Math.max(2, n * scale)));
      r.setAttribute('class', s);
      r.setAttribute('data-state', s);
      r.setAttribute('data-count', String(n));
      const tip = document.createElementNS(ns, 'title');
      tip.textContent = `${m.model}: ${n} ${s}`;
      r.append(tip);
      g.append(r);
      x += Math.max(2, n * scale);
    }
    const c = document.createElementNS(ns, 'text');
    c.setAttribute('x', String(x + 6));
    c.setAttribute('y', String(y + 14));
    c.textContent = `${m.counts.done}/${m.total}`;
    g.append(c);
    svg.append(g);
  });
}

function fillFilters(phones, config) {
  if (state.filtersFilled) return;
  state.filtersFilled = true;
  for (const s of config.sites)
    $('#f-site').append(el('option', { value: s }, s));
  const models = new Set([
    ...config.models,
    ...phones.map((p) => p.model).filter(Boolean),
  ]);
  for (const m of [...models].sort())
    $('#f-model').append(el('option', { value: m }, m));
}

function renderPhones(list) {
  $('#phone-count').textContent = `${list.count} of ${list.total}`;
  const body = $('#phones tbody');
  body.replaceChildren(
    ...list.phones.map((p) =>
      el(
        'tr',
        {
          'data-mac': p.mac,
          class: p.mac === state.selected ? 'selected' : '',
          onclick: () => select(p.mac),
        },
        el('td', {}, p.mac),
        el('td', {}, p.label ?? ''),
        el('td', {}, p.site ?? ''),
        el('td', {}, p.model ?? ''),
        el(
          'td',
          {},
          p.partNumber
            ? `${p.partNumber}${p.hardwareRevision ? ` rev ${p.hardwareRevision}` : ''}`
            : '',
        ),
        el('td', {}, p.address ?? ''),
        el('td', {}, p.runningVersion ?? ''),
        el('td', {}, p.offeredVersion ?? ''),
        el(
          'td',
          {},
          el('span', { class: `tag ${p.rollout}` }, p.rollout),
          p.state === 'new' ? el('span', { class: 'tag new' }, 'new') : '',
        ),
        el('td', { title: fmtTime(p.lastSeen) }, ago(p.lastSeen)),
        el('td', {}, `${p.downloads}/${p.uploads}`),
        el(
          'td',
          { class: p.errors ? 'err' : '' },
          p.errors ? `${p.errors} (${p.lastError.code})` : '0',
        ),
      ),
    ),
  );
}

async function renderTimeline() {
  const sec = $('#timeline-section');
  if (!state.selected) {
    sec.hidden = true;
    return;
  }
  let d;
  try {
    d = await api(`/api/phones/${state.selected}`);
  } catch {
    sec.hidden = true;
    return;
  }
  sec.hidden = false;
  $('#timeline-mac').textContent =
    `${d.phone.mac}${d.phone.label ? ` (${d.phone.label})` : ''}`;
  renderPhoneLog(d.phone.mac);
  const p = d.phone;
  $('#phone-detail').textContent = [
    p.vendor,
    p.model,
    p.partNumber && `part ${p.partNumber}`,
    p.hardwareRevision && `rev ${p.hardwareRevision}`,
    p.appVersionString && `app ${p.appVersionString}`,
    p.bootVersionString && `boot ${p.bootVersionString}`,
    p.lease && `lease ${p.lease.address}`,
    `first seen ${fmtTime(p.firstSeen)}`,
  ]
    .filter(Boolean)
    .join(' · ');
  $('#timeline').replaceChildren(
    ...[...d.timeline].reverse().map((t) =>
      el(
        'li',
        { 'data-kind': t.kind },
        el('span', { class: 'when' }, fmtTime(t.at)),
        el('span', { class: 'kind' }, t.kind),
        `${t.what} `,
        t.path ? el('code', {}, t.path) : '',
        t.text ? el('span', { class: 'log' }, t.text) : '',
        t.bytes ? ` ${t.bytes.toLocaleString()} B ` : ' ',
        el(
          'span',
          {
            class: t.result === 'ok' ? 'ok' : t.optional ? 'miss' : 'err',
            title: t.optional ? 'optional file, not an error' : '',
          },
          t.optional ? 'not present (optional)' : t.result,
        ),
      ),
    ),
  );
}

/** The phone's own syslog file, while the syslog service runs (404 otherwise: the box stays hidden). */
async function renderPhoneLog(mac) {
  const box = $('#phone-log-box');
  const r = await fetch(`/api/phones/${mac}/log`, {
    credentials: 'same-origin',
  }).catch(() => undefined);
  box.hidden = !r?.ok;
  if (r?.ok) $('#phone-log').textContent = await r.text();
}

function select(mac) {
  state.selected = mac;
  history.replaceState(null, '', `#phone=${mac}`);
  for (const tr of document.querySelectorAll('#phones tbody tr'))
    tr.classList.toggle('selected', tr.dataset.mac === mac);
  renderTimeline();
}

function renderLeases(l) {
  $('#pools').replaceChildren(
    ...l.pools.map((p) =>
      el(
        'div',
        { class: 'pool', 'data-site': p.site },
        el(
          'div',
          {},
          `${p.site} (${p.subnet}, ${p.mode}): ${p.used} used, ${p.free} free of ${p.size}${p.declined ? `, ${p.declined} declined` : ''}`,
        ),
        el(
          'div',
          { class: 'bar' },
          el('div', {
            class: 'used',
            style: `width:${p.size ? (100 * p.used) / p.size : 0}%`,
          }),
        ),
      ),
    ),
  );
  $('#leases tbody').replaceChildren(
    ...l.leases
      .filter((x) => x.active)
      .map((x) =>
        el(
          'tr',
          { onclick: () => select(x.mac) },
          el('td', {}, x.ip),
          el('td', {}, x.mac),
          el('td', {}, x.site ?? ''),
          el('td', {}, x.label ?? ''),
          el('td', {}, x.model ?? ''),
          el('td', {}, fmtTime(x.expires)),
        ),
      ),
  );
}

function renderErrors(list) {
  $('#errors tbody').replaceChildren(
    ...list.errors
      .slice(0, 12)
      .map((e) =>
        el(
          'tr',
          { onclick: () => e.mac && select(e.mac) },
          el('td', {}, ago(e.at)),
          el('td', {}, e.mac ?? ''),
          el('td', {}, e.peer ?? ''),
          el('td', {}, e.what),
          el('td', { class: 'err' }, e.code),
          el('td', {}, e.path ?? ''),
        ),
      ),
  );
}

function renderJobs(jobs) {
  $('#jobs').replaceChildren(
    ...jobs.slice(0, 5).map((j) =>
      el(
        'div',
        { class: 'job', 'data-job': j.id },
        `${j.selector}${j.waveSize ? ` in waves of ${j.waveSize}` : ''}: `,
        j.finishedAt ? 'finished' : `wave ${j.currentWave}/${j.waves}`,
        ' · ',
        Object.entries(j.summary)
          .map(([k, v]) => `${v} ${k}`)
          .join(', '),
      ),
    ),
  );
}

function query() {
  const q = new URLSearchParams();
  for (const [id, key] of [
    ['#q', 'q'],
    ['#f-site', 'site'],
    ['#f-model', 'model'],
    ['#f-state', 'state'],
    ['#f-rollout', 'rollout'],
  ])
    if ($(id).value) q.set(key, $(id).value);
  return q.toString();
}

let refreshing = false,
  again = false;
async function refresh() {
  if (refreshing) {
    again = true;
    return;
  }
  refreshing = true;
  try {
    const [config, phones, rollout, leases, errors, jobs] = await Promise.all([
      api('/api/config'),
      api(`/api/phones?${query()}`),
      api('/api/rollout'),
      api('/api/leases'),
      api('/api/errors'),
      api('/api/notify'),
    ]);
    renderConfig(config);
    fillFilters(phones.phones, config);
    renderPhones(phones);
    renderRollout(rollout.models);
    renderLeases(leases);
    renderErrors(errors);
    renderJobs(jobs.jobs);
    await renderTimeline();
    document.body.dataset.ready = 'true';
  } catch (e) {
    $('#live').classList.remove('on');
    console.error(e);
  } finally {
    refreshing = false;
    if (again) {
      again = false;
      refresh();
    }
  }
}

for (const id of ['#q', '#f-site', '#f-model', '#f-state', '#f-rollout'])
  $(id).addEventListener('input', refresh);
$('#notify-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const wave = $('#n-wave').value ? Number($('#n-wave').value) : undefined;
  try {
    await api('/api/notify', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        target: $('#n-target').value,
        wave,
        reboot: $('#n-reboot').checked,
      }),
    });
  } catch (e) {
    alert(String(e));
  }
  refresh();
});

function live() {
  if (typeof EventSource === 'undefined') {
    setInterval(refresh, 5000);
    return;
  }
  const es = new EventSource('/api/events');
  es.onopen = () => $('#live').classList.add('on');
  es.onmessage = () => refresh();
  es.onerror = () => $('#live').classList.remove('on');
  setInterval(() => {
    if (es.readyState !== 1) refresh();
  }, 5000);
}
refresh();
live();
