/* journal.h - what a fleet run did to one device (bf_journal_*): the steps
 * completed, under a key naming the inputs (bundle digest, bf.cfg,
 * profile). --resume skips the recorded steps when the key is the same; a
 * different key starts the device over. One JSON file per device in its
 * state directory, replaced atomically, 0600. */
#ifndef BF_JOURNAL_H
#define BF_JOURNAL_H

#include <limits.h>
#include <stdbool.h>

#define BF_JOURNAL_STEPS_MAX 16
#define BF_JOURNAL_FILE "fleet-journal.json"

struct bf_journal {
	char path[PATH_MAX];
	char key[512];
	char steps[BF_JOURNAL_STEPS_MAX][16];
	unsigned n;
	bool readonly;
};

/* Open the journal of the device whose state directory is dir (created
 * 0700 when missing). With resume and the same key, the recorded steps are
 * kept; otherwise the journal starts empty (and says why on resume). A
 * readonly journal is read (with resume) and never written. 0 or -errno
 * with a sentence. */
int bf_journal_open(struct bf_journal *j, const char *dir, const char *key, bool resume, bool readonly);
bool bf_journal_done(const struct bf_journal *j, const char *step);
/* Record step as completed (written at once). 0 or -errno. */
int bf_journal_record(struct bf_journal *j, const char *step);

#endif
