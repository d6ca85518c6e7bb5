/*
 * headers.c - the column headers officers type in Excel (« Code »,
 * « Département », « Besoin exprimé (€) », « Montant délégué 2023 ») read as
 * the machine names the documentation gives (code, besoin_eur, delegue_2023):
 * case, accents, spaces, a unit, a leading « montant » and plurals do not
 * matter, and the usual French headers of each column are known. When no
 * header fits, the message says which one to rename and to what.
 */
#include "headers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "gettext.h"

/* The columns of the needs, caps, consumption and current-amounts files,
 * with the keys (see header_key) of the headers also read as them, best
 * first; a name NULL marks columns that are known but not read (names,
 * comments), so that the hint does not propose renaming them. */
struct known {
	const char *name;
	const char *label; /* the French header shown in messages */
	const char *accepted; /* the other headers read as it, for the refusal */
	const char *keys[16];
};

static const struct known KNOWN[] = {
	{ "code", "Code département", "« Code », « Département », « N° département », "
	  "« Code INSEE », « code »", { "code", "code_departement", "code_dept", "code_dep",
	  "code_collectivite", "code_insee", "n_departement", "no_departement",
	  "numero_departement", "num_departement", "departement", "dept", "dep",
	  "collectivite", NULL } },
	{ "besoin_eur", "Besoin exprimé (€)", "« Besoin », « Besoin exprimé », "
	  "« Besoin exprimé 2026 », « Besoin 2026 (€) », « Demande », « Montant demandé », "
	  "« besoin_eur »", { "besoin", "besoin_exprime",
	  "besoin_financement", "besoin_de_financement", "demande", "credit_demande",
	  "montant_demande", NULL } },
	{ "date_reception", "Date de réception", "« Reçu le », « Date de réponse », « Date », "
	  "« date_reception »", { "date_reception",
	  "date_de_reception", "recu_le", "date_reponse", "date_de_reponse",
	  "date_d_arrivee", "date", NULL } },
	{ "consomme_eur", "Montant consommé (€)", "« Consommé », « Consommation », "
	  "« Dépense », « Réalisé », « consomme_eur »", { "consomme", "consommation",
	  "credit_consomme", "depense", "realise", NULL } },
	{ "delegue_eur", "Montant délégué (€)", "« Délégué », « Délégation », "
	  "« Crédits délégués », « delegue_eur »", { "delegue", "delegation",
	  "credit_delegue", "montant_delegue", "ae_delegue", "cp_delegue", NULL } },
	{ "montant_eur", "Montant (€)", "« Montant », « Notifié », « Montant actuel », "
	  "« montant_eur »", { "montant", "notifie", "montant_notifie",
	  "actuel", "montant_actuel", NULL } },
	{ NULL, NULL, NULL, { "nom", "nom_collectivite", "nom_departement", "libelle",
	  "departement_nom", "region", "commentaire", "observation", "remarque",
	  NULL } },
};

/* UTF-8 letters of French headers, folded to ASCII (lower case). */
static const struct {
	const char *utf8;
	const char *ascii;
} FOLD[] = {
	{ "à", "a" }, { "â", "a" }, { "ä", "a" }, { "À", "a" }, { "Â", "a" },
	{ "é", "e" }, { "è", "e" }, { "ê", "e" }, { "ë", "e" }, { "É", "e" },
	{ "È", "e" }, { "Ê", "e" }, { "î", "i" }, { "ï", "i" }, { "Î", "i" },
	{ "ô", "o" }, { "ö", "o" }, { "Ô", "o" }, { "ù", "u" }, { "û", "u" },
	{ "ü", "u" }, { "Û", "u" }, { "ç", "c" }, { "Ç", "c" }, { "œ", "oe" },
	{ "Œ", "oe" },
};

/* Words dropped from a key: units at the end, « montant (de/du/des) » and
 * « crédits » at the start when something follows. */
static int is_unit(const char *w, size_t n)
{
	static const char *const units[] = { "eur", "euro", "euros", "en", "e", "ttc" };

	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (strlen(units[i]) == n && strncmp(w, units[i], n) == 0)
			return 1;
	return 0;
}

static int is_lead(const char *w, size_t n)
{
	static const char *const lead[] = { "montant", "montants", "de", "du", "des",
					    "credits", "total" };

	for (size_t i = 0; i < sizeof(lead) / sizeof(lead[0]); i++)
		if (strlen(lead[i]) == n && strncmp(w, lead[i], n) == 0)
			return 1;
	return 0;
}

void p304_header_key(const char *h, char *buf, size_t size)
{
	char words[256];
	size_t o = 0, start, end, len, k = 0;

	if (size == 0)
		return;
	/* 1. ASCII lower case letters and digits, everything else one space */
	while (*h && o + 3 < sizeof(words)) {
		unsigned char ch = (unsigned char)*h;
		const char *ascii = NULL;
		size_t skip = 1;

		if (ch >= 0x80) {
			for (size_t i = 0; i < sizeof(FOLD) / sizeof(FOLD[0]); i++) {
				size_t n = strlen(FOLD[i].utf8);

				if (strncmp(h, FOLD[i].utf8, n) == 0) {
					ascii = FOLD[i].ascii;
					skip = n;
					break;
				}
			}
			/* €, non-breaking spaces, ’, °: separators */
			while (!ascii && ((unsigned char)h[skip] & 0xC0) == 0x80)
				skip++;
		} else if ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9')) {
			ascii = h;
		} else if (ch >= 'A' && ch <= 'Z') {
			words[o++] = (char)(ch - 'A' + 'a');
			h++;
			continue;
		}
		if (!ascii) {
			if (o > 0 && words[o - 1] != ' ')
				words[o++] = ' ';
		} else if (ascii == h) {
			words[o++] = *h;
		} else {
			for (; *ascii && o + 3 < sizeof(words); ascii++)
				words[o++] = *ascii;
		}
		h += skip;
	}
	while (o > 0 && words[o - 1] == ' ')
		o--;
	words[o] = '\0';
	/* 2. the words kept: leading « montant de », trailing units dropped,
	 * each word without a final plural 's' */
	start = 0;
	end = o;
	for (;;) {
		size_t n = strcspn(words + start, " ");

		if (start + n >= end || !is_lead(words + start, n))
			break;
		start += n + 1;
	}
	for (;;) {
		size_t b = end;

		while (b > start && words[b - 1] != ' ')
			b--;
		if (b == start || !is_unit(words + b, end - b))
			break;
		end = b - 1;
	}
	buf[0] = '\0';
	for (size_t p = start; p < end; p += len + 1) {
		len = strcspn(words + p, " ");
		if (p + len > end)
			len = end - p;
		{
			size_t keep = len;

			if (keep > 3 && words[p + keep - 1] == 's' && words[p + keep - 2] != 's')
				keep--;
			if (k + keep + 2 > size)
				break;
			if (k)
				buf[k++] = '_';
			memcpy(buf + k, words + p, keep);
			k += keep;
			buf[k] = '\0';
		}
	}
}

static const struct known *known_of(const char *name)
{
	for (size_t i = 0; i < sizeof(KNOWN) / sizeof(KNOWN[0]); i++)
		if (KNOWN[i].name && strcmp(KNOWN[i].name, name) == 0)
			return &KNOWN[i];
	return NULL;
}

/* The year ending a key ("besoin_exprime_2026"), cut off: 1900 to 2099,
 * 0 when the key ends otherwise. */
static int cut_year(char *key)
{
	size_t n = strlen(key);
	int y;

	if (n < 6 || key[n - 5] != '_' || strspn(key + n - 4, "0123456789") != 4)
		return 0;
	y = atoi(key + n - 4);
	if (y < 1900 || y > 2099)
		return 0;
	key[n - 5] = '\0';
	return y;
}

static int rank_key(const char *key, const char *name_key, const struct known *kn)
{
	if (key[0] && strcmp(key, name_key) == 0)
		return 1;
	for (size_t j = 0; kn && kn->keys[j]; j++)
		if (strcmp(key, kn->keys[j]) == 0)
			return 2 + (int)j;
	return -1;
}

/* How well header h reads as `name`: 0 equal ignoring case, 1 same key,
 * 2 + j the j-th usual header of the column; -1 not at all. A documented
 * column's header may end with a year (« Besoin exprimé 2026 »: Excel
 * tables of the départements do): *year is set to it, 0 when none. */
static int rank(const char *h, const char *name, const char *name_key, int *year, int dated)
{
	const struct known *kn = known_of(name);
	char key[128];
	int r;

	*year = 0;
	if (strcasecmp(h, name) == 0)
		return 0;
	p304_header_key(h, key, sizeof(key));
	if ((r = rank_key(key, name_key, kn)) >= 0 || !kn || !dated)
		return r;
	if ((*year = cut_year(key)) == 0)
		return -1;
	return rank_key(key, name_key, kn);
}

/* 1 when header h is a column not to rename: one of the file's `others`
 * or a name or a comment column. */
static int is_known(const char *h, const char *const *others)
{
	char key[128], nk[128];
	int year;
	const struct known *ignored = &KNOWN[sizeof(KNOWN) / sizeof(KNOWN[0]) - 1];

	p304_header_key(h, key, sizeof(key));
	if (!key[0])
		return 1; /* an empty header: nothing to rename */
	for (size_t j = 0; ignored->keys[j]; j++)
		if (strcmp(key, ignored->keys[j]) == 0)
			return 1;
	for (size_t i = 0; others && others[i]; i++) {
		p304_header_key(others[i], nk, sizeof(nk));
		if (rank(h, others[i], nk, &year, 1) >= 0)
			return 1;
	}
	return 0;
}

long p304_csv_find_header(const p304_csv *csv, const char *name,
			  const char *const *others, p304_error *err)
{
	return p304_csv_find_header_year(csv, name, others, -1, err);
}

long p304_csv_find_header_year(const p304_csv *csv, const char *name,
			       const char *const *others, int year, p304_error *err)
{
	char name_key[128], found[600];
	long best = -1, tie = -1, unknown = -1, other_year = -1;
	int best_rank = -1, hyear = 0, wrong = 0;
	size_t nunknown = 0;
	const struct known *kn = known_of(name);

	p304_header_key(name, name_key, sizeof(name_key));
	for (size_t c = 0; c < p304_csv_ncols(csv); c++) {
		int r = rank(p304_csv_header(csv, c), name, name_key, &hyear, year >= 0);

		if (r < 0)
			continue;
		/* « Besoin exprimé 2025 » in the 2026 round: last year's
		 * table, never read as this year's */
		if (year > 0 && hyear && hyear != year) {
			other_year = (long)c;
			wrong = hyear;
			continue;
		}
		if (best < 0 || r < best_rank) {
			best = (long)c;
			best_rank = r;
			tie = -1;
		} else if (r == best_rank) {
			tie = (long)c;
		}
	}
	if (best >= 0 && tie < 0)
		return best;
	if (!err)
		return -1;
	if (best < 0 && other_year >= 0) {
		const char *label = kn ? kn->label : name;
		size_t n = strlen(label);

		/* « Besoin exprimé 2026 », not « Besoin exprimé (€) 2026 » */
		if (n > 6 && strcmp(label + n - 6, " (\u20ac)") == 0)
			n -= 6;
		p304_error_set(err, P304_ERR_INPUT, p304_csv_path(csv), 1,
			_("column '%s' is for %d, but the scenario is for %d; give the column of %d "
			  "(for example '%.*s %d')"),
			p304_csv_header(csv, (size_t)other_year), wrong, year, year, (int)n, label,
			year);
		return -1;
	}
	if (best >= 0) {
		p304_error_set(err, P304_ERR_INPUT, p304_csv_path(csv), 1,
			_("columns '%s' and '%s' are both read as '%s'; keep one, or rename the other"),
			p304_csv_header(csv, (size_t)best), p304_csv_header(csv, (size_t)tie), name);
		return -1;
	}
	for (size_t c = 0; c < p304_csv_ncols(csv); c++)
		if (!is_known(p304_csv_header(csv, c), others)) {
			nunknown++;
			unknown = (long)c;
		}
	p304_csv_describe_columns(csv, found, sizeof(found));
	/* renaming is proposed for the documented columns only: a column named
	 * by the scenario (delegue_2023) beside another year's is not a typo */
	if (nunknown == 1 && kn)
		p304_error_set(err, P304_ERR_INPUT, p304_csv_path(csv), 1,
			_("column '%s' not found; columns found: %s; rename the column '%s' to '%s' "
			  "(also read as it: %s)"),
			kn->label, found, p304_csv_header(csv, (size_t)unknown), kn->label,
			kn->accepted);
	else if (kn)
		p304_error_set(err, P304_ERR_INPUT, p304_csv_path(csv), 1,
			_("column '%s' not found; columns found: %s; name its column '%s' "
			  "(also read as it: %s)"),
			kn->label, found, kn->label, kn->accepted);
	else
		p304_error_set(err, P304_ERR_INPUT, p304_csv_path(csv), 1,
			_("column '%s' not found; columns found: %s; name its column '%s'"),
			name, found, name);
	return -1;
}

/* A total row's code cell: empty, or « Total », « TOTAL GÉNÉRAL »… */
static int total_code(const char *code)
{
	code += strspn(code, " \t");
	return *code == '\0' || strncasecmp(code, "total", 5) == 0;
}

/* Cell (row, col) in cents into *v (a blank cell is 0): 0, or -1 when it
 * is not an amount (the row's own reading then says why). */
static int cents_of(const p304_csv *csv, size_t row, long col, int64_t *v)
{
	const char *cell = p304_csv_cell(csv, row, (size_t)col);

	*v = 0;
	if (cell[strspn(cell, " \t")] == '\0')
		return 0;
	return p304_parse_number(cell, strlen(cell), 2, P304_MAX_EUR * 100, P304_NUM_EUR, v,
				 NULL, 0) == 0 ? 0 : -1;
}

/* "1 250 000 €" or "1 250 000,50 €", French typography (U+202F, U+00A0). */
static void format_cents(char buf[static 96], int64_t cents)
{
	char eur[64];
	int c = (int)(cents % 100 < 0 ? -(cents % 100) : cents % 100);

	p304_format_eur(eur, sizeof(eur), cents / 100, "\u202f", "");
	if (c)
		snprintf(buf, 96, "%s,%02d\u00a0€", eur, c);
	else
		snprintf(buf, 96, "%s\u00a0€", eur);
}

int p304_csv_total_row(const p304_csv *csv, long codecol, const long *cols, size_t ncols,
		       char *what, size_t what_size, p304_error *err)
{
	size_t n = p304_csv_nrows(csv), last = n - 1, given = 0;

	if (n < 2 || !total_code(p304_csv_cell(csv, last, (size_t)codecol)))
		return 0;
	for (size_t c = 0; c < ncols; c++) {
		const char *cell = p304_csv_cell(csv, last, (size_t)cols[c]);
		int64_t total, sum = 0, v;
		char a[96], b[96];

		if (cell[strspn(cell, " \t")] == '\0')
			continue; /* a column not totalled (caps: the year before's) */
		if (cents_of(csv, last, cols[c], &total) < 0)
			return 0; /* not a figure: the row is read, and refused, as any */
		for (size_t r = 0; r < last; r++)
			if (cents_of(csv, r, cols[c], &v) < 0 || p304_add_i64(sum, v, &sum) < 0)
				return 0; /* the faulty row above is reported first */
		format_cents(a, total);
		format_cents(b, sum);
		if (total != sum)
			return p304_error_set(err, P304_ERR_INPUT, p304_csv_path(csv),
				p304_csv_line(csv, last),
				_("the TOTAL row (line %ld) is %s but the rows above add up to %s; "
				  "correct the total or the rows, or delete the TOTAL row"),
				p304_csv_line(csv, last), a, b), -1;
		if (given++ == 0)
			snprintf(what, what_size, _("%s:%ld: TOTAL row skipped (%s, the sum of the "
						    "rows above), not read as a département"),
				 p304_csv_path(csv), p304_csv_line(csv, last), a);
	}
	return given > 0; /* a row with no figure is read, and refused, as any */
}
