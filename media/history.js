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
   * Draws one chart: lines = [{name, values:(number|null)[], color}], optional horizontal limit.
   * A limit far above the data is not drawn to scale (the lines would flatten to the axis): it is
   * marked at the top edge instead. Hovering shows every line's value at that time.
   * Returns what was drawn: {points, xLabels, yLabels, limit: 'drawn'|'off-scale'|'none'}.
   */
  function chart(container, t, lines, limit) {
    container.textContent = '';
    const W = 800, H = 220, L = 52, R = 10, T = 14, B = 24;
    const svg = el('svg', { viewBox: `0 0 ${W} ${H}`, preserveAspectRatio: 'none', role: 'img' });
    let max = 1;
    for (const l of lines) for (const v of l.values) if (v !== null && v > max) max = v;
    const hasLimit = limit !== null && limit !== undefined;
    if (hasLimit && limit < max * 4) max = Math.max(max, limit);
    const step = niceStep(max / 5);
    max = Math.ceil(max / step) * step;
    const ticks = Math.round(max / step);
    const t0 = t[0] ?? 0, t1 = t[t.length - 1] ?? 1;
    const x = (ti) => L + ((ti - t0) / Math.max(1, t1 - t0)) * (W - L - R);
    const y = (v) => H - B - (v / max) * (H - T - B);
    const yLabels = [];
    for (let i = 0; i <= ticks; i++) {
      const v = step * i;
      svg.appendChild(el('line', { x1: L, x2: W - R, y1: y(v), y2: y(v), class: i === 0 ? 'axis' : 'grid' }));
      const label = count(v);
      if (yLabels.includes(label)) continue;
      yLabels.push(label);
      svg.appendChild(el('text', { x: L - 6, y: y(v) + 3, 'text-anchor': 'end', class: 'tick' }, label));
    }
    // Time axis: up to 5 labels, none repeated (a short history rounds several to the same second).
    const span = (t1 - t0) / 1000;
    const xLabels = [];
    for (let i = 0; i <= 4; i++) {
      const ti = t0 + ((t1 - t0) / 4) * i;
      const ago = Math.round(span - (ti - t0) / 1000);
      const label = ago === 0 ? 'now' : `-${fmt(ago)}`;
      if (xLabels.includes(label)) continue;
      xLabels.push(label);
      svg.appendChild(el('text', { x: x(ti), y: H - 6, 'text-anchor': i === 0 ? 'start' : i === 4 ? 'end' : 'middle', class: 'tick' }, label));
    }
    let limitShown = 'none';
    if (hasLimit && limit <= max) {
      limitShown = 'drawn';
      svg.appendChild(el('line', { x1: L, x2: W - R, y1: y(limit), y2: y(limit), class: 'limit' }));
      svg.appendChild(el('text', { x: W - R, y: y(limit) - 4, 'text-anchor': 'end', class: 'limit-label' }, `limit ${count(limit)}`));
    } else if (hasLimit) {
      limitShown = 'off-scale';
      svg.appendChild(el('text', { x: W - R, y: T - 3, 'text-anchor': 'end', class: 'limit-label' }, `↑ limit ${count(limit)} (far above this scale)`));
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
    hover(container, svg, t, lines, x, y, { L, R, T, B, W, H });
    container.appendChild(svg);
    return { points, xLabels, yLabels, limit: limitShown };
  }

  /** A vertical line at the nearest sample and a box with each line's value there. */
  function hover(container, svg, t, lines, x, y, box) {
    if (t.length === 0) return;
    const cursor = el('line', { x1: 0, x2: 0, y1: box.T, y2: box.H - box.B, class: 'cursor', visibility: 'hidden' });
    svg.appendChild(cursor);
    const tip = document.createElement('div');
    tip.className = 'hover';
    tip.hidden = true;
    container.appendChild(tip);
    container.style.position = 'relative';
    svg.addEventListener('mousemove', (e) => {
      const rect = svg.getBoundingClientRect();
      const vx = ((e.clientX - rect.left) / rect.width) * box.W;
      let best = 0;
      for (let i = 1; i < t.length; i++) if (Math.abs(x(t[i]) - vx) < Math.abs(x(t[best]) - vx)) best = i;
      cursor.setAttribute('x1', String(x(t[best])));
      cursor.setAttribute('x2', String(x(t[best])));
      cursor.setAttribute('visibility', 'visible');
      tip.textContent = '';
      const when = document.createElement('div');
      when.className = 'when';
      when.textContent = new Date(t[best]).toLocaleTimeString();
      tip.appendChild(when);
      for (const l of lines) {
        const row = document.createElement('div');
        const sw = document.createElement('span');
        sw.className = 'swatch';
        sw.style.background = l.color;
        const v = l.values[best];
        row.append(sw, ` ${l.name}: ${v === null || v === undefined ? '—' : count(v)}`);
        tip.appendChild(row);
      }
      tip.hidden = false;
      const px = e.clientX - rect.left;
      tip.style.left = `${Math.min(px + 12, rect.width - tip.offsetWidth - 4)}px`;
      tip.style.top = '8px';
    });
    svg.addEventListener('mouseleave', () => {
      cursor.setAttribute('visibility', 'hidden');
      tip.hidden = true;
    });
  }

  function count(v) {
    return Math.round(v).toLocaleString('en-US');
  }

  function legend(list, entries) {
    list.textContent = '';
    for (const entry of entries) {
      const li = document.createElement('li');
      const sw = document.createElement('span');
      sw.className = entry.dashed ? 'swatch dashed' : 'swatch';
      sw.style.background = entry.dashed ? '' : entry.color;
      if (entry.dashed) sw.style.borderColor = entry.color;
      li.append(sw, entry.text);
      list.appendChild(li);
    }
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
    for (const id of ['states', 'fds', 'legend', 'fdLegend', 'warnings']) $(id).textContent = '';
    const s = msg.series;
    const n = s.t.length;
    const states = Object.keys(s.states).filter((k) => s.states[k].some((v) => v > 0));
    states.sort((a, b) => (a === 'CLOSE_WAIT' ? -1 : b === 'CLOSE_WAIT' ? 1 : a.localeCompare(b)));
    const lines = states.map((k) => ({ name: k, values: s.states[k], color: color(k) }));
    const drawn = chart($('states'), s.t, lines, null);
    legend($('legend'), lines.map((l) => ({ color: l.color, text: `${l.name} ${count(l.values[n - 1] ?? 0)}` })));
    const fdLine = [{ name: 'open descriptors', values: s.fd, color: 'var(--vscode-charts-blue)' }];
    const fdDrawn = chart($('fds'), s.t, fdLine, s.fdLimit);
    const lastFd = s.fd[n - 1];
    const fdEntries = [{ color: fdLine[0].color, text: `open descriptors ${lastFd === null || lastFd === undefined ? '—' : count(lastFd)}` }];
    if (s.fdLimit !== null && s.fdLimit !== undefined) {
      fdEntries.push({ color: 'var(--vscode-charts-red)', dashed: true, text: `limit ${count(s.fdLimit)}${fdDrawn.limit === 'off-scale' ? ' (above the scale)' : ''}` });
    } else fdEntries.push({ color: 'var(--vscode-charts-red)', dashed: true, text: 'limit: unlimited or unknown' });
    legend($('fdLegend'), fdEntries);
    $('title').textContent = `Socket History — ${msg.title}${msg.exited ? ' (exited)' : ''}`;
    $('summary').textContent = `${n} sample${n === 1 ? '' : 's'} · ${count(s.total[n - 1] ?? 0)} sockets now` +
      (lastFd !== null && lastFd !== undefined ? ` · ${count(lastFd)} descriptors${s.fdLimit ? ` of ${count(s.fdLimit)}` : ''}` : '');
    for (const w of msg.warnings) {
      const li = document.createElement('li');
      li.textContent = w.title;
      if (w.severity === 'critical') li.className = 'critical';
      $('warnings').appendChild(li);
    }
    vscode.setState({ last: msg });
    vscode.postMessage({
      type: 'rendered', points: drawn.points + fdDrawn.points, lines: lines.map((l) => l.name), title: $('title').textContent,
      legend: [...$('legend').children, ...$('fdLegend').children].map((li) => li.textContent || ''),
      axes: { states: { x: drawn.xLabels, y: drawn.yLabels }, fds: { x: fdDrawn.xLabels, y: fdDrawn.yLabels } }, limit: fdDrawn.limit,
    });
  }

  function empty(msg) {
    for (const id of ['states', 'fds', 'legend', 'fdLegend', 'warnings']) $(id).textContent = '';
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
