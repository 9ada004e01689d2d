// The dashboard's pages: plain DOM, no framework. The server is the source of truth; pages
// re-render from the API and from the live event stream (/api/v1/events).

const $ = (sel, root = document) => root.querySelector(sel);
const esc = (s) => String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
const main = $('#main');
let session = null;        // {email, role, csrf_token, business}
let events = null;         // EventSource
const live = new Map();    // call id -> latest call event
let skew = 0;              // the node's clock minus this browser's (the node's may be set)
let page = '';

function toast(text) {
  const t = $('#toast');
  t.textContent = text;
  t.classList.add('show');
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => t.classList.remove('show'), 2500);
}

class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || `HTTP ${status}`);
    this.status = status;
    this.problem = problem || {};
  }
}

async function api(method, path, body, headers = {}) {
  const h = { Accept: 'application/json', ...headers };
  if (body !== undefined) h['Content-Type'] = 'application/json';
  if (method !== 'GET' && session) h['X-CSRF-Token'] = session.csrf_token;
  const r = await fetch(path, { method, headers: h, credentials: 'same-origin',
    body: body === undefined ? undefined : JSON.stringify(body) });
  let data = null;
  const text = await r.text();
  if (text) { try { data = JSON.parse(text); } catch { data = null; } }
  if (r.status === 401 && path !== '/api/v1/session') { showLogin(true); }
  if (!r.ok) throw new ApiError(r.status, data);
  return { data, headers: r.headers, status: r.status };
}

const canWrite = () => session && (session.role === 'admin' || session.role === 'owner');
const isOwner = () => session && session.role === 'owner';
const fmtTime = (iso) => iso ? new Date(iso).toLocaleString([], { dateStyle: 'short', timeStyle: 'short' }) : '';
const fmtDur = (s) => s == null ? '' : `${Math.floor(s / 60)}:${String(Math.round(s % 60)).padStart(2, '0')}`;
// The business's today by the node's clock (the session says it), so pages open on the node's
// day even when this browser's date differs; dates are 'YYYY-MM-DD' and computed in UTC.
const todayDate = () => session?.business?.today || new Date().toISOString().slice(0, 10);
const addDays = (day, n) => new Date(Date.parse(`${day}T00:00:00Z`) + n * 86400000).toISOString().slice(0, 10);
const mondayOf = (day) => addDays(day, -((new Date(`${day}T00:00:00Z`).getUTCDay() + 6) % 7));
const dayTitle = (day) => new Date(`${day}T00:00:00Z`).toLocaleDateString('en-US', { weekday: 'long', month: 'short', day: 'numeric', timeZone: 'UTC' });

// ---------------------------------------------------------------------------------------------
// Login

function showLogin(expired) {
  if (location.hash.startsWith('#invite=')) return showInvitation();
  $('#login').hidden = false;
  $('#login-note').hidden = !expired;
  if (events) { events.close(); events = null; }
  $('#login-form input[name=email]').focus();
}

$('#login-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const f = e.target;
  $('#login-error').textContent = '';
  try {
    const { data } = await api('POST', '/api/v1/session', { email: f.email.value, password: f.password.value });
    f.password.value = '';
    started(data);
  } catch (err) {
    $('#login-error').textContent = err.status === 401 ? 'Wrong email or password'
      : err.status === 429 ? 'Too many attempts; wait a few minutes' : `Could not log in (${err.message})`;
  }
});

// An invitation link (#invite=TOKEN): the invited person chooses a password and is logged in.
function showInvitation() {
  $('#login').hidden = true;
  $('#invite').hidden = false;
  $('#invite-form input[name=password]').focus();
}

$('#invite-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const f = e.target;
  $('#invite-error').textContent = '';
  if (f.password.value !== f.repeat.value) { $('#invite-error').textContent = 'The two passwords differ'; return; }
  try {
    const token = location.hash.slice('#invite='.length);
    const { data } = await api('POST', '/api/v1/invitations/accept', { token, password: f.password.value });
    f.reset();
    $('#invite').hidden = true;
    history.replaceState(null, '', '#today');
    started(data);
  } catch (err) {
    $('#invite-error').textContent = err.status === 404 ? 'This invitation link is no longer valid (used, revoked or expired). Ask the owner for a new one.'
      : problemText(err);
  }
});

$('#logout').addEventListener('click', async () => {
  try { await api('DELETE', '/api/v1/session'); } catch { /* already gone */ }
  session = null;
  showLogin(false);
});

function started(s) {
  const first = !session;
  session = s;
  $('#login').hidden = true;
  $('#invite').hidden = true;
  $('#top').hidden = false;
  $('#business-name').textContent = s.business.name;
  $('#who').textContent = `${s.email} (${s.role})`;
  connectEvents();
  refreshTaskCount();
  if (first || !main.childElementCount) route();
}

// ---------------------------------------------------------------------------------------------
// Live events

function connectEvents() {
  if (events) return;
  events = new EventSource('/api/v1/events');
  events.addEventListener('call', (e) => {
    const c = JSON.parse(e.data);
    if (c.ended_at || !['ringing', 'in-progress'].includes(c.status)) live.delete(c.id); else live.set(c.id, c);
    if (page === 'today') { renderLive(); refreshNumbers(); }
    if (page === 'call' && location.hash === `#calls/${c.id}`) callDetail(c.id);
  });
  events.addEventListener('appointment', () => {
    if (page === 'appointments') loadAppointments();
    if (page === 'today') refreshNumbers();
  });
  events.addEventListener('task', () => {
    if (page === 'tasks') loadTasks(); else refreshTaskCount();
  });
}

// ---------------------------------------------------------------------------------------------
// Pages

const pages = {
  today, calls, appointments, tasks, knowledge, settings, staff,
};

function route() {
  if (!session) return;
  const h = location.hash.slice(1) || 'today';
  if (h.startsWith('invite=')) { location.hash = '#today'; return; } // logged in already
  const [name, id] = h.split('/');
  for (const a of document.querySelectorAll('nav a'))
    a.setAttribute('aria-current', a.getAttribute('href') === `#${name}` ? 'page' : 'false');
  if (name === 'calls' && id) { page = 'call'; return callDetail(id); }
  page = pages[name] ? name : 'today';
  (pages[name] || today)();
}
window.addEventListener('hashchange', () => { route(); main.focus(); });

function problemText(err) {
  const p = err.problem || {};
  return (p.field ? `${p.field}: ` : '') + (p.detail || err.message);
}

// Today ----------------------------------------------------------------------------------------

async function today() {
  main.innerHTML = `<h1>Today</h1>
    <section aria-labelledby="live-h" class="card"><h2 id="live-h">Live calls</h2><div id="live-calls"></div></section>
    <section aria-labelledby="num-h"><h2 id="num-h">Today's numbers</h2><div class="numbers" id="numbers"></div></section>
    <section aria-labelledby="hour-h" class="card"><h2 id="hour-h">Calls per hour</h2><div id="per-hour"></div></section>`;
  try {
    const { data } = await api('GET', '/api/v1/calls?status=live&limit=50');
    live.clear();
    for (const c of data.items) live.set(c.id, c);
  } catch { /* shown empty */ }
  renderLive();
  refreshNumbers();
}

function renderLive() {
  const box = $('#live-calls');
  if (!box) return;
  if (!live.size) { box.innerHTML = '<p class="note">No calls right now.</p>'; return; }
  const now = Date.now() + skew;
  box.innerHTML = `<div class="scroll"><table aria-label="Live calls"><thead><tr><th>Caller</th><th>Duration</th><th>Last said</th><th><span class="sr-only">Actions</span></th></tr></thead><tbody>${
    [...live.values()].map((c) => `<tr class="live" data-call="${esc(c.id)}"><td>${esc(c.caller || 'unknown')}</td>
      <td>${fmtDur((now - new Date(c.started_at).getTime()) / 1000)}</td>
      <td>${c.last_text ? `<b>${esc(c.last_role)}:</b> ${esc(c.last_text)}` : '<span class="note">…</span>'}</td>
      <td><a href="#calls/${esc(c.id)}">Open</a></td></tr>`).join('')}</tbody></table></div>`;
}
setInterval(() => { if (page === 'today' && live.size) renderLive(); }, 1000);

let numbersTimer = null;
function refreshNumbers() {
  clearTimeout(numbersTimer);
  numbersTimer = setTimeout(async () => {
    try {
      const { data: s } = await api('GET', '/api/v1/stats');
      skew = new Date(s.now).getTime() - Date.now();
      const box = $('#numbers');
      if (!box) return;
      const n = (v, label) => `<div class="number"><b>${esc(v ?? '–')}</b><span>${label}</span></div>`;
      box.innerHTML = n(s.calls, 'calls') + n(s.appointments_made, 'appointments booked') +
        n(s.booking_rate == null ? null : `${Math.round(s.booking_rate * 100)}%`, 'booking rate') +
        n(s.average_duration_seconds == null ? null : fmtDur(s.average_duration_seconds), 'average duration') +
        n(s.voice_latency_p95_ms == null ? null : `${s.voice_latency_p95_ms} ms`, 'voice latency P95') +
        n(s.live_calls, 'live now');
      const max = Math.max(1, ...s.per_hour);
      $('#per-hour').innerHTML = `<div class="chart" role="img" aria-label="Calls per hour: ${
        s.per_hour.map((v, h) => (v ? `${h}:00 ${v}` : '')).filter(Boolean).join(', ') || 'none yet'}">${
        s.per_hour.map((v, h) => `<div data-h="${(v / max) * 100}" title="${h}:00 – ${v} calls"></div>`).join('')}</div>
        <div class="chart-axis" aria-hidden="true">${s.per_hour.map((_, h) => `<span>${h % 3 === 0 ? h : ''}</span>`).join('')}</div>`;
      for (const bar of document.querySelectorAll('.chart div')) bar.style.height = `${bar.dataset.h}%`; // no inline styles (CSP)
    } catch { /* a later event refreshes */ }
  }, 150);
}

// Calls ----------------------------------------------------------------------------------------

async function calls() {
  main.innerHTML = `<h1>Calls</h1>
    <form id="call-search" class="inline card" role="search">
      <label>Search <input name="q" type="search" placeholder="caller, summary, outcome"></label>
      <label>Show <select name="status"><option value="">all calls</option><option value="live">live</option>
        <option value="completed">completed</option><option value="booked">with a booking</option><option value="failed">failed</option></select></label>
      <button type="submit">Search</button></form>
    <div class="scroll"><table aria-label="Calls"><thead><tr><th>Started</th><th>Caller</th><th>Duration</th><th>Status</th><th>Outcome</th></tr></thead><tbody id="call-rows"></tbody></table></div>
    <p><button type="button" class="secondary" id="more" hidden>Load more</button></p>`;
  let cursor = null;
  const load = async (append) => {
    const f = $('#call-search');
    const p = new URLSearchParams({ limit: '50' });
    if (f.q.value) p.set('q', f.q.value);
    if (f.status.value) p.set('status', f.status.value);
    if (append && cursor) p.set('before', cursor);
    const { data } = await api('GET', `/api/v1/calls?${p}`);
    cursor = data.next_cursor;
    const rows = data.items.map((c) => `<tr><td><a href="#calls/${esc(c.id)}">${esc(fmtTime(c.started_at))}</a></td>
      <td>${esc(c.caller)}</td><td>${esc(fmtDur(c.duration_seconds))}</td><td>${esc(c.status)}</td>
      <td>${c.booked ? '<span class="badge">booked</span> ' : ''}${esc(c.outcome || '')}</td></tr>`).join('');
    const body = $('#call-rows');
    body.innerHTML = (append ? body.innerHTML : '') + (rows || (append ? '' : '<tr><td colspan="5">No calls.</td></tr>'));
    $('#more').hidden = !cursor;
  };
  $('#call-search').addEventListener('submit', (e) => { e.preventDefault(); load(false); });
  $('#more').addEventListener('click', () => load(true));
  await load(false);
}

async function callDetail(id) {
  let c;
  try { ({ data: c } = await api('GET', `/api/v1/calls/${encodeURIComponent(id)}`)); } catch (err) {
    main.innerHTML = `<h1>Call</h1><p class="error">${esc(err.status === 404 ? 'No such call.' : err.message)}</p>`;
    return;
  }
  const player = $('#player');
  const keepPlayer = player && player.dataset.call === id;
  const latRows = (c.latencies || []).map((l) => `<tr><td>${esc(l.turn)}</td><td>${esc(l.stt_final_ms)}</td><td>${esc(l.decision_ms)}</td><td>${esc(l.tts_first_ms)}</td><td>${esc(l.first_frame_ms)}</td></tr>`).join('');
  const html = `<h1>Call from ${esc(c.caller || 'unknown')}</h1>
    <div class="card"><p><span class="badge">${esc(c.status)}</span> ${esc(fmtTime(c.started_at))}
      ${c.duration_seconds != null ? ` · ${esc(fmtDur(c.duration_seconds))}` : ''} ${c.end_reason ? ` · ${esc(c.end_reason)}` : ''}</p>
      <p><b>Outcome:</b> ${esc(c.outcome || '–')}</p><p><b>Summary:</b> ${esc(c.summary || '–')}</p>
      <div id="player-box"></div></div>
    <section class="card" aria-labelledby="tr-h"><h2 id="tr-h">Transcript</h2><div id="transcript">${
      (c.transcript || []).map((t) => `<p class="turn"><b>${esc(t.role === 'caller' ? 'Caller' : 'Receptionist')}</b> ${esc(t.text)}</p>`).join('') || '<p class="note">Nothing yet.</p>'}</div></section>
    <section class="card" aria-labelledby="ap-h"><h2 id="ap-h">Appointments</h2>${
      c.appointments.length ? `<ul>${c.appointments.map((a) => `<li>${esc(a.start)} ${esc(a.name)} ${esc(a.service)} <span class="badge">${esc(a.status)}</span></li>`).join('')}</ul>` : '<p class="note">None.</p>'}</section>
    <section class="card" aria-labelledby="tx-h"><h2 id="tx-h">Texts</h2>${
      c.texts.length ? `<ul>${c.texts.map((t) => `<li>To ${esc(t.to)}: ${esc(t.body)} <span class="badge">${esc(t.status)}</span></li>`).join('')}</ul>` : '<p class="note">None.</p>'}</section>
    <section class="card" aria-labelledby="lat-h"><h2 id="lat-h">Latencies per turn (ms)</h2><div class="scroll"><table aria-label="Latencies per turn">
      <thead><tr><th>Turn</th><th>Recogniser final</th><th>Reply decided</th><th>First speech</th><th>First frame</th></tr></thead>
      <tbody>${latRows || '<tr><td colspan="5">None.</td></tr>'}</tbody></table></div></section>`;
  main.innerHTML = html;
  const box = $('#player-box');
  if (keepPlayer) box.append(player);
  else if (c.recording) box.innerHTML = `<audio id="player" data-call="${esc(id)}" controls preload="metadata" src="${esc(c.recording)}" aria-label="Recording of the call"></audio>`;
}

// Appointments ---------------------------------------------------------------------------------

async function appointments() {
  main.innerHTML = `<h1>Appointments</h1>
    <form id="appt-range" class="inline card"><label>From <input name="from" type="date" value="${todayDate()}"></label>
      <label>Show <select name="status"><option value="">booked</option><option value="cancelled">cancelled</option><option value="all">all</option></select></label>
      <label>View <select name="view"><option value="list">list</option><option value="week">week</option></select></label>
      <button type="submit">Show</button></form>
    <section id="week" class="card" aria-labelledby="week-h" hidden><div class="inline week-nav">
      <button type="button" class="secondary" id="week-prev">Previous week</button>
      <h2 id="week-h"></h2>
      <button type="button" class="secondary" id="week-next">Next week</button></div>
      <div class="week-days" id="week-days"></div></section>
    <div class="scroll" id="appt-list"><table aria-label="Appointments"><thead><tr><th>When</th><th>Name</th><th>Phone</th><th>Service</th><th>Status</th><th>Actions</th></tr></thead><tbody id="appt-rows"></tbody></table></div>
    <section class="card" aria-labelledby="new-h" id="new-appt" ${canWrite() ? '' : 'hidden'}><h2 id="new-h">New appointment</h2>
      <form id="appt-new">
        <label>Date <input name="date" type="date" required value="${todayDate()}"></label>
        <label>Time <select name="start" required><option value="">choose a date first</option></select></label>
        <label>Name <input name="name" required maxlength="200"></label>
        <label>Phone <input name="phone" type="tel" placeholder="+15551234567"></label>
        <label>Service <input name="service" maxlength="200" list="service-list" autocomplete="off"></label>
        <datalist id="service-list"></datalist>
        <p class="error" id="new-error" role="alert"></p>
        <button type="submit">Book</button></form></section>`;
  $('#appt-range').addEventListener('submit', (e) => { e.preventDefault(); loadAppointments(); });
  const shiftWeek = (n) => { const r = $('#appt-range'); r.from.value = addDays(mondayOf(r.from.value || todayDate()), 7 * n); loadAppointments(); };
  $('#week-prev').addEventListener('click', () => shiftWeek(-1));
  $('#week-next').addEventListener('click', () => shiftWeek(1));
  const f = $('#appt-new');
  let asked = 0; // only the latest answer fills the list, and a chosen time stays chosen
  const slots = async () => {
    const sel = f.start;
    const mine = ++asked;
    try {
      const p = new URLSearchParams({ date: f.date.value });
      if (f.service.value) p.set('service', f.service.value); // a service's own length
      const { data } = await api('GET', `/api/v1/availability?${p}`);
      if (mine !== asked) return;
      const keep = sel.value;
      sel.innerHTML = data.slots.length ? data.slots.map((s) => `<option value="${esc(s.start)}">${esc(s.start.slice(11))}</option>`).join('')
        : '<option value="">no open time that day</option>';
      if ([...sel.options].some((o) => o.value === keep)) sel.value = keep;
    } catch (err) { if (mine === asked) sel.innerHTML = `<option value="">${esc(problemText(err))}</option>`; }
  };
  f.date.addEventListener('change', slots);
  f.service.addEventListener('change', slots);
  if (canWrite()) {
    api('GET', '/api/v1/services').then(({ data }) => {
      $('#service-list').innerHTML = data.items.map((v) => `<option value="${esc(v.name)}">${esc(v.minutes)} minutes</option>`).join('');
    }).catch(() => { /* typed by hand then */ });
  }
  f.addEventListener('submit', async (e) => {
    e.preventDefault();
    $('#new-error').textContent = '';
    try {
      await api('POST', '/api/v1/appointments', { start: f.start.value, name: f.name.value, phone: f.phone.value, service: f.service.value });
      toast('Booked');
      f.name.value = ''; f.phone.value = ''; f.service.value = '';
      slots(); loadAppointments();
    } catch (err) {
      const alt = err.problem?.alternatives?.map((a) => a.start.replace('T', ' ')).join(', ');
      $('#new-error').textContent = problemText(err) + (alt ? `. Open nearby: ${alt}` : '');
    }
  });
  if (canWrite()) slots();
  await loadAppointments();
}

async function loadAppointments() {
  const f = $('#appt-range');
  if (!f) return;
  const week = f.view.value === 'week';
  $('#week').hidden = !week;
  $('#appt-list').hidden = week;
  if (week) return loadWeek(f);
  const p = new URLSearchParams({ from: f.from.value || todayDate() });
  if (f.status.value) p.set('status', f.status.value);
  const { data } = await api('GET', `/api/v1/appointments?${p}`);
  const w = canWrite();
  $('#appt-rows').innerHTML = data.items.map((a) => `<tr data-appt="${esc(a.id)}"><td>${esc(a.start.replace('T', ' '))}</td><td>${esc(a.name)}</td>
      <td>${esc(a.phone || '')}</td><td>${esc(a.service)}</td><td>${esc(a.status)}</td><td>${w && a.status === 'booked' ? `
      <form class="inline move"><label>Move to <input name="start" type="datetime-local" step="60" value="${esc(a.start)}" aria-label="New time for ${esc(a.name)}"></label>
      <button type="submit" class="secondary">Move</button>
      <button type="button" class="danger cancel" aria-label="Cancel ${esc(a.name)} at ${esc(a.start.replace('T', ' '))}">Cancel</button></form>` : ''}</td></tr>`).join('')
    || '<tr><td colspan="6">No appointments.</td></tr>';
  for (const row of document.querySelectorAll('#appt-rows tr[data-appt]')) {
    const id = row.dataset.appt;
    row.querySelector('.cancel')?.addEventListener('click', async () => {
      if (!confirm('Cancel this appointment?')) return;
      try { await api('DELETE', `/api/v1/appointments/${id}`); toast('Cancelled'); loadAppointments(); } catch (err) { toast(problemText(err)); }
    });
    row.querySelector('form.move')?.addEventListener('submit', async (e) => {
      e.preventDefault();
      try { await api('PATCH', `/api/v1/appointments/${id}`, { start: e.target.start.value.slice(0, 16) }); toast('Moved'); loadAppointments(); } catch (err) { toast(problemText(err)); }
    });
  }
}

// The week (Monday to Sunday) that holds the chosen day, a column a day; a day's heading opens
// that day in the list, where appointments are moved and cancelled.
async function loadWeek(f) {
  const monday = mondayOf(f.from.value || todayDate());
  const sunday = addDays(monday, 6);
  const p = new URLSearchParams({ from: monday, to: sunday });
  if (f.status.value) p.set('status', f.status.value);
  const { data } = await api('GET', `/api/v1/appointments?${p}`);
  $('#week-h').textContent = `Week of ${dayTitle(monday)}`;
  const days = [...Array(7).keys()].map((i) => addDays(monday, i));
  $('#week-days').innerHTML = days.map((day) => {
    const items = data.items.filter((a) => a.start.slice(0, 10) === day);
    return `<section class="week-day${day === todayDate() ? ' today' : ''}" data-day="${day}" aria-labelledby="wd-${day}">
      <h3 id="wd-${day}"><button type="button" class="link day-open" aria-label="Open ${esc(dayTitle(day))} in the list">${esc(dayTitle(day))}</button></h3>
      ${items.length ? `<ul>${items.map((a) => `<li class="week-appt ${esc(a.status)}"><b>${esc(a.start.slice(11))}–${esc(a.end.slice(11))}</b> ${esc(a.name)}${
        a.service ? ` <span class="note">${esc(a.service)}</span>` : ''}${a.status !== 'booked' ? ` <span class="badge">${esc(a.status)}</span>` : ''}</li>`).join('')}</ul>`
        : '<p class="note">Nothing booked.</p>'}</section>`;
  }).join('');
  for (const b of document.querySelectorAll('.day-open')) {
    b.addEventListener('click', () => {
      f.from.value = b.closest('.week-day').dataset.day;
      f.view.value = 'list';
      loadAppointments();
    });
  }
}

// Tasks ----------------------------------------------------------------------------------------
// What a person should do: texts the carrier refused, replies asking to cancel, a calendar to
// reconnect. Added by messaging and the calendar sync; the live stream brings new ones.

const TASK_KINDS = {
  sms_undelivered: 'Text not delivered', sms_number_unusable: 'Number cannot take texts',
  sms_filtered: 'Texts filtered as spam', sms_sender_unregistered: 'Texting number not registered',
  sms_cancel_keyword: 'Customer replied to cancel', calendar_reconnect: 'Reconnect the calendar',
  calendar_conflict: 'Calendar conflict',
};

function showTaskCount(n) {
  const c = $('#task-count');
  c.hidden = !n;
  c.innerHTML = n ? `${esc(n)}<span class="sr-only"> open</span>` : '';
}

async function refreshTaskCount() {
  try { const { data } = await api('GET', '/api/v1/tasks'); showTaskCount(data.open); } catch { /* shown on the page */ }
}

async function tasks() {
  main.innerHTML = `<h1>Tasks</h1>
    <form id="task-filter" class="inline card"><label>Show <select name="status"><option value="open">open</option>
      <option value="done">done</option><option value="all">all</option></select></label></form>
    <div class="scroll"><table aria-label="Tasks"><thead><tr><th>Since</th><th>What</th><th>Phone</th><th>Appointment</th><th>Note</th><th>Status</th></tr></thead>
      <tbody id="task-rows"></tbody></table></div>`;
  $('#task-filter').status.addEventListener('change', loadTasks);
  await loadTasks();
}

async function loadTasks() {
  const f = $('#task-filter');
  if (!f) return;
  const { data } = await api('GET', `/api/v1/tasks?status=${encodeURIComponent(f.status.value)}`);
  showTaskCount(data.open);
  const w = canWrite();
  $('#task-rows').innerHTML = data.items.map((t) => `<tr data-task="${esc(t.id)}" class="${t.done_at ? 'done' : 'open'}">
      <td>${esc(fmtTime(t.created_at))}</td><td>${esc(TASK_KINDS[t.kind] || t.kind)}</td><td>${esc(t.phone || '')}</td>
      <td>${t.appointment ? `${esc(t.appointment.start.replace('T', ' '))} ${esc(t.appointment.name)}` : ''}</td><td>${esc(t.note)}</td>
      <td>${t.done_at ? `Done ${esc(fmtTime(t.done_at))}${t.done_by ? ` by ${esc(t.done_by)}` : ''}` : 'Open'}${w ? ` <button type="button" class="secondary toggle"
        aria-label="${t.done_at ? 'Open again' : 'Mark done'}: ${esc(TASK_KINDS[t.kind] || t.kind)}${t.phone ? ` ${esc(t.phone)}` : ''}">${t.done_at ? 'Open again' : 'Mark done'}</button>` : ''}</td></tr>`).join('')
    || `<tr><td colspan="6">${f.status.value === 'open' ? 'Nothing to do.' : 'No tasks.'}</td></tr>`;
  for (const row of document.querySelectorAll('#task-rows tr[data-task]')) {
    row.querySelector('.toggle')?.addEventListener('click', async () => {
      try {
        await api('PATCH', `/api/v1/tasks/${row.dataset.task}`, { done: row.classList.contains('open') });
        toast(row.classList.contains('open') ? 'Marked done' : 'Opened again');
        loadTasks();
      } catch (err) { toast(problemText(err)); }
    });
  }
}

// Knowledge ------------------------------------------------------------------------------------

async function knowledge() {
  const w = canWrite();
  main.innerHTML = `<h1>Knowledge</h1>
    <section class="card" aria-labelledby="try-h"><h2 id="try-h">Try a question</h2>
      <form id="try" class="inline"><label>Question <input name="question" required maxlength="500" placeholder="Do you take my insurance?"></label>
      <button type="submit">Ask</button></form><div id="try-answer" aria-live="polite"></div></section>
    <section class="card" aria-labelledby="add-h" ${w ? '' : 'hidden'}><h2 id="add-h">Add an entry</h2>
      <form id="k-new"><label>Title <input name="title" maxlength="200"></label>
      <label>Text <textarea name="body" required maxlength="4000"></textarea></label>
      <p class="error" role="alert" id="k-error"></p><button type="submit">Add</button></form></section>
    <h2>Entries</h2><div id="k-list"></div>`;
  $('#try').addEventListener('submit', async (e) => {
    e.preventDefault();
    const { data } = await api('POST', '/api/v1/knowledge/try', { question: e.target.question.value });
    $('#try-answer').innerHTML = data.found ? `<p><b>The receptionist would say:</b> <span id="answer-text">${esc(data.answer)}</span></p>
      <p class="note">From the passage${data.passages.length > 1 ? 's' : ''}: ${data.passages.map(esc).join(' / ')}</p>`
      : '<p id="answer-text">Nothing in the knowledge answers this; the receptionist would offer to take a message.</p>';
  });
  $('#k-new').addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      await api('POST', '/api/v1/knowledge', { title: e.target.title.value, body: e.target.body.value });
      e.target.reset(); toast('Added'); loadKnowledge();
    } catch (err) { $('#k-error').textContent = problemText(err); }
  });
  await loadKnowledge();
}

async function loadKnowledge() {
  const { data } = await api('GET', '/api/v1/knowledge');
  const w = canWrite();
  $('#k-list').innerHTML = data.items.map((k, i) => `<form class="card k-entry" data-id="${esc(k.id)}">
      <label>Title <input name="title" value="${esc(k.title)}" maxlength="200" ${w ? '' : 'readonly'}></label>
      <label>Text of entry ${i + 1} <textarea name="body" maxlength="4000" ${w ? '' : 'readonly'}>${esc(k.body)}</textarea></label>
      ${w ? `<div class="inline"><button type="submit">Save</button><button type="button" class="danger del">Delete</button></div>` : ''}</form>`).join('')
    || '<p class="note">No entries yet.</p>';
  for (const f of document.querySelectorAll('.k-entry')) {
    f.addEventListener('submit', async (e) => {
      e.preventDefault();
      try { await api('PUT', `/api/v1/knowledge/${f.dataset.id}`, { title: f.title.value, body: f.body.value }); toast('Saved'); } catch (err) { toast(problemText(err)); }
    });
    f.querySelector('.del')?.addEventListener('click', async () => {
      if (!confirm('Delete this entry?')) return;
      try { await api('DELETE', `/api/v1/knowledge/${f.dataset.id}`); toast('Deleted'); loadKnowledge(); } catch (err) { toast(problemText(err)); }
    });
  }
}

// Settings -------------------------------------------------------------------------------------

const DAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

async function settings() {
  const { data: s, headers } = await api('GET', '/api/v1/settings');
  let etag = headers.get('ETag');
  const ro = canWrite() ? '' : 'disabled';
  const byDay = DAYS.map((_, d) => s.hours.filter((h) => h.weekday === d));
  main.innerHTML = `<h1>Settings</h1><form id="settings"><fieldset class="card" ${ro}><legend>The business</legend>
      <label>Name <input name="name" value="${esc(s.name)}" required maxlength="200"></label>
      <label>Greeting <textarea name="greeting" maxlength="500">${esc(s.greeting)}</textarea></label>
      <label>Transfer number <input name="transfer_number" type="tel" value="${esc(s.transfer_number)}" placeholder="+15551234567"></label>
      <label>Address <input name="address" value="${esc(s.address)}" maxlength="300"></label>
      <p class="note">Phone number ${esc(s.phone_number)} · time zone ${esc(s.timezone)}</p></fieldset>
    <section class="card" aria-labelledby="cal-h"><h2 id="cal-h">Calendar connection</h2>${calendarState(s.calendar)}</section>
    <fieldset class="card" ${ro}><legend>Booking</legend><div class="inline">
      <label>Appointment minutes <input name="appointment_minutes" type="number" min="5" max="1440" value="${s.appointment_minutes}"></label>
      <label>Buffer minutes <input name="buffer_minutes" type="number" min="0" max="1440" value="${s.buffer_minutes}"></label>
      <label>Minimum notice (minutes) <input name="min_notice_minutes" type="number" min="0" value="${s.min_notice_minutes}"></label>
      <label>Days ahead <input name="days_ahead" type="number" min="1" max="730" value="${s.days_ahead}"></label></div></fieldset>
    <fieldset class="card" ${ro}><legend>Texts</legend><div class="inline">
      <label>Quiet hours start <input name="quiet_start" type="time" value="${esc(s.quiet_start)}"></label>
      <label>Quiet hours end <input name="quiet_end" type="time" value="${esc(s.quiet_end)}"></label>
      <label>Reminders (minutes before, comma-separated) <input name="reminder_minutes" inputmode="numeric" value="${esc(s.reminder_minutes.join(', '))}"></label></div>
      <p class="note">No text goes out in the quiet hours; one that would waits until they end.</p></fieldset>
    <fieldset class="card" ${ro}><legend>Opening hours (a day without a range is closed)</legend>${DAYS.map((d, i) => `<div class="day-hours" data-day="${i}">
      <b>${d}</b><div class="ranges"></div>${ro ? '' : `<button type="button" class="secondary add-range" aria-label="Add a range on ${d}">Add a range</button>`}</div>`).join('')}</fieldset>
    <fieldset class="card" ${ro}><legend>Holidays and special days</legend>
      <label>One a line: YYYY-MM-DD closed, or YYYY-MM-DD HH:MM-HH:MM, then a note
        <textarea name="overrides">${esc(s.overrides.map((o) => `${o.day} ${o.opens ? `${o.opens}-${o.closes}` : 'closed'}${o.note ? ` ${o.note}` : ''}`).join('\n'))}</textarea></label></fieldset>
    <p class="error" role="alert" id="settings-error"></p>
    ${canWrite() ? '<button type="submit">Save settings</button>' : '<p class="note">Your role can read the settings, not change them.</p>'}</form>
    <section class="card" aria-labelledby="services-h"><h2 id="services-h">Services</h2>
      <p class="note">A booking for a service takes its minutes, on the phone and here; any other booking takes the appointment minutes.</p>
      <div class="scroll"><table aria-label="Services"><thead><tr><th>Service</th><th>Minutes</th><th><span class="sr-only">Actions</span></th></tr></thead>
      <tbody id="service-rows"></tbody></table></div>
      ${canWrite() ? `<form id="service-new" class="inline"><label>Service name <input name="name" required maxlength="100"></label>
        <label>Minutes <input name="minutes" type="number" min="5" max="1440" required></label><button type="submit">Add service</button></form>` : ''}
      <p class="error" role="alert" id="service-error"></p></section>`;
  $('#service-new')?.addEventListener('submit', async (e) => {
    e.preventDefault();
    const f = e.target;
    $('#service-error').textContent = '';
    try {
      await api('POST', '/api/v1/services', { name: f.name.value, minutes: Number(f.minutes.value) });
      f.reset(); toast('Service added'); loadServices();
    } catch (err) { $('#service-error').textContent = problemText(err); }
  });
  loadServices();
  for (const box of document.querySelectorAll('.day-hours')) {
    const d = Number(box.dataset.day);
    for (const h of byDay[d]) addRange(box, h, ro);
    if (!byDay[d].length) addRange(box, null, ro);
    box.querySelector('.add-range')?.addEventListener('click', () => addRange(box, null, ro, true));
  }
  $('#settings').addEventListener('submit', async (e) => {
    e.preventDefault();
    const f = e.target;
    const hours = [];
    for (const r of document.querySelectorAll('.day-hours .range')) {
      const o = r.querySelector('.opens').value, c = r.querySelector('.closes').value;
      if (o || c) hours.push({ weekday: Number(r.closest('.day-hours').dataset.day), opens: o, closes: c });
    }
    const overrides = f.overrides.value.split('\n').map((l) => l.trim()).filter(Boolean).map((l) => {
      const [day, span, ...note] = l.split(/\s+/);
      if (span && span !== 'closed' && span.includes('-')) { const [opens, closes] = span.split('-'); return { day, opens, closes, note: note.join(' ') }; }
      return { day, note: (span === 'closed' ? note : [span, ...note].filter(Boolean)).join(' ') };
    });
    const body = { name: f.name.value, greeting: f.greeting.value, transfer_number: f.transfer_number.value, address: f.address.value,
      appointment_minutes: Number(f.appointment_minutes.value), buffer_minutes: Number(f.buffer_minutes.value),
      min_notice_minutes: Number(f.min_notice_minutes.value), days_ahead: Number(f.days_ahead.value), hours, overrides,
      quiet_start: f.quiet_start.value, quiet_end: f.quiet_end.value,
      reminder_minutes: f.reminder_minutes.value.split(/[\s,]+/).filter(Boolean).map(Number) };
    $('#settings-error').textContent = '';
    try {
      const r = await api('PUT', '/api/v1/settings', body, { 'If-Match': etag });
      etag = r.headers.get('ETag');
      toast('Settings saved');
    } catch (err) {
      $('#settings-error').textContent = err.status === 412 ? 'Someone else changed the settings meanwhile; reload the page to see theirs.' : problemText(err);
    }
  });
}

async function loadServices() {
  const { data } = await api('GET', '/api/v1/services');
  const w = canWrite();
  $('#service-rows').innerHTML = data.items.map((v) => `<tr data-service="${esc(v.id)}">
      <td>${w ? `<input class="sv-name" aria-label="Name of the service ${esc(v.name)}" value="${esc(v.name)}" maxlength="100">` : esc(v.name)}</td>
      <td>${w ? `<input class="sv-minutes" type="number" min="5" max="1440" aria-label="Minutes of ${esc(v.name)}" value="${esc(v.minutes)}">` : esc(v.minutes)}</td>
      <td>${w ? `<div class="inline"><button type="button" class="secondary sv-save" aria-label="Save ${esc(v.name)}">Save</button>
        <button type="button" class="danger sv-del" aria-label="Remove ${esc(v.name)}">Remove</button></div>` : ''}</td></tr>`).join('')
    || '<tr><td colspan="3">No services yet: every booking takes the appointment minutes.</td></tr>';
  for (const row of document.querySelectorAll('#service-rows tr[data-service]')) {
    row.querySelector('.sv-save')?.addEventListener('click', async () => {
      $('#service-error').textContent = '';
      try {
        await api('PUT', `/api/v1/services/${row.dataset.service}`, { name: row.querySelector('.sv-name').value, minutes: Number(row.querySelector('.sv-minutes').value) });
        toast('Service saved'); loadServices();
      } catch (err) { $('#service-error').textContent = problemText(err); }
    });
    row.querySelector('.sv-del')?.addEventListener('click', async () => {
      if (!confirm('Remove this service?')) return;
      try { await api('DELETE', `/api/v1/services/${row.dataset.service}`); toast('Service removed'); loadServices(); } catch (err) { toast(problemText(err)); }
    });
  }
}

// One opening range of a day ("9:00 to 12:00"); a day may have several (a lunch break).
function addRange(box, h, ro, focus) {
  const list = box.querySelector('.ranges');
  const day = DAYS[Number(box.dataset.day)];
  const n = list.children.length + 1;
  const r = document.createElement('div');
  r.className = 'inline range';
  r.innerHTML = `<label>${day} opens${n > 1 ? ` (range ${n})` : ''} <input class="opens" type="time" value="${esc(h?.opens || '')}"></label>
    <label>${day} closes${n > 1 ? ` (range ${n})` : ''} <input class="closes" type="time" value="${esc(h?.closes || '')}"></label>
    ${ro ? '' : `<button type="button" class="link remove-range" aria-label="Remove ${day} range ${n}">Remove</button>`}`;
  r.querySelector('.remove-range')?.addEventListener('click', () => {
    r.remove();
    if (!list.children.length) addRange(box, null, ro);
  });
  list.append(r);
  if (focus) r.querySelector('.opens').focus();
}

// The calendar connection as the sync last left it (read-only here: connecting is done with
// `frontdesk calendar connect`).
function calendarState(links) {
  if (!links.length) return '<p class="note" id="cal-state">Not connected: bookings are checked against this dashboard\'s appointments only.</p>';
  return `<ul id="cal-state">${links.map((c) => `<li><b>${c.connected ? 'Connected' : c.status === 'broken' ? 'Disconnected' : esc(c.status)}</b>:
    Google Calendar <span class="account">${esc(c.calendar_id)}</span>${c.busy_only ? ' (busy time only)' : ''} ·
    last synced ${c.last_synced_at ? esc(fmtTime(c.last_synced_at)) : 'never'} · ${esc(c.busy_blocks)} busy block${c.busy_blocks === 1 ? '' : 's'} mirrored
    ${c.last_error ? `<br><span class="error">Last error: ${esc(c.last_error)}</span>` : ''}</li>`).join('')}</ul>`;
}

// Staff ----------------------------------------------------------------------------------------

async function staff() {
  const { data } = await api('GET', '/api/v1/staff');
  const o = isOwner();
  main.innerHTML = `<h1>Staff</h1><div class="scroll"><table aria-label="Staff"><thead><tr><th>Email</th><th>Role</th><th><span class="sr-only">Actions</span></th></tr></thead><tbody>${
    data.items.map((u) => `<tr data-user="${esc(u.id)}"><td>${esc(u.email)}</td><td>${o && u.email !== session.email
      ? `<select class="role" aria-label="Role of ${esc(u.email)}">${['owner', 'admin', 'viewer'].map((r) => `<option ${r === u.role ? 'selected' : ''}>${r}</option>`).join('')}</select>`
      : esc(u.role)}</td><td>${o && u.email !== session.email ? `<button type="button" class="danger remove" aria-label="Remove ${esc(u.email)}">Remove</button>` : ''}</td></tr>`).join('')}</tbody></table></div>
    <section class="card" aria-labelledby="add-staff-h" ${o ? '' : 'hidden'}><h2 id="add-staff-h">Add a user</h2><form id="staff-new">
      <label>Email <input name="email" type="email" required></label>
      <label>Role <select name="role"><option>viewer</option><option>admin</option><option>owner</option></select></label>
      <label>Password (at least 8 characters) <input name="password" type="password" minlength="8" required autocomplete="new-password"></label>
      <p class="error" role="alert" id="staff-error"></p><button type="submit">Add user</button></form></section>
    <section class="card" aria-labelledby="invite-new-h" ${o ? '' : 'hidden'}><h2 id="invite-new-h">Invite by link</h2>
      <p class="note">The person who opens the link chooses their own password. It works once, for 7 days.</p>
      <form id="invite-new" class="inline">
      <label>Email <input name="email" type="email" required></label>
      <label>Role <select name="role"><option>viewer</option><option>admin</option><option>owner</option></select></label>
      <button type="submit">Create link</button></form>
      <p class="error" role="alert" id="invite-new-error"></p>
      <div id="invite-link" hidden><label>Invitation link (shown once; send it to them) <input name="link" readonly></label></div>
      <div class="scroll"><table aria-label="Open invitations"><thead><tr><th>Email</th><th>Role</th><th>Expires</th><th><span class="sr-only">Actions</span></th></tr></thead>
      <tbody id="invite-rows"></tbody></table></div></section>`;
  if (o) {
    $('#invite-new').addEventListener('submit', async (e) => {
      e.preventDefault();
      const f = e.target;
      $('#invite-new-error').textContent = '';
      try {
        const { data: inv } = await api('POST', '/api/v1/invitations', { email: f.email.value, role: f.role.value });
        f.reset();
        $('#invite-link').hidden = false;
        const link = $('#invite-link input');
        link.value = new URL(inv.link, location.href).href;
        link.select();
        toast('Invitation link made');
        loadInvitations();
      } catch (err) { $('#invite-new-error').textContent = problemText(err); }
    });
    await loadInvitations();
  }
  $('#staff-new').addEventListener('submit', async (e) => {
    e.preventDefault();
    const f = e.target;
    try { await api('POST', '/api/v1/staff', { email: f.email.value, role: f.role.value, password: f.password.value }); toast('User added'); staff(); } catch (err) { $('#staff-error').textContent = problemText(err); }
  });
  for (const row of document.querySelectorAll('tr[data-user]')) {
    row.querySelector('.remove')?.addEventListener('click', async () => {
      if (!confirm('Remove this user?')) return;
      try { await api('DELETE', `/api/v1/staff/${row.dataset.user}`); staff(); } catch (err) { toast(problemText(err)); }
    });
    row.querySelector('.role')?.addEventListener('change', async (e) => {
      try { await api('PATCH', `/api/v1/staff/${row.dataset.user}`, { role: e.target.value }); toast('Role changed'); } catch (err) { toast(problemText(err)); }
    });
  }
}

async function loadInvitations() {
  const { data } = await api('GET', '/api/v1/invitations');
  $('#invite-rows').innerHTML = data.items.map((i) => `<tr data-invitation="${esc(i.id)}"><td>${esc(i.email)}</td><td>${esc(i.role)}</td>
    <td>${esc(fmtTime(i.expires_at))}</td><td><button type="button" class="danger revoke" aria-label="Revoke the invitation of ${esc(i.email)}">Revoke</button></td></tr>`).join('')
    || '<tr><td colspan="4">No open invitations.</td></tr>';
  for (const row of document.querySelectorAll('tr[data-invitation]')) {
    row.querySelector('.revoke').addEventListener('click', async () => {
      try { await api('DELETE', `/api/v1/invitations/${row.dataset.invitation}`); toast('Invitation revoked'); loadInvitations(); } catch (err) { toast(problemText(err)); }
    });
  }
}

// ---------------------------------------------------------------------------------------------

(async () => {
  try {
    const { data } = await api('GET', '/api/v1/session');
    started(data);
  } catch {
    showLogin(false);
    $('#login-note').hidden = true;
  }
})();
