// Step 7, « Exports »: workbook, CSV, charts and note through
// /api/export, the scenario file, and saving into the workspace.

import { sendJSON, download } from './api.js';
import { S, $, showMsg, setStatus, save, loadScenario, loadScenarioList } from './state.js';

export const id = 'exports';

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


export function init() {
	$('save-form').addEventListener('submit', saveScenario);
	for (const b of document.querySelectorAll('[data-export]')) b.addEventListener('click', () => runExport(b.dataset.export));
}
