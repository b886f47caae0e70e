/* console.c - the TM FIFOs (host to tile, tile to host; 256 words each,
 * 9-bit counts) and the DPU's console behind them, with the framing of
 * spec rshim.md 4 (type 3 console, 1 network). Once the OS is up, the
 * console prints the login banner and echoes what it receives; network
 * frames are accepted and dropped for now. Words pushed into a full FIFO
 * are lost and counted, as on hardware. */
#include "config.h"
#include "sim_int.h"

#include <stdio.h>
#include <string.h>

unsigned bf_sim_tm_depth(const struct bf_sim *s)
{
	unsigned d = s->chip->tm_fifo_words;

	return d && d <= SIM_TM_WORDS ? d : SIM_TM_WORDS;
}

uint64_t bf_sim_tm_h2t_count(const struct bf_sim *s)
{
	return s->h2t_len & BF_TM_COUNT_MASK;
}

uint64_t bf_sim_tm_t2h_count(const struct bf_sim *s)
{
	return s->t2h_len & BF_TM_COUNT_MASK;
}

void bf_sim_tm_h2t_push(struct bf_sim *s, uint64_t w)
{
	if (s->h2t_len >= bf_sim_tm_depth(s)) {
		s->tm_lost++;
		return;
	}
	s->h2t[(s->h2t_head + s->h2t_len) % SIM_TM_WORDS] = w;
	s->h2t_len++;
	bf_sim_console_tick(s);
}

uint64_t bf_sim_tm_t2h_pop(struct bf_sim *s)
{
	uint64_t w;

	if (!s->t2h_len)
		return 0;
	w = s->t2h[s->t2h_head];
	s->t2h_head = (s->t2h_head + 1) % SIM_TM_WORDS;
	s->t2h_len--;
	bf_sim_console_tick(s);
	return w;
}

static size_t t2h_free(const struct bf_sim *s)
{
	return bf_sim_tm_depth(s) > s->t2h_len ? bf_sim_tm_depth(s) - s->t2h_len : 0;
}

static void t2h_push(struct bf_sim *s, const uint8_t *b, size_t n)
{
	size_t i;

	for (i = 0; i + 8 <= n; i += 8) {
		s->t2h[(s->t2h_head + s->t2h_len) % SIM_TM_WORDS] = bf_tmfifo_bytes_word(b + i);
		s->t2h_len++;
	}
}

/* Queue console output (dropped beyond the queue, like a full tty buffer). */
void bf_sim_console_print(struct bf_sim *s, const char *buf, size_t len)
{
	size_t room = sizeof(s->outq) - s->outq_len;

	if (len > room) {
		s->console_dropped += len - room;
		len = room;
	}
	memcpy(s->outq + s->outq_len, buf, len);
	s->outq_len += len;
}

static void on_packet(void *ctx, uint8_t type, const uint8_t *buf, size_t len)
{
	struct bf_sim *s = ctx;
	size_t i;

	if (type != BF_TMFIFO_CONSOLE) {
		bf_sim_net_from_host(s, type, buf, len);
		return;
	}
	/* The tty echoes; a carriage return comes back as CR LF. */
	for (i = 0; i < len; i++) {
		if (buf[i] == '\r')
			bf_sim_console_print(s, "\r\n", 2);
		else
			bf_sim_console_print(s, (const char *)&buf[i], 1);
	}
}

void bf_sim_console_banner(struct bf_sim *s, const char *os, const char *ver, const char *host)
{
	char b[256];
	int n = snprintf(b, sizeof(b), "\r\n%s %s LTS %s hvc0\r\n\r\n%s login: ", os, ver, host, host);

	if (n > 0)
		bf_sim_console_print(s, b, (size_t)n < sizeof(b) ? (size_t)n : sizeof(b) - 1);
}

/* The DPU side: read the host's words (only a running OS has the tmfifo
 * driver), and move queued output into the tile-to-host FIFO as console
 * packets that fit its free space. */
void bf_sim_console_tick(struct bf_sim *s)
{
	uint8_t pkt[SIM_TM_WORDS * 8];

	if (s->phase != PH_OS)
		return;
	while (s->h2t_len) {
		uint8_t b[8];

		bf_tmfifo_word_bytes(s->h2t[s->h2t_head], b);
		s->h2t_head = (s->h2t_head + 1) % SIM_TM_WORDS;
		s->h2t_len--;
		bf_tmfifo_rx_feed(&s->tmrx, b, 8, on_packet, s);
	}
	while (s->outq_len) {
		size_t free_words = bf_sim_tm_depth(s) - s->t2h_len, n, len;

		if (free_words < 2)
			break;
		len = (free_words - 1) * 8;
		if (len > s->outq_len)
			len = s->outq_len;
		n = bf_tmfifo_frame(BF_TMFIFO_CONSOLE, s->outq, len, pkt, sizeof(pkt));
		if (!n)
			break;
		t2h_push(s, pkt, n);
		memmove(s->outq, s->outq + len, s->outq_len - len);
		s->outq_len -= len;
	}
	bf_sim_net_tick(s, t2h_free, t2h_push);
}
