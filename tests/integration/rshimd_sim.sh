#!/bin/bash
# rshimd_sim.sh - rshimd.sh with the device in-process (sim:0) instead of behind
# bfsim's USB transport: the daemon's own paths without libusb/umockdev.
RSHIMD_TEST_TRANSPORT=sim exec bash "$(dirname "$0")/rshimd.sh"
