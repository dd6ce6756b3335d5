# Helpers for tests that mount virt-mdev-sim: prerequisites, mount/unmount by PID.
# Sourced after tests/lib.sh.

VIRT_MDEV_SIM="$top_builddir/src/virt-mdev-sim"
SYSFS_WRITE="$top_builddir/tests/helpers/sysfs-write"
DEMO_HOST="$top_srcdir/xml-templates/hosts/demo.xml"

# mdevctl's own output differs between the versions the suite runs with, 1.2 (Debian 12) and
# 1.4 (Debian 13); a test states both:
#  * 1.2 ends every list with an empty line (an empty list is that line alone), 1.4 does not:
#    $MDEVCTL_LIST_END is what follows a list's last line, a newline or nothing;
#  * 'list --verbose' shows an active device's attributes in 1.2 (from its definition); 1.4
#    reads them only through a get-attributes callout, and none is installed: nothing
#    (mdevctl_1_2 tells which);
#  * 1.2 keeps its callouts in /etc/mdevctl.d/scripts.d, 1.4 in /usr/lib/mdevctl/scripts.d.
mdevctl_1_2() {
	case $(mdevctl --version 2>/dev/null) in
	"mdevctl 1.2."*) return 0 ;;
	*) return 1 ;;
	esac
}
MDEVCTL_LIST_END=""
if command -v mdevctl >/dev/null && mdevctl_1_2; then
	MDEVCTL_LIST_END=$'\n'
fi

# need_root_fuse: skip (or fail under CI) without root and /dev/fuse
need_root_fuse() {
	[ "$(id -u)" = 0 ] || skip_all "needs root (FUSE mounts, namespaces)"
	[ -c /dev/fuse ] || skip_all "needs /dev/fuse"
}

sim_pid=""
sim_dir=""

# sim_mount DIR [OPTIONS...]: mount the simulator at DIR in the background and wait for it
sim_mount() {
	sim_dir=$1
	shift
	mkdir -p "$sim_dir"
	"$VIRT_MDEV_SIM" mount "$@" "$sim_dir" 2>"$sim_dir.log" &
	sim_pid=$!
	for _ in $(seq 100); do
		if [ -e "$sim_dir/bus/css" ]; then
			return 0
		fi
		if ! kill -0 "$sim_pid" 2>/dev/null; then
			break
		fi
		sleep 0.05
	done
	echo "Bail out! virt-mdev-sim mount did not come up: $(cat "$sim_dir.log")"
	exit 1
}

# sim_umount: stop the simulator we started (by PID) and make sure the mount is gone
sim_umount() {
	local status
	if [ -n "$sim_pid" ]; then
		kill -TERM "$sim_pid" 2>/dev/null
		wait "$sim_pid" 2>/dev/null
		status=$?
		sim_pid=""
		# a clean exit on SIGTERM: no crash, no sanitizer report
		is "$status" 0 "virt-mdev-sim mount exits cleanly when stopped"
		[ "$status" = 0 ] || sed 's/^/# /' "$sim_dir.log" | head -40
	fi
	if [ -n "$sim_dir" ] && grep -q " $sim_dir fuse" /proc/mounts; then
		umount -l "$sim_dir" 2>/dev/null
	fi
}

# w PATH VALUE: one write(2), prints ok or the errno name
w() {
	"$SYSFS_WRITE" "$@"
}

# dump_tree DIR: every link with its target and every readable attribute with its content,
# so that two dumps compare the whole state of a simulated host
dump_tree() {
	(cd "$1" && find . -type l -printf '%p -> %l\n' | sort
	 find . -type f -printf '%p %m\n' | sort
	 find . -type f -perm -u=r -print0 | sort -z | xargs -0 grep -H -- '' 2>&1)
}

# refuse CODE MESSAGE_ERE DESCRIPTION ARGS...: 'vm ARGS' is refused with exit CODE and one
# message that MESSAGE_ERE matches whole (like in tests/lib.sh: the entire line from
# "virt-mdev: " to its end, so the pattern needs no ^ or $); a usage error (exit 2) adds
# one line, the hint "Try 'virt-mdev help COMMAND'." for the command ARGS name. 'snapshot'
# (each test's own: the tree, and what else the test can change) is the same before and
# after.
refuse() {
	local code=$1 pattern=$2 what=$3
	shift 3
	if [ "$code" = 2 ]; then
		pattern="$pattern
Try 'virt-mdev help $(refused_command "$@")'\."
	fi
	snapshot before
	run vm "$@"
	is "$rc" "$code" "$what: exit $code"
	like "$err" "$pattern" "$what: the message names the object, the rule and the fix"
	is "$(printf '%s\n' "$err" | wc -l)" "$([ "$code" = 2 ] && echo 2 || echo 1)" "$what: one message"
	snapshot after
	ok "$(cmp -s "$tmp/before" "$tmp/after"; echo $?)" "$what: nothing changed"
}

# journal_merged [JOURNAL]: the journal (default $J) as recover reads it: the document with the
# complete lines of the progress file it names applied in order, each {"i": N, "step": {...}}
# replacing step N (a torn last line, with no newline, is no record: src/lib/journal.c)
journal_merged() {
	local j=${1:-$J} p
	p=$(jq -r '.progress // empty' "$j") || return 1
	if [ -z "$p" ]; then
		cat "$j"
		return
	fi
	jq -R -n --slurpfile d "$j" 'reduce (inputs | try fromjson catch empty) as $l ($d[0]; .steps[$l.i] = $l.step)' "$(dirname "$j")/$p"
}

# journal_left [JOURNAL]: the journal's files that are there (the document, progress files)
journal_left() {
	local j=${1:-$J}
	ls -d "$j" "$(dirname "$j")"/journal.progress.* 2>/dev/null
}

# refused_command ARGS...: the command a virt-mdev command line names (the first word that is
# neither a global option nor its value)
refused_command() {
	while [ $# -gt 0 ]; do
		case $1 in
		-c | --connect | --root | --backend) shift 2 ;;
		-*) shift ;;
		*)
			echo "$1"
			return
			;;
		esac
	done
}
