# -*- coding: utf-8 -*-
# The one runner of the virtmdev.s390 modules: it builds virt-mdev's command line from the
# shared options, runs the installed binary and reads its JSON. Nothing here knows about
# devices: what to change, the checks and the rollback are virt-mdev's (virt-mdev(8)).

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

# virt-mdev's exit codes (virt-mdev(8), EXIT STATUS)
EXIT_CODES = {
    0: 'ok',
    1: 'failed (rolled back)',
    2: 'usage or bad state file',
    3: 'not found',
    4: 'refused by a check',
    5: 'rollback incomplete',
    10: 'plan --exit-code: something would change',
}


def common_argument_spec():
    """The options every module of the collection takes: which virt-mdev, which host, which libvirt."""
    return dict(
        binary=dict(type='path', default='virt-mdev'),
        root=dict(type='path'),
        uri=dict(type='str'),
        backend=dict(type='str', choices=['auto', 'libvirt', 'sysfs']),
    )


class VirtMdev(object):
    """Runs virt-mdev with the global options the module was given (--root, -c, --backend)."""

    def __init__(self, module):
        self.module = module
        binary = module.params['binary']
        if '/' not in binary:
            # fails the module with Ansible's message naming the binary and the PATH searched
            binary = module.get_bin_path(binary, required=True)
        self.binary = binary

    def argv(self, args, json_output=True):
        p = self.module.params
        argv = [self.binary]
        if p.get('uri'):
            argv += ['-c', p['uri']]
        if p.get('root'):
            argv += ['--root', p['root']]
        if p.get('backend'):
            argv += ['--backend', p['backend']]
        if json_output:
            argv.append('-j')
        return argv + list(args)

    def run(self, args, json_output=True):
        """(rc, stdout, stderr, the JSON document or None) of one virt-mdev run."""
        argv = self.argv(args, json_output)
        rc, out, err = self.module.run_command(argv, check_rc=False)
        doc = None
        if json_output and out.strip():
            try:
                doc = json.loads(out)
            except ValueError:
                doc = None
        return rc, out, err, doc

    def fail(self, what, rc, out, err, doc, rename=None, **extra):
        """Fail the module with virt-mdev's one message and its exit code as rc.

        rename (PATH, LABEL): PATH named in the message reads LABEL (a temporary file's name
        means nothing to the operator).
        """
        msg = None
        error = None
        if isinstance(doc, dict) and isinstance(doc.get('error'), dict):
            error = doc['error']
            msg = error.get('message')
        if not msg:
            # the message of a run without JSON is virt-mdev's line on stderr (a usage
            # error adds a hint line after it)
            lines = [line for line in err.splitlines() if line.startswith('virt-mdev: ')]
            msg = lines[0] if lines else None
        if not msg:
            msg = '%s exited %d (%s) without a message' % (what, rc, EXIT_CODES.get(rc, 'unknown exit code'))
        elif msg.startswith('virt-mdev: '):
            msg = msg[len('virt-mdev: '):]
        if rename and rename[1]:
            msg = msg.replace(rename[0], rename[1])
        result = dict(msg=msg, rc=rc, stderr=err, cmd=what)
        if error is not None:
            result['error'] = error
        result.update(extra)
        self.module.fail_json(**result)
