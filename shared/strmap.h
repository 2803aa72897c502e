/*
 * strmap.h - a hash map from NUL-terminated strings to pointers.
 *
 * Open addressing with linear probing and backward-shift deletion, FNV-1a
 * hashing; the table doubles when it is 3/4 full, so lookups stay O(1) for
 * the watch caches and snapshots that index objects by uid or by
 * namespace/name.
 *
 * Ownership: the map copies every key it stores and frees the copies; the
 * values are the caller's (the map never frees them). Keys and values are
 * never NULL. Pointers returned by mg_strmap_get stay valid until the entry
 * is deleted or replaced. Allocation failures abort (xalloc.h).
 */
#ifndef MG_STRMAP_H
#define MG_STRMAP_H

#include <stddef.h>

#include "compat.h"

struct mg_strmap_slot {
	char *key;   /* NULL: empty slot */
	void *value;
	unsigned hash;
};

struct mg_strmap {
	struct mg_strmap_slot *slots;
	size_t cap;  /* 0 or a power of two */
	size_t len;
};

#define MG_STRMAP_INIT { NULL, 0, 0 }

void mg_strmap_init(struct mg_strmap *m);
/* Frees the keys and the table (not the values); the map is empty again. */
void mg_strmap_release(struct mg_strmap *m);

/* The value stored under key, or NULL. */
void *mg_strmap_get(const struct mg_strmap *m, const char *key);

/*
 * Stores value under key. Returns the value it replaced, or NULL when key
 * was new, so that the caller can free it.
 */
void *mg_strmap_put(struct mg_strmap *m, const char *key, void *value);

/* Removes key; returns its value, or NULL when it was absent. */
void *mg_strmap_del(struct mg_strmap *m, const char *key);

/*
 * Iteration: `for (size_t i = 0; mg_strmap_next(m, &i, &k, &v);)` visits
 * every entry once, in no particular order. The map must not change
 * during the walk.
 */
bool mg_strmap_next(const struct mg_strmap *m, size_t *iter, const char **key,
		    void **value);

#endif /* MG_STRMAP_H */
