/* strdist.c - bounded edit distance and suggestions (see strdist.h). */
#include "config.h"
#include "strdist.h"

#include <string.h>
#include <strings.h>

unsigned bf_str_distance(const char *a, const char *b)
{
	unsigned row[65], i, j, la = (unsigned)strlen(a), lb = (unsigned)strlen(b);

	if (la > 64 || lb > 64)
		return 99;
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		unsigned diag = row[0], up;

		row[0] = i;
		for (j = 1; j <= lb; j++) {
			unsigned best = diag + (a[i - 1] != b[j - 1]);

			up = row[j];
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			if (up + 1 < best)
				best = up + 1;
			diag = up;
			row[j] = best;
		}
	}
	return row[lb];
}

const char *bf_str_suggest(const char *name, const char *const *list)
{
	const char *best = NULL;
	unsigned bestd = 3, d;

	for (; *list; list++) {
		if (!strcasecmp(*list, name))
			return *list;
		d = bf_str_distance(name, *list);
		if (d < bestd && 2 * d < strlen(name)) {
			bestd = d;
			best = *list;
		}
	}
	return best;
}
