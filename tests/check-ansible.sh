#!/bin/bash
# The Ansible collection (contrib/ansible/ansible_collections/virtmdev/s390) as its users and
# Ansible's own tools see it: ansible-doc renders each module's DOCUMENTATION, EXAMPLES and
# RETURN; the options documented are exactly the options the module takes; pyflakes finds
# nothing; and every test of 'ansible-test sanity' that runs offline passes. The others
# (ansible-doc, import, pep8, pylint, runtime-metadata, validate-modules, yamllint) install
# pinned requirements from PyPI into a virtualenv first, which an offline machine cannot:
# ansible-core 2.14.18's ansible_test/_util/target/setup/requirements.py downloads pip's
# bootstrap script from ci-files.testing.ansible.com into a venv without pip, and
# ansible_test/_data/requirements/sanity.validate-modules.txt pins Jinja2==3.1.2,
# PyYAML==6.0 and voluptuous==0.13.1 (Debian 12 has other versions). The code-smell tests
# and compile need nothing beyond the python that runs them. In place of validate-modules'
# check that DOCUMENTATION and the argument spec agree: the module's own list of the options
# it takes (ansible/module_utils/common/arg_spec.py: "Supported parameters include: A, B.",
# sorted) against ansible-doc's.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
command -v ansible-doc >/dev/null || skip_all "ansible-core is not installed (apt-get install ansible-core; tools/install-deps installs it)"
command -v ansible-test >/dev/null || skip_all "ansible-test is not installed (Debian's ansible-core has it)"
/usr/bin/python3 -c 'import pyflakes' 2>/dev/null || skip_all "pyflakes is not installed (apt-get install python3-pyflakes)"

MODULES="virt_mdev_state virt_mdev_facts"
# ansible-test writes tests/output into the collection, and the source tree may be read-only
# (distcheck): a copy, at the path ansible-test wants (ansible_collections/NAMESPACE/NAME)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp -r "$top_srcdir/contrib/ansible/ansible_collections" "$tmp/"
coll=$tmp/ansible_collections/virtmdev/s390
export ANSIBLE_COLLECTIONS_PATH=$tmp HOME=$tmp ANSIBLE_LOCAL_TEMP=$tmp/ansible-local ANSIBLE_NOCOLOR=1

# ---- ansible-doc ----
for m in $MODULES; do
	run ansible-doc -t module "virtmdev.s390.$m"
	is "$rc.$err" "0." "ansible-doc renders virtmdev.s390.$m, without a warning"
	# the sections by their headers, in any case and order (later ansible-doc lays them out
	# otherwise: Debian 13's ansible-core is 2.19)
	for s in "title:> (module )?virtmdev\.s390\.$m .*" "options:options.*" "attributes:attributes:" \
		"requirements:requirements:.*" "examples:examples:" "return values:return values:"; do
		has_line "${out,,}" "${s#*:}" "$m: ansible-doc shows its ${s%%:*}"
	done
	# the documented options against the argument spec: the module itself lists the
	# options it takes when given one it does not (with src, which virt_mdev_state needs
	# before it looks at the rest)
	documented=$(ansible-doc -t module --json "virtmdev.s390.$m" | jq -r ".\"virtmdev.s390.$m\".doc.options | keys | join(\", \")")
	taken=$(cd "$tmp" && printf '{"ANSIBLE_MODULE_ARGS": {"no_such_option": 1, "src": "/nonexistent"}}' |
		PYTHONPATH=$tmp /usr/bin/python3 "$coll/plugins/modules/$m.py" |
		jq -r .msg | sed -n 's/.*Supported parameters include: \(.*\)\.$/\1/p')
	is "$taken" "$documented" "$m: the options documented are the options it takes"
	run ansible-doc -t module --json "virtmdev.s390.$m"
	is "$(printf '%s' "$out" | jq -r ".\"virtmdev.s390.$m\" | [(.examples | length > 0), (.return | length > 0), (.doc.options | [.[] | select(.description == null)] | length)] | @tsv")" "true	true	0" \
		"$m: examples and return values present, every option described"
done
run ansible-doc -t module --list virtmdev.s390
is "$(printf '%s\n' "$out" | sed 's/ .*//')" "virtmdev.s390.virt_mdev_facts
virtmdev.s390.virt_mdev_state" "ansible-doc lists both modules of the collection"

# ---- pyflakes ----
run /usr/bin/python3 -m pyflakes "$coll/plugins"
is "$rc.$out$err" "0." "pyflakes finds nothing in the modules and module_utils"

# ---- ansible-test sanity: the tests that run offline ----
# (pslint, shellcheck and changelog have no file here to check: no .ps1, .sh or changelogs/;
# ignores passes trivially without tests/sanity/ignore-*.txt; a later ansible-test without one
# of these tests lists it no more, and what it lists is what runs)
offline=""
have=$(cd "$coll" && ansible-test sanity --list-tests 2>/dev/null)
for t in action-plugin-docs compile empty-init future-import-boilerplate ignores line-endings metaclass-boilerplate no-assert no-basestring no-dict-iteritems no-dict-iterkeys no-dict-itervalues no-get-exception no-illegal-filenames no-main-display no-smart-quotes no-unicode-literals replace-urlopen shebang symlinks use-argspec-type-path use-compat-six; do
	printf '%s\n' "$have" | grep -qx -- "$t" && offline="$offline $t"
done
offline=${offline# }
like "$offline" "${LINE}compile${LINE}no-assert${LINE}" "ansible-test has the offline tests (compile and no-assert among them)"
args=()
for t in $offline; do args+=(--test "$t"); done
run bash -c 'cd "$1" && shift && ansible-test sanity --local --python "$(/usr/bin/python3 -c "import sys; print(\"%d.%d\" % sys.version_info[:2])")" "$@"' _ "$coll" "${args[@]}"
is "$rc" 0 "ansible-test sanity passes: $offline"
[ "$rc" = 0 ] || diag "ansible-test:" "$out$err"
is "$(printf '%s\n' "$out" | grep -c '^Running sanity test')" "$(echo $offline | wc -w)" "each of them ran"

# the check can fail: a module with an unused import and a print
bad=$tmp/bad/ansible_collections/virtmdev/s390
mkdir -p "$tmp/bad/ansible_collections/virtmdev"
cp -r "$coll" "$bad"
rm -rf "$bad/tests/output"
sed -i 's/^import json$/import json\nimport sys/; s/^def main():$/&\n    assert True/' "$bad/plugins/modules/virt_mdev_state.py"
run /usr/bin/python3 -m pyflakes "$bad/plugins"
like "$rc.$out" "1.$bad/plugins/modules/virt_mdev_state.py:[0-9:]+ 'sys' imported but unused" "pyflakes catches an unused import"
run bash -c 'cd "$1" && ansible-test sanity --local --python "$2" --test no-assert' _ "$bad" "$(/usr/bin/python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
is "$rc" 1 "ansible-test sanity (no-assert) fails on an assert in a module"
has_line "$out" "ERROR: plugins/modules/virt_mdev_state\.py:[0-9]+:[0-9]+: raise AssertionError instead of: assert ?" "and names it"
done_testing
