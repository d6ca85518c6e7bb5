// Hand-drawn SVG: the map of France from département outlines, the
// waterfall of one département's change, the tornado and the bands of a sweep.
// Every drawing returns an <svg> element with a <title> and a text equivalent
// elsewhere on the page (the tables next to it).

import { formatEuros, formatDeltaEuros, formatNumber, NBSP } from './format.js';

const NS = 'http://www.w3.org/2000/svg';

export function el(name, attrs = {}, text) {
	const e = document.createElementNS(NS, name);
	for (const [k, v] of Object.entries(attrs)) if (v !== undefined && v !== null) e.setAttribute(k, v);
	if (text !== undefined) e.textContent = text;
	return e;
}

function svgRoot(w, h, title, cls) {
	const s = el('svg', { viewBox: `0 0 ${w} ${h}`, role: 'img', class: cls, xmlns: NS });
	s.appendChild(el('title', {}, title));
	return s;
}

// ---------------------------------------------------------------- the map
// contours: [{code, rings: [[[x,y],...],...]}] in km, y up.
// values: Map code -> number (or null = participant without a value),
// codes absent from values are drawn grey (not participating).
// background: codes drawn grey under the participants.
export const OVERSEAS = { '971': 'Guadeloupe', '972': 'Martinique', '973': 'Guyane', '974': 'La Réunion', '976': 'Mayotte' };

export function drawMap({ contours, values, background, colour, title, names, onSelect, onHover, selected }) {
	const byCode = new Map(contours.map((c) => [c.code, c]));
	const drawn = [];
	const seen = new Set();
	for (const code of background) if (byCode.has(code) && !values.has(code)) { drawn.push(code); seen.add(code); }
	const front = [...values.keys()].filter((c) => byCode.has(c) && !seen.has(c));
	// 69M is a schematic shape drawn over 69D: keep it last.
	front.sort((a, b) => (a === '69M') - (b === '69M'));
	let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
	for (const code of [...drawn, ...front]) for (const ring of byCode.get(code).rings) for (const [x, y] of ring) {
		if (x < x0) x0 = x; if (x > x1) x1 = x; if (y < y0) y0 = y; if (y > y1) y1 = y;
	}
	const pad = 12;
	const W = 600;
	const k = (W - 2 * pad) / (x1 - x0);
	const H = Math.ceil((y1 - y0) * k + 2 * pad);
	const px = (x) => ((x - x0) * k + pad).toFixed(1);
	const py = (y) => ((y1 - y) * k + pad).toFixed(1);
	const svg = svgRoot(W, H, title, 'p304-map');
	const g = el('g');
	svg.appendChild(g);
	const pathOf = (code) => byCode.get(code).rings.map((r) => 'M' + r.map(([x, y]) => px(x) + ',' + py(y)).join('L') + 'Z').join('');
	for (const code of drawn) g.appendChild(el('path', { d: pathOf(code), class: 'p304-map-off', 'data-code': code }));
	const missing = [];
	for (const code of [...values.keys()]) if (!byCode.has(code)) missing.push(code);
	for (const code of front) {
		const v = values.get(code);
		const p = el('path', {
			d: pathOf(code), class: 'p304-map-on' + (code === selected ? ' p304-map-selected' : ''),
			fill: colour(v), 'data-code': code, tabindex: '0', role: 'button',
			'aria-label': `${code} ${names.get(code) || ''}`,
		});
		p.addEventListener('click', () => onSelect(code));
		p.addEventListener('keydown', (ev) => { if (ev.key === 'Enter' || ev.key === ' ') { ev.preventDefault(); onSelect(code); } });
		p.addEventListener('mouseenter', (ev) => onHover(code, ev));
		p.addEventListener('mousemove', (ev) => onHover(code, ev));
		p.addEventListener('focus', (ev) => onHover(code, ev));
		p.addEventListener('mouseleave', () => onHover(null));
		p.addEventListener('blur', () => onHover(null));
		g.appendChild(p);
	}
	// Overseas insets: a label under each one's outline.
	for (const [code, name] of Object.entries(OVERSEAS)) {
		const c = byCode.get(code);
		if (!c || (!values.has(code) && !seen.has(code))) continue;
		let bx0 = Infinity, bx1 = -Infinity, by0 = Infinity;
		for (const r of c.rings) for (const [x, y] of r) { bx0 = Math.min(bx0, x); bx1 = Math.max(bx1, x); by0 = Math.min(by0, y); }
		svg.appendChild(el('text', { x: px((bx0 + bx1) / 2), y: +py(by0) + 11, class: 'p304-map-label', 'text-anchor': 'middle' }, name));
	}
	return { svg, missing };
}

// Sequential classes (quantiles of the values) in blues, or diverging
// classes (symmetric around 0) in orange/blue for changes.
const SEQ = ['#d5d5fb', '#b1b1f9', '#8f8ff2', '#6a6af4', '#3b3bd0', '#000091'];
const DIV_NEG = ['#fcd7bd', '#f69c6b', '#ce614a', '#a33b1f'];
const DIV_POS = ['#d3e5f7', '#8fbce8', '#3a80c9', '#1b4e8a'];

// Classes from the quantiles of the distinct values: 74 participants at the
// same floor must not swallow every class.
export function sequentialScale(nums) {
	const all = nums.filter((x) => x !== null && Number.isFinite(x));
	const v = [...new Set(all)].sort((a, b) => a - b);
	const n = Math.min(SEQ.length, Math.max(1, v.length));
	const pal = n === SEQ.length ? SEQ : SEQ.slice(SEQ.length - n);
	const breaks = [];
	for (let i = 1; i < n; i++) breaks.push(v[Math.floor(i * v.length / n)]);
	const colour = (x) => {
		if (x === null || x === undefined || !Number.isFinite(x)) return '#ffffff';
		let i = 0;
		while (i < breaks.length && x >= breaks[i]) i++;
		return pal[i];
	};
	const classes = pal.map((c, i) => {
		const lo = i === 0 ? v[0] : breaks[i - 1];
		const next = i === n - 1 ? null : breaks[i];
		const hi = next === null ? v[v.length - 1] : v[v.indexOf(next) - 1];
		return { colour: c, lo, hi };
	});
	return { colour, classes };
}

export function divergingScale(nums) {
	const v = nums.filter((x) => x !== null && Number.isFinite(x));
	const m = Math.max(1, ...v.map(Math.abs));
	const steps = [0.1, 0.3, 0.6, 1.0].map((f) => f * m);
	const colour = (x) => {
		if (x === null || x === undefined || !Number.isFinite(x)) return '#ffffff';
		if (x === 0) return '#f6f6f6';
		const a = Math.abs(x);
		let i = 0;
		while (i < steps.length - 1 && a > steps[i]) i++;
		return x < 0 ? DIV_NEG[i] : DIV_POS[i];
	};
	const classes = [];
	for (let i = steps.length - 1; i >= 0; i--) classes.push({ colour: DIV_NEG[i], lo: -steps[i], hi: i ? -steps[i - 1] : 0 });
	classes.push({ colour: '#f6f6f6', lo: 0, hi: 0 });
	for (let i = 0; i < steps.length; i++) classes.push({ colour: DIV_POS[i], lo: i ? steps[i - 1] : 0, hi: steps[i] });
	return { colour, classes };
}

// ---------------------------------------------------------------- charts
const BASE_LABEL_W = 340;

// Horizontal bars: rows [{label, value, colour}], values in euros.
export function drawBars(rows, title, { signed = false, format = formatEuros } = {}) {
	// the label column fits the longest label (issue 21: the tornado cut
	// « Données : Mesures jeunes majeurs … » on its left)
	const longest = Math.max(0, ...rows.map((r) => String(r.label).length));
	const LABEL_W = Math.max(BASE_LABEL_W, Math.min(560, Math.ceil(longest * 7.4) + 16));
	const rowH = 22, W = 480 + LABEL_W, plotW = W - LABEL_W - 110;
	const H = rows.length * rowH + 30;
	const svg = svgRoot(W, H, title, 'p304-chart');
	const max = Math.max(1, ...rows.map((r) => Math.abs(r.value)));
	const zero = signed ? LABEL_W + plotW / 2 : LABEL_W;
	const scale = (signed ? plotW / 2 : plotW) / max;
	rows.forEach((r, i) => {
		const y = 10 + i * rowH;
		svg.appendChild(el('text', { x: LABEL_W - 8, y: y + 14, 'text-anchor': 'end', class: 'p304-chart-label' }, r.label));
		const w = Math.abs(r.value) * scale;
		const x = r.value < 0 ? zero - w : zero;
		svg.appendChild(el('rect', { x, y: y + 2, width: Math.max(w, 0.5), height: rowH - 6, fill: r.colour || (r.value < 0 ? '#ce614a' : '#000091') }));
		const tx = r.value < 0 ? x - 4 : x + w + 4;
		svg.appendChild(el('text', { x: tx, y: y + 14, 'text-anchor': r.value < 0 ? 'end' : 'start', class: 'p304-chart-value' }, format(r.value)));
	});
	svg.appendChild(el('line', { x1: zero, x2: zero, y1: 6, y2: H - 18, class: 'p304-chart-axis' }));
	return svg;
}

// Waterfall: start, steps [{label, value}], end; every step a floating bar.
export function drawWaterfall(start, steps, end, title, startLabel, endLabel) {
	const cols = [{ label: startLabel, from: 0, to: start, total: true }];
	let acc = start;
	for (const s of steps) { cols.push({ label: s.label, from: acc, to: acc + s.value, delta: s.value }); acc += s.value; }
	cols.push({ label: endLabel, from: 0, to: end, total: true });
	const W = 720, H = 300, top = 24, bottom = 70, left = 90;
	const lo = Math.min(0, ...cols.map((c) => Math.min(c.from, c.to)));
	const hi = Math.max(1, ...cols.map((c) => Math.max(c.from, c.to)));
	const sy = (v) => top + (hi - v) / (hi - lo) * (H - top - bottom);
	const colW = (W - left - 10) / cols.length;
	const svg = svgRoot(W, H, title, 'p304-chart');
	svg.appendChild(el('line', { x1: left, x2: W - 10, y1: sy(0), y2: sy(0), class: 'p304-chart-axis' }));
	cols.forEach((c, i) => {
		const x = left + i * colW + colW * 0.15;
		const y = sy(Math.max(c.from, c.to));
		const h = Math.max(1, Math.abs(sy(c.from) - sy(c.to)));
		const fill = c.total ? '#000091' : c.delta < 0 ? '#ce614a' : '#3a80c9';
		svg.appendChild(el('rect', { x, y, width: colW * 0.7, height: h, fill }));
		const txt = c.total ? formatEuros(c.to) : formatDeltaEuros(c.delta);
		svg.appendChild(el('text', { x: x + colW * 0.35, y: y - 5, 'text-anchor': 'middle', class: 'p304-chart-value' }, txt));
		const lab = el('text', { x: x + colW * 0.35, y: H - bottom + 16, 'text-anchor': 'middle', class: 'p304-chart-label' });
		wrap(c.label, Math.max(8, Math.floor(colW / 6.5))).forEach((w, j) => lab.appendChild(el('tspan', { x: x + colW * 0.35, dy: j ? 13 : 0 }, w)));
		svg.appendChild(lab);
		if (i < cols.length - 1) {
			const nx = left + (i + 1) * colW + colW * 0.15;
			svg.appendChild(el('line', { x1: x + colW * 0.7, x2: nx, y1: sy(c.to), y2: sy(c.to), class: 'p304-chart-link' }));
		}
	});
	return svg;
}

// Splits a label into at most three lines of about `width` characters.
function wrap(text, width) {
	const lines = [];
	let cur = '';
	for (const w of text.split(' ')) {
		if (cur && (cur + ' ' + w).length > width) { lines.push(cur); cur = w; } else cur = cur ? cur + ' ' + w : w;
	}
	if (cur) lines.push(cur);
	if (lines.length > 3) { lines.length = 3; lines[2] += '…'; }
	return lines;
}

// Bands of a sweep: per row min–max line, p5–p95 box, median tick, base dot.
export function drawBands(rows, title) {
	const rowH = 16, W = 760, left = 230, right = 20, top = 28;
	const H = top + rows.length * rowH + 10;
	const lo = Math.min(...rows.map((r) => r.min_eur));
	const hi = Math.max(...rows.map((r) => r.max_eur));
	const sx = (v) => left + (v - lo) / Math.max(1, hi - lo) * (W - left - right);
	const svg = svgRoot(W, H, title, 'p304-chart');
	svg.appendChild(el('text', { x: left, y: 14, class: 'p304-chart-label' }, formatEuros(lo)));
	svg.appendChild(el('text', { x: W - right, y: 14, 'text-anchor': 'end', class: 'p304-chart-label' }, formatEuros(hi)));
	rows.forEach((r, i) => {
		const y = top + i * rowH + rowH / 2;
		svg.appendChild(el('text', { x: left - 8, y: y + 4, 'text-anchor': 'end', class: 'p304-chart-label p304-small' }, `${r.code} ${r.name}`));
		svg.appendChild(el('line', { x1: sx(r.min_eur), x2: sx(r.max_eur), y1: y, y2: y, class: 'p304-band-line' }));
		svg.appendChild(el('rect', { x: sx(r.p5_eur), y: y - 5, width: Math.max(1, sx(r.p95_eur) - sx(r.p5_eur)), height: 10, class: 'p304-band-box' }));
		svg.appendChild(el('line', { x1: sx(r.median_eur), x2: sx(r.median_eur), y1: y - 6, y2: y + 6, class: 'p304-band-median' }));
		svg.appendChild(el('circle', { cx: sx(r.base_eur), cy: y, r: 2.5, class: 'p304-band-base' }));
	});
	return svg;
}

export { formatNumber, NBSP };
