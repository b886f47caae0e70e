#!/bin/bash
# rshimd_usb.sh - rshimd.sh with the device behind bfsim's USB transport
# (usb:1-4, real libusb through umockdev).
RSHIMD_TEST_TRANSPORT=usb exec bash "$(dirname "$0")/rshimd.sh"
