/* fetch_http.c - http:// and https:// fetches through libcurl. */
#include "config.h"

#include "fetch_int.h"

size_t fetch_http_many(struct fetch_item **v, size_t n, unsigned parallel, struct fetch_http_progress *p)
{
	(void)parallel;
	(void)p;
	for (size_t i = 0; i < n; i++)
		fetch_fail(v[i], false, "cannot fetch '%s': HTTP is not supported yet", v[i]->url);
	return n;
}
