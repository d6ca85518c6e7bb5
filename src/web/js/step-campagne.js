// Step 6, « Campagne » (issue 22): the campaign ledger of p304 serve
// (docs/ledger.md, /api/ledger/* in docs/api.md). Records the current round,
// imports the delegated and consumed amounts, shows the départements × years
// view of a stage (or the écart between two) and next year's caps (rule of
// 2024) and avenant before anything is notified. Every amount is the
// ledger's; the page only adds up the columns it shows.

import { getJSON, sendJSON, postForm } from './api.js';
import { formatEuros, formatPct } from './format.js';
import { S, $, h, on, emit, plural, showMsg, setStatus, alertBox } from './state.js';

export const id = 'campagne';

// The stages in the order of a round, with the words officers use.
export const STAGE_FR = {
	prenotified: 'pré-notifié', need: 'besoin exprimé', notified: 'notifié',
	delegated: 'délégué', consumed: 'consommé', avenant: 'avenant',
};
const AVENANT_FR = {
	stable: 'confirmé', reduced: 'réduit du non-consommé',
	fully_consumed: 'tout consommé', no_report: 'sans rapport (à vérifier)',
};
// the widest span the view route serves (60 years): the columns shown are
// then cut to the years that hold an amount
const SPAN = [1990, 2049];

const C = { view: null, seq: 0, nextSeq: 0 };

/* The year typed, or null with the reason shown beside the field. */
function campaignYear() {
	const t = $('camp-year').value.trim();
	const ok = /^\d{4}$/.test(t) && Number(t) >= 1990 && Number(t) <= 2098;
	showMsg('camp-year-msg', ok ? '' : `« ${t} » : écrivez une année sur quatre chiffres, par exemple 2025.`);
	return ok ? Number(t) : null;
}

/* The year a scenario is for, when its id or title starts with one
 * (« 2025-national », « 2026 tour 72 M€ »), else this year. */
function scenarioYear() {
	for (const t of [S.baseId, S.sc && S.sc.id, S.sc && S.sc.title]) {
		const m = /^(20\d\d)\b/.exec(t || '');
		if (m) return Number(m[1]);
	}
	return new Date().getFullYear();
}

/* The officer's comment; a file whose name says ILLUSTRATIF is kept as
 * such, so that its figures are labelled wherever they show. */
function commentFor(fileName) {
	const c = $('camp-comment').value.trim();
	if (fileName && /illustratif/i.test(fileName) && !/illustratif/i.test(c)) return c ? `ILLUSTRATIF — ${c}` : 'ILLUSTRATIF';
	return c;
}

function query(params) {
	const p = new URLSearchParams();
	for (const [k, v] of Object.entries(params)) if (v !== '' && v !== null && v !== undefined) p.set(k, v);
	return p.toString();
}

/* « le 06/12/2026 à 19:40 » from the ledger's UTC time. */
export function whenFr(at) {
	const d = new Date(at);
	if (Number.isNaN(d.getTime())) return at || '';
	return `le ${d.toLocaleDateString('fr-FR')} à ${d.toLocaleTimeString('fr-FR', { hour: '2-digit', minute: '2-digit' })}`;
}

function outcomeText(o) {
	if (o.already) return `déjà enregistré ${whenFr(o.already_at)}${o.already_who ? ` par ${o.already_who}` : ''} : rien n'a été écrit une seconde fois`;
	const parts = [plural(o.added, 'montant nouveau', 'montants nouveaux')];
	if (o.superseded) parts.push(plural(o.superseded, 'correction', 'corrections'));
	// the same table as a first import, after another corrected it: its
	// amounts are current again (the ledger keeps all three)
	if (o.again) parts.push(`ce fichier avait déjà été importé ${whenFr(o.already_at)} ; ses montants redeviennent les montants en vigueur`);
	if (o.unchanged) parts.push(plural(o.unchanged, 'montant inchangé', 'montants inchangés'));
	return parts.join(', ');
}

/* A success line under a field: showMsg would mark its group in error. */
function showOk(pid, text) {
	const p = $(pid);
	p.textContent = text || '';
	p.hidden = !text;
}

// ------------------------------------------------------------------ the round
function roundWhat() {
	const y = $('camp-year').value.trim() || '…';
	const n = S.notif && S.needsForm ? S.needsForm.sc : null;
	const sc = n || S.sc;
	if (!sc) return '';
	const title = `« ${sc.title || sc.id} »`;
	return n
		? `Enregistre pour ${y} la pré-notification ${title} (${formatEuros(S.notif.prenotified_eur)}) et la notification calculée à l'étape 5 : besoins exprimés et montants notifiés (${formatEuros(S.notif.notified_eur)}).`
		: `Enregistre pour ${y} la pré-notification ${title}${S.result ? ` (${formatEuros(S.result.allocated_eur)})` : ''}. Calculez d'abord la notification à l'étape 5 pour enregistrer aussi les besoins et les montants notifiés.`;
}

async function recordRound() {
	showMsg('camp-record-msg', '');
	showOk('camp-record-ok', '');
	const year = campaignYear();
	if (!year || !S.sc) return;
	const n = S.notif && S.needsForm ? S.needsForm : null;
	const comment = commentFor(n ? n.file.name : '');
	const said = [];
	$('camp-record').disabled = true;
	setStatus('Enregistrement du tour dans le registre…');
	try {
		const pre = await sendJSON('POST', `/api/ledger/record?${query({ stage: 'prenotified', year, comment })}`, n ? n.sc : S.sc);
		said.push(`Pré-notification ${year} : ${outcomeText(pre)}.`);
		if (n) {
			const form = new FormData();
			form.append('scenario', new Blob([JSON.stringify(n.sc)], { type: 'application/json' }), 'scenario.json');
			form.append('needs', n.file, n.file.name);
			if (n.caps) form.append('caps', n.caps, n.caps.name);
			const nt = await postForm(`/api/ledger/record?${query({ stage: 'notified', year, comment })}`, form);
			said.push(`Besoins et notification ${year} : ${outcomeText(nt)}.`);
		}
	} catch (err) {
		showMsg('camp-record-msg', `${said.join(' ')} Non enregistré : ${err.message}`.trim());
		setStatus('Le tour n\'a pas été enregistré.');
		return;
	} finally {
		$('camp-record').disabled = false;
	}
	showOk('camp-record-ok', said.join(' '));
	setStatus(`Tour ${year} enregistré dans le registre.`);
	ledgerChanged();
}

// ------------------------------------------------------------------ imports
/* « Fichier delegue.csv, ligne 3 : … » from the server's refusal, which
 * names the table by the ledger's own name for it. */
export function refusalText(err, fileName) {
	// the message is the command line's: its option becomes the page's field
	let m = String(err.message || '').replace(/^[^\s:]+\.csv:(\d+:)?\s*/, '')
		.replace(/\s*\(--year\)/g, '').replace(/avec --year (\d{4})/g, 'avec l\'année de la campagne $1');
	const where = [`Fichier ${fileName}`];
	if (err.line) where.push(`ligne ${err.line}`);
	if (err.field && !m.includes(err.field)) where.push(`colonne « ${err.field} »`);
	m = m.charAt(0).toLowerCase() + m.slice(1);
	if (!/[.!?]$/.test(m)) m += '.';
	return `${where.join(', ')} : ${m}${err.status === 422 ? ' Rien n\'a été enregistré : corrigez le fichier (ou l\'année) puis déposez-le à nouveau.' : ''}`;
}

async function importFile(stage) {
	const input = $(`camp-${stage}-file`);
	const file = input.files[0];
	showMsg(`camp-${stage}-msg`, '');
	showOk(`camp-${stage}-ok`, '');
	if (!file) return;
	const year = campaignYear();
	if (!year) { showMsg(`camp-${stage}-msg`, 'Indiquez d\'abord l\'année de la campagne, puis choisissez à nouveau le fichier.'); input.value = ''; return; }
	const form = new FormData();
	form.append('file', file, file.name);
	const comment = commentFor(file.name);
	setStatus(`Import des montants ${STAGE_FR[stage] === 'délégué' ? 'délégués' : 'consommés'} ${year}…`);
	try {
		const o = await postForm(`/api/ledger/import?${query({ stage, year, comment })}`, form);
		showOk(`camp-${stage}-ok`, `${file.name} (${year}) : ${outcomeText(o)}${/ILLUSTRATIF/.test(comment) ? ' — marqué ILLUSTRATIF' : ''}.`);
		setStatus(`${file.name} importé dans le registre.`);
	} catch (err) {
		showMsg(`camp-${stage}-msg`, refusalText(err, file.name));
		setStatus(`${file.name} n'a pas été importé : le registre est inchangé.`);
		input.value = '';
		return;
	}
	input.value = '';
	ledgerChanged();
}

function ledgerChanged() {
	emit('ledger');
	refresh();
}

// ------------------------------------------------------------------ the years
function stageLabel(v) {
	return v.minus ? `écart ${STAGE_FR[v.stage]} − ${STAGE_FR[v.minus]}` : STAGE_FR[v.stage];
}

/* The columns that hold an amount, from the first to the last. */
function usedSpan(v) {
	let a = null, b = null;
	v.years.forEach((y, i) => {
		if (v.rows.some((r) => r.amounts_eur[i] !== null)) { if (a === null) a = i; b = i; }
	});
	return a === null ? null : [a, b];
}

function renderView() {
	const v = C.view;
	const box = $('camp-view');
	$('camp-view-illustratif').hidden = !(v && v.illustrative);
	$('camp-downloads').hidden = true;
	if (!v) return;
	const span = usedSpan(v);
	if (!span) {
		box.replaceChildren(h('p', { class: 'fr-mt-2w', id: 'camp-view-empty', text: `Le registre n'a encore aucun montant ${stageLabel(v)}. Enregistrez le tour en cours ou importez les montants délégués et consommés ci-dessus.` }));
		return;
	}
	const idx = [];
	for (let i = span[0]; i <= span[1]; i++) idx.push(i);
	const years = idx.map((i) => v.years[i]);
	const rows = v.rows.filter((r) => idx.some((i) => r.amounts_eur[i] !== null));
	const totals = idx.map((i) => rows.reduce((s, r) => s + (r.amounts_eur[i] ?? 0), 0));
	const counts = idx.map((i) => rows.filter((r) => r.amounts_eur[i] !== null).length);
	const label = stageLabel(v);
	const cap = `${label.charAt(0).toUpperCase()}${label.slice(1)}, par collectivité et par année (€)`;
	const table = h('div', { class: 'p304-tablewrap' }, h('table', { class: 'p304-table', id: 'camp-table' },
		h('caption', { class: 'fr-sr-only', text: cap }),
		h('thead', {}, h('tr', {}, h('th', { scope: 'col', text: 'Collectivité' }), years.map((y) => h('th', { scope: 'col', class: 'p304-num', text: String(y) })))),
		h('tbody', {}, rows.map((r) => h('tr', { 'data-code': r.code },
			h('th', { scope: 'row', class: 'p304-camp-name' }, r.name || r.code, ' ', h('span', { class: 'p304-secondary', text: r.code })),
			idx.map((i) => h('td', { class: `p304-num${r.amounts_eur[i] < 0 ? ' p304-neg' : ''}`, text: r.amounts_eur[i] === null ? '—' : formatEuros(r.amounts_eur[i]) }))))),
		h('tfoot', {}, h('tr', {}, h('th', { scope: 'row', text: `TOTAL (${plural(rows.length, 'collectivité', 'collectivités')})` }),
			totals.map((t, j) => h('td', { class: 'p304-num', 'data-year': years[j], title: `${plural(counts[j], 'montant', 'montants')} en ${years[j]}`, text: counts[j] ? formatEuros(t) : '—' }))))));
	const note = v.minus ? h('p', { class: 'fr-text--xs fr-mt-1w', text: `« — » : il manque l'un des deux montants (${STAGE_FR[v.stage]} ou ${STAGE_FR[v.minus]}) cette année-là ; le total n'additionne que les écarts connus.` })
		: h('p', { class: 'fr-text--xs fr-mt-1w', text: '« — » : aucun montant cette année-là.' });
	box.replaceChildren(h('p', { class: 'fr-text--sm fr-mb-1w', id: 'camp-view-title' }, h('strong', { text: cap })), table, note);
	const q = { stage: v.stage, minus: v.minus || '', years: `${years[0]}:${years[years.length - 1]}` };
	$('camp-dl-csv').href = `/api/ledger/view?${query({ ...q, format: 'csv' })}`;
	$('camp-dl-xlsx').href = `/api/ledger/view?${query({ ...q, format: 'xlsx' })}`;
	// the evolution of the département chosen in the fiche, if it has
	// amounts here, else of the 12 largest (the chart's own choice)
	const chosen = S.selected && rows.some((r) => r.code === S.selected) ? { codes: S.selected } : {};
	$('camp-dl-png').href = `/api/ledger/view?${query({ ...q, format: 'png', ...chosen })}`;
	$('camp-downloads').hidden = false;
}

async function loadView() {
	const stage = $('camp-stage').value, minus = $('camp-minus').value;
	const seq = ++C.seq;
	try {
		const v = await getJSON(`/api/ledger/view?${query({ stage, minus: minus === stage ? '' : minus, years: SPAN.join(':') })}`);
		if (seq !== C.seq) return;
		C.view = v;
		$('camp-unavailable').replaceChildren();
	} catch (err) {
		if (seq !== C.seq) return;
		C.view = null;
		$('camp-unavailable').replaceChildren(alertBox('error', 'Le registre de la campagne n\'a pas pu être lu.', [err.message]));
	}
	renderView();
}

// ------------------------------------------------------------------ next year
function rateValue() {
	const t = $('camp-rate').value.trim().replace(/\s*%$/, '');
	const ok = /^\d{1,3}([,.]\d{1,2})?$/.test(t) && Number(t.replace(',', '.')) <= 100;
	showMsg('camp-rate-msg', ok ? '' : `« ${t} » : un pourcentage de 0 à 100, deux décimales au plus (par exemple 50 ou 62,5).`);
	return ok ? t.replace(',', '.') : null;
}

async function loadNext() {
	const year = campaignYear();
	const box = $('camp-next');
	$('camp-rate-group').hidden = $('camp-rule').value !== 'reduce-unconsumed';
	if (!year) { box.replaceChildren(); return; }
	const next = year + 1;
	$('camp-next-title').replaceChildren(`${next} : plafonds des demandes et avenants`, ' ',
		h('span', { class: 'fr-badge fr-badge--warning fr-badge--no-icon', id: 'camp-next-illustratif', hidden: true, text: 'ILLUSTRATIF' }));
	$('camp-next-intro').textContent = `Avant toute notification : le plafond de la demande ${next} est le montant délégué en ${year}, à défaut en ${year - 1} pour une collectivité non financée en ${year} (instruction 2024/72) ; l'avenant ${next} part du montant délégué en ${year} et de ce qui en a été consommé (instruction 2025/60, article 5 du contrat).`;
	const rule = $('camp-rule').value;
	const rate = rule === 'reduce-unconsumed' ? rateValue() : '100';
	if (rate === null) return;
	// a rule or rate changed while the previous answer was on its way: only
	// the last request is drawn
	const seq = ++C.nextSeq;
	let caps = null, av = null, avErr = null;
	try {
		caps = await getJSON(`/api/ledger/caps?${query({ year: next })}`);
	} catch (err) {
		if (seq === C.nextSeq) box.replaceChildren(alertBox('error', 'Les plafonds n\'ont pas pu être calculés.', [err.message]));
		return;
	}
	try {
		av = await getJSON(`/api/ledger/avenant?${query({ year, rule, rate: rule === 'reduce-unconsumed' ? rate : '' })}`);
	} catch (err) {
		avErr = err.status === 422 ? `Pas encore d'avenant ${next} : le registre n'a aucun montant délégué en ${year}. Importez les délégations ${year} ci-dessus.` : err.message;
	}
	if (seq !== C.nextSeq) return;
	$('camp-next-illustratif').hidden = !caps.illustrative;
	renderNext(year, caps, av, avErr);
}

function renderNext(year, caps, av, avErr) {
	const next = year + 1;
	const byCode = new Map();
	const row = (code, name) => {
		if (!byCode.has(code)) byCode.set(code, { code, name, cap: null, av: null });
		return byCode.get(code);
	};
	for (const c of caps.caps || []) row(c.code, c.name).cap = c;
	for (const r of (av && av.rows) || []) row(r.code, r.name).av = r;
	const rows = [...byCode.values()]; // the caps' order: the reference list's
	const kids = [];
	if (avErr && rows.length) kids.push(alertBox('info', avErr, []));
	if (!rows.length) {
		kids.push(h('p', { id: 'camp-next-empty', text: `Ni plafond ni avenant ${next} : le registre n'a aucun montant délégué en ${year - 1} ni en ${year}.` }));
		$('camp-next').replaceChildren(...kids);
		return;
	}
	const sum = (f) => rows.reduce((s, r) => s + (f(r) ?? 0), 0);
	const num = (x, id) => h('td', { class: 'p304-num', id, text: x === null || x === undefined ? '—' : formatEuros(x) });
	const capFrom = (c) => !c || c.from_year === null ? 'aucun plafond' : `délégué en ${c.from_year}`;
	if (av) {
		kids.push(h('div', { class: 'p304-cards fr-mt-2w fr-mb-2w' },
			h('div', { class: 'p304-card' }, h('p', { class: 'p304-card__title', text: `Délégué ${year}` }), h('p', { class: 'p304-card__value', text: formatEuros(av.current_eur) })),
			h('div', { class: 'p304-card' }, h('p', { class: 'p304-card__title', text: `Consommé ${year}` }), h('p', { class: 'p304-card__value', text: formatEuros(av.consumed_eur) }),
				h('p', { class: 'p304-card__detail', text: `${plural(av.rows.filter((r) => r.reason === 'no_report').length, 'collectivité', 'collectivités')} sans rapport d'exécution` })),
			h('div', { class: 'p304-card' }, h('p', { class: 'p304-card__title', text: 'Reprise' }), h('p', { class: 'p304-card__value', text: formatEuros(av.reduction_eur) }),
				h('p', { class: 'p304-card__detail', id: 'camp-next-rate', text: av.rule === 'stable' ? 'montants confirmés' : `${formatPct(av.rate_pct, null)} du non-consommé repris` })),
			h('div', { class: 'p304-card' }, h('p', { class: 'p304-card__title', text: `Avenants ${next}` }), h('p', { class: 'p304-card__value', id: 'camp-next-total', text: formatEuros(av.next_eur) }))));
	}
	const head = ['Collectivité', `Délégué ${year}`, `Consommé ${year}`, 'Non consommé', 'Reprise', `Avenant ${next}`, 'Motif', `Plafond de la demande ${next}`];
	kids.push(h('div', { class: 'p304-tablewrap' }, h('table', { class: 'p304-table', id: 'camp-next-table' },
		h('caption', { class: 'fr-sr-only', text: `Plafonds et avenants ${next}` }),
		h('thead', {}, h('tr', {}, head.map((t, i) => h('th', { scope: 'col', class: i && i < 6 || i === 7 ? 'p304-num' : null, text: t })))),
		h('tbody', {}, rows.map((r) => h('tr', { 'data-code': r.code, class: r.av && r.av.reason === 'no_report' ? 'p304-row-warn' : null },
			h('th', { scope: 'row', class: 'p304-camp-name' }, r.name || r.code, ' ', h('span', { class: 'p304-secondary', text: r.code })),
			num(r.av ? r.av.current_eur : null), num(r.av ? r.av.consumed_eur : null), num(r.av ? r.av.unconsumed_eur : null),
			num(r.av ? r.av.reduction_eur : null), num(r.av ? r.av.next_eur : null),
			h('td', { text: r.av ? AVENANT_FR[r.av.reason] || r.av.reason : `pas de délégation ${year}` }),
			h('td', { class: 'p304-num', 'data-from': r.cap && r.cap.from_year ? r.cap.from_year : '' }, r.cap && r.cap.cap_eur !== null ? formatEuros(r.cap.cap_eur) : '—',
				h('span', { class: 'p304-cellnote', text: capFrom(r.cap) }))))),
		h('tfoot', {}, h('tr', {}, h('th', { scope: 'row', text: `TOTAL (${plural(rows.length, 'collectivité', 'collectivités')})` }),
			num(sum((r) => r.av && r.av.current_eur)), num(sum((r) => r.av && r.av.consumed_eur)), num(sum((r) => r.av && r.av.unconsumed_eur)),
			num(sum((r) => r.av && r.av.reduction_eur)), num(sum((r) => r.av && r.av.next_eur), 'camp-next-avenant-total'), h('td', {}),
			num(sum((r) => r.cap && r.cap.cap_eur), 'camp-next-caps-total'))))));
	kids.push(h('details', { class: 'fr-text--xs fr-mt-1w' }, h('summary', { text: 'détails' }),
		h('p', { text: `Reprise = ⌊taux × max(0, délégué − consommé)⌋, arrondie à l'euro inférieur ; une collectivité qui a tout consommé, ou dont le rapport manque, garde son montant. Ligne de commande : p304 ledger caps --year ${next} ; p304 avenant --ledger … --year ${year}${$('camp-rule').value === 'reduce-unconsumed' ? ` --rule reduce-unconsumed --rate ${$('camp-rate').value.trim()}` : ''}.` })));
	$('camp-next').replaceChildren(...kids);
}

// ------------------------------------------------------------------ wiring
function refresh() {
	if (S.tab !== id) return; // read when shown, not at every write elsewhere
	$('camp-round-what').textContent = roundWhat();
	loadView();
	loadNext();
}

export function init() {
	const opts = Object.entries(STAGE_FR).map(([v, t]) => h('option', { value: v, text: t }));
	$('camp-stage').replaceChildren(...opts);
	$('camp-stage').value = 'delegated';
	$('camp-minus').replaceChildren(h('option', { value: '', text: '— aucun écart —' }), ...Object.entries(STAGE_FR).map(([v, t]) => h('option', { value: v, text: `moins ${t}` })));
	$('camp-stage').addEventListener('change', loadView);
	$('camp-minus').addEventListener('change', loadView);
	$('camp-rule').addEventListener('change', loadNext);
	$('camp-rate').addEventListener('change', loadNext);
	$('camp-year').addEventListener('change', () => { $('camp-round-what').textContent = roundWhat(); loadNext(); });
	$('camp-record').addEventListener('click', recordRound);
	for (const stage of ['delegated', 'consumed']) $(`camp-${stage}-file`).addEventListener('change', () => importFile(stage));
	on('ready', () => { $('camp-year').value = String(scenarioYear()); });
	on('result', () => { if (S.tab === id) $('camp-round-what').textContent = roundWhat(); });
	on('show', (name) => { if (name === id) { if (!$('camp-year').value) $('camp-year').value = String(scenarioYear()); refresh(); } });
}
