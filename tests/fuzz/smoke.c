/* smoke.c - the driver every fuzz target gets when it is built for
 * `make check` instead of libFuzzer: the target's seed inputs, then a fixed
 * number of deterministic mutations of them (bit flips, interesting bytes,
 * cuts, duplicated and deleted ranges), each fed to
 * LLVMFuzzerTestOneInput. A finding is a crash: the input that caused it
 * is written to crash-<target>.bin in the current directory, "not ok" is
 * printed and the test fails. The same inputs run every time, so a
 * failure reproduces.
 *
 * Seeds: files in $top_srcdir/tests/fuzz/seeds/<name>/ (<name> is the
 * program name without "fuzz_"), what the target's optional
 * bf_fuzz_seed() hook makes, and any files named on the command line.
 * BF_FUZZ_RUNS sets the number of mutated inputs (default 3000). */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "smoke.h"

#define SMOKE_MAX_SEEDS 64
#define SMOKE_MAX_LEN (1u << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct smoke_buf {
	uint8_t *p;
	size_t n;
};

static struct smoke_buf seeds[SMOKE_MAX_SEEDS];
static size_t nseeds;
static char crash_path[256];
static const uint8_t *cur;
static size_t cur_len;

/* Async-signal-safe: keep the input that crashed, say so, end. */
static void on_crash(int sig)
{
	static const char msg[] = "not ok - crashed on a generated input, kept in ";
	int fd = open(crash_path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, 0600);

	if (fd >= 0) {
		if (cur && write(fd, cur, cur_len) < 0)
			sig = -sig;
		close(fd);
	}
	if (write(1, msg, sizeof(msg) - 1) < 0 || write(1, crash_path, strlen(crash_path)) < 0 ||
	    write(1, "\n", 1) < 0)
		sig = -sig;
	_exit(1);
}

void __sanitizer_set_death_callback(void (*cb)(void)) __attribute__((weak));

static void on_sanitizer_death(void)
{
	on_crash(0);
}

static void run(const uint8_t *p, size_t n)
{
	cur = p;
	cur_len = n;
	LLVMFuzzerTestOneInput(p, n);
	cur = NULL;
}

void bf_fuzz_add_seed(const void *data, size_t len)
{
	if (nseeds == SMOKE_MAX_SEEDS || len > SMOKE_MAX_LEN)
		return;
	seeds[nseeds].p = malloc(len ? len : 1);
	if (!seeds[nseeds].p)
		return;
	memcpy(seeds[nseeds].p, data, len);
	seeds[nseeds++].n = len;
}

static void add_file(const char *path)
{
	static uint8_t buf[SMOKE_MAX_LEN];
	FILE *f = fopen(path, "rb");
	size_t n;

	if (!f)
		return;
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	bf_fuzz_add_seed(buf, n);
}

static void add_dir(const char *dir)
{
	struct dirent *e;
	char path[4096];
	DIR *d = opendir(dir);

	if (!d)
		return;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		add_file(path);
	}
	closedir(d);
}

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* One mutation of buf[0..*n) in place; cap is the buffer's size. */
static void mutate(uint8_t *buf, size_t *n, size_t cap)
{
	static const uint8_t interesting[] = { 0, 1, 0x7f, 0x80, 0xff, '\n', '"', '\\', '$', '{', '}', 0x1b };
	size_t len = *n, a = len ? next() % len : 0, b = len ? next() % len : 0, k;

	switch (next() % 6) {
	case 0:
		if (len)
			buf[a] ^= (uint8_t)(1u << (next() % 8));
		break;
	case 1:
		if (len)
			buf[a] = interesting[next() % sizeof(interesting)];
		break;
	case 2:
		*n = a;   /* cut */
		break;
	case 3:   /* delete [a, a+k) */
		k = len - a ? next() % (len - a) % 64 : 0;
		memmove(buf + a, buf + a + k, len - a - k);
		*n = len - k;
		break;
	case 4:   /* duplicate [b, b+k) at a */
		k = len - b ? (next() % (len - b)) % 64 : 0;
		if (len + k > cap)
			break;
		memmove(buf + a + k, buf + a, len - a);
		memmove(buf + a, buf + (b >= a ? b + k : b), k);
		*n = len + k;
		break;
	default:   /* an 8-byte word of the input set to an edge value */
		if (len >= 8) {
			uint64_t v = next() & 1 ? UINT64_MAX : (uint64_t)1 << (next() % 64);

			memcpy(buf + (a & ~(size_t)7) % (len - 7), &v, 8);
		}
		break;
	}
}

static const char *target_name(const char *argv0)
{
	const char *s = strrchr(argv0, '/');

	s = s ? s + 1 : argv0;
	if (strncmp(s, "lt-", 3) == 0)
		s += 3;
	return strncmp(s, "fuzz_", 5) == 0 ? s + 5 : s;
}

int main(int argc, char **argv)
{
	const char *name = target_name(argv[0]), *top = getenv("top_srcdir"), *e = getenv("BF_FUZZ_RUNS");
	static uint8_t buf[SMOKE_MAX_LEN];
	unsigned long runs = e ? strtoul(e, NULL, 10) : 3000, r;
	char dir[4096];
	size_t i, n;
	int t = 0;

	snprintf(crash_path, sizeof(crash_path), "crash-%s.bin", name);
	signal(SIGSEGV, on_crash);
	signal(SIGBUS, on_crash);
	signal(SIGFPE, on_crash);
	signal(SIGILL, on_crash);
	signal(SIGABRT, on_crash);
	if (__sanitizer_set_death_callback)
		__sanitizer_set_death_callback(on_sanitizer_death);

	snprintf(dir, sizeof(dir), "%s/tests/fuzz/seeds/%s", top ? top : ".", name);
	add_dir(dir);
	if (bf_fuzz_seed)
		bf_fuzz_seed();
	for (i = 1; i < (size_t)argc; i++)
		add_file(argv[i]);
	if (nseeds == 0)
		bf_fuzz_add_seed("", 0);

	for (i = 0; i < nseeds; i++)
		run(seeds[i].p, seeds[i].n);
	printf("ok %d - %zu seed inputs\n", ++t, nseeds);

	for (r = 0; r < runs; r++) {
		const struct smoke_buf *s = &seeds[next() % nseeds];
		unsigned m = 1 + next() % 8;

		n = s->n;
		memcpy(buf, s->p, n);
		while (m--)
			mutate(buf, &n, sizeof(buf));
		run(buf, n);
	}
	printf("ok %d - %lu mutated inputs\n", ++t, runs);
	printf("1..%d\n", t);
	for (i = 0; i < nseeds; i++)
		free(seeds[i].p);
	return 0;
}
