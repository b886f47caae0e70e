#!/usr/bin/env python3
# ping.py ADDR [COUNT] [SIZE] - ICMP echo (a raw socket, as ping does):
# prints one line per reply and exits 0 only when every request is
# answered within $PING_WAIT s (default 10). For hosts without iputils ping.
import os, socket, struct, sys, time

def csum(b):
    if len(b) % 2:
        b += b'\0'
    s = sum(struct.unpack('!%dH' % (len(b) // 2), b))
    s = (s >> 16) + (s & 0xffff)
    s += s >> 16
    return ~s & 0xffff

addr = sys.argv[1]
count = int(sys.argv[2]) if len(sys.argv) > 2 else 3
size = int(sys.argv[3]) if len(sys.argv) > 3 else 56
ident = os.getpid() & 0xffff
sk = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
sk.settimeout(float(os.environ.get("PING_WAIT", "10")))
got = 0
for seq in range(1, count + 1):
    payload = bytes((seq + i) & 0xff for i in range(size))
    hdr = struct.pack('!BBHHH', 8, 0, 0, ident, seq)
    pkt = struct.pack('!BBHHH', 8, 0, csum(hdr + payload), ident, seq) + payload
    t0 = time.monotonic()
    sk.sendto(pkt, (addr, 0))
    while True:
        try:
            data, src = sk.recvfrom(65535)
        except socket.timeout:
            print('no reply from %s seq=%d' % (addr, seq))
            sys.exit(1)
        ihl = (data[0] & 0xf) * 4
        t, c, _, rid, rseq = struct.unpack('!BBHHH', data[ihl:ihl + 8])
        if t == 0 and rid == ident and rseq == seq and src[0] == addr and data[ihl + 8:] == payload:
            print('%d bytes from %s: icmp_seq=%d time=%.2f ms' % (len(data) - ihl, addr, seq, (time.monotonic() - t0) * 1e3))
            got += 1
            break
print('%d packets transmitted, %d received' % (count, got))
sys.exit(0 if got == count else 1)
