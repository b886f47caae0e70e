#!/usr/bin/env python3
# bfreg.py - a register request the way the upstream bf-reg script makes
# it: bfreg.py /dev/rshimN ADDR.32|ADDR.64 [VALUE] [--v1]. The address gets
# bit 28 (0x10000000), the 13-byte message is packed as u32 addr, u32 data
# low, u32 data high, u8 size, and issued as RSHIM_IOC_READ2 (0xc00d5200) or
# RSHIM_IOC_WRITE2 (0xc00d5201) on DIR/rshim. --v1 sends the 12-byte form
# (0xc00c5200/1, no size byte) instead. Output as bf-reg prints it.
import fcntl, struct, sys

args = [a for a in sys.argv[1:] if a != '--v1']
v1 = '--v1' in sys.argv
if len(args) not in (2, 3) or '.' not in args[1]:
    sys.exit('usage: bfreg.py DIR ADDR.32|ADDR.64 [VALUE] [--v1]')
d, spec = args[0], args[1]
a, bits = spec.split('.')
addr = int(a, 16) | 0x10000000
size = int(bits) // 8
write = len(args) == 3
val = int(args[2], 0) if write else 0
if v1:
    msg = bytearray(struct.pack('<IQ', addr, val))
    cmd = 0xc00c5201 if write else 0xc00c5200
else:
    msg = bytearray(struct.pack('<IIIB', addr, val & 0xffffffff, val >> 32, size))
    cmd = 0xc00d5201 if write else 0xc00d5200
with open(d + '/rshim', 'rb+', buffering=0) as f:
    fcntl.ioctl(f, cmd, msg, True)
data = struct.unpack_from('<Q', msg, 4)[0]
print('[0x%x] %s 0x%08x%08x' % (addr, '<-' if write else '->', data >> 32, data & 0xffffffff))
