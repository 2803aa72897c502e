#include "compat.h"
#include "base64.h"

#include "buf.h"
#include "err.h"

static const char alphabet[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

void
mg_base64_encode(struct mg_buf *out, const void *data, size_t len)
{
	const unsigned char *p = data;
	size_t i;

	for (i = 0; i + 2 < len; i += 3) {
		char q[4] = { alphabet[p[i] >> 2],
			      alphabet[((p[i] & 3) << 4) | (p[i + 1] >> 4)],
			      alphabet[((p[i + 1] & 15) << 2) | (p[i + 2] >> 6)],
			      alphabet[p[i + 2] & 63] };

		mg_buf_add(out, q, 4);
	}
	if (len - i == 1) {
		char q[4] = { alphabet[p[i] >> 2], alphabet[(p[i] & 3) << 4],
			      '=', '=' };

		mg_buf_add(out, q, 4);
	} else if (len - i == 2) {
		char q[4] = { alphabet[p[i] >> 2],
			      alphabet[((p[i] & 3) << 4) | (p[i + 1] >> 4)],
			      alphabet[(p[i + 1] & 15) << 2], '=' };

		mg_buf_add(out, q, 4);
	}
}

static int
value(unsigned char c)
{
	const char *p = c ? strchr(alphabet, c) : NULL;

	return p ? (int)(p - alphabet) : -1;
}

int
mg_base64_decode(struct mg_buf *out, const char *s, size_t len)
{
	int quad[4], n = 0, pad = 0;
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\n' || c == '\r')
			continue;
		if (c == '=') {
			if (n < 2)
				return MG_EPARSE;
			pad++;
			quad[n++] = 0;
		} else {
			int v = value(c);

			if (pad || v < 0)
				return MG_EPARSE;
			quad[n++] = v;
		}
		if (n == 4) {
			unsigned char b[3] = {
				(unsigned char)(quad[0] << 2 | quad[1] >> 4),
				(unsigned char)(quad[1] << 4 | quad[2] >> 2),
				(unsigned char)(quad[2] << 6 | quad[3]) };

			if (mg_buf_add(out, b, (size_t)(3 - pad)))
				return MG_ETOOBIG;
			n = 0;
			if (pad)
				break;
		}
	}
	for (i++; i < len; i++)
		if (s[i] != '\n' && s[i] != '\r')
			return MG_EPARSE;
	return n ? MG_EPARSE : 0;
}
