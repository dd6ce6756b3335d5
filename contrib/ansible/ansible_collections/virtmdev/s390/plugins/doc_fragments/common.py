# -*- coding: utf-8 -*-
# virtmdev.s390.common: the documentation of the options every module of the collection
# takes (module_utils/virt_mdev.py common_argument_spec): which virt-mdev, which host, which
# libvirt. A module names it in extends_documentation_fragment.

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    DOCUMENTATION = r'''
options:
  binary:
    description:
      - The virt-mdev program, a name looked up in the target's PATH, or a path.
    type: path
    default: virt-mdev
  root:
    description:
      - The host's root directory (C(--root)), for a host whose sysfs and configuration are
        elsewhere than C(/). Unset, virt-mdev's default (C($VIRT_MDEV_ROOT), else C(/)).
    type: path
  uri:
    description:
      - The libvirt connection URI (C(-c)). Unset, virt-mdev's default (C($LIBVIRT_DEFAULT_URI),
        else libvirt's).
    type: str
  backend:
    description:
      - How virt-mdev creates mdevs (C(--backend)). Unset, virt-mdev's default (C(auto)). A
        module that creates none passes it all the same, so that an inventory may set it for
        every module of the collection.
    type: str
    choices: [auto, libvirt, sysfs]
'''
