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

# diag LABEL TEXT: TEXT as TAP comments, every line of it ('#' first, so that no line of a
# program's output is read as a test result)
diag() {
	printf '%s\n' "$2" | sed "1s/^/# $1 /; 1!s/^/#            /"
}

# is ACTUAL EXPECTED DESCRIPTION: ACTUAL is EXPECTED, byte for byte.
is() {
	if [ "$1" = "$2" ]; then
		ok 0 "$3"
	else
		ok 1 "$3"
		diag "     got:" "$1"
		diag "expected:" "$2"
	fi
}

# like ACTUAL ERE DESCRIPTION: the WHOLE of ACTUAL matches the POSIX extended regular
# expression ERE (bash's [[ =~ ]], with ERE anchored at both ends: ^(ERE)$). ERE describes
# all of ACTUAL, never one line or a part of it:
#  * a newline in ERE is a newline in ACTUAL (a pattern of several lines is those lines, in
#    that order, and nothing else; it is never an OR of its lines as with grep -E);
#  * ^ and $ match only at the start and the end of the whole text, not at each line;
#  * . and [^...] match a newline too, so '.*' may span lines: $LINE (below) is any text
#    that stays on one line; where ACTUAL must be one line, assert that too (refuse does);
#  * ERE is wrapped in a group: no back-references (\1 would be that group).
# For "the output has this line among others" use has_line, which says so; for "any text
# within this line" use $LINE, not '.*'.
like() {
	local re="^($2)\$" m
	[[ $1 =~ $re ]]
	m=$?
	if [ "$m" = 0 ]; then
		ok 0 "$3"
	else
		ok 1 "$3"
		[ "$m" = 2 ] && echo "# like: not a valid extended regular expression"
		diag "     got:" "$1"
		diag "expected to match all of it:" "$2"
	fi
}

# LINE: an ERE for any text within one line (a newline in a bracket expression excludes it)
LINE="[^"$'\n'"]*"

# has_line ACTUAL ERE DESCRIPTION: one line of ACTUAL matches ERE entirely (anchored at the
# line's start and end, as like anchors the whole text). ERE is one line: a newline in it
# fails the test (use like or is for several lines) instead of standing for an OR. Here '.*'
# stays within the line ($LINE, with its newline, is for like).
has_line() {
	local re="^($2)\$" line
	if [[ $2 == *$'\n'* ]]; then
		ok 1 "$3"
		echo "# has_line takes a one-line pattern; for several lines use like or is"
		return
	fi
	while IFS= read -r line; do
		if [[ $line =~ $re ]]; then
			ok 0 "$3"
			return
		fi
	done <<<"$1"
	ok 1 "$3"
	diag "     got:" "$1"
	diag "expected a line matching all of it:" "$2"
}

# skip REASON DESCRIPTION...: one subtest per DESCRIPTION that cannot run here (an optional
# tool is missing): 'ok N - DESCRIPTION # SKIP REASON'. Under CI=true nothing skips: each is
# a failure, as skip_all is.
skip() {
	local reason=$1 d
	shift
	for d in "$@"; do
		tap_n=$((tap_n + 1))
		if [ "${CI:-}" = true ]; then
			echo "not ok $tap_n - $d (required under CI=true: $reason)"
			tap_failed=$((tap_failed + 1))
		else
			echo "ok $tap_n - $d # SKIP $reason"
		fi
	done
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

# skip_all REASON: the whole file cannot run (no root, no /dev/fuse, no libvirtd): exit 77
# (skip), but never under CI=true, where a missing prerequisite is a failure. Only before the
# first check: a file whose checks ran skips the rest one subtest at a time (skip).
skip_all() {
	if [ "$tap_n" != 0 ]; then
		echo "Bail out! skip_all after $tap_n checks ran (use skip for the checks that cannot run): $1"
		exit 1
	fi
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
