// Shared by every step of the workbench page: the state, the DOM helpers,
// the French words of the library's codes, the URL hash, and a small event
// list through which one step asks the others to redraw (a step never calls
// another step's renderer: adding a step is a new module plus one line in
// app.js's STEPS, and the others are untouched).

import { getJSON } from './api.js';

/* French plural: the singular for 0 and 1 (« 0 gagnant », « 1 gagnant », « 2 gagnants »). */
export const plural = (n, one, many) => `${n} ${n > 1 ? many : one}`;

export const $ = (id) => document.getElementById(id);
export const h = (tag, attrs = {}, ...kids) => {
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

// The tabs, in order: app.js fills this from its STEPS list.
export const TABS = [];
export const STATUS_FR = { free: 'selon la clé', floor: 'au plancher', ceiling: 'au plafond', absent: 'absent' };
export const REASON_FR = {
	as_prenotified: 'montant pré-notifié', need_below: 'besoin inférieur au pré-notifié',
	need_above: 'besoin supérieur au pré-notifié', capped: 'demande plafonnée (montant délégué)',
	no_answer: 'sans réponse', late: 'réponse hors délai', reduced: 'réduit (crédits insuffisants)',
	topped_up: 'complété (reliquat)',
};
export const FACTOR_FR = {
	envelope: 'Enveloppe', weights: 'Pondérations', data: 'Données', participants: 'Participants',
	bounds: 'Bornes', rounding: 'Arrondi',
};

export const S = {
	scenarios: [], shipped: new Map(), tables: [], reference: new Map(), contours: null,
	base: null, baseId: null, sc: null, result: null, seq: 0, abort: null,
	refId: '', refUpload: null, cmp: null, cmpSort: 'eur',
	selected: null, tab: 'scenario', sort: { key: 'amount', dir: 'descending' }, search: '',
	mapMode: 'amount', participants: null, notif: null, needsFile: null, sweep: null,
	inputs: { envelope: null, weights: [], floor: null, ceiling: null }, hashLock: false,
};


// ------------------------------------------------------------------ events
// 'result' (a new allocation), 'compare' (a new comparison or none),
// 'select' (a participant chosen), 'show' (a tab shown, with its name),
// 'contours' (the map outlines arrived), 'ready' (the first scenario ran),
// 'ledger' (the campaign ledger was written: a round recorded, a table imported).
// Handlers run in the order the steps registered them (app.js's STEPS).
const handlers = new Map();
export function on(event, fn) {
	if (!handlers.has(event)) handlers.set(event, []);
	handlers.get(event).push(fn);
}
export function emit(event, ...args) {
	for (const fn of handlers.get(event) || []) fn(...args);
}

// ------------------------------------------------------------------ helpers
export function showMsg(id, text) {
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

export function setStatus(text) { $('status').textContent = text; }

export function alertBox(kind, title, items) {
	return h('div', { class: `fr-alert fr-alert--${kind} fr-alert--sm fr-mt-2w`, role: kind === 'error' ? 'alert' : null },
		h('p', { class: 'fr-alert__title p304-alert-title', text: title }),
		items && items.length ? h('ul', { class: items.length > 3 ? 'p304-alert-list fr-text--sm' : 'p304-alert-list' }, items.map((t) => h('li', { text: t }))) : null);
}

export function debounce(fn, ms) {
	let t = null;
	return (...a) => { clearTimeout(t); t = setTimeout(() => fn(...a), ms); };
}

export function nameOf(code) {
	const r = S.reference.get(code);
	return r ? r.name : '';
}

// CTCD codings: what an authority is made of, or what replaced it.
export function codingNote(ref) {
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
export function showTab(name, focus) {
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
	emit('show', name);
}


export function initTabs() {
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
export function readHash() {
	const p = new URLSearchParams(location.hash.slice(1));
	return Object.fromEntries(p.entries());
}

export function writeHash() {
	if (S.hashLock || !S.baseId) return;
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
		if (S.titleTyped) p.set('t', S.sc.title);
		if (JSON.stringify(S.sc.participants) !== JSON.stringify(S.base.participants) && Array.isArray(S.sc.participants))
			p.set('p', S.sc.participants.join(','));
	}
	const h2 = '#' + p.toString();
	if (h2 !== location.hash) history.replaceState(null, '', h2);
}


// ------------------------------------------------------------------ shared by several steps
export function columnLabel(col) {
	for (const t of S.tables) for (const s of t.sources || []) if (s.column === col && s.label) return s.label;
	return col;
}


export function factorLabel(k) {
	if (k.startsWith('data:')) return 'Données : ' + columnLabel(k.slice(5));
	return FACTOR_FR[k] || k;
}


export function card(title, value, detail, id) {
	return h('div', { class: 'p304-card', id },
		h('p', { class: 'p304-card__title', text: title }),
		h('p', { class: 'p304-card__value', text: value }),
		detail ? h('p', { class: 'p304-card__detail', text: detail }) : null);
}


// A participant chosen in the table, on the map, in the fiche's list or in
// the comparison: every step that shows it redraws.
export function select(code, tab) {
	S.selected = code;
	if (tab) showTab(tab);
	emit('select', code);
	writeHash();
}

export function save(blob, name) {
	const a = h('a', { href: URL.createObjectURL(blob), download: name });
	document.body.append(a);
	a.click();
	setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
}


// ------------------------------------------------------------------ loading
const cache = new Map();
export async function loadScenario(id) {
	if (!cache.has(id)) cache.set(id, await getJSON(`/api/scenarios/${encodeURIComponent(id)}`));
	return structuredClone(cache.get(id));
}

export async function loadScenarioList() {
	const list = (await getJSON('/api/scenarios')).scenarios;
	S.scenarios = list;
	// the id first (« 2025 national », « 2025 avec bornes 2020 »): two titles
	// that begin alike read differently in a closed list (issue 21)
	const opt = (s) => h('option', { value: s.id, text: `${s.origin === 'saved' ? s.title || s.id : `${s.id.replace(/-/g, ' ')} — ${s.title || s.id}`}${s.origin === 'saved' ? ' (enregistré)' : ''}` });
	const group = (label, items) => items.length ? h('optgroup', { label }, items.map(opt)) : null;
	const shipped = list.filter((s) => s.origin !== 'saved'), saved = list.filter((s) => s.origin === 'saved');
	$('start').replaceChildren(...[group('Scénarios fournis', shipped), group('Scénarios enregistrés', saved)].filter(Boolean));
	$('ref').replaceChildren(h('option', { value: '', text: '— aucune référence —' }), ...[group('Scénarios fournis', shipped), group('Scénarios enregistrés', saved)].filter(Boolean));
	if (S.baseId) $('start').value = S.baseId;
	$('ref').value = S.refId;
}


export function showGlobal(text) {
	const box = $('global-error');
	box.querySelector('p').textContent = text;
	box.hidden = !text;
}


// The allocation's warnings in an officer's words (issue 21: no column
// names, no file:line outside « détails »). An imputation reads
// « Guyane (973) : « Ménages pauvres » est une valeur estimée à partir de
// « Enfants de 0 à 19 ans » (31 891, rapport des totaux nationaux) ».
export function warningInWords(w, result) {
	const m = /^(\S+) \((.*)\) : '(\w+)' imputé à (\d+) = '(\w+)' (\d+) × ([\d,]+) \((.*)\)$/.exec(w);
	if (m) {
		const [, code, name, col, value, from] = m;
		return `${name} (${code}) : « ${columnLabel(col)} » est une valeur estimée à partir de « ${columnLabel(from)} » (${Number(value).toLocaleString('fr-FR')}, en appliquant le rapport des deux totaux nationaux).`;
	}
	const x = /^(\S+) \((.*)\) exclu/.exec(w);
	const ex = x && result && (result.excluded || []).find((e) => e.code === x[1]);
	if (ex) return `${ex.name} (${ex.code}) n'est pas dans la répartition : la table ne donne pas ${ex.missing.map((c) => `« ${columnLabel(c)} »`).join(' ni ')}.`;
	return w.replace(/ \([^()]*\.csv:\d+\)/g, '').replace(/'(\w+)'/g, (_, c) => `« ${columnLabel(c)} »`);
}

// A shipped starting point whose table lacks its criteria (FIR and ONDAM
// 2020) is shown disabled, with what it needs, instead of failing on
// « colonnes introuvables » once chosen (issue 21).
export function markUnavailable() {
	const notes = [];
	for (const [id, sc] of S.shipped) {
		const file = String(sc.data || '').split('/').pop();
		const table = S.tables.find((t) => t.file === file || t.id === sc.data);
		const missing = table ? sc.criteria.map((c) => c.column).filter((c) => !(table.columns || []).includes(c)) : [];
		if (!missing.length) continue;
		for (const sel of ['start', 'ref']) {
			const o = [...$(sel).options].find((x) => x.value === id);
			if (o) { o.disabled = true; o.textContent += ' — indisponible (données manquantes)'; }
		}
		notes.push(`« ${sc.title} » n'est pas proposé : la table ${file} n'a pas ${missing.length > 1 ? 'les colonnes' : 'la colonne'} ${missing.join(', ')}. ${sc.description || ''}`);
	}
	const box = $('start-unavailable');
	if (box) { box.replaceChildren(...notes.map((n) => h('li', { text: n }))); box.hidden = !notes.length; }
}
