// Step 8, « Exports »: workbook, CSV, charts and note through
// /api/export, the scenario file, and saving into the workspace.

import { sendJSON, postForm, download } from './api.js';
import { S, $, h, on, showMsg, setStatus, save, loadScenario, loadScenarioList, writeHash, markUnavailable, nameOf } from './state.js';
import { idFromTitle } from './naming.js';

export const id = 'exports';

async function runExport(format, chart) {
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
	// the note, the same as `p304 note` (POST /api/note), in Word, LibreOffice or HTML
	const note = { docx: 'docx', odt: 'odt', note: 'html' }[format];
	let address = note ? `/api/note?format=${note}&kind=${apiKind}` : `/api/export?format=${format}&kind=${apiKind}`;
	if (chart) address += `&chart=${chart.chart}${chart.code ? `&code=${encodeURIComponent(chart.code)}` : ''}`;
	setStatus(note ? 'Préparation de la note (graphiques compris, quelques secondes)…' : chart ? 'Préparation du graphique…' : 'Préparation du fichier…');
	try {
		const { blob, name } = await download(address, body);
		save(blob, name || `${kind}.${format}`);
		setStatus(`Fichier prêt : ${name || kind}.`);
	} catch (err) {
		showMsg('export-msg', err.message);
		setStatus('L\'export a été refusé.');
	}
}

/* « Graphiques »: one button per chart of what « Contenu exporté » names
 * (issue 21: the map, the bars and, for a comparison, the waterfall of the
 * participant chosen in « 4. Comparer »), each its own file. */
function chartsOf(kind) {
	if (kind === 'comparaison') {
		const code = $('wf-code').value || S.selected;
		const list = [{ chart: 'map', label: 'Carte des variations' }, { chart: 'compare', label: 'Plus fortes hausses et baisses' }];
		if (code) list.push({ chart: 'waterfall', code, label: `Décomposition de l'écart : ${nameOf(code) || code}` });
		return list;
	}
	if (kind === 'notification') return [{ chart: 'map', label: 'Carte des montants notifiés' }, { chart: 'reconcile', label: 'Pré-notifié, besoin et notifié' }];
	return [{ chart: 'map', label: 'Carte des montants' }, { chart: 'bars', label: 'Montant de chaque participant (barres)' }];
}

function renderChartButtons() {
	$('chart-buttons').replaceChildren(...chartsOf($('export-kind').value).map((c, i) => h('li', {},
		h('button', { type: 'button', class: `fr-btn ${i ? 'fr-btn--secondary ' : ''}fr-icon-download-line`, 'data-export': 'chart', 'data-chart': c.chart,
			onclick: () => runExport('chart', c) }, c.label))));
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
	// the needs file of the notification computed here is saved with the
	// scenario, and the notification's choices in it: reopened, the round
	// gives its notification back without reloading the file (issue 21)
	const nf = S.needsForm;
	if (nf) sc.reconciliation = structuredClone(nf.sc.reconciliation);
	try {
		if (nf) {
			const form = new FormData();
			form.append('scenario', new Blob([JSON.stringify(sc, null, 2)], { type: 'application/json' }), 'scenario.json');
			form.append('needs', nf.file, nf.file.name);
			if (nf.caps) form.append('caps', nf.caps, nf.caps.name);
			await postForm(`/api/scenarios/${encodeURIComponent(id)}`, form, undefined, 'PUT');
		} else await sendJSON('PUT', `/api/scenarios/${encodeURIComponent(id)}`, sc);
	} catch (err) {
		showMsg('save-msg', err.message);
		return;
	}
	// what was saved is now the scenario in hand: no « modifications
	// perdues » right after saving
	S.base = structuredClone(sc);
	S.baseId = id;
	S.sc = sc;
	// the notification computed before saving is the same scenario: its
	// exports carry the saved id and title too (issue 21)
	if (S.needsForm) S.needsForm.sc = { ...S.needsForm.sc, id: sc.id, title: sc.title, description: sc.description };
	S.titleTyped = false;
	$('sc-title').value = sc.title || '';
	S.saveEdited = false;
	S.saveIdEdited = false;
	await loadScenarioList();
	markUnavailable();
	$('sim-banner').hidden = true;
	writeHash();
	// the confirmation comes last: never beside a banner still saying
	// « modifié » while the list reloads (a slow machine showed both)
	const ok = $('save-ok');
	ok.textContent = `Scénario « ${sc.title} » enregistré dans l'espace de travail sous l'identifiant « ${id} »${nf ? `, avec le fichier des besoins « ${nf.file.name} » : en le rouvrant, la notification est recalculée sans recharger le fichier` : ''}.`;
	ok.hidden = false;
}

/* The save form follows the scenario's title until the officer edits it;
 * the id follows the title typed here (« 2026 tour 72 M€ » -> 2026-tour-72-millions). */
function fillSaveForm() {
	if (S.saveEdited || !S.sc) return;
	$('save-title').value = S.sc.title || '';
	const shipped = S.scenarios.some((s) => s.id === S.sc.id && s.origin !== 'saved');
	$('save-id').value = shipped ? idFromTitle(S.sc.title || S.sc.id) : S.sc.id;
}

export function init() {
	$('save-form').addEventListener('submit', saveScenario);
	$('save-title').addEventListener('input', () => { S.saveEdited = true; if (!S.saveIdEdited) $('save-id').value = idFromTitle($('save-title').value); });
	$('save-id').addEventListener('input', () => { S.saveEdited = true; S.saveIdEdited = true; });
	on('result', fillSaveForm);
	on('show', (name) => { if (name === 'exports') fillSaveForm(); });
	for (const b of document.querySelectorAll('[data-export]')) b.addEventListener('click', () => runExport(b.dataset.export));
	$('export-kind').addEventListener('change', renderChartButtons);
	on('compare', renderChartButtons);
	on('select', renderChartButtons);
	on('show', (name) => { if (name === 'exports') renderChartButtons(); });
	renderChartButtons();
}
