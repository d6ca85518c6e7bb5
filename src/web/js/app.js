// The p304 workbench page: scenario editing, allocation, map, fiche,
// comparison, notification, sweep and exports, all through the p304 serve
// API (docs/api.md). Every figure shown is the library's; the page only
// formats, sorts and adds up for display.
//
// One ES module per step (step-*.js, each exporting its tab id and init),
// shared state and helpers in state.js; no bundler. Adding a step: its
// module, its line in STEPS, and its tab and panel in index.html.

import { getJSON } from './api.js';
import { S, $, TABS, emit, initTabs, showTab, readHash, loadScenario, loadScenarioList, showGlobal, markUnavailable } from './state.js';
import * as scenario from './step-scenario.js';
import * as repartition from './step-repartition.js';
import * as fiche from './step-fiche.js';
import * as comparer from './step-comparer.js';
import * as besoins from './step-besoins.js';
import * as campagne from './step-campagne.js';
import * as sensibilite from './step-sensibilite.js';
import * as exports from './step-exports.js';

// The tabs in their order on the page; each step registers its own
// listeners and its handlers of the shared events in this order.
const STEPS = [scenario, repartition, fiche, comparer, besoins, campagne, sensibilite, exports];

async function init() {
	TABS.push(...STEPS.map((s) => s.id));
	initTabs();
	$('print-stamp').textContent = '';
	window.addEventListener('beforeprint', () => {
		const d = new Date();
		$('print-stamp').textContent = `Imprimé le ${d.toLocaleDateString('fr-FR')} à ${d.toLocaleTimeString('fr-FR', { hour: '2-digit', minute: '2-digit' })} — ${S.sc ? S.sc.title : ''}`;
	});
	for (const step of STEPS) step.init();

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
	getJSON('/api/contours').then((c) => { S.contours = c.contours; emit('contours'); })
		.catch((err) => { S.contoursError = `Carte indisponible : ${err.message}`; emit('contours'); });
	await Promise.all(S.scenarios.filter((s) => s.origin !== 'saved').map(async (s) => {
		try { S.shipped.set(s.id, await loadScenario(s.id)); } catch (_) { /* listed but unreadable: no preset */ }
	}));
	markUnavailable();
	const first = hp.s && S.scenarios.some((s) => s.id === hp.s) ? hp.s
		: (S.scenarios.find((s) => s.id === '2025-national') || S.scenarios[0] || {}).id;
	if (!first) { showGlobal('Aucun scénario dans l\'espace de travail.'); return; }
	S.hashLock = true;
	if (hp.ref && S.scenarios.some((s) => s.id === hp.ref)) { S.refId = hp.ref; $('ref').value = hp.ref; }
	if (hp.d) S.selected = hp.d;
	await scenario.startFrom(first, hp);
	S.hashLock = false;
	showTab(hp.tab || 'scenario');
	emit('ready');
}

init();
