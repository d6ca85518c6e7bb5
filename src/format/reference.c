/*
 * reference.c - the reference list of authorities holding child-protection
 * powers (inputs/reference/collectivites.csv, from INSEE's official
 * geographic code). Lookups accept the canonical code or any alias, so a
 * table keyed the DREES way ("20" for Corse) loads against the INSEE way.
 */
#include <p304/format.h>

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include "gettext.h"

#include "gettext.h"

struct key {
	char code[16];
	size_t auth;
};

struct p304_reference {
	char *path;
	p304_authority *auth;
	char *strings;     /* all authority strings, one block */
	size_t n;
	struct key *keys;  /* canonical codes and aliases, sorted */
	size_t nkeys;
	atomic_long extra; /* owners beyond the first (p304_reference_ref) */
};

static const char *const COLUMNS[] = {
	"code", "nom", "region_code", "region_nom", "type",
	"valide_de", "valide_a", "codes_equivalents", "composee_de"
};
#define NCOLUMNS (sizeof(COLUMNS) / sizeof(COLUMNS[0]))

static int key_cmp(const void *a, const void *b)
{
	return strcmp(((const struct key *)a)->code, ((const struct key *)b)->code);
}

static int parse_year(const char *s, int *out)
{
	int64_t v;

	if (s[strspn(s, " ")] == '\0') {
		*out = 0;
		return 0;
	}
	if (p304_parse_decimal(s, strlen(s), 0, 9999, &v, NULL, 0) != 0 || v < 1900)
		return -1;
	*out = (int)v;
	return 0;
}

static p304_code add_key(p304_reference *ref, const char *raw, size_t len,
			 size_t auth, long line, p304_error *err)
{
	struct key *k = &ref->keys[ref->nkeys];

	if (p304_normalize_code(raw, len, k->code, sizeof(k->code)) != 0)
		return p304_error_set(err, P304_ERR_INPUT, ref->path, line,
			_("code '%.*s' is not a valid code, expected letters and digits"),
			(int)len, raw);
	k->auth = auth;
	ref->nkeys++;
	return P304_OK;
}

p304_code p304_reference_load(const char *path, p304_reference **out,
			      p304_error *err)
{
	p304_reference *ref;
	p304_csv *csv = NULL;
	p304_code rc;
	long col[NCOLUMNS];
	size_t nkeys_max = 0, total = 0;
	char *w;

	*out = NULL;
	if ((rc = p304_csv_load(path, &csv, err)) != P304_OK)
		return rc;
	ref = calloc(1, sizeof(*ref));
	if (!ref || !(ref->path = strdup(path)))
		goto nomem;
	for (size_t c = 0; c < NCOLUMNS; c++) {
		col[c] = p304_csv_find_column(csv, COLUMNS[c]);
		if (col[c] < 0) {
			char found[512];

			p304_csv_describe_columns(csv, found, sizeof(found));
			rc = p304_error_set(err, P304_ERR_INPUT, path, 1,
				_("column '%s' is missing; columns found: %s"), COLUMNS[c], found);
			goto fail;
		}
	}
	ref->n = p304_csv_nrows(csv);
	ref->auth = calloc(ref->n ? ref->n : 1, sizeof(p304_authority));
	if (!ref->auth)
		goto nomem;
	for (size_t r = 0; r < ref->n; r++) {
		const char *al = p304_csv_cell(csv, r, (size_t)col[7]);

		nkeys_max += 1 + (al[0] ? 1 : 0);
		for (const char *p = al; *p; p++)
			nkeys_max += *p == '|';
		for (size_t c = 0; c < NCOLUMNS; c++)
			total += strlen(p304_csv_cell(csv, r, (size_t)col[c])) + 16;
	}
	ref->keys = calloc(nkeys_max ? nkeys_max : 1, sizeof(struct key));
	ref->strings = malloc(total + 1);
	if (!ref->keys || !ref->strings)
		goto nomem;
	w = ref->strings;
	for (size_t r = 0; r < ref->n; r++) {
		p304_authority *a = &ref->auth[r];
		long line = p304_csv_line(csv, r);
		const char *cells[NCOLUMNS];
		const char *al;

		for (size_t c = 0; c < NCOLUMNS; c++)
			cells[c] = p304_csv_cell(csv, r, (size_t)col[c]);
		if ((rc = add_key(ref, cells[0], strlen(cells[0]), r, line, err)) != P304_OK)
			goto fail;
		a->code = strcpy(w, ref->keys[ref->nkeys - 1].code);
		w += strlen(w) + 1;
		a->name = strcpy(w, cells[1]); w += strlen(w) + 1;
		a->region_code = strcpy(w, cells[2]); w += strlen(w) + 1;
		a->region_name = strcpy(w, cells[3]); w += strlen(w) + 1;
		a->kind = strcpy(w, cells[4]); w += strlen(w) + 1;
		a->aliases = strcpy(w, cells[7]); w += strlen(w) + 1;
		a->members = strcpy(w, cells[8]); w += strlen(w) + 1;
		if (!a->name[0]) {
			rc = p304_error_set(err, P304_ERR_INPUT, path, line,
					    _("authority '%s' has no name"), a->code);
			goto fail;
		}
		if (parse_year(cells[5], &a->valid_from) || parse_year(cells[6], &a->valid_to)) {
			rc = p304_error_set(err, P304_ERR_INPUT, path, line,
				_("validity years '%s'/'%s' are not years"), cells[5], cells[6]);
			goto fail;
		}
		for (al = cells[7]; *al;) {
			size_t len = strcspn(al, "|");

			if (len && (rc = add_key(ref, al, len, r, line, err)) != P304_OK)
				goto fail;
			al += len;
			if (*al == '|')
				al++;
		}
	}
	qsort(ref->keys, ref->nkeys, sizeof(struct key), key_cmp);
	for (size_t i = 1; i < ref->nkeys; i++) {
		if (strcmp(ref->keys[i].code, ref->keys[i - 1].code) == 0) {
			rc = p304_error_set(err, P304_ERR_INPUT, path,
				p304_csv_line(csv, ref->keys[i].auth),
				_("code '%s' is used twice (lines %ld and %ld)"), ref->keys[i].code,
				p304_csv_line(csv, ref->keys[i - 1].auth),
				p304_csv_line(csv, ref->keys[i].auth));
			goto fail;
		}
	}
	p304_csv_free(csv);
	*out = ref;
	return P304_OK;
nomem:
	rc = p304_error_set(err, P304_ERR_NOMEM, path, 0, _("out of memory"));
fail:
	p304_csv_free(csv);
	p304_reference_free(ref);
	return rc;
}

p304_reference *p304_reference_ref(p304_reference *ref)
{
	if (ref)
		atomic_fetch_add(&ref->extra, 1);
	return ref;
}

void p304_reference_free(p304_reference *ref)
{
	if (!ref || atomic_fetch_sub(&ref->extra, 1) > 0)
		return;
	free(ref->path);
	free(ref->auth);
	free(ref->strings);
	free(ref->keys);
	free(ref);
}

const char *p304_reference_path(const p304_reference *ref) { return ref->path; }
size_t p304_reference_count(const p304_reference *ref) { return ref->n; }

const p304_authority *p304_reference_at(const p304_reference *ref, size_t i)
{
	return i < ref->n ? &ref->auth[i] : NULL;
}

const p304_authority *p304_reference_find(const p304_reference *ref,
					  const char *code)
{
	struct key k = { { 0 }, 0 }, *hit;

	if (p304_normalize_code(code, strlen(code), k.code, sizeof(k.code)) != 0)
		return NULL;
	hit = bsearch(&k, ref->keys, ref->nkeys, sizeof(struct key), key_cmp);
	return hit ? &ref->auth[hit->auth] : NULL;
}

/* 1 when the '|'-separated list `list` holds `code`. */
static int list_has(const char *list, const char *code)
{
	size_t n = strlen(code);

	while (*list) {
		size_t len = strcspn(list, "|");

		if (len == n && strncmp(list, code, n) == 0)
			return 1;
		list += len;
		if (*list == '|')
			list++;
	}
	return 0;
}

int p304_authority_part_of(const p304_authority *part, const p304_authority *whole)
{
	return part != whole && whole->members[0] && list_has(whole->members, part->code);
}

/* "67 (Bas-Rhin) and 68 (Haut-Rhin)": the members of `a` with their names. */
static void members_text(const p304_reference *ref, const p304_authority *a,
			 char *buf, size_t size)
{
	size_t o = 0, count = 0, total = 1;
	const char *m = a->members;

	for (const char *p = m; *p; p++)
		total += *p == '|';
	buf[0] = '\0';
	while (*m && o < size) {
		size_t len = strcspn(m, "|");
		char code[16];
		const p304_authority *x;

		snprintf(code, sizeof(code), "%.*s", (int)len, m);
		x = p304_reference_find(ref, code);
		count++;
		o += (size_t)snprintf(buf + o, size - o, "%s%s (%s)",
				      count == 1 ? "" : count == total ? _(" and ") : ", ",
				      code, x ? x->name : "?");
		m += len;
		if (*m == '|')
			m++;
	}
}

void p304_authority_hint(const p304_reference *ref, const p304_authority *a,
			 char *buf, size_t size)
{
	char members[256];

	if (!size)
		return;
	buf[0] = '\0';
	/* a gathered into a newer authority: 68 -> 6AE, 2A -> 20R */
	for (size_t i = 0; i < ref->n; i++) {
		const p304_authority *b = &ref->auth[i];

		if (b->valid_from && p304_authority_part_of(a, b)) {
			snprintf(buf, size, _("; since %d %s (%s) is part of %s (%s): use the code %s"),
				 b->valid_from, a->code, a->name, b->code, b->name, b->code);
			return;
		}
	}
	if (!a->members[0])
		return;
	members_text(ref, a, members, sizeof(members));
	if (a->valid_to)   /* split: 69 -> 69D and 69M */
		snprintf(buf, size, _("; since %d %s (%s) is split into %s"),
			 a->valid_to + 1, a->code, a->name, members);
	else               /* a gathering: 6AE = 67 + 68 */
		snprintf(buf, size, _("; %s (%s) gathers %s"), a->code, a->name, members);
}

void p304_reference_unknown_hint(const p304_reference *ref, const char *code,
				 char *buf, size_t size)
{
	const char *s = code;
	const p304_authority *a;

	if (!size)
		return;
	buf[0] = '\0';
	while (*s == ' ')
		s++;
	/* "02A", "049": a zero too many (a spreadsheet padding to 3 digits) */
	while (s[0] == '0' && s[1] && s[1] != ' ')
		s++;
	if (s != code && *s && (a = p304_reference_find(ref, s)) != NULL)
		snprintf(buf, size, _("; did you mean '%s' (%s)?"), a->code, a->name);
}
