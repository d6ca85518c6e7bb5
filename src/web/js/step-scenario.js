// Step 1, « Scénario »: the scenario form (envelope, weights, floor and
// ceiling, table, participants), its local checks, and the debounced
// POST /api/allocate whose result every other step draws ('result' event).

import { ApiError, sendJSON, getFile } from './api.js';
import { formatEuros, formatNumber, parseEuros, parsePct, inputEuros, inputPct, NBSP } from './format.js';
import {
	S, $, h, on, emit, showMsg, setStatus, debounce, codingNote, columnLabel, writeHash, loadScenario, showGlobal,
} from './state.js';
import { changesOf, derivedTitle, idFromTitle } from './naming.js';

export const id = 'scenario';

function tableOf(sc) {
	const file = String(sc.data || '').split('/').pop();
	return S.tables.find((t) => t.id === sc.data || t.file === sc.data || String(t.file).split('/').pop() === file) || null;
}


/* « INSEE, réf. 01/01/2022 » under a weight: where the criterion comes
 * from, never its column name (issue 21). */
function columnProvenance(sc, col) {
	const t = tableOf(sc);
	const s = t && (t.sources || []).find((x) => x.column === col);
	return s ? [s.producer, s.reference_date ? `réf. ${s.reference_date}` : ''].filter(Boolean).join(', ') : '';
}

function fillForm() {
	const sc = S.sc;
	$('sc-title').value = sc.title || '';
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
			h('label', { class: 'fr-label', for: id }, columnLabel(c.column), h('span', { class: 'fr-hint-text', id: id + '-src', text: columnProvenance(sc, c.column) })),
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
	if (ok) nameScenario(sc);
	return ok ? sc : null;
}

/* The sentences of a description about data gaps (imputed, excluded),
 * without a figure of the envelope: they stay true of a modified scenario
 * on the same tables. */
function dataNotes(desc) {
	return String(desc || '').split(/(?<=\.)\s+(?=[A-ZÉ])/)
		.filter((x) => /trous de données|imput|exclu/i.test(x) && !/M€|€/.test(x));
}

/* The title and id of what is computed: the base's while nothing changed,
 * the officer's title once written, else one derived from the parameters;
 * the id always follows the title of a modified scenario (never the old
 * id in a file name). */
function nameScenario(sc) {
	const typed = $('sc-title').value.trim();
	const changes = changesOf(sc, S.base);
	const modified = changes.length > 0;
	// the base's description speaks of the base's figures (« L'enveloppe de
	// 70 M€ est une HYPOTHÈSE »): a modified scenario says where it comes
	// from and what changed, never an old figure (issue 21)
	// ... but keeps what the base says of its data (« Trous de données : …
	// imputés …, Mayotte exclue »): the tables are the same (issue 21)
	if (modified) sc.description = [`Établi sur le poste de travail à partir du scénario ${S.baseId} ; modifié : ${changes.join(', ')}.`, ...dataNotes(S.base.description)].join(' ');
	else if (S.base.description !== undefined) sc.description = S.base.description;
	else delete sc.description;
	if (S.titleTyped && typed) {
		sc.title = typed;
		sc.id = typed === S.base.title && !modified ? S.baseId : idFromTitle(typed);
	} else if (modified) {
		const t = tableOf(sc);
		const n = Array.isArray(sc.participants) ? sc.participants.length : null;
		sc.title = derivedTitle(sc, t && t.vintage, n, changes.includes('pondérations'));
		sc.id = idFromTitle(sc.title);
		$('sc-title').value = sc.title;
	} else {
		sc.title = S.base.title;
		sc.id = S.baseId;
		$('sc-title').value = sc.title || '';
	}
	$('sc-title-hint').textContent = S.titleTyped && typed ? `Identifiant : ${sc.id}`
		: modified ? `Titre tiré des paramètres (identifiant : ${sc.id}) ; écrivez le vôtre pour le remplacer.`
		: 'Repris dans les fichiers exportés, la note et l\'enregistrement.';
}

// The scenario files name their table "../data/<file>": keep that form so
// an exported scenario runs with the CLI next to the shipped ones.
function dataPathFor(t) {
	const f = t.file || t.id;
	return f.includes('/') ? f : '../data/' + f;
}

function markChanged() {
	if (!S.base || !S.sc) return;
	const mark = (id, changed) => { const e = $(id); if (e) e.classList.toggle('p304-changed', changed); };
	const changes = changesOf(S.sc, S.base);
	mark('envelope', changes.includes('enveloppe'));
	S.sc.criteria.forEach((c, i) => mark('w-' + i, c.weight_pct !== S.base.criteria[i].weight_pct));
	mark('floor', changes.includes('plancher'));
	mark('ceiling', changes.includes('plafond'));
	mark('table', changes.includes('table des critères'));
	$('sim-banner').hidden = changes.length === 0;
	$('sim-changes').textContent = changes.length
		? `nouveau scénario « ${S.sc.title} », modifié depuis le point de départ : ${changeWords(S.sc, S.base, changes)}.` : '';
}

/* « enveloppe 70 000 000 € → 72 000 000 € »: the figures themselves, never
 * the old title (which may say « 70 M€ »). */
function changeWords(sc, base, changes) {
	const bound = (v) => (v === undefined || v === null ? 'aucun' : formatEuros(v));
	return changes.map((c) => c === 'enveloppe' ? `enveloppe ${formatEuros(base.envelope_eur)} → ${formatEuros(sc.envelope_eur)}`
		: c === 'plancher' ? `plancher ${bound(base.floor_eur)} → ${bound(sc.floor_eur)}`
		: c === 'plafond' ? `plafond ${bound(base.ceiling_eur)} → ${bound(sc.ceiling_eur)}`
		: c === 'pondérations' ? `pondérations ${base.criteria.map((x) => formatNumber(x.weight_pct, null)).join(' / ')} → ${sc.criteria.map((x) => formatNumber(x.weight_pct, null)).join(' / ')}${NBSP}%`
		: c).join(', ');
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
				note ? h('span', { class: 'fr-hint-text', text: note }) : null,
				excludedNote(code))));
	}
	updateCount();
}

/* Said next to the box of a participant left out for missing data
 * (Mayotte in the 2025 table), not only in a warning elsewhere. */
function excludedNote(code) {
	const ex = S.result && (S.result.excluded || []).find((e) => e.code === code);
	return ex ? h('span', { class: 'fr-hint-text p304-excluded', id: `p-${code}-excluded`, text: `exclu du calcul : la table ne donne pas ${ex.missing.map((c) => `« ${columnLabel(c)} »`).join(' ni ')}` }) : null;
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
		// the file and line are for whoever opens the file: in « détails »
		box.replaceChildren(h('p', { text: err.message.replace(/^[\w.-]+\.(json|csv)(:\d+)?: /, '') }));
		if (err.file) box.append(h('details', { class: 'fr-text--xs' }, h('summary', { text: 'détails' }), `${err.file}${err.line ? ', ligne ' + err.line : ''}`));
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
	emit('result');
}


export async function startFrom(id, hashParams) {
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
	S.titleTyped = false;
	if (sc.reconciliation) {
		$('missing-answer').value = sc.reconciliation.missing_answer || 'renounce';
		$('surplus').value = sc.reconciliation.surplus || 'none';
	}
	fillForm();
	if (hashParams && hashParams.t) { $('sc-title').value = hashParams.t; S.titleTyped = true; }
	// the first allocation of a scenario runs at once (no debounce)
	const ready = readForm();
	if (ready) {
		S.sc = ready;
		markChanged();
		writeHash();
		await runAllocate();
		await restoreNeeds(id, sc);
	} else setStatus('Calcul suspendu : corrigez le champ signalé.');
}

/* A round saved with its needs file (issue 21) reopens with them: the file
 * is put back in « 5. Besoins et notification » with the choices saved in
 * the scenario, and the notification is computed again from it. */
async function restoreNeeds(id, sc) {
	const entry = S.scenarios.find((s) => s.id === id && s.origin === 'saved');
	if (!entry || !entry.needs) return;
	const path = `/api/scenarios/${encodeURIComponent(id)}?part=`;
	let needs, caps = null;
	try {
		needs = await getFile(path + 'needs', `besoins-${id}.csv`);
		if (entry.caps) caps = await getFile(path + 'caps', `plafonds-${id}.csv`);
	} catch (err) {
		showMsg('needs-msg', `Le fichier des besoins enregistré avec « ${sc.title || id} » ne se relit pas : ${err.message}`);
		return;
	}
	const put = (input, file) => { const dt = new DataTransfer(); if (file) dt.items.add(file); $(input).files = dt.files; };
	put('caps-file', caps);
	const pol = sc.reconciliation || {};
	$('available').value = pol.available_eur && pol.available_eur !== sc.envelope_eur ? formatEuros(pol.available_eur) : '';
	$('deadline').value = pol.deadline || '';
	put('needs-file', needs);
	// step 5 computes the notification when a file is chosen
	$('needs-file').dispatchEvent(new Event('change'));
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


export function init() {
	for (const id of ['envelope', 'floor', 'ceiling']) $(id).addEventListener('input', onFormChange);
	for (const id of ['floor-on', 'ceiling-on', 'table']) $(id).addEventListener('change', onFormChange);
	for (const id of ['envelope', 'floor', 'ceiling']) $(id).addEventListener('keydown', (ev) => { if (ev.key === 'Enter') { ev.preventDefault(); onFormChange(); } });
	$('participants-search').addEventListener('input', renderParticipants);
	$('sc-title').addEventListener('input', () => { S.titleTyped = $('sc-title').value.trim() !== ''; onFormChange(); });
	$('start').addEventListener('change', () => {
		if (!$('sim-banner').hidden && !confirm('Vos modifications du scénario en cours seront perdues. Continuer ?')) { $('start').value = S.baseId; return; }
		startFrom($('start').value, null);
	});
	$('reset').addEventListener('click', () => {
		if (confirm(`Revenir au scénario d'origine « ${S.base.title || S.baseId} » ? Vos modifications seront perdues.`)) startFrom(S.baseId, null);
	});
}
