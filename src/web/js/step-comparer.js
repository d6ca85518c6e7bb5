// Step 4, « Comparer »: POST /api/compare against a reference (a scenario
// or an uploaded result), winners and losers, the exact decomposition of
// each change between the factors, the waterfall.

import { sendJSON } from './api.js';
import { formatEuros, formatDeltaEuros, formatDeltaPct } from './format.js';
import { drawWaterfall } from './svg.js';
import {
	S, $, h, on, emit, plural, FACTOR_FR, showMsg, alertBox, nameOf, factorLabel, select, writeHash, loadScenario,
} from './state.js';

export const id = 'comparer';

export function decompositionTable(c) {
	const keys = Object.keys(c.contrib_eur || {}).filter((k) => c.contrib_eur[k] !== 0);
	let sum = 0;
	for (const k of keys) sum += c.contrib_eur[k];
	return h('table', { class: 'p304-table p304-table--plain p304-decomp' },
		h('caption', { text: 'Décomposition exacte de la variation' }),
		h('tbody', {},
			h('tr', {}, h('th', { scope: 'row', text: 'Référence' }), h('td', { class: 'p304-num', text: formatEuros(c.a_eur) })),
			keys.map((k) => h('tr', {}, h('th', { scope: 'row', text: factorLabel(k) }), h('td', { class: 'p304-num', text: formatDeltaEuros(c.contrib_eur[k]) }))),
			h('tr', {}, h('th', { scope: 'row', text: 'Scénario' }), h('td', { class: 'p304-num', text: formatEuros(c.b_eur) }))),
		h('tfoot', {}, h('tr', {}, h('th', { scope: 'row', text: 'Variation = somme des facteurs' }),
			h('td', { class: 'p304-num', text: `${formatDeltaEuros(c.delta_eur)}${sum === c.delta_eur ? '' : ' (écart ' + formatDeltaEuros(c.delta_eur - sum) + ')'}` }))));
}


async function runCompare() {
	let reference;
	if (S.refUpload) reference = { result: S.refUpload };
	else if (S.refId) {
		try {
			reference = await loadScenario(S.refId);
		} catch (err) {
			showMsg('ref-msg', err.message);
			return;
		}
	} else return;
	const seq = S.seq;
	try {
		const cmp = await sendJSON('POST', '/api/compare', { reference, scenario: S.sc });
		if (seq !== S.seq) return;
		showMsg('ref-msg', '');
		S.cmp = cmp;
	} catch (err) {
		showMsg('ref-msg', err.message);
		S.cmp = null;
	}
	renderCompare();
	emit('compare');
}

function contribGroup(c, g) {
	let s = 0;
	for (const [k, v] of Object.entries(c.contrib_eur || {})) if (k === g || (g === 'data' && k.startsWith('data:'))) s += v;
	return s;
}

function renderCompare() {
	const c = S.cmp;
	const tbl = $('cmp-table');
	if (!c) {
		$('cmp-summary').replaceChildren(h('p', { text: 'Choisissez une référence pour voir qui gagne, qui perd, et pourquoi.' }));
		tbl.tHead.replaceChildren(); tbl.tBodies[0].replaceChildren(); tbl.tFoot.replaceChildren();
		$('waterfall').replaceChildren(); $('cmp-moves').replaceChildren();
		return;
	}
	const t = c.totals;
	const newFloor = c.rows.filter((x) => x.status_b === 'floor' && x.status_a !== 'floor' && x.status_a !== 'absent').length;
	const leftFloor = c.rows.filter((x) => x.status_a === 'floor' && x.status_b !== 'floor' && x.status_b !== 'absent').length;
	const newCeil = c.rows.filter((x) => x.status_b === 'ceiling' && x.status_a !== 'ceiling' && x.status_a !== 'absent').length;
	const leftCeil = c.rows.filter((x) => x.status_a === 'ceiling' && x.status_b !== 'ceiling' && x.status_b !== 'absent').length;
	$('cmp-summary').replaceChildren(
		h('p', { class: 'fr-mt-2w' }, `De « ${c.a_title || c.a} » (${formatEuros(t.a_eur)}) à « ${c.b_title || c.b} » (${formatEuros(t.b_eur)}) : `,
			h('strong', { text: `${plural(t.winners, 'gagnant', 'gagnants')}, ${plural(t.losers, 'perdant', 'perdants')}, ${plural(t.unchanged, 'inchangé', 'inchangés')}` }),
			`, ${t.entering.length} entrants, ${t.leaving.length} sortants. `,
			`Au plancher : ${newFloor} nouveaux, ${leftFloor} qui le quittent ; au plafond : ${newCeil} nouveaux, ${leftCeil} qui le quittent.`),
		c.decomposed ? h('p', { class: 'fr-text--sm', id: 'cmp-explain', text: 'Les colonnes Enveloppe, Pondérations, Données, Participants et Bornes disent d\'où vient chaque écart : la part d\'un facteur est ce qu\'il change quand on passe de la référence au scénario un facteur à la fois, en moyenne sur tous les ordres de passage (aucun facteur n\'est avantagé). Ces parts font exactement l\'écart de chaque ligne, et la ligne TOTAL de chaque colonne l\'effet du facteur sur le total (l\'enveloppe : la différence des enveloppes).' }) : '');
	const groups = ['envelope', 'weights', 'data', 'participants', 'bounds', 'rounding'];
	tbl.tHead.replaceChildren(h('tr', {}, ['Code', 'Nom', 'Référence', 'Scénario', 'Variation €', 'Variation %', ...groups.map((g) => FACTOR_FR[g])]
		.map((l, i) => h('th', { scope: 'col', class: i > 1 ? 'p304-num' : null, text: l }))));
	const rows = [...c.rows];
	const key = S.cmpSort === 'pct' ? (x) => (x.delta_pct === null ? (x.a_eur === 0 ? Infinity : -Infinity) : x.delta_pct) : (x) => x.delta_eur;
	rows.sort((a, b) => key(b) - key(a) || a.code.localeCompare(b.code, 'fr', { numeric: true }));
	tbl.tBodies[0].replaceChildren(...rows.map((x) => h('tr', { 'data-code': x.code, class: x.code === S.selected ? 'p304-row-selected' : null },
		h('td', { text: x.code }),
		h('td', {}, h('a', { href: '#', class: 'fr-link fr-link--sm', onclick: (ev) => { ev.preventDefault(); select(x.code); $('wf-code').value = x.code; renderWaterfall(); } }, x.name)),
		h('td', { class: 'p304-num', text: x.status_a === 'absent' ? '—' : formatEuros(x.a_eur) }),
		h('td', { class: 'p304-num', text: x.status_b === 'absent' ? '—' : formatEuros(x.b_eur) }),
		h('td', { class: 'p304-num ' + (x.delta_eur < 0 ? 'p304-neg' : x.delta_eur > 0 ? 'p304-pos' : ''), text: formatDeltaEuros(x.delta_eur) }),
		h('td', { class: 'p304-num', text: x.delta_pct === null ? (x.a_eur === 0 ? 'nouveau' : '—') : formatDeltaPct(x.delta_pct) }),
		...groups.map((g) => h('td', { class: 'p304-num', 'data-factor': g, text: formatDeltaEuros(contribGroup(x, g)) })))));
	tbl.tFoot.replaceChildren(h('tr', {}, h('th', { scope: 'row', colspan: 2, text: 'TOTAL' }),
		h('td', { class: 'p304-num', text: formatEuros(t.a_eur) }), h('td', { class: 'p304-num', text: formatEuros(t.b_eur) }),
		h('td', { class: 'p304-num', text: formatDeltaEuros(t.delta_eur) }), h('td', { class: 'p304-num', text: formatDeltaPct(t.a_eur ? t.delta_eur / t.a_eur * 100 : null) }),
		...groups.map((g) => h('td', { class: 'p304-num', 'data-factor': g, text: formatDeltaEuros(contribGroup(t, g)) }))));
	const sel = $('wf-code');
	const sorted = [...c.rows].sort((a, b) => a.code.localeCompare(b.code, 'fr', { numeric: true }));
	sel.replaceChildren(...sorted.map((x) => h('option', { value: x.code, text: `${x.code} ${x.name}` })));
	sel.value = S.selected && c.rows.some((x) => x.code === S.selected) ? S.selected : rows[rows.length - 1].code;
	renderWaterfall();
	const named = (codes) => codes.map((k) => `${k} ${c.rows.find((x) => x.code === k)?.name || nameOf(k)}`);
	$('cmp-moves').replaceChildren(
		t.entering.length ? alertBox('info', `Entrants (${t.entering.length})`, [named(t.entering).join(', ')]) : '',
		t.leaving.length ? alertBox('info', `Sortants (${t.leaving.length})`, [named(t.leaving).join(', ')]) : '',
		notesBox(c.notes || []));
}

function notesBox(notes) {
	const list = readableNotes(notes);
	return list.length ? h('details', { class: 'fr-mt-2w' }, h('summary', { text: `Notes de la comparaison (${list.length})` }),
		h('ul', {}, list.map((n) => h('li', { class: 'fr-text--sm', text: n })))) : '';
}

/* The comparison's notes in the officer's words: « A : » and « B : » (the
 * reference and the scenario) said as such, and a note both sides carry —
 * the same data gaps, usually — said once (the fresh-eyes officer saw the
 * same 8 notes twice, prefixed « A : » and « B : »). */
export function readableNotes(notes) {
	const sides = new Map();
	const order = [];
	for (const n of notes) {
		// « Référence : » / « Scénario : » as the workflow now writes its
		// side's warnings (in words, issue 21), « A : » / « B : » as results
		// saved before say it
		const m = /^(A|B|Référence|Scénario) : ([\s\S]*)$/.exec(n);
		const text = m ? m[2] : n;
		if (!sides.has(text)) { sides.set(text, new Set()); order.push(text); }
		sides.get(text).add(m ? (m[1] === 'Référence' ? 'A' : m[1] === 'Scénario' ? 'B' : m[1]) : '');
	}
	return order.map((text) => {
		const s = sides.get(text);
		const who = s.has('A') && s.has('B') ? 'Référence et scénario' : s.has('A') ? 'Référence' : s.has('B') ? 'Scénario' : '';
		return who ? `${who}\u00a0: ${text}` : text;
	});
}

function renderWaterfall() {
	const c = S.cmp;
	if (!c) return;
	const code = $('wf-code').value;
	const x = c.rows.find((r) => r.code === code);
	if (!x) return;
	const steps = Object.entries(x.contrib_eur || {}).filter(([, v]) => v !== 0).map(([k, v]) => ({ label: factorLabel(k), value: v }));
	$('wf-title').textContent = `Décomposition pour ${x.code} ${x.name}`;
	$('waterfall').replaceChildren(
		drawWaterfall(x.a_eur, steps, x.b_eur, `Cascade de la variation de ${x.code} ${x.name}`, 'Référence', 'Scénario'),
		decompositionTable(x));
}


export function init() {
	for (const r of document.querySelectorAll('input[name="cmp-sort"]')) r.addEventListener('change', (ev) => { S.cmpSort = ev.target.value; renderCompare(); });
	$('wf-code').addEventListener('change', () => select($('wf-code').value));
	$('ref').addEventListener('change', () => { S.refId = $('ref').value; S.refUpload = null; $('ref-file').value = ''; writeHash(); if (S.refId) runCompare(); else { S.cmp = null; renderCompare(); } });
	$('ref-file').addEventListener('change', async () => {
		const f = $('ref-file').files[0];
		if (!f) return;
		try {
			S.refUpload = JSON.parse(await f.text());
			showMsg('ref-msg', '');
		} catch (err) {
			showMsg('ref-msg', `${f.name} n'est pas un fichier JSON lisible : ${err.message}`);
			return;
		}
		S.refId = '';
		$('ref').value = '';
		runCompare();
	});
	on('result', () => { if (S.refId || S.refUpload) runCompare(); });
	on('select', (code) => { if (S.cmp) { $('wf-code').value = code; renderWaterfall(); } });
	on('ready', renderCompare);
}
