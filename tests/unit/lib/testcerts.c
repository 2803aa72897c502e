/* Test certificates, made with OpenSSL's API at test time. */
#include "compat.h"
#include "testlib.h"

#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "base64.h"
#include "buf.h"
#include "xalloc.h"

static EVP_PKEY *
new_key(void)
{
	EVP_PKEY *k = EVP_EC_gen("P-256");

	if (!k)
		MG_BUG("EVP_EC_gen");
	return k;
}

static void
add_ext(X509 *cert, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *ex;

	X509V3_set_ctx(&ctx, issuer, cert, NULL, NULL, 0);
	ex = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	if (!ex)
		MG_BUG("X509V3_EXT_conf_nid");
	X509_add_ext(cert, ex, -1);
	X509_EXTENSION_free(ex);
}

/* Signs a certificate for key; issuer NULL makes it self-signed (a CA). */
static X509 *
make_cert(EVP_PKEY *key, const char *cn, const char *org, X509 *issuer,
	  EVP_PKEY *issuer_key, long from, long to, const char *san,
	  long serial)
{
	X509 *c = X509_new();
	X509_NAME *name = X509_NAME_new();

	X509_set_version(c, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(c), serial);
	X509_gmtime_adj(X509_getm_notBefore(c), from);
	X509_gmtime_adj(X509_getm_notAfter(c), to);
	X509_set_pubkey(c, key);
	if (org)
		X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
					   (const unsigned char *)org, -1, -1, 0);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
				   (const unsigned char *)cn, -1, -1, 0);
	X509_set_subject_name(c, name);
	X509_set_issuer_name(c, issuer ? X509_get_subject_name(issuer) : name);
	if (!issuer) {
		add_ext(c, c, NID_basic_constraints, "critical,CA:TRUE");
		add_ext(c, c, NID_key_usage, "critical,keyCertSign,cRLSign");
	} else {
		add_ext(c, issuer, NID_basic_constraints, "CA:FALSE");
		add_ext(c, issuer, NID_ext_key_usage, "serverAuth,clientAuth");
		if (san)
			add_ext(c, issuer, NID_subject_alt_name, san);
	}
	if (!X509_sign(c, issuer_key ? issuer_key : key, EVP_sha256()))
		MG_BUG("X509_sign");
	X509_NAME_free(name);
	return c;
}

static void
save(const char *dir, const char *base, X509 *c, EVP_PKEY *k)
{
	char *path = mg_xasprintf("%s/%s.crt", dir, base);
	FILE *f = fopen(path, "w");

	if (!f || !PEM_write_X509(f, c))
		MG_BUG("cannot write test certificate");
	fclose(f);
	free(path);
	if (!k)
		return;
	path = mg_xasprintf("%s/%s.key", dir, base);
	f = fopen(path, "w");
	if (!f || !PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL, NULL))
		MG_BUG("cannot write test key");
	fclose(f);
	free(path);
}

void
mg_test_certs(const char *dir)
{
	const long day = 86400;
	EVP_PKEY *cak = new_key(), *sk = new_key(), *ck = new_key(),
		 *ek = new_key(), *ok = new_key(), *oak = new_key();
	X509 *ca = make_cert(cak, "mg-test-ca", NULL, NULL, NULL, -day, 30 * day,
			     NULL, 1);
	X509 *other_ca = make_cert(oak, "untrusted-ca", NULL, NULL, NULL, -day,
				   30 * day, NULL, 2);
	X509 *srv = make_cert(sk, "127.0.0.1", NULL, ca, cak, -day, 30 * day,
			      "IP:127.0.0.1,DNS:localhost,DNS:apiserver.test", 3);
	X509 *cli = make_cert(ck, "alice", "system:masters", ca, cak, -day,
			      30 * day, NULL, 4);
	X509 *exp = make_cert(ek, "bob", NULL, ca, cak, -3 * day, -day, NULL, 5);
	X509 *oth = make_cert(ok, "127.0.0.1", NULL, other_ca, oak, -day,
			      30 * day, "IP:127.0.0.1,DNS:localhost", 6);

	save(dir, "ca", ca, cak);
	save(dir, "other-ca", other_ca, NULL);
	save(dir, "server", srv, sk);
	save(dir, "client", cli, ck);
	save(dir, "expired", exp, ek);
	save(dir, "other", oth, ok);
	X509_free(ca);
	X509_free(other_ca);
	X509_free(srv);
	X509_free(cli);
	X509_free(exp);
	X509_free(oth);
	EVP_PKEY_free(cak);
	EVP_PKEY_free(sk);
	EVP_PKEY_free(ck);
	EVP_PKEY_free(ek);
	EVP_PKEY_free(ok);
	EVP_PKEY_free(oak);
}

char *
mg_test_file_b64(const char *path)
{
	struct mg_buf in = MG_BUF_INIT, out = MG_BUF_INIT;

	if (mg_buf_read_file(&in, path, NULL))
		MG_BUG("cannot read test file");
	mg_base64_encode(&out, in.data, in.len);
	mg_buf_release(&in);
	return mg_buf_detach(&out, NULL);
}
