// The live map's page: asks the server for the map (SVG drawn there by Graphviz, and a JSON
// view), redraws when the server's event stream says the ClientIntents changed. Every name from
// the cluster goes into the page as text (textContent), never as markup.
'use strict';

const state = { hidden: new Set(), search: '', workloads: {}, edges: {}, selected: undefined };

function element(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (className) node.className = className;
  return node;
}

function table(headings, rows) {
  const t = element('table');
  const head = t.appendChild(element('tr'));
  for (const h of headings) head.appendChild(element('th', h));
  for (const row of rows) {
    const tr = t.appendChild(element('tr'));
    for (const cell of row) tr.appendChild(element('td', cell));
  }
  return t;
}

async function getJson(path) {
  const response = await fetch(path);
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
  return response.json();
}

async function loadMap() {
  const query = new URLSearchParams({ hide: [...state.hidden].join(','), q: state.search });
  const view = await getJson(`/api/map?${query}`);
  state.workloads = view.workloads;
  state.edges = view.edges;
  renderNamespaces(view.namespaces);
  document.getElementById('counts').textContent = `${view.shown} of ${view.total} ClientIntents shown`;
  // Graphviz writes the SVG and XML-escapes every label; parsed as SVG (scripts in parsed
  // documents do not run), and the Content-Security-Policy allows no inline script anyway.
  const svg = new DOMParser().parseFromString(view.svg, 'image/svg+xml').documentElement;
  const graph = document.getElementById('graph');
  graph.replaceChildren(document.importNode(svg, true));
  // A wide transparent copy of each edge's line, so that a click need not hit the thin line itself.
  for (const path of graph.querySelectorAll('g.edge path')) {
    const hit = path.cloneNode(false);
    hit.setAttribute('class', 'hit');
    path.after(hit);
  }
  viewer.attach(graph.querySelector('svg'));
  // Milliseconds from the start of the page load to the first map drawn (the document's timeline starts with it).
  if (document.body.dataset.firstRenderMs === undefined) document.body.dataset.firstRenderMs = String(Math.round(document.timeline.currentTime));
  if (state.selected && state.workloads[state.selected]) showWorkload(state.selected);
}

/**
 * Zoom and pan by the SVG's viewBox: the whole map fits the window on load (and after every
 * redraw until the user zooms or pans); the wheel, a pinch, the buttons and the keys + - 0 and
 * the arrows zoom and pan; dragging (mouse, pen or one finger) pans.
 */
const viewer = (() => {
  const minScale = 0.1;
  const maxScale = 20;
  let svg;
  let full; // the graph's own box, {x, y, w, h}
  let box; // what is shown now
  let fitted = true;
  const pointers = new Map();
  let pinch; // {distance} of the two fingers at the last move
  let dragged = false; // the last press moved: the click that ends it is not a click on a node

  function apply() {
    svg.setAttribute('viewBox', `${box.x} ${box.y} ${box.w} ${box.h}`);
  }
  function fit() {
    if (!svg) return;
    fitted = true;
    // A margin of 2 % so that nothing touches the edge.
    const m = Math.max(full.w, full.h) * 0.02;
    box = { x: full.x - m, y: full.y - m, w: full.w + 2 * m, h: full.h + 2 * m };
    apply();
  }
  /** The viewBox point under a client (screen) point. */
  function toGraph(clientX, clientY) {
    const r = svg.getBoundingClientRect();
    // preserveAspectRatio meet: one scale for both axes, the box centred.
    const s = Math.min(r.width / box.w, r.height / box.h);
    return { x: box.x + (clientX - r.left - (r.width - box.w * s) / 2) / s, y: box.y + (clientY - r.top - (r.height - box.h * s) / 2) / s, s };
  }
  function zoom(factor, clientX, clientY) {
    if (!svg) return;
    const r = svg.getBoundingClientRect();
    const at = toGraph(clientX ?? r.left + r.width / 2, clientY ?? r.top + r.height / 2);
    const scale = Math.min(Math.max(full.w / (box.w / factor), minScale), maxScale);
    const w = full.w / scale;
    const h = (box.h / box.w) * w;
    box = { x: at.x - ((at.x - box.x) * w) / box.w, y: at.y - ((at.y - box.y) * h) / box.h, w, h };
    fitted = false;
    apply();
  }
  function pan(dx, dy) {
    if (!svg) return;
    const { s } = toGraph(0, 0);
    box = { ...box, x: box.x - dx / s, y: box.y - dy / s };
    fitted = false;
    apply();
  }
  function attach(element) {
    const previous = box;
    svg = element;
    const vb = svg.viewBox.baseVal;
    full = vb && vb.width > 0 ? { x: vb.x, y: vb.y, w: vb.width, h: vb.height } : { x: 0, y: 0, w: 100, h: 100 };
    // Graphviz sets the size in points; the page sizes the SVG to its box instead.
    svg.removeAttribute('width');
    svg.removeAttribute('height');
    svg.setAttribute('preserveAspectRatio', 'xMidYMid meet');
    if (fitted || !previous) fit();
    else {
      box = previous;
      apply();
    }
  }
  function listen(container) {
    container.addEventListener('wheel', (event) => {
      event.preventDefault();
      zoom(Math.exp(-event.deltaY * 0.002), event.clientX, event.clientY);
    }, { passive: false });
    container.addEventListener('pointerdown', (event) => {
      if (event.button !== 0) return;
      dragged = false;
      pointers.set(event.pointerId, { x: event.clientX, y: event.clientY, moved: false });
      if (pointers.size === 2) {
        const [a, b] = [...pointers.values()];
        pinch = { distance: Math.hypot(a.x - b.x, a.y - b.y) };
      }
    });
    container.addEventListener('pointermove', (event) => {
      const p = pointers.get(event.pointerId);
      if (!p) return;
      const dx = event.clientX - p.x;
      const dy = event.clientY - p.y;
      if (!p.moved && Math.hypot(dx, dy) < 4) return; // a click, not a drag
      if (!p.moved) container.setPointerCapture(event.pointerId); // keep the drag when it leaves the map
      p.moved = true;
      dragged = true;
      p.x = event.clientX;
      p.y = event.clientY;
      if (pointers.size === 2 && pinch) {
        const [a, b] = [...pointers.values()];
        const distance = Math.hypot(a.x - b.x, a.y - b.y);
        if (pinch.distance > 0) zoom(distance / pinch.distance, (a.x + b.x) / 2, (a.y + b.y) / 2);
        pinch.distance = distance;
      } else if (pointers.size === 1) {
        pan(dx, dy);
      }
    });
    const end = (event) => {
      pointers.delete(event.pointerId);
      if (pointers.size < 2) pinch = undefined;
    };
    container.addEventListener('pointerup', end);
    container.addEventListener('pointercancel', end);
    container.addEventListener('keydown', (event) => {
      const step = 40;
      const actions = {
        '+': () => zoom(1.25), '=': () => zoom(1.25), '-': () => zoom(0.8), '0': fit, f: fit,
        ArrowLeft: () => pan(step, 0), ArrowRight: () => pan(-step, 0), ArrowUp: () => pan(0, step), ArrowDown: () => pan(0, -step),
      };
      const action = actions[event.key];
      if (!action) return;
      event.preventDefault();
      action();
    });
  }
  return { attach, listen, fit, zoom, wasDrag: () => dragged };
})();
function renderNamespaces(namespaces) {
  const box = document.getElementById('namespaces');
  box.replaceChildren(element('legend', 'Namespaces'));
  for (const namespace of namespaces) {
    const label = element('label');
    const input = label.appendChild(element('input'));
    input.type = 'checkbox';
    input.value = namespace;
    input.checked = !state.hidden.has(namespace);
    input.addEventListener('change', () => {
      if (input.checked) state.hidden.delete(namespace);
      else state.hidden.add(namespace);
      refresh();
    });
    label.appendChild(document.createTextNode(` ${namespace}`));
    box.appendChild(label);
  }
}

function showWorkload(id) {
  const workload = state.workloads[id];
  const details = document.getElementById('details');
  if (!workload) {
    details.replaceChildren(element('p', `${id} calls nothing in this map.`));
    return;
  }
  state.selected = id;
  details.replaceChildren(
    element('h2', `${workload.workload}.${workload.namespace}`),
    element('p', `from ${workload.objects.join(', ')}`),
    ...(workload.readiness ? [element('p', workload.readiness.reason, workload.readiness.ready ? 'ready' : 'learning')] : []),
    table(
      ['target', 'ports', 'first seen', 'last seen', 'captured by'],
      workload.targets.map((t) => [t.target, (t.ports ?? []).map((p) => p.port).join(', '), t.firstSeen ?? '', t.lastSeen ?? '', t.capturedBy.join(', ')]),
    ),
  );
  for (const node of document.querySelectorAll('#graph g.node')) {
    node.classList.toggle('selected', node.querySelector('title')?.textContent === id);
  }
}

/** An edge's targets with their evidence (first and last seen, captures) and its label (ports, paths). */
function showEdge(key) {
  const edge = state.edges[key];
  if (!edge) return;
  state.selected = undefined;
  document.getElementById('details').replaceChildren(
    element('h2', `${edge.from} → ${edge.to}`),
    element('p', edge.label ? `ports and paths: ${edge.label}` : 'no ports or paths recorded'),
    table(
      ['target', 'first seen', 'last seen', 'captured by'],
      edge.targets.map((t) => [t.target, t.firstSeen ?? '', t.lastSeen ?? '', t.capturedBy.join(', ')]),
    ),
  );
}

async function loadDiff() {
  const diff = await getJson('/api/diff');
  const box = document.getElementById('diff');
  if (diff.clients.length === 0) {
    box.replaceChildren(element('p', 'Observed and declared ClientIntents agree.'));
    return;
  }
  box.replaceChildren(
    ...diff.clients.flatMap((c) => [
      element('h3', `${c.workload} in namespace ${c.namespace}`),
      element('p', `declared in ${c.declaredIn.join(', ') || '(none)'}; observed in ${c.observedIn.join(', ') || '(nothing)'}`),
      ...c.missing.map((m) => element('p', `+ ${m.target}${m.firstSeen ? ` (seen ${m.firstSeen} .. ${m.lastSeen} by ${m.capturedBy.join(', ')}${m.ports ? `; ports ${m.ports.map((p) => p.port).join(', ')}` : ''})` : ''}: observed, not declared`, 'missing')),
      ...c.unobserved.map((u) => element('p', `- ${u.target}: declared, not observed`, 'unobserved')),
      ...(c.changedPorts ?? []).map((p) => element('p', `~ ${p.target}: ports ${p.undeclared.join(', ')} observed, not declared (declared ${p.declared.join(', ')})`, 'missing')),
    ]),
  );
}

async function loadStatus() {
  const status = await getJson('/api/status');
  document.getElementById('status').textContent = status.text;
}

let current = 'map';
function refresh() {
  const load = current === 'map' ? loadMap : current === 'diff' ? loadDiff : loadStatus;
  load().catch((error) => {
    document.getElementById('live').textContent = `error: ${error.message}`;
  });
}

function start() {
  for (const button of document.querySelectorAll('nav button')) {
    button.addEventListener('click', () => {
      current = button.dataset.view;
      for (const b of document.querySelectorAll('nav button')) b.classList.toggle('active', b === button);
      for (const view of ['map', 'diff', 'status']) document.getElementById(`${view}-view`).hidden = view !== current;
      refresh();
    });
  }
  let typing;
  document.getElementById('search').addEventListener('input', (event) => {
    clearTimeout(typing);
    typing = setTimeout(() => {
      state.search = event.target.value;
      refresh();
    }, 200);
  });
  const graph = document.getElementById('graph');
  graph.addEventListener('click', (event) => {
    if (viewer.wasDrag()) return;
    const node = event.target.closest('g.node');
    const id = node?.querySelector('title')?.textContent;
    if (id) showWorkload(id);
    const edge = event.target.closest('g.edge');
    const key = edge?.querySelector('title')?.textContent;
    if (key) showEdge(key);
  });
  viewer.listen(graph);
  document.getElementById('zoom-in').addEventListener('click', () => viewer.zoom(1.25));
  document.getElementById('zoom-out').addEventListener('click', () => viewer.zoom(0.8));
  document.getElementById('fit').addEventListener('click', () => viewer.fit());
  // Drawn once now, so that a page refused an event stream (too many open) still shows the map.
  refresh();
  const events = new EventSource('/events');
  const live = document.getElementById('live');
  events.addEventListener('map', (event) => {
    live.textContent = `live (update ${event.data})`;
    document.body.dataset.version = event.data;
    refresh();
  });
  events.addEventListener('error', () => {
    live.textContent = 'disconnected: retrying…';
  });
}

start();
