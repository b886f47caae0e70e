/* bench_verify.c - BFB verification speed against reading the file and
 * against the CRC alone, side by side in one run:
 *   BENCH bfb_verify_process mib=... bfctl_s=... cat_s=... ratio_to_cat=...
 *         (whole processes as a user runs them, the file in the page cache:
 *         `bfctl bfb verify FILE` against `cat FILE > /dev/null`, taking
 *         turns, best of PAIRS each, and the median of the ratios of the
 *         pairs; with their user + system CPU time, which says how much of
 *         the wall time was waiting for a core: the machine may be shared)
 *   BENCH process_start bfctl_ms=... cat_ms=... bfctl_cpu_ms=... cat_cpu_ms=...
 *         (`bfctl --version` against `cat /dev/null`, taking turns, the
 *         medians: what starting the program costs, shared libraries
 *         included)
 *   BENCH bfb_verify mib_s=... read_mib_s=... crc_mib_s=... ratio_to_read=...
 *         (in this process: bf_bfb_file_verify against read())
 *   BENCH crc32 zlib_mib_s=... libdeflate_mib_s=... isal_mib_s=...
 *         (one core, a buffer that stays in its cache)
 *   BENCH mlx_mkbfb_d seconds=... verify_seconds=... speedup=...   (when $MLX_MKBFB is set)
 * Usage: bench_verify FILE [MIB [BFCTL]]: FILE is created (MIB, default 1536)
 * if absent; BFCTL (default src/bfctl/bfctl) is the program timed. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>
#include <libdeflate.h>
#include <isa-l/crc.h>

#include "bench_bundle.h"
#include "bfb_file.h"
#include "clock.h"

#define CHUNK (1u << 20)
#define PAIRS 11
#define START_PAIRS 21

/* Three small boot images, then two large ones: kernel and initramfs. */
static int make_file(const char *path, size_t mib)
{
	static const uint8_t ids[] = { 1, 3, 5, 62, 63 };
	uint64_t big = (uint64_t)(mib / 2) << 20;
	const uint64_t sizes[] = { 65536 + 13, 65536 + 13, 65536 + 13, big, big };

	return bench_bundle(path, ids, sizes, 5);
}

/* Wall time of one whole process, its output thrown away; < 0 on
 * failure. *cpu: its user + system time. */
static double run_process(char *const argv[], double *cpu)
{
	uint64_t t0 = bf_clock_ns();
	struct rusage ru;
	int st, fd;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0) {
		fd = open("/dev/null", O_WRONLY);
		if (fd >= 0)
			dup2(fd, 1);
		execvp(argv[0], argv);
		_exit(127);
	}
	if (wait4(pid, &st, 0, &ru) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
		return -1;
	*cpu = (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
	       (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
	return (double)(bf_clock_ns() - t0) / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double secs_since(uint64_t t0)
{
	return (double)(bf_clock_ns() - t0) / 1e9;
}

/* Medians of START_PAIRS runs of each, taking turns, in ms. */
static void bench_start(const char *bfctl)
{
	char *cat[] = { "cat", "/dev/null", NULL };
	char *ver[] = { (char *)bfctl, "--version", NULL };
	double w[2][START_PAIRS], c[2][START_PAIRS];
	int i, k;

	for (i = 0; i < START_PAIRS; i++) {
		w[0][i] = run_process(ver, &c[0][i]);
		w[1][i] = run_process(cat, &c[1][i]);
		if (w[0][i] < 0 || w[1][i] < 0) {
			fprintf(stderr, "bench_verify: %s --version or cat /dev/null failed\n", bfctl);
			return;
		}
	}
	for (k = 0; k < 2; k++) {
		qsort(w[k], START_PAIRS, sizeof(double), cmp_double);
		qsort(c[k], START_PAIRS, sizeof(double), cmp_double);
	}
	printf("BENCH process_start bfctl_ms=%.1f cat_ms=%.1f bfctl_cpu_ms=%.1f cat_cpu_ms=%.1f\n",
	       w[0][START_PAIRS / 2] * 1e3, w[1][START_PAIRS / 2] * 1e3, c[0][START_PAIRS / 2] * 1e3,
	       c[1][START_PAIRS / 2] * 1e3);
}

static double read_all(const char *path, uint64_t *bytes)
{
	uint8_t *buf = malloc(CHUNK);
	uint64_t t0 = bf_clock_ns();
	int fd = open(path, O_RDONLY);
	ssize_t n;

	*bytes = 0;
	while ((n = read(fd, buf, CHUNK)) > 0)
		*bytes += (uint64_t)n;
	close(fd);
	free(buf);
	return secs_since(t0);
}

int main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : "bench-verify.bfb";
	size_t mib = argc > 2 ? strtoul(argv[2], NULL, 10) : 1536;
	const char *mkbfb = getenv("MLX_MKBFB");
	const char *bfctl = argc > 3 ? argv[3] : "src/bfctl/bfctl";
	struct bf_bfb_summary sum;
	uint64_t bytes, t0;
	double t_read = 1e9, t_verify = 1e9, t, t_z, t_d, t_i;
	uint8_t *mem;
	uint32_t c1 = 0, c2 = 0, c3 = 0;
	int i;

	if (access(path, R_OK) != 0 && make_file(path, mib) != 0) {
		fprintf(stderr, "bench_verify: cannot create %s\n", path);
		return 1;
	}
	read_all(path, &bytes);   /* warm the page cache */
	{
		char *cat[] = { "cat", (char *)path, NULL };
		char *verify[] = { (char *)bfctl, "bfb", "verify", (char *)path, NULL };
		double t_cat = 1e9, t_bf = 1e9, cpu, cpu_cat = 0, cpu_bf = 0, tc, ratio[PAIRS];

		for (i = 0; i < PAIRS; i++) {
			tc = run_process(cat, &cpu);
			if (tc < 0) {
				fprintf(stderr, "bench_verify: cat %s failed\n", path);
				return 1;
			}
			if (tc < t_cat) {
				t_cat = tc;
				cpu_cat = cpu;
			}
			t = run_process(verify, &cpu);
			if (t < 0) {
				fprintf(stderr, "bench_verify: %s bfb verify %s failed\n", bfctl, path);
				return 1;
			}
			if (t < t_bf) {
				t_bf = t;
				cpu_bf = cpu;
			}
			ratio[i] = tc / t;
		}
		qsort(ratio, PAIRS, sizeof(ratio[0]), cmp_double);
		printf("BENCH bfb_verify_process mib=%.0f bfctl_s=%.3f cat_s=%.3f ratio_to_cat=%.2f "
		       "median_pair_ratio=%.2f bfctl_cpu_s=%.3f cat_cpu_s=%.3f\n", (double)bytes / 1048576.0,
		       t_bf, t_cat, t_cat / t_bf, ratio[PAIRS / 2], cpu_bf, cpu_cat);
	}
	bench_start(bfctl);
	/* Alternate the two, best of three each: the machine is noisy. */
	for (i = 0; i < 3; i++) {
		t = read_all(path, &bytes);
		if (t < t_read)
			t_read = t;
		t0 = bf_clock_ns();
		if (bf_bfb_file_verify(path, &sum) != 0) {
			fprintf(stderr, "bench_verify: %s does not verify\n", path);
			return 1;
		}
		t = secs_since(t0);
		if (t < t_verify)
			t_verify = t;
	}
	/* 1 MiB, 256 times over: the CRC itself, not the memory. */
	mem = malloc(1u << 20);
	memset(mem, 0x5a, 1u << 20);
	t0 = bf_clock_ns();
	for (i = 0; i < 256; i++)
		c1 = (uint32_t)crc32(c1, mem, 1u << 20);
	t_z = secs_since(t0);
	t0 = bf_clock_ns();
	for (i = 0; i < 256; i++)
		c2 = libdeflate_crc32(c2, mem, 1u << 20);
	t_d = secs_since(t0);
	t0 = bf_clock_ns();
	for (i = 0; i < 256; i++)
		c3 = crc32_gzip_refl(c3, mem, 1u << 20);
	t_i = secs_since(t0);
	free(mem);
	if (c1 != c2 || c1 != c3)
		return 1;
	printf("BENCH bfb_verify mib_s=%.0f read_mib_s=%.0f crc_mib_s=%.0f ratio_to_read=%.2f file_mib=%.0f\n",
	       (double)bytes / 1048576.0 / t_verify, (double)bytes / 1048576.0 / t_read,
	       256.0 / t_i, t_read / t_verify, (double)bytes / 1048576.0);
	printf("BENCH crc32 zlib_mib_s=%.0f libdeflate_mib_s=%.0f isal_mib_s=%.0f\n", 256.0 / t_z, 256.0 / t_d,
	       256.0 / t_i);
	if (mkbfb && *mkbfb) {
		char cmd[8192];

		snprintf(cmd, sizeof(cmd), "python3 '%s' -d '%s' > /dev/null", mkbfb, path);
		t0 = bf_clock_ns();
		if (system(cmd) == 0) {
			t = secs_since(t0);
			printf("BENCH mlx_mkbfb_d seconds=%.2f verify_seconds=%.2f speedup=%.1f\n",
			       t, t_verify, t / t_verify);
		}
	}
	return 0;
}
