#!/bin/sh
# make check: the USB push grid (bench_usb, simulated time, deterministic)
# as a regression gate: in every cell bfctl's push engine loses nothing and
# is at least as fast as the upstream daemon's loop, neither push beats the
# proven bound, and the worst cell keeps its fraction of the bound above
# today's floor (bench_usb.c).
exec "${top_builddir:-.}/tests/bench/bench_usb" --check 4
