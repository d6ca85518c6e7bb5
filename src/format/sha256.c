/*
 * sha256.c - SHA-256 of input files for the manifest, with OpenSSL's
 * libcrypto (EVP interface): a checksum must not be hand-written.
 */
#include <p304/format.h>

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>

#include "format/fileutil.h"
#include "gettext.h"

p304_code p304_sha256_buffer(const void *data, size_t len, char hex[65],
			     p304_error *err)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;

	if (!EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL) || mdlen != 32)
		return p304_error_set(err, P304_ERR_INTERNAL, NULL, 0, _("SHA-256 failed"));
	for (unsigned int i = 0; i < mdlen; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	return P304_OK;
}

p304_code p304_sha256_file(const char *path, char hex[65], p304_error *err)
{
	char *buf;
	size_t len;
	p304_code rc;

	if ((rc = p304_read_file(path, &buf, &len, err)) != P304_OK)
		return rc;
	rc = p304_sha256_buffer(buf, len, hex, err);
	free(buf);
	if (rc != P304_OK && err)
		snprintf(err->file, sizeof(err->file), "%s", path);
	return rc;
}
