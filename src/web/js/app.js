// The p304 workbench page: scenario editing, allocation, map, fiche,
// comparison, notification, sweep and exports, all through the p304 serve
// API (docs/api.md). Every figure shown is the library's; the page only
// formats, sorts and adds up for display.

import { ApiError, getJSON, sendJSON, postForm, download } from './api.js';
import {
	formatEuros, formatDeltaEuros, formatNumber, formatPct, formatDeltaPct,
	parseEuros, parsePct, inputEuros, inputPct, NBSP,
} from './format.js';
import { drawMap, sequentialScale, divergingScale, drawBars, drawWaterfall, drawBands } from './svg.js';

/* French plural: the singular for 0 and 1 (« 0 gagnant », « 1 gagnant », « 2 gagnants »). */
const plural = (n, one, many) => `${n} ${n > 1 ? many : one}`;

const $ = (id) => document.getElementById(id);
const h = (tag, attrs = {}, ...kids) => {
	const e = document.createElement(tag);
	for (const [k, v] of Object.entries(attrs)) {
		if (v === undefined || v === null || v === false) continue;
		if (k === 'class') e.className = v;
		else if (k === 'text') e.textContent = v;
		else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
		else if (k === 'style') Object.assign(e.style, v); // CSSOM: the CSP forbids style attributes
		else e.setAttribute(k, v === true ? '' : v);
	}
	for (const kid of kids.flat()) if (kid !== null && kid !== undefined && kid !== false) e.append(kid);
	return e;
};

const TABS = ['scenario', 'repartition', 'fiche', 'comparer', 'besoins', 'sensibilite', 'exports'];
const STATUS_FR = { free: 'selon la clé', floor: 'au plancher', ceiling: 'au plafond', absent: 'absent' };
const REASON_FR = {
	as_prenotified: 'montant pré-notifié', need_below: 'besoin inférieur au pré-notifié',
	need_above: 'besoin supérieur au pré-notifié', capped: 'demande plafonnée (montant délégué)',
	no_answer: 'sans réponse', late: 'réponse hors délai', reduced: 'réduit (crédits insuffisants)',
	topped_up: 'complété (reliquat)',
};
const FACTOR_FR = {
	envelope: 'Enveloppe', weights: 'Pondérations', data: 'Données', participants: 'Participants',
	bounds: 'Bornes', rounding: 'Arrondi',
};

const S = {
	scenarios: [], shipped: new Map(), tables: [], reference: new Map(), contours: null,
	base: null, baseId: null, sc: null, result: null, seq: 0, abort: null,
	refId: '', refUpload: null, cmp: null, cmpSort: 'eur',
	selected: null, tab: 'scenario', sort: { key: 'amount', dir: 'descending' }, search: '',
	mapMode: 'amount', participants: null, notif: null, needsFile: null, sweep: null,
	inputs: { envelope: null, weights: [], floor: null, ceiling: null },
};

// ------------------------------------------------------------------ helpers
function showMsg(id, text) {
	const p = $(id);
	if (!p) return;
	p.textContent = text || '';
	p.hidden = !text;
	const group = p.closest('.fr-input-group, .fr-select-group, .fr-upload-group, .fr-fieldset, #floor-group, #ceiling-group');
	if (group) {
		const cls = group.classList.contains('fr-select-group') ? 'fr-select-group--error'
			: group.classList.contains('fr-fieldset') ? 'fr-fieldset--error'
			: group.classList.contains('fr-upload-group') ? 'fr-upload-group--error' : 'fr-input-group--error';
		group.classList.toggle(cls, !!text);
	}
	const input = group && group.querySelector('input.fr-input, select');
	if (input) input.setAttribute('aria-invalid', text ? 'true' : 'false');
}

function setStatus(text) { $('status').textContent = text; }

function alertBox(kind, title, items) {
	return h('div', { class: `fr-alert fr-alert--${kind} fr-alert--sm fr-mt-2w`, role: kind === 'error' ? 'alert' : null },
		h('p', { class: 'fr-alert__title p304-alert-title', text: title }),
		items && items.length ? h('ul', { class: items.length > 3 ? 'p304-alert-list fr-text--sm' : 'p304-alert-list' }, items.map((t) => h('li', { text: t }))) : null);
}

function debounce(fn, ms) {
	let t = null;
	return (...a) => { clearTimeout(t); t = setTimeout(() => fn(...a), ms); };
}

function nameOf(code) {
	const r = S.reference.get(code);
	return r ? r.name : '';
}

// CTCD codings: what an authority is made of, or what replaced it.
function codingNote(ref) {
	if (!ref) return '';
	const parts = [];
	const list = ref.members || [];
	if (list.length) parts.push('= ' + list.map((c) => `${c} ${nameOf(c)}`.trim()).join(' + '));
	const until = ref.valid_to;
	const from = ref.valid_from;
	if (until) parts.push(`code valable jusqu'en ${until}`);
	else if (from) parts.push(`depuis ${from}`);
	return parts.join(', ');
}

// ------------------------------------------------------------------ tabs
function showTab(name, focus) {
	if (!TABS.includes(name)) name = 'scenario';
	S.tab = name;
	for (const t of TABS) {
		const b = $('tab-' + t);
		const on = t === name;
		b.setAttribute('aria-selected', on ? 'true' : 'false');
		b.tabIndex = on ? 0 : -1;
		$('panel-' + t).hidden = !on;
	}
	if (focus) $('tab-' + name).focus();
	writeHash();
	if (name === 'repartition') renderMap();
}

function initTabs() {
	TABS.forEach((t, i) => {
		const b = $('tab-' + t);
		b.addEventListener('click', () => showTab(t));
		b.addEventListener('keydown', (ev) => {
			let j = null;
			if (ev.key === 'ArrowRight') j = (i + 1) % TABS.length;
			if (ev.key === 'ArrowLeft') j = (i + TABS.length - 1) % TABS.length;
			if (ev.key === 'Home') j = 0;
			if (ev.key === 'End') j = TABS.length - 1;
			if (j !== null) { ev.preventDefault(); showTab(TABS[j], true); }
		});
	});
}

// ------------------------------------------------------------------ URL state
// #s=<scenario id>&ref=<reference id>&d=<code>&tab=<tab>&env=..&w=a,b,c,d&fl=..&ce=..
function readHash() {
	const p = new URLSearchParams(location.hash.slice(1));
	return Object.fromEntries(p.entries());
}

let hashLock = false;
function writeHash() {
	if (hashLock || !S.baseId) return;
	const p = new URLSearchParams();
	p.set('s', S.baseId);
	if (S.refId) p.set('ref', S.refId);
	if (S.selected) p.set('d', S.selected);
	if (S.tab !== 'scenario') p.set('tab', S.tab);
	if (S.sc && S.base) {
		if (S.sc.envelope_eur !== S.base.envelope_eur) p.set('env', S.sc.envelope_eur);
		const w = S.sc.criteria.map((c) => c.weight_pct);
		if (w.some((x, i) => x !== S.base.criteria[i].weight_pct)) p.set('w', w.join(','));
		if ((S.sc.floor_eur ?? null) !== (S.base.floor_eur ?? null)) p.set('fl', S.sc.floor_eur ?? 'non');
		if ((S.sc.ceiling_eur ?? null) !== (S.base.ceiling_eur ?? null)) p.set('ce', S.sc.ceiling_eur ?? 'non');
		if (S.sc.data !== S.base.data) p.set('data', S.sc.data);
		if (JSON.stringify(S.sc.participants) !== JSON.stringify(S.base.participants) && Array.isArray(S.sc.participants))
			p.set('p', S.sc.participants.join(','));
	}
	const h2 = '#' + p.toString();
	if (h2 !== location.hash) history.replaceState(null, '', h2);
}

// ------------------------------------------------------------------ scenario form
function tableOf(sc) {
	const file = String(sc.data || '').split('/').pop();
	return S.tables.find((t) => t.id === sc.data || t.file === sc.data || String(t.file).split('/').pop() === file) || null;
}

function columnLabel(col) {
	for (const t of S.tables) for (const s of t.sources || []) if (s.column === col && s.label) return s.label;
	return col;
}

function columnSource(col, result) {
	const c = result && result.criteria && result.criteria.find((x) => x.column === col);
	return c && c.source ? c.source : '';
}

function fillForm() {
	const sc = S.sc;
	$('sc-title').textContent = sc.title || '';
	$('envelope').value = inputEuros(sc.envelope_eur);
	S.inputs.envelope = sc.envelope_eur;
	const fl = sc.floor_eur ?? null, ce = sc.ceiling_eur ?? null;
	$('floor-on').checked = fl !== null;
	$('floor').value = fl !== null ? inputEuros(fl) : (S.base.floor_eur ? inputEuros(S.base.floor_eur) : '600 000');
	$('floor').disabled = fl === null;
	$('ceiling-on').checked = ce !== null;
	$('ceiling').value = ce !== null ? inputEuros(ce) : (S.base.ceiling_eur ? inputEuros(S.base.ceiling_eur) : '4 500 000');
	$('ceiling').disabled = ce === null;
	// tables
	const sel = $('table');
	sel.replaceChildren(...S.tables.map((t) => h('option', { value: t.id, text: `${t.file || t.id} — millésime ${t.vintage ?? '?'}` })));
	const t = tableOf(sc);
	if (t) sel.value = t.id;
	else sel.prepend(h('option', { value: '', text: sc.data, selected: true }));
	// weights
	const box = $('weights');
	box.replaceChildren();
	sc.criteria.forEach((c, i) => {
		const id = 'w-' + i;
		const row = h('div', { class: 'p304-weight fr-input-group', id: id + '-group' },
			h('label', { class: 'fr-label', for: id }, columnLabel(c.column), h('span', { class: 'fr-hint-text', id: id + '-src', text: c.column })),
			h('div', { class: 'p304-weight__inputs' },
				h('input', { class: 'fr-input p304-pct', type: 'text', id, inputmode: 'decimal', lang: 'fr', value: inputPct(c.weight_pct), 'aria-describedby': `${id}-msg weights-sum`, autocomplete: 'off' }),
				h('span', { 'aria-hidden': 'true' }, '%'),
				h('input', { type: 'range', min: '0', max: '100', step: '0.5', value: String(c.weight_pct), id: id + '-range', 'aria-label': `${columnLabel(c.column)} (curseur)`, class: 'p304-range' })),
			h('p', { class: 'fr-error-text', id: id + '-msg', hidden: true }));
		box.append(row);
		const txt = row.querySelector('#' + id), range = row.querySelector('#' + id + '-range');
		txt.addEventListener('input', () => {
			const r = parsePct(txt.value);
			if (r.ok) range.value = String(r.value);
			onFormChange();
		});
		range.addEventListener('input', () => { txt.value = inputPct(Number(range.value)); onFormChange(); });
	});
	renderParticipants();
	markChanged();
}

// Reads the form, validates each field locally; returns the scenario to
// run, or null (messages shown beside the fields).
function readForm() {
	const sc = structuredClone(S.sc);
	let ok = true;
	const env = parseEuros($('envelope').value);
	if (env.ok) {
		sc.envelope_eur = env.value;
		showMsg('envelope-msg', '');
		const okp = $('envelope-ok');
		okp.textContent = `compris : ${formatEuros(env.value)}`;
		okp.hidden = false;
	} else {
		showMsg('envelope-msg', env.message);
		$('envelope-ok').hidden = true;
		ok = false;
	}
	let micro = 0, wok = true;
	sc.criteria.forEach((c, i) => {
		const r = parsePct($('w-' + i).value);
		showMsg(`w-${i}-msg`, r.ok ? '' : r.message);
		if (r.ok) { c.weight_pct = r.value; micro += r.micro; } else wok = false;
	});
	const sumText = wok ? formatNumber(micro / 1e6, null) + NBSP + '%' : '?';
	const sumEl = $('weights-sum');
	sumEl.textContent = `Somme des pondérations : ${sumText}`;
	sumEl.classList.toggle('p304-sum--bad', !wok || micro !== 100000000);
	if (wok && micro !== 100000000) {
		showMsg('weights-msg', `Les pondérations totalisent ${sumText}, 100 % attendu : le calcul attend que la somme fasse 100 %.`);
		ok = false;
	} else {
		showMsg('weights-msg', '');
		if (!wok) ok = false;
	}
	for (const b of ['floor', 'ceiling']) {
		const on = $(b + '-on').checked;
		$(b).disabled = !on;
		if (!on) { delete sc[b + '_eur']; showMsg(b + '-msg', ''); continue; }
		const r = parseEuros($(b).value);
		if (r.ok) { sc[b + '_eur'] = r.value; showMsg(b + '-msg', ''); } else { showMsg(b + '-msg', r.message); ok = false; }
	}
	const t = S.tables.find((x) => x.id === $('table').value);
	if (t && tableOf(S.sc) !== t) sc.data = dataPathFor(t);
	sc.participants = S.participants === 'all' ? 'all' : S.participants === 'file' ? S.sc.participants : [...S.participants].sort();
	if (Array.isArray(sc.participants) && sc.participants.length === 0) {
		showMsg('participants-msg', 'Aucun participant choisi : cochez au moins une collectivité ou choisissez une liste.');
		ok = false;
	} else showMsg('participants-msg', '');
	return ok ? sc : null;
}

// The scenario files name their table "../data/<file>": keep that form so
// an exported scenario runs with the CLI next to the shipped ones.
function dataPathFor(t) {
	const f = t.file || t.id;
	return f.includes('/') ? f : '../data/' + f;
}

function markChanged() {
	if (!S.base || !S.sc) return;
	const changes = [];
	const mark = (id, changed) => { const e = $(id); if (e) e.classList.toggle('p304-changed', changed); };
	const envChanged = S.sc.envelope_eur !== S.base.envelope_eur;
	mark('envelope', envChanged);
	if (envChanged) changes.push('enveloppe');
	let wch = false;
	S.sc.criteria.forEach((c, i) => { const ch = c.weight_pct !== S.base.criteria[i].weight_pct; mark('w-' + i, ch); wch ||= ch; });
	if (wch) changes.push('pondérations');
	for (const b of ['floor', 'ceiling']) {
		const ch = (S.sc[b + '_eur'] ?? null) !== (S.base[b + '_eur'] ?? null);
		mark(b, ch);
		if (ch) changes.push(b === 'floor' ? 'plancher' : 'plafond');
	}
	if (S.sc.data !== S.base.data) { changes.push('table des critères'); mark('table', true); } else mark('table', false);
	if (JSON.stringify(S.sc.participants) !== JSON.stringify(S.base.participants)) changes.push('participants');
	$('sim-banner').hidden = changes.length === 0;
	$('sim-changes').textContent = changes.length
		? `modifié par rapport à « ${S.base.title || S.baseId} » : ${changes.join(', ')}.` : '';
}

const scheduleRun = debounce(() => runAllocate(), 300);

function onFormChange() {
	const sc = readForm();
	if (!sc) {
		setStatus('Calcul suspendu : corrigez le champ signalé.');
		return;
	}
	S.sc = sc;
	markChanged();
	writeHash();
	scheduleRun();
}

// ------------------------------------------------------------------ participants
function presetList() {
	const out = [{ label: 'Toute la table', value: 'all' }];
	const seen = new Set();
	for (const [id, sc] of S.shipped) {
		if (!Array.isArray(sc.participants)) continue;
		const key = [...sc.participants].sort().join(',');
		if (seen.has(key)) continue; // FIR and ONDAM 2020 reuse the wave's list
		seen.add(key);
		out.push({ label: `${shortTitle(sc)} (${sc.participants.length})`, value: sc.participants, id });
	}
	out.push({ label: 'Aucun', value: [] });
	return out;
}

function shortTitle(sc) {
	const t = sc.title || sc.id;
	const m = /^(.*?)\s*\(/.exec(t);
	return (m ? m[1] : t).replace(/^P304\s*/, '');
}

function currentCodes() {
	// Codes a table row can have now: participants of the last result, plus
	// every reference authority still valid.
	const set = new Set();
	if (S.result) for (const r of S.result.rows) set.add(r.code);
	for (const [code, r] of S.reference) if (!r.valid_to) set.add(code);
	return set;
}

function renderParticipants() {
	const pre = $('presets');
	pre.replaceChildren(...presetList().map((p) => h('button', {
		type: 'button', class: 'fr-btn fr-btn--sm fr-btn--tertiary',
		onclick: () => {
			S.participants = p.value === 'all' ? 'all' : new Set(p.value);
			renderParticipants();
			onFormChange();
		},
	}, p.label)));
	const q = $('participants-search').value.trim().toLowerCase();
	const all = S.participants === 'all' || S.participants === 'file';
	const chosen = all ? (S.result ? new Set(S.result.rows.map((r) => r.code)) : currentCodes()) : S.participants;
	const codes = [...new Set([...currentCodes(), ...(all ? [] : S.participants)])];
	codes.sort((a, b) => a.localeCompare(b, 'fr', { numeric: true }));
	const list = $('participants');
	list.replaceChildren();
	for (const code of codes) {
		const ref = S.reference.get(code) || { name: '' };
		const note = codingNote(ref);
		const hay = `${code} ${ref.name} ${ref.region_name || ''} ${note}`.toLowerCase();
		if (q && !hay.includes(q)) continue;
		const id = 'p-' + code;
		list.append(h('div', { class: 'fr-checkbox-group fr-checkbox-group--sm p304-participant' },
			h('input', {
				type: 'checkbox', id, checked: chosen.has(code),
				onchange: (ev) => {
					if (S.participants === 'all' || S.participants === 'file') S.participants = new Set(chosen);
					if (ev.target.checked) S.participants.add(code); else S.participants.delete(code);
					updateCount();
					onFormChange();
				},
			}),
			h('label', { class: 'fr-label', for: id },
				h('span', { class: 'p304-code', text: code }), ` ${ref.name}`,
				note ? h('span', { class: 'fr-hint-text', text: note }) : null)));
	}
	updateCount();
}

function updateCount() {
	const n = S.participants === 'all' ? (S.result ? `toute la table (${S.result.rows.length})` : 'toute la table')
		: S.participants === 'file' ? `liste du fichier ${S.sc.participants}` : `${S.participants.size} choisis`;
	$('participants-count').textContent = n;
}

// ------------------------------------------------------------------ allocate
function clearFieldErrors() {
	for (const id of ['envelope-msg', 'floor-msg', 'ceiling-msg', 'weights-msg', 'participants-msg', 'table-msg']) {
		const p = $(id);
		if (p && p.dataset.api) { showMsg(id, ''); delete p.dataset.api; }
	}
	$('scenario-error').hidden = true;
}

// Puts an API error beside the field it is about: the server names the
// field; otherwise the message's own words decide.
function placeError(err, fallbackBox = 'scenario-error') {
	const f = String(err.field || '');
	const m = err.message.toLowerCase();
	let target = null;
	if (/floor/.test(f) || (!f && /(plancher|floor)/.test(m))) target = 'floor-msg';
	else if (/ceiling/.test(f) || (!f && /(plafond|ceiling)/.test(m))) target = 'ceiling-msg';
	else if (/envelope/.test(f) || (!f && /(enveloppe|envelope)/.test(m))) target = 'envelope-msg';
	else if (/weight|criteria/.test(f) || (!f && /(pondération|weight)/.test(m))) target = 'weights-msg';
	else if (/participant/.test(f)) target = 'participants-msg';
	else if (/^data$/.test(f)) target = 'table-msg';
	if (target) {
		// beside the field, the request's own file name says nothing to the officer
		showMsg(target, err.message.replace(/^scenario\.json(:\d+)?: /, ''));
		$(target).dataset.api = '1';
		const input = $(target.replace(/-msg$/, ''));
		if (input && input.tagName === 'INPUT') input.setAttribute('aria-invalid', 'true');
	} else {
		const box = $(fallbackBox);
		box.querySelector('p').textContent = err.message + (err.file ? ` (${err.file}${err.line ? ':' + err.line : ''})` : '');
		box.hidden = false;
	}
}

async function runAllocate() {
	const sc = S.sc;
	const seq = ++S.seq;
	if (S.abort) S.abort.abort();
	S.abort = new AbortController();
	setStatus('Calcul en cours…');
	const t0 = performance.now();
	let res;
	try {
		res = await sendJSON('POST', '/api/allocate', sc, S.abort.signal);
	} catch (err) {
		if (err.name === 'AbortError' || seq !== S.seq) return;
		clearFieldErrors();
		if (err instanceof ApiError) {
			placeError(err);
			setStatus('Le calcul a été refusé : voir le message à côté du champ concerné. Les montants affichés sont ceux du dernier calcul réussi.');
			document.body.classList.add('p304-stale');
		} else {
			setStatus('Le serveur p304 ne répond pas : est-il toujours lancé ?');
		}
		return;
	}
	if (seq !== S.seq) return;
	clearFieldErrors();
	document.body.classList.remove('p304-stale');
	S.result = res;
	const ms = Math.round(performance.now() - t0);
	setStatus(`Réparti ${formatEuros(res.allocated_eur)} entre ${res.participants} participants (calcul : ${ms} ms).`);
	if (S.participants === 'all' || S.participants === 'file') { renderParticipants(); }
	renderResult();
	if (S.refId || S.refUpload) runCompare();
}

// ------------------------------------------------------------------ répartition
function median(sorted) {
	const n = sorted.length;
	if (!n) return null;
	return n % 2 ? sorted[(n - 1) / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
}

function perChild(row) {
	const c = row.criteria && row.criteria.enfants_0_19;
	return c ? row.amount_eur / c : null;
}

function card(title, value, detail, id) {
	return h('div', { class: 'p304-card', id },
		h('p', { class: 'p304-card__title', text: title }),
		h('p', { class: 'p304-card__value', text: value }),
		detail ? h('p', { class: 'p304-card__detail', text: detail }) : null);
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
	$('rep-warnings').replaceChildren(w.length ? alertBox('info', `Données imputées ou exclues (${w.length})`, w) : '');
	renderFicheSelect();
	renderFiche();
}

const COLS = [
	{ key: 'code', label: 'Code', get: (x) => x.code, text: true },
	{ key: 'name', label: 'Nom', get: (x) => x.name, text: true },
	{ key: 'region', label: 'Région', get: (x) => x.region_name || x.region, text: true },
	{ key: 'amount', label: 'Montant', get: (x) => x.amount_eur, fmt: formatEuros },
	{ key: 'share', label: 'Part', get: (x) => x.share * 100, fmt: (v) => formatPct(v, 2) },
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
			h('td', { class: 'p304-num', text: formatEuros(sub) }), h('td', { colspan: 3 })));
	}
	foot.push(h('tr', { id: 'rep-total' }, h('th', { scope: 'row', colspan: 3, text: `TOTAL (${r.rows.length} participants)` }),
		h('td', { class: 'p304-num', id: 'rep-total-amount', text: formatEuros(total) }),
		h('td', { class: 'p304-num', text: formatPct(share * 100, 2) }), h('td', { colspan: 2, text: total === r.envelope_eur ? '= enveloppe' : `enveloppe ${formatEuros(r.envelope_eur)}, non réparti ${formatEuros(r.envelope_eur - total)}` })));
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
		row ? h('span', { text: `Part : ${formatPct(row.share * 100, 2)} — ${STATUS_FR[row.status] || row.status}` }) : null,
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

function select(code, tab) {
	S.selected = code;
	if (tab) showTab(tab);
	renderFicheSelect();
	renderFiche();
	if (S.cmp) { $('wf-code').value = code; renderWaterfall(); }
	writeHash();
	if (S.tab === 'repartition') { renderMap(); renderTable(); }
}

// ------------------------------------------------------------------ fiche
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
	const sorted = [...r.rows].sort((a, b) => b.amount_eur - a.amount_eur || a.code.localeCompare(b.code));
	const rank = sorted.findIndex((x) => x.code === row.code) + 1;
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
				h('td', { class: 'p304-num', text: formatNumber(v) + (imputed ? ' (imputé)' : '') }),
				h('td', { class: 'p304-num', text: sh === null ? '—' : formatPct(sh * 100, 3) }),
				h('td', { class: 'p304-num', text: formatPct(c.weight_pct, null) }),
				h('td', { class: 'p304-num', text: sh === null ? '—' : formatPct(sh * c.weight_pct, 3) }),
				h('td', { class: 'fr-text--xs', text: c.source || '' }));
		})));
	// a_i = min(C, max(F, λ·s_i)) with λ such that the amounts add up to the
	// envelope (docs/formulas.md); free amounts are λ·s_i rounded by largest
	// remainders.
	const scaled = row.share * r.lambda;
	const rounding = row.status === 'free' ? row.amount_eur - scaled : null;
	const facts = h('dl', { class: 'p304-facts' },
		h('dt', { text: 'Part de la clé (s)' }), h('dd', { text: formatPct(row.share * 100, 4) }),
		h('dt', { text: 'Montant selon la formule (s × enveloppe)' }), h('dd', { text: `${formatNumber(row.formula_eur, 2)}${NBSP}€` }),
		h('dt', { text: 'Après plancher et plafond (s × λ)' }), h('dd', { text: `${formatNumber(scaled, 2)}${NBSP}€ (λ = ${formatNumber(r.lambda, 2)}${NBSP}€)` }),
		h('dt', { text: 'Statut' }), h('dd', { text: STATUS_FR[row.status] || row.status }),
		h('dt', { text: 'Arrondi à l\'euro' }), h('dd', { text: rounding === null ? 'sans objet (montant borné)' : `${rounding >= 0 ? '+' : ''}${formatNumber(rounding, 2)}${NBSP}€ (plus forts restes)` }),
		h('dt', { text: 'Montant pré-notifié' }), h('dd', { class: 'p304-strong', text: formatEuros(row.amount_eur) }),
		h('dt', { text: 'Rang' }), h('dd', { text: `${rank} sur ${r.rows.length}` }));
	const kids = [h('h3', { class: 'fr-h5', text: `${row.code} ${row.name} — ${row.region_name || ''}` }),
		h('p', { class: 'p304-explain', text: explainSentence(r, row, totals) })];
	const imputedCols = r.criteria.filter((c) => (row.imputed || []).some((x) => (x.column || x) === c.column));
	if (imputedCols.length)
		kids.push(alertBox('warning', 'Valeurs imputées', [`La source ne donne pas ${imputedCols.map((c) => `« ${columnLabel(c.column).toLowerCase()} »`).join(' ni ')} pour ${row.name} : ${imputedCols.length > 1 ? 'ces valeurs sont estimées' : 'cette valeur est estimée'} à partir d'un autre critère (rapport des totaux nationaux). Le montant en dépend : à confirmer avec les services statistiques avant notification.`]));
	kids.push(facts);
	if (row.status !== 'free') {
		kids.push(h('p', { class: 'fr-text--sm', text: row.status === 'floor'
			? `s × λ = ${formatEuros(Math.round(scaled))} est sous le plancher de ${formatEuros(r.floor_eur)} : le montant est le plancher.`
			: `s × λ = ${formatEuros(Math.round(scaled))} dépasse le plafond de ${formatEuros(r.ceiling_eur)} : le montant est le plafond.` }));
	} else if (r.floor_eur !== null || r.ceiling_eur !== null) {
		kids.push(h('p', { class: 'fr-text--sm', text: `λ = (enveloppe − montants au plancher et au plafond) ÷ somme des parts des autres participants = ${formatEuros(Math.round(r.lambda))} ; sans plancher ni plafond, λ est l'enveloppe.` }));
	}
	kids.push(indic);
	const c = S.cmp && S.cmp.rows.find((x) => x.code === row.code);
	if (c) {
		kids.push(h('h4', { class: 'fr-h6 fr-mt-2w', text: `Variation depuis « ${S.cmp.a_title || S.cmp.a} »` }));
		kids.push(decompositionTable(c));
	}
	box.replaceChildren(...kids);
}

/* The answer to « pourquoi ce montant ? » in one sentence an officer can
 * read out on the phone: its share of each criterion, the weighted key, and
 * whether a floor or ceiling applied. */
function explainSentence(r, row, totals) {
	const parts = r.criteria.map((c) => {
		const t = totals[c.column];
		return t ? `${formatPct(row.criteria[c.column] / t * 100, 2)} du total « ${columnLabel(c.column)} » (pondéré à ${formatPct(c.weight_pct, null)})` : null;
	}).filter(Boolean);
	const bound = row.status === 'floor' ? ` Sa part seule donnerait ${formatEuros(Math.round(row.share * r.lambda))}, sous le plancher : son montant est le plancher de ${formatEuros(r.floor_eur)}.`
		: row.status === 'ceiling' ? ` Sa part seule donnerait ${formatEuros(Math.round(row.share * r.lambda))}, au-dessus du plafond : son montant est le plafond de ${formatEuros(r.ceiling_eur)}.`
		: (r.floor_eur !== null || r.ceiling_eur !== null) ? ' Ni le plancher ni le plafond ne s\'appliquent ici ; les montants au plancher et au plafond des autres sont pris sur l\'enveloppe avant le partage.'
		: ' Ce scénario n\'a ni plancher ni plafond.';
	return `${row.name} reçoit ${formatEuros(row.amount_eur)}, soit ${formatPct(row.amount_eur / r.envelope_eur * 100, 2)} de l'enveloppe de ${formatEuros(r.envelope_eur)}. Ses indicateurs : ${parts.join(', ')} ; pondérées, ces parts donnent sa part de la clé : ${formatPct(row.share * 100, 2)}.${bound}`;
}

function factorLabel(k) {
	if (k.startsWith('data:')) return 'Données : ' + columnLabel(k.slice(5));
	return FACTOR_FR[k] || k;
}

function decompositionTable(c) {
	const keys = Object.keys(c.contrib_eur || {}).filter((k) => c.contrib_eur[k] !== 0);
	let sum = 0;
	for (const k of keys) sum += c.contrib_eur[k];
	return h('table', { class: 'p304-table p304-table--plain p304-decomp' },
		h('caption', { text: 'Décomposition exacte de la variation (Shapley)' }),
		h('tbody', {},
			h('tr', {}, h('th', { scope: 'row', text: 'Référence' }), h('td', { class: 'p304-num', text: formatEuros(c.a_eur) })),
			keys.map((k) => h('tr', {}, h('th', { scope: 'row', text: factorLabel(k) }), h('td', { class: 'p304-num', text: formatDeltaEuros(c.contrib_eur[k]) }))),
			h('tr', {}, h('th', { scope: 'row', text: 'Scénario' }), h('td', { class: 'p304-num', text: formatEuros(c.b_eur) }))),
		h('tfoot', {}, h('tr', {}, h('th', { scope: 'row', text: 'Variation = somme des facteurs' }),
			h('td', { class: 'p304-num', text: `${formatDeltaEuros(c.delta_eur)}${sum === c.delta_eur ? '' : ' (écart ' + formatDeltaEuros(c.delta_eur - sum) + ')'}` }))));
}

// ------------------------------------------------------------------ compare
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
	renderFiche();
	if (S.mapMode === 'change') renderMap();
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
			`Au plancher : ${newFloor} nouveaux, ${leftFloor} qui le quittent ; au plafond : ${newCeil} nouveaux, ${leftCeil} qui le quittent.`));
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
		...groups.map((g) => h('td', { class: 'p304-num', text: formatDeltaEuros(contribGroup(t, g)) }))));
	const sel = $('wf-code');
	const sorted = [...c.rows].sort((a, b) => a.code.localeCompare(b.code, 'fr', { numeric: true }));
	sel.replaceChildren(...sorted.map((x) => h('option', { value: x.code, text: `${x.code} ${x.name}` })));
	sel.value = S.selected && c.rows.some((x) => x.code === S.selected) ? S.selected : rows[rows.length - 1].code;
	renderWaterfall();
	const named = (codes) => codes.map((k) => `${k} ${c.rows.find((x) => x.code === k)?.name || nameOf(k)}`);
	$('cmp-moves').replaceChildren(
		t.entering.length ? alertBox('info', `Entrants (${t.entering.length})`, [named(t.entering).join(', ')]) : '',
		t.leaving.length ? alertBox('info', `Sortants (${t.leaving.length})`, [named(t.leaving).join(', ')]) : '',
		c.notes && c.notes.length ? h('details', { class: 'fr-mt-2w' }, h('summary', { text: `Notes de la comparaison (${c.notes.length})` }), h('ul', {}, c.notes.map((n) => h('li', { class: 'fr-text--sm', text: n })))) : '');
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

// ------------------------------------------------------------------ notification
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
		setStatus('La notification a été refusée : voir le message à côté du fichier.');
		return;
	}
	setStatus(`Notification calculée : ${formatEuros(S.notif.notified_eur)} notifiés.`);
	renderNotification();
}

function renderNotification() {
	const n = S.notif;
	const missing = n.rows.filter((x) => x.reason === 'no_answer');
	const late = n.rows.filter((x) => x.reason === 'late');
	const warn = [];
	if (missing.length) warn.push(`Absents du fichier des besoins (${missing.length}) : ${missing.map((x) => `${x.code} ${x.name}`).join(', ')} — ${n.policy.missing_answer === 'keep' ? 'ils gardent leur montant pré-notifié' : 'leur absence vaut renoncement'}.`);
	if (late.length) warn.push(`Réponses hors délai (${late.length}) : ${late.map((x) => `${x.code} ${x.name}`).join(', ')}.`);
	for (const w of n.warnings || []) warn.push(w);
	$('notif-warnings').replaceChildren(warn.length ? alertBox('warning', 'Points d\'attention', warn) : alertBox('success', 'Chaque participant a répondu.', []));
	const cards = h('div', { class: 'p304-cards' },
		card('Pré-notifié', formatEuros(n.prenotified_eur), plural(n.participants, 'participant', 'participants')),
		card('Besoins exprimés', formatEuros(n.needs_eur), `${plural(n.n_answered, 'réponse', 'réponses')}, ${n.n_no_answer} sans réponse, ${n.n_late} hors délai`),
		card('Crédits disponibles', formatEuros(n.available_eur), ''),
		card('Notifié', formatEuros(n.notified_eur), `${plural(n.n_topped_up, 'complété', 'complétés')}, ${plural(n.n_reduced, 'réduit', 'réduits')}, ${plural(n.n_capped, 'plafonné', 'plafonnés')}`),
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
}

// ------------------------------------------------------------------ sweep
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
			` (graine ${s.seed}) : chaque pondération bouge d'au plus ±${formatNumber(o.weight_points, null)} points (ramenées à 100 %), chaque donnée d'au plus ±${formatNumber(o.data_pct, null)} %`,
			bounds.length ? ', ' + bounds.join(', ') : '', `. ${s.infeasible ? s.infeasible + ' variantes infaisables écartées.' : ''}`),
		h('h3', { class: 'fr-h5', text: 'Ce qui fait le plus bouger les montants (tornade)' }),
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

// ------------------------------------------------------------------ exports
async function runExport(format) {
	showMsg('export-msg', '');
	const kind = $('export-kind').value;
	if (format === 'scenario') {
		const blob = new Blob([JSON.stringify(S.sc, null, 2) + '\n'], { type: 'application/json' });
		save(blob, `scenario-${S.sc.id}.json`);
		return;
	}
	let body;
	if (kind === 'comparaison') {
		if (!S.refId && !S.refUpload) { showMsg('export-msg', 'Choisissez d\'abord une référence dans « 4. Comparer ».'); return; }
		try {
			body = { reference: S.refUpload ? { result: S.refUpload } : await loadScenario(S.refId), scenario: S.sc };
		} catch (err) {
			showMsg('export-msg', err.message);
			return;
		}
	} else if (kind === 'notification') {
		if (!S.needsForm) { showMsg('export-msg', 'Calculez d\'abord la notification dans « 5. Besoins et notification ».'); return; }
		body = new FormData();
		body.append('scenario', new Blob([JSON.stringify(S.needsForm.sc)], { type: 'application/json' }), 'scenario.json');
		body.append('needs', S.needsForm.file, S.needsForm.file.name);
		if (S.needsForm.caps) body.append('caps', S.needsForm.caps, S.needsForm.caps.name);
	} else body = S.sc;
	const apiKind = { repartition: 'allocate', comparaison: 'compare', notification: 'reconcile' }[kind];
	if (format === 'note' && apiKind === 'reconcile') { showMsg('export-msg', 'La note se fait sur la répartition ou la comparaison ; la notification s\'exporte en classeur, CSV ou graphique.'); return; }
	setStatus('Préparation du fichier…');
	try {
		const { blob, name } = await download(`/api/export?format=${format}&kind=${apiKind}`, body);
		save(blob, name || `${kind}.${format}`);
		setStatus(`Fichier prêt : ${name || kind}.`);
	} catch (err) {
		showMsg('export-msg', err.message);
		setStatus('L\'export a été refusé.');
	}
}

function save(blob, name) {
	const a = h('a', { href: URL.createObjectURL(blob), download: name });
	document.body.append(a);
	a.click();
	setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
}

async function saveScenario(ev) {
	ev.preventDefault();
	showMsg('save-msg', '');
	$('save-ok').hidden = true;
	const id = $('save-id').value.trim();
	if (!/^[A-Za-z0-9._-]{1,64}$/.test(id)) { showMsg('save-msg', 'Identifiant : lettres, chiffres, point, tiret ou souligné, 64 au plus.'); return; }
	const sc = structuredClone(S.sc);
	sc.id = id;
	if ($('save-title').value.trim()) sc.title = $('save-title').value.trim();
	try {
		await sendJSON('PUT', `/api/scenarios/${encodeURIComponent(id)}`, sc);
	} catch (err) {
		showMsg('save-msg', err.message);
		return;
	}
	const ok = $('save-ok');
	ok.textContent = `Scénario « ${id} » enregistré dans l'espace de travail.`;
	ok.hidden = false;
	await loadScenarioList();
}

// ------------------------------------------------------------------ loading
const cache = new Map();
async function loadScenario(id) {
	if (!cache.has(id)) cache.set(id, await getJSON(`/api/scenarios/${encodeURIComponent(id)}`));
	return structuredClone(cache.get(id));
}

async function loadScenarioList() {
	const list = (await getJSON('/api/scenarios')).scenarios;
	S.scenarios = list;
	const opt = (s) => h('option', { value: s.id, text: `${s.title || s.id}${s.origin === 'saved' ? ' (enregistré)' : ''}` });
	const group = (label, items) => items.length ? h('optgroup', { label }, items.map(opt)) : null;
	const shipped = list.filter((s) => s.origin !== 'saved'), saved = list.filter((s) => s.origin === 'saved');
	$('start').replaceChildren(...[group('Scénarios fournis', shipped), group('Scénarios enregistrés', saved)].filter(Boolean));
	$('ref').replaceChildren(h('option', { value: '', text: '— aucune référence —' }), ...[group('Scénarios fournis', shipped), group('Scénarios enregistrés', saved)].filter(Boolean));
	if (S.baseId) $('start').value = S.baseId;
	$('ref').value = S.refId;
}

async function startFrom(id, hashParams) {
	let sc;
	try {
		sc = await loadScenario(id);
	} catch (err) {
		showGlobal(`Le scénario « ${id} » ne se charge pas : ${err.message}`);
		return;
	}
	S.baseId = id;
	S.base = structuredClone(sc);
	if (hashParams) applyEdits(sc, hashParams);
	S.sc = sc;
	// 'all', a list of codes, or the name of a list file (kept as it is
	// until the officer ticks or unticks someone)
	S.participants = sc.participants === 'all' || sc.participants === undefined ? 'all'
		: Array.isArray(sc.participants) ? new Set(sc.participants) : 'file';
	S.result = null;
	$('start').value = id;
	$('save-id').value = id.endsWith('-modifie') ? id : id + '-modifie';
	$('save-title').value = sc.title || '';
	if (sc.reconciliation) {
		$('missing-answer').value = sc.reconciliation.missing_answer || 'renounce';
		$('surplus').value = sc.reconciliation.surplus || 'none';
	}
	fillForm();
	// the first allocation of a scenario runs at once (no debounce)
	const ready = readForm();
	if (ready) {
		S.sc = ready;
		markChanged();
		writeHash();
		await runAllocate();
	} else setStatus('Calcul suspendu : corrigez le champ signalé.');
}

function applyEdits(sc, p) {
	if (p.env && /^\d+$/.test(p.env)) sc.envelope_eur = Number(p.env);
	if (p.w) {
		const w = p.w.split(',').map(Number);
		if (w.length === sc.criteria.length && w.every(Number.isFinite)) sc.criteria.forEach((c, i) => { c.weight_pct = w[i]; });
	}
	for (const [k, f] of [['fl', 'floor_eur'], ['ce', 'ceiling_eur']]) {
		if (p[k] === 'non') delete sc[f];
		else if (p[k] && /^\d+$/.test(p[k])) sc[f] = Number(p[k]);
	}
	if (p.data) sc.data = p.data;
	if (p.p) sc.participants = p.p.split(',').filter(Boolean);
}

function showGlobal(text) {
	const box = $('global-error');
	box.querySelector('p').textContent = text;
	box.hidden = !text;
}

async function init() {
	initTabs();
	$('print-stamp').textContent = '';
	window.addEventListener('beforeprint', () => {
		const d = new Date();
		$('print-stamp').textContent = `Imprimé le ${d.toLocaleDateString('fr-FR')} à ${d.toLocaleTimeString('fr-FR', { hour: '2-digit', minute: '2-digit' })} — ${S.sc ? S.sc.title : ''}`;
	});
	for (const id of ['envelope', 'floor', 'ceiling']) $(id).addEventListener('input', onFormChange);
	for (const id of ['floor-on', 'ceiling-on', 'table']) $(id).addEventListener('change', onFormChange);
	for (const id of ['envelope', 'floor', 'ceiling']) $(id).addEventListener('keydown', (ev) => { if (ev.key === 'Enter') { ev.preventDefault(); onFormChange(); } });
	$('participants-search').addEventListener('input', renderParticipants);
	$('start').addEventListener('change', () => {
		if (!$('sim-banner').hidden && !confirm('Vos modifications du scénario en cours seront perdues. Continuer ?')) { $('start').value = S.baseId; return; }
		startFrom($('start').value, null);
	});
	$('reset').addEventListener('click', () => {
		if (confirm(`Revenir au scénario d'origine « ${S.base.title || S.baseId} » ? Vos modifications seront perdues.`)) startFrom(S.baseId, null);
	});
	$('rep-search').addEventListener('input', (ev) => { S.search = ev.target.value; renderTable(); });
	for (const r of document.querySelectorAll('input[name="map-mode"]')) r.addEventListener('change', (ev) => { S.mapMode = ev.target.value; renderMap(); });
	for (const r of document.querySelectorAll('input[name="cmp-sort"]')) r.addEventListener('change', (ev) => { S.cmpSort = ev.target.value; renderCompare(); });
	$('fiche-code').addEventListener('change', (ev) => select(ev.target.value || null));
	$('wf-code').addEventListener('change', () => { S.selected = $('wf-code').value; renderWaterfall(); renderFiche(); writeHash(); });
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
	$('needs-form').addEventListener('submit', runReconcile);
	$('sweep-form').addEventListener('submit', runSweep);
	$('save-form').addEventListener('submit', saveScenario);
	for (const b of document.querySelectorAll('[data-export]')) b.addEventListener('click', () => runExport(b.dataset.export));

	// a link pasted in this tab: start again from what it says (the page's
	// own updates use history.replaceState, which fires no hashchange)
	window.addEventListener('hashchange', () => location.reload());
	const hp = readHash();
	try {
		const [tables] = await Promise.all([getJSON('/api/tables'), loadScenarioList()]);
		S.tables = tables.tables || [];
		for (const r of tables.reference || []) S.reference.set(r.code, r);
	} catch (err) {
		showGlobal(`Le serveur p304 ne répond pas (${err.message}). Lancez « make serve » ou « p304 serve », puis rechargez la page.`);
		return;
	}
	getJSON('/api/contours').then((c) => { S.contours = c.contours; renderMap(); })
		.catch((err) => { S.contoursError = `Carte indisponible : ${err.message}`; renderMap(); });
	await Promise.all(S.scenarios.filter((s) => s.origin !== 'saved').map(async (s) => {
		try { S.shipped.set(s.id, await loadScenario(s.id)); } catch (_) { /* listed but unreadable: no preset */ }
	}));
	const first = hp.s && S.scenarios.some((s) => s.id === hp.s) ? hp.s
		: (S.scenarios.find((s) => s.id === '2025-national') || S.scenarios[0] || {}).id;
	if (!first) { showGlobal('Aucun scénario dans l\'espace de travail.'); return; }
	hashLock = true;
	if (hp.ref && S.scenarios.some((s) => s.id === hp.ref)) { S.refId = hp.ref; $('ref').value = hp.ref; }
	if (hp.d) S.selected = hp.d;
	await startFrom(first, hp);
	hashLock = false;
	showTab(hp.tab || 'scenario');
	renderCompare();
}

init();
