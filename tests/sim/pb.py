"""Minimal protobuf (proto3) wire codec and protojson renderer, driven by
small hand-written schemas.

Only what the Multigres simulator needs: varint, 64-bit and 32-bit fixed
(skipped on decode), length-delimited strings/bytes/messages, repeated
fields (packed scalars are decoded too), maps as repeated key/value entry
messages, enums as integers.  Field numbers and names come from the
reference notes (multigres-upstream-facts.md sections 3.4, 3.5, 4.2, 4.4).

Messages are plain dicts keyed by the snake_case field name.  Enum values are
ints in dicts; the JSON renderer turns them into names.
"""

import base64
import datetime

# ---------------------------------------------------------------- wire level

WT_VARINT, WT_I64, WT_LEN, WT_I32 = 0, 1, 2, 5


def enc_varint(n):
    """Encode a non-negative int, or a negative int as its 64-bit two's
    complement (what proto does for negative int32/int64)."""
    if n < 0:
        n += 1 << 64
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def dec_varint(buf, pos):
    """Return (value, new_pos).  Raises ValueError on truncation."""
    result = 0
    shift = 0
    while True:
        if pos >= len(buf):
            raise ValueError("truncated varint")
        b = buf[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        if not b & 0x80:
            return result, pos
        shift += 7
        if shift >= 70:
            raise ValueError("varint too long")


def tag(num, wt):
    return enc_varint((num << 3) | wt)


def iter_fields(buf):
    """Yield (field_number, wire_type, value) for every field in buf.  value
    is an int for varint/fixed types and bytes for length-delimited ones."""
    pos = 0
    n = len(buf)
    while pos < n:
        key, pos = dec_varint(buf, pos)
        num, wt = key >> 3, key & 7
        if num == 0:
            raise ValueError("field number 0")
        if wt == WT_VARINT:
            val, pos = dec_varint(buf, pos)
        elif wt == WT_I64:
            if pos + 8 > n:
                raise ValueError("truncated fixed64")
            val = int.from_bytes(buf[pos:pos + 8], "little")
            pos += 8
        elif wt == WT_I32:
            if pos + 4 > n:
                raise ValueError("truncated fixed32")
            val = int.from_bytes(buf[pos:pos + 4], "little")
            pos += 4
        elif wt == WT_LEN:
            ln, pos = dec_varint(buf, pos)
            if pos + ln > n:
                raise ValueError("truncated length-delimited field")
            val = bytes(buf[pos:pos + ln])
            pos += ln
        else:
            raise ValueError("unsupported wire type %d" % wt)
        yield num, wt, val


# ------------------------------------------------------------------- schemas
# A message schema is a list of (number, name, type) or
# (number, name, type, "repeated").  Types:
#   "string" "bytes" "bool" "int32" "int64" "uint32" "uint64"
#   "enum:<EnumName>"  "msg:<MessageName>"  "map:<keytype>:<valuetype>"
#   "timestamp" "duration"  (google.protobuf well-known types)

ENUMS = {
    "ComponentType": {0: "UNKNOWN", 1: "MULTIPOOLER", 2: "MULTIGATEWAY", 3: "MULTIORCH"},
    "PoolerType": {0: "UNKNOWN", 1: "PRIMARY", 2: "REPLICA", 3: "DRAINED"},
    "PoolerServingStatus": {0: "SERVING", 1: "DISABLED", 4: "DRAINING"},
    "PoolerLifecycleStatus": {
        0: "LIFECYCLE_UNKNOWN", 1: "LIFECYCLE_STARTING", 2: "LIFECYCLE_ACTIVE",
        3: "LIFECYCLE_STOPPING", 4: "LIFECYCLE_SHUTDOWN", 5: "LIFECYCLE_QUARANTINED"},
    "RoutingRole": {0: "ROUTING_ROLE_UNKNOWN", 1: "ROUTING_ROLE_PRIMARY", 2: "ROUTING_ROLE_REPLICA"},
    "QuorumType": {0: "QUORUM_TYPE_UNKNOWN", 3: "QUORUM_TYPE_AT_LEAST_N",
                   4: "QUORUM_TYPE_MULTI_CELL_AT_LEAST_N"},
    "JobType": {0: "JOB_TYPE_UNKNOWN", 1: "JOB_TYPE_BACKUP", 2: "JOB_TYPE_RESTORE"},
    "JobStatus": {0: "JOB_STATUS_UNKNOWN", 1: "JOB_STATUS_PENDING", 2: "JOB_STATUS_RUNNING",
                  3: "JOB_STATUS_COMPLETED", 4: "JOB_STATUS_FAILED"},
    "BackupStatus": {0: "BACKUP_STATUS_UNKNOWN", 1: "BACKUP_STATUS_INCOMPLETE",
                     2: "BACKUP_STATUS_COMPLETE", 3: "BACKUP_STATUS_FAILED"},
    "PostgresStatus": {0: "POSTGRES_STATUS_UNKNOWN", 1: "POSTGRES_STATUS_STARTING",
                       2: "POSTGRES_STATUS_STANDBY", 3: "POSTGRES_STATUS_PROMOTING",
                       4: "POSTGRES_STATUS_PRIMARY"},
    "PostgresAction": {0: "POSTGRES_ACTION_UNSPECIFIED", 1: "POSTGRES_ACTION_STARTING",
                       2: "POSTGRES_ACTION_RESTORING_FROM_BACKUP",
                       3: "POSTGRES_ACTION_CREATING_FIRST_BACKUP"},
    "SynchronousCommitLevel": {0: "SYNCHRONOUS_COMMIT_OFF", 1: "SYNCHRONOUS_COMMIT_LOCAL",
                               2: "SYNCHRONOUS_COMMIT_REMOTE_WRITE", 3: "SYNCHRONOUS_COMMIT_ON",
                               4: "SYNCHRONOUS_COMMIT_REMOTE_APPLY"},
    "SynchronousMethod": {0: "SYNCHRONOUS_METHOD_UNSPECIFIED", 1: "SYNCHRONOUS_METHOD_FIRST",
                          2: "SYNCHRONOUS_METHOD_ANY"},
}
ENUM_NUMBERS = {e: {v: k for k, v in m.items()} for e, m in ENUMS.items()}

R = "repeated"
MESSAGES = {
    # clustermetadata (etcd records)
    "ID": [(1, "component", "enum:ComponentType"), (2, "cell", "string"), (3, "name", "string")],
    "ShardKey": [(1, "database", "string"), (2, "table_group", "string"), (3, "shard", "string")],
    "KeyRange": [(1, "start", "bytes"), (2, "end", "bytes")],
    "RuleNumber": [(1, "coordinator_term", "int64"), (2, "leader_subterm", "int64")],
    "RoutingState": [(1, "role", "enum:RoutingRole"), (2, "rule", "msg:RuleNumber")],
    "PoolerLifecycle": [(1, "status", "enum:PoolerLifecycleStatus"), (2, "reason", "string"),
                        (3, "updated", "timestamp")],
    "Multipooler": [
        (1, "id", "msg:ID"),
        (2, "shard_key", "msg:ShardKey"),
        (5, "key_range", "msg:KeyRange"),
        (6, "type", "enum:PoolerType"),
        (7, "serving_status", "enum:PoolerServingStatus"),
        (8, "hostname", "string"),
        (9, "port_map", "map:string:int32"),
        (10, "pooler_dir", "string"),
        (11, "pg_data_dir", "string"),
        (12, "lifecycle_status", "msg:PoolerLifecycle"),
        (13, "routing_state", "msg:RoutingState"),
    ],
    "Multigateway": [(1, "id", "msg:ID"), (2, "hostname", "string"),
                     (3, "port_map", "map:string:int32"), (4, "pid_prefix", "uint32")],
    "Multiorch": [(1, "id", "msg:ID"), (2, "hostname", "string"),
                  (3, "port_map", "map:string:int32")],
    "Cell": [(1, "name", "string"), (2, "server_addresses", "string", R), (3, "root", "string")],
    "FilesystemBackup": [(1, "path", "string")],
    "S3Backup": [(1, "bucket", "string"), (2, "region", "string"), (3, "endpoint", "string"),
                 (4, "key_prefix", "string"), (5, "use_env_credentials", "bool")],
    # fields 1 and 2 form the oneof "location"
    "BackupLocation": [(1, "filesystem", "msg:FilesystemBackup"), (2, "s3", "msg:S3Backup"),
                       (3, "require_initial_repo_encryption", "bool"),
                       (4, "authoritative_generation", "int64")],
    "DurabilityPolicy": [(1, "policy_name", "string"), (2, "policy_version", "int64"),
                         (3, "quorum_type", "enum:QuorumType"), (4, "required_count", "int32"),
                         (5, "description", "string")],
    "Database": [(1, "name", "string"), (2, "backup_location", "msg:BackupLocation"),
                 (3, "cells", "string", R),
                 (4, "bootstrap_durability_policy", "msg:DurabilityPolicy")],
    # consensus (only rendered in GetPoolerStatus)
    "PoolerAddress": [(1, "id", "msg:ID"), (2, "host", "string"), (3, "postgres_port", "int32")],
    "ShardRule": [(1, "rule_number", "msg:RuleNumber"), (2, "leader_id", "msg:ID"),
                  (3, "cohort_members", "msg:ID", R),
                  (4, "durability_policy", "msg:DurabilityPolicy"),
                  (5, "coordinator_id", "msg:ID"), (6, "creation_time", "timestamp")],
    "RulePosition": [(1, "decision", "msg:ShardRule"), (2, "proposal", "msg:ShardRule")],
    "PoolerPosition": [(1, "position", "msg:RulePosition"), (2, "lsn", "string")],
    "RuleNumberPosition": [(1, "decision", "msg:RuleNumber"), (2, "proposal", "msg:RuleNumber")],
    "LsnPosition": [(1, "position", "msg:RuleNumberPosition"), (2, "lsn", "string")],
    "TermRevocation": [(1, "revoked_below_term", "int64"), (2, "accepted_coordinator_id", "msg:ID"),
                       (3, "coordinator_initiated_at", "timestamp"),
                       (4, "outgoing_rule", "msg:RuleNumber")],
    "ReplicationPrimary": [(1, "position", "msg:RulePosition"), (2, "primary", "msg:PoolerAddress"),
                           (3, "rewind_ready", "bool")],
    "ConsensusStatus": [(1, "term_revocation", "msg:TermRevocation"),
                        (2, "current_position", "msg:PoolerPosition"),
                        (3, "replication_primary", "msg:ReplicationPrimary"),
                        (4, "id", "msg:ID"), (5, "recruit_blocked_until", "msg:LsnPosition")],
    # multipoolermanagerdata (only rendered in GetPoolerStatus)
    "SynchronousReplicationConfiguration": [
        (1, "synchronous_commit", "enum:SynchronousCommitLevel"),
        (2, "synchronous_method", "enum:SynchronousMethod"), (3, "num_sync", "int32"),
        (4, "standby_ids", "msg:ID", R), (5, "standby_application_names", "string", R)],
    "PrimaryStatus": [(1, "lsn", "string"), (2, "ready", "bool"),
                      (3, "connected_followers", "msg:ID", R),
                      (4, "sync_replication_config", "msg:SynchronousReplicationConfiguration"),
                      (5, "max_wal_senders", "int32")],
    "PrimaryConnInfo": [(1, "host", "string"), (2, "port", "int32"), (3, "user", "string"),
                        (4, "application_name", "string"), (5, "raw", "string"),
                        (6, "passfile", "string"), (7, "dbname", "string")],
    "StandbyReplicationStatus": [
        (1, "last_replay_lsn", "string"), (2, "last_receive_lsn", "string"),
        (3, "is_wal_replay_paused", "bool"), (4, "wal_replay_pause_state", "string"),
        (5, "lag", "duration"), (6, "last_xact_replay_timestamp", "string"),
        (7, "primary_conn_info", "msg:PrimaryConnInfo"), (8, "wal_receiver_status", "string"),
        (9, "last_msg_receive_time", "timestamp"), (10, "wal_receiver_status_interval", "duration"),
        (11, "wal_receiver_timeout", "duration"),
        (12, "last_receive_lsn_advance_time", "timestamp")],
    "Status": [(1, "pooler_type", "enum:PoolerType"), (2, "primary_status", "msg:PrimaryStatus"),
               (3, "replication_status", "msg:StandbyReplicationStatus"),
               (4, "is_initialized", "bool"), (5, "has_data_directory", "bool"),
               (6, "postgres_running", "bool"), (7, "postgres_status", "enum:PostgresStatus"),
               (8, "wal_position", "string"), (10, "shard_id", "string"),
               (11, "postgres_action", "enum:PostgresAction"),
               (12, "postgres_action_duration", "duration"), (14, "postgres_ready", "bool"),
               (15, "failover_slots_ready", "int32"), (16, "failover_slots_total", "int32")],
    # multiadmin responses
    "BackupInfo": [(1, "backup_id", "string"), (2, "database", "string"),
                   (3, "table_group", "string"), (4, "shard", "string"), (5, "type", "string"),
                   (6, "status", "enum:BackupStatus"), (7, "backup_size_bytes", "uint64"),
                   (8, "multipooler_service_id", "string"), (9, "routing_role", "enum:RoutingRole"),
                   (10, "start_lsn", "string"), (11, "stop_lsn", "string"),
                   (12, "pg_version", "string"), (13, "start_timestamp", "timestamp"),
                   (14, "stop_timestamp", "timestamp"), (15, "job_id", "string")],
    "GetPoolersResponse": [(1, "poolers", "msg:Multipooler", R)],
    "GetGatewaysResponse": [(1, "gateways", "msg:Multigateway", R)],
    "GetOrchsResponse": [(1, "orchs", "msg:Multiorch", R)],
    "GetCellResponse": [(1, "cell", "msg:Cell")],
    "GetDatabaseResponse": [(1, "database", "msg:Database")],
    "NamesResponse": [(1, "names", "string", R)],
    "GetBackupsResponse": [(1, "backups", "msg:BackupInfo", R)],
    "BackupResponse": [(1, "job_id", "string")],
    "GetBackupJobStatusResponse": [
        (1, "job_id", "string"), (2, "job_type", "enum:JobType"), (3, "status", "enum:JobStatus"),
        (4, "error_message", "string"), (5, "database", "string"), (6, "table_group", "string"),
        (7, "shard", "string"), (8, "backup_type", "string"), (10, "requested_backup_id", "string"),
        (11, "backup_id", "string")],
    "GetPoolerStatusResponse": [(1, "status", "msg:Status"),
                                (2, "consensus_status", "msg:ConsensusStatus")],
    "SwitchPrimaryResponse": [(1, "old_leader_id", "msg:ID")],
}

# oneof groups: a set field of the group is emitted even when JSON would
# otherwise skip it, and unset members are never emitted (protojson rule).
ONEOFS = {"BackupLocation": {"filesystem", "s3"}}

_VARINT_TYPES = {"bool", "int32", "int64", "uint32", "uint64"}


def _fields(msg_name):
    for f in MESSAGES[msg_name]:
        num, name, typ = f[0], f[1], f[2]
        yield num, name, typ, len(f) > 3 and f[3] == R


# ------------------------------------------------------------------ encoding

def _enc_scalar(typ, v):
    """Return (wire_type, payload bytes) for one scalar value."""
    if typ == "string":
        b = v.encode("utf-8")
        return WT_LEN, enc_varint(len(b)) + b
    if typ == "bytes":
        return WT_LEN, enc_varint(len(v)) + bytes(v)
    if typ == "bool":
        return WT_VARINT, enc_varint(1 if v else 0)
    if typ in _VARINT_TYPES or typ.startswith("enum:"):
        return WT_VARINT, enc_varint(int(v))
    raise ValueError("not a scalar type: " + typ)


def _is_zero(typ, v):
    if v is None:
        return True
    if typ in ("string", "bytes"):
        return len(v) == 0
    if typ == "bool":
        return not v
    if typ in _VARINT_TYPES or typ.startswith("enum:"):
        return int(v) == 0
    return False


def _wkt_schema(typ):
    # Timestamp and Duration share the layout seconds=1 int64, nanos=2 int32.
    return [(1, "seconds", "int64"), (2, "nanos", "int32")]


def _enc_value(typ, v):
    """Encode one (non-repeated) value; returns (wire_type, payload)."""
    if typ.startswith("msg:"):
        body = encode(typ[4:], v)
        return WT_LEN, enc_varint(len(body)) + body
    if typ in ("timestamp", "duration"):
        body = _encode_fields(_wkt_schema(typ), v)
        return WT_LEN, enc_varint(len(body)) + body
    return _enc_scalar(typ, v)


def _encode_fields(schema, msg):
    out = bytearray()
    for f in sorted(schema, key=lambda f: f[0]):
        num, name, typ = f[0], f[1], f[2]
        repeated = len(f) > 3 and f[3] == R
        if name not in msg:
            continue
        v = msg[name]
        if typ.startswith("map:"):
            _, kt, vt = typ.split(":")
            for k in sorted(v or {}):
                entry = bytearray()
                if not _is_zero(kt, k):
                    wt, p = _enc_scalar(kt, k)
                    entry += tag(1, wt) + p
                if not _is_zero(vt, v[k]):
                    wt, p = _enc_value(vt, v[k])
                    entry += tag(2, wt) + p
                out += tag(num, WT_LEN) + enc_varint(len(entry)) + entry
        elif repeated:
            # proto3 packs repeated numeric scalars; strings/messages repeat the tag
            if typ in _VARINT_TYPES or typ.startswith("enum:"):
                if v:
                    body = b"".join(enc_varint(int(x)) for x in v)
                    out += tag(num, WT_LEN) + enc_varint(len(body)) + body
            else:
                for x in v or []:
                    wt, p = _enc_value(typ, x)
                    out += tag(num, wt) + p
        elif typ.startswith("msg:") or typ in ("timestamp", "duration"):
            if v is not None:  # a set message is emitted even when empty
                wt, p = _enc_value(typ, v)
                out += tag(num, wt) + p
        elif not _is_zero(typ, v):
            wt, p = _enc_scalar(typ, v)
            out += tag(num, wt) + p
    return bytes(out)


def encode(msg_name, msg):
    """Encode dict msg as message msg_name; fields in number order, zero
    scalars omitted, map entries sorted by key."""
    return _encode_fields(MESSAGES[msg_name], msg)


# ------------------------------------------------------------------ decoding

def _signed(v, bits):
    if v >= 1 << (bits - 1):
        v -= 1 << bits
    return v


def _dec_scalar(typ, wt, v):
    if typ == "string":
        return v.decode("utf-8")
    if typ == "bytes":
        return v
    if typ == "bool":
        return bool(v)
    if typ in ("int32", "int64") or typ.startswith("enum:"):
        return _signed(v & 0xFFFFFFFFFFFFFFFF, 64)
    if typ == "uint32":
        return v & 0xFFFFFFFF
    if typ == "uint64":
        return v & 0xFFFFFFFFFFFFFFFF
    raise ValueError(typ)


def _decode_fields(schema, buf):
    by_num = {}
    for f in schema:
        by_num[f[0]] = (f[1], f[2], len(f) > 3 and f[3] == R)
    out = {}
    for num, wt, v in iter_fields(buf):
        if num not in by_num:
            continue  # unknown fields are skipped
        name, typ, repeated = by_num[num]
        if typ.startswith("map:"):
            if wt != WT_LEN:
                continue
            _, kt, vt = typ.split(":")
            ent = _decode_fields([(1, "k", kt), (2, "v", vt)], v)
            k = ent.get("k", "" if kt == "string" else 0)
            dflt = "" if vt == "string" else 0
            out.setdefault(name, {})[k] = ent.get("v", dflt)
            continue
        if typ.startswith("msg:") or typ in ("timestamp", "duration"):
            if wt != WT_LEN:
                continue
            sub = (_decode_fields(MESSAGES[typ[4:]], v) if typ.startswith("msg:")
                   else _decode_fields(_wkt_schema(typ), v))
            if repeated:
                out.setdefault(name, []).append(sub)
            else:
                out[name] = sub
            continue
        if repeated and wt == WT_LEN and typ not in ("string", "bytes"):
            vals, p = [], 0
            while p < len(v):
                x, p = dec_varint(v, p)
                vals.append(_dec_scalar(typ, WT_VARINT, x))
            out.setdefault(name, []).extend(vals)
            continue
        val = _dec_scalar(typ, wt, v)
        if repeated:
            out.setdefault(name, []).append(val)
        else:
            out[name] = val
    return out


def decode(msg_name, buf):
    """Decode bytes into a dict (absent fields are absent keys)."""
    return _decode_fields(MESSAGES[msg_name], buf)


# ------------------------------------------------------------------ protojson

def camel(name):
    parts = name.split("_")
    return parts[0] + "".join(p[:1].upper() + p[1:] for p in parts[1:])


def fmt_timestamp(ts):
    """RFC 3339 in UTC with 0, 3, 6 or 9 fractional digits (protojson)."""
    secs = int(ts.get("seconds", 0))
    nanos = int(ts.get("nanos", 0))
    base = datetime.datetime(1970, 1, 1) + datetime.timedelta(seconds=secs)
    s = base.strftime("%Y-%m-%dT%H:%M:%S")
    if nanos:
        frac = "%09d" % nanos
        for n in (3, 6):
            if frac[n:] == "0" * (9 - n):
                frac = frac[:n]
                break
        s += "." + frac
    return s + "Z"


def fmt_duration(d):
    secs = int(d.get("seconds", 0))
    nanos = int(d.get("nanos", 0))
    neg = secs < 0 or nanos < 0
    secs, nanos = abs(secs), abs(nanos)
    s = str(secs)
    if nanos:
        frac = "%09d" % nanos
        for n in (3, 6):
            if frac[n:] == "0" * (9 - n):
                frac = frac[:n]
                break
        s += "." + frac
    return ("-" if neg else "") + s + "s"


def _json_scalar(typ, v):
    if typ.startswith("enum:"):
        return ENUMS[typ[5:]].get(int(v), int(v))
    if typ in ("int64", "uint64"):
        return str(int(v))
    if typ in ("int32", "uint32"):
        return int(v)
    if typ == "bool":
        return bool(v)
    if typ == "bytes":
        return base64.b64encode(bytes(v)).decode("ascii")
    return v


def _zero_json(typ, repeated):
    if repeated:
        return []
    if typ.startswith("map:"):
        return {}
    if typ.startswith("msg:") or typ in ("timestamp", "duration"):
        return None
    if typ.startswith("enum:"):
        return ENUMS[typ[5:]].get(0, 0)
    return {"string": "", "bytes": "", "bool": False, "int32": 0, "uint32": 0,
            "int64": "0", "uint64": "0"}[typ]


def _json_value(typ, v, emit):
    if typ.startswith("msg:"):
        return to_json(typ[4:], v, emit)
    if typ == "timestamp":
        return fmt_timestamp(v)
    if typ == "duration":
        return fmt_duration(v)
    return _json_scalar(typ, v)


def to_json(msg_name, msg, emit_unpopulated=True):
    """Render like protojson with lowerCamelCase names: enums by name,
    64-bit integers as strings, well-known types as strings.
    emit_unpopulated=True imitates the REST transcoder (every field present,
    unset messages as null); False imitates Connect's JSON (zero values
    left out)."""
    out = {}
    oneof = ONEOFS.get(msg_name, set())
    for num, name, typ, repeated in sorted(_fields(msg_name)):
        key = camel(name)
        present = name in msg and msg[name] is not None
        if typ.startswith("map:"):
            _, kt, vt = typ.split(":")
            m = msg.get(name) or {}
            if m or emit_unpopulated:
                out[key] = {str(k): _json_value(vt, m[k], emit_unpopulated) for k in sorted(m)}
            continue
        if repeated:
            lst = msg.get(name) or []
            if lst or emit_unpopulated:
                out[key] = [_json_value(typ, x, emit_unpopulated) for x in lst]
            continue
        if name in oneof:
            if present:
                out[key] = _json_value(typ, msg[name], emit_unpopulated)
            continue
        if typ.startswith("msg:") or typ in ("timestamp", "duration"):
            if present:
                out[key] = _json_value(typ, msg[name], emit_unpopulated)
            elif emit_unpopulated:
                out[key] = None
            continue
        if present and not _is_zero(typ, msg[name]):
            out[key] = _json_value(typ, msg[name], emit_unpopulated)
        elif emit_unpopulated:
            out[key] = _zero_json(typ, False)
    return out


def enum_value(enum_name, v):
    """Accept an enum as a number or a name (JSON input rule)."""
    if isinstance(v, int):
        return v
    return ENUM_NUMBERS[enum_name][v]
