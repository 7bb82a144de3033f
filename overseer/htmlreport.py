"""One self-contained HTML file of a target's evidence: no network, all data inline.

Tables (decisions, diffs, criteria) are rendered here; the charts (pass-rate trend, task × version
heat map, edit-kind effects, error classes over time) are drawn in the page as SVG from the inline
JSON, so the file stays small and needs nothing but a browser.
"""

from __future__ import annotations

import html
import json
from dataclasses import asdict, dataclass
from datetime import UTC, datetime

from overseer.decision import Decision
from overseer.insights import Insights, panel_line
from overseer.registry import PromptVersion
from overseer.store import TaskRate

_STYLE = """
body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:1100px;color:#1d2330;padding:0 16px}
h1{font-size:22px}h2{font-size:17px;margin-top:32px;border-bottom:1px solid #dde;padding-bottom:4px}
table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #dde;padding:3px 8px;text-align:left}
.pass{color:#16794a}.fail{color:#b3261e}pre{background:#f6f7fa;padding:8px;overflow:auto;font-size:12px}
details{margin:8px 0;border:1px solid #e3e5ee;border-radius:6px;padding:6px 10px}
.legend span{display:inline-block;margin-right:14px}.sw{display:inline-block;width:10px;height:10px;margin-right:4px}
.heat td{width:22px;height:16px;padding:0}.heat th{font-weight:normal;font-size:11px}
svg text{font-size:11px;fill:#444}
"""

_SCRIPT = r"""
(function () {
  const data = JSON.parse(document.getElementById('report-data').textContent);
  const NS = 'http://www.w3.org/2000/svg';
  function el(name, attrs, parent, text) {
    const node = document.createElementNS(NS, name);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
    if (text !== undefined) node.textContent = text;
    if (parent) parent.appendChild(node);
    return node;
  }
  function axes(svg, w, h, pad) {
    el('line', {x1: pad, y1: h - pad, x2: w - 10, y2: h - pad, stroke: '#999'}, svg);
    el('line', {x1: pad, y1: 10, x2: pad, y2: h - pad, stroke: '#999'}, svg);
    for (const t of [0, 0.25, 0.5, 0.75, 1]) {
      const y = h - pad - t * (h - pad - 10);
      el('text', {x: 4, y: y + 4}, svg, (t * 100) + '%');
      el('line', {x1: pad, y1: y, x2: w - 10, y2: y, stroke: '#eee'}, svg);
    }
  }
  // Pass rate of each kept version, train and holdout.
  (function trend() {
    const host = document.getElementById('trend'); const pts = data.trend;
    const w = 720, h = 240, pad = 40;
    const svg = el('svg', {width: w, height: h, 'data-chart': 'trend'}, host);
    axes(svg, w, h, pad);
    const x = i => pad + 20 + i * ((w - pad - 50) / Math.max(1, pts.length - 1));
    const y = v => h - pad - v * (h - pad - 10);
    for (const [key, color] of [['train', '#2f6fd6'], ['holdout', '#e0892b']]) {
      const good = pts.map((p, i) => [i, p[key]]).filter(p => p[1] !== null);
      if (good.length > 1) el('polyline', {fill: 'none', stroke: color, 'stroke-width': 2,
        points: good.map(([i, v]) => x(i) + ',' + y(v)).join(' ')}, svg);
      for (const [i, v] of good) el('circle', {cx: x(i), cy: y(v), r: 4, fill: color, 'data-series': key}, svg)
        .appendChild(document.createElementNS(NS, 'title')).textContent = key + ' ' + (v * 100).toFixed(1) + '% (' + pts[i].version + ')';
    }
    pts.forEach((p, i) => el('text', {x: x(i) - 12, y: h - pad + 16}, svg, p.version.slice(0, 6)));
  })();
  // Task x version heat map.
  (function heat() {
    const host = document.getElementById('heat'); const table = document.createElement('table');
    table.className = 'heat'; host.appendChild(table);
    const head = table.insertRow(); head.insertCell().textContent = 'task';
    for (const v of data.versions) { const th = document.createElement('th'); th.textContent = v.slice(0, 6); head.appendChild(th); }
    const cells = {}; for (const c of data.heat) cells[c.task_id + '|' + c.prompt_hash] = c;
    const tasks = [...new Set(data.heat.map(c => c.task_id))].sort();
    for (const t of tasks) {
      const row = table.insertRow(); row.insertCell().textContent = t;
      for (const v of data.versions) {
        const td = row.insertCell(); const c = cells[t + '|' + v];
        if (c) { const r = c.rate; td.style.background = `rgb(${Math.round(220 - 180 * r)},${Math.round(80 + 130 * r)},90)`;
                 td.title = t + ' on ' + v.slice(0, 6) + ': ' + (r * 100).toFixed(0) + '% of ' + c.runs + ' runs';
                 td.setAttribute('data-rate', r); }
      }
    }
  })();
  // Edit-kind effects with 95% intervals.
  (function effects() {
    const host = document.getElementById('effects'); const items = data.effects;
    const w = 720, rowH = 26, h = 30 + rowH * Math.max(1, items.length), mid = 470, scale = 200;
    const svg = el('svg', {width: w, height: h, 'data-chart': 'effects'}, host);
    el('line', {x1: mid, y1: 5, x2: mid, y2: h - 5, stroke: '#999'}, svg);
    items.forEach((e, i) => {
      const y = 20 + i * rowH;
      el('text', {x: 4, y: y + 4}, svg, e.kind + ' (' + e.attempts + ')');
      el('line', {x1: mid + e.low * scale, y1: y, x2: mid + e.high * scale, y2: y, stroke: '#888', 'stroke-width': 2}, svg);
      el('rect', {x: Math.min(mid, mid + e.mean_gain * scale), y: y - 6, width: Math.abs(e.mean_gain * scale) || 1,
                  height: 12, fill: e.mean_gain > 0 ? '#16794a' : '#b3261e', 'data-kind': e.kind}, svg);
      el('text', {x: w - 60, y: y + 4}, svg, (e.mean_gain >= 0 ? '+' : '') + e.mean_gain.toFixed(3));
    });
  })();
  // Error classes per session (stacked bars).
  (function classes() {
    const host = document.getElementById('classes'); const sessions = data.classes;
    const names = [...new Set(sessions.flatMap(s => Object.keys(s.classes)))].sort();
    const colors = ['#2f6fd6', '#e0892b', '#16794a', '#b3261e', '#7b4bc4', '#888', '#c2185b', '#00838f'];
    const w = 720, h = 220, pad = 40, max = Math.max(1, ...sessions.map(s => Object.values(s.classes).reduce((a, b) => a + b, 0)));
    const svg = el('svg', {width: w, height: h, 'data-chart': 'classes'}, host);
    const bw = Math.min(60, (w - pad - 20) / Math.max(1, sessions.length) - 8);
    sessions.forEach((s, i) => {
      let top = h - pad; const x = pad + 10 + i * (bw + 8);
      names.forEach((n, j) => { const v = s.classes[n] || 0; if (!v) return;
        const bh = v / max * (h - pad - 20); top -= bh;
        el('rect', {x: x, y: top, width: bw, height: bh, fill: colors[j % colors.length], 'data-class': n}, svg)
          .appendChild(document.createElementNS(NS, 'title')).textContent = n + ': ' + v; });
      el('text', {x: x, y: h - pad + 14}, svg, s.session.slice(9, 15));
    });
    const legend = document.createElement('div'); legend.className = 'legend'; host.appendChild(legend);
    names.forEach((n, j) => { const s = document.createElement('span');
      s.innerHTML = '<i class="sw" style="background:' + colors[j % colors.length] + '"></i>'; s.append(n); legend.appendChild(s); });
  })();
  document.body.setAttribute('data-rendered', 'yes');
})();
"""


@dataclass
class ReportData:
    target: str
    insights: Insights
    versions: list[PromptVersion]
    decisions: list[Decision]
    heat: list[TaskRate]


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _decision_html(d: Decision) -> str:
    rows = "".join(
        f"<tr><td>{_e(c.name)}</td><td>{_e('-' if c.value is None else c.value)}</td>"
        f"<td>{_e('-' if c.limit is None else c.limit)}</td>"
        f"<td class='{'pass' if c.passed else 'fail'}'>{'pass' if c.passed else 'FAIL'}</td><td>{_e(c.note)}</td></tr>"
        for c in d.criteria)
    edit = _e(d.edit.summary(80)) if d.edit else "-"
    verdict = "pass" if d.outcome == "accepted" else "fail"
    return (f"<details class='decision' data-outcome='{_e(d.outcome)}'><summary>#{d.iteration + 1} "
            f"<b class='{verdict}'>{_e(d.outcome)}</b> [{_e(d.edit.kind if d.edit else '-')}] {edit}"
            f" gain {_e(d.gain)}, p {_e(d.p_value)}</summary>"
            f"<p>{_e(d.hypothesis)}</p><p><i>{_e(d.reason)}</i></p>"
            f"<pre>{_e(d.diff) or '(no diff)'}</pre>"
            f"<table><tr><th>criterion</th><th>value</th><th>limit</th><th>verdict</th><th>note</th></tr>{rows}</table>"
            f"{_panel_html(d)}</details>")


def _panel_html(d: Decision) -> str:
    """The proposal panel's record of the decision's iteration: proposals, critiques, ballots."""
    if d.panel is None:
        return ""
    rows = "".join(
        f"<tr><td>#{i}</td><td>{_e(p.persona)}{' (refinement)' if p.refined else ''}</td><td>{_e(p.kind)}</td>"
        f"<td>{_e(p.summary)}</td><td class='{'pass' if p.verdict == 'kept' else 'fail'}'>{p.verdict}</td>"
        f"<td>{_e('; '.join(p.critiques))}</td><td>{_e(d.panel.scores.get(i, ''))}</td></tr>"
        for i, p in enumerate(d.panel.proposals))
    ballots = "".join(f"<li>{_e(voter)}: {' &gt; '.join(f'#{i}' for i in ballot)}</li>"
                      for voter, ballot in d.panel.ballots.items())
    dropped = "".join(f"<li>dropped: {_e(reason)}</li>" for reason in d.panel.dropped)
    return ("<details class='panel'><summary>proposal panel</summary><table><tr><th></th><th>persona</th>"
            "<th>kind</th><th>proposal</th><th>verdict</th><th>critique</th><th>Borda</th></tr>"
            f"{rows}</table><ul>{ballots}{dropped}</ul></details>")


def _routing_html(found: Insights) -> str:
    """Experiments (each with its criteria) and the watch of every promoted band."""
    if not found.experiments and not found.routing:
        return ""
    watch = "".join(
        f"<tr><td>{w.rule}: {_e(w.label)}</td><td>{_e(w.experiment)}</td><td>{w.runs}</td>"
        f"<td>{_e('-' if w.rate is None else f'{w.rate:.1%}')}</td><td>{w.floor:.1%}</td>"
        f"<td class='{'fail' if w.flagged else 'pass'}'>{'DRIFT' if w.flagged else 'holding'}</td></tr>"
        for w in found.routing)
    experiments = "".join(
        f"<details class='experiment' data-outcome='{_e(e['outcome'])}'><summary>{_e(e['time'][:19])} "
        f"<b class='{'pass' if e['outcome'] in ('promoted', 'reverted') else 'fail'}'>{_e(e['outcome'])}</b> "
        f"{_e(e['kind'])} {_e(', '.join(f'{k}={v}' for k, v in e['set'].items()))}</summary>"
        f"<p><i>{_e(e['reason'])}</i></p><table><tr><th>criterion</th><th>value</th><th>limit</th>"
        f"<th>verdict</th><th>note</th></tr>" + "".join(
            f"<tr><td>{_e(c['name'])}</td><td>{_e(c['value'])}</td><td>{_e(c['limit'])}</td>"
            f"<td class='{'pass' if c['passed'] else 'fail'}'>{'pass' if c['passed'] else 'FAIL'}</td>"
            f"<td>{_e(c['note'])}</td></tr>" for c in e["criteria"]) + "</table></details>"
        for e in reversed(found.experiments))
    table = ("<table><tr><th>rule</th><th>experiment</th><th>runs</th><th>pass rate</th><th>floor</th>"
             f"<th>status</th></tr>{watch}</table>") if watch else ""
    return f"<h2>Routing experiments and routed bands</h2>{table}{experiments}"


def render_html(data: ReportData) -> str:
    versions = list(dict.fromkeys(v.hash for v in data.versions))
    payload = {
        "trend": [asdict(t) for t in data.insights.trend],
        "versions": versions,
        "heat": [asdict(cell) for cell in data.heat],
        "effects": [e.to_dict() for e in data.insights.effects],
        "classes": data.insights.error_classes_by_session,
    }
    blob = json.dumps(payload).replace("</", "<\\/")
    decisions = "".join(_decision_html(d) for d in reversed(data.decisions)) or "<p>No decisions yet.</p>"
    kept = sum(d.outcome == "accepted" for d in data.decisions)
    generated = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>overseer: {_e(data.target)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><style>{_STYLE}</style></head>
<body>
<h1>overseer report: {_e(data.target)}</h1>
<p>{len(data.decisions)} decisions, {kept} kept; {len(versions)} kept versions. Generated {generated}.</p>
<h2>Pass rate of each kept version</h2>
<div class="legend"><span><i class="sw" style="background:#2f6fd6"></i>train</span><span><i class="sw" style="background:#e0892b"></i>holdout</span></div>
<div id="trend"></div>
<h2>Tasks × versions (pass rate)</h2><div id="heat"></div>
<h2>Edit kinds: measured effect on the train pass rate (95% interval)</h2><div id="effects"></div>
<h2>Error classes per session</h2><div id="classes"></div>
<h2>Decisions</h2>{decisions}
{_routing_html(data.insights)}
{f"<h2>Proposal panels</h2><p>{_e(panel_line(data.insights.panel))}</p>" if data.insights.panel else ""}
<script id="report-data" type="application/json">{blob}</script>
<script>{_SCRIPT}</script>
</body></html>
"""
