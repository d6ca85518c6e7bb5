/*
 * regions.c - totals by region of a result: officers delegate credits per
 * region (the préfet de région runs the BOP 304), so every table can be
 * summed the same way, exactly.
 */
#include <p304/format.h>

#include <csv.h>
#include <string.h>

#include "format/writeutil.h"
#include "gettext.h"

size_t p304_region_totals(const p304_result_row *rows, size_t nrows,
			  const int64_t *amount_a, const int64_t *amount_b,
			  p304_region_total *out)
{
	size_t n = 0;

	for (size_t i = 0; i < nrows; i++) {
		size_t j;

		for (j = 0; j < n; j++)
			if (strcmp(out[j].code, rows[i].region_code) == 0)
				break;
		if (j == n) {
			/* insertion in region-code order */
			while (j > 0 && strcmp(out[j - 1].code, rows[i].region_code) > 0) {
				out[j] = out[j - 1];
				j--;
			}
			out[j] = (p304_region_total){ .code = rows[i].region_code,
						      .name = rows[i].region_name };
			n++;
		}
		out[j].n++;
		out[j].amount[0] += amount_a[i];
		if (amount_b)
			out[j].amount[1] += amount_b[i];
	}
	return n;
}

p304_code p304_write_regions_csv(const p304_region_total *t, size_t n,
				 const char *const *labels, size_t namounts,
				 FILE *fp, p304_error *err)
{
	int64_t total[2] = { 0, 0 };
	size_t count = 0;
	char buf[32];
	int bad = fputs("\xEF\xBB\xBF", fp) < 0;

	bad |= wu_field(fp, "code région", 1) | wu_field(fp, "région", 0) |
	       wu_field(fp, "collectivités", 0);
	for (size_t k = 0; k < namounts; k++)
		bad |= wu_field(fp, labels[k], 0);
	bad |= fputs("\r\n", fp) < 0;
	for (size_t i = 0; i < n; i++) {
		bad |= wu_field(fp, t[i].code, 1) | wu_field(fp, t[i].name, 0);
		snprintf(buf, sizeof(buf), "%zu", t[i].n);
		bad |= wu_field(fp, buf, 0);
		for (size_t k = 0; k < namounts; k++) {
			snprintf(buf, sizeof(buf), "%lld", (long long)t[i].amount[k]);
			bad |= wu_field(fp, buf, 0);
			total[k] += t[i].amount[k];
		}
		count += t[i].n;
		bad |= fputs("\r\n", fp) < 0;
	}
	bad |= wu_field(fp, "TOTAL", 1) | wu_field(fp, "", 0);
	snprintf(buf, sizeof(buf), "%zu", count);
	bad |= wu_field(fp, buf, 0);
	for (size_t k = 0; k < namounts; k++) {
		snprintf(buf, sizeof(buf), "%lld", (long long)total[k]);
		bad |= wu_field(fp, buf, 0);
	}
	bad |= fputs("\r\n", fp) < 0;
	return bad ? p304_error_set(err, P304_ERR_IO, NULL, 0, _("write failed")) : P304_OK;
}
