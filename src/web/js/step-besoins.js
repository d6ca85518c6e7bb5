// Step 5, « Besoins et notification »: the départements' needs file sent
// to POST /api/reconcile, the notification's cards and table.

import { postForm } from './api.js';
import { formatEuros, parseEuros } from './format.js';
import { S, $, h, on, plural, REASON_FR, showMsg, setStatus, alertBox, card } from './state.js';

export const id = 'besoins';

async function runReconcile(ev) {
	ev.preventDefault();
	const file = $('needs-file').files[0];
	showMsg('needs-msg', '');
	showMsg('caps-msg', '');
	showMsg('available-msg', '');
	if (!file) { showMsg('needs-msg', 'Choisissez le fichier des besoins (CSV enregistré depuis Excel).'); return; }
	const sc = structuredClone(S.sc);
	const pol = { ...(sc.reconciliation || {}) };
	const av = $('available').value.trim();
	if (av) {
		const r = parseEuros(av);
		if (!r.ok) { showMsg('available-msg', r.message); return; }
		pol.available_eur = r.value;
	} else pol.available_eur = sc.envelope_eur;
	pol.missing_answer = $('missing-answer').value;
	pol.surplus = $('surplus').value;
	pol.shortfall = pol.shortfall || 'proportional';
	if ($('deadline').value) pol.deadline = $('deadline').value; else delete pol.deadline;
	sc.reconciliation = pol;
	const form = new FormData();
	form.append('scenario', new Blob([JSON.stringify(sc)], { type: 'application/json' }), 'scenario.json');
	form.append('needs', file, file.name);
	const caps = $('caps-file').files[0];
	if (caps) form.append('caps', caps, caps.name);
	S.needsForm = { sc, file, caps };
	setStatus('Calcul de la notification…');
	try {
		S.notif = await postForm('/api/reconcile', form);
	} catch (err) {
		S.notif = null;
		const msg = err.message;
		const target = /caps/.test(String(err.field)) || (err.file && caps && err.file.includes(caps.name)) ? 'caps-msg'
			: /available/.test(String(err.field)) ? 'available-msg' : 'needs-msg';
		showMsg(target, msg + (err.line && !msg.includes(':' + err.line) ? ` (ligne ${err.line})` : ''));
		$('notif').replaceChildren();
		$('notif-warnings').replaceChildren();
		// a file that could not be read is not a refused notification (an
		// officer read « refusée » as a decision): say what to do instead
		setStatus(target === 'available-msg'
			? 'Notification non calculée : corrigez le montant disponible d’après le message à côté.'
			: 'Le fichier n’a pas pu être lu : corrigez-le d’après le message à côté du fichier, puis déposez-le à nouveau.');
		return;
	}
	setStatus(`Notification calculée : ${formatEuros(S.notif.notified_eur)} notifiés.`);
	renderNotification();
}

// Every motif counted, in the order of the table's « Motif » column, so
// that the card agrees with the rows (issue 21: « 0 complété, 0 réduit,
// 0 plafonné » while Lozère was cut to its need).
const MOTIF_ORDER = ['need_below', 'need_above', 'as_prenotified', 'capped', 'reduced', 'topped_up', 'no_answer', 'late'];
function motifCounts(n) {
	const parts = [];
	for (const k of MOTIF_ORDER) {
		const c = n.rows.filter((x) => x.reason === k).length;
		if (c) parts.push(`${REASON_FR[k]} : ${c}`); // the table's own words
	}
	return parts.join(' ; ');
}

/* At most ten names, then how many more. */
function someNames(list) {
	const shown = list.slice(0, 10).map((x) => `${x.name} (${formatEuros(x.prenotified_eur)})`).join(', ');
	return list.length > 10 ? `${shown} et ${list.length - 10} autres` : shown;
}

/* Beside the two choices, the euros each one moves, before computing
 * again: who did not answer and what they were offered, what is left. */
function renderStakes() {
	const n = S.notif;
	if (!n) { $('needs-stakes').replaceChildren(); return; }
	const silent = n.rows.filter((x) => x.reason === 'no_answer' || x.reason === 'late');
	let pre = 0;
	for (const x of silent) pre += x.prenotified_eur;
	const unmet = n.rows.filter((x) => x.need_eur !== null && x.need_eur > x.notified_eur);
	let gap = 0;
	for (const x of unmet) gap += x.need_eur - x.notified_eur;
	$('needs-stakes').replaceChildren(h('ul', { class: 'fr-text--sm' },
		h('li', { text: silent.length
			? `Sans réponse, ${plural(silent.length, 'participant', 'participants')} pour ${formatEuros(pre)} pré-notifiés : ${someNames(silent)}. « Renonce » leur notifie 0 € (${formatEuros(pre)} vont au reliquat) ; « garde » leur notifie leur montant pré-notifié.`
			: 'Chaque participant a répondu : le choix « sans réponse » ne change rien.' }),
		h('li', { text: `Crédits restants : ${formatEuros(n.unallocated_eur)} avec le choix actuel ; les besoins non couverts font ${formatEuros(gap)}.` })));
}

function renderNotification() {
	const n = S.notif;
	const missing = n.rows.filter((x) => x.reason === 'no_answer');
	const late = n.rows.filter((x) => x.reason === 'late');
	const warn = [];
	if (missing.length) warn.push(`Absents du fichier des besoins (${missing.length}) : ${missing.map((x) => `${x.code} ${x.name}`).join(', ')} — ${n.policy.missing_answer === 'keep' ? 'ils gardent leur montant pré-notifié' : 'leur absence vaut renoncement'}.`);
	if (late.length) warn.push(`Réponses hors délai (${late.length}) : ${late.map((x) => `${x.code} ${x.name}`).join(', ')}.`);
	// every request left unmet while credits stay unspent (issue 21)
	const unmet = n.rows.filter((x) => x.need_eur !== null && x.need_eur > x.notified_eur && x.reason !== 'late');
	if (unmet.length && n.unallocated_eur > 0)
		warn.push(`Demandes non couvertes alors qu'il reste ${formatEuros(n.unallocated_eur)} de crédits (${unmet.length}) : ${unmet.map((x) => `${x.code} ${x.name} (demande ${formatEuros(x.need_eur)}, notifié ${formatEuros(x.notified_eur)})`).join(', ')}. Pour leur attribuer le reliquat : « Crédits restants » = « redistribués aux besoins non couverts ».`);
	// what was done to the cents of the file, said once: the sentence names
	// the uploaded file, the count and the euros left out (issue 21)
	if (n.needs_rounded) warn.push(n.needs_rounded);
	for (const w of n.warnings || []) warn.push(w);
	$('notif-warnings').replaceChildren(warn.length ? alertBox('warning', 'Points d\'attention', warn) : alertBox('success', 'Chaque participant a répondu.', []));
	const cards = h('div', { class: 'p304-cards' },
		card('Pré-notifié', formatEuros(n.prenotified_eur), plural(n.participants, 'participant', 'participants')),
		card('Besoins exprimés', formatEuros(n.needs_eur), `${plural(n.n_answered, 'réponse', 'réponses')}, ${n.n_no_answer} sans réponse, ${n.n_late} hors délai`),
		card('Crédits disponibles', formatEuros(n.available_eur), ''),
		card('Notifié', formatEuros(n.notified_eur), motifCounts(n), 'card-notified'),
		card('Reliquat', formatEuros(n.unallocated_eur), 'crédits non notifiés', 'card-reliquat'));
	let pre = 0, need = 0, granted = 0, notified = 0;
	for (const x of n.rows) { pre += x.prenotified_eur; need += x.need_eur || 0; granted += x.granted_eur; notified += x.notified_eur; }
	const tbl = h('div', { class: 'p304-tablewrap' }, h('table', { class: 'p304-table', id: 'notif-table' },
		h('caption', { class: 'fr-sr-only', text: 'Notification par participant' }),
		h('thead', {}, h('tr', {}, ['Code', 'Nom', 'Pré-notifié', 'Besoin exprimé', 'Accordé', 'Notifié', 'Motif'].map((t, i) => h('th', { scope: 'col', class: i > 1 && i < 6 ? 'p304-num' : null, text: t })))),
		h('tbody', {}, n.rows.map((x) => h('tr', { 'data-code': x.code, class: x.reason === 'no_answer' || x.reason === 'late' ? 'p304-row-warn' : null },
			h('td', { text: x.code }), h('td', { text: x.name }),
			h('td', { class: 'p304-num', text: formatEuros(x.prenotified_eur) }),
			h('td', { class: 'p304-num', text: x.need_eur === null ? '—' : formatEuros(x.need_eur) }),
			h('td', { class: 'p304-num', text: formatEuros(x.granted_eur) }),
			h('td', { class: 'p304-num', text: formatEuros(x.notified_eur) }),
			h('td', { text: REASON_FR[x.reason] || x.reason })))),
		h('tfoot', {}, h('tr', {}, h('th', { scope: 'row', colspan: 2, text: 'TOTAL' }),
			h('td', { class: 'p304-num', text: formatEuros(pre) }), h('td', { class: 'p304-num', text: formatEuros(need) }),
			h('td', { class: 'p304-num', text: formatEuros(granted) }), h('td', { class: 'p304-num', id: 'notif-total', text: formatEuros(notified) }),
			h('td', { text: `reliquat ${formatEuros(n.unallocated_eur)}` })))));
	$('notif').replaceChildren(cards, tbl);
	renderStakes();
}


/* The framework the scenario names, else the one of its year: the 2025
 * instruction from 2025 on, the 2020 circulaire before. */
function defaultFramework(sc) {
	if (sc.framework === '2020' || sc.framework === '2025') return sc.framework;
	const year = parseInt(String(sc.id || ''), 10);
	return year && year < 2025 ? '2020' : '2025';
}

// An action plan checked against the objectives each envelope may fund
// (POST /api/check-plan, the function `p304 check-plan` calls; issue 20).
async function runCheckPlan(ev) {
	ev.preventDefault();
	const file = $('plan-file').files[0];
	showMsg('plan-msg', '');
	$('plan-result').replaceChildren();
	if (!file) { showMsg('plan-msg', 'Choisissez le plan d\'action (CSV enregistré depuis Excel).'); return; }
	const form = new FormData();
	form.append('plan', file, file.name);
	try {
		const r = await postForm('/api/check-plan?framework=' + encodeURIComponent($('plan-framework').value), form);
		const lines = r.problems.map((p) => (p.line ? `ligne ${p.line}\u00a0: ` : '') + p.message.replace(/^[^:]*\.csv(:\d+)?\s*:\s*/, ''));
		$('plan-result').replaceChildren(r.problems.length
			? alertBox('warning', `${file.name} : ${plural(r.problems.length, 'point à corriger', 'points à corriger')}`, lines)
			: alertBox('success', `${file.name} : ${plural(r.lines, 'action', 'actions')}, chacune financée par une enveloppe qui peut la financer, et les objectifs obligatoires présents.`, []));
	} catch (err) {
		showMsg('plan-msg', err.message + (err.line && !err.message.includes(':' + err.line) ? ` (ligne ${err.line})` : ''));
	}
}

export function init() {
	$('needs-form').addEventListener('submit', runReconcile);
	$('plan-form').addEventListener('submit', runCheckPlan);
	on('show', (name) => { if (name === id && S.sc) $('plan-framework').value = defaultFramework(S.sc); });
	// the file chosen: computed at once, so the euros at stake show beside
	// the choices before the officer settles them
	$('needs-file').addEventListener('change', (ev) => { if ($('needs-file').files[0]) runReconcile(ev); });
}
