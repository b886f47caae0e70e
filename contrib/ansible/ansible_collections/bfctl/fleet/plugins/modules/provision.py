#!/usr/bin/python
# -*- coding: utf-8 -*-
# Ansible module: run `bfctl provision --json` for one device or an
# inventory on the managed host; changed and failed per device.
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: provision
short_description: Provision BlueField DPUs with bfctl
description:
  - Runs C(bfctl provision --inventory FILE --json) on the managed host and
    reports each device's outcome. A single device may be given instead of
    an inventory file; the module then writes a one-device inventory.
  - In check mode it runs C(--plan) - inputs downloaded and checked, each
    device's platform read, nothing written - and reports which devices
    would change.
options:
  inventory:
    description: A bfctl inventory file on the managed host.
    type: path
  device:
    description: One device (any name bfctl takes, e.g. C(rshim0), C(sim:0)) instead of I(inventory).
    type: str
  name:
    description: Label of I(device) in events and results.
    type: str
  bfb:
    description: The bundle for I(device) (path or http(s) URL).
    type: str
  sha256:
    description: The bundle's expected SHA-256.
    type: str
  config:
    description: A bf.cfg for I(device) (path or URL).
    type: str
  profile:
    description: A DPU profile for I(device) (the provision flow).
    type: path
  parallel:
    description: At most this many devices at a time.
    type: int
  resume:
    description: Skip the steps each device's journal records, so that a second run changes nothing.
    type: bool
    default: true
  state_dir:
    description: Where the journals are kept (C(--state-dir)).
    type: path
  cache:
    description: The download cache (C(--cache)).
    type: path
  cacert:
    description: CA certificates for https URLs.
    type: path
  insecure:
    description: Do not verify https servers.
    type: bool
    default: false
  timeout:
    description: Deadline of one device's install, seconds.
    type: float
  retries:
    description: Transient failures retried per step.
    type: int
  force_platform:
    description: Install bundles made for another platform.
    type: bool
    default: false
  bfctl:
    description: The bfctl program.
    type: str
    default: bfctl
  environment_vars:
    description: Extra environment for bfctl.
    type: dict
    default: {}
author:
  - bfctl contributors
"""

EXAMPLES = r"""
- name: Every DPU of the host's inventory, four at a time
  bfctl.fleet.provision:
    inventory: /etc/bfctl/inventory.yaml
    parallel: 4

- name: One DPU from a URL
  bfctl.fleet.provision:
    device: rshim0
    bfb: https://repo.example.com/bf-bundle.bfb
    sha256: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
"""

RETURN = r"""
devices:
  description: Per device name - ok, changed, failed, skipped, exit_code, step, seconds, retries, message.
  type: dict
  returned: always
summary:
  description: The run's summary (devices, ok, failed, changed, skipped, plan, seconds).
  type: dict
  returned: when bfctl got that far
exit_code:
  description: bfctl's exit status (0 all ok, 1 a device failed, 3 invalid inventory).
  type: int
  returned: always
"""

import json
import os
import tempfile

from ansible.module_utils.basic import AnsibleModule


def one_device_inventory(p, tmpdir):
    dev = {"rshim": p["device"]}
    for key in ("name", "bfb", "sha256", "config", "profile"):
        if p[key]:
            dev[key] = p[key]
    path = os.path.join(tmpdir, "inventory.yaml")
    # JSON is YAML: no quoting to get wrong.
    with open(path, "w") as f:
        json.dump({"devices": [dev]}, f)
    return path


def command(p, inventory, check):
    cmd = [p["bfctl"], "provision", "--json", "--inventory", inventory]
    if p["parallel"]:
        cmd += ["--parallel", str(p["parallel"])]
    if p["resume"]:
        cmd.append("--resume")
    for opt in ("state_dir", "cache", "cacert", "timeout", "retries"):
        if p[opt] is not None:
            cmd += ["--" + opt.replace("_", "-"), str(p[opt])]
    if p["insecure"]:
        cmd.append("--insecure")
    if p["force_platform"]:
        cmd.append("--force-platform")
    if check:
        cmd.append("--plan")
    return cmd


def parse(out):
    devices, summary, final = {}, None, None
    for line in out.splitlines():
        try:
            ev = json.loads(line)
        except ValueError:
            continue
        if not isinstance(ev, dict):
            continue
        if ev.get("event") == "result" and "device" in ev:
            devices[ev["device"]] = {
                "ok": ev.get("ok", False),
                "failed": not ev.get("ok", False),
                "changed": ev.get("changed", False),
                "skipped": ev.get("skipped", False),
                "exit_code": ev.get("exit_code"),
                "step": ev.get("step"),
                "seconds": ev.get("seconds"),
                "retries": ev.get("retries", 0),
                "message": ev.get("message", ""),
            }
        elif ev.get("event") == "summary":
            summary = ev
        elif ev.get("event") == "result":
            final = ev
    return devices, summary, final


def main():
    module = AnsibleModule(
        argument_spec=dict(
            inventory=dict(type="path"),
            device=dict(type="str"),
            name=dict(type="str"),
            bfb=dict(type="str"),
            sha256=dict(type="str", no_log=False),
            config=dict(type="str"),
            profile=dict(type="path"),
            parallel=dict(type="int"),
            resume=dict(type="bool", default=True),
            state_dir=dict(type="path"),
            cache=dict(type="path"),
            cacert=dict(type="path"),
            insecure=dict(type="bool", default=False),
            timeout=dict(type="float"),
            retries=dict(type="int"),
            force_platform=dict(type="bool", default=False),
            bfctl=dict(type="str", default="bfctl"),
            environment_vars=dict(type="dict", default={}),
        ),
        mutually_exclusive=[("inventory", "device")],
        required_one_of=[("inventory", "device")],
        supports_check_mode=True,
    )
    p = module.params
    tmpdir = tempfile.mkdtemp(prefix="bfctl-ansible-")
    try:
        inventory = p["inventory"] or one_device_inventory(p, tmpdir)
        cmd = command(p, inventory, module.check_mode)
        env = dict((str(k), str(v)) for k, v in p["environment_vars"].items())
        rc, out, err = module.run_command(cmd, environ_update=env)
    finally:
        for name in os.listdir(tmpdir):
            os.unlink(os.path.join(tmpdir, name))
        os.rmdir(tmpdir)
    devices, summary, final = parse(out)
    result = dict(
        changed=any(d["changed"] for d in devices.values()),
        devices=devices,
        summary=summary,
        exit_code=rc,
        cmd=cmd,
        stderr=err,
    )
    if rc != 0:
        message = (final or {}).get("message") or err.strip() or "bfctl exited with %d" % rc
        failed = sorted(n for n, d in devices.items() if d["failed"])
        if failed:
            message = "%d of %d devices failed (%s): %s" % (
                len(failed), len(devices), ", ".join(failed), message)
        module.fail_json(msg=message, **result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
