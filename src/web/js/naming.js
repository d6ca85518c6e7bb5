// A modified scenario is a new scenario (issue 21): its title is derived
// from its own parameters until the officer writes one, and its id from
// its title, so that no file name, chart, workbook or note of a 72 M€ round
// says « 70 M€ » or carries the id of the scenario it started from.

import { formatEuros, formatNumber, NBSP } from './format.js';

/* « 72 M€ » when the amount is whole millions (or tenths), else the euros. */
export function shortEuros(v) {
	if (v >= 1e6 && v % 100000 === 0) return `${formatNumber(v / 1e6, null)}${NBSP}M€`;
	return formatEuros(v);
}

/* What differs from the base, in the officer's words (empty: unchanged). */
export function changesOf(sc, base) {
	const out = [];
	if (!sc || !base) return out;
	if (sc.envelope_eur !== base.envelope_eur) out.push('enveloppe');
	if (sc.criteria.some((c, i) => !base.criteria[i] || c.weight_pct !== base.criteria[i].weight_pct)) out.push('pondérations');
	if ((sc.floor_eur ?? null) !== (base.floor_eur ?? null)) out.push('plancher');
	if ((sc.ceiling_eur ?? null) !== (base.ceiling_eur ?? null)) out.push('plafond');
	if (sc.data !== base.data) out.push('table des critères');
	if (JSON.stringify(sc.participants) !== JSON.stringify(base.participants)) out.push('participants');
	return out;
}

/* « Enveloppe de 72 M€ – données 2025 – plancher 600 000 € – plafond
 * 4 500 000 € » (the weights when they were changed, the number of
 * participants when they are a list) */
export function derivedTitle(sc, vintage, nParticipants, withWeights) {
	const parts = [`Enveloppe de ${shortEuros(sc.envelope_eur)}`];
	if (vintage) parts.push(`données ${vintage}`);
	if (withWeights) parts.push(`pondérations ${sc.criteria.map((c) => formatNumber(c.weight_pct, null)).join(' / ')}${NBSP}%`);
	parts.push(sc.floor_eur !== undefined && sc.floor_eur !== null ? `plancher ${formatEuros(sc.floor_eur)}` : 'sans plancher');
	parts.push(sc.ceiling_eur !== undefined && sc.ceiling_eur !== null ? `plafond ${formatEuros(sc.ceiling_eur)}` : 'sans plafond');
	if (nParticipants) parts.push(`${nParticipants} participants`);
	return parts.join(' – ');
}

/* « 2026 tour 72 M€ » -> « 2026-tour-72-millions »: letters, digits and
 * dashes, 64 at most (the workspace's rule for an id); « M€ » reads as
 * « millions », never « meur » (issue 21). */
export function idFromTitle(title) {
	const s = String(title).normalize('NFD').replace(/[\u0300-\u036f]/g, '')
		.replace(/\s*M€/g, ' millions').replace(/€/g, 'eur').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
	let id = s.slice(0, 64);
	if (s.length > 64 && id.lastIndexOf('-') > 20) id = id.slice(0, id.lastIndexOf('-'));
	return id || 'scenario';
}
