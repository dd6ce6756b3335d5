#!/usr/bin/python
# -*- coding: utf-8 -*-
# virtmdev.s390.virt_mdev_facts: the host's passthrough state ('virt-mdev export') and its
# inventory ('virt-mdev -j list') as facts, read by the installed virt-mdev.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: virt_mdev_facts
short_description: The passthrough state and device inventory of an s390x host, from virt-mdev
version_added: "0.1.0"
description:
  - Runs the installed C(virt-mdev export) (the host's vfio-ccw and vfio-ap passthrough state as a
    state file, virt-mdev-state(5)) and C(virt-mdev -j list) (subchannels, AP queues, mdevs and
    mdev types, with who uses what) on the target and returns both as facts.
  - The exported state is the mapping a state file holds; given to
    M(virtmdev.s390.virt_mdev_state) as I(state) on the same
    host it changes nothing.
  - virt-mdev writes the export as YAML; the module reads it with PyYAML on the target (Debian's
    python3-yaml, which ansible-core itself needs on a controller).
author:
  - virt-mdev contributors
requirements:
  - virt-mdev on the target (virt-mdev(8))
  - PyYAML on the target (python3-yaml)
extends_documentation_fragment:
  - virtmdev.s390.common
attributes:
  check_mode:
    support: full
    description: It changes nothing, in check mode or not.
  diff_mode:
    support: none
    description: There is nothing to show a difference of.
  facts:
    support: full
    description: C(ansible_facts.virt_mdev_state) and C(ansible_facts.virt_mdev_inventory).
seealso:
  - module: virtmdev.s390.virt_mdev_state
'''

EXAMPLES = r'''
- name: Read each host's passthrough state
  virtmdev.s390.virt_mdev_facts:

- name: The guests of a host and the uuids of their mdevs
  ansible.builtin.debug:
    msg: "{{ ansible_facts.virt_mdev_state.guests | default([]) | map(attribute='name') | list }}"

- name: Keep a copy of each host's state on the controller (a state file apply takes back)
  ansible.builtin.copy:
    content: "{{ ansible_facts.virt_mdev_state | to_nice_yaml }}"
    dest: "states/{{ inventory_hostname }}.yml"
  delegate_to: localhost
'''

RETURN = r'''
ansible_facts:
  description: The facts.
  returned: always
  type: complex
  contains:
    virt_mdev_state:
      description: C(virt-mdev export), parsed (the mapping of a state file, virt-mdev-state(5)).
      returned: always
      type: dict
      sample:
        version: 1
        guests:
          - name: guest1
            devices:
              - kind: ccw
                device: 0.0.2b09
                uuid: 11111111-2222-4333-8444-000000000001
                devno: fe.0.2b09
    virt_mdev_inventory:
      description: C(virt-mdev -j list), parsed (subchannels, AP queues, mdevs, mdev types).
      returned: always
      type: dict
'''

from ansible.module_utils.basic import AnsibleModule, missing_required_lib
from ansible_collections.virtmdev.s390.plugins.module_utils.virt_mdev import (
    VirtMdev,
    common_argument_spec,
)

try:
    import yaml

    HAS_YAML = True
except ImportError:
    HAS_YAML = False


def main():
    module = AnsibleModule(argument_spec=common_argument_spec(), supports_check_mode=True)
    if not HAS_YAML:
        module.fail_json(msg=missing_required_lib('PyYAML (python3-yaml)'))
    vm = VirtMdev(module)
    rc, out, err, doc = vm.run(['export'], json_output=False)
    if rc != 0:
        vm.fail(' '.join(vm.argv(['export'], json_output=False)), rc, out, err, None)
    try:
        state = yaml.safe_load(out)
    except yaml.YAMLError as e:
        module.fail_json(msg='virt-mdev export wrote no state file PyYAML reads: %s' % e, rc=rc)
    if not isinstance(state, dict):
        module.fail_json(msg='virt-mdev export wrote no mapping (a state file is one)', rc=rc)
    rc, out, err, inventory = vm.run(['list'])
    if rc != 0 or not isinstance(inventory, dict):
        vm.fail(' '.join(vm.argv(['list'])), rc, out, err, inventory)
    module.exit_json(changed=False,
                     ansible_facts=dict(virt_mdev_state=state, virt_mdev_inventory=inventory))


if __name__ == '__main__':
    main()
