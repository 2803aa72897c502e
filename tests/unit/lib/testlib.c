/* Helpers shared by the unit tests (see testlib.h). */
#include "compat.h"
#include "testlib.h"

#include <curl/curl.h>
#include <errno.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

#include "buf.h"
#include "err.h"
#include "json.h"
#include "yaml_json.h"
#include "xalloc.h"

char *
mg_test_tmpdir(void)
{
	const char *t = getenv("TMPDIR");
	char *tmpl = mg_xasprintf("%s/mg-test-XXXXXX", t && *t ? t : "/tmp");

	if (!mkdtemp(tmpl))
		MG_BUG("mkdtemp");
	return tmpl;
}

void
mg_test_rmrf(const char *dir)
{
	char *cmd;

	if (!dir || !strstr(dir, "/mg-test-"))
		return;
	cmd = mg_xasprintf("rm -rf '%s'", dir);
	if (system(cmd) != 0)
		MG_BUG("rm -rf failed");
	free(cmd);
}

char *
mg_test_write(const char *dir, const char *name, const char *content)
{
	char *path = mg_xasprintf("%s/%s", dir, name);
	char *slash;
	FILE *f;

	for (slash = strchr(path + strlen(dir) + 1, '/'); slash;
	     slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		mkdir(path, 0700);
		*slash = '/';
	}
	f = fopen(path, "w");
	if (!f || fputs(content, f) < 0 || fclose(f))
		MG_BUG("cannot write test file");
	return path;
}

char *
mg_test_read(const char *path)
{
	struct mg_buf b = MG_BUF_INIT;

	if (mg_buf_read_file(&b, path, NULL))
		MG_BUG("cannot read test file");
	return mg_buf_detach(&b, NULL);
}

/* --- the scripted HTTPS server ---------------------------------------- */

static const char *
server_script(void)
{
	const char *dir = getenv("MG_TESTLIB_DIR");

	return dir ? dir : "tests/unit/lib";
}

void
mg_test_server_start(struct mg_test_server *s, const char *certdir,
		     bool want_client_cert)
{
	char *portfile = mg_xasprintf("%s/ports.%d", certdir, (int)getpid());
	char *script = mg_xasprintf("%s/https_server.py", server_script());
	char *cert = mg_xasprintf("%s/server.crt", certdir);
	char *key = mg_xasprintf("%s/server.key", certdir);
	char *ca = mg_xasprintf("%s/ca.crt", certdir);
	int i, https = 0, ctl = 0;
	pid_t pid;

	unlink(portfile);
	pid = fork();
	if (pid < 0)
		MG_BUG("fork");
	if (pid == 0) {
		char *argv[12];
		int n = 0;

		argv[n++] = mg_xstrdup("python3");
		argv[n++] = script;
		argv[n++] = mg_xstrdup("--cert");
		argv[n++] = cert;
		argv[n++] = mg_xstrdup("--key");
		argv[n++] = key;
		argv[n++] = mg_xstrdup("--ca");
		argv[n++] = ca;
		argv[n++] = mg_xstrdup("--port-file");
		argv[n++] = portfile;
		if (want_client_cert)
			argv[n++] = mg_xstrdup("--require-client-cert");
		argv[n] = NULL;

		execvp("python3", argv);
		_exit(127);
	}
	for (i = 0; i < 1000; i++) { /* up to 10 s for python to start */
		FILE *f = fopen(portfile, "r");

		if (f) {
			int n = fscanf(f, "%d %d", &https, &ctl);

			fclose(f);
			if (n == 2)
				break;
		}
		if (waitpid(pid, NULL, WNOHANG) == pid)
			MG_BUG("https_server.py exited at start");
		nanosleep(&(struct timespec){ 0, 10000000 }, NULL);
	}
	if (!https)
		MG_BUG("https_server.py did not start");
	s->pid = pid;
	s->port = https;
	s->control_port = ctl;
	snprintf(s->url, sizeof(s->url), "https://127.0.0.1:%d", https);
	unlink(portfile);
	free(portfile);
	free(script);
	free(cert);
	free(key);
	free(ca);
}

void
mg_test_server_stop(struct mg_test_server *s)
{
	if (s->pid <= 0)
		return;
	kill(s->pid, SIGTERM);
	waitpid(s->pid, NULL, 0);
	s->pid = 0;
}

static size_t
collect(char *p, size_t size, size_t n, void *data)
{
	mg_buf_add(data, p, size * n);
	return size * n;
}

static char *
control(struct mg_test_server *s, const char *path, const char *body)
{
	CURL *c = curl_easy_init();
	struct mg_buf out = MG_BUF_INIT;
	char *url = mg_xasprintf("http://127.0.0.1:%d%s", s->control_port, path);

	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &out);
	if (body)
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	if (curl_easy_perform(c) != CURLE_OK)
		MG_BUG("test server control request failed");
	curl_easy_cleanup(c);
	free(url);
	return mg_buf_detach(&out, NULL);
}

void
mg_test_server_script(struct mg_test_server *s, const char *path,
		      const char *script_json)
{
	CURL *c = curl_easy_init();
	char *esc = curl_easy_escape(c, path, 0);
	char *p = mg_xasprintf("/script?path=%s", esc);

	free(control(s, p, script_json));
	curl_free(esc);
	curl_easy_cleanup(c);
	free(p);
}

char *
mg_test_server_requests(struct mg_test_server *s)
{
	return control(s, "/requests", NULL);
}

struct cJSON *
mg_test_yaml(const char *text)
{
	struct mg_err err = MG_ERR_INIT;
	cJSON *out = NULL;

	if (mg_yaml_parse(&out, text, strlen(text), "test", &err))
		fail_msg("yaml: %s", err.msg);
	return out;
}

struct cJSON *
mg_test_yaml_file(const char *path)
{
	struct mg_buf b = MG_BUF_INIT;
	struct mg_err err = MG_ERR_INIT;
	cJSON *out = NULL;

	if (mg_buf_read_file(&b, path, &err) ||
	    mg_yaml_parse_all(&out, b.data, b.len, path, &err))
		fail_msg("%s: %s", path, err.msg);
	mg_buf_release(&b);
	return out;
}
