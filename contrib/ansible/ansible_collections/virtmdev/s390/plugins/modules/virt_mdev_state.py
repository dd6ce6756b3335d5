#!/usr/bin/python
# -*- coding: utf-8 -*-
# virtmdev.s390.virt_mdev_state: make a host hold a virt-mdev state file (virt-mdev-state(5))
# by running the installed virt-mdev: 'virt-mdev -j apply FILE', or 'virt-mdev -j plan FILE'
# in check mode. It has no device logic of its own.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: virt_mdev_state
short_description: Make an s390x host hold a virt-mdev state file (vfio-ccw and vfio-ap passthrough)
version_added: "0.1.0"
description:
  - Runs the installed C(virt-mdev apply) on the target with a state file (virt-mdev-state(5)),
    listing the guests (libvirt domains) and their vfio-ccw and vfio-ap devices, the mdevs wanted without
    a guest, and AP reservations. virt-mdev takes one lock, opens one libvirt connection, makes one
    plan and rolls all of it back on a failure. The module only carries the state to the host and
    reports what virt-mdev did.
  - The state is either a file on the target (I(src)) or given inline (I(state)), which the module
    writes to a temporary file as JSON (JSON is YAML, and virt-mdev reads it so). virt-mdev
    validates it, not the module.
  - In check mode the module runs C(virt-mdev -j plan FILE), which changes nothing; the task is
    C(changed) when the plan has a step.
  - In diff mode the first diff is the plan (C(virt-mdev plan FILE)), each step as its
    C(# description) comment and the command an admin could type, all shown as added lines, so that
    C(--check --diff) lists exactly what would run. After a real run a second diff shows the host's
    state before and after as C(virt-mdev export) writes it, in the state file's own words.
  - A failure is virt-mdev's one message (I(msg)) and its exit code (C(rc)); the host and libvirt
    are as before (virt-mdev's rollback), unless rc is 5 (rollback incomplete).
author:
  - virt-mdev contributors
requirements:
  - virt-mdev on the target (virt-mdev(8))
options:
  src:
    description:
      - Path of a state file on the target (virt-mdev-state(5), YAML or JSON).
      - Exactly one of I(src) and I(state) is required.
    type: path
  state:
    description:
      - The state itself, as the mapping a state file holds (C(version), C(guests), C(mdevs),
        C(ap-reserve)). The module writes it to a temporary file on the target as JSON and passes
        that to virt-mdev; a message about it names that file and its line.
      - Exactly one of I(src) and I(state) is required.
    type: dict
  prune:
    description:
      - Also remove what an earlier C(virt-mdev apply) made and the state no longer lists
        (C(virt-mdev apply --prune)). What apply did not make is never removed.
    type: bool
    default: false
  exact:
    description:
      - Refuse (rc 4) when a crypto queue that no device or reservation names would leave the
        host (C(virt-mdev apply --exact)).
    type: bool
    default: false
  lock_timeout:
    description:
      - Seconds to wait for virt-mdev's lock and the s390-tools AP lock while another process
        holds one (C(--lock-timeout)); 0 fails at once. Unset, virt-mdev's default (60).
      - A plan (check mode) takes no lock, and does not pass it.
    type: int
extends_documentation_fragment:
  - virtmdev.s390.common
attributes:
  check_mode:
    support: full
    description: C(virt-mdev -j plan FILE) in place of C(apply); nothing changes.
  diff_mode:
    support: full
    description: The plan's steps, and after a run the exported state before and after.
notes:
  - The target needs virt-mdev and, for I(state), nothing else (the module writes JSON).
seealso:
  - module: virtmdev.s390.virt_mdev_facts
'''

EXAMPLES = r'''
- name: Pass DASD 0.0.2b09 and APQN 05.0004 to guest1 (a state file on the host)
  virtmdev.s390.virt_mdev_state:
    src: /etc/virt-mdev/state.yml

- name: The same state inline, and remove what an earlier apply made that it no longer lists
  virtmdev.s390.virt_mdev_state:
    prune: true
    state:
      version: 1
      guests:
        - name: guest1
          devices:
            - kind: ccw
              device: 0.0.2b09
              devno: fe.0.1234
            - kind: ap
              adapters: 5
              domains: 4

- name: A drift check in a pipeline (run with --check --diff)
  virtmdev.s390.virt_mdev_state:
    src: /etc/virt-mdev/state.yml
  check_mode: true
  register: drift
'''

RETURN = r'''
changed:
  description: virt-mdev's C(changed) after a run; in check mode, whether the plan has a step.
  returned: always
  type: bool
rc:
  description: virt-mdev's exit code (0 ok; 1 failed, rolled back; 2 bad state; 3 not found;
    4 refused by a check; 5 rollback incomplete).
  returned: always
  type: int
  sample: 0
steps:
  description: The plan's steps as virt-mdev's JSON gives them (description, command, undo, status).
  returned: always
  type: list
  elements: dict
  sample:
    - description: bind subchannel 0.0.0313 to vfio_ccw
      command: echo 0.0.0313 > /sys/bus/css/drivers/vfio_ccw/bind
      undo: echo 0.0.0313 > /sys/bus/css/drivers/vfio_ccw/unbind
      status: done
result:
  description: virt-mdev's C(result) member (the state file, each device with its uuid, parent,
    model and guest, whether it pruned and how many it removed).
  returned: when virt-mdev got as far as a plan
  type: dict
dry_run:
  description: Whether virt-mdev only planned (check mode).
  returned: always
  type: bool
src:
  description: The state file virt-mdev read (a temporary file for I(state), removed after the run).
  returned: always
  type: str
msg:
  description: virt-mdev's one message, on a failure. For an inline I(state) the temporary file's
    name in it reads C(state (inline, as JSON)), and its line and column are those of C(state_json).
  returned: failure
  type: str
  sample: "cannot create vfio-ap mdev ...: APQN 05.0004 is assigned to mdev ... already"
state_json:
  description: The inline I(state) as the module wrote it for virt-mdev, on a failure.
  returned: failure, with I(state)
  type: str
error:
  description: virt-mdev's JSON error object (message, exit_code, kind, errno), on a failure.
  returned: failure
  type: dict
'''

import json
import os
import tempfile

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.virtmdev.s390.plugins.module_utils.virt_mdev import (
    VirtMdev,
    common_argument_spec,
)


def plan_text(steps):
    """The plan as the dry run prints it: a '# description' comment and the command, per step."""
    lines = []
    for s in steps:
        lines.append('# %s' % s.get('description', ''))
        if s.get('command'):
            lines.append(s['command'])
    return '\n'.join(lines) + '\n' if lines else ''


def export(vm):
    rc, out, err, doc = vm.run(['export'], json_output=False)
    return out if rc == 0 else None


def run_state(module, vm, src, label=None, text=None):
    """Plan or apply the state file src; label names it in messages (the inline state's file is temporary)."""
    p = module.params
    args = []
    if module.check_mode:
        args = ['plan', src]
    else:
        args = ['apply', src]
        if p['lock_timeout'] is not None:
            args += ['--lock-timeout', str(p['lock_timeout'])]
    if p['prune']:
        args.append('--prune')
    if p['exact']:
        args.append('--exact')
    before = export(vm) if module._diff and not module.check_mode else None
    rc, out, err, doc = vm.run(args)
    what = ' '.join(vm.argv(args))
    steps = doc.get('steps', []) if isinstance(doc, dict) else []
    if rc != 0 or not isinstance(doc, dict):
        extra = dict(steps=steps, src=src)
        if label:
            # FILE:LINE:COLUMN of the inline state: the lines of the JSON it was written as
            extra.update(label=label, state_json=text)
        vm.fail(what, rc, out, err, doc, rename=(src, label), **extra)
    if module.check_mode:
        # a plan record says changed: false (nothing ran); the task changes when a step would run
        changed = len(steps) > 0
    else:
        changed = bool(doc.get('changed'))
    res = dict(changed=changed, rc=rc, steps=steps, dry_run=bool(doc.get('dry_run')),
               src=src, cmd=what)
    if 'result' in doc:
        res['result'] = doc['result']
    if module._diff:
        # a list of diffs: ansible-core's CallbackBase._get_diff takes a list or one
        # (ansible/plugins/callback/__init__.py), and the default callback shows them only
        # for a changed result (plugins/callback/default.py, v2_on_file_diff)
        diffs = [dict(before_header='the host before the plan',
                      after_header='the steps %s (virt-mdev %s %s)'
                      % ('apply would run' if module.check_mode else 'apply ran',
                         args[0], label or src),
                      before='', after=plan_text(steps))]
        if before is not None and changed:
            after = export(vm)
            if after is not None:
                diffs.append(dict(before_header='virt-mdev export (before)',
                                  after_header='virt-mdev export (after)',
                                  before=before, after=after))
        res['diff'] = diffs
    return res


def main():
    spec = common_argument_spec()
    spec.update(
        src=dict(type='path'),
        state=dict(type='dict'),
        prune=dict(type='bool', default=False),
        exact=dict(type='bool', default=False),
        lock_timeout=dict(type='int'),
    )
    module = AnsibleModule(
        argument_spec=spec,
        mutually_exclusive=[['src', 'state']],
        required_one_of=[['src', 'state']],
        supports_check_mode=True,
    )
    vm = VirtMdev(module)
    if module.params['src'] is not None:
        module.exit_json(**run_state(module, vm, module.params['src']))
    fd, path = tempfile.mkstemp(prefix='virt-mdev-state.', suffix='.json', dir=module.tmpdir)
    text = json.dumps(module.params['state'], indent=2) + '\n'
    try:
        with os.fdopen(fd, 'w') as f:
            f.write(text)
        res = run_state(module, vm, path, label='state (inline, as JSON)', text=text)
    finally:
        os.unlink(path)
    module.exit_json(**res)


if __name__ == '__main__':
    main()
