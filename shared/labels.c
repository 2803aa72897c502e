#include "compat.h"
#include "labels.h"

#include <assert.h>

/*
 * Stable identity labels only: a mutable label (zone, version, template)
 * in a selector would force the recreation of objects whose selectors
 * are immutable.
 */
const char *const mg_label_selector_keys[] = {
	MG_LABEL_APP_COMPONENT,
	MG_LABEL_APP_INSTANCE,
	MG_LABEL_CLUSTER,
	MG_LABEL_DATABASE,
	MG_LABEL_TABLEGROUP,
	MG_LABEL_SHARD,
	MG_LABEL_POOL,
	MG_LABEL_CELL,
};

const size_t mg_label_selector_nkeys = ARRAY_SIZE(mg_label_selector_keys);

bool
mg_label_is_selector(const char *key)
{
	size_t i;

	assert(key);
	for (i = 0; i < ARRAY_SIZE(mg_label_selector_keys); i++)
		if (strcmp(key, mg_label_selector_keys[i]) == 0)
			return true;
	return false;
}
