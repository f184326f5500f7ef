// DOM rendering. Cards are built once per device and then only their text nodes change; all
// updates wait for the next animation frame and redraw only the devices that changed since the
// last one, so a fleet sending hundreds of predictions a second costs one layout per frame.
// Data from the wire is set with textContent only (never parsed as HTML).
import { classHue, endVsTarget, formatCount, formatThreshold, formatDuration, formatFraction, formatInstant, formatNumber, timeToEmpty } from './format.js';
import { TIMELINE_WINDOWS, takeChanges, total } from './state.js';

/** Cards redrawn per frame at most; the rest wait for the next frame (keeps frames short). */
export const MAX_CARDS_PER_FRAME = 200;

function el(tag, attrs = {}, children = []) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'text') node.textContent = v;
    else node.setAttribute(k, v);
  }
  for (const c of children) node.append(c);
  return node;
}

/** A <div> of term/value pairs; returns the value elements by key. */
function fields(pairs, className) {
  const dl = el('dl', { class: className });
  const refs = {};
  for (const [key, label] of pairs) {
    const dd = el('dd', { 'data-field': key, text: '—' });
    dl.append(el('div', {}, [el('dt', { text: label }), dd]));
    refs[key] = dd;
  }
  return { dl, refs };
}

/** The element id of a device's card (for links to it). */
function cardId(deviceId) {
  return `card-${deviceId.replace(/[^A-Za-z0-9_-]/g, '_')}`;
}

function buildCard(deviceId) {
  const titleId = `dev-${deviceId.replace(/[^A-Za-z0-9_-]/g, '_')}`;
  const card = el('article', { id: cardId(deviceId), class: 'card', 'data-device': deviceId, 'aria-labelledby': titleId });
  const title = el('h2', { id: titleId, text: deviceId });
  const activity = el('p', { class: 'activity', 'data-field': 'activity', text: 'waiting for a window' });
  const detail = el('p', { class: 'detail', 'data-field': 'detail', text: '' });
  const quiet = el('p', { class: 'quiet-note', 'data-field': 'quiet', hidden: '', text: 'no window lately: the device may have stopped sending' });
  // visible, not only a tooltip: phones have no hover
  const lastError = el('p', { class: 'error-note', 'data-field': 'lastError', hidden: '' });
  const stats = fields(
    [
      ['windows', 'Windows'],
      ['mode', 'Threshold / exit'],
      ['cycles', 'Cycles'],
      ['energy', 'Energy'],
      ['latency', 'MCU latency'],
      ['delay', 'Ingest → result'],
      ['errors', 'Errors'],
    ],
    'stats',
  );
  const timeline = el('ol', { class: 'timeline', 'aria-label': `classes of the last ${TIMELINE_WINDOWS} windows seen by this page` });
  const battery = el('section', { class: 'battery', hidden: '', 'aria-label': 'battery budget' });
  card.append(title, activity, detail, quiet, stats.dl, lastError, el('h3', { class: 'sub', text: 'Activity timeline (class numbers, since this page opened)' }), timeline, battery);
  return { card, activity, detail, quiet, lastError, stats: stats.refs, timeline, battery, batteryParts: null };
}

function buildBattery(section) {
  const meter = el('meter', { min: '0', max: '100', low: '20', high: '50', optimum: '100', value: '0' });
  const chargeLabel = el('span', { class: 'charge', text: '—' });
  const label = el('label', { class: 'charge-row' }, [el('span', { text: 'Charge ' }), meter, chargeLabel]);
  const status = el('p', { class: 'status', text: '' });
  const reason = el('p', { class: 'reason', text: '' });
  const summary = fields(
    [
      ['current', 'Empty at current mode in'],
      ['planned', 'Planned end'],
      ['target', 'Target end'],
      ['vsTarget', 'Planned end vs target'],
      ['recent', 'Recent power'],
    ],
    'projection',
  );
  const tbody = el('tbody');
  const table = el('table', { class: 'modes' }, [
    el('caption', { text: 'Time to empty per operating mode' }),
    el('thead', {}, [el('tr', {}, ['Mode', 'Accuracy', 'Energy / window', 'Time to empty', 'Meets target'].map((h) => el('th', { scope: 'col', text: h })))]),
    tbody,
  ]);
  section.append(el('h3', { class: 'sub', text: 'Battery' }), label, status, reason, summary.dl, table);
  section.hidden = false;
  return { meter, chargeLabel, status, reason, summary: summary.refs, tbody };
}

function timelineItem(w) {
  const li = el('li', { class: w.exitTaken === 0 ? 'early' : 'late', title: `#${w.windowSeq} ${w.className}, exit ${w.exitTaken}, margin ${w.margin}`, text: String(w.classIndex) });
  li.style.setProperty('--hue', String(classHue(w.classIndex)));
  return li;
}

/**
 * Appends the windows not drawn yet and trims the oldest, so a steady stream costs one or two
 * element changes per card and frame instead of rewriting the whole strip. A timeline that no
 * longer continues the drawn one (a snapshot after a restart) is redrawn.
 */
function updateTimeline(list, timeline) {
  const drawnLast = list.lastElementChild ? Number(list.dataset.lastSeq) : null;
  let from = 0;
  if (drawnLast !== null) {
    const at = timeline.findLastIndex((w) => w.windowSeq === drawnLast);
    if (at >= 0) from = at + 1;
    else list.replaceChildren();
  }
  const fresh = timeline.slice(from);
  if (fresh.length) list.append(...fresh.map(timelineItem));
  while (list.children.length > timeline.length) list.firstElementChild?.remove();
  const last = timeline.at(-1);
  if (last) list.dataset.lastSeq = String(last.windowSeq);
}

function updateBattery(view, d) {
  if (!d.battery && !d.mode) return;
  view.batteryParts ??= buildBattery(view.battery);
  const b = view.batteryParts;
  const bat = d.battery;
  if (bat) {
    b.meter.value = bat.chargePct;
    b.chargeLabel.textContent = `${formatNumber(bat.chargePct, 1, '%')} ± ${formatNumber(bat.chargeSigmaPct, 1)}`;
    const p = bat.projection;
    b.summary.current.textContent = timeToEmpty(bat.atMs, p.currentModeEmptyAtMs);
    b.summary.planned.textContent = p.plannedEmptyAtMs === null ? '—' : `${formatInstant(p.plannedEmptyAtMs)} (in ${timeToEmpty(bat.atMs, p.plannedEmptyAtMs)})`;
    b.summary.target.textContent = p.targetEndMs === null ? 'none' : `${formatInstant(p.targetEndMs)} (in ${timeToEmpty(bat.atMs, p.targetEndMs)})`;
    b.summary.vsTarget.textContent = endVsTarget(p.plannedEmptyAtMs, p.targetEndMs);
    b.summary.recent.textContent = formatNumber(p.recentPowerUw, 1, 'µW');
    const rows = Array.isArray(p.modes) ? p.modes : [];
    while (b.tbody.children.length < rows.length) b.tbody.append(el('tr', {}, [el('th', { scope: 'row' }), el('td'), el('td'), el('td'), el('td')]));
    while (b.tbody.children.length > rows.length) b.tbody.lastElementChild?.remove();
    rows.forEach((m, i) => {
      const tr = b.tbody.children[i];
      const cells = tr.children;
      cells[0].textContent = m.index === p.currentModeIndex ? `${m.index} (current)` : String(m.index);
      cells[1].textContent = formatFraction(m.accuracy);
      cells[2].textContent = formatNumber(m.energyUj, 2, 'µJ');
      cells[3].textContent = timeToEmpty(bat.atMs, m.emptyAtMs);
      cells[4].textContent = p.targetEndMs === null ? '—' : m.meetsTarget ? 'yes' : 'no';
      tr.className = m.index === p.currentModeIndex ? 'current' : '';
    });
  }
  const mode = d.mode;
  if (mode) {
    const feasible = mode.status !== 'infeasible' && mode.status !== 'empty';
    b.status.textContent = `${mode.status === 'targetReached' ? 'target reached' : mode.status} · mode ${mode.modeIndex} (${formatFraction(mode.accuracy)})${mode.held ? ' · held' : ''}`;
    b.status.className = `status ${feasible ? 'ok' : 'bad'}`;
    b.reason.textContent = mode.reason;
  } else if (bat) {
    // no `mode` message yet: say so, with what the projection alone tells
    const current = (bat.projection.modes ?? []).find((m) => m.index === bat.projection.currentModeIndex);
    const meets = bat.projection.targetEndMs === null || current === undefined ? '' : ` · current mode ${current.meetsTarget ? 'meets' : 'misses'} the target`;
    b.status.textContent = `no mode decision yet${meets}`;
    b.status.className = 'status';
  }
}

function updateCard(view, d, classes) {
  const p = d.last;
  if (p) {
    view.activity.textContent = p.className;
    view.activity.style.setProperty('--hue', String(classHue(p.classIndex)));
    view.activity.classList.add('known');
    view.detail.textContent = `margin ${p.margin} · window #${p.windowSeq}${classes.length ? ` · ${classes.length} classes` : ''}`;
    view.stats.mode.textContent = `${formatThreshold(p.threshold)} / exit ${p.exitTaken}`;
    view.stats.cycles.textContent = formatCount(p.cycles);
    view.stats.energy.textContent = formatNumber(p.energyUj, 2, 'µJ');
    view.stats.latency.textContent = formatNumber(p.latencyUs, 0, 'µs');
    view.stats.delay.textContent = formatNumber(p.ingestToPredictionMs, 1, 'ms');
  }
  view.stats.windows.textContent = formatCount(d.windows);
  const errors = total(d.errors);
  view.stats.errors.textContent = formatCount(errors);
  view.stats.errors.title = d.lastErrorDetail ?? Object.entries(d.errors).map(([k, v]) => `${k}: ${v}`).join(', ');
  view.card.classList.toggle('has-errors', errors > 0);
  view.card.classList.toggle('quiet', d.quiet === true);
  view.lastError.hidden = d.lastErrorDetail === null;
  if (d.lastErrorDetail !== null) view.lastError.textContent = `last error: ${d.lastErrorDetail}`;
  view.quiet.hidden = d.quiet !== true;
  updateTimeline(view.timeline, d.timeline);
  updateBattery(view, d);
}

/** /health `budgetAtRisk` (soonest planned end first, at most 20): one line per device, linking to its card. */
function updateAtRisk(section, rows) {
  const list = Array.isArray(rows) ? rows.filter((r) => r && typeof r.deviceId === 'string') : [];
  section.hidden = list.length === 0;
  const key = JSON.stringify(list);
  if (section.dataset.rows === key) return;
  section.dataset.rows = key;
  section.querySelector('ul')?.replaceChildren(
    ...list.map((r) => {
      const when = r.plannedEmptyAtMs === null ? 'no projected end' : `empty ${formatInstant(r.plannedEmptyAtMs)}, ${endVsTarget(r.plannedEmptyAtMs, r.targetEndMs)}`;
      return el('li', { 'data-device': r.deviceId }, [el('a', { href: `#${cardId(r.deviceId)}`, text: r.deviceId }), el('span', { text: ` — ${r.status}: ${when}` })]);
    }),
  );
}

function setField(root, key, value) {
  const node = root.querySelector(`[data-status="${key}"]`);
  if (node && node.textContent !== value) node.textContent = value;
}

function updateStatus(root, state, connection) {
  const c = state.counters ?? {};
  const h = state.health ?? {};
  const pipeline = c.pipeline ?? {};
  setField(root, 'connection', connection.state === 'closed' ? `disconnected, retry in ${formatDuration(connection.retryInMs)}` : connection.state);
  root.dataset.connection = connection.state;
  setField(root, 'mqtt', typeof h.mqtt === 'string' ? h.mqtt : '—');
  setField(root, 'model', state.modelId ?? '—');
  setField(root, 'uptime', formatDuration(c.uptimeMs));
  setField(root, 'devices', formatCount(c.devices ?? state.devices.size));
  setField(root, 'predictions', formatCount(c.predictions));
  setField(root, 'errors', formatCount(total(c.errors)));
  setField(root, 'dropped', formatCount((pipeline.windowsDropped ?? 0) + (pipeline.ingestDropped ?? 0) + (pipeline.inferenceFailed ?? 0)));
  setField(root, 'clients', formatCount(c.websocket?.clients));
  setField(root, 'slow', formatCount(c.websocket?.droppedSlowClients));
  setField(root, 'infeasible', formatCount(c.budget?.infeasibleDevices));
  setField(root, 'ignored', formatCount(total(state.dropped)));
}

/**
 * Returns `schedule()`: call it after state changes; the DOM is updated on the next animation
 * frame with everything that changed meanwhile.
 */
/** The class legend (colour and name per class of the model), rebuilt when the classes change. */
function updateLegend(legend, classes) {
  const key = classes.join('\u0000');
  if (legend.dataset.classes === key) return;
  legend.dataset.classes = key;
  legend.replaceChildren(
    ...classes.map((name, i) => {
      const chip = el('span', { class: 'chip', 'aria-hidden': 'true', text: String(i) });
      chip.style.setProperty('--hue', String(classHue(i)));
      return el('li', {}, [chip, el('span', { text: ` ${name}` })]);
    }),
  );
}

export function createRenderer({ state, statusRoot, deviceList, emptyNote, legend, atRisk, connection }) {
  const views = new Map();
  let pending = false;
  let backlog = [];

  const frame = () => {
    pending = false;
    const changes = takeChanges(state);
    if (changes.reset) {
      for (const [id, v] of views) {
        if (!state.devices.has(id)) {
          v.card.remove();
          views.delete(id);
        }
      }
    }
    const todo = new Set([...backlog, ...changes.devices]);
    backlog = [];
    const fragment = document.createDocumentFragment();
    let drawn = 0;
    for (const id of todo) {
      const d = state.devices.get(id);
      if (!d) continue;
      if (drawn >= MAX_CARDS_PER_FRAME) {
        backlog.push(id);
        continue;
      }
      let view = views.get(id);
      if (!view) {
        view = buildCard(id);
        views.set(id, view);
        fragment.append(view.card);
      }
      updateCard(view, d, state.classes);
      drawn += 1;
    }
    if (fragment.childNodes.length) deviceList.append(fragment);
    emptyNote.hidden = state.devices.size > 0;
    if (changes.status || changes.devices.length) updateStatus(statusRoot, state, connection());
    if (changes.status) updateAtRisk(atRisk, state.health?.budgetAtRisk);
    if (changes.reset) updateLegend(legend, state.classes);
    if (backlog.length) schedule();
  };

  const schedule = () => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(frame);
  };
  return { schedule };
}
