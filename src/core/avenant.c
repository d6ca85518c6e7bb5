/*
 * avenant.c - the yearly amendment of a multi-year contract: the amount is
 * confirmed, or reduced by (a share of) what was not consumed ("reprise de
 * crédits" after under-consumption, 2020 circular annex 4 I and instruction
 * 2025/60). Integer arithmetic only.
 */
#include <p304/p304.h>
#include "banned.h"
#include "gettext.h"

const char *p304_avenant_reason_name(p304_avenant_reason r)
{
	switch (r) {
	case P304_AV_STABLE: return "stable";
	case P304_AV_REDUCED: return "reduced";
	case P304_AV_CONSUMED: return "fully_consumed";
	case P304_AV_NO_REPORT: return "no_report";
	}
	return "stable";
}

p304_code p304_avenant(size_t n, const int64_t *current, const int64_t *consumed,
		       p304_avenant_rule rule, int rate_bp, p304_avenant_row *rows,
		       p304_error *err)
{
	if (rate_bp < 0 || rate_bp > 10000)
		return p304_error_set(err, P304_ERR_INPUT, NULL, 0,
			_("reduction rate %d.%02d %% is not between 0 and 100 %%"),
			rate_bp / 100, rate_bp % 100);
	for (size_t i = 0; i < n; i++) {
		p304_avenant_row *r = &rows[i];
		int64_t c = current[i], u;

		if (c < 0 || (consumed[i] != P304_NO_BOUND && consumed[i] < 0))
			return p304_error_set(err, P304_ERR_INPUT, NULL, 0,
					      _("row %zu: negative amount"), i + 1);
		r->unconsumed_eur = 0;
		r->reduction_eur = 0;
		r->next_eur = c;
		if (consumed[i] == P304_NO_BOUND) {
			r->reason = P304_AV_NO_REPORT;
			continue;
		}
		u = consumed[i] < c ? c - consumed[i] : 0;
		r->unconsumed_eur = u;
		if (u == 0) {
			r->reason = P304_AV_CONSUMED;
			continue;
		}
		if (rule == P304_AVENANT_STABLE || rate_bp == 0) {
			r->reason = P304_AV_STABLE;
			continue;
		}
		/* floor(u × rate / 10000) without overflowing int64 */
		r->reduction_eur = (u / 10000) * rate_bp + (u % 10000) * rate_bp / 10000;
		r->next_eur = c - r->reduction_eur;
		r->reason = r->reduction_eur > 0 ? P304_AV_REDUCED : P304_AV_STABLE;
	}
	return P304_OK;
}
