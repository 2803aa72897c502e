/* strmap.c - see strmap.h. */
#include "compat.h"
#include "strmap.h"

#include <string.h>

#include "xalloc.h"

static unsigned
hash_str(const char *s)
{
	unsigned h = 2166136261u;

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 16777619u;
	}
	return h;
}

void
mg_strmap_init(struct mg_strmap *m)
{
	*m = (struct mg_strmap)MG_STRMAP_INIT;
}

void
mg_strmap_release(struct mg_strmap *m)
{
	for (size_t i = 0; i < m->cap; i++)
		free(m->slots[i].key);
	free(m->slots);
	mg_strmap_init(m);
}

/* The slot holding key, or the empty slot where it would go. */
static size_t
find(const struct mg_strmap *m, const char *key, unsigned h)
{
	size_t mask = m->cap - 1, i = h & mask;

	while (m->slots[i].key &&
	       (m->slots[i].hash != h || strcmp(m->slots[i].key, key)))
		i = (i + 1) & mask;
	return i;
}

static void
grow(struct mg_strmap *m)
{
	struct mg_strmap_slot *old = m->slots;
	size_t oldcap = m->cap;

	m->cap = oldcap ? oldcap * 2 : 16;
	m->slots = mg_xcalloc(m->cap, sizeof(*m->slots));
	for (size_t i = 0; i < oldcap; i++)
		if (old[i].key)
			m->slots[find(m, old[i].key, old[i].hash)] = old[i];
	free(old);
}

void *
mg_strmap_get(const struct mg_strmap *m, const char *key)
{
	size_t i;

	if (!m->len)
		return NULL;
	i = find(m, key, hash_str(key));
	return m->slots[i].key ? m->slots[i].value : NULL;
}

void *
mg_strmap_put(struct mg_strmap *m, const char *key, void *value)
{
	unsigned h = hash_str(key);
	size_t i;

	if ((m->len + 1) * 4 > m->cap * 3)
		grow(m);
	i = find(m, key, h);
	if (m->slots[i].key) {
		void *old = m->slots[i].value;

		m->slots[i].value = value;
		return old;
	}
	m->slots[i] = (struct mg_strmap_slot){ mg_xstrdup(key), value, h };
	m->len++;
	return NULL;
}

void *
mg_strmap_del(struct mg_strmap *m, const char *key)
{
	size_t mask, i, j;
	void *value;

	if (!m->len)
		return NULL;
	mask = m->cap - 1;
	i = find(m, key, hash_str(key));
	if (!m->slots[i].key)
		return NULL;
	value = m->slots[i].value;
	free(m->slots[i].key);
	m->slots[i].key = NULL;
	m->len--;
	/* Backward shift: move later members of the run into the hole. */
	for (j = (i + 1) & mask; m->slots[j].key; j = (j + 1) & mask) {
		size_t home = m->slots[j].hash & mask;

		/* j's entry may move to i if its home is not in (i, j]. */
		if (i <= j ? (home <= i || home > j) : (home <= i && home > j)) {
			m->slots[i] = m->slots[j];
			m->slots[j].key = NULL;
			i = j;
		}
	}
	return value;
}

bool
mg_strmap_next(const struct mg_strmap *m, size_t *iter, const char **key,
	       void **value)
{
	for (; *iter < m->cap; (*iter)++) {
		if (m->slots[*iter].key) {
			*key = m->slots[*iter].key;
			*value = m->slots[*iter].value;
			(*iter)++;
			return true;
		}
	}
	return false;
}
