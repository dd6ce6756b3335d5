#!/bin/bash
# A rollback restores configuration files exactly: against a mounted virt-mdev-sim whose
# fault file fails the mdev's create write, the file steps before it are undone and the
# host's files are byte for byte, mode for mode, owner for owner and link for link as before
# (stat): a link in place of driverctl's override stays that link to the same 0600 file (no copy of
# the secret as a new 0644 file); another uid's 0600 definition keeps its content, mode and
# owner; a directory made for a definition goes again, also when the definition's write
# itself fails (a file size limit: what a full disk does to write(2)).
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/sim/lib-sim.sh"
need_root_fuse
private_run

tmp=$(mktemp -d)
trap 'sim_umount; rm -rf "$tmp"' EXIT
: >"$tmp/faults"
mkdir -p "$tmp/root/etc/driverctl.d" "$tmp/root/etc/mdevctl.d" "$tmp/root/run/lock"
export LIBVIRT_DEFAULT_URI="qemu:///system?socket=$tmp/no-libvirtd-sock"
S=$tmp/root/sys
D=$tmp/root/etc/mdevctl.d
vm() { "$VIRT_MDEV" --root "$tmp/root" --backend sysfs "$@"; }
# the whole host: the simulated tree, and every file under etc with type, mode, owner, link
# target and content
snapshot() {
	{
		dump_tree "$S"
		(cd "$tmp/root/etc" && find . -printf '%p %y %m %U:%G %l\n' | sort &&
			find . -type f -print0 | sort -z | xargs -0 -r grep -H -- '')
	} >"$tmp/$1"
}
U1=11111111-2222-4333-8444-000000000001
CREATE=devices/css0/0.0.0313/mdev_supported_types/vfio_ccw-io/create
def_manual='{
  "mdev_type": "vfio_ccw-io",
  "start": "manual",
  "attrs": []
}'

sim_mount "$S" --host "$top_srcdir/tests/golden/plans/hosts/ready.xml" --faults "$tmp/faults"

# fault_run WHAT ARGS...: 'vm ARGS' with the create write failing (EIO): exit 1, the host as before
fault_run() {
	local what=$1
	shift
	snapshot before
	echo "$CREATE 1 EIO" >"$tmp/faults"
	run vm "$@"
	: >"$tmp/faults"
	snapshot after
	is "$rc" 1 "$what: the create write fails: exit 1"
	ok "$(cmp -s "$tmp/before" "$tmp/after"; echo $?)" "$what: after the rollback the host is as before, byte for byte, with modes, owners and links"
	[ "$(cmp -s "$tmp/before" "$tmp/after"; echo $?)" = 0 ] || diff "$tmp/before" "$tmp/after" | head -20 | sed 's/^/# /'
}

# ---- a link where driverctl's override goes, to another uid's 0600 file ----
# the golden plans' domains without their hostdevs: no other domain references U1 (one mdev
# serves one guest, so an assign of an mdev guest-dev has would be refused before any step)
sed '/<hostdev /,/<\/hostdev>/d' "$top_srcdir/tests/golden/plans/domains.xml" >"$tmp/root/domains.xml"
printf 'top secret\n' >"$tmp/root/etc/secret"
chmod 0600 "$tmp/root/etc/secret"
chown 4242:4343 "$tmp/root/etc/secret"
ln -s ../secret "$tmp/root/etc/driverctl.d/css-0.0.0313"
fault_run "an override that is a link" -c "test://$tmp/root/domains.xml" assign guest-off ccw 0.0.2b09 --uuid $U1 --persistent
is "$err" "virt-mdev: cannot create mdev $U1 (vfio_ccw-io) on subchannel 0.0.0313 (echo $U1 > $S/bus/css/devices/0.0.0313/mdev_supported_types/vfio_ccw-io/create: Input/output error); undone: define mdev $U1 on subchannel 0.0.0313 (mdevctl definition, start auto); make the binding of subchannel 0.0.0313 persistent (driverctl override)" \
	"an override that is a link: the message says what failed and what was undone"
is "$(stat -c '%F %N' "$tmp/root/etc/driverctl.d/css-0.0.0313")" "symbolic link '$tmp/root/etc/driverctl.d/css-0.0.0313' -> '../secret'" \
	"the override's path is the same link again"
is "$(stat -c '%F %a %u:%g %s' "$tmp/root/etc/secret"; cat "$tmp/root/etc/secret")" "regular file 600 4242:4343 11
top secret" "its target is untouched: content, mode 0600 and owner"
is "$(ls -A "$tmp/root/etc/driverctl.d")" "css-0.0.0313" "no other file (the secret as a new 0644 file, a temporary one) is left beside it"
rm "$tmp/root/etc/driverctl.d/css-0.0.0313" "$tmp/root/etc/secret"

# ---- another uid's 0600 definition, rewritten for --autostart ----
mkdir -p "$D/0.0.0313"
printf '%s\n' "$def_manual" >"$D/0.0.0313/$U1"
chmod 0600 "$D/0.0.0313/$U1"
chown 4242:4343 "$D/0.0.0313/$U1"
fault_run "another uid's 0600 definition" create ccw 0.0.2b09 --uuid $U1 --autostart
is "$(stat -c '%F %a %u:%g' "$D/0.0.0313/$U1"; cat "$D/0.0.0313/$U1")" "regular file 600 4242:4343
$def_manual" "the definition is back: its content, mode 0600 and owner 4242:4343"
rm -r "$D/0.0.0313"

# ---- a directory made for a definition goes with it ----
fault_run "a new definition" create ccw 0.0.2b09 --uuid $U1 --define
ok "$([ ! -e "$D/0.0.0313" ]; echo $?)" "a new definition: the directory made for it is gone"

# the definition's own write fails (a file size limit of 0 blocks, SIGXFSZ ignored: write(2)
# gets EFBIG, as on a full disk it gets ENOSPC)
snapshot before
# (the limit on virt-mdev alone: its message goes through a pipe, which the limit does not bound)
run bash -c "trap '' XFSZ; (ulimit -f 0; exec \"\$0\" --root \"\$1\" --backend sysfs create ccw 0.0.2b09 --uuid $U1 --define) 2>&1 | cat >&2; exit \${PIPESTATUS[0]}" "$VIRT_MDEV" "$tmp/root"
snapshot after
is "$rc" 1 "a definition whose write fails: exit 1"
# the journal (ROOT/run/virt-mdev, written before each step and always larger than the file the
# step writes) meets the limit first: the run stops before the definition's step, as a full disk
# would stop it; the definition write's own failure leaving no directory is test-plan-engine's
like "$err" "virt-mdev: cannot write the journal $tmp/root/run/virt-mdev/journal.json: File too large \(nothing more is changed without it\); nothing was changed" \
	"the message names the journal that could not be written and says nothing was changed"
ok "$([ ! -e "$D/0.0.0313" ]; echo $?)" "the directory made for the definition is removed"
ok "$(cmp -s "$tmp/before" "$tmp/after"; echo $?)" "and the host is as before"

sim_umount
done_testing
