/* tmfifo.c - TM FIFO message framing. */
#include "config.h"
#include "tmfifo.h"

#include <string.h>

void bf_tmfifo_hdr_encode(const struct bf_tmfifo_hdr *h, uint8_t out[BF_TMFIFO_HDR_LEN])
{
	unsigned sum = 0, i;

	out[0] = h->type;
	out[1] = (uint8_t)(h->len >> 8);
	out[2] = (uint8_t)h->len;
	memcpy(out + 3, h->data, 4);
	out[7] = 0;
	for (i = 0; i < 7; i++)
		sum += out[i];
	out[7] = (uint8_t)(0x100 - (sum & 0xff));
}

void bf_tmfifo_word_bytes(uint64_t w, uint8_t out[8])
{
	unsigned i;

	for (i = 0; i < 8; i++)
		out[i] = (uint8_t)(w >> (8 * i));
}

uint64_t bf_tmfifo_bytes_word(const uint8_t in[8])
{
	uint64_t w = 0;
	unsigned i;

	for (i = 0; i < 8; i++)
		w |= (uint64_t)in[i] << (8 * i);
	return w;
}

uint64_t bf_tmfifo_hdr_word(const struct bf_tmfifo_hdr *h)
{
	uint8_t b[8];

	bf_tmfifo_hdr_encode(h, b);
	return bf_tmfifo_bytes_word(b);
}

bool bf_tmfifo_hdr_decode(const uint8_t in[BF_TMFIFO_HDR_LEN], struct bf_tmfifo_hdr *h)
{
	unsigned sum = 0, i;

	h->type = in[0];
	h->len = (uint16_t)((in[1] << 8) | in[2]);
	memcpy(h->data, in + 3, 4);
	h->csum = in[7];
	for (i = 0; i < 8; i++)
		sum += in[i];
	return h->csum == 0 || (sum & 0xff) == 0;
}

size_t bf_tmfifo_frame(uint8_t type, const void *payload, size_t len, uint8_t *out, size_t cap)
{
	struct bf_tmfifo_hdr h = { .type = type, .len = (uint16_t)len };
	size_t total = BF_TMFIFO_HDR_LEN + len + bf_tmfifo_pad(len);

	if (len > 0xffff || total > cap)
		return 0;
	bf_tmfifo_hdr_encode(&h, out);
	if (len)
		memcpy(out + BF_TMFIFO_HDR_LEN, payload, len);
	memset(out + BF_TMFIFO_HDR_LEN + len, 0, bf_tmfifo_pad(len));
	return total;
}

void bf_tmfifo_rx_init(struct bf_tmfifo_rx *rx)
{
	memset(rx, 0, sizeof(*rx));
}

static bool is_control(uint8_t t)
{
	return t >= BF_TMFIFO_VLAN_ID;
}

void bf_tmfifo_rx_feed(struct bf_tmfifo_rx *rx, const uint8_t *buf, size_t len,
		       bf_tmfifo_rx_cb cb, void *ctx)
{
	while (len) {
		size_t k;

		if (rx->pad) {
			k = rx->pad < len ? rx->pad : len;
			rx->pad -= k;
			buf += k;
			len -= k;
			continue;
		}
		if (rx->left) {
			k = rx->left < len ? rx->left : len;
			if (!rx->discard) {
				if (rx->cur.type == BF_TMFIFO_NET) {
					memcpy(rx->net + rx->nfill, buf, k);
					rx->nfill += k;
				} else if (cb) {
					cb(ctx, rx->cur.type, buf, k);
				}
			}
			rx->left -= k;
			buf += k;
			len -= k;
			if (rx->left == 0) {
				if (!rx->discard && rx->cur.type == BF_TMFIFO_NET && cb)
					cb(ctx, BF_TMFIFO_NET, rx->net, rx->nfill);
				rx->pad = bf_tmfifo_pad(rx->cur.len);
			}
			continue;
		}
		k = BF_TMFIFO_HDR_LEN - rx->hfill;
		if (k > len)
			k = len;
		memcpy(rx->hdr + rx->hfill, buf, k);
		rx->hfill += (unsigned)k;
		buf += k;
		len -= k;
		if (rx->hfill < BF_TMFIFO_HDR_LEN)
			continue;
		rx->hfill = 0;
		{
			bool ok = bf_tmfifo_hdr_decode(rx->hdr, &rx->cur);

			rx->discard = false;
			rx->nfill = 0;
			if (rx->cur.len == 0) {
				/* Padding headers and control messages. */
				if (is_control(rx->cur.type)) {
					if (!ok) {
						rx->bad_csum++;
						rx->dropped++;
					} else {
						rx->packets++;
						if (cb)
							cb(ctx, rx->cur.type, rx->hdr + 3, 4);
					}
				}
				continue;
			}
			if (rx->cur.type != BF_TMFIFO_NET && rx->cur.type != BF_TMFIFO_CONSOLE) {
				/* Unknown type with a payload: the stream is out of
				 * step; drop the rest of this buffer. */
				rx->desync++;
				rx->dropped++;
				return;
			}
			if (rx->cur.type == BF_TMFIFO_NET && rx->cur.len > BF_TMFIFO_NET_MAX) {
				rx->discard = true;
				rx->dropped++;
			} else {
				rx->packets++;
			}
			rx->left = rx->cur.len;
		}
	}
}
