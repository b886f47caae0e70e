/* secret.c - passwords from a variable, a file or a no-echo prompt. */
#include "config.h"
#include "secret.h"
#include "error.h"
#include "fileio.h"
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

void bf_secret_wipe(void *p, size_t n)
{
	volatile unsigned char *v = p;

	while (n--)
		*v++ = 0;
}

/* The first line of buf (len bytes) into out. */
static int first_line(const char *buf, size_t len, char *out, size_t cap, const char *what)
{
	size_t n = 0;

	while (n < len && buf[n] != '\n' && buf[n] != '\r') {
		if (!buf[n])
			return bf_error_ret(EINVAL, "%s holds a NUL byte", what);
		n++;
	}
	if (n == 0)
		return bf_error_ret(EINVAL, "%s is empty", what);
	if (n >= cap)
		return bf_error_ret(E2BIG, "%s is longer than %zu bytes", what, cap - 1);
	memcpy(out, buf, n);
	out[n] = '\0';
	return 0;
}

int bf_secret_read_file(const char *path, char *out, size_t cap)
{
	struct stat st;
	char *buf = NULL, what[300];
	size_t len = 0;
	int r;

	if ((r = bf_file_read_all(path, 4096, &buf, &len)) < 0)
		return r;
	if (stat(path, &st) == 0 && (st.st_mode & 0044))
		bf_warn("%s can be read by other users: keep a password file mode 0600", path);
	snprintf(what, sizeof(what), "the password file %s", path);
	r = first_line(buf, len, out, cap, what);
	bf_secret_wipe(buf, len);
	free(buf);
	return r;
}

int bf_secret_prompt(const char *prompt, char *out, size_t cap)
{
	struct termios old, quiet;
	char buf[512];
	ssize_t n;
	size_t len = 0;
	int fd = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY), r;

	if (fd < 0 || !isatty(fd)) {
		if (fd >= 0)
			close(fd);
		return bf_error_ret(ENOTTY, "no terminal to ask for the password on");
	}
	if (tcgetattr(fd, &old) < 0) {
		close(fd);
		return bf_error_ret(ENOTTY, "no terminal to ask for the password on");
	}
	quiet = old;
	quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
	quiet.c_lflag |= ICANON;
	if (write(fd, prompt, strlen(prompt)) < 0 || tcsetattr(fd, TCSAFLUSH, &quiet) < 0) {
		close(fd);
		return bf_error_ret(EIO, "cannot ask for the password on the terminal");
	}
	while (len < sizeof(buf) && (n = read(fd, buf + len, sizeof(buf) - len)) > 0) {
		len += (size_t)n;
		if (memchr(buf, '\n', len))
			break;
	}
	tcsetattr(fd, TCSAFLUSH, &old);
	if (write(fd, "\n", 1) < 0)
		bf_debug("cannot end the prompt line");
	close(fd);
	r = first_line(buf, len, out, cap, "the password typed");
	bf_secret_wipe(buf, sizeof(buf));
	return r;
}

int bf_secret_get(const char *env, const char *path, const char *prompt, char *out, size_t cap)
{
	const char *v = env ? getenv(env) : NULL;
	int r;

	if (v && *v)
		return first_line(v, strlen(v), out, cap, env);
	if (path)
		return bf_secret_read_file(path, out, cap);
	if (prompt && isatty(STDIN_FILENO)) {
		r = bf_secret_prompt(prompt, out, cap);
		if (r != -ENOTTY)
			return r;
		bf_error_clear();
	}
	return bf_error_ret(ENOENT, "no password: set %s, give a password file, or run on a terminal to be asked",
			    env ? env : "the password variable");
}
