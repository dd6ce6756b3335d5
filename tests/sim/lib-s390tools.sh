# IBM's s390-tools as the other side of interop tests (../shared/s390-tools/README.md):
# lszdev, chzdev, lszcrypt and ap-check, unmodified. They hard-code /sys, /run/lock,
# /etc/mdevctl.d and /etc/udev/rules.d, so they run only inside 'virt-mdev-sim run' (private
# mount namespace: /sys, /run/lock and /etc/mdevctl.d are the simulator's), and every script
# that runs them starts with s390tools_private_udev (a tmpfs over /etc/udev/rules.d).
# Sourced after tests/lib.sh and tests/sim/lib-sim.sh.

# where the programs are: $S390_TOOLS_BIN (the Makefile passes ../shared/s390-tools/bin)
: "${S390_TOOLS_BIN:=$top_srcdir/../shared/s390-tools/bin}"

# need_s390_tools PROGRAM...: skip (or fail under CI) without them
need_s390_tools() {
	local t
	for t in "$@"; do
		[ -x "$S390_TOOLS_BIN/$t" ] ||
			skip_all "needs IBM's s390-tools ($t) in $S390_TOOLS_BIN (set S390_TOOLS_BIN to their bin directory)"
	done
	[ -d /etc/udev/rules.d ] || skip_all "needs /etc/udev/rules.d to put a private tmpfs over (chzdev's persistent AP masks live there)"
}

# The lines a script run by 'virt-mdev-sim run' starts with: the tools' paths and a private
# /etc/udev/rules.d (chzdev writes 41-ap.rules there; ap-check and lszdev read it).
s390tools_preamble() {
	cat <<EOF
B="$S390_TOOLS_BIN"
V="$VIRT_MDEV"
mount -t tmpfs virt-mdev-test-udev /etc/udev/rules.d || { echo "cannot mount a tmpfs over /etc/udev/rules.d" >&2; exit 99; }
EOF
}
