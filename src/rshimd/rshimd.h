/* rshimd.h - the rshimd daemon (bf_rshimd_*): one FUSE directory per
 * device with boot, console, rshim and misc files, and the tmfifo_net<N>
 * TAP interface, like the upstream rshim daemon (spec rshim.md 4-7). */
#ifndef BF_RSHIMD_H
#define BF_RSHIMD_H

#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "rshim.h"
#include "tmfifo.h"
#include "rshim/scan.h"

#define BF_RSHIMD_MAX_DEVS   64
#define BF_RSHIMD_RING       4096      /* console ring, each direction (upstream 4 KiB) */
#define BF_RSHIMD_READ_MAX   512       /* console bytes dropped at a time (nobody reads) */
#define BF_RSHIMD_MISC_MAX   8192      /* misc text of one open */
#define BF_RSHIMD_TX_MAX     2048      /* one TM FIFO write */

/* ---- configuration (conf.c): /etc/rshimd.conf, upstream rshim.conf keys */
struct bf_rshimd_map {
	unsigned index;
	char dev[64];
};

struct bf_rshimd_conf {
	int display_level;           /* DISPLAY_LEVEL, default 0 */
	unsigned boot_timeout;       /* BOOT_TIMEOUT s, default 300 */
	int drop_mode;               /* DROP_MODE: -1 unset, 0, 1 */
	unsigned usb_timeout;        /* USB_TIMEOUT s, default 40 */
	int usb_reset_delay;         /* USB_RESET_DELAY s; -1: the backend's default */
	int pcie_reset_delay;        /* PCIE_RESET_DELAY s; -1: the backend's default */
	bool force_mode;             /* FORCE_MODE: one ownership request per device at start */
	struct bf_rshimd_map map[BF_RSHIMD_MAX_DEVS];   /* rshim<N> <dev> */
	size_t nmap;
	char ignore[16][64];         /* none <dev> */
	size_t nignore;
};

void bf_rshimd_conf_defaults(struct bf_rshimd_conf *c);
/* Parse the text of a conf file on top of c. Unknown keys are reported
 * with their line in warn (one line each, up to cap) and skipped, as
 * upstream ignores them. 0 or -EINVAL (a known key with a bad value; the
 * sentence names the line). */
int bf_rshimd_conf_parse(struct bf_rshimd_conf *c, const char *text, size_t len,
			 char *warn, size_t cap);
/* Read path (missing file: defaults, 0). */
int bf_rshimd_conf_load(struct bf_rshimd_conf *c, const char *path);
/* The drop mode a device starts in: DROP_MODE if configured, else 1 for a
 * livefish function (pcie-lf:...) and 0 for the rest, as upstream. */
bool bf_rshimd_default_drop(const struct bf_rshimd_conf *conf, const char *name);

/* ---- the misc file (misc.c): pure text generation and command parsing */
struct bf_rshimd_misc_view {
	int display_level;
	int chip_ver;                /* 1, 2, 3 */
	unsigned rev;
	int bf_mode;                 /* BF3: SP2 bits 5:4 */
	unsigned boot_mode;          /* BOOT_CONTROL & 3 */
	unsigned boot_timeout, usb_timeout;
	bool drop_mode, force_cmd, boot_reset_skip, clear_on_read, secure_nic;
	char dev_name[64];
	char opn[17];                /* "" = N/A */
	uint64_t uptime_s;
	uint8_t peer_mac[6];
	uint32_t pxe_id;
	uint16_t vlan[2];
};

/* The key/value lines of a misc read (levels 0 and 1, as upstream: the
 * key column 16 wide). Returns the length written (NUL-terminated,
 * truncated to cap). */
size_t bf_rshimd_misc_format(const struct bf_rshimd_misc_view *v, char *buf, size_t cap);
/* The log section (DISPLAY_LEVEL 2) from the log ring's words: header,
 * then one " LEVEL[MODULE]: text" line per record. Returns the length. */
size_t bf_rshimd_misc_format_log(const uint64_t *words, unsigned n, char *buf, size_t cap);

enum bf_rshimd_key {
	BF_MISC_DISPLAY_LEVEL, BF_MISC_BOOT_TIMEOUT, BF_MISC_USB_TIMEOUT, BF_MISC_DROP_MODE,
	BF_MISC_CLEAR_ON_READ, BF_MISC_BOOT_MODE, BF_MISC_SW_RESET, BF_MISC_BOOT_RESET_SKIP,
	BF_MISC_PEER_MAC, BF_MISC_PXE_ID, BF_MISC_VLAN_ID, BF_MISC_OPN_STR, BF_MISC_DEBUG_CODE,
	BF_MISC_FORCE_CMD, BF_MISC_DEV_NAME,
};

struct bf_rshimd_misc_cmd {
	enum bf_rshimd_key key;
	uint64_t u;                  /* numeric value */
	uint8_t mac[6];
	uint16_t vlan[2];
	char str[65];                /* OPN_STR, DEV_NAME */
};

/* Parse one write ("KEY value", first line only, trailing blanks
 * ignored). 0 or -EINVAL (unknown key, malformed or out-of-range value). */
int bf_rshimd_misc_parse(const char *buf, size_t len, struct bf_rshimd_misc_cmd *cmd);

/* ---- ownership on the device (owner.c) */
struct bf_rshimd_dev;
/* Upstream's access check: FABRIC_DIM answers, SP1 = 0, SP1 watched for a
 * second for another backend's keepalive, then our own. 0, -EEXIST
 * (another backend owns the device), -ETIMEDOUT / -ENODEV (no answer). */
int bf_rshimd_access_check(struct bf_rshimd_dev *d);
/* Enter or leave drop mode. Leaving runs the access check first and stays
 * in drop mode when it fails (-EACCES); the TM FIFO starts over. */
int bf_rshimd_dev_set_drop(struct bf_rshimd_dev *d, bool drop);
/* Ask the owner to hand the device over (FORCE_CMD 1, -F): the I/O thread
 * does it. -EINVAL unless in drop mode (the device is ours already). */
int bf_rshimd_dev_force(struct bf_rshimd_dev *d);
/* The I/O thread's ownership work, when due (no device access otherwise). */
void bf_rshimd_owner_poll(struct bf_rshimd_dev *d);

/* ---- the rshim file's ioctls (ioctl.c): pure request decoding */
struct bf_rshimd_ioreq {
	bool write;
	unsigned size;               /* 4 or 8 */
	uint32_t chan, off;          /* what the backend is asked for (8-byte aligned off) */
	unsigned shift;              /* 4-byte access: 0 or 32 within the 8-byte word */
	uint64_t data;
	size_t msg_len;              /* 12 or 13: the reply's length */
};

/* Decode cmd and its in-buffer. bf3_usb: the v1 form keeps a channel above
 * 0xf (upstream masks it to 4 bits otherwise). 0, -ENOTTY (not ours),
 * -EINVAL (short buffer, bad size, address naming no register). */
int bf_rshimd_ioctl_decode(unsigned cmd, const void *in, size_t in_len, int chip_ver,
			   bool bf3_usb, struct bf_rshimd_ioreq *rq);
/* The reply message (same layout as the request) with data. */
void bf_rshimd_ioctl_reply(const void *in, const struct bf_rshimd_ioreq *rq, uint64_t data,
			   uint8_t *out);

/* ---- ownership transfer (osp.c): the pure state machine of one device */
enum bf_rshimd_osp_state {
	BF_OSP_IDLE,                 /* owner: watching SP1; in drop mode: nothing to do */
	BF_OSP_REQUESTING,           /* requester: OSP_REQ written, waiting for OSP_ACK */
	BF_OSP_ACKING,               /* owner, in drop mode already: answering OSP_ACK */
	BF_OSP_HANDING_OVER,         /* owner: ACKs sent, the requester coming online */
};

struct bf_rshimd_osp {
	enum bf_rshimd_osp_state state;
	unsigned tries;              /* SP1 writes made in this state */
	uint64_t due_ns;             /* the next step, not before */
};

enum {
	BF_OSP_DO_WRITE = 1,         /* write SCRATCHPAD1 = out.sp1 */
	BF_OSP_DO_DROP = 2,          /* enter drop mode */
	BF_OSP_DO_REGAIN = 4,        /* leave drop mode: FIFO resync and access check */
	BF_OSP_DO_FORCE_DONE = 8,    /* the pending force request is used up */
	BF_OSP_DO_PASSED = 16,       /* the handover is over: say so */
};

struct bf_rshimd_osp_out {
	unsigned act;                /* BF_OSP_DO_* */
	uint64_t sp1;
	const char *say[3];          /* log lines, to follow "rshim<N> " */
	unsigned nsay;
};

void bf_rshimd_osp_init(struct bf_rshimd_osp *o);
/* Time for the next step? (100 ms apart, 1 s before the owner drops) */
bool bf_rshimd_osp_due(const struct bf_rshimd_osp *o, uint64_t now_ns);
/* A transfer is under way: the owner writes no keepalive and moves no
 * TM FIFO traffic meanwhile. */
bool bf_rshimd_osp_busy(const struct bf_rshimd_osp *o);
/* Does the next step look at SCRATCHPAD1? (the caller reads it first) */
bool bf_rshimd_osp_wants_sp1(const struct bf_rshimd_osp *o, bool drop);
/* One step: drop = the device is in drop mode, force = a force request is
 * pending, sp1 what SCRATCHPAD1 read (sp1_ok false: not read, or failed). */
void bf_rshimd_osp_step(struct bf_rshimd_osp *o, uint64_t now_ns, bool drop, bool force,
			bool sp1_ok, uint64_t sp1, struct bf_rshimd_osp_out *out);

/* ---- one device (dev.c, net.c, fuse.c) */
struct bf_rshimd_ring {
	uint8_t buf[BF_RSHIMD_RING];
	size_t head, len;
};

struct bf_rshimd_dev {
	unsigned index;
	char name[64];               /* as given: "sim:0", "pcie:0000:03:00.2" */
	const struct bf_rshimd_conf *conf;
	struct bf_rshim *hw;         /* the backend (owned) */
	struct bf_rshim r;           /* the same device with every op serialised */
	pthread_mutex_t hw_lock;

	/* State below under lock; never held while calling into the device. */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int display_level;
	unsigned boot_timeout, usb_timeout;
	bool drop_mode, clear_on_read, boot_reset_skip;
	bool force_pending;          /* -F, FORCE_MODE or FORCE_CMD: ask the owner for the device */
	bool in_check;               /* an access check is running */
	uint64_t debug_code;         /* DEBUG_CODE: SP1 value, keepalive off while set */
	uint8_t peer_mac[6];
	uint32_t pxe_id;
	uint16_t vlan[2];
	uint64_t ctrl_gen;           /* bumped when the DPU's PXE_ID answer arrives */
	uint64_t ctrl_q[8];          /* control words waiting to be sent */
	unsigned nctrl;
	bool boot_open;
	uint8_t boot_tail[8];
	size_t boot_tail_len;
	struct bf_rshimd_ring con_tx;   /* typed on the console, to the DPU */
	bool fifo_reset;             /* the I/O thread restarts its framing state */
	unsigned hw_reconnects;      /* hw->reconnects last seen (hw_lock) */
	bool hw_reconnected;         /* ... and it moved: framing starts over (hw_lock) */
	bool rx_drain;               /* ... and first drops what waits in the tile-to-host FIFO */
	bool gone;                   /* the device stopped answering */
	uint64_t gone_since_ns;

	/* I/O thread */
	pthread_t io;
	bool io_started;
	int wakefd;
	bool stop;
	struct bf_tmfifo_rx rx;
	uint8_t txbuf[BF_RSHIMD_TX_MAX + 16];
	size_t txlen, txoff;
	bool tx_net_next;            /* round robin */
	bool tx_sync;                /* send the sync words first */
	uint64_t last_keepalive_ns;
	struct bf_rshimd_osp osp;

	/* the console terminal (console.c; I/O thread) */
	int ptm, pts;                /* pty master, and a slave held open */
	char pts_path[64];           /* what the console link points at */
	struct bf_rshimd_ring con_rx;   /* from the DPU, not yet taken by the pty */
	uint64_t con_dropped;        /* output nobody read, dropped */
	int con_ino;                 /* inotify: opens and closes of the slave */
	unsigned con_users;          /* others that have the slave open */
	bool con_live;               /* output goes to the terminal */
	uint64_t con_settle_ns;      /* first opened: the ring goes out then */

	/* tmfifo_net<N> (net.c) */
	int tapfd;
	char ifname[16];
	uint8_t net_frame[1600];
	size_t net_len;              /* a frame read from the TAP, not yet sent */
	uint64_t net_tx_pkts, net_rx_pkts, net_drops;

	/* FUSE (fuse.c) */
	void *se;                    /* struct fuse_session * */
	char mnt[PATH_MAX];
	bool made_dir;
	pthread_t fuse_thread;
	bool fuse_started;
};

/* Open the device (taking its owner lock), run the access check unless it
 * starts in drop mode, start its I/O thread. A device another backend
 * drives (its keepalive is in SCRATCHPAD1) is kept in drop mode when force
 * (-F, FORCE_MODE: bf_rshimd_dev_force follows), else -EEXIST, nothing kept. */
int bf_rshimd_dev_start(struct bf_rshimd_dev *d, const char *name, unsigned index,
			const struct bf_rshimd_conf *conf, bool net, bool force);
void bf_rshimd_dev_stop(struct bf_rshimd_dev *d);
/* After an -ENODEV: is the device there after all? (clears d->gone if so) */
bool bf_rshimd_dev_answers(struct bf_rshimd_dev *d);
/* Drive the device under another name (the same chip: the same files and
 * index); if name cannot be used, the current device stays. */
int bf_rshimd_dev_switch(struct bf_rshimd_dev *d, const char *name);
/* misc DEV_NAME (refresh.c): a PCIe RShim function that moved to another
 * function number of the same domain:bus:device is taken again. */
int bf_rshimd_dev_refresh(struct bf_rshimd_dev *d);
/* The pure part: among found (n), the RShim function (not livefish) with
 * cur's domain:bus:device, into out. 0, -EINVAL (cur is no PCIe function
 * name), -ENODEV (none there). */
int bf_rshimd_refresh_pick(const char *cur, const struct bf_rshim_found *found, int n, char *out, size_t cap);
/* Wake the I/O thread (new console bytes, settings changed). */
void bf_rshimd_dev_wake(struct bf_rshimd_dev *d);
/* Queue a control message (PEER_MAC, PXE_ID, VLAN_ID, CTRL_REQ). */
void bf_rshimd_dev_queue_ctrl(struct bf_rshimd_dev *d, uint64_t word);
/* The misc text of one open, at the current DISPLAY_LEVEL. */
int bf_rshimd_dev_misc_text(struct bf_rshimd_dev *d, char *buf, size_t cap, size_t *len);
/* Apply one misc write. 0 or -errno. */
int bf_rshimd_dev_misc_apply(struct bf_rshimd_dev *d, const struct bf_rshimd_misc_cmd *c);
/* Register access for the rshim file. */
int bf_rshimd_dev_ioctl(struct bf_rshimd_dev *d, unsigned cmd, const void *in, size_t in_len,
			uint8_t *out, size_t *out_len);

/* The files' operations (files.c). interrupted(ctx) tells a blocked call
 * that its caller gave up (FUSE interrupt): it returns -EINTR. */
typedef bool (*bf_rshimd_intr_fn)(void *ctx);
int bf_rshimd_boot_open(struct bf_rshimd_dev *d);
ssize_t bf_rshimd_boot_write(struct bf_rshimd_dev *d, const void *buf, size_t len,
			     bf_rshimd_intr_fn intr, void *ctx);
void bf_rshimd_boot_close(struct bf_rshimd_dev *d);
/* Wake everything blocked on d (interrupts, shutdown). */
void bf_rshimd_dev_kick(struct bf_rshimd_dev *d);

/* Ring helpers (dev.c). */
size_t bf_rshimd_ring_put(struct bf_rshimd_ring *r, const uint8_t *buf, size_t len);
size_t bf_rshimd_ring_get(struct bf_rshimd_ring *r, uint8_t *buf, size_t len);

/* net.c: the TAP side of the tmfifo network. */
int bf_rshimd_net_open(struct bf_rshimd_dev *d);
void bf_rshimd_net_close(struct bf_rshimd_dev *d);
/* A network packet (whole frame) from the DPU. */
void bf_rshimd_net_deliver(struct bf_rshimd_dev *d, const uint8_t *frame, size_t len);
/* Read one frame from the TAP into d->net_frame if none is pending. */
void bf_rshimd_net_fill(struct bf_rshimd_dev *d);

/* console.c: the console as a pty whose slave the console link names. */
int bf_rshimd_con_open(struct bf_rshimd_dev *d);
void bf_rshimd_con_close(struct bf_rshimd_dev *d);
/* Console bytes from the DPU (never blocks; the oldest give way). */
void bf_rshimd_con_deliver(struct bf_rshimd_dev *d, const uint8_t *buf, size_t len);
/* The master's poll events the I/O thread waits for (0: no terminal),
 * the inotify descriptor it also waits on (-1: none), and how long it
 * may sleep (ms, at most) for the next step here. */
short bf_rshimd_con_events(struct bf_rshimd_dev *d);
int bf_rshimd_con_watch_fd(const struct bf_rshimd_dev *d);
unsigned bf_rshimd_con_wait_ms(const struct bf_rshimd_dev *d, unsigned ms);
/* How many descriptors other processes hold on the terminal at path (from
 * /proc/PID/fd), or -errno when some process's cannot be read. */
int bf_rshimd_tty_holders(const char *path);
/* Output still waiting goes out; typed bytes into con_tx. true if some
 * were typed. */
bool bf_rshimd_con_pump(struct bf_rshimd_dev *d);

/* fuse.c */
int bf_rshimd_fuse_start(struct bf_rshimd_dev *d, const char *root);
void bf_rshimd_fuse_stop(struct bf_rshimd_dev *d);

/* pidfile.c: --pid-file. check: before start-up, 0 when there is none
 * or a stale one (removed, with a warning), -EEXIST when a running rshimd
 * has it. write: once the devices are up; from then on it is removed
 * however the process ends (remove, exit, a crash signal). */
int bf_rshimd_pidfile_check(const char *path);
int bf_rshimd_pidfile_write(const char *path);
void bf_rshimd_pidfile_remove(void);

/* discover.c: no device named, the daemon takes what the backends have. */
#define BF_RSHIMD_NAME_MAX 64
enum { BF_RSHIMD_BK_USB = 1, BF_RSHIMD_BK_PCIE = 2, BF_RSHIMD_BK_PCIE_LF = 4, BF_RSHIMD_BK_ALL = 7 };
/* -b: "usb", "pcie", "pcie-lf" (or upstream's "pcie_lf"); -EINVAL otherwise. */
int bf_rshimd_backend_parse(const char *s, unsigned *mask);
/* The names (bfctl style: usb:1-4, pcie:..., pcie-lf:...) of the RShim
 * devices on the backends in mask, USB first, at most max. Returns how
 * many; a backend that cannot be searched counts as none (debug log). */
int bf_rshimd_discover(unsigned mask, char (*names)[BF_RSHIMD_NAME_MAX], size_t max);

#endif
