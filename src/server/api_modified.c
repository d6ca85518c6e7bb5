/*
 * api_modified.c - a scenario sent under the id of a shipped or saved
 * scenario, with other parameters than that file, is a new scenario (issue
 * 21): it must not carry the old id into file names, nor the old title
 * (« … 70 M€ ») into the workbook, the charts or the note of a 72 M€ round.
 * Its id becomes "scenario-modifie-<envelope>" and, unless the client wrote
 * another title, its title says its own envelope and participants.
 */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format/fileutil.h"
#include "server/api_priv.h"

/* The parameters of the split: everything but the names. */
static void drop_names(cJSON *o)
{
	cJSON_DeleteItemFromObjectCaseSensitive(o, "id");
	cJSON_DeleteItemFromObjectCaseSensitive(o, "title");
	cJSON_DeleteItemFromObjectCaseSensitive(o, "description");
	/* the policy chosen on the page for the notification (who did not
	 * answer, the reliquat) is a choice of the notification, not a change of
	 * the scenario: a saved scenario sent with it stays itself (issue 21) */
	cJSON_DeleteItemFromObjectCaseSensitive(o, "reconciliation");
}

/* 1 when `text` names a known scenario by its id but differs from it in
 * anything but id, title and description; *same_title when its title is
 * that file's. */
static int differs_from_file(struct srv_api *api, const char *text, size_t len, const char *id,
			     int *same_title)
{
	char *file = NULL;
	size_t flen = 0;
	cJSON *a, *b;
	int out = 0;

	if (!id || !api_scenario_text(api, id, &file, &flen))
		return 0;
	a = cJSON_ParseWithLength(text, len);
	b = cJSON_ParseWithLength(file, flen);
	if (a && b) {
		const cJSON *ta = cJSON_GetObjectItemCaseSensitive(a, "title");
		const cJSON *tb = cJSON_GetObjectItemCaseSensitive(b, "title");

		*same_title = !cJSON_IsString(ta) || (cJSON_IsString(tb) &&
				!strcmp(ta->valuestring, tb->valuestring));
		drop_names(a);
		drop_names(b);
		out = !cJSON_Compare(a, b, 1);
	}
	cJSON_Delete(a);
	cJSON_Delete(b);
	free(file);
	return out;
}

/* 72000000 -> "72 000 000 €" with the narrow no-break spaces of the outputs */
static void euros_fr(char *buf, size_t size, long long v)
{
	char digits[32];
	size_t n, o = 0;

	snprintf(digits, sizeof(digits), "%lld", v < 0 ? -v : v);
	n = strlen(digits);
	if (v < 0 && o + 1 < size)
		buf[o++] = '-';
	for (size_t i = 0; i < n && o + 4 < size; i++) {
		if (i && (n - i) % 3 == 0) {
			memcpy(buf + o, "\u202f", 3);
			o += 3;
		}
		buf[o++] = digits[i];
	}
	snprintf(buf + o, size - o, "\u00a0€");
}

int api_rename_modified(struct srv_api *api, const char *text, size_t len, char **id, char **title,
			int64_t envelope, size_t participants)
{
	char nid[64], ntitle[200], e[64];
	int same_title = 0;
	char *a, *b = NULL;

	if (!differs_from_file(api, text, len, *id, &same_title))
		return 0;
	snprintf(nid, sizeof(nid), "scenario-modifie-%lld", (long long)envelope);
	euros_fr(e, sizeof(e), (long long)envelope);
	snprintf(ntitle, sizeof(ntitle), "Scénario modifié : enveloppe de %s entre %zu collectivités",
		 e, participants);
	if (!(a = strdup(nid)) || (same_title && !(b = strdup(ntitle)))) {
		free(a);
		return -1;
	}
	free(*id);
	*id = a;
	if (same_title) {
		free(*title);
		*title = b;
	}
	return 1;
}
