# Shared helpers for the shell tests: TAP output, running the binary, skip rules.
# Sourced by tests/*.sh; top_srcdir and top_builddir come from the Makefile.

: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
VIRT_MDEV="$top_builddir/src/virt-mdev"

tap_n=0
tap_failed=0

# ok CONDITION_RC DESCRIPTION
ok() {
	tap_n=$((tap_n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $tap_n - $2"
	else
		echo "not ok $tap_n - $2"
		tap_failed=$((tap_failed + 1))
	fi
}

# is ACTUAL EXPECTED DESCRIPTION
is() {
	if [ "$1" = "$2" ]; then
		ok 0 "$3"
	else
		ok 1 "$3"
		printf '#      got: %s\n# expected: %s\n' "$1" "$2" | sed '2,${/^#/!s/^/#           /}'
	fi
}

# like ACTUAL GREP_PATTERN DESCRIPTION
like() {
	if printf '%s\n' "$1" | grep -qE -- "$2"; then
		ok 0 "$3"
	else
		ok 1 "$3"
		printf '#      got: %s\n# expected to match: %s\n' "$1" "$2"
	fi
}

# run CMD...: sets $out, $err and $rc
run() {
	local o e
	o=$(mktemp) e=$(mktemp)
	"$@" >"$o" 2>"$e"
	rc=$?
	out=$(cat "$o")
	err=$(cat "$e")
	rm -f "$o" "$e"
}

# skip_all REASON: exit 77 (skip), but never under CI=true, where a missing
# prerequisite is a failure.
skip_all() {
	if [ "${CI:-}" = true ]; then
		echo "Bail out! required under CI=true: $1"
		exit 1
	fi
	echo "1..0 # SKIP $1"
	exit 77
}

done_testing() {
	echo "1..$tap_n"
	[ "$tap_failed" = 0 ]
}

# private_run: go on in a private mount namespace whose /run is an empty tmpfs. libvirt's
# in-process test driver (test:///default) makes /run/libvirt/common when run as root: a
# test that uses it must not leave that on the machine. Call it before anything else runs.
private_run() {
	[ -n "${VIRT_MDEV_PRIVATE_RUN:-}" ] && return 0
	[ "$(id -u)" = 0 ] || return 0 # as a user, libvirt keeps to $XDG_RUNTIME_DIR
	exec unshare -m --propagation private env VIRT_MDEV_PRIVATE_RUN=1 \
		bash -c 'mount -t tmpfs virt-mdev-test-run /run && mkdir /run/lock && exec bash "$0" "$@"' "$0" "$@"
}
