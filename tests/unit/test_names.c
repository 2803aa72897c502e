/*
 * Unit tests for shared/names.c.
 *
 * Where the expected values come from:
 *  - "upstream": the two vectors of the Go operator's own unit test
 *    (pkg/util/name), quoted in multigres-operator-facts.md 3.1;
 *  - "facts 3.2": the worked example of multigres-operator-facts.md 3.2
 *    (cluster minimal, cell zone-a; the pod name is confirmed there by an
 *    upstream test);
 *  - "script": printed by tests/unit/names_vectors.py, an independent
 *    Python implementation of the algorithm as written in facts 3.1. Run
 *    it again after changing a vector, never edit an expected value by
 *    hand. Its output for every vector was also checked once against
 *    upstream's own pkg/util/name compiled with Go 1.26 (no mismatch).
 *  - pod indexes: what Go 1.26 strconv.Atoi returns for the same tails.
 */
#include "compat.h"

#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

#include "err.h"
#include "names.h"
#include "xalloc.h"

struct join_vector {
	enum mg_name_kind kind;
	const char *parts[8];
	size_t nparts;
	const char *want;
};

static const struct join_vector join_vectors[] = {
	/* upstream */
	{ MG_NAME_DEFAULT, { "hello", "world" }, 2,
	  "hello-world-344ce285" },
	{ MG_NAME_DEFAULT, { "production", "mydb", "default" }, 3,
	  "production-mydb-default-5c6a71f9" },
	/* facts 3.2, and the same values again from the script */
	{ MG_NAME_DEFAULT, { "minimal", "zone-a" }, 2,
	  "minimal-zone-a-96c88ae0" },
	{ MG_NAME_DEFAULT, { "minimal", "postgres", "default" }, 3,
	  "minimal-postgres-default-f7d4ad4a" },
	{ MG_NAME_DEFAULT, { "minimal", "postgres", "default", "0-inf" }, 4,
	  "minimal-postgres-default-0-inf-1e3c045c" },
	{ MG_NAME_POD,
	  { "minimal", "postgres", "default", "0-inf", "pool", "default",
	    "zone-a" }, 7,
	  "minimal-postgres-default-0-inf-pool-default-zone-a-a3a0d77b" },
	{ MG_NAME_SERVICE,
	  { "minimal", "postgres", "default", "0-inf", "pool", "default",
	    "zone-a", "headless" }, 8,
	  "minimal-postgres-default-0-inf-pool-default-zone-a-h---22cdf02c" },
	{ MG_NAME_SERVICE,
	  { "minimal", "postgres", "default", "0-inf", "pool", "default",
	    "zone-a", "pdb" }, 8,
	  "minimal-postgres-default-0-inf-pool-default-zone-a-pdb-6a4f8455" },
	{ MG_NAME_DEFAULT,
	  { "minimal", "postgres", "default", "0-inf", "multiorch", "zone-a" },
	  6, "minimal-postgres-default-0-inf-multiorch-zone-a-bbe2a333" },
	{ MG_NAME_SERVICE,
	  { "minimal", "postgres", "default", "0-inf", "multiorch", "zone-a" },
	  6, "minimal-postgres-default-0-inf-multiorch-zone-a-bbe2a333" },
	{ MG_NAME_SERVICE,
	  { "backup-data", "minimal", "postgres", "default", "0-inf" }, 5,
	  "backup-data-minimal-postgres-default-0-inf-811a09a5" },
	{ MG_NAME_DEFAULT, { "minimal", "zone-a", "multigateway" }, 3,
	  "minimal-zone-a-multigateway-0ccc2e8b" },
	{ MG_NAME_SERVICE, { "minimal", "zone-a", "multigateway" }, 3,
	  "minimal-zone-a-multigateway-0ccc2e8b" },
	/* script: everything below */
	{ MG_NAME_STATEFULSET, { "minimal-zone-a-96c88ae0", "topo" }, 2,
	  "minimal-zone-a-96c88ae0-topo-26e28848" },
	/* the hash is over the parts, not the joined text */
	{ MG_NAME_DEFAULT, { "a-b", "c" }, 2, "a-b-c-f03bd84a" },
	{ MG_NAME_DEFAULT, { "a", "b-c" }, 2, "a-b-c-86d543be" },
	/* mapping: upper case, punctuation, UTF-8, broken UTF-8 (a
	 * truncated sequence, a stray byte, a surrogate, an overlong form,
	 * a value past U+10FFFF: one '-' per byte) */
	{ MG_NAME_DEFAULT, { "Prod_DB", "Zone.A" }, 2,
	  "prod-db-zone-a-5de8bc4a" },
	{ MG_NAME_DEFAULT, { "caf\xc3\xa9", "\xe6\x97\xa5\xe6\x9c\xac" }, 2,
	  "caf-----85e45571" },
	{ MG_NAME_DEFAULT, { "a\xe2\x82z", "\xff" }, 2, "a--z---14d358d5" },
	{ MG_NAME_DEFAULT, { "\xf0\x9f\x98\x80x", "y" }, 2,
	  "x-x-y-01124d31" },
	{ MG_NAME_DEFAULT, { "\xc3\xa9""ab", "\xed\x9f\xbf\xee\x80\x80" }, 2,
	  "x-ab----04052215" },
	{ MG_NAME_DEFAULT, { "s\xed\xa0\x80", "\xc0\x80\xf4\x90\x80\x80" }, 2,
	  "s-----------a4fb3f99" },
	/* first character: a digit passes DEFAULT only; "x" otherwise */
	{ MG_NAME_DEFAULT, { "0-inf", "x" }, 2, "0-inf-x-68e2a557" },
	{ MG_NAME_SERVICE, { "0-inf", "x" }, 2, "x0-inf-x-68e2a557" },
	{ MG_NAME_SERVICE, { "-lead", "x" }, 2, "x-lead-x-e6159fd2" },
	{ MG_NAME_DEFAULT, { "", "cell" }, 2, "x-cell-c0c4f239" },
	{ MG_NAME_POD, { "", "" }, 2, "x--117697cd" },
	/* realistic names that need cutting */
	{ MG_NAME_POD,
	  { "very-long-cluster-name-01", "inventory-database",
	    "orders-tablegroup", "0-inf", "pool", "readwrite-primary",
	    "us-east-1a" }, 7,
	  "very-long-cluster-name-01-inventory-database-orde---3b6a2f6b" },
	{ MG_NAME_SERVICE,
	  { "very-long-cluster-name-01", "inventory-database",
	    "orders-tablegroup", "0-inf", "pool", "readwrite-primary",
	    "us-east-1a", "headless" }, 8,
	  "very-long-cluster-name-01-inventory-database-orders----fbd2f97c" },
};

/*
 * Vectors whose first part is `count` times `ch`, to reach the limits;
 * the expected name is `want_count` times `ch` followed by `want_tail`.
 * All from the script (its REPEATED table).
 */
struct repeat_vector {
	enum mg_name_kind kind;
	char ch;
	size_t count;
	const char *rest[2];
	size_t nrest;
	size_t want_count;
	const char *want_tail;
};

static const struct repeat_vector repeat_vectors[] = {
	/* joined + 9 == max: fits; one more: cut */
	{ MG_NAME_SERVICE, 'a', 50, { "bcd" }, 1, 50, "-bcd-60b38966" },
	{ MG_NAME_SERVICE, 'a', 50, { "bcde" }, 1, 50, "-b---9e5e627f" },
	{ MG_NAME_STATEFULSET, 's', 38, { "topo" }, 1, 38, "-topo-e895625b" },
	{ MG_NAME_STATEFULSET, 's', 39, { "topo" }, 1, 39, "-t---131d3548" },
	{ MG_NAME_POD, 'p', 46, { "pool" }, 1, 46, "-pool-7a14f3f7" },
	{ MG_NAME_POD, 'p', 47, { "pool" }, 1, 47, "-p---fc2b4309" },
	{ MG_NAME_DEFAULT, 'd', 240, { "abc" }, 1, 240, "-abc-6a8ab543" },
	{ MG_NAME_DEFAULT, 'd', 240, { "abcd" }, 1, 240, "-a---d453297d" },
	/* much too long; the cut may leave a '-' before the mark */
	{ MG_NAME_SERVICE, 'x', 53, { "yy", "zzzzzz" }, 2, 52, "---f7547eef" },
	{ MG_NAME_SERVICE, 'a', 51, { "bbbbbbbb" }, 1, 51, "----6c5e8e32" },
};

static const struct mg_name_shard_key minimal = {
	"minimal", "postgres", "default", "0-inf"
};

static void
test_join_vectors(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(join_vectors); i++) {
		const struct join_vector *v = &join_vectors[i];
		struct mg_err err = MG_ERR_INIT;
		char *got = NULL;

		assert_int_equal(mg_name_join(&got, v->kind, v->parts,
					      v->nparts, &err),
				 MG_OK);
		if (strcmp(got, v->want) != 0)
			fail_msg("vector %zu: got '%s', want '%s'", i, got,
				 v->want);
		assert_true(strlen(got) <= mg_name_kind_max(v->kind));
		free(got);
	}
}

static void
test_repeat_vectors(void **state)
{
	size_t i, j;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(repeat_vectors); i++) {
		const struct repeat_vector *v = &repeat_vectors[i];
		const char *parts[3];
		char *first, *want, *got = NULL;
		size_t tail = strlen(v->want_tail);

		first = mg_xmalloc(v->count + 1);
		memset(first, v->ch, v->count);
		first[v->count] = '\0';
		want = mg_xmalloc(v->want_count + tail + 1);
		memset(want, v->ch, v->want_count);
		memcpy(want + v->want_count, v->want_tail, tail + 1);
		parts[0] = first;
		for (j = 0; j < v->nrest; j++)
			parts[j + 1] = v->rest[j];

		assert_int_equal(mg_name_join(&got, v->kind, parts,
					      v->nrest + 1, NULL),
				 MG_OK);
		if (strcmp(got, want) != 0)
			fail_msg("repeat vector %zu: got '%s', want '%s'", i,
				 got, want);
		/* A cut name is exactly the maximum long. */
		if (strstr(got, "---"))
			assert_int_equal(strlen(got),
					 mg_name_kind_max(v->kind));
		free(first);
		free(want);
		free(got);
	}
}

static void
test_kind_limits(void **state)
{
	(void)state;
	assert_int_equal(mg_name_kind_max(MG_NAME_DEFAULT), 253);
	assert_int_equal(mg_name_kind_max(MG_NAME_SERVICE), 63);
	assert_int_equal(mg_name_kind_max(MG_NAME_STATEFULSET), 52);
	assert_int_equal(mg_name_kind_max(MG_NAME_POD), 60);
}

static void
test_hash_and_service_id(void **state)
{
	const char *pod =
		"minimal-postgres-default-0-inf-pool-default-zone-a-a3a0d77b-0";
	const char *empty = "";
	const char *hw[] = { "hello", "world" };
	char hash[MG_NAME_HASH_LEN + 1];
	char *id = NULL;

	(void)state;
	/* script; the service id also in facts 3.2 */
	mg_name_hash(hash, &pod, 1);
	assert_string_equal(hash, "45f814aa");
	mg_name_hash(hash, &empty, 1);
	assert_string_equal(hash, "050c5d1f");
	/* upstream: the suffix of hello-world-344ce285 */
	mg_name_hash(hash, hw, 2);
	assert_string_equal(hash, "344ce285");
	assert_int_equal(mg_name_pooler_service_id(&id, pod, NULL), MG_OK);
	assert_string_equal(id, "p-45f814aa");
	free(id);
}

/* Runs a builder that writes into `got_` (declared here), compares, frees. */
#define EXPECT_NAME(call, want)                                    \
	do {                                                       \
		char *got_ = NULL;                                 \
		assert_int_equal((call), MG_OK);                   \
		assert_non_null(got_);                             \
		assert_string_equal(got_, (want));                 \
		free(got_);                                        \
	} while (0)

static void
test_objects_of_minimal_cluster(void **state)
{
	(void)state;
	/* facts 3.2 worked example */
	EXPECT_NAME(mg_name_cell_cr(&got_, "minimal", "zone-a", NULL),
		    "minimal-zone-a-96c88ae0");
	EXPECT_NAME(mg_name_tablegroup_cr(&got_, "minimal", "postgres",
					  "default", NULL),
		    "minimal-postgres-default-f7d4ad4a");
	EXPECT_NAME(mg_name_shard_cr(&got_, &minimal, NULL),
		    "minimal-postgres-default-0-inf-1e3c045c");
	EXPECT_NAME(mg_name_pool_pod(&got_, &minimal, "default", "zone-a", 0,
				     NULL),
		    "minimal-postgres-default-0-inf-pool-default-zone-a-a3a0d77b-0");
	EXPECT_NAME(mg_name_pool_pvc(&got_, &minimal, "default", "zone-a", 0,
				     NULL),
		    "data-minimal-postgres-default-0-inf-pool-default-zone-a-a3a0d77b-0");
	EXPECT_NAME(mg_name_pool_headless(&got_, &minimal, "default",
					  "zone-a", NULL),
		    "minimal-postgres-default-0-inf-pool-default-zone-a-h---22cdf02c");
	EXPECT_NAME(mg_name_pool_pdb(&got_, &minimal, "default", "zone-a",
				     NULL),
		    "minimal-postgres-default-0-inf-pool-default-zone-a-pdb-6a4f8455");
	EXPECT_NAME(mg_name_multiorch_deployment(&got_, &minimal, "zone-a",
						 NULL),
		    "minimal-postgres-default-0-inf-multiorch-zone-a-bbe2a333");
	EXPECT_NAME(mg_name_multiorch_service(&got_, &minimal, "zone-a",
					      NULL),
		    "minimal-postgres-default-0-inf-multiorch-zone-a-bbe2a333");
	EXPECT_NAME(mg_name_backup_pvc(&got_, &minimal, NULL),
		    "backup-data-minimal-postgres-default-0-inf-811a09a5");
	EXPECT_NAME(mg_name_gateway_deployment(&got_, "minimal", "zone-a",
					       NULL),
		    "minimal-zone-a-multigateway-0ccc2e8b");
	EXPECT_NAME(mg_name_gateway_service(&got_, "minimal", "zone-a", NULL),
		    "minimal-zone-a-multigateway-0ccc2e8b");
	/* script */
	EXPECT_NAME(mg_name_local_topo(&got_, "minimal-zone-a-96c88ae0", NULL),
		    "minimal-zone-a-96c88ae0-topo-26e28848");
	EXPECT_NAME(mg_name_local_topo_address(&got_,
					       "minimal-zone-a-96c88ae0",
					       "prod", NULL),
		    "minimal-zone-a-96c88ae0-topo-26e28848.prod.svc:2379");
	/* plain concatenations, facts 3.2 */
	EXPECT_NAME(mg_name_global_topo(&got_, "minimal", NULL),
		    "minimal-global-topo");
	EXPECT_NAME(mg_name_topo_headless(&got_, "minimal-global-topo", NULL),
		    "minimal-global-topo-headless");
	EXPECT_NAME(mg_name_topo_pvc(&got_, "minimal-global-topo", 2, NULL),
		    "data-minimal-global-topo-2");
	EXPECT_NAME(mg_name_multiadmin(&got_, "minimal", NULL),
		    "minimal-multiadmin");
	EXPECT_NAME(mg_name_multiadmin_web(&got_, "minimal", NULL),
		    "minimal-multiadmin-web");
	EXPECT_NAME(mg_name_gateway_global(&got_, "minimal", NULL),
		    "minimal-multigateway");
	EXPECT_NAME(mg_name_gateway_replica(&got_, "minimal", NULL),
		    "minimal-multigateway-replica");
	EXPECT_NAME(mg_name_shard_object(&got_,
					 "minimal-postgres-default-0-inf-1e3c045c",
					 MG_NAME_PG_HBA, NULL),
		    "minimal-postgres-default-0-inf-1e3c045c-pg-hba");
	EXPECT_NAME(mg_name_shard_object(&got_, "s-1", MG_NAME_POSTGRES_CONFIG,
					 NULL),
		    "s-1-postgres-config");
	EXPECT_NAME(mg_name_shard_object(&got_, "s-1",
					 MG_NAME_EXPORTER_QUERIES, NULL),
		    "s-1-exporter-queries");
	EXPECT_NAME(mg_name_shard_object(&got_, "s-1", MG_NAME_PGBACKREST_CA,
					 NULL),
		    "s-1-pgbackrest-ca");
	EXPECT_NAME(mg_name_shard_object(&got_, "s-1", MG_NAME_PGBACKREST_TLS,
					 NULL),
		    "s-1-pgbackrest-tls");
	EXPECT_NAME(mg_name_internal_cert(&got_, "multiorch", "minimal",
					  "prod", NULL),
		    "multiorch.minimal.prod.multigres.internal");
	EXPECT_NAME(mg_name_pool_pod_fqdn(&got_, "p-0", "h", "prod", NULL),
		    "p-0.h.prod.svc.cluster.local");
	assert_string_equal(MG_NAME_GATEWAY_TLS_SECRET, "generated-certs");
}

/* Expects MG_EINVAL, *out NULL and every needle in the message. */
static void
expect_einval(int rc, const char *out, const struct mg_err *err,
	      const char *needle1, const char *needle2)
{
	assert_int_equal(rc, MG_EINVAL);
	assert_int_equal(err->code, MG_EINVAL);
	assert_null(out);
	if (!strstr(err->msg, needle1))
		fail_msg("'%s' not in '%s'", needle1, err->msg);
	if (needle2 && !strstr(err->msg, needle2))
		fail_msg("'%s' not in '%s'", needle2, err->msg);
}

static void
test_pod_index_limits(void **state)
{
	static const struct mg_name_shard_key lng = {
		"very-long-cluster-name-01", "inventory-database",
		"orders-tablegroup", "0-inf"
	};
	struct mg_err err = MG_ERR_INIT;
	static char sentinel[] = "sentinel";
	char *out = sentinel;
	int rc;

	(void)state;
	/* A cut base is 60 characters: index 99 is the last that fits. */
	EXPECT_NAME(mg_name_pool_pod(&got_, &lng, "readwrite-primary",
				     "us-east-1a", 99, NULL),
		    "very-long-cluster-name-01-inventory-database-orde---3b6a2f6b-99");
	rc = mg_name_pool_pod(&out, &lng, "readwrite-primary", "us-east-1a",
			      100, &err);
	expect_einval(rc, out, &err,
		      "'very-long-cluster-name-01-inventory-database-orde---3b6a2f6b-100'",
		      "64 characters, more than the 63");
	/* The uncut base is 59 long, which leaves room up to 999. */
	EXPECT_NAME(mg_name_pool_pod(&got_, &minimal, "default", "zone-a",
				     999, NULL),
		    "minimal-postgres-default-0-inf-pool-default-zone-a-a3a0d77b-999");
	/* The PVC only has the subdomain limit. */
	EXPECT_NAME(mg_name_pool_pvc(&got_, &lng, "readwrite-primary",
				     "us-east-1a", 100, NULL),
		    "data-very-long-cluster-name-01-inventory-database-orde---3b6a2f6b-100");

	out = sentinel;
	rc = mg_name_pool_pod(&out, &minimal, "default", "zone-a", -1, &err);
	expect_einval(rc, out, &err, "index -1", "negative");
	out = sentinel;
	rc = mg_name_pool_pvc(&out, &minimal, "default", "zone-a", -3, &err);
	expect_einval(rc, out, &err, "index -3", "'default'");
	out = sentinel;
	rc = mg_name_topo_pvc(&out, "minimal-global-topo", -1, &err);
	expect_einval(rc, out, &err, "ordinal -1", "'minimal-global-topo'");
}

static void
test_invalid_inputs_are_named(void **state)
{
	struct mg_err err = MG_ERR_INIT;
	char longc[64], big[260];
	char *out = NULL;
	int rc;

	(void)state;
	rc = mg_name_join(&out, MG_NAME_DEFAULT, NULL, 0, &err);
	expect_einval(rc, out, &err, "no parts", NULL);

	rc = mg_name_global_topo(&out, "Prod", &err);
	expect_einval(rc, out, &err, "'Prod-global-topo'",
		      "only lowercase letters");
	rc = mg_name_multiadmin(&out, "", &err);
	expect_einval(rc, out, &err, "'-multiadmin'",
		      "must start with a lowercase letter");
	rc = mg_name_gateway_global(&out, "9lives", &err);
	expect_einval(rc, out, &err, "'9lives-multigateway'",
		      "DNS-1035 label");

	/* 49 + "-multiadmin-web" = 64 */
	memset(longc, 'c', 49);
	longc[49] = '\0';
	rc = mg_name_multiadmin_web(&out, longc, &err);
	expect_einval(rc, out, &err, "64 characters", "63");
	/* 48 + 15 = 63 fits */
	longc[48] = '\0';
	rc = mg_name_multiadmin_web(&out, longc, &err);
	assert_int_equal(rc, MG_OK);
	assert_int_equal(strlen(out), 63);
	free(out);
	/* "-multigateway-replica" is 21 long; 43 + 21 = 64 */
	memset(longc, 'r', 43);
	longc[43] = '\0';
	rc = mg_name_gateway_replica(&out, longc, &err);
	expect_einval(rc, out, &err, "replica multigateway service", "64");

	rc = mg_name_topo_headless(&out, "topo.x", &err);
	expect_einval(rc, out, &err, "'topo.x-headless'", "lowercase");

	/* 246 + "-pg-hba" = 253 fits, one more does not */
	memset(big, 's', 246);
	big[246] = '\0';
	rc = mg_name_shard_object(&out, big, MG_NAME_PG_HBA, &err);
	assert_int_equal(rc, MG_OK);
	assert_int_equal(strlen(out), 253);
	free(out);
	big[246] = 's';
	big[247] = '\0';
	rc = mg_name_shard_object(&out, big, MG_NAME_PG_HBA, &err);
	expect_einval(rc, out, &err, "254 characters", "DNS-1123 subdomain");

	rc = mg_name_internal_cert(&out, "multiorch", "minimal", "", &err);
	expect_einval(rc, out, &err, "empty", "'multiorch.minimal.'");
	rc = mg_name_internal_cert(&out, "multi..orch", "m", "ns", &err);
	expect_einval(rc, out, &err, "empty label", NULL);
	rc = mg_name_internal_cert(&out, "-a", "m", "ns", &err);
	expect_einval(rc, out, &err, "must start with a letter or digit",
		      NULL);
	rc = mg_name_internal_cert(&out, "a-", "m", "ns", &err);
	expect_einval(rc, out, &err, "must end with a letter or digit", NULL);
	rc = mg_name_local_topo_address(&out, "c", "", &err);
	expect_einval(rc, out, &err, "empty namespace", "'c'");
	rc = mg_name_pool_pod_fqdn(&out, "p", "", "ns", &err);
	expect_einval(rc, out, &err, "empty", NULL);

	/* A NULL err is fine. */
	assert_int_equal(mg_name_global_topo(&out, "Bad", NULL), MG_EINVAL);
	assert_null(out);
}

static void
test_pod_index_parse(void **state)
{
	static const struct {
		const char *pod;
		bool ok;
		long want;
	} cases[] = {
		{ "a-b-0", true, 0 },
		{ "minimal-pool-a3a0d77b-12", true, 12 },
		{ "x-007", true, 7 },
		{ "x-+3", true, 3 }, /* Atoi takes a '+' */
		{ "x-9223372036854775807", true, LONG_MAX },
		{ "x-9223372036854775808", false, 0 }, /* overflow */
		{ "x-+0000000000000000000000001", true, 1 }, /* long form */
		{ "x-", false, 0 },
		{ "x-+", false, 0 },
		{ "x- 1", false, 0 },
		{ "x-1a", false, 0 },
		{ "x-0x1", false, 0 },
		{ "nodash", false, 0 },
		{ "backup-data-m-811a09a5", false, 0 },
		{ "backup-data-m-81109315", true, 81109315 }, /* facts 6.4 */
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		long got = -42;
		bool ok = mg_name_pod_index(cases[i].pod, &got);

		if (ok != cases[i].ok)
			fail_msg("'%s': ok=%d", cases[i].pod, ok);
		assert_int_equal(got, ok ? cases[i].want : -42);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_join_vectors),
		cmocka_unit_test(test_repeat_vectors),
		cmocka_unit_test(test_kind_limits),
		cmocka_unit_test(test_hash_and_service_id),
		cmocka_unit_test(test_objects_of_minimal_cluster),
		cmocka_unit_test(test_pod_index_limits),
		cmocka_unit_test(test_invalid_inputs_are_named),
		cmocka_unit_test(test_pod_index_parse),
	};

	return cmocka_run_group_tests_name("names", tests, NULL, NULL);
}
