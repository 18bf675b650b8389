// The live map's page: asks the server for the map (SVG drawn there by Graphviz, and a JSON
// view), redraws when the server's event stream says the ClientIntents changed. Every name from
// the cluster goes into the page as text (textContent), never as markup.
'use strict';

const state = { hidden: new Set(), search: '', workloads: {}, selected: undefined };

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
  renderNamespaces(view.namespaces);
  document.getElementById('counts').textContent = `${view.shown} of ${view.total} ClientIntents shown`;
  // Graphviz writes the SVG and XML-escapes every label; parsed as SVG (scripts in parsed
  // documents do not run), and the Content-Security-Policy allows no inline script anyway.
  const svg = new DOMParser().parseFromString(view.svg, 'image/svg+xml').documentElement;
  const graph = document.getElementById('graph');
  graph.replaceChildren(document.importNode(svg, true));
  if (state.selected && state.workloads[state.selected]) showWorkload(state.selected);
}

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
  document.getElementById('graph').addEventListener('click', (event) => {
    const node = event.target.closest('g.node');
    const id = node?.querySelector('title')?.textContent;
    if (id) showWorkload(id);
  });
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
