/* dl.h - optional shared libraries loaded when a command first needs them
 * (bf_dl_*). A program that links libcurl, libssh, libarchive,
 * libmicrohttpd and libcrypto pays for mapping and relocating them, and
 * their forty-odd dependencies, at every start, even to verify a file.
 * Each such library has one small module (dl_curl.c, dl_ssh.c, ...)
 * that lists the functions bfctl calls; they are reached through
 * pointers named dl_ + the library's own name (dl_curl_easy_init), typed
 * from the library's header, filled by dlopen + dlsym on first use.
 *
 * A module declares its list once, as X(function) items, and expands it
 * with BF_DL_EXTERN (header), BF_DL_DEFINE and BF_DL_ENTRY (source). */
#ifndef BF_DL_H
#define BF_DL_H

#include <stdbool.h>
#include <stddef.h>

#define BF_DL_EXTERN(f) extern __typeof__(f) *dl_##f;
#define BF_DL_DEFINE(f) __typeof__(f) *dl_##f;
#define BF_DL_ENTRY(f) { #f, (void **)&dl_##f },

struct bf_dl_sym {
	const char *name;
	void **ptr;
};

struct bf_dl_lib {
	const char *soname;     /* what dlopen asks for: libcurl.so.4 */
	const char *purpose;    /* "to download over HTTP(S)" */
	const char *package;    /* the Debian package that has it */
	const struct bf_dl_sym *syms;
	size_t nsyms;
	/* Filled by bf_dl_load, under its lock. */
	bool tried;
	int err;
	char why[384];
};

/* Load lib and resolve all its functions, once per process (thread-safe).
 * 0, or -ELIBACC when the library or one of its functions is missing, with
 * a sentence naming the library, why it is needed and the package. */
int bf_dl_load(struct bf_dl_lib *lib);

#define BF_DL_LIB(soname, purpose, package, syms) \
	{ soname, purpose, package, syms, sizeof(syms) / sizeof((syms)[0]), false, 0, "" }

#endif
