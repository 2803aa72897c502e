/*
 * testlib.h - helpers shared by the unit tests: temporary folders, files,
 * test certificates made with OpenSSL at test time, and the loopback HTTPS
 * server (https_server.py) the HTTP tests talk to.
 */
#ifndef MG_TESTLIB_H
#define MG_TESTLIB_H

#include <sys/types.h>

#include "compat.h"

/* A fresh folder under $TMPDIR; remove it with mg_test_rmrf. */
char *mg_test_tmpdir(void);
void mg_test_rmrf(const char *dir);
/* Writes content to dir/name (creating subfolders); returns the path. */
char *mg_test_write(const char *dir, const char *name, const char *content);
char *mg_test_read(const char *path);

/*
 * YAML for tests (cmocka): one document from a string, or every document
 * of a file as an array. A parse or read error fails the running test.
 * The caller frees the result with cJSON_Delete.
 */
struct cJSON;
struct cJSON *mg_test_yaml(const char *text);
struct cJSON *mg_test_yaml_file(const char *path);

/*
 * Writes into dir: ca.crt/ca.key (the test CA), server.crt/server.key (for
 * 127.0.0.1 and localhost, and the name "apiserver.test"), client.crt/
 * client.key (CN=alice, O=system:masters), expired.crt/expired.key (expired
 * yesterday), other-ca.crt (a CA nobody trusts) and other.crt/other.key
 * (signed by it). EC P-256 keys: quick to make.
 */
void mg_test_certs(const char *dir);

/* Base64 of a file's bytes, for the *-data kubeconfig fields (malloc'd). */
char *mg_test_file_b64(const char *path);

struct mg_test_server {
	pid_t pid;
	int port;
	int control_port; /* plain HTTP: scripts and the request log */
	char url[64];     /* https://127.0.0.1:PORT */
};

/*
 * Starts tests/unit/lib/https_server.py with the certificates of
 * mg_test_certs(dir) on a free loopback port. Requires client certificates
 * only if want_client_cert. Aborts the test on failure.
 */
void mg_test_server_start(struct mg_test_server *s, const char *certdir,
			  bool want_client_cert);
void mg_test_server_stop(struct mg_test_server *s);

/*
 * Tells the server how to answer the next requests for a path: `script` is
 * a JSON array of responses ({"status":..,"headers":{..},"body":"..",
 * "chunks":[..],"cut":true,"delay":s}); the last one repeats.
 */
void mg_test_server_script(struct mg_test_server *s, const char *path,
			   const char *script_json);
/* The requests seen since the last call, as a JSON array text (malloc'd). */
char *mg_test_server_requests(struct mg_test_server *s);

#endif /* MG_TESTLIB_H */
