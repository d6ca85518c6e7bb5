/*
 * notification_write.c - notification.json (machine contract) and
 * notification.csv (Excel, French) of `p304 reconcile`. Each row says why
 * its amount is what it is; the policy applied is written out in full.
 */
#include <p304/format.h>

#include <cjson/cJSON.h>
#include <csv.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "format/writeutil.h"
#include "gettext.h"

static const char *const MISSING[] = { "renounce", "keep" };
static const char *const SURPLUS[] = { "none", "criteria", "unmet_need" };
static const char *const SHORTFALL[] = { "proportional" };

static cJSON *raw(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static cJSON *raw(const char *fmt, ...)
{
	char buf[64];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return cJSON_CreateRaw(buf);
}

static void iso_date(long d, char *buf, size_t size)
{
	snprintf(buf, size, "%04ld-%02ld-%02ld", d / 10000, d / 100 % 100, d % 100);
}

static cJSON *policy_json(const p304_notification *nt)
{
	const p304_recon_policy *pol = &nt->alloc->scenario->recon;
	cJSON *o = cJSON_CreateObject(), *caps;
	char date[48];

	if (!o)
		return NULL;
	cJSON_AddItemToObject(o, "available_eur", raw("%lld", (long long)nt->available_eur));
	cJSON_AddStringToObject(o, "missing_answer", MISSING[pol->missing]);
	cJSON_AddStringToObject(o, "surplus", SURPLUS[pol->surplus]);
	cJSON_AddStringToObject(o, "shortfall", SHORTFALL[pol->shortfall]);
	caps = cJSON_AddArrayToObject(o, "caps_columns");
	for (size_t i = 0; caps && i < pol->ncaps_columns; i++)
		cJSON_AddItemToArray(caps, cJSON_CreateString(pol->caps_columns[i]));
	if (pol->deadline) {
		iso_date(pol->deadline, date, sizeof(date));
		cJSON_AddStringToObject(o, "deadline", date);
	} else {
		cJSON_AddNullToObject(o, "deadline");
	}
	cJSON_AddItemToObject(o, "shortfall_rate", raw("%.12Lf", nt->summary.rate));
	return o;
}

size_t p304_notification_missing_text(const p304_notification *nt, int late,
				      char *buf, size_t size)
{
	const p304_result *res = nt->alloc;
	size_t o = 0, count = 0;

	if (size)
		buf[0] = '\0';
	for (size_t i = 0; i < res->nrows; i++) {
		int is_late = nt->late[i] && nt->need[i] != P304_NO_BOUND;
		int missing = nt->need[i] == P304_NO_BOUND && !nt->late[i];

		if (late ? !is_late : !missing)
			continue;
		count++;
		if (o < size)
			o += (size_t)snprintf(buf + o, size - o, "%s%s %s%s", o ? ", " : "",
					      res->rows[i].code, res->rows[i].name,
					      nt->absent[i] ? " (absent du fichier)" : "");
	}
	if (o >= size && size > 4)
		memcpy(buf + size - 4, "...", 4);
	return count;
}

p304_code p304_write_notification_json(const p304_notification *nt, FILE *fp,
				       p304_error *err)
{
	const p304_result *res = nt->alloc;
	const p304_recon_summary *s = &nt->summary;
	cJSON *root = cJSON_CreateObject(), *rows;

	if (!root)
		goto nomem;
	cJSON_AddStringToObject(root, "id", res->scenario->id);
	cJSON_AddStringToObject(root, "title", res->scenario->title);
	cJSON_AddItemToObject(root, "envelope_eur", raw("%lld", (long long)res->scenario->envelope_eur));
	cJSON_AddItemToObject(root, "prenotified_eur", raw("%lld", (long long)res->summary.allocated_eur));
	cJSON_AddItemToObject(root, "available_eur", raw("%lld", (long long)nt->available_eur));
	cJSON_AddItemToObject(root, "needs_eur", raw("%lld", (long long)s->needs_eur));
	cJSON_AddItemToObject(root, "granted_eur", raw("%lld", (long long)s->granted_eur));
	cJSON_AddItemToObject(root, "notified_eur", raw("%lld", (long long)s->notified_eur));
	cJSON_AddItemToObject(root, "unallocated_eur", raw("%lld", (long long)s->unallocated_eur));
	cJSON_AddItemToObject(root, "policy", policy_json(nt));
	cJSON_AddItemToObject(root, "criteria", wu_criteria(res->scenario, res->sources));
	cJSON_AddItemToObject(root, "participants", raw("%zu", res->nrows));
	cJSON_AddItemToObject(root, "n_answered", raw("%zu", s->n_answered));
	cJSON_AddItemToObject(root, "n_no_answer", raw("%zu", s->n_no_answer));
	cJSON_AddItemToObject(root, "n_late", raw("%zu", s->n_late));
	cJSON_AddItemToObject(root, "n_capped", raw("%zu", s->n_capped));
	cJSON_AddItemToObject(root, "n_topped_up", raw("%zu", s->n_topped_up));
	cJSON_AddItemToObject(root, "n_reduced", raw("%zu", s->n_reduced));
	/* participants the needs file does not mention (counted in n_no_answer) */
	cJSON_AddItemToObject(root, "n_absent", raw("%zu", nt->n_absent));
	{
		cJSON *abs = cJSON_AddArrayToObject(root, "absent");

		for (size_t i = 0; abs && i < res->nrows; i++)
			if (nt->absent[i] &&
			    !cJSON_AddItemToArray(abs, cJSON_CreateString(res->rows[i].code)))
				goto nomem;
	}
	/* only when some needs had cents (older answers are unchanged) */
	if (nt->cents_note && !cJSON_AddItemToObject(root, "needs_rounded",
						     cJSON_CreateString(nt->cents_note)))
		goto nomem;
	rows = cJSON_AddArrayToObject(root, "rows");
	for (size_t i = 0; rows && i < res->nrows; i++) {
		const p304_recon_row *r = &nt->rows[i];
		cJSON *o = cJSON_CreateObject();
		char date[48];

		if (!o || !cJSON_AddItemToArray(rows, o))
			goto nomem;
		cJSON_AddStringToObject(o, "code", res->rows[i].code);
		cJSON_AddStringToObject(o, "name", res->rows[i].name);
		cJSON_AddStringToObject(o, "region", res->rows[i].region_code);
		cJSON_AddItemToObject(o, "prenotified_eur", raw("%lld", (long long)res->rows[i].alloc.amount_eur));
		cJSON_AddItemToObject(o, "need_eur", wu_eur_or_null(nt->need[i]));
		if (nt->received[i]) {
			iso_date(nt->received[i], date, sizeof(date));
			cJSON_AddStringToObject(o, "date_reception", date);
		} else {
			cJSON_AddNullToObject(o, "date_reception");
		}
		cJSON_AddItemToObject(o, "cap_eur", wu_eur_or_null(nt->cap[i]));
		cJSON_AddItemToObject(o, "granted_eur", raw("%lld", (long long)r->granted_eur));
		cJSON_AddItemToObject(o, "notified_eur", raw("%lld", (long long)r->notified_eur));
		cJSON_AddStringToObject(o, "reason", p304_reason_name(r->reason));
	}
	return wu_print_json(root, fp, err);
nomem:
	cJSON_Delete(root);
	return p304_error_set(err, P304_ERR_NOMEM, NULL, 0, _("out of memory"));
}

static const char *reason_fr(p304_reason r)
{
	switch (r) {
	case P304_REASON_AS_PRENOTIFIED: return "montant pré-notifié";
	case P304_REASON_NEED_BELOW: return "besoin inférieur au pré-notifié";
	case P304_REASON_NEED_ABOVE: return "besoin supérieur au pré-notifié";
	case P304_REASON_CAPPED: return "demande plafonnée (montant délégué)";
	case P304_REASON_NO_ANSWER: return "sans réponse";
	case P304_REASON_LATE: return "réponse hors délai";
	case P304_REASON_REDUCED: return "réduit (crédits insuffisants)";
	case P304_REASON_TOPPED_UP: return "complété (reliquat)";
	}
	return "";
}

static const char *num(char *buf, size_t size, int64_t v)
{
	if (v == P304_NO_BOUND)
		return "";
	snprintf(buf, size, "%lld", (long long)v);
	return buf;
}

p304_code p304_write_notification_csv(const p304_notification *nt, FILE *fp,
				      p304_error *err)
{
	static const char *const header[] = {
		"code", "collectivité", "région", "montant pré-notifié (€)",
		"besoin exprimé (€)", "plafond de la demande (€)", "montant accordé (€)",
		"montant notifié (€)", "motif"
	};
	static const char *const missing_fr[] = { "vaut renoncement", "garde le montant pré-notifié" };
	static const char *const surplus_fr[] = {
		"non réparti (reliquat)", "réparti selon la clé (besoins non couverts, plafond)",
		"réparti au prorata des besoins non couverts"
	};
	const p304_result *res = nt->alloc;
	const p304_recon_policy *pol = &res->scenario->recon;
	char a[32], b[32], c[32], d[32], e[32], line[1200];
	const char *f[9];
	int bad = 0;

	bad |= fputs("\xEF\xBB\xBF", fp) < 0;
	bad |= wu_row(fp, header, 9);
	for (size_t i = 0; i < res->nrows; i++) {
		const p304_recon_row *r = &nt->rows[i];

		f[0] = res->rows[i].code;
		f[1] = res->rows[i].name;
		f[2] = res->rows[i].region_name;
		f[3] = num(a, sizeof(a), res->rows[i].alloc.amount_eur);
		f[4] = num(b, sizeof(b), nt->need[i]);
		f[5] = num(c, sizeof(c), nt->cap[i]);
		f[6] = num(d, sizeof(d), r->granted_eur);
		f[7] = num(e, sizeof(e), r->notified_eur);
		f[8] = reason_fr(r->reason);
		bad |= wu_row(fp, f, 9);
	}
	f[0] = "TOTAL"; f[1] = ""; f[2] = "";
	f[3] = num(a, sizeof(a), res->summary.allocated_eur);
	f[4] = num(b, sizeof(b), nt->summary.needs_eur);
	f[5] = "";
	f[6] = num(d, sizeof(d), nt->summary.granted_eur);
	f[7] = num(e, sizeof(e), nt->summary.notified_eur);
	f[8] = "";
	bad |= wu_row(fp, f, 9);
	f[0] = "RELIQUAT"; f[1] = "crédits disponibles non notifiés"; f[3] = ""; f[4] = "";
	f[6] = ""; f[7] = num(e, sizeof(e), nt->summary.unallocated_eur);
	bad |= wu_row(fp, f, 9);
	bad |= fputs("\r\n", fp) < 0;
	snprintf(line, sizeof(line), "Crédits disponibles : %lld € ; réponse manquante : %s ; "
		 "reliquat : %s ; insuffisance : réduction proportionnelle (taux %.6Lf)",
		 (long long)nt->available_eur, missing_fr[pol->missing], surplus_fr[pol->surplus],
		 nt->summary.rate);
	f[0] = line;
	bad |= wu_row(fp, f, 1);
	/* who did not answer, by name (« sans réponse : 44 Loire-Atlantique ») */
	for (int late = 0; late <= 1; late++) {
		char list[P304_MISSING_TEXT_MAX], mline[P304_MISSING_TEXT_MAX + 32];

		if (p304_notification_missing_text(nt, late, list, sizeof(list)) == 0)
			continue;
		snprintf(mline, sizeof(mline), "%s : %s", late ? "Hors délai" : "Sans réponse", list);
		f[0] = mline;
		bad |= wu_row(fp, f, 1);
	}
	for (size_t k = 0; k < res->scenario->ncriteria; k++) {
		snprintf(line, sizeof(line), "Source %s : %s", res->scenario->criteria[k].column,
			 res->sources && res->sources[k] ? res->sources[k] : "non renseignée");
		f[0] = line;
		bad |= wu_row(fp, f, 1);
	}
	return bad ? p304_error_set(err, P304_ERR_IO, NULL, 0, _("write failed")) : P304_OK;
}
