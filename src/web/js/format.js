// French number formatting and parsing for the workbench page.
// Display uses a no-break space (U+00A0) as the thousands separator and a
// comma as the decimal mark: "70 000 000 €", "28,5 %", "−1 234,5".
// Parsing never guesses: an input that could mean two things is refused with
// a message saying what was expected.

export const NBSP = '\u00a0';
const MINUS = '\u2212'; // typographic minus sign

// Groups the digits of a non-negative integer string by three.
function group(digits) {
	let out = '';
	for (let i = 0; i < digits.length; i++) {
		if (i > 0 && (digits.length - i) % 3 === 0) out += NBSP;
		out += digits[i];
	}
	return out;
}

// formatNumber(-1234.5, 1) -> "−1 234,5". decimals: fixed count of decimals
// (rounded half away from zero on the decimal value); null = as needed, up to 6.
export function formatNumber(x, decimals = 0) {
	if (x === null || x === undefined || Number.isNaN(x)) return '—';
	if (!Number.isFinite(x)) return x > 0 ? '∞' : MINUS + '∞';
	let s;
	if (decimals === null) {
		s = Math.abs(x).toFixed(6).replace(/\.?0+$/, '');
	} else {
		// toFixed rounds binary values (1.005 -> "1.00"); add a tiny relative
		// nudge so that decimal ties round away from zero as officers expect.
		const a = Math.abs(x);
		s = (a + a * 1e-15).toFixed(decimals);
	}
	const neg = x < 0 && /[1-9]/.test(s);
	const [ip, fp] = s.split('.');
	return (neg ? MINUS : '') + group(ip) + (fp ? ',' + fp : '');
}

export function formatEuros(x) {
	if (x === null || x === undefined || Number.isNaN(x)) return '—';
	return formatNumber(x, 0) + NBSP + '€';
}

// Signed amount for changes: "+1 234 €", "−1 234 €", "0 €".
export function formatDeltaEuros(x) {
	if (x === null || x === undefined || Number.isNaN(x)) return '—';
	return (x > 0 ? '+' : '') + formatEuros(x);
}

export function formatPct(x, decimals = 1) {
	if (x === null || x === undefined || Number.isNaN(x)) return '—';
	return formatNumber(x, decimals) + NBSP + '%';
}

export function formatDeltaPct(x, decimals = 1) {
	if (x === null || x === undefined || Number.isNaN(x)) return '—';
	const s = formatPct(x, decimals);
	return (x > 0 && /[1-9]/.test(s) ? '+' : '') + s;
}

// Removes every kind of space (normal, no-break, narrow no-break, thin).
const SPACES = /[\s\u00a0\u202f\u2009]/g;

// Parses a decimal written the French way ("28,5", "28.5") into an exact
// scaled integer: {int: BigInt, scale: number of decimals}. null if not a number.
function parseDecimal(s) {
	const m = /^(\d+)(?:[.,](\d+))?$/.exec(s);
	if (!m) return null;
	const frac = m[2] || '';
	return { int: BigInt(m[1] + frac), scale: frac.length };
}

// parseEuros("77 000 000") -> {ok: true, value: 77000000}
// parseEuros("77 M€") -> {ok: true, value: 77000000}
// Refused, with a message: negative, cents, irregular digit groups, a single
// dot or comma followed by three digits (thousands or decimals?), letters.
export function parseEuros(text) {
	const raw = String(text ?? '').trim();
	if (raw === '') return { ok: false, message: 'montant vide : écrivez un nombre d\'euros, par exemple 70 000 000 ou 70 M€' };
	let s = raw.replace(/(€|euros?|EUR)$/i, '').trim();
	if (/^[-−]/.test(s)) return { ok: false, message: `« ${raw} » : un montant ne peut pas être négatif` };
	let mult = 1n, unit = '';
	const um = /^(.*?)[\s\u00a0\u202f]*(Md|milliards?|M|millions?|k|K|milliers?)$/.exec(s);
	if (um) {
		s = um[1];
		unit = um[2];
		mult = /^Md|^milliard/.test(unit) ? 1000000000n : /^M|^million/.test(unit) ? 1000000n : 1000n;
		const d = parseDecimal(s.replace(SPACES, ''));
		if (!d) return { ok: false, message: `« ${raw} » n'est pas compris : écrivez par exemple 77 M€, 77,5 M€ ou 77 000 000` };
		const scaled = d.int * mult;
		const div = 10n ** BigInt(d.scale);
		if (scaled % div !== 0n) return { ok: false, message: `« ${raw} » ne tombe pas sur un euro entier` };
		return finish(raw, scaled / div);
	}
	// No unit: an integer number of euros, digits grouped by three with spaces
	// (or dots, at least two of them), optional ",00".
	let cents = '';
	const cm = /^(.*?),(\d{1,2})$/.exec(s);
	if (cm && !/[.]/.test(cm[1])) {
		s = cm[1];
		cents = cm[2];
		if (!/^0+$/.test(cents)) return { ok: false, message: `« ${raw} » : l'enveloppe se compte en euros entiers (pas de centimes)` };
	}
	if (/[^\d\s\u00a0\u202f\u2009.,]/.test(s)) return { ok: false, message: `« ${raw} » n'est pas un montant : écrivez des chiffres (70 000 000) ou une unité M€ / k€` };
	let digits;
	if (/^\d+$/.test(s)) {
		digits = s;
	} else if (/^\d{1,3}([\s\u00a0\u202f\u2009]\d{3})+$/.test(s)) {
		digits = s.replace(SPACES, '');
	} else if (/^\d{1,3}(\.\d{3}){2,}$/.test(s)) {
		digits = s.replace(/\./g, '');
	} else if (/^\d{1,3}[.,]\d{3}$/.test(s)) {
		return { ok: false, message: `« ${raw} » est ambigu (milliers ou décimales ?) : écrivez ${s.replace(/[.,]/, ' ')} pour des euros, ou ajoutez l'unité (${s.replace('.', ',')} M€)` };
	} else {
		return { ok: false, message: `« ${raw} » n'est pas compris : groupez les chiffres par trois (77 000 000) ou écrivez 77 M€` };
	}
	return finish(raw, BigInt(digits));
}

function finish(raw, big) {
	if (big > BigInt(Number.MAX_SAFE_INTEGER)) return { ok: false, message: `« ${raw} » est trop grand` };
	return { ok: true, value: Number(big) };
}

// parsePct("28,5") -> {ok: true, value: 28.5, micro: 28500000}
// micro: the value in millionths of a percent, exact, to check a sum of 100.
export function parsePct(text) {
	const raw = String(text ?? '').trim();
	const s = raw.replace(/%$/, '').replace(SPACES, '');
	if (s === '') return { ok: false, message: 'pondération vide : écrivez un pourcentage, par exemple 28,5' };
	if (/^[-−]/.test(s)) return { ok: false, message: `« ${raw} » : une pondération ne peut pas être négative` };
	const d = parseDecimal(s);
	if (!d) return { ok: false, message: `« ${raw} » n'est pas un pourcentage : écrivez par exemple 28,5` };
	if (d.scale > 6) return { ok: false, message: `« ${raw} » : six décimales au plus` };
	const micro = d.int * 10n ** BigInt(6 - d.scale);
	if (micro > 100000000n) return { ok: false, message: `« ${raw} » dépasse 100 %` };
	return { ok: true, value: Number(micro) / 1e6, micro: Number(micro) };
}

// Percentage change from a to b, or a word when it has no finite value.
export function pctChange(a, b) {
	if (a === 0 && b === 0) return 0;
	if (!a) return null; // "nouveau" handled by the caller
	return (b - a) / a * 100;
}

// Text for numbers written by code into inputs (no grouping character that a
// later parse would trip on; spaces are normal spaces here).
export function inputEuros(x) {
	return formatNumber(x, 0).replace(/\u00a0/g, ' ');
}
export function inputPct(x) {
	return formatNumber(x, null);
}
