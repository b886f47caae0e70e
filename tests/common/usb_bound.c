/* usb_bound.c - the credit limit of a USB boot-stream push, proven by
 * blocks of read intervals (doc/usb-timing.md, "The credit limit", gives
 * the argument; this file computes it).
 *
 * Count reads k have service starts b_k at least ctl apart; u_k = b_k -
 * done. d_k is what goes on the link in [u_k, u_k+1), g_k = u_k+1 - u_k
 * >= ctl. Every safe policy satisfies, for all k and j >= 1,
 *   d_k + ... + d_k+j <= max(W, W + R (g_k+1 + ... + g_k+j - D))
 *   d_k <= W,   d_k + ... + d_k+j <= R (g_k + ... + g_k+j)
 * with D = ctl + 2 done. Over a block of m intervals, with weights w_0 = 0
 * and w_i = m/(m-1), if d_0 + ... + d_m-1 <= T w.g whatever the gaps,
 * summing over all blocks gives m N <= T m (time): T bounds the rate. So
 * T is the largest (d_0 + ... + d_m-1) / w.g over the block's constraints
 * (g_0 is free: it has no weight). A max(W, ...) whose sides can both
 * apply is one or the other, so T is the largest of up to
 * 2^(m(m-1)/2) linear-fractional programs, each an LP after Charnes and
 * Cooper: y = t d, h = t g, w.h = 1. All their constraints are
 * homogeneous but w.h <= 1, so the origin is a feasible start and the
 * simplex needs no first phase. */
#include "config.h"

#include <math.h>
#include <string.h>

#include "usb_bound.h"

#define MAX_M 4
#define NV (2 * MAX_M)                  /* d_0..m-1, g_1..m-1, t */
#define NC (MAX_M * (MAX_M + 1) + MAX_M)
#define TOL 1e-9

struct lp {
	unsigned n, rows;
	double a[NC + 1][NV + NC + 1];  /* row rows: the objective */
	unsigned basis[NC];
};

static void pivot(struct lp *p, unsigned r, unsigned c)
{
	unsigned cols = p->n + p->rows + 1, i, j;
	double v = p->a[r][c];

	for (j = 0; j < cols; j++)
		p->a[r][j] /= v;
	for (i = 0; i <= p->rows; i++) {
		double f = p->a[i][c];

		if (i == r || f == 0)
			continue;
		for (j = 0; j < cols; j++)
			p->a[i][j] -= f * p->a[r][j];
	}
	p->basis[r] = c;
}

/* max c.x, A x <= b, x >= 0, b >= 0 (slack basis feasible); Bland's rule
 * (no cycling on the many degenerate rows). Returns the optimum, or
 * INFINITY when unbounded. */
static double simplex(struct lp *p)
{
	unsigned rhs = p->n + p->rows, guard;

	for (guard = 0; guard < 10000; guard++) {
		unsigned c = rhs, r = p->rows, i;
		double best = INFINITY;

		for (i = 0; i < rhs && c == rhs; i++)
			if (p->a[p->rows][i] < -TOL)
				c = i;
		if (c == rhs)
			return p->a[p->rows][rhs];
		for (i = 0; i < p->rows; i++)
			if (p->a[i][c] > TOL) {
				double q = p->a[i][rhs] / p->a[i][c];

				if (q < best - TOL || (q < best + TOL && r < p->rows && p->basis[i] < p->basis[r])) {
					best = q;
					r = i;
				}
			}
		if (r == p->rows)
			return INFINITY;
		pivot(p, r, c);
	}
	return INFINITY;
}

static double *new_row(struct lp *p)
{
	double *r = p->a[p->rows++];

	memset(r, 0, sizeof(p->a[0]));
	return r;
}

/* Intervals i..j land at most coef_t (per unit of t) plus rate times
 * the gaps from..j: d_i + ... + d_j - coef_t t - rate (g_from + ...) <= 0. */
static void range_row(struct lp *p, unsigned m, unsigned i, unsigned j, double coef_t, double rate, unsigned from)
{
	double *r = new_row(p);
	unsigned l;

	for (l = i; l <= j; l++)
		r[l] = 1;
	for (l = from; l <= j; l++)
		r[m + l - 1] = -rate;
	r[2 * m - 1] = -coef_t;
}

/* The LP of one block of m intervals. A credit row of a range i<j whose
 * G - D can have either sign takes the side that the next bit of sides
 * picks (1: W + R (G - D)); the bits used are returned. */
static unsigned build(struct lp *p, const struct usb_bound_model *md, unsigned m, unsigned sides)
{
	double d = md->ctl_us + 2 * md->done_us, *r;
	unsigned i, j, bit = 0, rhs;

	p->n = 2 * m;
	p->rows = 0;
	for (i = 0; i < m; i++)
		for (j = i; j < m; j++) {
			int far = i < j && ((j - i) * md->ctl_us >= d || (sides >> bit++ & 1));

			range_row(p, m, i, j, far ? md->fifo - md->rate * d : md->fifo, md->rate, far ? i + 1 : j + 1);
			if (i > 0)      /* the link: d_i + ... + d_j <= R (g_i + ... + g_j) */
				range_row(p, m, i, j, 0, md->rate, i);
		}
	for (i = 1; i < m; i++) {   /* g_i >= ctl */
		r = new_row(p);
		r[m + i - 1] = -1;
		r[2 * m - 1] = md->ctl_us;
	}
	r = new_row(p);             /* w.g <= 1 */
	for (i = 1; i < m; i++)
		r[m + i - 1] = (double)m / (m - 1);
	rhs = p->n + p->rows;
	for (i = 0; i < p->rows; i++) {
		p->a[i][rhs] = i == p->rows - 1 ? 1 : 0;
		p->a[i][p->n + i] = 1;
		p->basis[i] = p->n + i;
	}
	memset(p->a[p->rows], 0, sizeof(p->a[0]));
	for (i = 0; i < m; i++)
		p->a[p->rows][i] = -1;
	return bit;
}

double usb_bound_block(const struct usb_bound_model *md, unsigned m)
{
	unsigned sides, n = 0;
	double best = 0;
	struct lp p;

	if (m < 2 || m > MAX_M)
		return INFINITY;
	for (sides = 0; sides == 0 || sides < 1u << n; sides++) {
		double v;

		n = build(&p, md, m, sides);
		v = simplex(&p);
		if (v > best)
			best = v;
	}
	return best;
}

double usb_bound_credit(const struct usb_bound_model *md)
{
	double best = INFINITY;
	unsigned m;

	for (m = 2; m <= MAX_M; m++) {
		double b = usb_bound_block(md, m);

		if (b < best)
			best = b;
	}
	return best * (1 + 1e-6);
}

/* Three limits on the time t to land len bytes: the link (len <= R t),
 * the drain (len <= W + drain t) and the credit. The credit's steady
 * limit T holds for every block of intervals; at the two ends of a push
 * the blocks reach over at most m intervals of ctl on each side, the
 * first read's service starting at the earliest when the push does, so
 * len <= T (t + 2 m ctl + done). */
double usb_bound_least_us(const struct usb_bound_model *md, double credit, double drain, size_t len)
{
	double n = (double)len, t = n / md->rate, c = n / credit - (2 * MAX_M * md->ctl_us + md->done_us);

	if (drain > 0 && n > md->fifo && (n - md->fifo) / drain > t)
		t = (n - md->fifo) / drain;
	return c > t ? c : t;
}
