// Step 7, « Sensibilité »: POST /api/sweep, the tornado and each amount's
// spread.

import { sendJSON, download } from './api.js';
import { formatEuros, formatNumber, formatPct, parseEuros, parsePct } from './format.js';
import { drawBars, drawBands } from './svg.js';
import { S, $, h, showMsg, setStatus, factorLabel, save } from './state.js';

export const id = 'sensibilite';

function parseRange(text) {
	const t = text.trim();
	if (!t) return { ok: true, value: null };
	const parts = t.split(':');
	if (parts.length !== 2) return { ok: false, message: `« ${t} » : écrivez min:max, par exemple 500 000:700 000` };
	const a = parseEuros(parts[0]), b = parseEuros(parts[1]);
	if (!a.ok) return a;
	if (!b.ok) return b;
	if (a.value > b.value) return { ok: false, message: `« ${t} » : le minimum dépasse le maximum` };
	return { ok: true, value: [a.value, b.value] };
}

async function runSweep(ev) {
	ev.preventDefault();
	showMsg('sweep-msg', '');
	const samples = Number($('sw-samples').value.replace(/\s/g, ''));
	const w = parsePct($('sw-weights').value), d = parsePct($('sw-data').value);
	const fl = parseRange($('sw-floor').value), ce = parseRange($('sw-ceiling').value);
	const bad = !Number.isInteger(samples) || samples < 1 || samples > 100000 ? 'Nombre de variantes : un entier de 1 à 100 000.'
		: !w.ok ? w.message : !d.ok ? d.message : !fl.ok ? fl.message : !ce.ok ? ce.message : null;
	if (bad) { showMsg('sweep-msg', bad); return; }
	const body = { scenario: S.sc, samples, weights: w.value, data: d.value };
	if (fl.value) body.floor = `${fl.value[0]}:${fl.value[1]}`;
	if (ce.value) body.ceiling = `${ce.value[0]}:${ce.value[1]}`;
	setStatus(`Balayage de ${formatNumber(samples)} variantes…`);
	$('sweep-run').disabled = true;
	try {
		S.sweep = await sendJSON('POST', '/api/sweep', body);
		// the exports redo this very sweep: same variants, same seed
		S.sweepBody = { ...body, seed: S.sweep.seed };
	} catch (err) {
		showMsg('sweep-msg', err.message);
		setStatus('Le balayage a été refusé.');
		return;
	} finally {
		$('sweep-run').disabled = false;
	}
	setStatus('Balayage terminé.');
	renderSweep();
}

function renderSweep() {
	const s = S.sweep;
	const o = s.options || {};
	const bounds = [];
	if (o.floor_min_eur !== null && o.floor_min_eur !== undefined) bounds.push(`plancher tiré entre ${formatEuros(o.floor_min_eur)} et ${formatEuros(o.floor_max_eur)}`);
	if (o.ceiling_min_eur !== null && o.ceiling_min_eur !== undefined) bounds.push(`plafond tiré entre ${formatEuros(o.ceiling_min_eur)} et ${formatEuros(o.ceiling_max_eur)}`);
	const rows = [...s.rows].sort((a, b) => b.base_eur - a.base_eur);
	$('sweep').replaceChildren(
		h('p', { class: 'fr-mt-2w', id: 'sweep-sizes' }, h('strong', { text: `${formatNumber(s.samples)} variantes` }),
			` : chaque pondération bouge d'au plus ±${formatNumber(o.weight_points, null)} points (ramenées à 100 %), chaque donnée d'au plus ±${formatNumber(o.data_pct, null)} %`,
			bounds.length ? ', ' + bounds.join(', ') : '', `. ${s.infeasible ? s.infeasible + ' variantes infaisables écartées.' : ''}`,
			h('details', { class: 'fr-text--xs' }, h('summary', { text: 'détails' }), `Tirage reproductible : graine ${s.seed} (le même nombre de variantes redonne les mêmes résultats).`)),
		exportButtons(),
		h('h3', { class: 'fr-h5', text: 'Ce qui fait le plus bouger les montants (tornade)' }),
		h('p', { class: 'fr-text--sm', id: 'tornado-words', text: tornadoWords(o) }),
		drawBars(s.tornado.map((t) => ({ label: factorLabel(t.factor), value: t.spread_eur })), 'Tornade : écart moyen des montants par facteur'),
		h('h3', { class: 'fr-h5 fr-mt-2w', text: 'Étendue de chaque montant' }),
		h('p', { class: 'fr-text--sm', text: 'Trait : minimum – maximum ; boîte : 5e – 95e centile ; barre : médiane ; point : scénario.' }),
		drawBands(rows, 'Bandes : étendue du montant de chaque participant'),
		h('div', { class: 'p304-tablewrap' }, h('table', { class: 'p304-table' },
			h('caption', { class: 'fr-sr-only', text: 'Étendue des montants' }),
			h('thead', {}, h('tr', {}, ['Code', 'Nom', 'Scénario', 'Min', '5e centile', 'Médiane', '95e centile', 'Max', 'Au plancher', 'Au plafond'].map((t, i) => h('th', { scope: 'col', class: i > 1 ? 'p304-num' : null, text: t })))),
			h('tbody', {}, rows.map((x) => h('tr', {}, h('td', { text: x.code }), h('td', { text: x.name }),
				...['base_eur', 'min_eur', 'p5_eur', 'median_eur', 'p95_eur', 'max_eur'].map((k) => h('td', { class: 'p304-num', text: formatEuros(x[k]) })),
				h('td', { class: 'p304-num', text: formatPct(x.at_floor_pct, 1) }), h('td', { class: 'p304-num', text: formatPct(x.at_ceiling_pct, 1) })))))));
}

/* What a bar of the tornado means, in one sentence (issue 21: no jargon
 * outside « détails »). */
function tornadoWords(o) {
	const moves = [];
	if (o.weight_points) moves.push(`une pondération bouge de ±${formatNumber(o.weight_points, null)} points`);
	if (o.data_pct) moves.push(`une donnée de ±${formatNumber(o.data_pct, null)} %`);
	return `Chaque barre se lit ainsi : quand seul ce facteur varie (${moves.join(', ') || 'plancher ou plafond tirés'}), le montant d'un département se déplace en moyenne dans une fourchette de cette largeur, de son montant bas à son montant haut (9 variantes sur 10 y tombent).`;
}

const EXPORTS = [
	{ format: 'xlsx', label: 'Classeur Excel (.xlsx)' },
	{ format: 'csv', label: 'Tableau CSV' },
	{ format: 'chart', chart: 'tornado', label: 'Tornade (.png)' },
	{ format: 'chart', chart: 'sweep', label: 'Étendue des montants (.png)' },
];

function exportButtons() {
	return h('div', { class: 'fr-mt-2w' },
		h('ul', { class: 'fr-btns-group fr-btns-group--inline-md fr-btns-group--icon-left', id: 'sweep-exports' },
			EXPORTS.map((x, i) => h('li', {}, h('button', { type: 'button', class: `fr-btn ${i ? 'fr-btn--secondary ' : ''}fr-icon-download-line`,
				'data-sweep-export': x.chart || x.format, onclick: () => exportSweep(x) }, x.label)))),
		h('p', { class: 'fr-error-text', id: 'sweep-export-msg', hidden: true }));
}

async function exportSweep(x) {
	showMsg('sweep-export-msg', '');
	setStatus('Préparation du fichier (le balayage est refait à l\'identique)…');
	const address = `/api/export?format=${x.format}&kind=sweep${x.chart ? `&chart=${x.chart}` : ''}`;
	try {
		const { blob, name } = await download(address, S.sweepBody);
		save(blob, name || `sensibilite.${x.format === 'chart' ? 'png' : x.format}`);
		setStatus(`Fichier prêt : ${name}.`);
	} catch (err) {
		showMsg('sweep-export-msg', err.message);
		setStatus('L\'export a été refusé.');
	}
}

export function init() {
	$('sweep-form').addEventListener('submit', runSweep);
}
