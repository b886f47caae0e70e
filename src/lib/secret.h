/* secret.h - passwords given to a program (bf_secret_*): from a variable,
 * a file or a no-echo prompt, never from the command line; kept in a
 * caller's buffer and wiped after use. */
#ifndef BF_SECRET_H
#define BF_SECRET_H

#include <stddef.h>

/* The first line of path (without its newline) into out. A file that
 * others may read is used with a warning. 0, or -errno with a sentence
 * (-E2BIG: longer than cap - 1, -EINVAL: empty or with a NUL). */
int bf_secret_read_file(const char *path, char *out, size_t cap);

/* Ask on the terminal (/dev/tty) without echo. 0, -ENOTTY when there is
 * no terminal, or -errno with a sentence. */
int bf_secret_prompt(const char *prompt, char *out, size_t cap);

/* In order: the variable env (when set and not empty), the file path
 * (when not NULL), the prompt (when interactive). 0, or -ENOENT with a
 * sentence naming all three, or the failure of the one given. */
int bf_secret_get(const char *env, const char *path, const char *prompt, char *out, size_t cap);

/* Overwrite a secret so that it does not stay in memory. */
void bf_secret_wipe(void *p, size_t n);

#endif
