/* dl.c - load an optional shared library on first use (see dl.h). */
#include "config.h"
#include "dl.h"
#include "error.h"

#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>

static pthread_mutex_t dl_lock = PTHREAD_MUTEX_INITIALIZER;

static int dl_open(struct bf_dl_lib *lib)
{
	void *h = dlopen(lib->soname, RTLD_NOW | RTLD_LOCAL);
	const char *e;
	size_t i;

	if (!h) {
		e = dlerror();
		snprintf(lib->why, sizeof(lib->why),
			 "%s is needed %s but cannot be loaded (%s): install the Debian package %s",
			 lib->soname, lib->purpose, e ? e : "not found", lib->package);
		return -ELIBACC;
	}
	for (i = 0; i < lib->nsyms; i++) {
		dlerror();
		*lib->syms[i].ptr = dlsym(h, lib->syms[i].name);
		if (!*lib->syms[i].ptr) {
			snprintf(lib->why, sizeof(lib->why),
				 "%s, needed %s, has no function %s: install the Debian package %s "
				 "in the version bfctl was built with", lib->soname, lib->purpose,
				 lib->syms[i].name, lib->package);
			dlclose(h);
			for (i = 0; i < lib->nsyms; i++)
				*lib->syms[i].ptr = NULL;
			return -ELIBACC;
		}
	}
	return 0;   /* kept open for the life of the process */
}

int bf_dl_load(struct bf_dl_lib *lib)
{
	int r;

	pthread_mutex_lock(&dl_lock);
	if (!lib->tried) {
		lib->err = dl_open(lib);
		lib->tried = true;
	}
	r = lib->err;
	pthread_mutex_unlock(&dl_lock);
	if (r < 0)
		bf_error_set("%s", lib->why);
	return r;
}
