/* rshim.c - opening a device by the name the user gave (the backend table). */
#include "config.h"
#include "rshim.h"
#include "rshim/usb.h"
#include "error.h"
#include "log.h"

#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct backend {
	const char *prefix;     /* "sim" matches "sim" and "sim:ARG" */
	int (*open)(const char *arg, struct bf_rshim **out);
};

static const struct backend backends[] = {
	{ "sim", bf_rshim_sim_open },
	{ "pcie", bf_rshim_pcie_open },
	{ "usb", bf_rshim_usb_open },
	{ "pcie-lf", bf_rshim_pcie_lf_open },
};

/* Owner locks of the open devices (lock.c): one per handle. */
struct held {
	struct bf_rshim *r;
	int fd;
	struct held *next;
};
static struct held *held_list;
static pthread_mutex_t held_mu = PTHREAD_MUTEX_INITIALIZER;

static void held_add(struct bf_rshim *r, int fd)
{
	struct held *h = malloc(sizeof(*h));

	if (!h) {
		close(fd);
		return;
	}
	h->r = r;
	h->fd = fd;
	pthread_mutex_lock(&held_mu);
	h->next = held_list;
	held_list = h;
	pthread_mutex_unlock(&held_mu);
}

static int held_take(struct bf_rshim *r)
{
	struct held **p, *h;
	int fd = -1;

	pthread_mutex_lock(&held_mu);
	for (p = &held_list; *p; p = &(*p)->next)
		if ((*p)->r == r) {
			h = *p;
			*p = h->next;
			fd = h->fd;
			free(h);
			break;
		}
	pthread_mutex_unlock(&held_mu);
	return fd;
}

int bf_rshim_lock_note(struct bf_rshim *r, const char *note)
{
	struct held *h;
	int ret = -ENOENT;

	pthread_mutex_lock(&held_mu);
	for (h = held_list; h; h = h->next)
		if (h->r == r)
			ret = bf_rshim_lock_write_note(h->fd, note);
	pthread_mutex_unlock(&held_mu);
	return ret;
}

/* "rshim0", "/dev/rshim0", "/some/dir/rshim3": the files of a running rshimd. */
static bool is_daemon_name(const char *name)
{
	size_t n = strlen("rshim");

	if (name[0] == '/')
		return true;
	if (strncmp(name, "rshim", n) || !name[n])
		return false;
	for (name += n; *name; name++)
		if (!isdigit((unsigned char)*name))
			return false;
	return true;
}

static int open_backend(const char *name, struct bf_rshim **out);

int bf_rshim_open(const char *name, struct bf_rshim **out)
{
	char key[256];
	int fd = -1, k, ret;

	*out = NULL;
	if (is_daemon_name(name))
		return open_backend(name, out);
	/* One owner per device: the lock is taken before the backend touches
	 * the device (opening a simulated one loads its state). */
	k = bf_rshim_lock_key(name, key, sizeof(key));
	if (k < 0)
		return bf_error_ret(-k, "device name '%s' too long", name);
	if (k > 0 && (ret = bf_rshim_lock_take(name, key, &fd)) < 0)
		return ret;
	ret = open_backend(name, out);
	if (ret < 0) {
		bf_rshim_lock_drop(key, fd);
		return ret;
	}
	if (fd < 0 && (*out)->dev_name[0] && strncmp((*out)->dev_name, "sim-", 4)) {
		/* A bare name ("pcie"): keyed by what it resolved to. */
		snprintf(key, sizeof(key), "%s", (*out)->dev_name);
		for (k = 0; key[k]; k++)
			if (key[k] == '/')
				key[k] = '_';
		if ((ret = bf_rshim_lock_take(name, key, &fd)) < 0) {
			bf_rshim_close(*out);
			*out = NULL;
			return ret;
		}
	}
	if (fd >= 0)
		held_add(*out, fd);
	return 0;
}

static int open_backend(const char *name, struct bf_rshim **out)
{
	size_t i;

	if (is_daemon_name(name)) {
		int r = bf_rshim_daemon_open(name, out);

		if (r < 0)
			return r;
		snprintf((*out)->name, sizeof((*out)->name), "%s", name);
		bf_info("%s: opened through rshimd (%s)", name, (*out)->chip->name);
		return 0;
	}
	for (i = 0; i < sizeof(backends) / sizeof(backends[0]); i++) {
		size_t n = strlen(backends[i].prefix);
		const char *arg;
		int r;

		if (strncmp(name, backends[i].prefix, n) != 0)
			continue;
		if (name[n] == '\0')
			arg = NULL;
		else if (name[n] == ':')
			arg = name + n + 1;
		else
			continue;
		r = backends[i].open(arg, out);
		if (r < 0)
			return r;
		if (!((*out)->speed > 0))
			(*out)->speed = 1.0;   /* hardware; a simulated device says its own */
		snprintf((*out)->name, sizeof((*out)->name), "%s", name);
		bf_info("%s: opened %s (%s)", name, (*out)->dev_name, (*out)->chip->name);
		return 0;
	}
	return bf_error_ret(ENODEV, "no RShim device named '%s' (known forms: sim:N, usb:BUS-PORT, pcie:DDDD:BB:DD.F, "
			    "pcie-lf:DDDD:BB:DD.F, rshimN through rshimd)", name);
}

void bf_rshim_close(struct bf_rshim *r)
{
	int fd;

	if (!r)
		return;
	fd = held_take(r);
	if (r->ops->close)
		r->ops->close(r);
	/* Released only after the backend let go (a simulated device saves
	 * its state on close). */
	if (fd >= 0)
		close(fd);
}
