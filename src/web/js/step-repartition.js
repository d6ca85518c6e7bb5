// Step 2, « Répartition »: the cards, the sortable table with its TOTAL,
// the map and its legend.

import { formatEuros, formatDeltaEuros, formatNumber, formatPct, formatDeltaPct, NBSP } from './format.js';
import { drawMap, sequentialScale, divergingScale } from './svg.js';
import { S, $, h, on, STATUS_FR, alertBox, nameOf, card, select, warningInWords } from './state.js';

export const id = 'repartition';

function median(sorted) {
	const n = sorted.length;
	if (!n) return null;
	return n % 2 ? sorted[(n - 1) / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
}

function perChild(row) {
	const c = row.criteria && row.criteria.enfants_0_19;
	return c ? row.amount_eur / c : null;
}


function renderResult() {
	const r = S.result;
	if (!r) return;
	$('rep-title').textContent = `Répartition — ${r.title || r.id}`;
	const amounts = r.rows.map((x) => x.amount_eur).sort((a, b) => a - b);
	$('cards').replaceChildren(
		card('Réparti', formatEuros(r.allocated_eur), `sur ${formatEuros(r.envelope_eur)}${r.unallocated_eur ? ` (non réparti : ${formatEuros(r.unallocated_eur)})` : ''}`, 'card-allocated'),
		card('Participants', formatNumber(r.participants), ''),
		card('Au plancher', formatNumber(r.n_floor), r.floor_eur !== null && r.floor_eur !== undefined ? `plancher ${formatEuros(r.floor_eur)}` : 'pas de plancher'),
		card('Au plafond', formatNumber(r.n_ceiling), r.ceiling_eur !== null && r.ceiling_eur !== undefined ? `plafond ${formatEuros(r.ceiling_eur)}` : 'pas de plafond'),
		card('Min / médiane / max', `${formatEuros(amounts[0])} / ${formatEuros(median(amounts))} / ${formatEuros(amounts[amounts.length - 1])}`, ''));
	renderTable();
	renderMap();
	const w = r.warnings || [];
	const box = w.length ? alertBox('info', `Données estimées ou manquantes (${w.length})`, w.map((x) => warningInWords(x, r))) : '';
	if (box) box.append(h('details', { class: 'fr-text--xs' }, h('summary', { text: 'détails du calcul' }), h('ul', {}, w.map((x) => h('li', { text: x })))));
	$('rep-warnings').replaceChildren(box);
}


const COLS = [
	{ key: 'code', label: 'Code', get: (x) => x.code, text: true },
	{ key: 'name', label: 'Nom', get: (x) => x.name, text: true },
	{ key: 'region', label: 'Région', get: (x) => x.region_name || x.region, text: true },
	{ key: 'amount', label: 'Montant', get: (x) => x.amount_eur, fmt: formatEuros },
	{ key: 'share', label: 'Part de la clé', get: (x) => x.share * 100, fmt: (v) => formatPct(v, 2) },
	{ key: 'share_env', label: 'Part de l\'enveloppe', get: (x) => x.amount_eur / S.result.envelope_eur * 100, fmt: (v) => formatPct(v, 2) },
	{ key: 'child', label: '€ par enfant', get: perChild, fmt: (v) => (v === null ? '—' : formatNumber(v, 2) + NBSP + '€') },
	{ key: 'status', label: 'Statut', get: (x) => STATUS_FR[x.status] || x.status, text: true },
];

function renderTable() {
	const r = S.result;
	const tbl = $('rep-table');
	const head = h('tr');
	for (const c of COLS) {
		const sorted = S.sort.key === c.key;
		const th = h('th', { scope: 'col', class: c.text ? '' : 'p304-num', 'aria-sort': sorted ? S.sort.dir : 'none' },
			h('button', {
				type: 'button', class: 'p304-sortbtn',
				onclick: () => {
					S.sort = { key: c.key, dir: sorted && S.sort.dir === 'descending' ? 'ascending' : (sorted ? 'descending' : (c.text ? 'ascending' : 'descending')) };
					renderTable();
				},
			}, c.label, h('span', { class: 'p304-sortmark', 'aria-hidden': 'true', text: sorted ? (S.sort.dir === 'ascending' ? ' ▲' : ' ▼') : ' ↕' }),
			h('span', { class: 'fr-sr-only', text: sorted ? (S.sort.dir === 'ascending' ? ' (tri croissant)' : ' (tri décroissant)') : ' (trier)' })));
		head.append(th);
	}
	tbl.tHead.replaceChildren(head);
	const col = COLS.find((c) => c.key === S.sort.key);
	const q = S.search.trim().toLowerCase();
	const rows = r.rows.filter((x) => !q || `${x.code} ${x.name} ${x.region_name || ''}`.toLowerCase().includes(q));
	rows.sort((a, b) => {
		const va = col.get(a), vb = col.get(b);
		let d = col.text ? String(va).localeCompare(String(vb), 'fr', { numeric: true }) : (va ?? -Infinity) - (vb ?? -Infinity);
		if (d === 0) d = a.code.localeCompare(b.code, 'fr', { numeric: true });
		return S.sort.dir === 'ascending' ? d : -d;
	});
	const body = rows.map((x) => {
		const tr = h('tr', { 'data-code': x.code, class: x.code === S.selected ? 'p304-row-selected' : null });
		for (const c of COLS) {
			const v = c.get(x);
			const td = h('td', { class: c.text ? null : 'p304-num' });
			if (c.key === 'name') {
				td.append(h('a', { href: '#', class: 'fr-link fr-link--sm', onclick: (ev) => { ev.preventDefault(); select(x.code, 'fiche'); } }, v));
			} else if (c.key === 'status') {
				td.append(h('span', { class: `p304-status-tag p304-status-${x.status}`, text: v }));
			} else td.textContent = c.fmt ? c.fmt(v) : v;
			tr.append(td);
		}
		return tr;
	});
	tbl.tBodies[0].replaceChildren(...body);
	// TOTAL: the sum of every amount, which the library makes equal to the
	// amount allocated (the envelope when nothing is left).
	let total = 0, share = 0;
	for (const x of r.rows) { total += x.amount_eur; share += x.share; }
	const foot = [];
	if (q && rows.length !== r.rows.length) {
		let sub = 0;
		for (const x of rows) sub += x.amount_eur;
		foot.push(h('tr', { class: 'p304-subtotal' }, h('th', { scope: 'row', colspan: 3, text: `Sous-total des ${rows.length} lignes affichées` }),
			h('td', { class: 'p304-num', text: formatEuros(sub) }), h('td', { colspan: 4 })));
	}
	foot.push(h('tr', { id: 'rep-total' }, h('th', { scope: 'row', colspan: 3, text: `TOTAL (${r.rows.length} participants)` }),
		h('td', { class: 'p304-num', id: 'rep-total-amount', text: formatEuros(total) }),
		h('td', { class: 'p304-num', text: formatPct(share * 100, 2) }), h('td', { class: 'p304-num', text: formatPct(total / r.envelope_eur * 100, 2) }), h('td', { colspan: 2, text: total === r.envelope_eur ? '= enveloppe' : `enveloppe ${formatEuros(r.envelope_eur)}, non réparti ${formatEuros(r.envelope_eur - total)}` })));
	tbl.tFoot.replaceChildren(...foot);
}

// ------------------------------------------------------------------ map
function mapValues() {
	const vals = new Map();
	const r = S.result;
	if (!r) return vals;
	if (S.mapMode === 'change' && S.cmp) {
		for (const x of S.cmp.rows) if (x.status_b !== 'absent') vals.set(x.code, x.delta_eur);
	} else if (S.mapMode === 'child') {
		for (const x of r.rows) vals.set(x.code, perChild(x));
	} else {
		for (const x of r.rows) vals.set(x.code, x.amount_eur);
	}
	return vals;
}

/* Grey on the map: not a participant, or left out for missing data (such
 * as Mayotte in the 2025 table) — said with its name, never as "non participant". */
function offLabel(result) {
	const ex = result.excluded || [];
	if (!ex.length) return 'non participant';
	return `non participant, ou exclu faute de données : ${ex.map((e) => `${e.code} ${e.name || ''}`.trim()).join(', ')}`;
}

function renderMap() {
	const box = $('map');
	if (!S.result) return;
	if (!S.contours) {
		box.replaceChildren(h('p', { class: 'fr-text--sm', text: S.contoursError || 'Contours des départements indisponibles.' }));
		return;
	}
	if (S.mapMode === 'change' && !S.cmp) {
		box.replaceChildren(h('p', { class: 'fr-text--sm', text: 'Choisissez une référence dans « 4. Comparer » pour colorer la carte par variation.' }));
		$('map-legend').replaceChildren();
		return;
	}
	const vals = mapValues();
	const nums = [...vals.values()];
	const scale = S.mapMode === 'change' ? divergingScale(nums) : sequentialScale(nums);
	const names = new Map(S.result.rows.map((x) => [x.code, x.name]));
	const background = [...S.reference.entries()].filter(([, r]) => !r.valid_to).map(([c]) => c);
	const what = { amount: 'montant pré-notifié', child: 'montant par enfant de 0 à 19 ans', change: 'variation par rapport à la référence' }[S.mapMode];
	const { svg, missing } = drawMap({
		contours: S.contours, values: vals, background, colour: scale.colour, names, selected: S.selected,
		title: `Carte de France : ${what}, ${S.result.title || S.result.id}`,
		onSelect: (code) => select(code, 'fiche'), onHover: showTip,
	});
	box.replaceChildren(svg);
	const fmt = S.mapMode === 'child' ? (v) => formatNumber(v, 2) + NBSP + '€' : S.mapMode === 'change' ? formatDeltaEuros : formatEuros;
	const leg = $('map-legend');
	leg.replaceChildren(h('p', { class: 'fr-text--sm fr-mb-1v', text: what[0].toUpperCase() + what.slice(1) }),
		h('ul', { class: 'p304-legend__list' }, scale.classes.map((c) => h('li', {},
			h('span', { class: 'p304-swatch', style: { backgroundColor: c.colour } }),
			c.lo === c.hi ? fmt(c.lo) : `${fmt(c.lo)} – ${fmt(c.hi)}`)),
		h('li', {}, h('span', { class: 'p304-swatch p304-swatch--off' }), offLabel(S.result))));
	$('map-source').textContent = 'Contours : IGN Admin Express (Licence Ouverte), simplifiés ; Métropole de Lyon schématique.'
		+ (missing.length ? ` Sans contour : ${missing.join(', ')}.` : '');
}

function showTip(code, ev) {
	const tip = $('map-tip');
	if (!code) { tip.hidden = true; return; }
	const row = S.result.rows.find((x) => x.code === code);
	const c = S.cmp && S.cmp.rows.find((x) => x.code === code);
	tip.replaceChildren(...[h('strong', { text: `${code} ${row ? row.name : nameOf(code)}` }),
		row ? h('span', { text: `Montant : ${formatEuros(row.amount_eur)}` }) : null,
		row ? h('span', { text: `Part de l'enveloppe : ${formatPct(row.amount_eur / S.result.envelope_eur * 100, 2)} — ${STATUS_FR[row.status] || row.status}` }) : null,
		row && perChild(row) !== null ? h('span', { text: `Par enfant : ${formatNumber(perChild(row), 2)}${NBSP}€` }) : null,
		c ? h('span', { text: `Variation : ${formatDeltaEuros(c.delta_eur)} (${c.delta_pct === null ? 'nouveau' : formatDeltaPct(c.delta_pct)})` }) : null].filter(Boolean));
	tip.hidden = false;
	const box = $('map').getBoundingClientRect();
	let x, y;
	if (ev && ev.clientX !== undefined && ev.type !== 'focus') { x = ev.clientX - box.left + 14; y = ev.clientY - box.top + 14; } else {
		const r = ev.target.getBoundingClientRect();
		x = r.right - box.left; y = r.top - box.top;
	}
	tip.style.left = Math.min(x, box.width - 220) + 'px';
	tip.style.top = y + 'px';
}


export function init() {
	$('rep-search').addEventListener('input', (ev) => { S.search = ev.target.value; renderTable(); });
	for (const r of document.querySelectorAll('input[name="map-mode"]')) r.addEventListener('change', (ev) => { S.mapMode = ev.target.value; renderMap(); });
	on('result', renderResult);
	on('show', (name) => { if (name === 'repartition') renderMap(); });
	on('select', () => { if (S.tab === 'repartition') { renderMap(); renderTable(); } });
	on('compare', () => { if (S.mapMode === 'change') renderMap(); });
	on('contours', renderMap);
}
