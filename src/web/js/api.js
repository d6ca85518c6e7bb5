// Calls to the p304 serve JSON API (docs/api.md). Every error of the API
// comes back as an ApiError carrying the server's French message and, when
// the server knows it, the field at fault.

export class ApiError extends Error {
	constructor(status, body) {
		const e = (body && body.error) || {};
		super(e.message || `erreur ${status} du serveur`);
		this.status = status;
		this.code = e.code || null;
		this.field = e.field || null;
		this.file = e.file || null;
		this.line = e.line || null;
	}
}

async function check(resp) {
	if (resp.ok) return resp;
	let body = null;
	try {
		body = await resp.json();
	} catch (_) {
		body = null;
	}
	throw new ApiError(resp.status, body);
}

export async function getJSON(path) {
	const resp = await check(await fetch(path, { headers: { Accept: 'application/json' }, cache: 'no-store' }));
	return resp.json();
}

export async function sendJSON(method, path, data, signal) {
	const resp = await check(await fetch(path, {
		method,
		headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
		// pretty-printed: the server's error lines then point at one key
		body: JSON.stringify(data, null, 2),
		signal,
	}));
	return resp.json();
}

export async function postForm(path, form, signal, method = 'POST') {
	const resp = await check(await fetch(path, { method, body: form, signal }));
	return resp.json();
}

// A file the server keeps (the needs saved with a scenario), as a File.
export async function getFile(path, name) {
	const resp = await check(await fetch(path, { cache: 'no-store' }));
	return new File([await resp.blob()], name, { type: 'text/csv' });
}

// Asks for a download; returns {blob, name} (the French file name the server
// gives in Content-Disposition).
export async function download(path, data) {
	const init = { method: 'POST', headers: {} };
	if (data instanceof FormData) {
		init.body = data;
	} else {
		init.headers['Content-Type'] = 'application/json';
		init.body = JSON.stringify(data, null, 2);
	}
	const resp = await check(await fetch(path, init));
	const cd = resp.headers.get('Content-Disposition') || '';
	let name = null;
	const star = /filename\*=UTF-8''([^;]+)/i.exec(cd);
	const plain = /filename="?([^";]+)"?/i.exec(cd);
	if (star) name = decodeURIComponent(star[1]);
	else if (plain) name = plain[1];
	return { blob: await resp.blob(), name, type: resp.headers.get('Content-Type') };
}
