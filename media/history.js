// @ts-check
// The Socket History chart. Data arrives as typed messages ({type:'series'|'empty'}) from
// src/vscode/historyPanel.ts; the page asks for it with {type:'ready'} each time it is (re)created.
// Built with DOM APIs only (no innerHTML), colours from the theme's chart variables.
(function () {
  // eslint-disable-next-line no-undef
  const vscode = acquireVsCodeApi();
  const SVG = 'http://www.w3.org/2000/svg';
  /** State → theme colour variable. */
  const COLORS = {
    CLOSE_WAIT: '--vscode-charts-red', ESTABLISHED: '--vscode-charts-green', TIME_WAIT: '--vscode-charts-yellow',
    LISTEN: '--vscode-charts-blue', FIN_WAIT_2: '--vscode-charts-orange', FIN_WAIT_1: '--vscode-charts-orange',
    SYN_SENT: '--vscode-charts-purple', LAST_ACK: '--vscode-charts-purple', CLOSE: '--vscode-charts-foreground',
  };
  const $ = (id) => /** @type {HTMLElement} */ (document.getElementById(id));

  function el(name, attrs, text) {
    const e = document.createElementNS(SVG, name);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function color(state) {
    return `var(${COLORS[state] || '--vscode-charts-foreground'})`;
  }

  /**
   * Draws one chart: lines = [{name, values:(number|null)[], color, cls?}], optional horizontal limit.
   * Returns the number of points drawn.
   */
  function chart(container, t, lines, limit) {
    container.textContent = '';
    const W = 800, H = 220, L = 44, R = 10, T = 10, B = 24;
    const svg = el('svg', { viewBox: `0 0 ${W} ${H}`, preserveAspectRatio: 'none', role: 'img' });
    let max = 1;
    for (const l of lines) for (const v of l.values) if (v !== null && v > max) max = v;
    if (limit !== null && limit !== undefined && limit < max * 4) max = Math.max(max, limit);
    const step = niceStep(max / 5);
    max = Math.ceil(max / step) * step;
    const ticks = Math.round(max / step);
    const t0 = t[0] ?? 0, t1 = t[t.length - 1] ?? 1;
    const x = (ti) => L + ((ti - t0) / Math.max(1, t1 - t0)) * (W - L - R);
    const y = (v) => H - B - (v / max) * (H - T - B);
    for (let i = 0; i <= ticks; i++) {
      const v = step * i;
      svg.appendChild(el('line', { x1: L, x2: W - R, y1: y(v), y2: y(v), class: i === 0 ? 'axis' : 'grid' }));
      svg.appendChild(el('text', { x: L - 6, y: y(v) + 3, 'text-anchor': 'end', class: 'tick' }, String(Math.round(v))));
    }
    const span = (t1 - t0) / 1000;
    for (let i = 0; i <= 4; i++) {
      const ti = t0 + ((t1 - t0) / 4) * i;
      const ago = Math.round(span - (ti - t0) / 1000);
      svg.appendChild(el('text', { x: x(ti), y: H - 6, 'text-anchor': i === 0 ? 'start' : i === 4 ? 'end' : 'middle', class: 'tick' }, ago === 0 ? 'now' : `-${fmt(ago)}`));
    }
    if (limit !== null && limit !== undefined && limit <= max) {
      svg.appendChild(el('line', { x1: L, x2: W - R, y1: y(limit), y2: y(limit), class: 'limit' }));
      svg.appendChild(el('text', { x: W - R, y: y(limit) - 4, 'text-anchor': 'end', class: 'tick' }, `limit ${limit}`));
    }
    let points = 0;
    for (const l of lines) {
      const d = [];
      l.values.forEach((v, i) => {
        if (v === null) return;
        d.push(`${d.length ? 'L' : 'M'}${x(t[i]).toFixed(1)},${y(v).toFixed(1)}`);
        points++;
      });
      if (d.length === 1) d.push(d[0].replace('M', 'L'));
      const path = el('path', { d: d.join(' '), class: 'series' });
      path.style.stroke = l.color;
      path.appendChild(el('title', {}, l.name));
      svg.appendChild(path);
    }
    container.appendChild(svg);
    return points;
  }

  /** The smallest of 1, 2, 5, 10, 20, 50… that is at least v: whole-number grid steps. */
  function niceStep(v) {
    if (v <= 1) return 1;
    const p = Math.pow(10, Math.floor(Math.log10(v)));
    for (const m of [1, 2, 5, 10]) if (m * p >= v) return m * p;
    return 10 * p;
  }
  function fmt(s) {
    return s >= 3600 ? `${Math.round(s / 360) / 10} h` : s >= 60 ? `${Math.round(s / 6) / 10} min` : `${s} s`;
  }

  function render(msg) {
    $('empty').hidden = true;
    for (const id of ['states', 'fds', 'legend', 'warnings']) $(id).textContent = '';
    const s = msg.series;
    const n = s.t.length;
    const states = Object.keys(s.states).filter((k) => s.states[k].some((v) => v > 0));
    states.sort((a, b) => (a === 'CLOSE_WAIT' ? -1 : b === 'CLOSE_WAIT' ? 1 : a.localeCompare(b)));
    const lines = states.map((k) => ({ name: k, values: s.states[k], color: color(k) }));
    let points = chart($('states'), s.t, lines, null);
    for (const l of lines) {
      const li = document.createElement('li');
      const sw = document.createElement('span');
      sw.className = 'swatch';
      sw.style.background = l.color;
      li.append(sw, `${l.name} ${l.values[n - 1] ?? 0}`);
      $('legend').appendChild(li);
    }
    const fdLine = [{ name: 'open descriptors', values: s.fd, color: 'var(--vscode-charts-blue)' }];
    points += chart($('fds'), s.t, fdLine, s.fdLimit);
    const lastFd = s.fd[n - 1];
    $('title').textContent = `Socket History — ${msg.title}${msg.exited ? ' (exited)' : ''}`;
    $('summary').textContent = `${n} sample${n === 1 ? '' : 's'} · ${s.total[n - 1] ?? 0} sockets now` +
      (lastFd !== null && lastFd !== undefined ? ` · ${lastFd} descriptors${s.fdLimit ? ` of ${s.fdLimit}` : ''}` : '');
    for (const w of msg.warnings) {
      const li = document.createElement('li');
      li.textContent = w.title;
      if (w.severity === 'critical') li.className = 'critical';
      $('warnings').appendChild(li);
    }
    vscode.setState({ last: msg });
    vscode.postMessage({ type: 'rendered', points, lines: lines.map((l) => l.name) });
  }

  function empty(msg) {
    for (const id of ['states', 'fds', 'legend', 'warnings']) $(id).textContent = '';
    $('summary').textContent = '';
    $('empty').hidden = false;
    $('empty').textContent = msg.text;
    vscode.postMessage({ type: 'rendered', points: 0, lines: [] });
  }

  window.addEventListener('message', (event) => {
    const msg = event.data;
    if (msg && msg.type === 'series') render(msg);
    else if (msg && msg.type === 'empty') empty(msg);
  });
  const saved = vscode.getState();
  if (saved && saved.last) render(saved.last);
  vscode.postMessage({ type: 'ready' });
})();
