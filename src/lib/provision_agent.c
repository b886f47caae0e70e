/* provision_agent.c - the agent and verify steps, and day-2 access: copy
 * bfagent and the profile (with the files it includes) to the DPU over
 * SSH, run `bfagent --json VERB`, pass its JSON lines on as events, and
 * read the verdict from its summary and result: apply must end with exit
 * 0, status must report no drift. */
#include "config.h"
#include "provision_int.h"
#include "error.h"
#include "event.h"
#include "fileio.h"
#include "print.h"
#include "profile.h"

#include <errno.h>
#include <json-c/json.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define AGENT_MAX (256u << 20)

static __thread struct bf_prov_tally *cur_tally;

bool bf_prov_tally_line(struct bf_prov_tally *t, const char *line)
{
	json_object *o = json_tokener_parse(line), *v;
	const char *e;

	if (!o || !json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		return false;   /* not one of bfagent's events */
	}
	e = json_object_object_get_ex(o, "event", &v) && json_object_is_type(v, json_type_string) ?
	    json_object_get_string(v) : "";
	if (!strcmp(e, "object") && json_object_object_get_ex(o, "action", &v) &&
	    json_object_is_type(v, json_type_string) && !strcmp(json_object_get_string(v), "drift"))
		t->drift++;
	if (!strcmp(e, "summary")) {
		t->summary = true;
		if (json_object_object_get_ex(o, "changes", &v) && json_object_is_type(v, json_type_int))
			t->changes = (unsigned)json_object_get_int(v);
		if (json_object_object_get_ex(o, "failed", &v) && json_object_is_type(v, json_type_int))
			t->failed = (unsigned)json_object_get_int(v);
	}
	json_object_put(o);
	return true;
}

static const char *str_key(json_object *o, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string) ?
	       json_object_get_string(v) : NULL;
}

static void agent_say(const char *device, json_object *o)
{
	const char *what = str_key(o, "verdict") ? str_key(o, "verdict") : str_key(o, "action");
	const char *kind = str_key(o, "kind"), *id = str_key(o, "id"), *why = str_key(o, "reason");

	if (what)
		bf_print_line("%s%sagent: %-10s %-12s %-28s %s", device ? device : "", device ? ": " : "",
			      what, kind ? kind : "", id ? id : "", why ? why : "");
}

void bf_provision_agent_emit(const char *device, const char *text)
{
	json_object *o = json_tokener_parse(text);
	const char *e;
	char name[48] = "agent";

	if (!o || !json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		return;
	}
	if (bf_event_device())
		device = NULL;   /* every event of this thread names it */
	if (!bf_event_json()) {
		agent_say(device, o);
		json_object_put(o);
		return;
	}
	if ((e = str_key(o, "event")))
		snprintf(name, sizeof(name), strcmp(e, "object") ? "agent_%.30s" : "%s", e);
	json_object_object_del(o, "event");
	json_object_object_del(o, "time");
	json_object_object_del(o, "device");
	json_object_object_add(o, "stage", json_object_new_string("agent"));
	if (device)
		json_object_object_add(o, "device", json_object_new_string(device));
	bf_event_emit(name, o);
}

static void on_agent_line(struct bf_prov *p, const char *line)
{
	struct bf_provision_event ev = { .kind = BF_PROV_EV_AGENT, .text = line };
	struct bf_prov_tally scratch = { 0 };

	if (bf_prov_tally_line(cur_tally ? cur_tally : &scratch, line))
		bf_prov_emit(p, &ev);
}

/* Only these characters in a remote file name. */
static void safe_name(const char *path, char *out, size_t cap)
{
	char tmp[4096];
	const char *b;
	size_t i;

	snprintf(tmp, sizeof(tmp), "%s", path);
	b = basename(tmp);
	snprintf(out, cap, "%s", b);
	for (i = 0; out[i]; i++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-", out[i]))
			out[i] = '_';
	if (out[0] == '.' || !out[0])
		out[0] = '_';
}

static int put_file(struct bf_prov *p, struct bf_prov_ssh *s, const char *local, const char *remote, const char *mode)
{
	char cmd[1024], err[512], *buf = NULL;
	size_t len = 0;
	int r, st;

	r = bf_file_read_all(local, AGENT_MAX, &buf, &len);
	if (r < 0)
		return bf_prov_fail(p, BF_EXIT_INPUT, r, NULL, "%s: cannot read %s: %s", p->o->device, local,
				    bf_error_str(r));
	snprintf(cmd, sizeof(cmd), "umask 077 && mkdir -p " BF_PROV_REMOTE_DIR "/bin " BF_PROV_REMOTE_DIR
		 "/profile && cat > '%s.new' && chmod %s '%s.new' && mv -f '%s.new' '%s'", remote, mode, remote, remote, remote);
	r = bf_prov_ssh_exec(p, s, cmd, buf, len, NULL, err, sizeof(err), &st);
	free(buf);
	if (r == 0 && st != 0)
		r = bf_prov_fail(p, BF_EXIT_FAILURE, -EIO, "check the DPU's free space in " BF_PROV_REMOTE_DIR,
				 "%s: copying %s to the DPU failed (exit %d): %.200s", p->o->device, local, st, err);
	return r;
}

static int find_agent(struct bf_prov *p, char *out, size_t cap)
{
	const char *e = p->o->agent_bin ? p->o->agent_bin : getenv("BFCTL_AGENT");
	char self[4000];
	ssize_t n;

	if (e && *e) {
		snprintf(out, cap, "%s", e);
		return 0;
	}
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n > 0) {
		self[n] = '\0';
		snprintf(out, cap, "%s/bfagent", dirname(self));
		if (access(out, X_OK) == 0)
			return 0;
		/* the build tree: src/bfctl/bfctl beside src/agent/bfagent */
		snprintf(out, cap, "%s/../agent/bfagent", self);
		if (access(out, X_OK) == 0)
			return 0;
	}
	snprintf(out, cap, "/usr/libexec/bfctl/bfagent");
	if (access(out, X_OK) == 0)
		return 0;
	return bf_prov_fail(p, BF_EXIT_INPUT, -ENOENT, "give the DPU's bfagent with BFCTL_AGENT=PATH",
			    "%s: no bfagent to copy to the DPU", p->o->device);
}

/* Copy bfagent and the profile's files; the remote profile path in top. */
static int copy(struct bf_prov *p, struct bf_prov_ssh *s, const struct bf_profile *prof, char *top, size_t cap)
{
	char agent[4200], name[256], remote[512];
	size_t i;
	int r;

	if ((r = find_agent(p, agent, sizeof(agent))) != 0)
		return r;
	if ((r = put_file(p, s, agent, BF_PROV_REMOTE_DIR "/bin/bfagent", "700")) != 0)
		return r;
	for (i = 0; i < prof->nfiles; i++) {
		safe_name(prof->files[i], name, sizeof(name));
		snprintf(remote, sizeof(remote), BF_PROV_REMOTE_DIR "/profile/%s", name);
		if ((r = put_file(p, s, prof->files[i], remote, "600")) != 0)
			return r;
		if (i == 0)
			snprintf(top, cap, "%s", remote);
	}
	bf_prov_info(p, "copied bfagent (%s) and %zu profile file%s to " BF_PROV_REMOTE_DIR, agent, prof->nfiles,
		     prof->nfiles == 1 ? "" : "s");
	return 0;
}

int bf_prov_agent_run(struct bf_prov *p, struct bf_prov_ssh *s, const struct bf_profile *prof, const char *verb,
		      bool do_copy)
{
	struct bf_prov_tally t = { 0 };
	char top[512] = "", cmd[1024], err[1024];
	int r, st;

	if (prof && do_copy && (r = copy(p, s, prof, top, sizeof(top))) != 0)
		return r;
	if (prof && !do_copy) {
		char name[256];

		safe_name(prof->files[0], name, sizeof(name));
		snprintf(top, sizeof(top), BF_PROV_REMOTE_DIR "/profile/%s", name);
	}
	snprintf(cmd, sizeof(cmd), BF_PROV_REMOTE_DIR "/bin/bfagent --json %s %s", verb, top);
	cur_tally = &t;
	r = bf_prov_ssh_exec(p, s, cmd, NULL, 0, on_agent_line, err, sizeof(err), &st);
	cur_tally = NULL;
	if (r != 0)
		return r;
	err[strcspn(err, "\n")] = '\0';
	p->res->agent_changes = t.changes;
	if (st != 0)
		return bf_prov_fail(p, BF_EXIT_FAILURE, -EIO,
				    "see the agent's events; fix the cause and run provision again (it continues where it stopped)",
				    "%s: bfagent %s ended with exit %d (%u failed)%s%.300s", p->o->device, verb, st, t.failed,
				    err[0] ? ": " : "", err);
	if (!strcmp(verb, "status") && prof && t.drift)
		return bf_prov_fail(p, BF_EXIT_FAILURE, -EIO, "run 'bfctl agent -r DEV apply --profile FILE'",
				    "%s: bfagent status shows %u object%s drifting from the profile", p->o->device, t.drift,
				    t.drift == 1 ? "" : "s");
	return 0;
}
