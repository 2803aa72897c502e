#include "compat.h"
#include "gojson.h"

#include <assert.h>
#include <math.h>

#include "buf.h"
#include "err.h"
#include "quantity.h"
#include "xalloc.h"

/*
 * The struct tables. Each row is one JSON key of the Go struct, in
 * declaration order (embedded `json:",inline"` structs are spelled out at
 * their position, which is where Go promotes their fields).
 */
enum kind {
	K_STRING,
	K_BOOL,
	K_INT32,
	K_INT64,
	K_QUANTITY,
	K_STRUCT,
	K_UNSUPPORTED, /* a member we refuse to guess the layout of */
};

enum shape {
	VAL,   /* the type itself */
	PTR,   /* *T */
	SLICE, /* []T */
	MAP,   /* map[string]T */
};

struct field {
	const char *key;
	unsigned char kind;  /* enum kind */
	unsigned char shape; /* enum shape */
	bool omit;           /* `json:",omitempty"` */
	enum mg_gojson_type type; /* for K_STRUCT */
};

struct gtype {
	const char *name;
	const struct field *fields;
	size_t nfields;
};

/* Row builders: O = omitempty, A = always written. */
#define STR_A(k)     { k, K_STRING, VAL, false, 0 }
#define STR_O(k)     { k, K_STRING, VAL, true, 0 }
#define BOOL_O(k)    { k, K_BOOL, VAL, true, 0 }
#define I32_A(k)     { k, K_INT32, VAL, false, 0 }
#define QTY_O(k)     { k, K_QUANTITY, VAL, true, 0 } /* a struct: never dropped */
#define PSTR(k)      { k, K_STRING, PTR, true, 0 }
#define PBOOL(k)     { k, K_BOOL, PTR, true, 0 }
#define PI32(k)      { k, K_INT32, PTR, true, 0 }
#define PI64(k)      { k, K_INT64, PTR, true, 0 }
#define PQTY(k)      { k, K_QUANTITY, PTR, true, 0 }
#define STRUCT_A(k, t) { k, K_STRUCT, VAL, false, MG_GOJSON_##t }
#define PSTRUCT(k, t)  { k, K_STRUCT, PTR, true, MG_GOJSON_##t }
#define SLICE_O(k, t)  { k, K_STRUCT, SLICE, true, MG_GOJSON_##t }
#define SLICE_A(k, t)  { k, K_STRUCT, SLICE, false, MG_GOJSON_##t }
#define SSTR_O(k)    { k, K_STRING, SLICE, true, 0 }
#define SI64_O(k)    { k, K_INT64, SLICE, true, 0 }
#define MSTR_O(k)    { k, K_STRING, MAP, true, 0 }
#define MQTY_O(k)    { k, K_QUANTITY, MAP, true, 0 }
#define NOPE(k)      { k, K_UNSUPPORTED, PTR, true, 0 }

static const struct field f_resource_requirements[] = {
	MQTY_O("limits"),
	MQTY_O("requests"),
	SLICE_O("claims", RESOURCE_CLAIM),
};
static const struct field f_resource_claim[] = {
	STR_A("name"),
	STR_O("request"),
};
static const struct field f_volume_mount[] = {
	STR_A("name"),
	BOOL_O("readOnly"),
	PSTR("recursiveReadOnly"),
	STR_A("mountPath"),
	STR_O("subPath"),
	PSTR("mountPropagation"),
	STR_O("subPathExpr"),
};
static const struct field f_security_context[] = {
	PSTRUCT("capabilities", CAPABILITIES),
	PBOOL("privileged"),
	PSTRUCT("seLinuxOptions", SE_LINUX_OPTIONS),
	PSTRUCT("windowsOptions", WINDOWS_SECURITY_CONTEXT_OPTIONS),
	PI64("runAsUser"),
	PI64("runAsGroup"),
	PBOOL("runAsNonRoot"),
	PBOOL("readOnlyRootFilesystem"),
	PBOOL("allowPrivilegeEscalation"),
	PSTR("procMount"),
	PSTRUCT("seccompProfile", SECCOMP_PROFILE),
	PSTRUCT("appArmorProfile", APP_ARMOR_PROFILE),
};
static const struct field f_capabilities[] = {
	SSTR_O("add"),
	SSTR_O("drop"),
};
static const struct field f_se_linux_options[] = {
	STR_O("user"),
	STR_O("role"),
	STR_O("type"),
	STR_O("level"),
};
static const struct field f_windows_options[] = {
	PSTR("gmsaCredentialSpecName"),
	PSTR("gmsaCredentialSpec"),
	PSTR("runAsUserName"),
	PBOOL("hostProcess"),
};
static const struct field f_profile[] = { /* seccomp and AppArmor */
	STR_A("type"),
	PSTR("localhostProfile"),
};
static const struct field f_env_var_source[] = {
	PSTRUCT("fieldRef", OBJECT_FIELD_SELECTOR),
	PSTRUCT("resourceFieldRef", RESOURCE_FIELD_SELECTOR),
	PSTRUCT("configMapKeyRef", CONFIG_MAP_KEY_SELECTOR),
	PSTRUCT("secretKeyRef", SECRET_KEY_SELECTOR),
	PSTRUCT("fileKeyRef", FILE_KEY_SELECTOR),
};
static const struct field f_object_field_selector[] = {
	STR_O("apiVersion"),
	STR_A("fieldPath"),
};
static const struct field f_resource_field_selector[] = {
	STR_O("containerName"),
	STR_A("resource"),
	QTY_O("divisor"),
};
static const struct field f_key_selector[] = { /* ConfigMap and Secret */
	STR_O("name"), /* inline LocalObjectReference */
	STR_A("key"),
	PBOOL("optional"),
};
static const struct field f_file_key_selector[] = {
	STR_A("volumeName"),
	STR_A("path"),
	STR_A("key"),
	PBOOL("optional"),
};
static const struct field f_env_from_source[] = {
	STR_O("prefix"),
	PSTRUCT("configMapRef", CONFIG_MAP_ENV_SOURCE),
	PSTRUCT("secretRef", SECRET_ENV_SOURCE),
};
static const struct field f_env_source[] = { /* ConfigMap and Secret */
	STR_O("name"), /* inline LocalObjectReference */
	PBOOL("optional"),
};
static const struct field f_volume[] = {
	STR_A("name"),
	/* inline VolumeSource */
	PSTRUCT("hostPath", HOST_PATH_VOLUME_SOURCE),
	PSTRUCT("emptyDir", EMPTY_DIR_VOLUME_SOURCE),
	NOPE("gcePersistentDisk"),
	NOPE("awsElasticBlockStore"),
	NOPE("gitRepo"),
	PSTRUCT("secret", SECRET_VOLUME_SOURCE),
	NOPE("nfs"),
	NOPE("iscsi"),
	NOPE("glusterfs"),
	PSTRUCT("persistentVolumeClaim", PVC_VOLUME_SOURCE),
	NOPE("rbd"),
	NOPE("flexVolume"),
	NOPE("cinder"),
	NOPE("cephfs"),
	NOPE("flocker"),
	PSTRUCT("downwardAPI", DOWNWARD_API_VOLUME_SOURCE),
	NOPE("fc"),
	NOPE("azureFile"),
	PSTRUCT("configMap", CONFIG_MAP_VOLUME_SOURCE),
	NOPE("vsphereVolume"),
	NOPE("quobyte"),
	NOPE("azureDisk"),
	NOPE("photonPersistentDisk"),
	PSTRUCT("projected", PROJECTED_VOLUME_SOURCE),
	NOPE("portworxVolume"),
	NOPE("scaleIO"),
	NOPE("storageos"),
	NOPE("csi"),
	NOPE("ephemeral"),
	NOPE("image"),
};
static const struct field f_host_path[] = {
	STR_A("path"),
	PSTR("type"),
};
static const struct field f_empty_dir[] = {
	STR_O("medium"),
	PQTY("sizeLimit"),
};
static const struct field f_secret_volume[] = {
	STR_O("secretName"),
	SLICE_O("items", KEY_TO_PATH),
	PI32("defaultMode"),
	PBOOL("optional"),
};
static const struct field f_pvc_volume[] = {
	STR_A("claimName"),
	BOOL_O("readOnly"),
};
static const struct field f_downward_api_volume[] = {
	SLICE_O("items", DOWNWARD_API_VOLUME_FILE),
	PI32("defaultMode"),
};
static const struct field f_config_map_volume[] = {
	STR_O("name"), /* inline LocalObjectReference */
	SLICE_O("items", KEY_TO_PATH),
	PI32("defaultMode"),
	PBOOL("optional"),
};
static const struct field f_projected_volume[] = {
	SLICE_A("sources", VOLUME_PROJECTION),
	PI32("defaultMode"),
};
static const struct field f_volume_projection[] = {
	PSTRUCT("secret", SECRET_PROJECTION),
	PSTRUCT("downwardAPI", DOWNWARD_API_PROJECTION),
	PSTRUCT("configMap", CONFIG_MAP_PROJECTION),
	PSTRUCT("serviceAccountToken", SERVICE_ACCOUNT_TOKEN_PROJECTION),
	PSTRUCT("clusterTrustBundle", CLUSTER_TRUST_BUNDLE_PROJECTION),
	PSTRUCT("podCertificate", POD_CERTIFICATE_PROJECTION),
};
static const struct field f_object_projection[] = { /* Secret, ConfigMap */
	STR_O("name"), /* inline LocalObjectReference */
	SLICE_O("items", KEY_TO_PATH),
	PBOOL("optional"),
};
static const struct field f_downward_api_projection[] = {
	SLICE_O("items", DOWNWARD_API_VOLUME_FILE),
};
static const struct field f_downward_api_volume_file[] = {
	STR_A("path"),
	PSTRUCT("fieldRef", OBJECT_FIELD_SELECTOR),
	PSTRUCT("resourceFieldRef", RESOURCE_FIELD_SELECTOR),
	PI32("mode"),
};
static const struct field f_service_account_token[] = {
	STR_O("audience"),
	PI64("expirationSeconds"),
	STR_A("path"),
};
static const struct field f_cluster_trust_bundle[] = {
	PSTR("name"),
	PSTR("signerName"),
	PSTRUCT("labelSelector", LABEL_SELECTOR),
	PBOOL("optional"),
	STR_A("path"),
};
static const struct field f_pod_certificate[] = {
	STR_O("signerName"),
	STR_O("keyType"),
	PI32("maxExpirationSeconds"),
	STR_O("credentialBundlePath"),
	STR_O("keyPath"),
	STR_O("certificateChainPath"),
	MSTR_O("userAnnotations"),
};
static const struct field f_key_to_path[] = {
	STR_A("key"),
	STR_A("path"),
	PI32("mode"),
};
static const struct field f_affinity[] = {
	PSTRUCT("nodeAffinity", NODE_AFFINITY),
	PSTRUCT("podAffinity", POD_AFFINITY),
	PSTRUCT("podAntiAffinity", POD_ANTI_AFFINITY),
};
static const struct field f_node_affinity[] = {
	PSTRUCT("requiredDuringSchedulingIgnoredDuringExecution",
		NODE_SELECTOR),
	SLICE_O("preferredDuringSchedulingIgnoredDuringExecution",
		PREFERRED_SCHEDULING_TERM),
};
static const struct field f_node_selector[] = {
	SLICE_A("nodeSelectorTerms", NODE_SELECTOR_TERM),
};
static const struct field f_node_selector_term[] = {
	SLICE_O("matchExpressions", NODE_SELECTOR_REQUIREMENT),
	SLICE_O("matchFields", NODE_SELECTOR_REQUIREMENT),
};
static const struct field f_requirement[] = { /* node and label */
	STR_A("key"),
	STR_A("operator"),
	SSTR_O("values"),
};
static const struct field f_preferred_scheduling_term[] = {
	I32_A("weight"),
	STRUCT_A("preference", NODE_SELECTOR_TERM),
};
static const struct field f_pod_affinity[] = { /* and PodAntiAffinity */
	SLICE_O("requiredDuringSchedulingIgnoredDuringExecution",
		POD_AFFINITY_TERM),
	SLICE_O("preferredDuringSchedulingIgnoredDuringExecution",
		WEIGHTED_POD_AFFINITY_TERM),
};
static const struct field f_weighted_pod_affinity_term[] = {
	I32_A("weight"),
	STRUCT_A("podAffinityTerm", POD_AFFINITY_TERM),
};
static const struct field f_pod_affinity_term[] = {
	PSTRUCT("labelSelector", LABEL_SELECTOR),
	SSTR_O("namespaces"),
	STR_A("topologyKey"),
	PSTRUCT("namespaceSelector", LABEL_SELECTOR),
	SSTR_O("matchLabelKeys"),
	SSTR_O("mismatchLabelKeys"),
};
static const struct field f_label_selector[] = {
	MSTR_O("matchLabels"),
	SLICE_O("matchExpressions", LABEL_SELECTOR_REQUIREMENT),
};
static const struct field f_toleration[] = {
	STR_O("key"),
	STR_O("operator"),
	STR_O("value"),
	STR_O("effect"),
	PI64("tolerationSeconds"),
};
static const struct field f_pod_security_context[] = {
	PSTRUCT("seLinuxOptions", SE_LINUX_OPTIONS),
	PSTRUCT("windowsOptions", WINDOWS_SECURITY_CONTEXT_OPTIONS),
	PI64("runAsUser"),
	PI64("runAsGroup"),
	PBOOL("runAsNonRoot"),
	SI64_O("supplementalGroups"),
	PSTR("supplementalGroupsPolicy"),
	PI64("fsGroup"),
	SLICE_O("sysctls", SYSCTL),
	PSTR("fsGroupChangePolicy"),
	PSTRUCT("seccompProfile", SECCOMP_PROFILE),
	PSTRUCT("appArmorProfile", APP_ARMOR_PROFILE),
	PSTR("seLinuxChangePolicy"),
};
static const struct field f_sysctl[] = {
	STR_A("name"),
	STR_A("value"),
};

#define T(e, name, f) [MG_GOJSON_##e] = { name, f, ARRAY_SIZE(f) }

static const struct gtype types[] = {
	T(RESOURCE_REQUIREMENTS, "ResourceRequirements",
	  f_resource_requirements),
	T(RESOURCE_CLAIM, "ResourceClaim", f_resource_claim),
	T(VOLUME_MOUNT, "VolumeMount", f_volume_mount),
	T(SECURITY_CONTEXT, "SecurityContext", f_security_context),
	T(CAPABILITIES, "Capabilities", f_capabilities),
	T(SE_LINUX_OPTIONS, "SELinuxOptions", f_se_linux_options),
	T(WINDOWS_SECURITY_CONTEXT_OPTIONS, "WindowsSecurityContextOptions",
	  f_windows_options),
	T(SECCOMP_PROFILE, "SeccompProfile", f_profile),
	T(APP_ARMOR_PROFILE, "AppArmorProfile", f_profile),
	T(ENV_VAR_SOURCE, "EnvVarSource", f_env_var_source),
	T(OBJECT_FIELD_SELECTOR, "ObjectFieldSelector",
	  f_object_field_selector),
	T(RESOURCE_FIELD_SELECTOR, "ResourceFieldSelector",
	  f_resource_field_selector),
	T(CONFIG_MAP_KEY_SELECTOR, "ConfigMapKeySelector", f_key_selector),
	T(SECRET_KEY_SELECTOR, "SecretKeySelector", f_key_selector),
	T(FILE_KEY_SELECTOR, "FileKeySelector", f_file_key_selector),
	T(ENV_FROM_SOURCE, "EnvFromSource", f_env_from_source),
	T(CONFIG_MAP_ENV_SOURCE, "ConfigMapEnvSource", f_env_source),
	T(SECRET_ENV_SOURCE, "SecretEnvSource", f_env_source),
	T(VOLUME, "Volume", f_volume),
	T(HOST_PATH_VOLUME_SOURCE, "HostPathVolumeSource", f_host_path),
	T(EMPTY_DIR_VOLUME_SOURCE, "EmptyDirVolumeSource", f_empty_dir),
	T(SECRET_VOLUME_SOURCE, "SecretVolumeSource", f_secret_volume),
	T(PVC_VOLUME_SOURCE, "PersistentVolumeClaimVolumeSource",
	  f_pvc_volume),
	T(DOWNWARD_API_VOLUME_SOURCE, "DownwardAPIVolumeSource",
	  f_downward_api_volume),
	T(CONFIG_MAP_VOLUME_SOURCE, "ConfigMapVolumeSource",
	  f_config_map_volume),
	T(PROJECTED_VOLUME_SOURCE, "ProjectedVolumeSource",
	  f_projected_volume),
	T(VOLUME_PROJECTION, "VolumeProjection", f_volume_projection),
	T(SECRET_PROJECTION, "SecretProjection", f_object_projection),
	T(DOWNWARD_API_PROJECTION, "DownwardAPIProjection",
	  f_downward_api_projection),
	T(DOWNWARD_API_VOLUME_FILE, "DownwardAPIVolumeFile",
	  f_downward_api_volume_file),
	T(CONFIG_MAP_PROJECTION, "ConfigMapProjection", f_object_projection),
	T(SERVICE_ACCOUNT_TOKEN_PROJECTION, "ServiceAccountTokenProjection",
	  f_service_account_token),
	T(CLUSTER_TRUST_BUNDLE_PROJECTION, "ClusterTrustBundleProjection",
	  f_cluster_trust_bundle),
	T(POD_CERTIFICATE_PROJECTION, "PodCertificateProjection",
	  f_pod_certificate),
	T(KEY_TO_PATH, "KeyToPath", f_key_to_path),
	T(AFFINITY, "Affinity", f_affinity),
	T(NODE_AFFINITY, "NodeAffinity", f_node_affinity),
	T(NODE_SELECTOR, "NodeSelector", f_node_selector),
	T(NODE_SELECTOR_TERM, "NodeSelectorTerm", f_node_selector_term),
	T(NODE_SELECTOR_REQUIREMENT, "NodeSelectorRequirement",
	  f_requirement),
	T(PREFERRED_SCHEDULING_TERM, "PreferredSchedulingTerm",
	  f_preferred_scheduling_term),
	T(POD_AFFINITY, "PodAffinity", f_pod_affinity),
	T(POD_ANTI_AFFINITY, "PodAntiAffinity", f_pod_affinity),
	T(WEIGHTED_POD_AFFINITY_TERM, "WeightedPodAffinityTerm",
	  f_weighted_pod_affinity_term),
	T(POD_AFFINITY_TERM, "PodAffinityTerm", f_pod_affinity_term),
	T(LABEL_SELECTOR, "LabelSelector", f_label_selector),
	T(LABEL_SELECTOR_REQUIREMENT, "LabelSelectorRequirement",
	  f_requirement),
	T(TOLERATION, "Toleration", f_toleration),
	T(POD_SECURITY_CONTEXT, "PodSecurityContext", f_pod_security_context),
	T(SYSCTL, "Sysctl", f_sysctl),
};

_Static_assert(ARRAY_SIZE(types) == MG_GOJSON_NTYPES,
	       "one table per enum mg_gojson_type");

/* cJSON holds integers as doubles: beyond 2^53 they are not exact. */
#define MAX_EXACT 9007199254740992.0

const char *
mg_gojson_type_name(enum mg_gojson_type type)
{
	assert((size_t)type < ARRAY_SIZE(types));
	return types[type].name;
}

/* --- strings ------------------------------------------------------ */

/*
 * The rune at s (n > 0 bytes left) and its length, as Go's
 * utf8.DecodeRuneInString: *len 1 and *rune -1 for anything ill-formed
 * (overlong forms, surrogates, > U+10FFFF, truncated, stray bytes).
 */
static void
decode_rune(const unsigned char *s, size_t n, long *rune, size_t *len)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xbf;
	size_t need, i;
	long r;

	*rune = -1;
	*len = 1;
	if (c < 0x80) {
		*rune = c;
		return;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		need = 1;
		r = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		need = 2;
		r = c & 0x0f;
		if (c == 0xe0)
			lo = 0xa0;
		else if (c == 0xed)
			hi = 0x9f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		need = 3;
		r = c & 0x07;
		if (c == 0xf0)
			lo = 0x90;
		else if (c == 0xf4)
			hi = 0x8f;
	} else {
		return;
	}
	if (n < need + 1)
		return;
	for (i = 1; i <= need; i++) {
		unsigned char b = s[i];

		if (b < (i == 1 ? lo : 0x80) || b > (i == 1 ? hi : 0xbf))
			return;
		r = (r << 6) | (b & 0x3f);
	}
	*rune = r;
	*len = need + 1;
}

void
mg_gojson_string(struct mg_buf *out, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, start = 0;

	mg_buf_addch(out, '"');
	while (i < len) {
		unsigned char b = p[i];
		long r;
		size_t n;

		if (b < 0x80) {
			if (b >= 0x20 && b != '"' && b != '\\' && b != '<' &&
			    b != '>' && b != '&') {
				i++;
				continue;
			}
			mg_buf_add(out, s + start, i - start);
			switch (b) {
			case '"':
			case '\\':
				mg_buf_addch(out, '\\');
				mg_buf_addch(out, (char)b);
				break;
			case '\b':
				mg_buf_adds(out, "\\b");
				break;
			case '\f':
				mg_buf_adds(out, "\\f");
				break;
			case '\n':
				mg_buf_adds(out, "\\n");
				break;
			case '\r':
				mg_buf_adds(out, "\\r");
				break;
			case '\t':
				mg_buf_adds(out, "\\t");
				break;
			default:
				mg_buf_adds(out, "\\u00");
				mg_buf_addch(out, hex[b >> 4]);
				mg_buf_addch(out, hex[b & 0xf]);
			}
			start = ++i;
			continue;
		}
		decode_rune(p + i, len - i, &r, &n);
		if (r < 0) {
			mg_buf_add(out, s + start, i - start);
			mg_buf_adds(out, "\\ufffd");
			start = ++i;
			continue;
		}
		if (r == 0x2028 || r == 0x2029) {
			mg_buf_add(out, s + start, i - start);
			mg_buf_adds(out, r == 0x2028 ? "\\u2028" : "\\u2029");
			i += n;
			start = i;
			continue;
		}
		i += n;
	}
	mg_buf_add(out, s + start, len - start);
	mg_buf_addch(out, '"');
}

/* --- the encoder --------------------------------------------------- */

struct enc {
	struct mg_buf *out;
	struct mg_buf path; /* where we are, for messages */
	struct mg_err *err;
};

static void
path_cut(struct mg_buf *b, size_t len)
{
	b->len = len;
	if (b->alloc)
		b->data[len] = '\0';
}

static int
type_error(struct enc *e, const char *want)
{
	return mg_err_set(e->err, MG_EINVAL, "%s: expected %s",
			  e->path.len ? e->path.data : "value", want);
}

/* The member of obj named key; the last one when the key repeats. */
static const cJSON *
member(const cJSON *obj, const char *key)
{
	const cJSON *c, *found = NULL;

	if (!cJSON_IsObject(obj))
		return NULL;
	cJSON_ArrayForEach(c, obj)
		if (c->string && !strcmp(c->string, key))
			found = c;
	return found;
}

static bool
is_nil(const cJSON *v)
{
	return !v || cJSON_IsNull(v);
}

static int encode_struct(struct enc *e, enum mg_gojson_type type,
			 const cJSON *obj);

/* One value of the kind, never omitted; NULL / null is the zero value. */
static int
encode_value(struct enc *e, enum kind kind, enum mg_gojson_type type,
	     const cJSON *v)
{
	struct mg_quantity q = MG_QUANTITY_INIT;
	double d;
	int rc;

	switch (kind) {
	case K_STRING:
		if (is_nil(v)) {
			mg_buf_adds(e->out, "\"\"");
			return 0;
		}
		if (!cJSON_IsString(v))
			return type_error(e, "a string");
		mg_gojson_string(e->out, v->valuestring,
				 strlen(v->valuestring));
		return 0;
	case K_BOOL:
		if (!is_nil(v) && !cJSON_IsBool(v))
			return type_error(e, "true or false");
		mg_buf_adds(e->out, cJSON_IsTrue(v) ? "true" : "false");
		return 0;
	case K_INT32:
	case K_INT64:
		if (is_nil(v)) {
			mg_buf_addch(e->out, '0');
			return 0;
		}
		if (!cJSON_IsNumber(v))
			return type_error(e, "an integer");
		d = v->valuedouble;
		if (d != floor(d))
			return type_error(e, "an integer");
		if (kind == K_INT32 ? (d < -2147483648.0 || d > 2147483647.0) :
				      (d < -MAX_EXACT || d > MAX_EXACT))
			return type_error(e, kind == K_INT32 ?
						     "a 32-bit integer" :
						     "an integer within +-2^53");
		mg_buf_addf(e->out, "%lld", (long long)d);
		return 0;
	case K_QUANTITY:
		rc = mg_quantity_parse_json(&q, v, e->err);
		if (rc) {
			mg_quantity_release(&q);
			return mg_err_prefix(e->err, "%s",
					     e->path.len ? e->path.data :
							   "quantity");
		}
		mg_buf_addch(e->out, '"');
		mg_quantity_format(&q, e->out);
		mg_buf_addch(e->out, '"');
		mg_quantity_release(&q);
		return 0;
	case K_STRUCT:
		if (!is_nil(v) && !cJSON_IsObject(v))
			return type_error(e, "an object");
		return encode_struct(e, type, is_nil(v) ? NULL : v);
	default:
		return mg_err_set(e->err, MG_EINVAL,
				  "%s: this volume source is not supported",
				  e->path.data);
	}
}

/* Would omitempty drop this present, well-typed VAL member? */
static bool
empty_value(enum kind kind, const cJSON *v)
{
	switch (kind) {
	case K_STRING:
		return cJSON_IsString(v) && !*v->valuestring;
	case K_BOOL:
		return cJSON_IsFalse(v);
	case K_INT32:
	case K_INT64:
		return cJSON_IsNumber(v) && v->valuedouble == 0;
	default:
		return false; /* structs (and Quantity) are never empty */
	}
}

struct kv {
	const char *key;
	const cJSON *val;
	size_t pos;
};

static int
kv_cmp(const void *a, const void *b)
{
	const struct kv *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	if (c)
		return c;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

static int
encode_map(struct enc *e, enum kind kind, const cJSON *obj)
{
	const cJSON *c;
	struct kv *kv;
	size_t n = 0, i, base = e->path.len;
	bool first = true;
	int rc = 0;

	cJSON_ArrayForEach(c, obj)
		n++;
	kv = mg_xcalloc(n ? n : 1, sizeof(*kv));
	n = 0;
	cJSON_ArrayForEach(c, obj) {
		kv[n].key = c->string ? c->string : "";
		kv[n].val = c;
		kv[n].pos = n;
		n++;
	}
	/* Sorted bytewise; of repeated keys the last one is kept. */
	qsort(kv, n, sizeof(*kv), kv_cmp);
	mg_buf_addch(e->out, '{');
	for (i = 0; i < n && !rc; i++) {
		if (i + 1 < n && !strcmp(kv[i].key, kv[i + 1].key))
			continue;
		if (!first)
			mg_buf_addch(e->out, ',');
		first = false;
		mg_gojson_string(e->out, kv[i].key, strlen(kv[i].key));
		mg_buf_addch(e->out, ':');
		mg_buf_addf(&e->path, "[%s]", kv[i].key);
		rc = encode_value(e, kind, 0, kv[i].val);
		path_cut(&e->path, base);
	}
	mg_buf_addch(e->out, '}');
	free(kv);
	return rc;
}

static int
encode_slice(struct enc *e, enum kind kind, enum mg_gojson_type type,
	     const cJSON *arr)
{
	const cJSON *c;
	size_t i = 0, base = e->path.len;
	int rc = 0;

	mg_buf_addch(e->out, '[');
	cJSON_ArrayForEach(c, arr) {
		if (i)
			mg_buf_addch(e->out, ',');
		mg_buf_addf(&e->path, "[%zu]", i);
		rc = encode_value(e, kind, type, c);
		path_cut(&e->path, base);
		if (rc)
			break;
		i++;
	}
	mg_buf_addch(e->out, ']');
	return rc;
}

/* Writes the key (and a comma when needed); *first tracks the object. */
static void
key(struct enc *e, const char *k, bool *first)
{
	if (!*first)
		mg_buf_addch(e->out, ',');
	*first = false;
	mg_buf_addch(e->out, '"');
	mg_buf_adds(e->out, k);
	mg_buf_adds(e->out, "\":");
}

static int
encode_field(struct enc *e, const struct field *f, const cJSON *obj,
	     bool *first)
{
	const cJSON *v = member(obj, f->key);
	bool nil = is_nil(v);

	switch (f->shape) {
	case PTR:
		if (nil) {
			if (f->omit)
				return 0;
			key(e, f->key, first);
			mg_buf_adds(e->out, "null");
			return 0;
		}
		key(e, f->key, first);
		return encode_value(e, f->kind, f->type, v);
	case SLICE:
	case MAP:
		if (nil) {
			if (f->omit)
				return 0;
			key(e, f->key, first);
			mg_buf_adds(e->out, "null");
			return 0;
		}
		if (f->shape == SLICE && !cJSON_IsArray(v))
			return type_error(e, "an array");
		if (f->shape == MAP && !cJSON_IsObject(v))
			return type_error(e, "an object");
		if (f->omit && !v->child)
			return 0;
		key(e, f->key, first);
		if (f->shape == SLICE)
			return encode_slice(e, f->kind, f->type, v);
		return encode_map(e, f->kind, v);
	default:
		if (f->omit && (nil || empty_value(f->kind, v)) &&
		    f->kind != K_STRUCT && f->kind != K_QUANTITY)
			return 0;
		key(e, f->key, first);
		return encode_value(e, f->kind, f->type, v);
	}
}

static int
encode_struct(struct enc *e, enum mg_gojson_type type, const cJSON *obj)
{
	const struct gtype *t = &types[type];
	size_t i, base = e->path.len;
	bool first = true;
	int rc = 0;

	mg_buf_addch(e->out, '{');
	for (i = 0; i < t->nfields && !rc; i++) {
		if (base)
			mg_buf_addch(&e->path, '.');
		mg_buf_adds(&e->path, t->fields[i].key);
		rc = encode_field(e, &t->fields[i], obj, &first);
		path_cut(&e->path, base);
	}
	mg_buf_addch(e->out, '}');
	return rc;
}

static int
run(struct mg_buf *out, enum mg_gojson_type type, bool slice,
    const cJSON *value, const char *path, struct mg_err *err)
{
	struct mg_buf tmp = MG_BUF_INIT;
	struct enc e;
	int rc;

	assert((size_t)type < ARRAY_SIZE(types));
	e.out = &tmp;
	mg_buf_init(&e.path, 0);
	e.err = err;
	if (path)
		mg_buf_adds(&e.path, path);
	if (slice) {
		if (is_nil(value)) {
			mg_buf_adds(&tmp, "null");
			rc = 0;
		} else if (!cJSON_IsArray(value)) {
			rc = type_error(&e, "an array");
		} else {
			rc = encode_slice(&e, K_STRUCT, type, value);
		}
	} else {
		rc = encode_value(&e, K_STRUCT, type, value);
	}
	if (!rc)
		mg_buf_add(out, tmp.data, tmp.len);
	mg_buf_release(&tmp);
	mg_buf_release(&e.path);
	return rc;
}

int
mg_gojson_encode(struct mg_buf *out, enum mg_gojson_type type,
		 const cJSON *value, const char *path, struct mg_err *err)
{
	return run(out, type, false, value, path, err);
}

int
mg_gojson_encode_slice(struct mg_buf *out, enum mg_gojson_type elem,
		       const cJSON *value, const char *path,
		       struct mg_err *err)
{
	return run(out, elem, true, value, path, err);
}

static int
normalize(cJSON **out, enum mg_gojson_type type, bool slice,
	  const cJSON *value, const char *path, struct mg_err *err)
{
	struct mg_buf b = MG_BUF_INIT;
	int rc;

	*out = NULL;
	rc = run(&b, type, slice, value, path, err);
	if (!rc) {
		*out = cJSON_ParseWithLength(b.data, b.len);
		if (!*out)
			MG_BUG("gojson produced JSON cJSON cannot read");
	}
	mg_buf_release(&b);
	return rc;
}

int
mg_gojson_normalize(cJSON **out, enum mg_gojson_type type,
		    const cJSON *value, const char *path, struct mg_err *err)
{
	return normalize(out, type, false, value, path, err);
}

int
mg_gojson_normalize_slice(cJSON **out, enum mg_gojson_type elem,
			  const cJSON *value, const char *path,
			  struct mg_err *err)
{
	return normalize(out, elem, true, value, path, err);
}
