/* virtnet.c - the virtio-net controller's CLI (see virtnet.h). Facts: the
 * controller's README and NVIDIA's virtio-net service guide: `virtnet
 * hotplug -i IB_DEVICE -m MAC -t MTU -n MAX_QUEUES -s MAX_QUEUE_SIZE`,
 * `unplug -u VUID`, `list` answering {"controller", "devices": [...]}
 * where numbers may be strings; older clients echo their arguments first. */
#include "config.h"
#include "virtnet.h"
#include "error.h"
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Run prog with args; its stdout (bounded) in *out. 0 on exit 0. */
static int run(const char *prog, char *const argv[], char **out, size_t *olen)
{
	int pfd[2], status = 0;
	size_t cap = 4096, len = 0;
	char *buf = malloc(cap);
	time_t t0 = time(NULL);
	pid_t pid;

	if (!buf || pipe2(pfd, O_CLOEXEC) < 0) {
		free(buf);
		return -errno;
	}
	pid = fork();
	if (pid < 0) {
		free(buf);
		close(pfd[0]);
		close(pfd[1]);
		return -errno;
	}
	if (pid == 0) {
		dup2(pfd[1], 1);
		execvp(prog, argv);
		_exit(127);
	}
	close(pfd[1]);
	for (;;) {
		struct pollfd p = { pfd[0], POLLIN, 0 };
		int left = BF_VIRTNET_TIMEOUT_S - (int)(time(NULL) - t0);
		ssize_t n;

		if (left <= 0 || poll(&p, 1, left * 1000) == 0) {
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
			close(pfd[0]);
			free(buf);
			return bf_error_ret(ETIMEDOUT, "wait for '%s %s': no answer within %d s", prog, argv[1],
					    BF_VIRTNET_TIMEOUT_S);
		}
		if (len + 4096 + 1 > cap && cap < BF_VIRTNET_MAX_OUTPUT + 8192) {
			char *nb = realloc(buf, cap * 2);

			if (!nb)
				break;
			buf = nb;
			cap *= 2;
		}
		n = read(pfd[0], buf + len, cap - len - 1 < 4096 ? cap - len - 1 : 4096);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
		if (len > BF_VIRTNET_MAX_OUTPUT) {
			kill(pid, SIGKILL);
			break;
		}
	}
	close(pfd[0]);
	waitpid(pid, &status, 0);
	buf[len] = 0;
	*out = buf;
	*olen = len;
	if (len > BF_VIRTNET_MAX_OUTPUT)
		return bf_error_ret(EMSGSIZE, "'%s %s' answered more than %u bytes", prog, argv[1], BF_VIRTNET_MAX_OUTPUT);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
		return bf_error_ret(ENOENT, "cannot run %s (the virtio-net controller's CLI)", prog);
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		return bf_error_ret(EIO, "'%s %s' failed (exit %d)", prog, argv[1],
				    WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
	return 0;
}

/* The first JSON object in buf that starts a line. New reference or NULL. */
static struct json_object *first_object(const char *buf, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (buf[i] == '{' && (i == 0 || buf[i - 1] == '\n')) {
			struct json_tokener *tok = json_tokener_new_ex(16);
			struct json_object *o;

			if (!tok)
				return NULL;
			o = json_tokener_parse_ex(tok, buf + i, (int)(len - i));
			json_tokener_free(tok);
			if (o && json_object_is_type(o, json_type_object))
				return o;
			json_object_put(o);
		}
	}
	return NULL;
}

/* A number given as a number or as a decimal/hex string. */
static unsigned num(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v))
		return 0;
	if (json_object_is_type(v, json_type_int))
		return (unsigned)json_object_get_int64(v);
	if (json_object_is_type(v, json_type_string))
		return (unsigned)strtoul(json_object_get_string(v), NULL, 0);
	return 0;
}

static void str(struct json_object *o, const char *key, char *dst, size_t cap)
{
	struct json_object *v;
	size_t i;

	dst[0] = 0;
	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return;
	snprintf(dst, cap, "%s", json_object_get_string(v));
	for (i = 0; dst[i]; i++)
		if ((unsigned char)dst[i] < 0x20 || (unsigned char)dst[i] >= 0x7f)
			dst[i] = '?';
}

int bf_agent_virtnet_parse_list(const char *buf, size_t len, struct bf_agent_obs *o)
{
	struct json_object *root = first_object(buf, len), *devs;
	size_t i;

	o->nvdevs = 0;
	if (!root || !json_object_object_get_ex(root, "devices", &devs) || !json_object_is_type(devs, json_type_array)) {
		json_object_put(root);
		return bf_error_ret(EBADMSG, "'virtnet list' did not answer {\"devices\": [...]}");
	}
	for (i = 0; i < json_object_array_length(devs) && o->nvdevs < BF_AGENT_MAX_VIRTIO; i++) {
		struct json_object *d = json_object_array_get_idx(devs, i);
		struct bf_agent_vdev *v = &o->vdevs[o->nvdevs];

		if (!json_object_is_type(d, json_type_object))
			continue;
		memset(v, 0, sizeof(*v));
		str(d, "vuid", v->vuid, sizeof(v->vuid));
		str(d, "net_mac", v->mac, sizeof(v->mac));
		str(d, "sf_rep_net_device", v->sf_rep, sizeof(v->sf_rep));
		str(d, "function_type", v->type, sizeof(v->type));
		for (size_t k = 0; v->mac[k]; k++)
			if (v->mac[k] >= 'A' && v->mac[k] <= 'F')
				v->mac[k] = (char)(v->mac[k] - 'A' + 'a');
		v->pf = num(d, "pf_id");
		v->mtu = num(d, "net_mtu");
		v->queues = num(d, "max_queues");
		v->queue_size = num(d, "max_queues_size");
		o->nvdevs++;
	}
	json_object_put(root);
	o->have_virtio = true;
	return 0;
}

int bf_agent_virtnet_list(const char *prog, struct bf_agent_obs *o)
{
	char *argv[] = { (char *)prog, (char *)"list", NULL }, *out = NULL;
	size_t len;
	int r = run(prog, argv, &out, &len);

	if (r == 0)
		r = bf_agent_virtnet_parse_list(out, len, o);
	free(out);
	return r;
}

/* errno/errstr of a hotplug/unplug answer (absent in older releases). */
static int answer(const char *what, const char *out, size_t len)
{
	struct json_object *root = first_object(out, len), *e;
	char es[160];
	int r = 0;

	if (root && json_object_object_get_ex(root, "errno", &e) && json_object_get_int(e) != 0) {
		str(root, "errstr", es, sizeof(es));
		r = bf_error_ret(EIO, "virtnet %s: %s (errno %d)", what, es, json_object_get_int(e));
	}
	json_object_put(root);
	return r;
}

int bf_agent_virtnet_hotplug(const char *prog, const char *ib_device, const struct bf_profile_virtio *v)
{
	char mtu[16], q[16], qs[16], *out = NULL;
	char *argv[] = { (char *)prog, (char *)"hotplug", (char *)"-i", (char *)ib_device, (char *)"-m", (char *)v->mac,
			 (char *)"-t", mtu, (char *)"-n", q, (char *)"-s", qs, NULL };
	size_t len;
	int r;

	snprintf(mtu, sizeof(mtu), "%u", v->mtu);
	snprintf(q, sizeof(q), "%u", v->queues);
	snprintf(qs, sizeof(qs), "%u", v->queue_size);
	r = run(prog, argv, &out, &len);
	if (r == 0)
		r = answer("hotplug", out, len);
	free(out);
	return r;
}

int bf_agent_virtnet_unplug(const char *prog, const char *vuid)
{
	char *argv[] = { (char *)prog, (char *)"unplug", (char *)"-u", (char *)vuid, NULL }, *out = NULL;
	size_t len;
	int r = run(prog, argv, &out, &len);

	if (r == 0)
		r = answer("unplug", out, len);
	free(out);
	return r;
}
