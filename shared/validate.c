/*
 * validate.c - admission rules for MultigresClusters and templates.
 *
 * The rules are those of pkg/webhook/handlers/validator.go,
 * pkg/resolver/validation.go and pkg/postgresconfig on multigres-operator
 * `main` (facts 8.2), over cJSON; the messages are ours except where
 * validate.h says they are upstream's.
 */
#include "compat.h"

#include "validate.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <strings.h>

#include "buf.h"
#include "defaults.h"
#include "err.h"
#include "json.h"
#include "quantity.h"
#include "resolve.h"
#include "xalloc.h"

/* ------------------------------------------------------------------ */
/* PostgreSQL 17 parameters                                            */
/* ------------------------------------------------------------------ */

/*
 * Every built-in parameter of PostgreSQL 17 (REL_17_5 guc_tables.c: the
 * array an entry sits in gives its type, its GucContext the context),
 * sorted by name for bsearch. The same 389 names upstream's operator
 * embeds; a new major version means regenerating this list.
 */
static const struct mg_guc gucs[] = {
	{ "allow_alter_system", MG_GUC_BOOL, "sighup" },
	{ "allow_in_place_tablespaces", MG_GUC_BOOL, "superuser" },
	{ "allow_system_table_mods", MG_GUC_BOOL, "superuser" },
	{ "application_name", MG_GUC_STRING, "user" },
	{ "archive_cleanup_command", MG_GUC_STRING, "sighup" },
	{ "archive_command", MG_GUC_STRING, "sighup" },
	{ "archive_library", MG_GUC_STRING, "sighup" },
	{ "archive_mode", MG_GUC_ENUM, "postmaster" },
	{ "archive_timeout", MG_GUC_INTEGER, "sighup" },
	{ "array_nulls", MG_GUC_BOOL, "user" },
	{ "authentication_timeout", MG_GUC_INTEGER, "sighup" },
	{ "autovacuum", MG_GUC_BOOL, "sighup" },
	{ "autovacuum_analyze_scale_factor", MG_GUC_REAL, "sighup" },
	{ "autovacuum_analyze_threshold", MG_GUC_INTEGER, "sighup" },
	{ "autovacuum_freeze_max_age", MG_GUC_INTEGER, "postmaster" },
	{ "autovacuum_max_workers", MG_GUC_INTEGER, "postmaster" },
	{ "autovacuum_multixact_freeze_max_age", MG_GUC_INTEGER, "postmaster" },
	{ "autovacuum_naptime", MG_GUC_INTEGER, "sighup" },
	{ "autovacuum_vacuum_cost_delay", MG_GUC_REAL, "sighup" },
	{ "autovacuum_vacuum_cost_limit", MG_GUC_INTEGER, "sighup" },
	{ "autovacuum_vacuum_insert_scale_factor", MG_GUC_REAL, "sighup" },
	{ "autovacuum_vacuum_insert_threshold", MG_GUC_INTEGER, "sighup" },
	{ "autovacuum_vacuum_scale_factor", MG_GUC_REAL, "sighup" },
	{ "autovacuum_vacuum_threshold", MG_GUC_INTEGER, "sighup" },
	{ "autovacuum_work_mem", MG_GUC_INTEGER, "sighup" },
	{ "backend_flush_after", MG_GUC_INTEGER, "user" },
	{ "backslash_quote", MG_GUC_ENUM, "user" },
	{ "backtrace_functions", MG_GUC_STRING, "superuser" },
	{ "bgwriter_delay", MG_GUC_INTEGER, "sighup" },
	{ "bgwriter_flush_after", MG_GUC_INTEGER, "sighup" },
	{ "bgwriter_lru_maxpages", MG_GUC_INTEGER, "sighup" },
	{ "bgwriter_lru_multiplier", MG_GUC_REAL, "sighup" },
	{ "block_size", MG_GUC_INTEGER, "internal" },
	{ "bonjour", MG_GUC_BOOL, "postmaster" },
	{ "bonjour_name", MG_GUC_STRING, "postmaster" },
	{ "bytea_output", MG_GUC_ENUM, "user" },
	{ "check_function_bodies", MG_GUC_BOOL, "user" },
	{ "checkpoint_completion_target", MG_GUC_REAL, "sighup" },
	{ "checkpoint_flush_after", MG_GUC_INTEGER, "sighup" },
	{ "checkpoint_timeout", MG_GUC_INTEGER, "sighup" },
	{ "checkpoint_warning", MG_GUC_INTEGER, "sighup" },
	{ "client_connection_check_interval", MG_GUC_INTEGER, "user" },
	{ "client_encoding", MG_GUC_STRING, "user" },
	{ "client_min_messages", MG_GUC_ENUM, "user" },
	{ "cluster_name", MG_GUC_STRING, "postmaster" },
	{ "commit_delay", MG_GUC_INTEGER, "superuser" },
	{ "commit_siblings", MG_GUC_INTEGER, "user" },
	{ "commit_timestamp_buffers", MG_GUC_INTEGER, "postmaster" },
	{ "compute_query_id", MG_GUC_ENUM, "superuser" },
	{ "config_file", MG_GUC_STRING, "postmaster" },
	{ "constraint_exclusion", MG_GUC_ENUM, "user" },
	{ "cpu_index_tuple_cost", MG_GUC_REAL, "user" },
	{ "cpu_operator_cost", MG_GUC_REAL, "user" },
	{ "cpu_tuple_cost", MG_GUC_REAL, "user" },
	{ "createrole_self_grant", MG_GUC_STRING, "user" },
	{ "cursor_tuple_fraction", MG_GUC_REAL, "user" },
	{ "data_checksums", MG_GUC_BOOL, "internal" },
	{ "data_directory", MG_GUC_STRING, "postmaster" },
	{ "data_directory_mode", MG_GUC_INTEGER, "internal" },
	{ "data_sync_retry", MG_GUC_BOOL, "postmaster" },
	{ "deadlock_timeout", MG_GUC_INTEGER, "superuser" },
	{ "debug_assertions", MG_GUC_BOOL, "internal" },
	{ "debug_deadlocks", MG_GUC_BOOL, "superuser" },
	{ "debug_discard_caches", MG_GUC_INTEGER, "superuser" },
	{ "debug_io_direct", MG_GUC_STRING, "postmaster" },
	{ "debug_logical_replication_streaming", MG_GUC_ENUM, "user" },
	{ "debug_parallel_query", MG_GUC_ENUM, "user" },
	{ "debug_pretty_print", MG_GUC_BOOL, "user" },
	{ "debug_print_parse", MG_GUC_BOOL, "user" },
	{ "debug_print_plan", MG_GUC_BOOL, "user" },
	{ "debug_print_rewritten", MG_GUC_BOOL, "user" },
	{ "default_statistics_target", MG_GUC_INTEGER, "user" },
	{ "default_table_access_method", MG_GUC_STRING, "user" },
	{ "default_tablespace", MG_GUC_STRING, "user" },
	{ "default_text_search_config", MG_GUC_STRING, "user" },
	{ "default_toast_compression", MG_GUC_ENUM, "user" },
	{ "default_transaction_deferrable", MG_GUC_BOOL, "user" },
	{ "default_transaction_isolation", MG_GUC_ENUM, "user" },
	{ "default_transaction_read_only", MG_GUC_BOOL, "user" },
	{ "default_with_oids", MG_GUC_BOOL, "user" },
	{ "dynamic_library_path", MG_GUC_STRING, "superuser" },
	{ "dynamic_shared_memory_type", MG_GUC_ENUM, "postmaster" },
	{ "effective_cache_size", MG_GUC_INTEGER, "user" },
	{ "effective_io_concurrency", MG_GUC_INTEGER, "user" },
	{ "enable_async_append", MG_GUC_BOOL, "user" },
	{ "enable_bitmapscan", MG_GUC_BOOL, "user" },
	{ "enable_gathermerge", MG_GUC_BOOL, "user" },
	{ "enable_group_by_reordering", MG_GUC_BOOL, "user" },
	{ "enable_hashagg", MG_GUC_BOOL, "user" },
	{ "enable_hashjoin", MG_GUC_BOOL, "user" },
	{ "enable_incremental_sort", MG_GUC_BOOL, "user" },
	{ "enable_indexonlyscan", MG_GUC_BOOL, "user" },
	{ "enable_indexscan", MG_GUC_BOOL, "user" },
	{ "enable_material", MG_GUC_BOOL, "user" },
	{ "enable_memoize", MG_GUC_BOOL, "user" },
	{ "enable_mergejoin", MG_GUC_BOOL, "user" },
	{ "enable_nestloop", MG_GUC_BOOL, "user" },
	{ "enable_parallel_append", MG_GUC_BOOL, "user" },
	{ "enable_parallel_hash", MG_GUC_BOOL, "user" },
	{ "enable_partition_pruning", MG_GUC_BOOL, "user" },
	{ "enable_partitionwise_aggregate", MG_GUC_BOOL, "user" },
	{ "enable_partitionwise_join", MG_GUC_BOOL, "user" },
	{ "enable_presorted_aggregate", MG_GUC_BOOL, "user" },
	{ "enable_seqscan", MG_GUC_BOOL, "user" },
	{ "enable_sort", MG_GUC_BOOL, "user" },
	{ "enable_tidscan", MG_GUC_BOOL, "user" },
	{ "escape_string_warning", MG_GUC_BOOL, "user" },
	{ "event_source", MG_GUC_STRING, "postmaster" },
	{ "event_triggers", MG_GUC_BOOL, "superuser" },
	{ "exit_on_error", MG_GUC_BOOL, "user" },
	{ "external_pid_file", MG_GUC_STRING, "postmaster" },
	{ "extra_float_digits", MG_GUC_INTEGER, "user" },
	{ "from_collapse_limit", MG_GUC_INTEGER, "user" },
	{ "fsync", MG_GUC_BOOL, "sighup" },
	{ "full_page_writes", MG_GUC_BOOL, "sighup" },
	{ "geqo", MG_GUC_BOOL, "user" },
	{ "geqo_effort", MG_GUC_INTEGER, "user" },
	{ "geqo_generations", MG_GUC_INTEGER, "user" },
	{ "geqo_pool_size", MG_GUC_INTEGER, "user" },
	{ "geqo_seed", MG_GUC_REAL, "user" },
	{ "geqo_selection_bias", MG_GUC_REAL, "user" },
	{ "geqo_threshold", MG_GUC_INTEGER, "user" },
	{ "gin_fuzzy_search_limit", MG_GUC_INTEGER, "user" },
	{ "gin_pending_list_limit", MG_GUC_INTEGER, "user" },
	{ "gss_accept_delegation", MG_GUC_BOOL, "sighup" },
	{ "hash_mem_multiplier", MG_GUC_REAL, "user" },
	{ "hba_file", MG_GUC_STRING, "postmaster" },
	{ "hot_standby", MG_GUC_BOOL, "postmaster" },
	{ "hot_standby_feedback", MG_GUC_BOOL, "sighup" },
	{ "huge_page_size", MG_GUC_INTEGER, "postmaster" },
	{ "huge_pages", MG_GUC_ENUM, "postmaster" },
	{ "huge_pages_status", MG_GUC_ENUM, "internal" },
	{ "icu_validation_level", MG_GUC_ENUM, "user" },
	{ "ident_file", MG_GUC_STRING, "postmaster" },
	{ "idle_in_transaction_session_timeout", MG_GUC_INTEGER, "user" },
	{ "idle_session_timeout", MG_GUC_INTEGER, "user" },
	{ "ignore_checksum_failure", MG_GUC_BOOL, "superuser" },
	{ "ignore_invalid_pages", MG_GUC_BOOL, "postmaster" },
	{ "ignore_system_indexes", MG_GUC_BOOL, "backend" },
	{ "in_hot_standby", MG_GUC_BOOL, "internal" },
	{ "integer_datetimes", MG_GUC_BOOL, "internal" },
	{ "io_combine_limit", MG_GUC_INTEGER, "user" },
	{ "is_superuser", MG_GUC_BOOL, "internal" },
	{ "jit", MG_GUC_BOOL, "user" },
	{ "jit_above_cost", MG_GUC_REAL, "user" },
	{ "jit_debugging_support", MG_GUC_BOOL, "superuser-backend" },
	{ "jit_dump_bitcode", MG_GUC_BOOL, "superuser" },
	{ "jit_expressions", MG_GUC_BOOL, "user" },
	{ "jit_inline_above_cost", MG_GUC_REAL, "user" },
	{ "jit_optimize_above_cost", MG_GUC_REAL, "user" },
	{ "jit_profiling_support", MG_GUC_BOOL, "superuser-backend" },
	{ "jit_provider", MG_GUC_STRING, "postmaster" },
	{ "jit_tuple_deforming", MG_GUC_BOOL, "user" },
	{ "join_collapse_limit", MG_GUC_INTEGER, "user" },
	{ "krb_caseins_users", MG_GUC_BOOL, "sighup" },
	{ "krb_server_keyfile", MG_GUC_STRING, "sighup" },
	{ "lc_messages", MG_GUC_STRING, "superuser" },
	{ "lc_monetary", MG_GUC_STRING, "user" },
	{ "lc_numeric", MG_GUC_STRING, "user" },
	{ "lc_time", MG_GUC_STRING, "user" },
	{ "listen_addresses", MG_GUC_STRING, "postmaster" },
	{ "lo_compat_privileges", MG_GUC_BOOL, "superuser" },
	{ "local_preload_libraries", MG_GUC_STRING, "user" },
	{ "lock_timeout", MG_GUC_INTEGER, "user" },
	{ "log_autovacuum_min_duration", MG_GUC_INTEGER, "sighup" },
	{ "log_btree_build_stats", MG_GUC_BOOL, "superuser" },
	{ "log_checkpoints", MG_GUC_BOOL, "sighup" },
	{ "log_connections", MG_GUC_BOOL, "superuser-backend" },
	{ "log_destination", MG_GUC_STRING, "sighup" },
	{ "log_directory", MG_GUC_STRING, "sighup" },
	{ "log_disconnections", MG_GUC_BOOL, "superuser-backend" },
	{ "log_duration", MG_GUC_BOOL, "superuser" },
	{ "log_error_verbosity", MG_GUC_ENUM, "superuser" },
	{ "log_executor_stats", MG_GUC_BOOL, "superuser" },
	{ "log_file_mode", MG_GUC_INTEGER, "sighup" },
	{ "log_filename", MG_GUC_STRING, "sighup" },
	{ "log_hostname", MG_GUC_BOOL, "sighup" },
	{ "log_line_prefix", MG_GUC_STRING, "sighup" },
	{ "log_lock_waits", MG_GUC_BOOL, "superuser" },
	{ "log_min_duration_sample", MG_GUC_INTEGER, "superuser" },
	{ "log_min_duration_statement", MG_GUC_INTEGER, "superuser" },
	{ "log_min_error_statement", MG_GUC_ENUM, "superuser" },
	{ "log_min_messages", MG_GUC_ENUM, "superuser" },
	{ "log_parameter_max_length", MG_GUC_INTEGER, "superuser" },
	{ "log_parameter_max_length_on_error", MG_GUC_INTEGER, "user" },
	{ "log_parser_stats", MG_GUC_BOOL, "superuser" },
	{ "log_planner_stats", MG_GUC_BOOL, "superuser" },
	{ "log_recovery_conflict_waits", MG_GUC_BOOL, "sighup" },
	{ "log_replication_commands", MG_GUC_BOOL, "superuser" },
	{ "log_rotation_age", MG_GUC_INTEGER, "sighup" },
	{ "log_rotation_size", MG_GUC_INTEGER, "sighup" },
	{ "log_startup_progress_interval", MG_GUC_INTEGER, "sighup" },
	{ "log_statement", MG_GUC_ENUM, "superuser" },
	{ "log_statement_sample_rate", MG_GUC_REAL, "superuser" },
	{ "log_statement_stats", MG_GUC_BOOL, "superuser" },
	{ "log_temp_files", MG_GUC_INTEGER, "superuser" },
	{ "log_timezone", MG_GUC_STRING, "sighup" },
	{ "log_transaction_sample_rate", MG_GUC_REAL, "superuser" },
	{ "log_truncate_on_rotation", MG_GUC_BOOL, "sighup" },
	{ "logging_collector", MG_GUC_BOOL, "postmaster" },
	{ "logical_decoding_work_mem", MG_GUC_INTEGER, "user" },
	{ "maintenance_io_concurrency", MG_GUC_INTEGER, "user" },
	{ "maintenance_work_mem", MG_GUC_INTEGER, "user" },
	{ "max_connections", MG_GUC_INTEGER, "postmaster" },
	{ "max_files_per_process", MG_GUC_INTEGER, "postmaster" },
	{ "max_function_args", MG_GUC_INTEGER, "internal" },
	{ "max_identifier_length", MG_GUC_INTEGER, "internal" },
	{ "max_index_keys", MG_GUC_INTEGER, "internal" },
	{ "max_locks_per_transaction", MG_GUC_INTEGER, "postmaster" },
	{ "max_logical_replication_workers", MG_GUC_INTEGER, "postmaster" },
	{ "max_notify_queue_pages", MG_GUC_INTEGER, "postmaster" },
	{ "max_parallel_apply_workers_per_subscription", MG_GUC_INTEGER, "sighup" },
	{ "max_parallel_maintenance_workers", MG_GUC_INTEGER, "user" },
	{ "max_parallel_workers", MG_GUC_INTEGER, "user" },
	{ "max_parallel_workers_per_gather", MG_GUC_INTEGER, "user" },
	{ "max_pred_locks_per_page", MG_GUC_INTEGER, "sighup" },
	{ "max_pred_locks_per_relation", MG_GUC_INTEGER, "sighup" },
	{ "max_pred_locks_per_transaction", MG_GUC_INTEGER, "postmaster" },
	{ "max_prepared_transactions", MG_GUC_INTEGER, "postmaster" },
	{ "max_replication_slots", MG_GUC_INTEGER, "postmaster" },
	{ "max_slot_wal_keep_size", MG_GUC_INTEGER, "sighup" },
	{ "max_stack_depth", MG_GUC_INTEGER, "superuser" },
	{ "max_standby_archive_delay", MG_GUC_INTEGER, "sighup" },
	{ "max_standby_streaming_delay", MG_GUC_INTEGER, "sighup" },
	{ "max_sync_workers_per_subscription", MG_GUC_INTEGER, "sighup" },
	{ "max_wal_senders", MG_GUC_INTEGER, "postmaster" },
	{ "max_wal_size", MG_GUC_INTEGER, "sighup" },
	{ "max_worker_processes", MG_GUC_INTEGER, "postmaster" },
	{ "min_dynamic_shared_memory", MG_GUC_INTEGER, "postmaster" },
	{ "min_parallel_index_scan_size", MG_GUC_INTEGER, "user" },
	{ "min_parallel_table_scan_size", MG_GUC_INTEGER, "user" },
	{ "min_wal_size", MG_GUC_INTEGER, "sighup" },
	{ "multixact_member_buffers", MG_GUC_INTEGER, "postmaster" },
	{ "multixact_offset_buffers", MG_GUC_INTEGER, "postmaster" },
	{ "notify_buffers", MG_GUC_INTEGER, "postmaster" },
	{ "parallel_leader_participation", MG_GUC_BOOL, "user" },
	{ "parallel_setup_cost", MG_GUC_REAL, "user" },
	{ "parallel_tuple_cost", MG_GUC_REAL, "user" },
	{ "password_encryption", MG_GUC_ENUM, "user" },
	{ "plan_cache_mode", MG_GUC_ENUM, "user" },
	{ "port", MG_GUC_INTEGER, "postmaster" },
	{ "post_auth_delay", MG_GUC_INTEGER, "backend" },
	{ "pre_auth_delay", MG_GUC_INTEGER, "sighup" },
	{ "primary_conninfo", MG_GUC_STRING, "sighup" },
	{ "primary_slot_name", MG_GUC_STRING, "sighup" },
	{ "quote_all_identifiers", MG_GUC_BOOL, "user" },
	{ "random_page_cost", MG_GUC_REAL, "user" },
	{ "recovery_end_command", MG_GUC_STRING, "sighup" },
	{ "recovery_init_sync_method", MG_GUC_ENUM, "sighup" },
	{ "recovery_min_apply_delay", MG_GUC_INTEGER, "sighup" },
	{ "recovery_prefetch", MG_GUC_ENUM, "sighup" },
	{ "recovery_target", MG_GUC_STRING, "postmaster" },
	{ "recovery_target_action", MG_GUC_ENUM, "postmaster" },
	{ "recovery_target_inclusive", MG_GUC_BOOL, "postmaster" },
	{ "recovery_target_lsn", MG_GUC_STRING, "postmaster" },
	{ "recovery_target_name", MG_GUC_STRING, "postmaster" },
	{ "recovery_target_time", MG_GUC_STRING, "postmaster" },
	{ "recovery_target_timeline", MG_GUC_STRING, "postmaster" },
	{ "recovery_target_xid", MG_GUC_STRING, "postmaster" },
	{ "recursive_worktable_factor", MG_GUC_REAL, "user" },
	{ "remove_temp_files_after_crash", MG_GUC_BOOL, "sighup" },
	{ "reserved_connections", MG_GUC_INTEGER, "postmaster" },
	{ "restart_after_crash", MG_GUC_BOOL, "sighup" },
	{ "restore_command", MG_GUC_STRING, "sighup" },
	{ "restrict_nonsystem_relation_kind", MG_GUC_STRING, "user" },
	{ "role", MG_GUC_STRING, "user" },
	{ "row_security", MG_GUC_BOOL, "user" },
	{ "scram_iterations", MG_GUC_INTEGER, "user" },
	{ "search_path", MG_GUC_STRING, "user" },
	{ "seed", MG_GUC_REAL, "user" },
	{ "segment_size", MG_GUC_INTEGER, "internal" },
	{ "send_abort_for_crash", MG_GUC_BOOL, "sighup" },
	{ "send_abort_for_kill", MG_GUC_BOOL, "sighup" },
	{ "seq_page_cost", MG_GUC_REAL, "user" },
	{ "serializable_buffers", MG_GUC_INTEGER, "postmaster" },
	{ "server_encoding", MG_GUC_STRING, "internal" },
	{ "server_version", MG_GUC_STRING, "internal" },
	{ "server_version_num", MG_GUC_INTEGER, "internal" },
	{ "session_authorization", MG_GUC_STRING, "user" },
	{ "session_preload_libraries", MG_GUC_STRING, "superuser" },
	{ "session_replication_role", MG_GUC_ENUM, "superuser" },
	{ "shared_buffers", MG_GUC_INTEGER, "postmaster" },
	{ "shared_memory_size", MG_GUC_INTEGER, "internal" },
	{ "shared_memory_size_in_huge_pages", MG_GUC_INTEGER, "internal" },
	{ "shared_memory_type", MG_GUC_ENUM, "postmaster" },
	{ "shared_preload_libraries", MG_GUC_STRING, "postmaster" },
	{ "ssl", MG_GUC_BOOL, "sighup" },
	{ "ssl_ca_file", MG_GUC_STRING, "sighup" },
	{ "ssl_cert_file", MG_GUC_STRING, "sighup" },
	{ "ssl_ciphers", MG_GUC_STRING, "sighup" },
	{ "ssl_crl_dir", MG_GUC_STRING, "sighup" },
	{ "ssl_crl_file", MG_GUC_STRING, "sighup" },
	{ "ssl_dh_params_file", MG_GUC_STRING, "sighup" },
	{ "ssl_ecdh_curve", MG_GUC_STRING, "sighup" },
	{ "ssl_key_file", MG_GUC_STRING, "sighup" },
	{ "ssl_library", MG_GUC_STRING, "internal" },
	{ "ssl_max_protocol_version", MG_GUC_ENUM, "sighup" },
	{ "ssl_min_protocol_version", MG_GUC_ENUM, "sighup" },
	{ "ssl_passphrase_command", MG_GUC_STRING, "sighup" },
	{ "ssl_passphrase_command_supports_reload", MG_GUC_BOOL, "sighup" },
	{ "ssl_prefer_server_ciphers", MG_GUC_BOOL, "sighup" },
	{ "ssl_renegotiation_limit", MG_GUC_INTEGER, "user" },
	{ "standard_conforming_strings", MG_GUC_BOOL, "user" },
	{ "statement_timeout", MG_GUC_INTEGER, "user" },
	{ "stats_fetch_consistency", MG_GUC_ENUM, "user" },
	{ "subtransaction_buffers", MG_GUC_INTEGER, "postmaster" },
	{ "summarize_wal", MG_GUC_BOOL, "sighup" },
	{ "superuser_reserved_connections", MG_GUC_INTEGER, "postmaster" },
	{ "sync_replication_slots", MG_GUC_BOOL, "sighup" },
	{ "synchronize_seqscans", MG_GUC_BOOL, "user" },
	{ "synchronized_standby_slots", MG_GUC_STRING, "sighup" },
	{ "synchronous_commit", MG_GUC_ENUM, "user" },
	{ "synchronous_standby_names", MG_GUC_STRING, "sighup" },
	{ "syslog_facility", MG_GUC_ENUM, "sighup" },
	{ "syslog_ident", MG_GUC_STRING, "sighup" },
	{ "syslog_sequence_numbers", MG_GUC_BOOL, "sighup" },
	{ "syslog_split_messages", MG_GUC_BOOL, "sighup" },
	{ "tcp_keepalives_count", MG_GUC_INTEGER, "user" },
	{ "tcp_keepalives_idle", MG_GUC_INTEGER, "user" },
	{ "tcp_keepalives_interval", MG_GUC_INTEGER, "user" },
	{ "tcp_user_timeout", MG_GUC_INTEGER, "user" },
	{ "temp_buffers", MG_GUC_INTEGER, "user" },
	{ "temp_file_limit", MG_GUC_INTEGER, "superuser" },
	{ "temp_tablespaces", MG_GUC_STRING, "user" },
	{ "timezone_abbreviations", MG_GUC_STRING, "user" },
	{ "trace_connection_negotiation", MG_GUC_BOOL, "postmaster" },
	{ "trace_lock_oidmin", MG_GUC_INTEGER, "superuser" },
	{ "trace_lock_table", MG_GUC_INTEGER, "superuser" },
	{ "trace_locks", MG_GUC_BOOL, "superuser" },
	{ "trace_lwlocks", MG_GUC_BOOL, "superuser" },
	{ "trace_notify", MG_GUC_BOOL, "user" },
	{ "trace_sort", MG_GUC_BOOL, "user" },
	{ "trace_syncscan", MG_GUC_BOOL, "user" },
	{ "trace_userlocks", MG_GUC_BOOL, "superuser" },
	{ "track_activities", MG_GUC_BOOL, "superuser" },
	{ "track_activity_query_size", MG_GUC_INTEGER, "postmaster" },
	{ "track_commit_timestamp", MG_GUC_BOOL, "postmaster" },
	{ "track_counts", MG_GUC_BOOL, "superuser" },
	{ "track_functions", MG_GUC_ENUM, "superuser" },
	{ "track_io_timing", MG_GUC_BOOL, "superuser" },
	{ "track_wal_io_timing", MG_GUC_BOOL, "superuser" },
	{ "transaction_buffers", MG_GUC_INTEGER, "postmaster" },
	{ "transaction_deferrable", MG_GUC_BOOL, "user" },
	{ "transaction_isolation", MG_GUC_ENUM, "user" },
	{ "transaction_read_only", MG_GUC_BOOL, "user" },
	{ "transaction_timeout", MG_GUC_INTEGER, "user" },
	{ "transform_null_equals", MG_GUC_BOOL, "user" },
	{ "unix_socket_directories", MG_GUC_STRING, "postmaster" },
	{ "unix_socket_group", MG_GUC_STRING, "postmaster" },
	{ "unix_socket_permissions", MG_GUC_INTEGER, "postmaster" },
	{ "update_process_title", MG_GUC_BOOL, "superuser" },
	{ "vacuum_buffer_usage_limit", MG_GUC_INTEGER, "user" },
	{ "vacuum_cost_delay", MG_GUC_REAL, "user" },
	{ "vacuum_cost_limit", MG_GUC_INTEGER, "user" },
	{ "vacuum_cost_page_dirty", MG_GUC_INTEGER, "user" },
	{ "vacuum_cost_page_hit", MG_GUC_INTEGER, "user" },
	{ "vacuum_cost_page_miss", MG_GUC_INTEGER, "user" },
	{ "vacuum_failsafe_age", MG_GUC_INTEGER, "user" },
	{ "vacuum_freeze_min_age", MG_GUC_INTEGER, "user" },
	{ "vacuum_freeze_table_age", MG_GUC_INTEGER, "user" },
	{ "vacuum_multixact_failsafe_age", MG_GUC_INTEGER, "user" },
	{ "vacuum_multixact_freeze_min_age", MG_GUC_INTEGER, "user" },
	{ "vacuum_multixact_freeze_table_age", MG_GUC_INTEGER, "user" },
	{ "wal_block_size", MG_GUC_INTEGER, "internal" },
	{ "wal_buffers", MG_GUC_INTEGER, "postmaster" },
	{ "wal_compression", MG_GUC_ENUM, "superuser" },
	{ "wal_consistency_checking", MG_GUC_STRING, "superuser" },
	{ "wal_debug", MG_GUC_BOOL, "superuser" },
	{ "wal_decode_buffer_size", MG_GUC_INTEGER, "postmaster" },
	{ "wal_init_zero", MG_GUC_BOOL, "superuser" },
	{ "wal_keep_size", MG_GUC_INTEGER, "sighup" },
	{ "wal_level", MG_GUC_ENUM, "postmaster" },
	{ "wal_log_hints", MG_GUC_BOOL, "postmaster" },
	{ "wal_receiver_create_temp_slot", MG_GUC_BOOL, "sighup" },
	{ "wal_receiver_status_interval", MG_GUC_INTEGER, "sighup" },
	{ "wal_receiver_timeout", MG_GUC_INTEGER, "sighup" },
	{ "wal_recycle", MG_GUC_BOOL, "superuser" },
	{ "wal_retrieve_retry_interval", MG_GUC_INTEGER, "sighup" },
	{ "wal_segment_size", MG_GUC_INTEGER, "internal" },
	{ "wal_sender_timeout", MG_GUC_INTEGER, "user" },
	{ "wal_skip_threshold", MG_GUC_INTEGER, "user" },
	{ "wal_summary_keep_time", MG_GUC_INTEGER, "sighup" },
	{ "wal_sync_method", MG_GUC_ENUM, "sighup" },
	{ "wal_writer_delay", MG_GUC_INTEGER, "sighup" },
	{ "wal_writer_flush_after", MG_GUC_INTEGER, "sighup" },
	{ "work_mem", MG_GUC_INTEGER, "user" },
	{ "xmlbinary", MG_GUC_ENUM, "user" },
	{ "xmloption", MG_GUC_ENUM, "user" },
	{ "zero_damaged_pages", MG_GUC_BOOL, "superuser" },
};

static int
cmp_guc(const void *key, const void *elem)
{
	return strcmp(key, ((const struct mg_guc *)elem)->name);
}

const struct mg_guc *
mg_guc_lookup(const char *name)
{
	char buf[128];
	size_t len, i;

	if (!name)
		return NULL;
	while (*name && isspace((unsigned char)*name))
		name++;
	len = strlen(name);
	while (len > 0 && isspace((unsigned char)name[len - 1]))
		len--;
	if (len == 0 || len >= sizeof(buf))
		return NULL;
	for (i = 0; i < len; i++)
		buf[i] = (char)tolower((unsigned char)name[i]);
	buf[len] = '\0';
	return bsearch(buf, gucs, ARRAY_SIZE(gucs), sizeof(gucs[0]), cmp_guc);
}

#define ERR(f, path, ...)  mg_findings_add((f), MG_SEV_ERROR, (path), __VA_ARGS__)
#define WARN(f, path, ...) mg_findings_add((f), MG_SEV_WARNING, (path), __VA_ARGS__)

/* ------------------------------------------------------------------ */
/* Small helpers                                                       */
/* ------------------------------------------------------------------ */

/* Short names for json.h's member getters, used on every other line. */
#define item(o, key) mg_json_member((o), (key))
#define obj(o, key)  mg_json_member_obj((o), (key))
#define arr(o, key)  mg_json_member_arr((o), (key))
#define sval(o, key) mg_json_member_str((o), (key))

static const char *
or_empty(const char *s)
{
	return s ? s : "";
}

/* The items of an array, or of a LIST's "items". */
static const cJSON *
items_of(const cJSON *x)
{
	return cJSON_IsObject(x) ? arr(x, "items") : x;
}

/* A scalar's text: strings as they are, numbers and bools printed. */
static char *
scalar_text(const cJSON *v)
{
	char *p, *s;

	if (cJSON_IsString(v))
		return mg_xstrdup(v->valuestring);
	p = cJSON_PrintUnformatted(v);
	if (!p)
		MG_BUG("out of memory printing JSON");
	s = mg_xstrdup(p);
	cJSON_free(p);
	return s;
}

static bool
is_dns_label(const char *s, size_t max)
{
	size_t len = strlen(s), i;

	if (len == 0 || len > max)
		return false;
	for (i = 0; i < len; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '-'))
			return false;
	}
	return s[0] != '-' && s[len - 1] != '-';
}

/*
 * Is quantity a below quantity b (strings or JSON numbers, compared by
 * value as resource.Quantity.Cmp does)? False when either does not parse:
 * the schema reports those.
 */
static bool
quantity_below(const cJSON *a, const cJSON *b)
{
	struct mg_quantity qa = MG_QUANTITY_INIT, qb = MG_QUANTITY_INIT;
	bool below;

	below = mg_quantity_parse_json(&qa, a, NULL) == 0 &&
		mg_quantity_parse_json(&qb, b, NULL) == 0 &&
		mg_quantity_cmp(&qa, &qb) < 0;
	mg_quantity_release(&qa);
	mg_quantity_release(&qb);
	return below;
}

/* A Go duration ("1h2m", "1.5s", "300ms", "0") in nanoseconds. */
static bool
duration_ns(const char *s, long double *out)
{
	static const struct {
		const char *unit;
		long double ns;
	} units[] = {
		{ "ns", 1 },	    { "us", 1e3L },	 { "\xc2\xb5s", 1e3L },
		{ "\xce\xbcs", 1e3L }, { "ms", 1e6L },	 { "s", 1e9L },
		{ "m", 60e9L },	    { "h", 3600e9L },
	};
	long double total = 0;
	bool neg = false;
	size_t i, len;

	if (!s || !*s)
		return false;
	if (*s == '+' || *s == '-')
		neg = *s++ == '-';
	if (strcmp(s, "0") == 0) {
		*out = 0;
		return true;
	}
	if (!*s)
		return false;
	while (*s) {
		long double v = 0;
		bool digits = false;

		for (; isdigit((unsigned char)*s); s++, digits = true)
			v = v * 10 + (*s - '0');
		if (*s == '.') {
			long double scale = 1;

			for (s++; isdigit((unsigned char)*s); s++, digits = true)
				v += (*s - '0') * (scale /= 10);
		}
		if (!digits)
			return false;
		for (i = 0; i < ARRAY_SIZE(units); i++) {
			len = strlen(units[i].unit);
			/* "m" must not take the "m" of "ms". */
			if (strncmp(s, units[i].unit, len) == 0 &&
			    !(len == 1 && s[0] == 'm' && s[1] == 's'))
				break;
		}
		if (i == ARRAY_SIZE(units))
			return false;
		total += v * units[i].ns;
		s += strlen(units[i].unit);
	}
	*out = neg ? -total : total;
	return true;
}

static bool
is_ip(const char *s)
{
	unsigned char buf[16];

	return inet_pton(AF_INET, s, buf) == 1 ||
	       inet_pton(AF_INET6, s, buf) == 1;
}

/* ------------------------------------------------------------------ */
/* postgresConfig                                                      */
/* ------------------------------------------------------------------ */

/*
 * Names the operator sets itself: pgctld pins the first six on the
 * postgres command line (a config line would be silently ignored), and
 * multigres needs wal_level=logical.
 */
static const struct {
	const char *name;
	const char *why;
} managed_gucs[] = {
	{ "data_directory", "set by the operator on the pgctld command line" },
	{ "hba_file", "set by the operator on the pgctld command line" },
	{ "ident_file", "set by the operator on the pgctld command line" },
	{ "listen_addresses", "set by the operator on the pgctld command line" },
	{ "port", "set by the operator on the pgctld command line" },
	{ "unix_socket_directories",
	  "set by the operator on the pgctld command line" },
	{ "wal_level", "multigres needs wal_level=logical" },
};

static bool
bool_word(const char *v)
{
	static const char *const words[] = { "on",  "off", "true", "false",
					     "yes", "no",  "1",	   "0" };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(words); i++)
		if (strcasecmp(v, words[i]) == 0)
			return true;
	return false;
}

/* An integer with an optional unit of letters ("128MB", "5min"). */
static bool
int_with_unit(const char *v)
{
	bool digits = false;

	if (*v == '+' || *v == '-')
		v++;
	for (; isdigit((unsigned char)*v); v++)
		digits = true;
	if (!digits)
		return false;
	while (*v == ' ' || *v == '\t')
		v++;
	for (; *v; v++)
		if (!isalpha((unsigned char)*v))
			return false;
	return true;
}

static bool
real_value(const char *v)
{
	char *end;

	if (!*v)
		return false;
	errno = 0;
	(void)strtod(v, &end);
	return *end == '\0' && errno != ERANGE;
}

static const char *const guc_type_names[] = {
	"bool", "integer", "real", "string", "enum",
};

static int
cmp_item_keys(const void *a, const void *b)
{
	return strcmp((*(const cJSON *const *)a)->string,
		      (*(const cJSON *const *)b)->string);
}

/* Appends one problem to a "; "-separated list. */
static void
add_problem(struct mg_buf *b, const char *fmt, ...) MG_PRINTF(2, 3);

static void
add_problem(struct mg_buf *b, const char *fmt, ...)
{
	va_list ap;

	if (b->len)
		mg_buf_adds(b, "; ");
	va_start(ap, fmt);
	mg_buf_vaddf(b, fmt, ap);
	va_end(ap);
}

/* Does the value fit the parameter's type? Strings and enums always do
 * (PostgreSQL judges them at start). */
static bool
fits_type(const struct mg_guc *g, const cJSON *value)
{
	char *text = scalar_text(value), *v = text, *end;
	bool ok;

	while (isspace((unsigned char)*v))
		v++;
	end = v + strlen(v);
	while (end > v && isspace((unsigned char)end[-1]))
		*--end = '\0';
	switch (g->type) {
	case MG_GUC_BOOL:
		ok = bool_word(v);
		break;
	case MG_GUC_INTEGER:
		ok = int_with_unit(v);
		break;
	case MG_GUC_REAL:
		ok = real_value(v);
		break;
	default:
		ok = true;
		break;
	}
	free(text);
	return ok;
}

void
mg_validate_postgres_config(struct mg_findings *out, const cJSON *conf,
			    const char *path)
{
	struct mg_buf problems = MG_BUF_INIT;
	const cJSON **kv, *c;
	const struct mg_guc *g;
	const char *managed;
	size_t n = 0, i, k;
	char *shown;

	if (!cJSON_IsObject(conf) || !conf->child)
		return;
	cJSON_ArrayForEach(c, conf)
		n++;
	kv = mg_xcalloc(n, sizeof(*kv));
	n = 0;
	cJSON_ArrayForEach(c, conf)
		kv[n++] = c;
	qsort(kv, n, sizeof(*kv), cmp_item_keys);

	for (i = 0; i < n; i++) {
		const char *name = kv[i]->string;

		/* Extension parameters ("cron.database_name") pass. */
		if (strchr(name, '.'))
			continue;
		g = mg_guc_lookup(name);
		managed = NULL;
		for (k = 0; g && k < ARRAY_SIZE(managed_gucs); k++)
			if (strcmp(g->name, managed_gucs[k].name) == 0)
				managed = managed_gucs[k].why;
		if (managed) {
			add_problem(&problems,
				    "parameter \"%s\" cannot be set: %s", name,
				    managed);
		} else if (!g) {
			add_problem(&problems, "unknown parameter \"%s\"",
				    name);
		} else if (!fits_type(g, kv[i])) {
			shown = scalar_text(kv[i]);
			add_problem(&problems,
				    "parameter \"%s\" takes a %s value, not "
				    "\"%s\"",
				    name, guc_type_names[g->type], shown);
			free(shown);
		}
	}
	if (problems.len)
		ERR(out, path, "invalid postgresConfig: %s", problems.data);
	mg_buf_release(&problems);
	free(kv);
}

/* ------------------------------------------------------------------ */
/* Shared checks                                                       */
/* ------------------------------------------------------------------ */

/* Every resource present in both: the limit is at least the request. */
static void
check_resources(struct mg_findings *out, const cJSON *res, const char *path,
		const char *subject)
{
	const cJSON *limits = obj(res, "limits"), *requests = obj(res, "requests");
	const cJSON *l;
	char *ls, *rs;

	cJSON_ArrayForEach(l, limits) {
		const cJSON *r =
			cJSON_GetObjectItemCaseSensitive(requests, l->string);

		if (!r || !quantity_below(l, r))
			continue;
		ls = scalar_text(l);
		rs = scalar_text(r);
		ERR(out, path, "%s: %s limit (%s) is below its request (%s)",
		    subject, l->string, ls, rs);
		free(ls);
		free(rs);
	}
}

/* The multigateway binary's own defaults for unset buffer fields. */
#define BUFFER_WINDOW_DEFAULT       "10s"
#define BUFFER_MAX_FAILOVER_DEFAULT "20s"

/*
 * One duration field of a buffer: *set says whether it was given, *ns its
 * value (the default when not). False when given but not a duration.
 */
static bool
buffer_duration(struct mg_findings *out, const cJSON *buf, const char *key,
		const char *dflt, const char *path, const char *subject,
		bool *set, long double *ns)
{
	const char *v = sval(buf, key);

	*set = v != NULL;
	if (!v) {
		duration_ns(dflt, ns);
		return true;
	}
	if (!duration_ns(v, ns)) {
		ERR(out, path, "%s: multigateway buffer %s '%s' is not a duration",
		    subject, key, v);
		return false;
	}
	return true;
}

/*
 * The rules the multigateway binary applies at start: skipped when the
 * buffer is disabled. A single layer (!resolved) is only held to the
 * window/maxFailoverDuration order when it sets both.
 */
static void
check_buffer(struct mg_findings *out, const cJSON *buf, const char *path,
	     const char *subject, bool resolved)
{
	bool wset, mset, nset;
	long double w, m, n;
	const cJSON *en = item(buf, "enabled");

	if (!cJSON_IsObject(buf) || cJSON_IsFalse(en))
		return;
	if (!buffer_duration(out, buf, "window", BUFFER_WINDOW_DEFAULT, path,
			     subject, &wset, &w) ||
	    !buffer_duration(out, buf, "maxFailoverDuration",
			     BUFFER_MAX_FAILOVER_DEFAULT, path, subject, &mset,
			     &m) ||
	    !buffer_duration(out, buf, "minTimeBetweenFailovers", "0", path,
			     subject, &nset, &n))
		return;
	if (wset && w <= 0) {
		ERR(out, path, "%s: multigateway buffer window '%s' must be "
			       "a positive duration",
		    subject, sval(buf, "window"));
		return;
	}
	if (mset && m <= 0) {
		ERR(out, path, "%s: multigateway buffer maxFailoverDuration "
			       "'%s' must be a positive duration",
		    subject, sval(buf, "maxFailoverDuration"));
		return;
	}
	if (nset && n < 0) {
		ERR(out, path, "%s: multigateway buffer "
			       "minTimeBetweenFailovers '%s' must not be "
			       "negative",
		    subject, sval(buf, "minTimeBetweenFailovers"));
		return;
	}
	if (!resolved && (!wset || !mset))
		return;
	if (w > m)
		ERR(out, path, "%s: multigateway buffer window (%s) must not "
			       "exceed maxFailoverDuration (%s)%s",
		    subject, wset ? sval(buf, "window") : BUFFER_WINDOW_DEFAULT,
		    mset ? sval(buf, "maxFailoverDuration") :
			   BUFFER_MAX_FAILOVER_DEFAULT,
		    (wset && mset) ? "" :
				     "; an unset one is the multigateway's "
				     "default (window " BUFFER_WINDOW_DEFAULT
				     ", maxFailoverDuration "
				     BUFFER_MAX_FAILOVER_DEFAULT ")");
}

/* A pool name (a map key, which the CRD schema cannot check). */
static void
check_pool_name(struct mg_findings *out, const char *name, const char *path,
		const char *where)
{
	if (strlen(name) == 0 || strlen(name) > 25)
		ERR(out, path, "%spool name '%s' must be 1 to 25 characters",
		    where, name);
	else if (!is_dns_label(name, 25))
		ERR(out, path,
		    "%spool name '%s' must be lowercase letters, digits and "
		    "'-', starting and ending with a letter or digit",
		    where, name);
}

/*
 * Resolves cell i of a cluster and checks its gateway (buffer and
 * resources). Returns false when the cell cannot be resolved (an error is
 * added only if report_unresolved).
 */
static bool
check_resolved_gateway(struct mg_findings *out, const cJSON *cluster,
		       size_t i, const struct mg_templates *t,
		       const char *prefix, bool report_unresolved)
{
	const cJSON *cell = cJSON_GetArrayItem(
		arr(obj(cluster, "spec"), "cells"), (int)i);
	const char *name = or_empty(sval(cell, "name"));
	struct mg_err err = MG_ERR_INIT;
	char *path = mg_xasprintf("spec.cells[%zu]", i);
	char *subject = mg_xasprintf("%scell '%s'", prefix, name);
	char *rsubject = mg_xasprintf("%s multigateway (resolved)", subject);
	cJSON *gw = NULL;
	bool ok = true;

	if (mg_resolve_cell(&gw, NULL, NULL, cluster, i, t, &err) != 0) {
		if (report_unresolved)
			ERR(out, path, "%scannot resolve cell '%s': %s", prefix,
			    name, err.msg);
		ok = false;
	} else {
		check_buffer(out, obj(gw, "buffer"), path, subject, true);
		check_resources(out, obj(gw, "resources"), path, rsubject);
	}
	cJSON_Delete(gw);
	free(path);
	free(subject);
	free(rsubject);
	return ok;
}

/* ------------------------------------------------------------------ */
/* MultigresCluster                                                    */
/* ------------------------------------------------------------------ */

struct vctx {
	struct mg_findings *out;
	const cJSON *cluster;
	const cJSON *spec;
	const struct mg_templates *t;
	const char *ns;
	bool missing_template;
	cJSON *resolved; /* the shards that resolved */
};

static void
check_ref(struct vctx *v, enum mg_template_kind kind, const char *ref,
	  const char *path)
{
	if (!ref || mg_templates_get(v->t, kind, ref))
		return;
	ERR(v->out, path, "referenced %s '%s' not found in namespace '%s'",
	    mg_template_kind_name(kind), ref, v->ns);
	v->missing_template = true;
}

/* "spec.databases[i].tablegroups[j].shards[k]" and a suffix. */
static char *
shard_path(const struct mg_shard_ref *ref, const char *suffix)
{
	return mg_xasprintf("spec.databases[%zu].tablegroups[%zu].shards[%zu]%s",
			    ref->db_index, ref->tg_index, ref->shard_index,
			    suffix);
}

static int
shard_refs(const struct mg_shard_ref *ref, void *ctx)
{
	char *path = shard_path(ref, ".shardTemplate");

	check_ref(ctx, MG_TEMPLATE_SHARD, sval(ref->shard, "shardTemplate"),
		  path);
	free(path);
	return 0;
}

static void
check_integrity(struct vctx *v)
{
	const cJSON *td = obj(v->spec, "templateDefaults"), *c;
	size_t i = 0;

	check_ref(v, MG_TEMPLATE_CORE, sval(td, "coreTemplate"),
		  "spec.templateDefaults.coreTemplate");
	check_ref(v, MG_TEMPLATE_CORE,
		  sval(obj(v->spec, "multiadmin"), "templateRef"),
		  "spec.multiadmin.templateRef");
	check_ref(v, MG_TEMPLATE_CORE,
		  sval(obj(v->spec, "globalTopoServer"), "templateRef"),
		  "spec.globalTopoServer.templateRef");
	check_ref(v, MG_TEMPLATE_CORE,
		  sval(obj(v->spec, "multiadminWeb"), "templateRef"),
		  "spec.multiadminWeb.templateRef");
	check_ref(v, MG_TEMPLATE_CELL, sval(td, "cellTemplate"),
		  "spec.templateDefaults.cellTemplate");
	cJSON_ArrayForEach(c, arr(v->spec, "cells")) {
		char *path = mg_xasprintf("spec.cells[%zu].cellTemplate", i++);

		check_ref(v, MG_TEMPLATE_CELL, sval(c, "cellTemplate"), path);
		free(path);
	}
	check_ref(v, MG_TEMPLATE_SHARD, sval(td, "shardTemplate"),
		  "spec.templateDefaults.shardTemplate");
	mg_resolve_each_shard(v->cluster, shard_refs, v);
}

static int
shard_postgres_config(const struct mg_shard_ref *ref, void *ctx)
{
	struct vctx *v = ctx;
	char *path;

	path = shard_path(ref, ".spec.postgresConfig");
	mg_validate_postgres_config(
		v->out, obj(obj(ref->shard, "spec"), "postgresConfig"), path);
	free(path);
	path = shard_path(ref, ".overrides.postgresConfig");
	mg_validate_postgres_config(
		v->out, obj(obj(ref->shard, "overrides"), "postgresConfig"),
		path);
	free(path);
	return 0;
}

/* Does some node carry label key=value? */
static bool
node_has_label(const cJSON *nodes, const char *key, const char *value)
{
	const cJSON *n;

	cJSON_ArrayForEach(n, items_of(nodes)) {
		const cJSON *l = cJSON_GetObjectItemCaseSensitive(
			obj(obj(n, "metadata"), "labels"), key);
		if (cJSON_IsString(l) && strcmp(l->valuestring, value) == 0)
			return true;
	}
	return false;
}

static void
check_cell_topology(struct vctx *v, const cJSON *nodes)
{
	const cJSON *c;
	size_t i = 0;
	char *path;

	if (!nodes)
		return;
	cJSON_ArrayForEach(c, arr(v->spec, "cells")) {
		const char *key, *value;

		if ((value = sval(c, "zoneId")) != NULL)
			key = "topology.k8s.aws/zone-id";
		else if ((value = sval(c, "region")) != NULL)
			key = "topology.kubernetes.io/region";
		else
			key = NULL;
		if (key && !node_has_label(nodes, key, value)) {
			path = mg_xasprintf("spec.cells[%zu]", i);
			WARN(v->out, path,
			     "cell '%s': no node is labelled %s=%s; its pods "
			     "stay Pending until one is",
			     or_empty(sval(c, "name")), key, value);
			free(path);
		}
		i++;
	}
}

/* Effective global etcd replicas as written: 0 for an external topology. */
static long long
etcd_replicas(const cJSON *spec)
{
	const cJSON *gts = obj(spec, "globalTopoServer");

	if (obj(gts, "external"))
		return 0;
	return mg_json_int(obj(gts, "etcd"), "replicas",
			   mg_defaults_component(MG_COMP_ETCD)->replicas);
}

static void
check_external(struct vctx *v, const char *key, const char *what)
{
	const cJSON *x = obj(v->spec, key), *ip;
	char *path;
	size_t i = 0;

	if (!cJSON_IsTrue(item(x, "enabled")))
		return;
	path = mg_xasprintf("spec.%s.externalIPs", key);
	if (!cJSON_GetArraySize(arr(x, "externalIPs")))
		WARN(v->out, path,
		     "%s is enabled without externalIPs: its endpoint depends "
		     "on a load-balancer controller giving the %s Service an "
		     "ingress address",
		     key, what);
	cJSON_ArrayForEach(ip, arr(x, "externalIPs")) {
		if (!cJSON_IsString(ip) || !is_ip(ip->valuestring)) {
			char *s = scalar_text(ip), *p;

			p = mg_xasprintf("spec.%s.externalIPs[%zu]", key, i);
			ERR(v->out, p, "%s.externalIPs: '%s' is not an IP address",
			    key, s);
			free(p);
			free(s);
		}
		i++;
	}
	free(path);
}

static bool
in_cells(const cJSON *spec, const char *cell)
{
	const cJSON *c;

	cJSON_ArrayForEach(c, arr(spec, "cells"))
		if (sval(c, "name") && strcmp(sval(c, "name"), cell) == 0)
			return true;
	return false;
}

/*
 * The ShardTemplate a shard uses (level 2 applied): *tpl is NULL when it
 * is the empty fallback. False when an explicit ref is missing (already
 * reported).
 */
static bool
shard_template_of(const struct vctx *v, const cJSON *sh, const cJSON **tpl)
{
	const char *ref = sval(sh, "shardTemplate");

	if (!ref)
		ref = sval(obj(v->spec, "templateDefaults"), "shardTemplate");
	if (!ref)
		ref = MG_DEFAULT_TEMPLATE_NAME;
	*tpl = mg_templates_get(v->t, MG_TEMPLATE_SHARD, ref);
	return *tpl || strcmp(ref, MG_DEFAULT_TEMPLATE_NAME) == 0;
}

static void
check_durability(struct vctx *v, const cJSON *db, const char *shname,
		 const char *pname, const cJSON *pool, const char *path)
{
	const char *policy = sval(db, "durabilityPolicy");
	long long rpc = mg_json_int(pool, "replicasPerCell", 1);
	long long cells = cJSON_GetArraySize(arr(pool, "cells"));

	if (!policy)
		policy = sval(v->spec, "durabilityPolicy");
	if (!policy)
		policy = MG_DEFAULT_DURABILITY_POLICY;
	if (cells == 0)
		cells = cJSON_GetArraySize(arr(v->spec, "cells"));
	if (strcmp(policy, MG_DURABILITY_MULTI_CELL) == 0) {
		if (cells < 2)
			WARN(v->out, path,
			     "pool '%s' of shard '%s' is in %lld cell(s); "
			     "durability policy \"%s\" needs at least 2 cells",
			     pname, shname, cells, policy);
	} else if (rpc * cells < 2) {
		WARN(v->out, path,
		     "pool '%s' of shard '%s' has replicasPerCell=%lld in %lld "
		     "cell(s), %lld in all; durability policy \"%s\" needs at "
		     "least 2 poolers",
		     pname, shname, rpc, cells, rpc * cells, policy);
	}
}

static void
check_identity(struct mg_findings *out, const char *shname, const char *pname,
	       const cJSON *pool, const char *path)
{
	const cJSON *mu = item(obj(pool, "multipooler"), "runAsUser");
	const cJSON *pu = item(obj(pool, "postgres"), "runAsUser");

	if (!mu)
		return;
	if (!pu)
		ERR(out, path,
		    "shard '%s' pool '%s': multipooler runAsUser %lld needs "
		    "the same postgres runAsUser: both use PGDATA",
		    shname, pname, (long long)mu->valuedouble);
	else if (mu->valuedouble != pu->valuedouble)
		ERR(out, path,
		    "shard '%s' pool '%s': postgres runAsUser %lld and "
		    "multipooler runAsUser %lld must be equal: both use PGDATA",
		    shname, pname, (long long)pu->valuedouble,
		    (long long)mu->valuedouble);
}

static void
check_backup_sharing(struct vctx *v, const cJSON *resolved,
		     const char *shname, const char *path)
{
	const cJSON *b = obj(resolved, "backup"), *m, *p;
	long long mounts = 0;

	if (!b || !sval(b, "type") || strcmp(sval(b, "type"), "filesystem"))
		return;
	cJSON_ArrayForEach(m, arr(obj(obj(b, "filesystem"), "storage"),
				  "accessModes"))
		if (cJSON_IsString(m) &&
		    strcmp(m->valuestring, "ReadWriteMany") == 0)
			return;
	cJSON_ArrayForEach(p, obj(resolved, "pools"))
		mounts += mg_json_int(p, "replicasPerCell", 1) *
			  cJSON_GetArraySize(arr(p, "cells"));
	if (mounts > 1)
		WARN(v->out, path,
		     "shard '%s' keeps filesystem backups on a ReadWriteOnce "
		     "volume that %lld poolers mount; pods on different nodes "
		     "cannot share it: use ReadWriteMany storage, keep the "
		     "pods on one node, or use S3",
		     shname, mounts);
}

/* Checks one shard and keeps its resolution in v->resolved. */
static int
check_shard(const struct mg_shard_ref *ref, void *ctx)
{
	struct vctx *v = ctx;
	const cJSON *db = ref->db, *sh = ref->shard;
	char *path = shard_path(ref, "");
	const char *shname = or_empty(sval(sh, "name"));
	const cJSON *ovpools = obj(obj(sh, "overrides"), "pools");
	const cJSON *p, *c, *orch, *tpl;
	struct mg_err err = MG_ERR_INIT;
	cJSON *res = NULL;
	char *sub;

	/* Override pools the template does not have. */
	if (ovpools && ovpools->child && shard_template_of(v, sh, &tpl)) {
		cJSON_ArrayForEach(p, ovpools) {
			if (obj(obj(obj(tpl, "spec"), "pools"), p->string))
				continue;
			sub = mg_xasprintf("%s.overrides.pools.%s", path,
					   p->string);
			WARN(v->out, sub,
			     "Pool '%s' defined in overrides for shard '%s' "
			     "does not exist in template '%s'. A new pool will "
			     "be created.",
			     p->string, shname,
			     or_empty(mg_json_str(tpl, "metadata.name")));
			free(sub);
		}
	}

	if (mg_resolve_shard(&res, v->cluster, ref->db_index, ref->tg_index,
			     ref->shard_index, true, v->t, &err) != 0) {
		if (!v->missing_template)
			ERR(v->out, path, "cannot resolve shard '%s': %s",
			    shname, err.msg);
		free(path);
		return 0;
	}

	cJSON_ArrayForEach(p, obj(res, "pools"))
		check_pool_name(v->out, p->string, path, "");
	orch = obj(res, "multiorch");
	if (!cJSON_GetArraySize(arr(orch, "cells")))
		ERR(v->out, path,
		    "shard '%s' runs in no cell: check the cell names and its "
		    "template",
		    shname);
	cJSON_ArrayForEach(p, obj(res, "pools"))
		if (!cJSON_GetArraySize(arr(p, "cells")))
			ERR(v->out, path, "pool '%s' of shard '%s' runs in no cell",
			    p->string, shname);
	cJSON_ArrayForEach(c, arr(orch, "cells"))
		if (!cJSON_IsString(c) || !in_cells(v->spec, c->valuestring))
			ERR(v->out, path,
			    "shard '%s' names cell '%s', which the cluster does "
			    "not have",
			    shname, cJSON_IsString(c) ? c->valuestring : "");
	cJSON_ArrayForEach(p, obj(res, "pools"))
		cJSON_ArrayForEach(c, arr(p, "cells"))
			if (!cJSON_IsString(c) ||
			    !in_cells(v->spec, c->valuestring))
				ERR(v->out, path,
				    "pool '%s' of shard '%s' names cell '%s', "
				    "which the cluster does not have",
				    p->string, shname,
				    cJSON_IsString(c) ? c->valuestring : "");
	cJSON_ArrayForEach(p, obj(res, "pools"))
		check_durability(v, db, shname, p->string, p, path);

	sub = mg_xasprintf("shard '%s' multiorch", shname);
	check_resources(v->out, obj(orch, "resources"), path, sub);
	free(sub);
	cJSON_ArrayForEach(p, obj(res, "pools")) {
		check_identity(v->out, shname, p->string, p, path);
		sub = mg_xasprintf("shard '%s' pool '%s' postgres", shname,
				   p->string);
		check_resources(v->out, obj(obj(p, "postgres"), "resources"),
				path, sub);
		free(sub);
		sub = mg_xasprintf("shard '%s' pool '%s' multipooler", shname,
				   p->string);
		check_resources(v->out, obj(obj(p, "multipooler"), "resources"),
				path, sub);
		free(sub);
	}
	check_backup_sharing(v, res, shname, path);
	free(path);
	cJSON_AddItemToArray(v->resolved, res);
	return 0;
}

/* PVCs without a storage class need a default StorageClass. */
static void
check_storage_classes(struct vctx *v, const cJSON *resolved_shards,
		      bool has_default)
{
	struct mg_buf missing = MG_BUF_INIT;
	const cJSON *etcd = obj(obj(v->spec, "globalTopoServer"), "etcd");
	const cJSON *s, *p, *b;

	if (etcd && !sval(obj(etcd, "storage"), "class"))
		mg_buf_adds(&missing, "spec.globalTopoServer.etcd.storage.class");
	cJSON_ArrayForEach(s, resolved_shards) {
		const char *shname = or_empty(sval(s, "name"));

		cJSON_ArrayForEach(p, obj(s, "pools")) {
			if (sval(obj(p, "storage"), "class"))
				continue;
			mg_buf_addf(&missing, "%sshard '%s' pool '%s' "
					      "storage.class",
				    missing.len ? ", " : "", shname, p->string);
		}
		b = obj(s, "backup");
		if (sval(b, "type") && !strcmp(sval(b, "type"), "filesystem") &&
		    obj(b, "filesystem") &&
		    !sval(obj(obj(b, "filesystem"), "storage"), "class"))
			mg_buf_addf(&missing, "%sshard '%s' backup filesystem "
					      "storage.class",
				    missing.len ? ", " : "", shname);
	}
	if (missing.len && !has_default)
		ERR(v->out, "",
		    "no default StorageClass in the cluster and no storage "
		    "class set for: %s; the PVCs would stay Pending: mark a "
		    "StorageClass as the default "
		    "(storageclass.kubernetes.io/is-default-class=true) or "
		    "set the classes",
		    missing.data);
	mg_buf_release(&missing);
}

/* Adds db/tg/shard/pool -> storage.size of one shard, as written (its
 * inline spec's pools, else its overrides'). */
static int
shard_pool_sizes(const struct mg_shard_ref *ref, void *ctx)
{
	const cJSON *sh = ref->shard, *pools, *p;

	pools = obj(sh, "spec") ? obj(obj(sh, "spec"), "pools") :
				  obj(obj(sh, "overrides"), "pools");
	cJSON_ArrayForEach(p, pools) {
		const char *size = sval(obj(p, "storage"), "size");
		char *key;

		if (!size)
			continue;
		key = mg_xasprintf("%s/%s/%s/%s", or_empty(sval(ref->db, "name")),
				   or_empty(sval(ref->tg, "name")),
				   or_empty(sval(sh, "name")), p->string);
		cJSON_AddStringToObject(ctx, key, size);
		free(key);
	}
	return 0;
}

static cJSON *
pool_sizes(const cJSON *cluster)
{
	cJSON *m = cJSON_CreateObject();

	mg_resolve_each_shard(cluster, shard_pool_sizes, m);
	return m;
}

static void
check_update(struct vctx *v, const cJSON *old)
{
	cJSON *before = pool_sizes(old), *after = pool_sizes(v->cluster);
	const cJSON *o;
	long long orep, nrep;

	cJSON_ArrayForEach(o, before) {
		const cJSON *n =
			cJSON_GetObjectItemCaseSensitive(after, o->string);

		if (!n || !quantity_below(n, o))
			continue;
		ERR(v->out, "",
		    "storage.size of pool %s cannot decrease (%s to %s): "
		    "Kubernetes cannot shrink a PVC",
		    o->string, o->valuestring, n->valuestring);
	}
	cJSON_Delete(before);
	cJSON_Delete(after);

	orep = etcd_replicas(obj(old, "spec"));
	nrep = etcd_replicas(v->spec);
	if (orep && nrep && orep != nrep)
		ERR(v->out, "spec.globalTopoServer.etcd.replicas",
		    "the topology server's etcd replicas cannot change after "
		    "creation (%lld to %lld): etcd is bootstrapped statically "
		    "and the operator does not add or remove members",
		    orep, nrep);
}

int
mg_validate_cluster(struct mg_findings *out, const cJSON *cluster,
		    const cJSON *old, const struct mg_validate_opts *opts,
		    struct mg_err *err)
{
	static const struct mg_validate_opts no_opts = MG_VALIDATE_OPTS_INIT;
	struct vctx v;
	const cJSON *gts;
	size_t i, n;

	if (!opts)
		opts = &no_opts;
	if (!cJSON_IsObject(cluster))
		return mg_err_set(err, MG_EINVAL,
				  "a MultigresCluster must be an object");
	memset(&v, 0, sizeof(v));
	v.out = out;
	v.cluster = cluster;
	v.spec = obj(cluster, "spec");
	v.t = opts->templates;
	v.ns = opts->namespace;
	if (!v.ns)
		v.ns = mg_json_str(cluster, "metadata.namespace");
	if (!v.ns || !*v.ns)
		v.ns = "default";

	check_integrity(&v);
	mg_resolve_each_shard(cluster, shard_postgres_config, &v);

	check_cell_topology(&v, opts->nodes);
	if (etcd_replicas(v.spec) == 1)
		WARN(out, "spec.globalTopoServer.etcd.replicas",
		     "etcd has 1 replica and no fault tolerance; 3 are "
		     "recommended for production, and the count cannot "
		     "change after creation");
	check_external(&v, "externalGateway", "global multigateway");
	check_external(&v, "externalAdminWeb", "multiadmin-web");

	gts = obj(v.spec, "globalTopoServer");
	check_resources(out, obj(obj(gts, "etcd"), "resources"),
			"spec.globalTopoServer.etcd.resources", "etcd");
	check_resources(out, obj(obj(obj(v.spec, "multiadmin"), "spec"),
				 "resources"),
			"spec.multiadmin.spec.resources", "multiadmin");
	check_resources(out, obj(obj(obj(v.spec, "multiadminWeb"), "spec"),
				 "resources"),
			"spec.multiadminWeb.spec.resources", "multiadmin-web");

	n = (size_t)cJSON_GetArraySize(arr(v.spec, "cells"));
	for (i = 0; i < n; i++)
		check_resolved_gateway(out, cluster, i, v.t, "",
				       !v.missing_template);

	v.resolved = cJSON_CreateArray();
	mg_resolve_each_shard(cluster, check_shard, &v);
	check_storage_classes(&v, v.resolved, opts->has_default_storage_class);
	cJSON_Delete(v.resolved);

	if (cJSON_IsObject(old))
		check_update(&v, old);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Templates                                                           */
/* ------------------------------------------------------------------ */

static bool
being_deleted(const cJSON *o)
{
	return item(obj(o, "metadata"), "deletionTimestamp") != NULL;
}

/* The CellTemplate a cell resolves to: its own, the cluster's, `default`. */
static const char *
cell_template_of(const cJSON *spec, const cJSON *cell)
{
	const char *ref = sval(cell, "cellTemplate");

	if (!ref)
		ref = sval(obj(spec, "templateDefaults"), "cellTemplate");
	return ref ? ref : MG_DEFAULT_TEMPLATE_NAME;
}

/* Checks the gateways of the cells of cluster that use template `name`. */
static void
cluster_gateways(struct mg_findings *out, const cJSON *cluster,
		 const char *name, const struct mg_templates *t,
		 const char *prefix)
{
	const cJSON *spec = obj(cluster, "spec"), *c;
	size_t i = 0;

	cJSON_ArrayForEach(c, arr(spec, "cells")) {
		if (strcmp(cell_template_of(spec, c), name) == 0)
			check_resolved_gateway(out, cluster, i, t, prefix,
					       true);
		i++;
	}
}

/*
 * Every consumer of CellTemplate `tpl` (new content) resolved with it;
 * errors are kept only for clusters valid with the stored templates.
 * `lead` prefixes each message (for deletes).
 */
static void
cell_template_consumers(struct mg_findings *out, const cJSON *tpl,
			const cJSON *clusters, const struct mg_templates *stored,
			const char *lead)
{
	const char *name = mg_json_str(tpl, "metadata.name");
	struct mg_templates *overlay;
	struct mg_findings now = MG_FINDINGS_INIT, before = MG_FINDINGS_INIT;
	const cJSON *cl;
	char *prefix;
	size_t k;

	if (!name || !*name)
		return;
	overlay = mg_templates_dup(stored);
	if (mg_templates_add(overlay, tpl, NULL) != 0) {
		mg_templates_free(overlay);
		return;
	}
	cJSON_ArrayForEach(cl, items_of(clusters)) {
		if (being_deleted(cl))
			continue;
		prefix = mg_xasprintf("MultigresCluster '%s' ",
				      or_empty(mg_json_str(cl, "metadata.name")));
		cluster_gateways(&now, cl, name, overlay, prefix);
		if (mg_findings_count(&now, MG_SEV_ERROR)) {
			cluster_gateways(&before, cl, name, stored, prefix);
			if (!mg_findings_count(&before, MG_SEV_ERROR))
				for (k = 0; k < now.n; k++)
					if (now.v[k].severity == MG_SEV_ERROR)
						ERR(out, now.v[k].path, "%s%s",
						    lead, now.v[k].message);
		}
		mg_findings_release(&now);
		mg_findings_release(&before);
		free(prefix);
	}
	mg_templates_free(overlay);
}

int
mg_validate_template(struct mg_findings *out, const cJSON *tpl,
		     const cJSON *old, const cJSON *clusters,
		     const struct mg_templates *stored, struct mg_err *err)
{
	enum mg_template_kind kind;
	const cJSON *spec = obj(tpl, "spec"), *p, *gw;
	const char *name = or_empty(mg_json_str(tpl, "metadata.name"));
	size_t errors_before = mg_findings_count(out, MG_SEV_ERROR);
	char *subject;

	if (!mg_template_kind_parse(mg_json_str(tpl, "kind"), &kind))
		return mg_err_set(err, MG_EINVAL, "not a template");
	/* Metadata-only writes never depend on consumers. */
	if (old && cJSON_Compare(obj(old, "spec"), spec, true))
		return 0;
	if (old && !obj(old, "spec") && !spec)
		return 0;
	switch (kind) {
	case MG_TEMPLATE_SHARD:
		cJSON_ArrayForEach(p, obj(spec, "pools")) {
			char *path = mg_xasprintf("spec.pools.%s", p->string);

			check_pool_name(out, p->string, path, "");
			free(path);
		}
		mg_validate_postgres_config(out, obj(spec, "postgresConfig"),
					    "spec.postgresConfig");
		break;
	case MG_TEMPLATE_CELL:
		gw = obj(spec, "multigateway");
		subject = mg_xasprintf("CellTemplate '%s'", name);
		check_buffer(out, obj(gw, "buffer"), "spec.multigateway.buffer",
			     subject, false);
		free(subject);
		subject = mg_xasprintf("CellTemplate '%s' multigateway", name);
		check_resources(out, obj(gw, "resources"),
				"spec.multigateway.resources", subject);
		free(subject);
		if (mg_findings_count(out, MG_SEV_ERROR) == errors_before)
			cell_template_consumers(out, tpl, clusters, stored, "");
		break;
	default:
		break;
	}
	return 0;
}

/* Does the cluster name this template? */
static bool
template_in_use(const cJSON *cluster, enum mg_template_kind kind,
		const char *name)
{
	const cJSON *spec = obj(cluster, "spec");
	const cJSON *td = obj(spec, "templateDefaults"), *c, *db, *tg, *sh;
	const char *ref;

#define SAME(x) ((ref = (x)) != NULL && strcmp(ref, name) == 0)
	switch (kind) {
	case MG_TEMPLATE_CORE:
		return SAME(sval(td, "coreTemplate")) ||
		       SAME(sval(obj(spec, "multiadmin"), "templateRef")) ||
		       SAME(sval(obj(spec, "globalTopoServer"),
				 "templateRef")) ||
		       SAME(sval(obj(spec, "multiadminWeb"), "templateRef"));
	case MG_TEMPLATE_CELL:
		if (SAME(sval(td, "cellTemplate")))
			return true;
		cJSON_ArrayForEach(c, arr(spec, "cells"))
			if (SAME(sval(c, "cellTemplate")))
				return true;
		return false;
	case MG_TEMPLATE_SHARD:
		if (SAME(sval(td, "shardTemplate")))
			return true;
		cJSON_ArrayForEach(db, arr(spec, "databases"))
			cJSON_ArrayForEach(tg, arr(db, "tablegroups"))
				cJSON_ArrayForEach(sh, arr(tg, "shards"))
					if (SAME(sval(sh, "shardTemplate")))
						return true;
		return false;
	default:
		return false;
	}
#undef SAME
}

int
mg_validate_template_delete(struct mg_findings *out, const cJSON *tpl,
			    const cJSON *clusters,
			    const struct mg_templates *stored,
			    struct mg_err *err)
{
	enum mg_template_kind kind;
	const char *name = mg_json_str(tpl, "metadata.name");
	const cJSON *cl;
	cJSON *empty, *meta;
	bool in_use = false;
	char *lead;

	if (!mg_template_kind_parse(mg_json_str(tpl, "kind"), &kind))
		return mg_err_set(err, MG_EINVAL, "not a template");
	if (!name)
		name = "";
	cJSON_ArrayForEach(cl, items_of(clusters)) {
		if (being_deleted(cl) || !template_in_use(cl, kind, name))
			continue;
		ERR(out, "",
		    "cannot delete %s '%s' because it is in use by "
		    "MultigresCluster '%s'",
		    mg_template_kind_name(kind), name,
		    or_empty(mg_json_str(cl, "metadata.name")));
		in_use = true;
	}
	if (in_use || kind != MG_TEMPLATE_CELL ||
	    strcmp(name, MG_DEFAULT_TEMPLATE_NAME) != 0)
		return 0;
	/* Cells falling back to `default` would resolve without it. */
	empty = cJSON_CreateObject();
	cJSON_AddStringToObject(empty, "kind", "CellTemplate");
	meta = cJSON_AddObjectToObject(empty, "metadata");
	cJSON_AddStringToObject(meta, "name", name);
	lead = mg_xasprintf("cannot delete CellTemplate '%s': consumers would "
			    "resolve an invalid config without it: ",
			    name);
	cell_template_consumers(out, empty, clusters, stored, lead);
	free(lead);
	cJSON_Delete(empty);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Child CRs                                                           */
/* ------------------------------------------------------------------ */

void
mg_validate_child_request(struct mg_findings *out, const char *kind,
			  const char *username, const char *operator_ns,
			  const char *operator_sa)
{
	char *op;
	bool ok;

	op = mg_xasprintf("system:serviceaccount:%s:%s", or_empty(operator_ns),
			  operator_sa ? operator_sa : "multigres-operator");
	ok = username &&
	     (strcmp(username, op) == 0 ||
	      strcmp(username, "system:serviceaccount:kube-system:"
			       "generic-garbage-collector") == 0 ||
	      strcmp(username, "system:serviceaccount:kube-system:"
			       "namespace-controller") == 0);
	free(op);
	if (!ok)
		ERR(out, "",
		    "direct modification of %s is prohibited; this resource is "
		    "managed by the MultigresCluster parent object",
		    kind && *kind ? kind : "Resource");
}
