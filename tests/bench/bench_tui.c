/*
 * bench_tui - the dashboard's work per frame on a big cluster, without a
 * terminal or a server: what happens between a watch event and the
 * screen (snapshot apply, tick, health check, tree rebuild, layout), for
 * N shards of 3 pods (tests/fixtures/tui/gen.py full), then E events
 * that each change one pod. Prints the times (mean, p50, p99, max) and
 * memory. Run by tests/bench/bench_tui.sh.
 *
 *     bench_tui OBJECTS.json [EVENTS]
 */
#include "compat.h"

#include "buf.h"
#include "err.h"
#include "health.h"
#include "json.h"
#include "snapshot.h"
#include "timeutil.h"
#include "viewtree.h"
#include "xalloc.h"

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

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

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void
report(const char *what, double *v, size_t n)
{
	double sum = 0;
	size_t i;

	qsort(v, n, sizeof(*v), cmp_double);
	for (i = 0; i < n; i++)
		sum += v[i];
	printf("%-34s mean %7.3f ms  p50 %7.3f  p99 %7.3f  max %7.3f  (n=%zu)\n",
	       what, sum / (double)n, v[n / 2], v[n * 99 / 100], v[n - 1], n);
}

/* The frame's model work: tick, health, tree. */
static void
frame(struct mg_snap *snap, struct mg_viewtree *vt,
      struct mg_health_report *rep, time_t now)
{
	struct mg_vt_build_opts bo = { now, NULL, NULL, false };

	mg_snap_tick(snap, now);
	mg_health_check(snap, now, NULL, rep);
	mg_viewtree_build(vt, snap, &bo);
	(void)mg_viewtree_top(vt, 14);
}

int
main(int argc, char **argv)
{
	struct mg_buf data = MG_BUF_INIT;
	struct mg_err err = MG_ERR_INIT;
	struct mg_snap *snap;
	struct mg_viewtree *vt;
	struct mg_health_report rep = MG_HEALTH_REPORT_INIT;
	cJSON *objs = NULL, *o, **pods = NULL;
	size_t npods = 0, i, nevents = argc > 2 ? strtoul(argv[2], NULL, 10) : 2000;
	double t0, *apply_ms, *frame_ms, *both_ms;
	long rss0, hwm0, rss, hwm;
	time_t now = time(NULL);
	unsigned long rv = 1000000;

	if (argc < 2) {
		fprintf(stderr, "usage: bench_tui OBJECTS.json [EVENTS]\n");
		return 2;
	}
	memory(&rss0, &hwm0);
	if (mg_buf_read_file(&data, argv[1], &err) ||
	    mg_json_parse(&objs, data.data, data.len, argv[1], &err)) {
		fprintf(stderr, "bench_tui: %s\n", err.msg);
		return 1;
	}
	mg_buf_release(&data);
	snap = mg_snap_new(NULL);
	vt = mg_viewtree_new();

	/* the first LIST */
	t0 = now_ms();
	mg_json_array_foreach(o, objs) {
		enum mg_snap_kind kind;

		if (!mg_snap_kind_parse(mg_json_str(o, "kind"), &kind) ||
		    mg_snap_apply(snap, kind, MG_SNAP_ADDED, o, &err)) {
			fprintf(stderr, "bench_tui: %s\n", err.msg);
			return 1;
		}
		if (kind == MG_SNAP_POD) {
			pods = mg_xrealloc(pods, (npods + 1) * sizeof(*pods));
			pods[npods++] = o;
		}
	}
	printf("objects %d, pods %zu\n", cJSON_GetArraySize(objs), npods);
	printf("%-34s %9.3f ms\n", "apply everything (first LIST)", now_ms() - t0);
	t0 = now_ms();
	frame(snap, vt, &rep, now);
	printf("%-34s %9.3f ms  (%zu nodes, %zu rows, %zu findings)\n",
	       "first frame (health + tree)", now_ms() - t0,
	       mg_viewtree_nnodes(vt), mg_viewtree_nrows(vt), rep.n);

	/* watch events: one pod changes each time */
	apply_ms = mg_xcalloc(nevents, sizeof(*apply_ms));
	frame_ms = mg_xcalloc(nevents, sizeof(*frame_ms));
	both_ms = mg_xcalloc(nevents, sizeof(*both_ms));
	for (i = 0; i < nevents; i++) {
		cJSON *pod = pods[(i * 7919) % npods];
		cJSON *md = cJSON_GetObjectItem(pod, "metadata");
		cJSON *ann = cJSON_GetObjectItem(md, "annotations");
		char num[32];
		double a, b;

		if (!ann)
			ann = cJSON_AddObjectToObject(md, "annotations");
		mg_json_set_str(ann, "drain.multigres.com/state",
				i % 2 ? "requested" : "draining");
		snprintf(num, sizeof(num), "%lu", ++rv);
		mg_json_set_str(md, "resourceVersion", num);
		a = now_ms();
		if (mg_snap_apply(snap, MG_SNAP_POD, MG_SNAP_MODIFIED, pod,
				  &err)) {
			fprintf(stderr, "bench_tui: %s\n", err.msg);
			return 1;
		}
		b = now_ms();
		frame(snap, vt, &rep, now + (time_t)(i / 100));
		apply_ms[i] = b - a;
		frame_ms[i] = now_ms() - b;
		both_ms[i] = now_ms() - a;
	}
	report("apply one watch event", apply_ms, nevents);
	report("frame: tick + health + tree", frame_ms, nevents);
	report("event to tree, total", both_ms, nevents);

	/* the person's keys */
	t0 = now_ms();
	mg_viewtree_set_filter(vt, "kind:pod role:primary", &err);
	printf("%-34s %9.3f ms  (%zu matches)\n", "filter role:primary",
	       now_ms() - t0, mg_viewtree_nmatches(vt));
	t0 = now_ms();
	mg_viewtree_set_sort(vt, MG_VT_SORT_STATUS, false);
	printf("%-34s %9.3f ms\n", "sort by status", now_ms() - t0);
	t0 = now_ms();
	for (i = 0; i < 1000; i++)
		mg_viewtree_move(vt, 1);
	printf("%-34s %9.3f ms\n", "1000 moves down", now_ms() - t0);

	memory(&rss, &hwm);
	printf("memory: RSS %ld KiB (%ld before loading), peak %ld KiB\n", rss,
	       rss0, hwm);
	mg_health_report_release(&rep);
	mg_viewtree_free(vt);
	mg_snap_free(snap);
	cJSON_Delete(objs);
	free(pods);
	free(apply_ms);
	free(frame_ms);
	free(both_ms);
	return 0;
}
