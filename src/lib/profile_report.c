/* profile_report.c - printing profile diagnostics for humans (FILE:LINE:COL:
 * severity: message [class]) and as JSON "profile_diag" events. */
#include "config.h"
#include "profile.h"
#include "event.h"

#include <json-c/json.h>

void bf_profile_report(const char *path, const struct bf_profile_result *res)
{
	size_t i;

	for (i = 0; i < res->n; i++) {
		const struct bf_profile_diag *d = &res->d[i];
		const char *file = d->pos.file ? d->pos.file : path;

		if (bf_event_json()) {
			struct json_object *o = json_object_new_object();

			json_object_object_add(o, "file", json_object_new_string(file));
			json_object_object_add(o, "line", json_object_new_int((int)d->pos.line));
			json_object_object_add(o, "col", json_object_new_int((int)d->pos.col));
			json_object_object_add(o, "severity", json_object_new_string(bf_profile_sev_name(d->sev)));
			json_object_object_add(o, "class", json_object_new_string(bf_profile_class_name(d->cls)));
			if (d->path[0])
				json_object_object_add(o, "path", json_object_new_string(d->path));
			json_object_object_add(o, "message", json_object_new_string(d->msg));
			bf_event_emit("profile_diag", o);
		} else {
			bf_event_say("%s:%u:%u: %s: %s [%s]", file, d->pos.line, d->pos.col, bf_profile_sev_name(d->sev),
				     d->msg, bf_profile_class_name(d->cls));
		}
	}
	bf_event_say("%s: %u error%s, %u warning%s", path, res->errors, res->errors == 1 ? "" : "s", res->warnings,
		     res->warnings == 1 ? "" : "s");
}
