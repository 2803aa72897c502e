#include "compat.h"
#include "names.h"

#include <assert.h>
#include <errno.h>
#include <limits.h>

#include "buf.h"
#include "err.h"
#include "xalloc.h"

/*
 * The constraint table. The four rows and their numbers are part of the
 * compatibility contract with the Go operator: changing one renames
 * objects in every running cluster.
 */
static const struct {
	size_t max;
	bool digit_first; /* may the first character be a digit? */
} kinds[] = {
	[MG_NAME_DEFAULT] = { 253, true },
	[MG_NAME_SERVICE] = { 63, false },
	[MG_NAME_STATEFULSET] = { 52, false },
	[MG_NAME_POD] = { 60, false },
};

_Static_assert(ARRAY_SIZE(kinds) == MG_NAME_POD + 1,
	       "one constraint row per enum mg_name_kind");

/* Shortest truncated name: one character, "---", the hash. */
#define MIN_TRUNCATED (1 + 3 + MG_NAME_HASH_LEN)

#define FNV32_OFFSET 0x811c9dc5u
#define FNV32_PRIME  0x01000193u

size_t
mg_name_kind_max(enum mg_name_kind kind)
{
	assert((size_t)kind < ARRAY_SIZE(kinds));
	return kinds[kind].max;
}

void
mg_name_hash(char out[MG_NAME_HASH_LEN + 1], const char *const *parts,
	     size_t nparts)
{
	static const char hex[] = "0123456789abcdef";
	uint32_t h = FNV32_OFFSET;
	size_t i;
	int j;

	for (i = 0; i < nparts; i++) {
		const unsigned char *p = (const unsigned char *)parts[i];

		assert(p);
		for (; *p; p++) {
			h ^= *p;
			h *= FNV32_PRIME;
		}
		/*
		 * Then the part separator, a 0x00 byte (which a part cannot
		 * contain), so that "a-b","c" and "a","b-c" hash apart.
		 * XOR with zero changes nothing: only the multiply is left.
		 */
		h *= FNV32_PRIME;
	}
	/* Big-endian: the most significant nibble first. */
	for (j = 0; j < MG_NAME_HASH_LEN; j++)
		out[j] = hex[(h >> (28 - 4 * j)) & 0xf];
	out[MG_NAME_HASH_LEN] = '\0';
}

/*
 * Length of the UTF-8 sequence at s (n bytes left), as Go's
 * utf8.DecodeRuneInString counts it: a well-formed sequence gives its
 * length, anything else (overlong forms, surrogates, values past
 * U+10FFFF, truncated sequences, stray continuation bytes) gives 1.
 */
static size_t
utf8_width(const unsigned char *s, size_t n)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xbf;
	size_t need, i;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		need = 2;
	else if (c >= 0xe0 && c <= 0xef)
		need = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		need = 4;
	else
		return 1;
	/* The second byte's range is narrower for a few lead bytes. */
	if (c == 0xe0)
		lo = 0xa0;
	else if (c == 0xed)
		hi = 0x9f;
	else if (c == 0xf0)
		lo = 0x90;
	else if (c == 0xf4)
		hi = 0x8f;
	if (n < need || s[1] < lo || s[1] > hi)
		return 1;
	for (i = 2; i < need; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 1;
	return need;
}

/* Appends part to b, mapped as step 2 of the algorithm. */
static void
add_mapped(struct mg_buf *b, const char *part)
{
	const unsigned char *s = (const unsigned char *)part;
	size_t n = strlen(part), i = 0;

	while (i < n) {
		unsigned char c = s[i];

		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '-') {
			mg_buf_addch(b, (char)c);
			i++;
		} else if (c >= 'A' && c <= 'Z') {
			mg_buf_addch(b, (char)(c - 'A' + 'a'));
			i++;
		} else {
			mg_buf_addch(b, '-');
			i += utf8_width(s + i, n - i);
		}
	}
}

int
mg_name_join(char **out, enum mg_name_kind kind, const char *const *parts,
	     size_t nparts, struct mg_err *err)
{
	struct mg_buf b = MG_BUF_INIT;
	char hash[MG_NAME_HASH_LEN + 1];
	size_t max, i;
	char first;

	assert(out && (parts || nparts == 0));
	assert((size_t)kind < ARRAY_SIZE(kinds));
	*out = NULL;
	max = kinds[kind].max;
	assert(max >= MIN_TRUNCATED);
	if (nparts == 0)
		return mg_err_set(err, MG_EINVAL, "cannot build a name from no parts");

	mg_name_hash(hash, parts, nparts);
	for (i = 0; i < nparts; i++) {
		if (i > 0)
			mg_buf_addch(&b, '-');
		add_mapped(&b, parts[i]);
		if (i == 0) {
			/* The mapped first part is ASCII; an empty one is
			 * prefixed too. */
			first = b.data[0];
			if (b.len == 0 ||
			    !((first >= 'a' && first <= 'z') ||
			      (kinds[kind].digit_first && first >= '0' &&
			       first <= '9'))) {
				struct mg_buf t = MG_BUF_INIT;

				mg_buf_addch(&t, 'x');
				mg_buf_add(&t, b.data, b.len);
				mg_buf_release(&b);
				b = t;
			}
		}
	}

	if (b.len + 1 + MG_NAME_HASH_LEN <= max) {
		mg_buf_addch(&b, '-');
	} else {
		/* Cut so that text + "---" + hash is exactly max long. */
		b.len = max - 3 - MG_NAME_HASH_LEN;
		b.data[b.len] = '\0';
		mg_buf_adds(&b, "---");
	}
	mg_buf_adds(&b, hash);
	*out = mg_buf_detach(&b, NULL);
	return MG_OK;
}

/* Shorthand for the builders below: join a fixed list of parts. */
static int
join(char **out, enum mg_name_kind kind, const char *const *parts,
     size_t nparts)
{
	/* Cannot fail with nparts > 0. */
	return mg_name_join(out, kind, parts, nparts, NULL);
}

/*
 * Checks name against a Kubernetes rule and fills err naming `what`.
 * DNS-1035 label: [a-z]([-a-z0-9]*[a-z0-9])?, at most 63.
 * DNS-1123 label: the same with a digit allowed first.
 * DNS-1123 subdomain: such labels (no length limit each) joined by '.',
 * at most 253 in all.
 */
enum rule { DNS1035_LABEL, DNS1123_LABEL, DNS1123_SUBDOMAIN };

static int
check(char **out, enum rule rule, const char *what, struct mg_err *err)
{
	const char *name = *out, *p, *why = NULL;
	size_t len = strlen(name), max;
	const char *rname;

	switch (rule) {
	case DNS1035_LABEL:
		max = MG_NAME_DNS_LABEL_MAX;
		rname = "a DNS-1035 label";
		break;
	case DNS1123_LABEL:
		max = MG_NAME_DNS_LABEL_MAX;
		rname = "a DNS-1123 label";
		break;
	default:
		max = MG_NAME_DNS_SUBDOMAIN_MAX;
		rname = "a DNS-1123 subdomain";
		break;
	}
	if (len == 0) {
		why = "it is empty";
	} else if (len > max) {
		mg_err_set(err, MG_EINVAL,
			   "%s name '%s' is %zu characters, more than the %zu of %s",
			   what, name, len, max, rname);
		goto fail;
	} else {
		for (p = name; *p && !why; p++) {
			bool start = p == name || p[-1] == '.';
			bool end = p[1] == '\0' || p[1] == '.';
			bool alnum = (*p >= 'a' && *p <= 'z') ||
				     (*p >= '0' && *p <= '9');

			if (*p == '.' && rule == DNS1123_SUBDOMAIN)
				why = start || p[1] == '\0' ?
					      "it has an empty label" :
					      NULL;
			else if (!alnum && *p != '-')
				why = "only lowercase letters, digits and '-' are allowed";
			else if (start && rule == DNS1035_LABEL &&
				 !(*p >= 'a' && *p <= 'z'))
				why = "it must start with a lowercase letter";
			else if (start && !alnum)
				why = "it must start with a letter or digit";
			else if (end && !alnum)
				why = "it must end with a letter or digit";
		}
	}
	if (!why)
		return MG_OK;
	mg_err_set(err, MG_EINVAL, "%s name '%s' is not %s: %s", what, name,
		   rname, why);
fail:
	free(*out);
	*out = NULL;
	return MG_EINVAL;
}

int
mg_name_cell_cr(char **out, const char *cluster, const char *cell,
		struct mg_err *err)
{
	const char *parts[] = { cluster, cell };

	(void)err;
	return join(out, MG_NAME_DEFAULT, parts, ARRAY_SIZE(parts));
}

int
mg_name_tablegroup_cr(char **out, const char *cluster, const char *database,
		      const char *tablegroup, struct mg_err *err)
{
	const char *parts[] = { cluster, database, tablegroup };

	(void)err;
	return join(out, MG_NAME_DEFAULT, parts, ARRAY_SIZE(parts));
}

int
mg_name_shard_cr(char **out, const struct mg_name_shard_key *key,
		 struct mg_err *err)
{
	const char *parts[] = { key->cluster, key->database, key->tablegroup,
				key->shard };

	(void)err;
	return join(out, MG_NAME_DEFAULT, parts, ARRAY_SIZE(parts));
}

int
mg_name_global_topo(char **out, const char *cluster, struct mg_err *err)
{
	assert(cluster);
	*out = mg_xasprintf("%s-global-topo", cluster);
	return check(out, DNS1035_LABEL, "global topology server", err);
}

int
mg_name_topo_headless(char **out, const char *toposerver, struct mg_err *err)
{
	assert(toposerver);
	*out = mg_xasprintf("%s-headless", toposerver);
	return check(out, DNS1035_LABEL, "topology headless service", err);
}

int
mg_name_topo_pvc(char **out, const char *toposerver, long ordinal,
		 struct mg_err *err)
{
	assert(toposerver);
	*out = NULL;
	if (ordinal < 0)
		return mg_err_set(err, MG_EINVAL,
				  "etcd ordinal %ld of '%s' is negative",
				  ordinal, toposerver);
	*out = mg_xasprintf("data-%s-%ld", toposerver, ordinal);
	return check(out, DNS1123_SUBDOMAIN, "etcd volume claim", err);
}

int
mg_name_local_topo(char **out, const char *cell_cr, struct mg_err *err)
{
	const char *parts[] = { cell_cr, "topo" };

	(void)err;
	return join(out, MG_NAME_STATEFULSET, parts, ARRAY_SIZE(parts));
}

int
mg_name_local_topo_address(char **out, const char *cell_cr,
			   const char *namespace, struct mg_err *err)
{
	char *name = NULL;

	assert(namespace);
	*out = NULL;
	if (!*namespace)
		return mg_err_set(err, MG_EINVAL,
				  "local topology server address of '%s': empty namespace",
				  cell_cr);
	mg_name_local_topo(&name, cell_cr, err);
	*out = mg_xasprintf("%s.%s.svc:2379", name, namespace);
	free(name);
	return MG_OK;
}

/* "<cluster><suffix>", checked as a Service name. */
static int
cluster_service(char **out, const char *cluster, const char *suffix,
		const char *what, struct mg_err *err)
{
	assert(cluster);
	*out = mg_xasprintf("%s%s", cluster, suffix);
	return check(out, DNS1035_LABEL, what, err);
}

int
mg_name_multiadmin(char **out, const char *cluster, struct mg_err *err)
{
	return cluster_service(out, cluster, "-multiadmin", "multiadmin", err);
}

int
mg_name_multiadmin_web(char **out, const char *cluster, struct mg_err *err)
{
	return cluster_service(out, cluster, "-multiadmin-web",
			       "multiadmin-web", err);
}

int
mg_name_gateway_global(char **out, const char *cluster, struct mg_err *err)
{
	return cluster_service(out, cluster, "-multigateway",
			       "global multigateway service", err);
}

int
mg_name_gateway_replica(char **out, const char *cluster, struct mg_err *err)
{
	return cluster_service(out, cluster, "-multigateway-replica",
			       "replica multigateway service", err);
}

int
mg_name_gateway_deployment(char **out, const char *cluster, const char *cell,
			   struct mg_err *err)
{
	const char *parts[] = { cluster, cell, "multigateway" };

	(void)err;
	return join(out, MG_NAME_DEFAULT, parts, ARRAY_SIZE(parts));
}

int
mg_name_gateway_service(char **out, const char *cluster, const char *cell,
			struct mg_err *err)
{
	const char *parts[] = { cluster, cell, "multigateway" };

	(void)err;
	return join(out, MG_NAME_SERVICE, parts, ARRAY_SIZE(parts));
}

static int
multiorch(char **out, enum mg_name_kind kind,
	  const struct mg_name_shard_key *key, const char *cell)
{
	const char *parts[] = { key->cluster, key->database, key->tablegroup,
				key->shard, "multiorch", cell };

	return join(out, kind, parts, ARRAY_SIZE(parts));
}

int
mg_name_multiorch_deployment(char **out, const struct mg_name_shard_key *key,
			     const char *cell, struct mg_err *err)
{
	(void)err;
	return multiorch(out, MG_NAME_DEFAULT, key, cell);
}

int
mg_name_multiorch_service(char **out, const struct mg_name_shard_key *key,
			  const char *cell, struct mg_err *err)
{
	(void)err;
	return multiorch(out, MG_NAME_SERVICE, key, cell);
}

/*
 * The pool x cell parts, with an optional last one ("headless", "pdb").
 * Returns the number of parts put in parts[8].
 */
static size_t
pool_parts(const char *parts[8], const struct mg_name_shard_key *key,
	   const char *pool, const char *cell, const char *last)
{
	size_t n = 0;

	parts[n++] = key->cluster;
	parts[n++] = key->database;
	parts[n++] = key->tablegroup;
	parts[n++] = key->shard;
	parts[n++] = "pool";
	parts[n++] = pool;
	parts[n++] = cell;
	if (last)
		parts[n++] = last;
	return n;
}

/* "<prefix><POD hash of the pool parts>-<index>". */
static int
pool_indexed(char **out, const char *prefix,
	     const struct mg_name_shard_key *key, const char *pool,
	     const char *cell, long index, const char *what,
	     struct mg_err *err)
{
	const char *parts[8];
	char *base = NULL;

	*out = NULL;
	if (index < 0)
		return mg_err_set(err, MG_EINVAL,
				  "%s index %ld for pool '%s' in cell '%s' is negative",
				  what, index, pool, cell);
	join(&base, MG_NAME_POD, parts,
	     pool_parts(parts, key, pool, cell, NULL));
	*out = mg_xasprintf("%s%s-%ld", prefix, base, index);
	free(base);
	return MG_OK;
}

int
mg_name_pool_pod(char **out, const struct mg_name_shard_key *key,
		 const char *pool, const char *cell, long index,
		 struct mg_err *err)
{
	int rc;

	rc = pool_indexed(out, "", key, pool, cell, index, "pool pod", err);
	if (rc)
		return rc;
	/* The name is the pod's hostname, so it must be a DNS label. */
	return check(out, DNS1123_LABEL, "pool pod", err);
}

int
mg_name_pool_pvc(char **out, const struct mg_name_shard_key *key,
		 const char *pool, const char *cell, long index,
		 struct mg_err *err)
{
	int rc;

	rc = pool_indexed(out, "data-", key, pool, cell, index,
			  "pool data volume claim", err);
	if (rc)
		return rc;
	return check(out, DNS1123_SUBDOMAIN, "pool data volume claim", err);
}

int
mg_name_pool_headless(char **out, const struct mg_name_shard_key *key,
		      const char *pool, const char *cell, struct mg_err *err)
{
	const char *parts[8];

	(void)err;
	return join(out, MG_NAME_SERVICE, parts,
		    pool_parts(parts, key, pool, cell, "headless"));
}

int
mg_name_pool_pdb(char **out, const struct mg_name_shard_key *key,
		 const char *pool, const char *cell, struct mg_err *err)
{
	const char *parts[8];

	(void)err;
	return join(out, MG_NAME_SERVICE, parts,
		    pool_parts(parts, key, pool, cell, "pdb"));
}

int
mg_name_backup_pvc(char **out, const struct mg_name_shard_key *key,
		   struct mg_err *err)
{
	const char *parts[] = { "backup-data", key->cluster, key->database,
				key->tablegroup, key->shard };

	(void)err;
	return join(out, MG_NAME_SERVICE, parts, ARRAY_SIZE(parts));
}

int
mg_name_pooler_service_id(char **out, const char *pod, struct mg_err *err)
{
	char hash[MG_NAME_HASH_LEN + 1];

	(void)err;
	assert(pod);
	mg_name_hash(hash, &pod, 1);
	*out = mg_xasprintf("p-%s", hash);
	return MG_OK;
}

int
mg_name_pool_pod_fqdn(char **out, const char *pod, const char *headless,
		      const char *namespace, struct mg_err *err)
{
	assert(pod && headless && namespace);
	*out = NULL;
	if (!*pod || !*headless || !*namespace)
		return mg_err_set(err, MG_EINVAL,
				  "pod address '%s.%s.%s': empty pod, service or namespace",
				  pod, headless, namespace);
	*out = mg_xasprintf("%s.%s.%s.svc.cluster.local", pod, headless,
			    namespace);
	return MG_OK;
}

int
mg_name_shard_object(char **out, const char *shard_cr,
		     enum mg_name_shard_obj which, struct mg_err *err)
{
	static const char *const suffix[] = {
		[MG_NAME_PG_HBA] = "-pg-hba",
		[MG_NAME_POSTGRES_CONFIG] = "-postgres-config",
		[MG_NAME_EXPORTER_QUERIES] = "-exporter-queries",
		[MG_NAME_PGBACKREST_CA] = "-pgbackrest-ca",
		[MG_NAME_PGBACKREST_TLS] = "-pgbackrest-tls",
	};
	_Static_assert(ARRAY_SIZE(suffix) == MG_NAME_PGBACKREST_TLS + 1,
		       "one suffix per enum mg_name_shard_obj");

	assert(shard_cr && (size_t)which < ARRAY_SIZE(suffix));
	*out = mg_xasprintf("%s%s", shard_cr, suffix[which]);
	return check(out, DNS1123_SUBDOMAIN, "shard object", err);
}

int
mg_name_internal_cert(char **out, const char *component, const char *cluster,
		      const char *namespace, struct mg_err *err)
{
	assert(component && cluster && namespace);
	*out = NULL;
	if (!*component || !*cluster || !*namespace)
		return mg_err_set(err, MG_EINVAL,
				  "internal certificate '%s.%s.%s': empty component, cluster or namespace",
				  component, cluster, namespace);
	*out = mg_xasprintf("%s.%s.%s." MG_NAME_INTERNAL_DOMAIN, component,
			    cluster, namespace);
	return check(out, DNS1123_SUBDOMAIN, "internal certificate", err);
}

bool
mg_name_pod_index(const char *pod, long *index)
{
	const char *tail, *p;
	char *end;
	long v;

	assert(pod && index);
	tail = strrchr(pod, '-');
	if (!tail)
		return false;
	tail++;
	/*
	 * strtol alone is too lenient (leading blanks, an empty number), so
	 * the shape Atoi accepts is checked first: a sign, then digits.
	 */
	p = tail;
	if (*p == '+' || *p == '-')
		p++;
	if (*p == '\0')
		return false;
	for (; *p; p++)
		if (*p < '0' || *p > '9')
			return false;
	errno = 0;
	v = strtol(tail, &end, 10);
	if (errno == ERANGE || *end != '\0')
		return false;
	*index = v;
	return true;
}
