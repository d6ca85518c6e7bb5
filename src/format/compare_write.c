/*
 * compare_write.c - comparaison.json (machine contract) and comparaison.csv
 * (Excel, French) of `p304 compare`.
 */
#include <p304/format.h>

#include <cjson/cJSON.h>
#include <csv.h>
#include <stdlib.h>
#include <string.h>

#include "format/writeutil.h"
#include "gettext.h"

/* (b − a) / a in %, 2 decimals, as text; NULL when a = 0. */
static const char *pct(char *buf, size_t size, int64_t a, int64_t b, char dec)
{
	long double p;
	char *dot;

	if (a == 0)
		return NULL;
	p = ((long double)b - (long double)a) * 100.0L / (long double)a;
	snprintf(buf, size, "%.2Lf", p);
	if (!strcmp(buf, "-0.00"))
		strcpy(buf, "0.00");
	if ((dot = strchr(buf, '.')))
		*dot = dec;
	return buf;
}

/* Here, not in workflow/compare_run.c: both writers (this file and
 * xlsx_write.c) need the order, and format/ never calls workflow/. */
void p304_compare_order(const p304_comparison *c, size_t *order)
{
	/* insertion sort keeps this reentrant (no static context): n is at
	 * most a few hundred authorities */
	for (size_t i = 0; i < c->nrows; i++) {
		size_t j = i;

		order[i] = i;
		while (j > 0) {
			const p304_compare_row *a = &c->rows[order[j - 1]], *b = &c->rows[order[j]];
			int64_t da = a->b_eur - a->a_eur, db = b->b_eur - b->a_eur;

			size_t t;

			if (da > db || (da == db && strcmp(a->code, b->code) < 0))
				break;
			t = order[j];
			order[j] = order[j - 1];
			order[j - 1] = t;
			j--;
		}
	}
}

p304_code p304_write_comparison_json(const p304_comparison *c, FILE *fp, p304_error *err)
{
	cJSON *root = cJSON_CreateObject(), *f, *rows, *tot, *notes, *enter, *leave;
	char buf[32];

	if (!root)
		return p304_error_set(err, P304_ERR_NOMEM, NULL, 0, _("out of memory"));
	cJSON_AddStringToObject(root, "a", c->a_id);
	cJSON_AddStringToObject(root, "b", c->b_id);
	cJSON_AddStringToObject(root, "a_title", c->a_title);
	cJSON_AddStringToObject(root, "b_title", c->b_title);
	cJSON_AddBoolToObject(root, "decomposed", c->decomposed);
	f = cJSON_AddArrayToObject(root, "factors");
	for (size_t i = 0; f && i < c->nfactors; i++)
		if (c->differs[i])
			cJSON_AddItemToArray(f, cJSON_CreateString(c->factors[i]));
	rows = cJSON_AddArrayToObject(root, "rows");
	for (size_t i = 0; rows && i < c->nrows; i++) {
		const p304_compare_row *r = &c->rows[i];
		cJSON *o = cJSON_CreateObject(), *ce;
		const char *p = pct(buf, sizeof(buf), r->a_eur, r->b_eur, '.');

		if (!o || !cJSON_AddItemToArray(rows, o))
			break;
		cJSON_AddStringToObject(o, "code", r->code);
		cJSON_AddStringToObject(o, "name", r->name);
		cJSON_AddItemToObject(o, "a_eur", wu_int(r->a_eur));
		cJSON_AddItemToObject(o, "b_eur", wu_int(r->b_eur));
		cJSON_AddItemToObject(o, "delta_eur", wu_int(r->b_eur - r->a_eur));
		cJSON_AddItemToObject(o, "delta_pct", p ? cJSON_CreateRaw(p) : cJSON_CreateNull());
		cJSON_AddStringToObject(o, "status_a", r->status_a);
		cJSON_AddStringToObject(o, "status_b", r->status_b);
		cJSON_AddItemToObject(o, "rank_a", r->rank_a ? wu_int(r->rank_a) : cJSON_CreateNull());
		cJSON_AddItemToObject(o, "rank_b", r->rank_b ? wu_int(r->rank_b) : cJSON_CreateNull());
		ce = cJSON_AddObjectToObject(o, "contrib_eur");
		for (size_t k = 0; ce && r->contrib && k < c->nfactors; k++)
			cJSON_AddItemToObject(ce, c->factors[k], wu_int(r->contrib[k]));
	}
	tot = cJSON_AddObjectToObject(root, "totals");
	if (tot) {
		cJSON_AddItemToObject(tot, "a_eur", wu_int(c->a_total));
		cJSON_AddItemToObject(tot, "b_eur", wu_int(c->b_total));
		cJSON_AddItemToObject(tot, "delta_eur", wu_int(c->b_total - c->a_total));
		cJSON_AddItemToObject(tot, "winners", wu_int((int64_t)c->winners));
		cJSON_AddItemToObject(tot, "losers", wu_int((int64_t)c->losers));
		cJSON_AddItemToObject(tot, "unchanged", wu_int((int64_t)c->unchanged));
		enter = cJSON_AddArrayToObject(tot, "entering");
		leave = cJSON_AddArrayToObject(tot, "leaving");
		for (size_t i = 0; i < c->nrows; i++) {
			if (enter && c->rows[i].in_b && !c->rows[i].in_a)
				cJSON_AddItemToArray(enter, cJSON_CreateString(c->rows[i].code));
			if (leave && c->rows[i].in_a && !c->rows[i].in_b)
				cJSON_AddItemToArray(leave, cJSON_CreateString(c->rows[i].code));
		}
		if (c->decomposed) {
			cJSON *ct = cJSON_AddObjectToObject(tot, "contrib_eur");

			for (size_t k = 0; ct && k < c->nfactors; k++) {
				int64_t s = 0;

				for (size_t i = 0; i < c->nrows; i++)
					s += c->rows[i].contrib[k];
				cJSON_AddItemToObject(ct, c->factors[k], wu_int(s));
			}
		}
	}
	notes = cJSON_AddArrayToObject(root, "notes");
	for (size_t i = 0; notes && i < c->nnotes; i++)
		cJSON_AddItemToArray(notes, cJSON_CreateString(c->notes[i]));
	return wu_print_json(root, fp, err);
}

const char *p304_status_label_fr(const char *s)
{
	if (!strcmp(s, "floor")) return "plancher";
	if (!strcmp(s, "ceiling")) return "plafond";
	if (!strcmp(s, "absent")) return "absent";
	if (!strcmp(s, "mixed")) return "mixte";
	return "formule";
}

p304_code p304_write_comparison_csv(const p304_comparison *c, FILE *fp, p304_error *err)
{
	static const char *const head[] = {
		"code", "collectivité", "référence A (€)", "scénario B (€)", "écart B − A (€)", "écart (%)",
		"statut A", "statut B", "rang A", "rang B"
	};
	char buf[64], line[700];
	size_t *order = malloc((c->nrows ? c->nrows : 1) * sizeof(size_t));
	int bad = fputs("\xEF\xBB\xBF", fp) < 0;

	if (!order)
		return p304_error_set(err, P304_ERR_NOMEM, NULL, 0, _("out of memory"));
	/* sorted by change: the largest rises first, the largest falls last */
	p304_compare_order(c, order);

	for (size_t i = 0; i < 10; i++)
		bad |= wu_field(fp, head[i], i == 0);
	for (size_t k = 0; c->decomposed && k < c->nfactors; k++) {
		char fr[96];

		if (!c->differs[k])
			continue;
		snprintf(buf, sizeof(buf), "dont %s (€)",
			 p304_factor_label_fr(c->factors[k], fr, sizeof(fr)));
		bad |= wu_field(fp, buf, 0);
	}
	bad |= fputs("\r\n", fp) < 0;
	for (size_t i = 0; i <= c->nrows; i++) {
		const p304_compare_row *r = i < c->nrows ? &c->rows[order[i]] : NULL;
		int64_t a = r ? r->a_eur : c->a_total, b = r ? r->b_eur : c->b_total;
		const char *p;

		bad |= wu_field(fp, r ? r->code : "TOTAL", 1);
		bad |= wu_field(fp, r ? r->name : "", 0);
		snprintf(buf, sizeof(buf), "%lld", (long long)a);
		bad |= wu_field(fp, buf, 0);
		snprintf(buf, sizeof(buf), "%lld", (long long)b);
		bad |= wu_field(fp, buf, 0);
		snprintf(buf, sizeof(buf), "%lld", (long long)(b - a));
		bad |= wu_field(fp, buf, 0);
		p = pct(buf, sizeof(buf), a, b, ',');
		bad |= wu_field(fp, p ? p : "", 0);
		bad |= wu_field(fp, r ? p304_status_label_fr(r->status_a) : "", 0);
		bad |= wu_field(fp, r ? p304_status_label_fr(r->status_b) : "", 0);
		snprintf(buf, sizeof(buf), "%d", r ? r->rank_a : 0);
		bad |= wu_field(fp, r && r->rank_a ? buf : "", 0);
		snprintf(buf, sizeof(buf), "%d", r ? r->rank_b : 0);
		bad |= wu_field(fp, r && r->rank_b ? buf : "", 0);
		for (size_t k = 0; c->decomposed && k < c->nfactors; k++) {
			int64_t s = 0;

			if (!c->differs[k])
				continue;
			if (r)
				s = r->contrib[k];
			else
				for (size_t q = 0; q < c->nrows; q++)
					s += c->rows[q].contrib[k];
			snprintf(buf, sizeof(buf), "%lld", (long long)s);
			bad |= wu_field(fp, buf, 0);
		}
		bad |= fputs("\r\n", fp) < 0;
	}
	bad |= fputs("\r\n", fp) < 0;
	free(order);
	snprintf(line, sizeof(line), "A (référence) : %s (%s) ; B (scénario) : %s (%s) ; écart = B − A",
		 c->a_title, c->a_id, c->b_title, c->b_id);
	bad |= wu_field(fp, line, 1) | (fputs("\r\n", fp) < 0);
	if (c->decomposed) {
		/* the workbook's and the note's words (issue 21: no « Shapley »,
		 * no documentation file in what an officer opens) */
		bad |= wu_field(fp, "Décomposition de l'écart : chaque facteur est passé de la référence "
			     "au scénario dans tous les ordres possibles et reçoit la moyenne de ses "
			     "effets ; les contributions s'additionnent exactement à l'écart", 1);
		bad |= fputs("\r\n", fp) < 0;
	}
	for (size_t i = 0; i < c->nnotes; i++) {
		bad |= wu_field(fp, c->notes[i], 1);
		bad |= fputs("\r\n", fp) < 0;
	}
	return bad ? p304_error_set(err, P304_ERR_IO, NULL, 0, _("write failed")) : P304_OK;
}

const char *p304_factor_label_fr(const char *factor, char *buf, size_t size)
{
	static const char *const fr[][2] = {
		{ "envelope", "enveloppe" }, { "participants", "participants" },
		{ "weights", "pondérations" }, { "bounds", "plancher et plafond" },
		{ "rounding", "arrondi" }, { "floor", "plancher" },
		{ "ceiling", "plafond" },
	};

	for (size_t i = 0; i < sizeof(fr) / sizeof(fr[0]); i++)
		if (!strcmp(factor, fr[i][0])) {
			snprintf(buf, size, "%s", fr[i][1]);
			return buf;
		}
	if (!strncmp(factor, "data:", 5)) {
		/* the criteria of the instructions in words; another column with
		 * its underscores as spaces */
		static const char *const col[][2] = {
			{ "enfants_0_19", "enfants de 0 à 19 ans" },
			{ "menages_pauvres", "ménages pauvres" },
			{ "enfants_ase", "enfants accueillis à l'ASE" },
			{ "mesures_jeunes_majeurs", "mesures jeunes majeurs" },
		};
		const char *name = factor + 5;
		size_t o;

		for (size_t i = 0; i < sizeof(col) / sizeof(col[0]); i++)
			if (!strcmp(name, col[i][0])) {
				snprintf(buf, size, "données : %s", col[i][1]);
				return buf;
			}
		o = (size_t)snprintf(buf, size, "données : ");
		for (; *name && o + 1 < size; name++)
			buf[o++] = *name == '_' ? ' ' : *name;
		buf[o < size ? o : size - 1] = '\0';
	} else
		snprintf(buf, size, "%s", factor);
	return buf;
}

const char *p304_compare_main_factor(const p304_comparison *c, const p304_compare_row *r)
{
	size_t best = c->nfactors, env = c->nfactors;

	for (size_t k = 0; r->contrib && k < c->nfactors; k++) {
		if (!c->differs[k] || r->contrib[k] == 0)
			continue;
		if (!strcmp(c->factors[k], "envelope")) {
			env = k;
			continue;
		}
		if (best == c->nfactors || llabs(r->contrib[k]) > llabs(r->contrib[best]))
			best = k;
	}
	if (best == c->nfactors)
		best = env;
	return best < c->nfactors ? c->factors[best] : NULL;
}
