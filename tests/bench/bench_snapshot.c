/*
 * bench_snapshot - how the snapshot copes with a big cluster: 200 shards of
 * 3 pool pods each (plus their PVCs), then 10 000 watch events (pod and
 * shard updates, new Events, pods replaced), then a health check and the
 * status in text and JSON. Prints times and memory. Not part of
 * `make test`; build and run from the top of the tree:
 *
 *     tests/bench/run            (or: tests/bench/run 500 20000)
 *
 * The objects are the minimal fixture's (tests/fixtures/snapshot), renamed.
 */
#include "compat.h"

#include "../fixtures/snapshot/fixture.h"
#include "health.h"
#include "json.h"
#include "status.h"
#include "timeutil.h"

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* VmRSS and VmHWM of this process, in KiB (Linux). */
static void
memory(long *rss, long *hwm)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];

	*rss = *hwm = -1;
	while (f && fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "VmRSS:", 6))
			*rss = strtol(line + 6, NULL, 10);
		else if (!strncmp(line, "VmHWM:", 6))
			*hwm = strtol(line + 6, NULL, 10);
	}
	if (f)
		fclose(f);
}

static unsigned long rv = 100000;

static void
set_rv(cJSON *o)
{
	char b[32];

	snprintf(b, sizeof(b), "%lu", ++rv);
	mg_json_set_str(mg_json_get(o, "metadata"), "resourceVersion", b);
}

static void
set_label(cJSON *o, const char *key, const char *value)
{
	cJSON *l = mg_json_get(o, "metadata.labels");

	cJSON_DeleteItemFromObjectCaseSensitive(l, key);
	cJSON_AddStringToObject(l, key, value);
}

/* A copy of template t for shard i (table group "tg<i>"), pod index j. */
static cJSON *
make(const cJSON *t, int i, int j, const char *kind)
{
	cJSON *o = cJSON_Duplicate(t, 1);
	char name[128], tg[16], uidb[160];

	snprintf(tg, sizeof(tg), "tg%03d", i);
	if (!strcmp(kind, "Shard")) {
		snprintf(name, sizeof(name), "bench-shard-%03d", i);
		cJSON_ReplaceItemInObject(mg_json_get(o, "spec"),
					  "tableGroupName",
					  cJSON_CreateString(tg));
		cJSON_ReplaceItemInObject(mg_json_get(o, "status"), "podRoles",
					  cJSON_CreateObject());
		for (int k = 0; k < 3; k++) {
			char pod[128];

			snprintf(pod, sizeof(pod), "bench-%03d-pod-%d", i, k);
			cJSON_AddStringToObject(
				mg_json_get(o, "status.podRoles"), pod,
				k ? "REPLICA" : "PRIMARY");
		}
	} else if (!strcmp(kind, "Pod")) {
		snprintf(name, sizeof(name), "bench-%03d-pod-%d", i, j);
	} else {
		snprintf(name, sizeof(name), "data-bench-%03d-pod-%d", i, j);
	}
	mg_json_set_str(mg_json_get(o, "metadata"), "name", name);
	snprintf(uidb, sizeof(uidb), "uid-%s", name);
	mg_json_set_str(mg_json_get(o, "metadata"), "uid", uidb);
	set_label(o, "multigres.com/tablegroup", tg);
	set_rv(o);
	return o;
}

static cJSON *
event_about(const cJSON *pod, int n)
{
	cJSON *e = cJSON_CreateObject(), *m, *io;
	char name[160], t[MG_TIME_LEN + 1];

	snprintf(name, sizeof(name), "%s.%08x",
		 mg_json_str(pod, "metadata.name"), (unsigned)n);
	mg_time_format(t, FIXTURE_NOW - (n % 600), NULL);
	m = cJSON_AddObjectToObject(e, "metadata");
	cJSON_AddStringToObject(m, "name", name);
	cJSON_AddStringToObject(m, "namespace", "demo");
	io = cJSON_AddObjectToObject(e, "involvedObject");
	cJSON_AddStringToObject(io, "kind", "Pod");
	cJSON_AddStringToObject(io, "namespace", "demo");
	cJSON_AddStringToObject(io, "name", mg_json_str(pod, "metadata.name"));
	cJSON_AddStringToObject(io, "uid", mg_json_str(pod, "metadata.uid"));
	cJSON_AddStringToObject(e, "type", n % 3 ? "Normal" : "Warning");
	cJSON_AddStringToObject(e, "reason", n % 3 ? "Pulled" : "Unhealthy");
	cJSON_AddStringToObject(e, "message", "Readiness probe failed");
	cJSON_AddStringToObject(e, "lastTimestamp", t);
	return e;
}

int
main(int argc, char **argv)
{
	int nshards = argc > 1 ? (int)strtol(argv[1], NULL, 10) : 200;
	int nevents = argc > 2 ? (int)strtol(argv[2], NULL, 10) : 10000;
	cJSON *objs = fixture_objs("minimal");
	struct mg_snap_opts so = MG_SNAP_OPTS_INIT;
	struct mg_snap *s;
	cJSON **pods, **shards;
	const cJSON *it;
	struct mg_health_report r = MG_HEALTH_REPORT_INIT;
	struct mg_status_opts o = MG_STATUS_OPTS_INIT;
	struct mg_buf out = MG_BUF_INIT;
	double t0, t1;
	long rss0, hwm0, rss1, hwm1;
	unsigned seed = 12345;
	int i, j, applied = 0;

	so.desired_hash = fixture_hash;
	s = mg_snap_new(&so);
	memory(&rss0, &hwm0);
	pods = calloc((size_t)nshards * 3, sizeof(*pods));
	shards = calloc((size_t)nshards, sizeof(*shards));

	/* the cluster, cell, topo and Deployments once; then the shards */
	t0 = now_ms();
	cJSON_ArrayForEach(it, objs) {
		const char *k = mg_json_str(it, "kind");
		enum mg_snap_kind kind;

		if (!strcmp(k, "Pod") || !strcmp(k, "Shard") ||
		    !strcmp(k, "PersistentVolumeClaim") || !strcmp(k, "Event") ||
		    !strcmp(k, "TableGroup"))
			continue;
		mg_snap_kind_parse(k, &kind);
		mg_snap_apply(s, kind, MG_SNAP_ADDED, it, NULL);
	}
	for (i = 0; i < nshards; i++) {
		cJSON *pvc;

		shards[i] = make(fixture_find(objs, "Shard", "minimal-"), i, 0,
				 "Shard");
		mg_snap_apply(s, MG_SNAP_SHARD, MG_SNAP_ADDED, shards[i], NULL);
		for (j = 0; j < 3; j++) {
			pods[i * 3 + j] = make(fixture_find(objs, "Pod",
							    "minimal-postgres"),
					       i, j, "Pod");
			mg_snap_apply(s, MG_SNAP_POD, MG_SNAP_ADDED,
				      pods[i * 3 + j], NULL);
			pvc = make(fixture_find(objs, "PersistentVolumeClaim",
						"data-"),
				   i, j, "PVC");
			mg_snap_apply(s, MG_SNAP_PVC, MG_SNAP_ADDED, pvc, NULL);
			cJSON_Delete(pvc);
		}
	}
	mg_snap_tick(s, FIXTURE_NOW);
	t1 = now_ms();
	memory(&rss1, &hwm1);
	printf("load:    %d shards, %d pods, %d PVCs in %.1f ms; "
	       "RSS +%ld KiB\n",
	       nshards, nshards * 3, nshards * 3, t1 - t0, rss1 - rss0);

	t0 = now_ms();
	for (i = 0; i < nevents; i++) {
		unsigned x;
		cJSON *p, *e;

		seed = seed * 1103515245u + 12345u;
		x = (seed >> 8) % 100;
		j = (int)((seed >> 4) % (unsigned)(nshards * 3));
		p = pods[j];
		if (x < 60) { /* a pod flips readiness */
			cJSON *c = cJSON_GetArrayItem(
				mg_json_get(p, "status.conditions"), 2);

			cJSON_ReplaceItemInObject(
				c, "status",
				cJSON_CreateString(i % 2 ? "True" : "False"));
			set_rv(p);
			mg_snap_apply(s, MG_SNAP_POD, MG_SNAP_MODIFIED, p, NULL);
		} else if (x < 80) { /* an Event */
			e = event_about(p, i);
			mg_snap_apply(s, MG_SNAP_EVENT, MG_SNAP_ADDED, e, NULL);
			cJSON_Delete(e);
		} else if (x < 95) { /* its shard's status */
			cJSON *sh = shards[j / 3];

			cJSON_ReplaceItemInObject(mg_json_get(sh, "status"),
						  "readyReplicas",
						  cJSON_CreateNumber(i % 4));
			set_rv(sh);
			mg_snap_apply(s, MG_SNAP_SHARD, MG_SNAP_MODIFIED, sh,
				      NULL);
		} else { /* the pod replaced */
			mg_snap_apply(s, MG_SNAP_POD, MG_SNAP_DELETED, p, NULL);
			set_rv(p);
			mg_snap_apply(s, MG_SNAP_POD, MG_SNAP_ADDED, p, NULL);
		}
		applied++;
		if (i % 100 == 99)
			mg_snap_tick(s, FIXTURE_NOW + i / 100);
	}
	t1 = now_ms();
	memory(&rss1, &hwm1);
	printf("events:  %d in %.1f ms (%.2f us each); %zu events kept; "
	       "RSS %ld KiB (peak %ld)\n",
	       applied, t1 - t0, (t1 - t0) * 1e3 / applied,
	       mg_snap_count(s, MG_SNAP_EVENT), rss1, hwm1);

	t0 = now_ms();
	mg_health_check(s, FIXTURE_NOW + 100, NULL, &r);
	t1 = now_ms();
	printf("health:  %zu findings in %.1f ms\n", r.n, t1 - t0);

	o.now = FIXTURE_NOW + 100;
	t0 = now_ms();
	mg_status_render(&out, s, &r, &o, NULL);
	t1 = now_ms();
	printf("text:    %zu bytes in %.1f ms\n", out.len, t1 - t0);
	mg_buf_reset(&out);
	o.format = MG_STATUS_JSON;
	t0 = now_ms();
	mg_status_render(&out, s, &r, &o, NULL);
	t1 = now_ms();
	printf("json:    %zu bytes in %.1f ms\n", out.len, t1 - t0);

	t0 = now_ms();
	mg_snap_free(s);
	t1 = now_ms();
	printf("free:    %.1f ms\n", t1 - t0);
	for (i = 0; i < nshards * 3; i++)
		cJSON_Delete(pods[i]);
	for (i = 0; i < nshards; i++)
		cJSON_Delete(shards[i]);
	free(pods);
	free(shards);
	mg_buf_release(&out);
	mg_health_report_release(&r);
	cJSON_Delete(objs);
	return 0;
}
