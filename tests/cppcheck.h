/* Macros cppcheck cannot see, because it does not read system headers. */
#define cJSON_ArrayForEach(element, array) \
	for (element = (array != NULL) ? (array)->child : NULL; element != NULL; \
	     element = element->next)
