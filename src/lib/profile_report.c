/* profile_report.c - printing profile diagnostics for humans (FILE:LINE:COL:
 * severity: message [class]) and as JSON "profile_diag" events. */
#include "config.h"
#include "profile.h"
#include "print.h"

void bf_profile_report(const char *path, const struct bf_profile_result *res)
{
	size_t i;

	for (i = 0; i < res->n; i++) {
		const struct bf_profile_diag *d = &res->d[i];
		const char *file = d->pos.file ? d->pos.file : path;

		bf_print_begin("profile_diag");
		bf_print_string(BF_PRINT_ANY, "file", "%s:", file);
		bf_print_uint(BF_PRINT_ANY, "line", "%llu:", d->pos.line);
		bf_print_uint(BF_PRINT_ANY, "col", "%llu: ", d->pos.col);
		bf_print_string(BF_PRINT_ANY, "severity", "%s: ", bf_profile_sev_name(d->sev));
		bf_print_string(BF_PRINT_JSON, "class", NULL, bf_profile_class_name(d->cls));
		if (d->path[0])
			bf_print_string(BF_PRINT_JSON, "path", NULL, d->path);
		bf_print_string(BF_PRINT_ANY, "message", "%s ", d->msg);
		bf_print_string(BF_PRINT_TEXT, NULL, "[%s]\n", bf_profile_class_name(d->cls));
		bf_print_end();
	}
	bf_print_line("%s: %u error%s, %u warning%s", path, res->errors, res->errors == 1 ? "" : "s", res->warnings,
		     res->warnings == 1 ? "" : "s");
}
