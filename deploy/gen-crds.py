#!/usr/bin/env python3
"""Write deploy/crds/*.yaml: the CustomResourceDefinitions of multigres.com/v1alpha1,
and shared/schema_gen.{h,c}: the same schemas as C tables for the offline
validator (shared/schema.c), so there is one schema and no second copy.

The eight CRDs share most of their schema (stateless component specs, pools,
backups, topology servers, ...), so they are assembled here from small
building blocks instead of being maintained by hand eight times over.

Field names, types, bounds, patterns, defaults and the CEL rules with their
messages follow the public Go operator (github.com/multigres/multigres-operator,
`main` @ 39a7efcd) so that objects written for it are accepted or rejected in
exactly the same way. The descriptions are our own.

Only the Python standard library is used (no PyYAML): the emitter below writes
a small, predictable subset of YAML and supports comments, which a plain dump
could not.

    python3 deploy/gen-crds.py          # rewrite deploy/crds/*.yaml and shared/schema_gen.*
    python3 deploy/gen-crds.py --check  # exit 1 if any of them is out of date
"""

import copy
import json
import os
import re
import sys
import textwrap

GROUP = "multigres.com"
VERSION = "v1alpha1"
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "crds")

COMMENT = "#"  # a dict key holding comment lines emitted before the mapping's keys

# ---------------------------------------------------------------------------
# Schema helpers
# ---------------------------------------------------------------------------


def node(desc, **kw):
    d = {}
    if desc:
        d["description"] = desc
    for k, v in kw.items():
        d[k.replace("_", "-") if k.startswith("x_") else k] = v
    return d


def string(desc, min_len=None, max_len=None, pattern=None, enum=None, default=None, fmt=None):
    d = node(desc, type="string")
    if fmt is not None:
        d["format"] = fmt
    if enum is not None:
        d["enum"] = list(enum)
    if default is not None:
        d["default"] = default
    if min_len is not None:
        d["minLength"] = min_len
    if max_len is not None:
        d["maxLength"] = max_len
    if pattern is not None:
        d["pattern"] = pattern
    return d


def integer(desc, fmt="int32", minimum=None, maximum=None):
    d = node(desc, type="integer", format=fmt)
    if minimum is not None:
        d["minimum"] = minimum
    if maximum is not None:
        d["maximum"] = maximum
    return d


def boolean(desc):
    return node(desc, type="boolean")


def obj(desc, props, required=None, rules=None, comment=None, default=None):
    d = {}
    if comment:
        d[COMMENT] = comment if isinstance(comment, list) else [comment]
    if desc:
        d["description"] = desc
    d["type"] = "object"
    if default is not None:
        d["default"] = default
    d["properties"] = props
    if required:
        d["required"] = sorted(required)
    if rules:
        d["x-kubernetes-validations"] = [{"rule": r, "message": m} for r, m in rules]
    return d


def array(desc, items, min_items=None, max_items=None, list_type=None, map_keys=None, rules=None):
    d = node(desc, type="array", items=items)
    if min_items is not None:
        d["minItems"] = min_items
    if max_items is not None:
        d["maxItems"] = max_items
    if list_type is not None:
        d["x-kubernetes-list-type"] = list_type
    if map_keys is not None:
        d["x-kubernetes-list-map-keys"] = list(map_keys)
    if rules:
        d["x-kubernetes-validations"] = [{"rule": r, "message": m} for r, m in rules]
    return d


def string_map(desc, max_props=None, rules=None, values=None):
    d = node(desc, type="object", additionalProperties=values or {"type": "string"})
    if max_props is not None:
        d["maxProperties"] = max_props
    if rules:
        d["x-kubernetes-validations"] = [{"rule": r, "message": m} for r, m in rules]
    return d


def with_desc(schema, desc):
    """A copy of a shared schema with a description (and any comment) put first."""
    s = copy.deepcopy(schema)
    out = {}
    if COMMENT in s:
        out[COMMENT] = s.pop(COMMENT)
    s.pop("description", None)
    if desc:
        out["description"] = desc
    out.update(s)
    return out


def commented(schema, *lines):
    """Put YAML comment lines in front of a schema node's keys."""
    out = {COMMENT: list(lines)}
    out.update(schema)
    return out


def with_rules(schema, rules):
    s = copy.deepcopy(schema)
    s.setdefault("x-kubernetes-validations", [])
    s["x-kubernetes-validations"] += [{"rule": r, "message": m} for r, m in rules]
    return s


# ---------------------------------------------------------------------------
# Validated string types
# ---------------------------------------------------------------------------

DNS_LABEL = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"
DNS_SUBDOMAIN = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"
DURATION = r"^([0-9]+(\.[0-9]+)?(ns|us|µs|μs|ms|s|m|h))+$"
IP_ADDRESS = r"^(([0-9]{1,3}\.){3}[0-9]{1,3})$|^(([0-9a-fA-F]{0,4}:){2,7}[0-9a-fA-F]{0,4})$"
# The pattern Kubernetes' own generators attach to resource.Quantity.
QUANTITY = (r"^(\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|"
            r"([eE](\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))))?$")


def database_name(desc):
    return string(desc, 1, 30, DNS_LABEL)


def tablegroup_name(desc):
    return string(desc, 1, 25, DNS_LABEL)


def shard_name(desc):
    return string(desc, 1, 25, DNS_LABEL)


def cell_name(desc):
    return string(desc, 1, 30, DNS_LABEL)


def zone_id(desc):
    return string(desc, 1, 63)


def region(desc):
    return string(desc, 1, 63)


def template_ref(desc):
    return string(desc, 1, 63)


def image_ref(desc):
    return string(desc, 1, 512)


def initdb_args(desc):
    return string(desc, max_len=512)


def log_level(desc):
    return string(desc, enum=["debug", "info", "warn", "error"])


def phase(desc):
    return string(desc, enum=["Initializing", "Progressing", "Healthy", "Degraded", "Unknown"])


def pull_policy():
    return string("When the kubelet pulls images: Always, Never or IfNotPresent.",
                  enum=["Always", "Never", "IfNotPresent"])


def duration(desc):
    return string(desc, pattern=DURATION)


# ---------------------------------------------------------------------------
# Kubernetes core types embedded in the API
# ---------------------------------------------------------------------------

def quantity():
    return {
        "anyOf": [{"type": "integer"}, {"type": "string"}],
        "pattern": QUANTITY,
        "x-kubernetes-int-or-string": True,
    }


def resources(desc="Compute resources (requests, limits, claims) for the container."):
    # corev1.ResourceRequirements is small and stable: spelled out in full so
    # quantities are validated by the API server, as upstream's CRDs do.
    return commented(obj(desc, {
        "claims": array(
            "Dynamic resource claims (by name, from the pod's resourceClaims) the container may use.",
            obj(None, {
                "name": string("Name of a pod resourceClaims entry."),
                "request": string("Optional request name inside that claim."),
            }, required=["name"]),
            list_type="map", map_keys=["name"]),
        "limits": string_map("Upper bounds per resource name (cpu, memory, ...).", values=quantity()),
        "requests": string_map("Guaranteed amounts per resource name (cpu, memory, ...).", values=quantity()),
    }), "corev1.ResourceRequirements, in full: quantities are checked on write.")


def atomic_strings(desc):
    return array(desc, {"type": "string"}, list_type="atomic")


def label_selector(desc):
    d = obj(desc, {
        "matchExpressions": array("Set-based requirements; all must hold.", obj(None, {
            "key": string("Label key."),
            "operator": string("In, NotIn, Exists or DoesNotExist."),
            "values": atomic_strings("Values for In and NotIn; empty for Exists and DoesNotExist."),
        }, required=["key", "operator"]), list_type="atomic"),
        "matchLabels": string_map("Exact label matches; all must hold."),
    })
    d["x-kubernetes-map-type"] = "atomic"
    return d


def node_selector_term(desc):
    req = obj(None, {
        "key": string("Node label or field key."),
        "operator": string("In, NotIn, Exists, DoesNotExist, Gt or Lt."),
        "values": atomic_strings("Values to compare with."),
    }, required=["key", "operator"])
    d = obj(desc, {
        "matchExpressions": array("Requirements on node labels.", req, list_type="atomic"),
        "matchFields": array("Requirements on node fields.", copy.deepcopy(req), list_type="atomic"),
    })
    d["x-kubernetes-map-type"] = "atomic"
    return d


def pod_affinity_term(desc):
    return obj(desc, {
        "labelSelector": label_selector("Pods this term is about."),
        "matchLabelKeys": atomic_strings("Label keys whose values, taken from the incoming pod, are "
                                         "added to labelSelector as In requirements."),
        "mismatchLabelKeys": atomic_strings("Label keys whose values, taken from the incoming pod, are "
                                            "added to labelSelector as NotIn requirements."),
        "namespaceSelector": label_selector("Namespaces to look in; empty selects all namespaces."),
        "namespaces": atomic_strings("Namespaces to look in, by name."),
        "topologyKey": string("Node label that defines the co-location domain."),
    }, required=["topologyKey"])


def pod_affinity(desc):
    return obj(desc, {
        "preferredDuringSchedulingIgnoredDuringExecution": array(
            "Soft terms, each with a weight.", obj(None, {
                "podAffinityTerm": pod_affinity_term("The term."),
                "weight": integer("Weight, 1 to 100."),
            }, required=["podAffinityTerm", "weight"]), list_type="atomic"),
        "requiredDuringSchedulingIgnoredDuringExecution": array(
            "Hard terms; all must hold.", pod_affinity_term(None), list_type="atomic"),
    })


def affinity(desc="Pod scheduling constraints (node affinity, pod affinity, pod anti-affinity)."):
    # corev1.Affinity, spelled out in full (without its long upstream prose) so
    # that a malformed value is refused when the object is written, as with
    # upstream's CRDs, rather than later when the operator creates the Pod.
    node_sel = obj("Hard requirement: the node must match one of the terms.", {
        "nodeSelectorTerms": array("Terms, ORed.", node_selector_term(None), list_type="atomic"),
    }, required=["nodeSelectorTerms"])
    node_sel["x-kubernetes-map-type"] = "atomic"
    return commented(obj(desc, {
        "nodeAffinity": obj("Which nodes the pods may or should run on.", {
            "preferredDuringSchedulingIgnoredDuringExecution": array(
                "Soft preferences, each with a weight.", obj(None, {
                    "preference": node_selector_term("The node term."),
                    "weight": integer("Weight, 1 to 100."),
                }, required=["preference", "weight"]), list_type="atomic"),
            "requiredDuringSchedulingIgnoredDuringExecution": node_sel,
        }),
        "podAffinity": pod_affinity("Run near pods matching these terms."),
        "podAntiAffinity": pod_affinity("Keep away from pods matching these terms."),
    }), "corev1.Affinity, in full: bad values are refused on write, not when the Pod is made.")


def tolerations(desc="Tolerations that let the pods schedule onto tainted nodes."):
    # corev1.Toleration: five scalar fields, spelled out in full.
    return commented(array(desc, obj(None, {
        "effect": string("Taint effect to match: NoSchedule, PreferNoSchedule or NoExecute; empty matches all."),
        "key": string("Taint key to match; empty with operator Exists matches every taint."),
        "operator": string("Exists or Equal (the default)."),
        "tolerationSeconds": integer("For NoExecute: how long the pod stays bound after the taint appears.",
                                     fmt="int64"),
        "value": string("Taint value to match when operator is Equal."),
    })), "corev1.Toleration list, in full (five scalar fields).")


def local_object_references(desc):
    return commented(array(desc, {
        "description": "Name of a Secret in the same namespace.",
        "type": "object",
        "properties": {
            "name": string("Name of the referenced object.", default=""),
        },
        "x-kubernetes-map-type": "atomic",
    }), "corev1.LocalObjectReference list, in full.")


def conditions():
    # metav1.Condition, exactly as Kubernetes' generators describe it.
    return array(
        "Latest observations of the resource's state, one entry per condition type.",
        obj("One aspect of the resource's current state.", {
            "lastTransitionTime": string("When the status last changed.", fmt="date-time"),
            "message": string("Human-readable details about the transition.", max_len=32768),
            "observedGeneration": integer("metadata.generation the condition was computed from.",
                                          fmt="int64", minimum=0),
            "reason": string("Machine-readable CamelCase reason for the last transition.",
                             min_len=1, max_len=1024,
                             pattern=r"^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$"),
            "status": string("True, False or Unknown.", enum=["True", "False", "Unknown"]),
            "type": string("Condition type in CamelCase (or domain/Type).", max_len=316,
                           pattern=r"^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?"
                                   r"(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$"),
        }, required=["lastTransitionTime", "message", "reason", "status", "type"]),
        list_type="map", map_keys=["type"])


# ---------------------------------------------------------------------------
# Shared multigres structs
# ---------------------------------------------------------------------------

def stateless_props():
    return {
        "replicas": integer("Number of pods to run.", minimum=0, maximum=128),
        "resources": resources(),
        "affinity": affinity(),
        "podAnnotations": string_map(
            "Extra annotations put on the pods.", max_props=20,
            rules=[("self.all(k, size(k) < 64 && size(self[k]) < 256)",
                    "annotation keys must be <64 chars and values <256 chars")]),
        "podLabels": string_map(
            "Extra labels put on the pods.", max_props=20,
            rules=[("self.all(k, size(k) < 64 && size(self[k]) < 64)",
                    "label keys and values must be <64 chars")]),
    }


def stateless(desc):
    return obj(desc, stateless_props())


def placement(desc):
    return obj(desc, {"tolerations": tolerations()})


def storage(desc="Persistent volume settings."):
    return obj(desc, {
        "size": string("Requested volume size, as a Kubernetes quantity such as 10Gi.",
                       max_len=63, pattern=r"^([0-9]+)(.+)$"),
        "class": string("StorageClass to provision from; empty uses the cluster default.",
                        min_len=1, max_len=63),
        "accessModes": array("Volume access modes (ReadWriteOnce, ReadWriteMany, ...).",
                             {"type": "string"}),
    })


def pvc_policy(desc="What happens to PersistentVolumeClaims when their owner goes away.", default=None):
    return obj(desc, {
        "whenDeleted": string("Retain or Delete the claims when the resource is deleted.",
                              enum=["Retain", "Delete"], default="Retain"),
        "whenScaled": string("Retain or Delete the claims of pods removed by a scale-down.",
                             enum=["Retain", "Delete"], default="Delete"),
    }, default=default)


def topology_pruning(desc):
    return obj(desc, {
        "enabled": boolean("Mark topology entries whose pod is gone as shut down; unset means true."),
    })


def internal_tls(desc):
    return obj(desc, {
        "enabled": boolean("Turn on mutual TLS between Multigres components; unset means false."),
    })


def container(desc):
    return obj(desc, {
        "resources": resources(),
        "runAsUser": integer("UID the container runs as; unset leaves it to the image and runtime.",
                             fmt="int64", minimum=1),
        "runAsGroup": integer("Primary GID of the container process; unset leaves the runtime default.",
                              fmt="int64", minimum=0),
    })


def backup(desc):
    return obj(desc, {
        "type": string("Storage backend for pgBackRest: filesystem or s3.", enum=["filesystem", "s3"]),
        "filesystem": obj("Backups on a volume shared by the shard's pools (needed when type is filesystem).", {
            "path": string("Directory the repository lives in; /backups when empty."),
            "storage": storage("Volume that holds the repository."),
        }),
        "s3": obj("S3-compatible object storage (needed when type is s3).", {
            "bucket": string("Bucket name.", min_len=1),
            "region": string("Bucket region.", min_len=1),
            "endpoint": string("Endpoint URL for non-AWS S3 implementations."),
            "keyPrefix": string("Prefix prepended to every object key."),
            "useEnvCredentials": boolean("Take credentials from the environment or instance metadata."),
            "credentialsSecret": string(
                "Secret holding AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY."),
            "serviceAccountName": string(
                "Existing ServiceAccount used for IRSA; the operator does not create it."),
        }, required=["bucket", "region"], rules=[
            ("!(has(self.serviceAccountName) && size(self.serviceAccountName) > 0 && "
             "has(self.credentialsSecret) && size(self.credentialsSecret) > 0)",
             "serviceAccountName and credentialsSecret are mutually exclusive"),
            ("!(has(self.serviceAccountName) && size(self.serviceAccountName) > 0 && "
             "has(self.useEnvCredentials) && self.useEnvCredentials)",
             "serviceAccountName and useEnvCredentials are mutually exclusive — "
             "IRSA credentials are handled automatically"),
        ]),
        "pgbackrestTLS": obj("TLS between pgBackRest instances of a shard.", {
            "secretName": string("Secret with ca.crt, tls.crt and tls.key; empty lets the "
                                 "operator issue and rotate one."),
        }),
        "encryption": obj("Client-side encryption of the repository; fixed once set.", {
            "secretName": string("Secret whose keys.json maps repository generation to passphrase, "
                                 "for example {\"1\": \"...\"}.", min_len=1),
        }, required=["secretName"]),
    }, required=["type"], rules=[
        ("self.type != 's3' || has(self.s3)", "s3 config is required when type is 's3'"),
        ("self.type != 'filesystem' || has(self.filesystem)",
         "filesystem config is required when type is 'filesystem'"),
        ("has(self.encryption) == has(oldSelf.encryption) && "
         "(!has(self.encryption) || self.encryption == oldSelf.encryption)",
         "encryption is immutable and cannot be added, removed, or changed after creation"),
    ])


def password_ref(desc):
    return obj(desc, {
        "name": string("Secret name (same namespace).", 1, 253, DNS_SUBDOMAIN),
        "key": string("Key inside the Secret's data.", 1, 253, r"^[-._a-zA-Z0-9]+$"),
    }, required=["name", "key"])


def postgres_config_ref():
    return obj("Deprecated: a ConfigMap key with postgresql.conf lines merged into the rendered "
               "configuration. Prefer postgresConfig.", {
                   "name": string("ConfigMap name (same namespace).", 1, 253),
                   "key": string("Key holding the postgresql.conf text.", 1, 253),
               }, required=["name", "key"])


def postgres_config():
    return string_map("PostgreSQL settings (parameter name to value) written into postgresql.conf; "
                      "they win over postgresConfigRef and the operator's defaults.", max_props=200)


def log_levels(desc):
    return obj(desc, {
        "pgctld": log_level("Log level of pgctld."),
        "multipooler": log_level("Log level of multipooler."),
        "multiorch": log_level("Log level of multiorch."),
        "multiadmin": log_level("Log level of multiadmin."),
        "multigateway": log_level("Log level of multigateway."),
    })


def observability(desc):
    exporters = ["otlp", "none", "console"]
    return obj(desc, {
        "otlpEndpoint": string("OTLP collector URL (OTEL_EXPORTER_OTLP_ENDPOINT); \"disabled\" turns "
                               "telemetry off."),
        "otlpMetricsEndpoint": string("OTLP URL for metrics only (OTEL_EXPORTER_OTLP_METRICS_ENDPOINT)."),
        "otlpProtocol": string("OTLP transport (OTEL_EXPORTER_OTLP_PROTOCOL).", enum=["http/protobuf", "grpc"]),
        "tracesExporter": string("Trace exporter (OTEL_TRACES_EXPORTER).", enum=exporters),
        "metricsExporter": string("Metrics exporter (OTEL_METRICS_EXPORTER).", enum=exporters),
        "logsExporter": string("Log exporter (OTEL_LOGS_EXPORTER).", enum=exporters),
        "metricExportInterval": string("Metric export period in milliseconds (OTEL_METRIC_EXPORT_INTERVAL)."),
        "metricsTemporality": string("Temporality preference "
                                     "(OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE).",
                                     enum=["cumulative", "delta"]),
        "histogramAggregation": string("Default histogram aggregation "
                                       "(OTEL_EXPORTER_OTLP_METRICS_DEFAULT_HISTOGRAM_AGGREGATION).",
                                       enum=["base2_exponential_bucket_histogram",
                                             "explicit_bucket_histogram"]),
        "tracesSampler": string("Sampler (OTEL_TRACES_SAMPLER); multigres_custom reads samplingConfigRef."),
        "samplingConfigRef": obj("ConfigMap with the sampling file, mounted under /etc/otel/.", {
            "name": string("ConfigMap name (same namespace)."),
            "key": string("Key of the file inside the ConfigMap.", default="sampling-config.yaml"),
        }, required=["name"]),
    }, comment="Empty fields fall back to the operator's own OTEL_* environment.")


def gateway_buffer():
    return obj("Hold client requests while a shard changes primary, then replay them. Unset "
               "fields leave multigateway's built-in defaults in place.", {
                   "enabled": boolean("Turn buffering on or off (--buffer-enabled)."),
                   "window": duration("Longest a single request may wait (--buffer-window)."),
                   "maxFailoverDuration": duration(
                       "Longest one failover may keep requests waiting (--buffer-max-failover-duration); "
                       "at least window."),
                   "minTimeBetweenFailovers": duration(
                       "Minimum gap between two buffering episodes of a shard "
                       "(--buffer-min-time-between-failovers)."),
                   "size": integer("Most requests buffered at once (--buffer-size).", minimum=1),
                   "drainConcurrency": integer("Buffered requests replayed in parallel "
                                               "(--buffer-drain-concurrency).", minimum=1),
               })


def multigateway(desc):
    props = stateless_props()
    props["buffer"] = gateway_buffer()
    return obj(desc, props)


def multiorch(desc):
    props = stateless_props()
    props["placement"] = placement("Extra scheduling settings for the multiorch pods.")
    props["cells"] = array("Cells that get a multiorch; empty means every cell holding a pool of the shard.",
                           cell_name(None), max_items=50, list_type="set")
    return obj(desc, props)


def pool(pool_cells_rule=True):
    cells_rules = [("oldSelf.all(c, c in self)", "Cells cannot be removed from a pool (Append-Only)")]
    return obj("One pool of PostgreSQL instances (each pod: postgres plus multipooler).", {
        "type": string("Pool kind; only readWrite exists today.", enum=["readWrite"]),
        "cells": array("Cells the pool runs in; cells can be added but never removed.",
                       cell_name(None), min_items=1, max_items=10, list_type="set",
                       rules=cells_rules if pool_cells_rule else None),
        "replicasPerCell": integer("Pods per cell.", minimum=1, maximum=32),
        "storage": storage("Data volume of each pod."),
        "postgres": container("The postgres (pgctld) container."),
        "multipooler": container("The multipooler container."),
        "affinity": affinity(),
        "tolerations": tolerations(),
        "fsGroup": integer("Pod fsGroup, shared by the pool's containers for volumes and sockets.",
                           fmt="int64", minimum=1),
        "pvcDeletionPolicy": pvc_policy("Claim lifecycle for this pool; wins over shard, table group and "
                                        "cluster settings."),
    })


POOLS_APPEND_ONLY = ("oldSelf.all(k, k in self)",
                     "Pools cannot be removed or renamed in this version (Append-Only)")
POOLS_KEY_25 = ("self.all(key, size(key) <= 25)", "pool names must be <= 25 chars")
POOLS_KEY_63 = ("self.all(key, size(key) < 63)", "pool names must be < 63 chars")


def pools(desc, rules):
    return string_map(desc, max_props=8, rules=rules, values=pool())


def etcd(desc):
    return obj(desc, {
        "image": image_ref("etcd container image."),
        "replicas": with_rules(integer("Number of etcd members; odd, and fixed after creation.", minimum=1), [
            ("self % 2 == 1",
             "etcd replicas must be an odd number (1, 3, 5); even numbers provide no additional "
             "fault tolerance over the next lower odd number"),
        ]),
        "storage": storage("Data volume of each member."),
        "resources": resources(),
        "rootPath": string("Key prefix the cluster's topology lives under.", 1, 512),
        "pvcDeletionPolicy": pvc_policy("Claim lifecycle for the etcd volumes."),
    })


def external_topo(desc):
    return obj(desc, {
        "endpoints": array("Client URLs of the server (http:// or https://).",
                           string(None, 1, 2048), min_items=1, max_items=20, list_type="set",
                           rules=[("self.all(x, x.matches('^https?://'))", "endpoints must be valid URLs")]),
        "implementation": string("Topology backend; etcd when empty."),
        "caSecret": string("Secret with the CA certificate to trust.", max_len=253),
        "clientCertSecret": string("Secret with a client certificate and key.", max_len=253),
        "rootPath": string("Key prefix the cluster's topology lives under.", 1, 512),
    }, required=["endpoints"])


def local_topo(desc):
    return obj(desc, {
        "etcd": etcd("An etcd run by the operator for this cell."),
        "external": external_topo("An existing topology server."),
    }, rules=[
        ("has(self.etcd) || has(self.external)", "must specify either 'etcd' or 'external'"),
        ("!(has(self.etcd) && has(self.external))", "only one of 'etcd' or 'external' can be set"),
    ])


def topo_server_spec(desc):
    return obj(desc, {
        "etcd": etcd("The managed etcd (required)."),
        "pvcDeletionPolicy": pvc_policy("Claim lifecycle for the etcd volumes."),
        "placement": placement("Extra scheduling settings for the etcd pods."),
    }, rules=[("has(self.etcd)", "must specify 'etcd' configuration")])


def global_topo_ref(desc):
    return obj(desc, {
        "address": string("host:port (or URL, for an external server) of the global topology.", 1, 512),
        "rootPath": string("Key prefix of the global topology.", 1, 512),
        "implementation": string("Client implementation, for example etcd.", 1, 63),
    }, required=["address", "rootPath", "implementation"])


def shard_images(desc):
    return obj(desc, {
        "imagePullPolicy": pull_policy(),
        "imagePullSecrets": local_object_references("Secrets used to pull the images."),
        "multiorch": image_ref("multiorch image."),
        "multipooler": image_ref("multipooler image."),
        "postgres": image_ref("postgres (pgctld) image."),
    }, required=["multiorch", "multipooler", "postgres"])


def cell_topology_labels():
    return string_map("Per cell, the node labels its pods are pinned to "
                      "(for example topology.kubernetes.io/zone).",
                      values={"type": "object", "additionalProperties": {"type": "string"}})


def durability_policy(desc):
    return string(desc)


def common_status_props(what):
    return {
        "observedGeneration": integer("metadata.generation last acted upon.", fmt="int64"),
        "conditions": conditions(),
        "phase": phase("Summary state of the %s." % what),
        "message": string("Details about the phase."),
    }


# ---------------------------------------------------------------------------
# Per-kind schemas
# ---------------------------------------------------------------------------

def cluster_schema():
    component_images = lambda d: obj(d, {  # noqa: E731
        "multigateway": image_ref("multigateway image."),
        "multiorch": image_ref("multiorch image."),
        "multipooler": image_ref("multipooler image."),
        "multiadmin": image_ref("multiadmin image."),
        "multiadminWeb": image_ref("multiadmin-web image."),
        "postgres": image_ref("postgres (pgctld) image."),
    })
    config_xor = [
        ("has(self.spec) || has(self.templateRef)", "must specify either 'spec' or 'templateRef'"),
        ("!(has(self.spec) && has(self.templateRef))", "cannot specify both 'spec' and 'templateRef'"),
    ]
    zone_rules = [
        ("!(has(self.zoneId) && has(self.region))", "cannot specify both 'zoneId' and 'region'"),
        ("has(self.zoneId) || has(self.region)", "at least one of 'zoneId' or 'region' must be specified"),
    ]
    external = lambda what: obj(  # noqa: E731
        "Expose the %s Service outside the cluster through external IPs." % what, {
            "enabled": boolean("Turn external exposure on."),
            "externalIPs": array("Addresses put in the Service's spec.externalIPs.",
                                 string(None, 3, 45, IP_ADDRESS), max_items=10),
            "annotations": string_map("Annotations for the Service; the multigres.com/ prefix is reserved.",
                                      max_props=20),
        }, required=["enabled"], rules=[
            ("!has(self.annotations) || self.annotations.all(k, !k.startsWith('multigres.com/'))",
             "annotations must not use multigres.com/ prefix (reserved for operator)"),
        ])

    shard_common = {
        "multiorch": multiorch("multiorch settings."),
        "initdbArgs": initdb_args("Extra arguments for initdb, used only when a data directory is created."),
        "postgresConfigRef": postgres_config_ref(),
        "postgresConfig": postgres_config(),
    }
    shard_overrides = obj("Changes applied on top of the shard template.", dict(
        copy.deepcopy(shard_common),
        pools=pools("Pools by name: an existing pool is patched field by field, a new name adds a pool.",
                    [POOLS_KEY_25, POOLS_APPEND_ONLY])))
    shard_inline = obj("Complete shard configuration, used instead of a template.", dict(
        copy.deepcopy(shard_common),
        pools=pools("Pools by name.", [POOLS_KEY_25, POOLS_APPEND_ONLY]),
        pvcDeletionPolicy=pvc_policy("Claim lifecycle for this shard's pools.")))

    shard = obj("One shard of a table group.", {
        "name": with_rules(shard_name("Shard name; must be 0-inf in v1alpha1."), [
            ("self == '0-inf'", "shardName must be strictly equal to '0-inf' in this version")]),
        "shardTemplate": template_ref("ShardTemplate to start from."),
        "overrides": shard_overrides,
        "spec": shard_inline,
        "backup": backup("Backup settings for this shard, merged over the table group's."),
    }, required=["name"], rules=[
        ("!(has(self.spec) && has(self.shardTemplate))", "cannot specify both 'spec' and 'shardTemplate'"),
        ("!(has(self.spec) && has(self.overrides))", "cannot specify both 'spec' and 'overrides'"),
    ])

    tablegroup = obj("A set of tables sharded together.", {
        "name": tablegroup_name("Table group name."),
        "default": boolean("Whether this is the database's default (unsharded) table group; it must "
                           "then be named default."),
        "shards": array("Shards of the table group.", shard, max_items=32, list_type="map", map_keys=["name"]),
        "backup": backup("Backup settings for this table group, merged over the database's."),
        "pvcDeletionPolicy": pvc_policy("Claim lifecycle for this table group's shards."),
    }, required=["name"], rules=[
        ("!has(self.default) || !self.default || self.name == 'default'",
         "the default tablegroup must be named 'default'"),
    ])

    database = obj("A logical database.", {
        "name": database_name("Database name."),
        "default": boolean("Whether this is the system default database."),
        "tablegroups": array("Table groups of the database; exactly one is the default.", tablegroup,
                             max_items=20, list_type="map", map_keys=["name"], rules=[
                                 ("self.filter(x, has(x.default) && x.default).size() == 1",
                                  "every database must have exactly one tablegroup marked as default")]),
        "backup": backup("Backup settings for this database, merged over the cluster's."),
        "durabilityPolicy": durability_policy("Durability policy for this database; overrides the cluster's."),
    }, required=["name"])

    cell = obj("One cell (failure domain, usually a zone).", {
        "name": cell_name("Cell name."),
        "zoneId": zone_id("Availability zone ID the cell's pods are pinned to (e.g. use1-az1)."),
        "region": region("Region the cell's pods are pinned to, instead of a zone."),
        "cellTemplate": template_ref("CellTemplate to start from."),
        "overrides": obj("Changes applied on top of the cell template.", {
            "multigateway": multigateway("multigateway settings."),
            "multigatewayPlacement": placement("Scheduling settings for the multigateway pods."),
        }),
        "spec": obj("Complete cell configuration, used instead of a template.", {
            "multigateway": multigateway("multigateway settings."),
            "multigatewayPlacement": placement("Scheduling settings for the multigateway pods."),
            "localTopoServer": local_topo("A topology server dedicated to this cell."),
        }),
    }, required=["name"], rules=[
        ("!(has(self.spec) && has(self.cellTemplate))", "cannot specify both 'spec' and 'cellTemplate'"),
        ("!(has(self.spec) && has(self.overrides))", "cannot specify both 'spec' and 'overrides'"),
    ] + zone_rules)

    spec = obj("Desired state of the cluster.", {
        "images": obj("Images of the Multigres components; unset ones come from the operator.", {
            "imagePullPolicy": pull_policy(),
            "imagePullSecrets": local_object_references("Secrets used to pull the images."),
            "multigateway": image_ref("multigateway image."),
            "multiorch": image_ref("multiorch image."),
            "multipooler": image_ref("multipooler image."),
            "multiadmin": image_ref("multiadmin image."),
            "multiadminWeb": image_ref("multiadmin-web image."),
            "postgres": image_ref("postgres (pgctld) image."),
        }),
        "imageUpdatePolicy": obj("How the cluster follows changes of the operator's default images.", {
            "strategy": string("immediate adopts a new default set at once; lazy waits for "
                               "acknowledgedRevision. Empty follows the operator's flag.",
                               enum=["immediate", "lazy"]),
            "acknowledgedRevision": string("Default-image revision the cluster may move to "
                                           "(see status.images.availableRevision).",
                                           max_len=64, pattern=r"^[0-9a-f]*$"),
        }, comment="Not in release v0.11.1; added on main."),
        "logLevels": log_levels("Log level per data-plane component."),
        "templateDefaults": obj("Templates used by components that name none.", {
            "coreTemplate": template_ref("Default CoreTemplate."),
            "cellTemplate": template_ref("Default CellTemplate."),
            "shardTemplate": template_ref("Default ShardTemplate."),
        }),
        "globalTopoServer": obj("The cluster-wide topology server: a managed etcd, an external "
                                "server or a CoreTemplate.", {
                                    "etcd": etcd("Managed etcd settings."),
                                    "external": external_topo("An existing topology server."),
                                    "templateRef": template_ref("CoreTemplate to take the etcd settings from."),
                                    "pvcDeletionPolicy": pvc_policy("Claim lifecycle for the topology volumes."),
                                    "placement": placement("Scheduling settings for the topology pods."),
                                }, rules=[
                                    ("[has(self.etcd), has(self.external), has(self.templateRef)]"
                                     ".filter(x, x).size() == 1",
                                     "must specify exactly one of 'etcd', 'external', or 'templateRef'"),
                                ]),
        "multiadmin": obj("multiadmin: inline settings or a CoreTemplate.", {
            "spec": stateless("Inline settings."),
            "templateRef": template_ref("CoreTemplate to take the settings from."),
            "placement": placement("Scheduling settings for the multiadmin pods (with either form)."),
        }, rules=config_xor),
        "multiadminWeb": obj("multiadmin-web: inline settings or a CoreTemplate.", {
            "spec": stateless("Inline settings."),
            "templateRef": template_ref("CoreTemplate to take the settings from."),
        }, rules=config_xor),
        "cells": array("Cells of the cluster; cells can be added but never removed or renamed.", cell,
                       max_items=50, list_type="map", map_keys=["name"], rules=[
                           ("oldSelf.all(c, c.name in self.map(x, x.name))",
                            "Cells cannot be removed or renamed (Append-Only)")]),
        "databases": array("Databases; v1alpha1 supports only the system database postgres.", database,
                           max_items=1, list_type="map", map_keys=["name"], rules=[
                               ("self.all(db, db.name == 'postgres' && db.default == true)",
                                "in v1alpha1, only the single system database named 'postgres' "
                                "(marked default: true) is supported")]),
        "pvcDeletionPolicy": with_desc(pvc_policy(default={"whenDeleted": "Delete", "whenScaled": "Delete"}),
                                       "Claim lifecycle for every stateful component of the cluster."),
        "observability": observability("OpenTelemetry settings for the data plane; unset inherits the "
                                        "operator's."),
        "backup": backup("Cluster-wide backup settings."),
        "externalGateway": external("global multigateway"),
        "externalAdminWeb": external("multiadmin-web"),
        "topologyPruning": topology_pruning("Removal of stale topology entries."),
        "durabilityPolicy": durability_policy("Default durability policy: AT_LEAST_2 or "
                                              "MULTI_CELL_AT_LEAST_2; AT_LEAST_2 when empty."),
        "postgresSuperuser": string("Name of the PostgreSQL superuser role.", max_len=63, default="postgres"),
        "postgresPasswordSecretRef": password_ref("Secret key holding the superuser password."),
        "internalTLS": internal_tls("Mutual TLS between internal components."),
        "certCommonName": string("DNS name for the public TLS certificate multigateway serves "
                                 "(issued through cert-manager); empty means no TLS."),
    }, required=["postgresPasswordSecretRef"])
    # Release v0.11.1 defaulted whenDeleted to Retain at this level.
    spec["properties"]["pvcDeletionPolicy"][COMMENT] = [
        "Object default Delete/Delete as on main (since 2026-08-04); release v0.11.1",
        "defaulted this object to whenDeleted: Retain, whenScaled: Delete.",
    ]

    status = obj("Observed state of the cluster.", dict(
        common_status_props("cluster"),
        cells=string_map("Per cell: readiness and gateway count.", max_props=50, values=obj(None, {
            "ready": boolean("Whether the cell is ready."),
            "gatewayReplicas": integer("Gateway pods in the cell."),
        }, required=["ready", "gatewayReplicas"])),
        gateway=obj("External gateway endpoint; absent when not enabled.", {
            "externalEndpoint": string("Host or IP clients use; empty until provisioned."),
        }, required=["externalEndpoint"]),
        adminWeb=obj("External multiadmin-web endpoint; absent when not enabled.", {
            "externalEndpoint": string("Host or IP clients use; empty until provisioned."),
        }, required=["externalEndpoint"]),
        databases=string_map("Per database: shard readiness.", max_props=50, values=obj(None, {
            "readyShards": integer("Healthy shards."),
            "totalShards": integer("Declared shards."),
        }, required=["readyShards", "totalShards"])),
        resolvedTemplates=obj("Templates used by the last successful reconciliation.", {
            "coreTemplates": array("CoreTemplate names.", template_ref(None)),
            "cellTemplates": array("CellTemplate names.", template_ref(None)),
            "shardTemplates": array("ShardTemplate names.", template_ref(None)),
        }),
        images=obj("Images in use and the state of default-image rollouts.", {
            "updateStrategy": string("Update strategy in effect (immediate or lazy)."),
            "effective": component_images("Image of every component as handed to child resources."),
            "source": string("Whether effective images are explicit, defaults or mixed.",
                             enum=["explicit", "defaults", "mixed"]),
            "applied": component_images("Default images adopted for components not pinned in spec."),
            "appliedRevision": string("Revision of the applied default set."),
            "available": component_images("The operator's current default image set."),
            "availableRevision": string("Revision of the available default set."),
        }, required=["effective", "source"], comment="Not in release v0.11.1; added on main."),
    ))
    return spec, status, [("self.metadata.name.size() <= 25", "MultigresCluster name must be at most 25 characters")]


def cell_schema():
    spec = obj("Resolved configuration of one cell (written by the operator).", {
        "name": cell_name("Cell name."),
        "zoneId": zone_id("Availability zone ID the cell's pods are pinned to."),
        "region": region("Region the cell's pods are pinned to."),
        "images": obj("Images used in the cell.", {
            "imagePullPolicy": pull_policy(),
            "imagePullSecrets": local_object_references("Secrets used to pull the images."),
            "multigateway": image_ref("multigateway image."),
        }, required=["multigateway"]),
        "multigateway": multigateway("Resolved multigateway settings."),
        "multigatewayPlacement": placement("Scheduling settings for the multigateway pods."),
        "globalTopoServer": global_topo_ref("Where the global topology server is."),
        "topoServer": local_topo("The cell's own topology server, if any."),
        "allCells": array("Every cell of the cluster, for discovery.", cell_name(None),
                          max_items=50, list_type="set"),
        "topologyReconciliation": obj("What the cell controller maintains in the topology.", {
            "registerCell": boolean("Register the cell in the global topology."),
            "prunePoolers": boolean("Mark pooler entries whose pod is gone as shut down."),
        }, required=["registerCell", "prunePoolers"]),
        "observability": observability("OpenTelemetry settings inherited from the cluster."),
        "logLevels": log_levels("Log levels inherited from the cluster."),
        "internalTLS": internal_tls("Internal mutual TLS, inherited from the cluster."),
        "certCommonName": string("DNS name of the public TLS certificate, inherited from the cluster."),
    }, required=["name", "images", "multigateway", "globalTopoServer"], rules=[
        ("!(has(self.zoneId) && has(self.region))", "cannot specify both 'zoneId' and 'region'"),
        ("has(self.zoneId) || has(self.region)", "at least one of 'zoneId' or 'region' must be specified"),
    ])
    status = obj("Observed state of the cell.", dict(
        common_status_props("cell"),
        gatewayReplicas=integer("multigateway pods."),
        gatewayReadyReplicas=integer("Ready multigateway pods."),
        gatewayServiceName=string("Name of the cell's multigateway Service.", max_len=253),
    ), required=["gatewayReplicas", "gatewayReadyReplicas"])
    return spec, status, None


def shard_resolved_common():
    return {
        "multiorch": multiorch("Resolved multiorch settings."),
        "initdbArgs": initdb_args("Extra arguments for initdb."),
        "postgresConfigRef": postgres_config_ref(),
        "postgresConfig": postgres_config(),
        "pools": pools("Resolved pools by name.", [POOLS_KEY_63]),
    }


def inherited(extra_backup_desc):
    return {
        "pvcDeletionPolicy": pvc_policy("Claim lifecycle inherited from the cluster."),
        "internalTLS": internal_tls("Internal mutual TLS, inherited from the cluster."),
        "observability": observability("OpenTelemetry settings inherited from the cluster."),
        "logLevels": log_levels("Log levels inherited from the cluster."),
        "backup": backup(extra_backup_desc),
    }


def tablegroup_schema():
    shard = obj("Resolved configuration of one shard.", dict(
        name=string("Shard name.", max_len=63),
        **shard_resolved_common(),
        pvcDeletionPolicy=pvc_policy("Claim lifecycle for this shard's pools."),
        backup=backup("Resolved backup settings of the shard."),
    ), required=["name", "multiorch", "pools"])
    props = {
        "databaseName": database_name("Database the table group belongs to."),
        "tableGroupName": tablegroup_name("Table group name."),
        "default": boolean("Whether this is the database's default table group."),
        "images": shard_images("Images used by the shards."),
        "globalTopoServer": global_topo_ref("Where the global topology server is."),
        "shards": array("Resolved shards.", shard, max_items=32, list_type="map", map_keys=["name"]),
    }
    props.update(inherited("Backup settings resolved from cluster, database and table group."))
    props.update({
        "cellTopologyLabels": cell_topology_labels(),
        "topologyPruning": topology_pruning("Removal of stale topology entries, inherited from the cluster."),
        "durabilityPolicy": durability_policy("Resolved durability policy of the database."),
        "postgresSuperuser": string("Name of the PostgreSQL superuser role.", max_len=63),
        "postgresPasswordSecretRef": password_ref("Secret key holding the superuser password."),
    })
    spec = obj("Resolved configuration of a table group (written by the operator).", props, required=[
        "databaseName", "tableGroupName", "images", "globalTopoServer", "shards", "postgresPasswordSecretRef"])
    status = obj("Observed state of the table group.", dict(
        common_status_props("table group"),
        readyShards=integer("Shards that are Healthy at their current generation."),
        totalShards=integer("Shards declared in spec."),
    ), required=["readyShards", "totalShards"])
    return spec, status, None


def shard_schema():
    props = {
        "databaseName": database_name("Database the shard belongs to."),
        "tableGroupName": tablegroup_name("Table group the shard belongs to."),
        "shardName": shard_name("Shard name."),
        "images": shard_images("Images used by the shard."),
        "globalTopoServer": global_topo_ref("Where the global topology server is."),
    }
    props.update(shard_resolved_common())
    props.update(inherited("Resolved backup settings of the shard."))
    props.update({
        "topologyPruning": topology_pruning("Removal of stale topology entries, inherited from the cluster."),
        "durabilityPolicy": durability_policy("Resolved durability policy of the database."),
        "postgresSuperuser": string("Name of the PostgreSQL superuser role.", max_len=63),
        "postgresPasswordSecretRef": password_ref("Secret key holding the superuser password."),
        "cellTopologyLabels": cell_topology_labels(),
        "replicas": integer("Total pool pods wanted (sum over pools of replicasPerCell times cells); "
                            "backs the scale subresource."),
    })
    spec = obj("Resolved configuration of a shard (written by the operator).", props, required=[
        "databaseName", "tableGroupName", "shardName", "images", "globalTopoServer", "multiorch", "pools",
        "postgresPasswordSecretRef"])
    st = common_status_props("shard")
    status = obj("Observed state of the shard.", {
        "observedGeneration": st["observedGeneration"],
        "postgresConfig": obj("Rollout state of the rendered postgresql.conf.", {
            "inProgress": boolean("A configuration change has not reached every pool pod yet."),
            "lastAppliedAt": string("When the configuration last settled on every pod.", fmt="date-time"),
            "error": string("Why the configuration could not be rendered or read, if it could not."),
        }, comment="Not in release v0.11.1; added on main."),
        "conditions": st["conditions"],
        "phase": st["phase"],
        "message": st["message"],
        "cells": array("Cells the shard currently runs in.", cell_name(None), max_items=50, list_type="set"),
        "orchReady": boolean("Every multiorch Deployment is fully ready."),
        "poolsReady": boolean("Every pool pod is ready."),
        "lastBackupTime": string("Completion time of the newest finished backup.", fmt="date-time"),
        "lastBackupType": string("Kind of that backup.", enum=["full", "diff", "incr"]),
        "podRoles": string_map("Role of each pool pod, by pod name (PRIMARY, REPLICA, ...)."),
        "readyReplicas": integer("Ready pool pods; backs the scale subresource."),
    }, required=["orchReady", "poolsReady"])
    return spec, status, None


def toposerver_schema():
    spec = topo_server_spec("Desired state of a managed etcd (written by the operator).")
    status = obj("Observed state of the topology server.", dict(
        common_status_props("topology server"),
        clientService=string("Service clients connect to."),
        peerService=string("Headless Service the members use to find each other."),
    ))
    return spec, status, None


def coretemplate_schema():
    spec = obj("Reusable settings for the cluster-wide components.", {
        "globalTopoServer": topo_server_spec("Managed etcd for the global topology."),
        "multiadmin": stateless("multiadmin settings."),
        "multiadminPlacement": placement("Scheduling settings for the multiadmin pods."),
        "multiadminWeb": stateless("multiadmin-web settings."),
    })
    return spec, None, None


def celltemplate_schema():
    spec = obj("Reusable settings for cells.", {
        "multigateway": multigateway("multigateway settings."),
        "multigatewayPlacement": placement("Scheduling settings for the multigateway pods."),
        "localTopoServer": local_topo("A topology server dedicated to each cell using the template."),
    })
    return spec, None, None


def shardtemplate_schema():
    spec = obj("Reusable settings for shards.", {
        "multiorch": multiorch("multiorch settings."),
        "initdbArgs": initdb_args("Extra arguments for initdb, used only when a data directory is created."),
        "postgresConfigRef": postgres_config_ref(),
        "postgresConfig": postgres_config(),
        "pools": pools("Pools by name.", [POOLS_KEY_63, POOLS_APPEND_ONLY]),
        "pvcDeletionPolicy": pvc_policy("Claim lifecycle for pools of shards using the template."),
    })
    return spec, None, None


# ---------------------------------------------------------------------------
# CRD assembly
# ---------------------------------------------------------------------------

AVAILABLE = ".status.conditions[?(@.type=='Available')].status"


def col(name, typ, path, priority=None, desc=None):
    c = {"name": name, "type": typ, "jsonPath": path}
    if desc:
        c["description"] = desc
    if priority is not None:
        c["priority"] = priority
    return c


KINDS = [
    # kind, plural, short, description, schema fn, printer columns, scale, header notes
    ("MultigresCluster", "multigresclusters", "mgc",
     "A Multigres cluster: cells, topology, databases and their shards. The object users edit.",
     cluster_schema, [
         col("Available", "string", AVAILABLE),
         col("Age", "date", ".metadata.creationTimestamp"),
         col("Phase", "string", ".status.phase"),
         col("Images", "string", ".status.images.appliedRevision", priority=1),
     ], False, [
         "Differences from release v0.11.1 (this file follows main @ 39a7efcd):",
         "  - spec.pvcDeletionPolicy object default is Delete/Delete (v0.11.1: Retain/Delete);",
         "  - new on main: spec.imageUpdatePolicy, status.images and the Images column,",
         "    spec.internalTLS, backup encryption (and its immutability rule), the",
         "    multigateway buffer block, runAsUser/runAsGroup on pool containers,",
         "    postgresConfig maps, multiadmin/topology placement.",
     ]),
    ("Cell", "cells", "cel",
     "One failure domain of a MultigresCluster; created and owned by the operator.",
     cell_schema, [
         col("Gateway", "integer", ".status.gatewayReadyReplicas"),
         col("Ready", "string", AVAILABLE),
         col("Phase", "string", ".status.phase"),
     ], False, [
         "Differences from release v0.11.1: spec.internalTLS and spec.multigateway.buffer",
         "are new on main.",
     ]),
    ("TableGroup", "tablegroups", "tbg",
     "A table group of a MultigresCluster database, with its resolved shards; created by the operator.",
     tablegroup_schema, [
         col("Shards", "integer", ".status.readyShards"),
         col("Phase", "string", ".status.phase"),
     ], False, [
         "Differences from release v0.11.1: spec.internalTLS, backup encryption,",
         "postgresConfig and runAsUser/runAsGroup are new on main.",
     ]),
    ("Shard", "shards", "srd",
     "One shard of a table group: its multiorch and PostgreSQL pools; created by the operator.",
     shard_schema, [
         col("Ready", "string", AVAILABLE),
         col("Phase", "string", ".status.phase"),
     ], True, [
         "Differences from release v0.11.1: spec.internalTLS, spec.postgresConfig, backup",
         "encryption, runAsUser/runAsGroup and status.postgresConfig are new on main.",
     ]),
    ("TopoServer", "toposervers", "tps",
     "A managed etcd holding Multigres topology, global or per cell; created by the operator.",
     toposerver_schema, [
         # Upstream's column reads the Available condition, but the TopoServer
         # controller only ever sets Ready, so the column is always empty there.
         col("Ready", "string", AVAILABLE),
         col("Phase", "string", ".status.phase"),
     ], False, [
         "Differences from release v0.11.1: spec.placement is new on main.",
         "The Ready column reads the Available condition, as upstream's does, although",
         "TopoServers only carry a Ready condition: the column stays empty, as upstream.",
     ]),
    ("CoreTemplate", "coretemplates", "cot",
     "Reusable settings for the global topology server, multiadmin and multiadmin-web.",
     coretemplate_schema, [], False, [
         "Differences from release v0.11.1: multiadminPlacement and",
         "globalTopoServer.placement are new on main.",
     ]),
    ("CellTemplate", "celltemplates", "cet",
     "Reusable settings for cells: multigateway and an optional local topology server.",
     celltemplate_schema, [], False, [
         "Differences from release v0.11.1: multigateway.buffer is new on main.",
     ]),
    ("ShardTemplate", "shardtemplates", "sht",
     "Reusable settings for shards: multiorch, pools and PostgreSQL configuration.",
     shardtemplate_schema, [], False, [
         "Differences from release v0.11.1: postgresConfig and runAsUser/runAsGroup on",
         "pool containers are new on main.",
     ]),
]


def crd(kind, plural, short, desc, schema_fn, columns, scale, notes):
    spec, status, root_rules = schema_fn()
    props = {
        "apiVersion": string("Versioned schema of this object (multigres.com/v1alpha1)."),
        "kind": string("REST resource kind of this object."),
        "metadata": {"type": "object"},
        "spec": spec,
    }
    if status is not None:
        props["status"] = status
    root = {"description": desc, "type": "object", "properties": props}
    if root_rules:
        root["x-kubernetes-validations"] = [{"rule": r, "message": m} for r, m in root_rules]
    version = {
        "name": VERSION,
        "served": True,
        "storage": True,
    }
    if columns:
        version["additionalPrinterColumns"] = columns
    version["schema"] = {"openAPIV3Schema": root}
    if status is not None:
        sub = {"status": {}}
        if scale:
            sub["scale"] = {"specReplicasPath": ".spec.replicas", "statusReplicasPath": ".status.readyReplicas"}
        version["subresources"] = sub
    doc = {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {
            "name": "%s.%s" % (plural, GROUP),
            "labels": {"app.kubernetes.io/part-of": "kubectl-multigres"},
        },
        "spec": {
            "group": GROUP,
            "names": {
                "kind": kind,
                "listKind": kind + "List",
                "plural": plural,
                "singular": kind.lower(),
                "shortNames": [short],
            },
            "scope": "Namespaced",
            "versions": [version],
        },
    }
    header = [
        "%s.%s: CustomResourceDefinition for %s." % (plural, GROUP, kind),
        "Generated by deploy/gen-crds.py - edit that script and run it again.",
        "Compatible with github.com/multigres/multigres-operator (main @ 39a7efcd).",
    ] + notes
    return header, doc


# ---------------------------------------------------------------------------
# YAML emitter (block style, comments, stable key order)
# ---------------------------------------------------------------------------

PLAIN = re.compile(r"^[A-Za-z_/][A-Za-z0-9_./ ,;()'-]*$")
RESERVED = {"true", "false", "yes", "no", "on", "off", "null", "y", "n", "~"}


def scalar(v):
    if v is True:
        return "true"
    if v is False:
        return "false"
    if v is None:
        return "null"
    if isinstance(v, int):
        return str(v)
    s = str(v)
    if PLAIN.match(s) and s.lower() not in RESERVED and not s.endswith(" ") and ": " not in s \
            and " #" not in s and not s.endswith(":"):
        return s
    if "'" not in s and "\\" not in s and all(c.isprintable() for c in s):
        return "'" + s + "'"
    return json.dumps(s, ensure_ascii=False)


def key(k):
    return scalar(k)


def emit(v, indent, out, width=100):
    pad = "  " * indent
    if isinstance(v, dict):
        if not any(k != COMMENT for k in v):
            return  # caller writes "{}"
        for line in v.get(COMMENT, []):
            out.append(pad + "# " + line)
        for k, x in v.items():
            if k == COMMENT:
                continue
            write_entry(pad + key(k) + ":", x, indent, out, width)
    elif isinstance(v, list):
        for x in v:
            if isinstance(x, dict) and any(k != COMMENT for k in x):
                sub = []
                emit(x, indent + 1, sub, width)
                # turn the first line of the nested mapping into a "- " item
                first = next(i for i, line in enumerate(sub) if not line.lstrip().startswith("#"))
                for i, line in enumerate(sub):
                    if i < first:
                        out.append(line)
                    elif i == first:
                        out.append(pad + "- " + line[len(pad) + 2:])
                    else:
                        out.append(line)
            elif isinstance(x, (dict, list)):
                out.append(pad + "- " + ("{}" if isinstance(x, dict) else "[]"))
            else:
                out.append(pad + "- " + scalar(x))


def write_entry(prefix, x, indent, out, width):
    pad = "  " * indent
    if isinstance(x, dict):
        if any(k != COMMENT for k in x):
            out.append(prefix)
            emit(x, indent + 1, out, width)
        else:
            out.append(prefix + " {}")
    elif isinstance(x, list):
        if x:
            out.append(prefix)
            emit(x, indent, out, width)  # sequences are not indented under their key
        else:
            out.append(prefix + " []")
    elif isinstance(x, str) and prefix.endswith("description:") and len(pad) + len(x) + 14 > width \
            and "\n" not in x and x == x.strip() and "  " not in x:
        out.append(prefix + " >-")
        for line in textwrap.wrap(x, width=max(40, width - len(pad) - 2), break_long_words=False,
                                  break_on_hyphens=False):
            out.append(pad + "  " + line)
    else:
        out.append(prefix + " " + scalar(x))


def render(header, doc):
    out = ["# " + h if h else "#" for h in header]
    out.append("---")
    emit(doc, 0, out)
    return "\n".join(out) + "\n"


def strip_comments(v):
    if isinstance(v, dict):
        return {k: strip_comments(x) for k, x in v.items() if k != COMMENT}
    if isinstance(v, list):
        return [strip_comments(x) for x in v]
    return v


# ---------------------------------------------------------------------------
# C tables: shared/schema_gen.{h,c}
# ---------------------------------------------------------------------------
#
# The same openAPIV3Schema the YAML files carry, as compact static tables for
# the offline validator in shared/schema.c: one node per distinct schema
# (identical sub-schemas, such as the many copies of corev1.Affinity, share a
# node), property lists in schema order, and each CEL rule by an identifier
# that shared/schema.c implements in C with the rule's message.

SHARED = os.path.normpath(os.path.join(HERE, "..", "shared"))
C_HEADER = "schema_gen.h"
C_SOURCE = "schema_gen.c"

# Every CEL rule of the CRDs, by the identifier shared/schema.c evaluates it
# under. A rule missing here stops the generator: write its C first.
CEL_RULES = [
    ("CLUSTER_NAME_MAX_25", "self.metadata.name.size() <= 25"),
    ("CELLS_APPEND_ONLY", "oldSelf.all(c, c.name in self.map(x, x.name))"),
    ("DATABASES_ONLY_POSTGRES", "self.all(db, db.name == 'postgres' && db.default == true)"),
    ("TABLEGROUPS_ONE_DEFAULT", "self.filter(x, has(x.default) && x.default).size() == 1"),
    ("DEFAULT_TABLEGROUP_NAME", "!has(self.default) || !self.default || self.name == 'default'"),
    ("SHARD_NAME_0_INF", "self == '0-inf'"),
    ("NOT_SPEC_AND_SHARD_TEMPLATE", "!(has(self.spec) && has(self.shardTemplate))"),
    ("NOT_SPEC_AND_OVERRIDES", "!(has(self.spec) && has(self.overrides))"),
    ("NOT_SPEC_AND_CELL_TEMPLATE", "!(has(self.spec) && has(self.cellTemplate))"),
    ("NOT_ZONE_AND_REGION", "!(has(self.zoneId) && has(self.region))"),
    ("ZONE_OR_REGION", "has(self.zoneId) || has(self.region)"),
    ("POOL_NAMES_MAX_25", "self.all(key, size(key) <= 25)"),
    ("POOL_NAMES_UNDER_63", "self.all(key, size(key) < 63)"),
    ("POOLS_APPEND_ONLY", "oldSelf.all(k, k in self)"),
    ("POOL_CELLS_APPEND_ONLY", "oldSelf.all(c, c in self)"),
    ("BACKUP_S3_NEEDS_CONFIG", "self.type != 's3' || has(self.s3)"),
    ("BACKUP_FILESYSTEM_NEEDS_CONFIG", "self.type != 'filesystem' || has(self.filesystem)"),
    ("BACKUP_ENCRYPTION_IMMUTABLE",
     "has(self.encryption) == has(oldSelf.encryption) && "
     "(!has(self.encryption) || self.encryption == oldSelf.encryption)"),
    ("S3_NOT_IRSA_AND_SECRET",
     "!(has(self.serviceAccountName) && size(self.serviceAccountName) > 0 && "
     "has(self.credentialsSecret) && size(self.credentialsSecret) > 0)"),
    ("S3_NOT_IRSA_AND_ENV",
     "!(has(self.serviceAccountName) && size(self.serviceAccountName) > 0 && "
     "has(self.useEnvCredentials) && self.useEnvCredentials)"),
    ("GLOBAL_TOPO_EXACTLY_ONE",
     "[has(self.etcd), has(self.external), has(self.templateRef)].filter(x, x).size() == 1"),
    ("SPEC_OR_TEMPLATE_REF", "has(self.spec) || has(self.templateRef)"),
    ("NOT_SPEC_AND_TEMPLATE_REF", "!(has(self.spec) && has(self.templateRef))"),
    ("ETCD_OR_EXTERNAL", "has(self.etcd) || has(self.external)"),
    ("NOT_ETCD_AND_EXTERNAL", "!(has(self.etcd) && has(self.external))"),
    ("ETCD_REQUIRED", "has(self.etcd)"),
    ("ETCD_REPLICAS_ODD", "self % 2 == 1"),
    ("ENDPOINTS_ARE_URLS", "self.all(x, x.matches('^https?://'))"),
    ("NO_RESERVED_ANNOTATIONS",
     "!has(self.annotations) || self.annotations.all(k, !k.startsWith('multigres.com/'))"),
    ("POD_ANNOTATIONS_SIZE", "self.all(k, size(k) < 64 && size(self[k]) < 256)"),
    ("POD_LABELS_SIZE", "self.all(k, size(k) < 64 && size(self[k]) < 64)"),
]

C_TYPES = {"object": "MG_SCHEMA_OBJECT", "array": "MG_SCHEMA_ARRAY", "string": "MG_SCHEMA_STRING",
           "integer": "MG_SCHEMA_INTEGER", "number": "MG_SCHEMA_NUMBER", "boolean": "MG_SCHEMA_BOOLEAN"}
C_FORMATS = {"int32": "MG_SCHEMA_FMT_INT32", "int64": "MG_SCHEMA_FMT_INT64",
             "date-time": "MG_SCHEMA_FMT_DATE_TIME"}
C_LISTS = {"atomic": "MG_SCHEMA_LIST_ATOMIC", "set": "MG_SCHEMA_LIST_SET", "map": "MG_SCHEMA_LIST_MAP"}
SCHEMA_KEYS = {"description", "type", "properties", "required", "items", "additionalProperties", "enum",
               "minLength", "maxLength", "pattern", "minimum", "maximum", "minItems", "maxItems",
               "maxProperties", "format", "default", "anyOf", "x-kubernetes-int-or-string",
               "x-kubernetes-list-type", "x-kubernetes-list-map-keys", "x-kubernetes-map-type",
               "x-kubernetes-validations", "x-kubernetes-preserve-unknown-fields",
               "x-kubernetes-embedded-resource"}


def posix_pattern(p):
    """A Go (RE2) pattern as a POSIX extended regular expression that means the
    same whatever the locale: bracket ranges spelled out, escaped punctuation
    as one-character brackets, and "." not matching a newline (as in Go)."""
    out = []
    i = 0
    while i < len(p):
        c = p[i]
        if c == "\\":
            nxt = p[i + 1]
            if nxt.isalnum():
                sys.exit("gen-crds: pattern %r: escape \\%s has no POSIX spelling" % (p, nxt))
            out.append("\\^" if nxt == "^" else "[%s]" % nxt)
            i += 2
        elif c == ".":
            out.append("[^\n]")
            i += 1
        elif c == "[":
            j = i + 1
            neg = p[j] == "^"
            if neg:
                j += 1
            chars = []
            while p[j] != "]":
                if p[j] == "\\":
                    sys.exit("gen-crds: pattern %r: escapes inside brackets are not translated" % p)
                if j + 2 < len(p) and p[j + 1] == "-" and p[j + 2] != "]":
                    chars.extend(chr(x) for x in range(ord(p[j]), ord(p[j + 2]) + 1))
                    j += 3
                else:
                    chars.append(p[j])
                    j += 1
            body = "".join(x for x in dict.fromkeys(chars) if x not in "]^-")
            if "]" in chars:
                body = "]" + body
            if "^" in chars:
                body += "^"
            if "-" in chars:
                body += "-"
            out.append("[" + ("^" if neg else "") + body + "]")
            i = j + 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def c_string(s):
    out = ['"']
    for b in s.encode("utf-8"):
        c = chr(b)
        if c == '"' or c == "\\":
            out.append("\\" + c)
        elif c == "\n":
            out.append("\\n")
        elif c == "?" and out[-1].endswith("?"):
            out.append("\\?")  # no "??" trigraphs
        elif 0x20 <= b < 0x7f:
            out.append(c)
        else:
            out.append("\\%03o" % b)
    out.append('"')
    return "".join(out)


class CTables:
    def __init__(self):
        self.nodes = [None]  # index 0: no node
        self.node_ids = {}
        self.props, self.prop_ids = [], {}
        self.strings, self.string_ids = [], {}
        self.patterns = [None]
        self.rule_refs, self.rule_ref_ids = [], {}
        self.rule_ids = {rule: i for i, (_, rule) in enumerate(CEL_RULES)}
        self.messages = {}

    def seq(self, pool, ids, items):
        items = tuple(items)
        if not items:
            return 0
        if items not in ids:
            ids[items] = len(pool)
            pool.extend(items)
        return ids[items]

    def pattern(self, p):
        if p is None:
            return 0
        if p not in self.patterns:
            self.patterns.append(p)
        return self.patterns.index(p)

    def node(self, s, path, meta=False):
        unknown = set(s) - SCHEMA_KEYS
        if unknown:
            sys.exit("gen-crds: %s: schema keywords without a C table column: %s" % (path, sorted(unknown)))
        flags = []
        if "anyOf" in s:
            if not s.get("x-kubernetes-int-or-string"):
                sys.exit("gen-crds: %s: anyOf is only supported for int-or-string" % path)
            typ = "MG_SCHEMA_INT_OR_STRING"
        else:
            typ = C_TYPES[s["type"]]
        if meta:
            flags.append("MG_SCHEMA_OBJECT_META")
        if s.get("x-kubernetes-preserve-unknown-fields"):
            flags.append("MG_SCHEMA_PRESERVE_UNKNOWN")
        if s.get("x-kubernetes-embedded-resource"):
            flags.append("MG_SCHEMA_EMBEDDED_RESOURCE")
        if s.get("x-kubernetes-map-type") == "atomic":
            flags.append("MG_SCHEMA_MAP_ATOMIC")
        limits = {}
        for key, col, flag in (("minLength", "min_length", "MG_SCHEMA_HAS_MIN_LENGTH"),
                               ("maxLength", "max_length", "MG_SCHEMA_HAS_MAX_LENGTH"),
                               ("minItems", "min_items", "MG_SCHEMA_HAS_MIN_ITEMS"),
                               ("maxItems", "max_items", "MG_SCHEMA_HAS_MAX_ITEMS"),
                               ("maxProperties", "max_properties", "MG_SCHEMA_HAS_MAX_PROPERTIES"),
                               ("minimum", "minimum", "MG_SCHEMA_HAS_MINIMUM"),
                               ("maximum", "maximum", "MG_SCHEMA_HAS_MAXIMUM")):
            if key in s:
                limits[col] = s[key]
                flags.append(flag)
        props = []
        for name, sub in s.get("properties", {}).items():
            props.append((name, self.node(sub, path + "." + name,
                                          meta=(path == "" and name == "metadata"))))
        items = 0
        if "items" in s:
            items = self.node(s["items"], path + "[]")
        elif isinstance(s.get("additionalProperties"), dict):
            items = self.node(s["additionalProperties"], path + ".*")
        rules = []
        for r in s.get("x-kubernetes-validations", []):
            if r["rule"] not in self.rule_ids:
                sys.exit("gen-crds: %s: CEL rule without a C implementation: %s" % (path, r["rule"]))
            old = self.messages.setdefault(r["rule"], r["message"])
            if old != r["message"]:
                sys.exit("gen-crds: rule %r has two messages" % r["rule"])
            rules.append(self.rule_ids[r["rule"]])
        key = (
            typ, C_FORMATS.get(s.get("format"), None) if "format" in s else None,
            C_LISTS[s["x-kubernetes-list-type"]] if "x-kubernetes-list-type" in s else None,
            self.pattern(s.get("pattern")), tuple(flags), items,
            self.seq(self.props, self.prop_ids, props), len(props),
            self.seq(self.strings, self.string_ids, s.get("required", [])), len(s.get("required", [])),
            self.seq(self.strings, self.string_ids, s.get("enum", [])), len(s.get("enum", [])),
            self.seq(self.strings, self.string_ids, s.get("x-kubernetes-list-map-keys", [])),
            len(s.get("x-kubernetes-list-map-keys", [])),
            self.seq(self.rule_refs, self.rule_ref_ids, rules), len(rules),
            tuple(sorted(limits.items())),
            json.dumps(s["default"], separators=(",", ":")) if "default" in s else None,
        )
        if "format" in s and s["format"] not in C_FORMATS:
            sys.exit("gen-crds: %s: format %r has no C table value" % (path, s["format"]))
        if key not in self.node_ids:
            self.node_ids[key] = len(self.nodes)
            self.nodes.append(key)
        return self.node_ids[key]

    def node_c(self, key):
        (typ, fmt, lst, pat, flags, items, props, nprops, req, nreq, enums, nenums,
         mkeys, nmkeys, rules, nrules, limits, dflt) = key
        f = [".type = " + typ]
        if fmt:
            f.append(".format = " + fmt)
        if lst:
            f.append(".list_type = " + lst)
        if flags:
            f.append(".flags = " + " | ".join(flags))
        if pat:
            f.append(".pattern = %d" % pat)
        if items:
            f.append(".items = %d" % items)
        for col, start, n in (("props", props, nprops), ("required", req, nreq), ("enums", enums, nenums),
                              ("map_keys", mkeys, nmkeys), ("rules", rules, nrules)):
            if n:
                f.append(".%s = %d, .n%s = %d" % (col, start, col, n))
        for col, v in limits:
            f.append(".%s = %d" % (col, v))
        if dflt is not None:
            f.append(".default_json = " + c_string(dflt))
        return "{ " + ", ".join(f) + " }"


def c_files(kinds):
    """(header, source) texts of shared/schema_gen.{h,c} for the CRDs."""
    t = CTables()
    infos = []
    for entry, doc in kinds:
        kind, plural, short = entry[0], entry[1], entry[2]
        version = doc["spec"]["versions"][0]
        root = t.node(strip_comments(version["schema"]["openAPIV3Schema"]), "")
        sub = version.get("subresources", {})
        cols = version.get("additionalPrinterColumns", [])
        infos.append((kind, plural, short, root, "status" in sub, "scale" in sub, cols))
    missing = [r for _, r in CEL_RULES if r not in t.messages]
    if missing:
        sys.exit("gen-crds: CEL_RULES lists rules no schema uses: %s" % missing)
    note = ["/*",
            " * %s - GENERATED by deploy/gen-crds.py: do not edit.",
            " * Change the script and run it again; `gen-crds.py --check` fails",
            " * while this file is stale.",
            " */"]
    h = [x.replace("%s", C_HEADER) for x in note] + [
        "#ifndef MG_SCHEMA_GEN_H",
        "#define MG_SCHEMA_GEN_H",
        "",
        "#define MG_SCHEMA_GROUP %s" % c_string(GROUP),
        "#define MG_SCHEMA_VERSION %s" % c_string(VERSION),
        "#define MG_SCHEMA_API_VERSION %s" % c_string(GROUP + "/" + VERSION),
        "",
        "/* The kinds of %s/%s, in the order of mg_kind_infos[]. */" % (GROUP, VERSION),
        "enum mg_kind {",
    ] + ["\tMG_KIND_%s," % k.upper() for k, *_ in infos] + [
        "\tMG_KIND_COUNT",
        "};",
        "",
        "/* The CEL rules (x-kubernetes-validations), in the order of mg_schema_rules[]. */",
        "enum mg_schema_rule {",
    ] + ["\tMG_RULE_%s," % name for name, _ in CEL_RULES] + [
        "\tMG_RULE_COUNT",
        "};",
        "",
        "#define MG_SCHEMA_NNODES %d" % len(t.nodes),
        "#define MG_SCHEMA_NPATTERNS %d" % len(t.patterns),
        "",
        "#endif /* MG_SCHEMA_GEN_H */",
    ]
    c = [x.replace("%s", C_SOURCE) for x in note] + [
        '#include "compat.h"',
        "",
        '#include "schema.h"',
        "",
        "/* additionalPrinterColumns, per kind in order; priority 1: only with -o wide. */",
    ]
    for kind, plural, short, root, status, scale, cols in infos:
        if not cols:
            continue
        c.append("static const struct mg_kind_column %s_columns[] = {" % kind.lower())
        for col in cols:
            c.append("\t{ %s, %s, %s, %d }," % (c_string(col["name"]), c_string(col["type"]),
                                               c_string(col["jsonPath"]), col.get("priority", 0)))
        c.append("};")
    c += ["", "const struct mg_kind_info mg_kind_infos[MG_KIND_COUNT] = {"]
    for kind, plural, short, root, status, scale, cols in infos:
        c.append("\t{ MG_KIND_%s, %s, %s, %s, %s, %s, %s, %d, %s, %s,\n\t  %s, %d }," % (
            kind.upper(), c_string(kind), c_string(kind + "List"), c_string(plural),
            c_string(kind.lower()), c_string(short), "true", root,
            "true" if status else "false", "true" if scale else "false",
            "%s_columns" % kind.lower() if cols else "NULL", len(cols)))
    c += ["};", "", "const struct mg_schema_rule_info mg_schema_rules[MG_RULE_COUNT] = {"]
    for name, rule in CEL_RULES:
        c.append("\t{ %s,\n\t  %s,\n\t  %s }," % (
            c_string(rule), c_string(t.messages[rule]), "true" if "oldSelf" in rule else "false"))
    c += ["};", "", "/* Each pattern as written in the CRD (Go RE2) and as a POSIX ERE (see posix_pattern). */",
          "const struct mg_schema_pattern mg_schema_patterns[MG_SCHEMA_NPATTERNS] = {", "\t{ NULL, NULL },"]
    c += ["\t{ %s,\n\t  %s }," % (c_string(p), c_string(posix_pattern(p))) for p in t.patterns[1:]]
    c += ["};", "", "const char *const mg_schema_strings[] = {"]
    c += ["\t/* %d */ %s," % (i, c_string(x)) for i, x in enumerate(t.strings)]
    c += ["};", "", "const struct mg_schema_prop mg_schema_props[] = {"]
    c += ["\t/* %d */ { %s, %d }," % (i, c_string(n), x) for i, (n, x) in enumerate(t.props)]
    c += ["};", "", "const enum mg_schema_rule mg_schema_rule_refs[] = {"]
    c += ["\t/* %d */ MG_RULE_%s," % (i, CEL_RULES[r][0]) for i, r in enumerate(t.rule_refs)]
    c += ["};", "", "const struct mg_schema_node mg_schema_nodes[MG_SCHEMA_NNODES] = {", "\t/* 0 */ { 0 },"]
    c += ["\t/* %d */ %s," % (i, t.node_c(k)) for i, k in enumerate(t.nodes) if i]
    c += ["};"]
    return "\n".join(h) + "\n", "\n".join(c) + "\n"


def main(argv):
    check = "--check" in argv
    stale = []
    files = []
    kinds = []
    for entry in KINDS:
        header, doc = crd(*entry)
        kinds.append((entry, doc))
        text = render(header, doc)
        name = "%s_%s.yaml" % (GROUP, entry[1])
        files.append(name)
        path = os.path.join(OUT, name)
        # Self-test: the emitter must round-trip when PyYAML happens to be there.
        try:
            import yaml  # noqa: F401
        except ImportError:
            yaml = None
        if yaml is not None and yaml.safe_load(text) != strip_comments(doc):
            sys.exit("gen-crds: emitter round-trip mismatch for " + name)
        old = open(path, encoding="utf-8").read() if os.path.exists(path) else None
        if old != text:
            stale.append(name)
            if not check:
                with open(path, "w", encoding="utf-8") as f:
                    f.write(text)
    h_text, c_text = c_files(kinds)
    for name, text in ((C_HEADER, h_text), (C_SOURCE, c_text)):
        path = os.path.join(SHARED, name)
        files.append(name)
        old = open(path, encoding="utf-8").read() if os.path.exists(path) else None
        if old != text:
            stale.append("shared/" + name)
            if not check:
                with open(path, "w", encoding="utf-8") as f:
                    f.write(text)
    if check and stale:
        sys.exit("gen-crds: out of date: " + ", ".join(stale))
    if not check:
        print("gen-crds: wrote %d files (%d changed)" % (len(files), len(stale)))


if __name__ == "__main__":
    main(sys.argv[1:])
