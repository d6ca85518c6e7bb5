// Step 3, « Fiche »: one participant's amount explained (its criteria,
// shares, floor or ceiling, rounding, rank) and its change when compared.

import { getJSON } from './api.js';
import { formatEuros, formatNumber, formatPct, NBSP } from './format.js';
import { S, $, h, on, plural, STATUS_FR, alertBox, columnLabel, select, warningInWords } from './state.js';
import { decompositionTable } from './step-comparer.js';
import { STAGE_FR, whenFr } from './step-campagne.js';

export const id = 'fiche';

function renderFicheSelect() {
	const r = S.result;
	if (!r) return;
	const sel = $('fiche-code');
	const rows = [...r.rows].sort((a, b) => a.code.localeCompare(b.code, 'fr', { numeric: true }));
	sel.replaceChildren(h('option', { value: '', text: '— choisir un participant —' }), ...rows.map((x) => h('option', { value: x.code, text: `${x.code} ${x.name}` })));
	sel.value = S.selected && rows.some((x) => x.code === S.selected) ? S.selected : '';
}

function renderFiche() {
	const r = S.result;
	const box = $('fiche');
	if (!r) return;
	const row = r.rows.find((x) => x.code === S.selected);
	if (!row) {
		box.replaceChildren(h('p', { text: S.selected ? `${S.selected} ne participe pas à ce scénario.` : 'Choisissez un participant ici, dans le tableau ou sur la carte.' }));
		return;
	}
	// ties share their rank (« 27e ex aequo avec 72 autres »), never an
	// order the code alone decides
	const rank = 1 + r.rows.filter((x) => x.amount_eur > row.amount_eur).length;
	const ties = r.rows.filter((x) => x.amount_eur === row.amount_eur).length - 1;
	const nth = rank === 1 ? '1er' : `${rank}e`; // « 1er », never « 1e » (issue 21)
	const rankText = ties ? `${nth} sur ${r.rows.length}, ex aequo avec ${ties} autre${ties > 1 ? 's' : ''} au même montant` : `${nth} sur ${r.rows.length}`;
	const totals = {};
	for (const c of r.criteria) totals[c.column] = r.rows.reduce((s, x) => s + (x.criteria[c.column] || 0), 0);
	const indic = h('table', { class: 'p304-table p304-table--plain' },
		h('caption', { text: 'Indicateurs et sources' }),
		h('thead', {}, h('tr', {}, ['Critère', 'Valeur', 'Part du total', 'Pondération', 'Contribution à la part', 'Source'].map((t, i) => h('th', { scope: 'col', class: i && i < 5 ? 'p304-num' : null, text: t })))),
		h('tbody', {}, r.criteria.map((c) => {
			const v = row.criteria[c.column];
			const sh = totals[c.column] ? v / totals[c.column] : null;
			const imputed = (row.imputed || []).some((x) => (x.column || x) === c.column);
			return h('tr', {},
				h('th', { scope: 'row', text: columnLabel(c.column) }),
				h('td', { class: 'p304-num', text: formatNumber(v) + (imputed ? ' (valeur estimée)' : '') }),
				h('td', { class: 'p304-num', text: sh === null ? '—' : formatPct(sh * 100, 3) }),
				h('td', { class: 'p304-num', text: formatPct(c.weight_pct, null) }),
				h('td', { class: 'p304-num', text: sh === null ? '—' : formatPct(sh * c.weight_pct, 3) }),
				h('td', { class: 'fr-text--xs', text: c.source || '' }));
		})));
	// a_i = min(C, max(F, λ·s_i)) with λ such that the amounts add up to the
	// envelope (docs/formulas.md); free amounts are λ·s_i rounded by largest
	// remainders.
	const scaled = row.share * r.lambda;
	// issue 21: « après plancher et plafond » is min(C, max(F, λ·s)), the
	// amount before rounding, never λ·s itself (54 506 € for Lozère at 600 000 €)
	const bounded = r.floor_eur !== null || r.ceiling_eur !== null;
	const exact = boundedAmount(r, scaled);
	const rounding = row.status === 'free' ? row.amount_eur - scaled : null;
	const facts = h('dl', { class: 'p304-facts' },
		h('dt', { text: 'Part de la clé' }), h('dd', { text: formatPct(row.share * 100, 4) }),
		h('dt', { text: 'Part de l\'enveloppe' }), h('dd', { text: formatPct(row.amount_eur / r.envelope_eur * 100, 4) }),
		h('dt', { text: 'Montant selon la clé seule (part de la clé × enveloppe)' }), h('dd', { text: `${formatNumber(row.formula_eur, 2)}${NBSP}€` }),
		...(bounded ? [h('dt', { text: 'Selon la clé, une fois financés les planchers et plafonds' }), h('dd', { text: `${formatNumber(scaled, 2)}${NBSP}€` })] : []),
		h('dt', { text: 'Après plancher et plafond' }), h('dd', { id: 'fiche-bounded', text: `${formatNumber(exact, 2)}${NBSP}€` }),
		h('dt', { text: 'Statut' }), h('dd', { text: STATUS_FR[row.status] || row.status }),
		h('dt', { text: 'Arrondi à l\'euro' }), h('dd', { text: rounding === null ? 'sans objet (montant borné)' : `${rounding >= 0 ? '+' : ''}${formatNumber(rounding, 2)}${NBSP}€ (plus forts restes)` }),
		h('dt', { text: 'Montant pré-notifié' }), h('dd', { class: 'p304-strong', text: formatEuros(row.amount_eur) }),
		h('dt', { text: 'Rang' }), h('dd', { text: rankText }));
	const kids = [h('h3', { class: 'fr-h5', text: `${row.code} ${row.name} — ${row.region_name || ''}` }),
		h('p', { class: 'p304-explain', text: explainSentence(r, row, totals) })];
	const imputedCols = r.criteria.filter((c) => (row.imputed || []).some((x) => (x.column || x) === c.column));
	if (imputedCols.length) {
		const said = (r.warnings || []).filter((w) => w.startsWith(row.code + ' (')).map((w) => warningInWords(w, r));
		kids.push(alertBox('warning', 'Valeurs estimées', [...(said.length ? said : [`La source ne donne pas ${imputedCols.map((c) => `« ${columnLabel(c.column).toLowerCase()} »`).join(' ni ')} pour ${row.name} : valeur estimée à partir d'un autre critère (rapport des totaux nationaux).`]),
			'Le montant en dépend : à confirmer avec les services statistiques avant notification.']));
	}
	kids.push(facts);
	const reduced = reducedSentence(r, row);
	if (reduced) kids.push(h('p', { class: 'fr-text--sm', id: 'fiche-reduced', text: reduced }));
	// the coefficient of the formula, for whoever checks the arithmetic
	kids.push(h('details', { class: 'fr-text--xs fr-mb-2w' }, h('summary', { text: 'détails du calcul' }),
		h('p', { text: `Montant = min(plafond, max(plancher, part de la clé × λ)), où λ = ${formatNumber(r.lambda, 2)}${NBSP}€ est choisi pour que les montants fassent exactement l'enveloppe ; sans plancher ni plafond, λ est l'enveloppe. Ici : part × λ = ${formatNumber(scaled, 2)}${NBSP}€.` })));
	kids.push(indic);
	const c = S.cmp && S.cmp.rows.find((x) => x.code === row.code);
	if (c) {
		kids.push(h('h4', { class: 'fr-h6 fr-mt-2w', text: `Variation depuis « ${S.cmp.a_title || S.cmp.a} »` }));
		kids.push(decompositionTable(c));
	}
	const hist = h('div', { id: 'fiche-history' });
	kids.push(hist);
	box.replaceChildren(...kids);
	fillHistory(row.code, hist);
}

// ------------------------------------------------------------------ history
// The département's years in the campaign ledger (issue 22): the current
// amount of each stage by year, every entry with its origin under
// « détails ». Nothing at all while the ledger holds nothing for it.
const histCache = new Map();

async function fillHistory(code, box) {
	let hist = histCache.get(code);
	if (!hist) {
		try {
			hist = await getJSON(`/api/ledger/history/${encodeURIComponent(code)}`);
		} catch (_) {
			return; // no ledger, or not a code of the reference list: no section
		}
		histCache.set(code, hist);
	}
	if (S.selected !== code || !box.isConnected || !hist.entries.length) return;
	box.replaceChildren(...historySection(hist));
}

function historySection(hist) {
	const stages = Object.keys(STAGE_FR).filter((st) => hist.entries.some((e) => e.stage === st));
	const years = [...new Set(hist.entries.map((e) => e.year))].sort((a, b) => a - b);
	// entries come by year, stage, then in the order written: the last one
	// of a year × stage is its current amount
	const cur = new Map();
	for (const e of hist.entries) cur.set(`${e.year}|${e.stage}`, e);
	const corrected = new Set(hist.entries.filter((e) => e.supersedes).map((e) => `${e.year}|${e.stage}`));
	const illustrative = hist.entries.some((e) => /illustratif/i.test(`${e.comment || ''} ${e.file || ''}`));
	const table = h('table', { class: 'p304-table p304-table--plain', id: 'fiche-history-table' },
		h('caption', { class: 'fr-sr-only', text: `Historique de ${hist.name} dans le registre (€)` }),
		h('thead', {}, h('tr', {}, h('th', { scope: 'col', text: 'Année' }), stages.map((st) => h('th', { scope: 'col', class: 'p304-num', text: STAGE_FR[st] })))),
		h('tbody', {}, years.map((y) => h('tr', { 'data-year': y }, h('th', { scope: 'row', text: String(y) }),
			stages.map((st) => {
				const e = cur.get(`${y}|${st}`);
				const k = `${y}|${st}`;
				return h('td', { class: 'p304-num', 'data-stage': st, text: e ? formatEuros(e.amount_eur) + (corrected.has(k) ? ' *' : '') : '—' });
			})))));
	const entries = h('table', { class: 'p304-table p304-table--plain fr-mt-1w' },
		h('thead', {}, h('tr', {}, ['N°', 'Année', 'Étape', 'Montant', 'Origine', 'Enregistré', 'Commentaire'].map((t, i) => h('th', { scope: 'col', class: i === 3 ? 'p304-num' : null, text: t })))),
		h('tbody', {}, hist.entries.map((e) => h('tr', {},
			h('td', { text: String(e.id) }), h('td', { text: String(e.year) }), h('td', { text: STAGE_FR[e.stage] || e.stage_label }),
			h('td', { class: 'p304-num', text: formatEuros(e.amount_eur) }),
			h('td', { text: `${e.file || ''}${e.line ? `, ligne ${e.line}` : ''}${e.supersedes ? ` (corrige le n° ${e.supersedes})` : ''}` }),
			h('td', { text: `${whenFr(e.at)}${e.who ? `, par ${e.who}` : ''}` }),
			h('td', { text: e.comment || '' })))));
	return [
		h('h4', { class: 'fr-h6 fr-mt-3w' }, `${hist.name} dans le registre de la campagne`, illustrative ? ' ' : null,
			illustrative ? h('span', { class: 'fr-badge fr-badge--warning fr-badge--no-icon', text: 'ILLUSTRATIF' }) : null),
		table,
		corrected.size ? h('p', { class: 'fr-text--xs', text: '* montant corrigé : la valeur remplacée reste dans les détails.' }) : null,
		h('details', { class: 'fr-text--xs fr-mt-1w' }, h('summary', { text: 'détails : chaque écriture, son origine et sa date' }), entries),
	].filter(Boolean);
}

/* Why an amount differs from its share of the envelope, in one sentence a
 * budget officer would write (issue 21): floors raised some amounts, and
 * what they cost was taken from everyone else in proportion to their share. */
function reducedSentence(r, row) {
	const diff = row.amount_eur - Math.round(row.formula_eur);
	if (row.status !== 'free') return ''; // explainSentence says it
	if (Math.abs(diff) < 2) return '';
	let raised = 0, cut = 0;
	for (const x of r.rows) {
		if (x.status === 'floor') raised += x.amount_eur - x.formula_eur;
		if (x.status === 'ceiling') cut += x.formula_eur - x.amount_eur;
	}
	return diff < 0
		? `${row.name} reçoit ${formatEuros(row.amount_eur)} au lieu des ${formatEuros(Math.round(row.formula_eur))} de sa part de l'enveloppe : relever ${plural(r.n_floor, 'collectivité', 'collectivités')} au plancher coûte ${formatEuros(Math.round(raised))}${cut ? `, dont ${formatEuros(Math.round(cut))} repris aux collectivités plafonnées,` : ''} et le reste est pris sur toutes les autres en proportion de leur part.`
		: `${row.name} reçoit ${formatEuros(row.amount_eur)} au lieu des ${formatEuros(Math.round(row.formula_eur))} de sa part de l'enveloppe : ce que les ${plural(r.n_ceiling, 'collectivité plafonnée', 'collectivités plafonnées')} ne peuvent recevoir (${formatEuros(Math.round(cut))}) est réparti entre les autres en proportion de leur part.`;
}

/* min(C, max(F, x)) with the scenario's bounds (null: no bound). */
function boundedAmount(r, x) {
	if (r.floor_eur !== null && x < r.floor_eur) x = r.floor_eur;
	if (r.ceiling_eur !== null && x > r.ceiling_eur) x = r.ceiling_eur;
	return x;
}

/* What changes the share's amount between the whole envelope and λ, in
 * words: floors taken first make it smaller, ceilings make it larger. */
function afterOthers(r) {
	if (r.lambda <= r.envelope_eur) return 'une fois financés les planchers des autres';
	return 'une fois partagé ce que les collectivités plafonnées ne peuvent recevoir';
}

/* The answer to « pourquoi ce montant ? » in one sentence an officer can
 * read out on the phone: its share of each criterion, the weighted key, and
 * whether a floor or ceiling applied. */
function explainSentence(r, row, totals) {
	const parts = r.criteria.map((c) => {
		const t = totals[c.column];
		return t ? `${formatPct(row.criteria[c.column] / t * 100, 2)} du total « ${columnLabel(c.column)} » (pondéré à ${formatPct(c.weight_pct, null)})` : null;
	}).filter(Boolean);
	// issue 21: the key alone is share × the whole envelope (the row « montant
	// selon la clé seule »); λ·s is what the share gets of what the bounds of
	// the others leave, and only then does her own floor or ceiling apply
	const whole = ` Cette part donnerait ${formatEuros(Math.round(row.formula_eur))} sur l'enveloppe entière ; ${afterOthers(r)}, elle donnerait ${formatEuros(Math.round(row.share * r.lambda))}`;
	const bound = row.status === 'floor' ? `${whole} ; c'est sous le plancher : son montant est relevé au plancher de ${formatEuros(r.floor_eur)}.`
		: row.status === 'ceiling' ? `${whole} ; c'est au-dessus du plafond : son montant est ramené au plafond de ${formatEuros(r.ceiling_eur)}.`
		: (r.floor_eur !== null || r.ceiling_eur !== null) ? `${whole} : ni le plancher ni le plafond ne s'appliquent à elle.`
		: ' Ce scénario n\'a ni plancher ni plafond.';
	return `${row.name} reçoit ${formatEuros(row.amount_eur)}, soit ${formatPct(row.amount_eur / r.envelope_eur * 100, 2)} de l'enveloppe de ${formatEuros(r.envelope_eur)}. Ses indicateurs : ${parts.join(', ')} ; pondérées, ces parts donnent sa part de la clé : ${formatPct(row.share * 100, 2)}.${bound}`;
}


export function init() {
	$('fiche-code').addEventListener('change', (ev) => select(ev.target.value || null));
	on('result', () => { renderFicheSelect(); renderFiche(); });
	on('select', () => { renderFicheSelect(); renderFiche(); });
	on('compare', renderFiche);
	on('ledger', () => { histCache.clear(); renderFiche(); });
}
