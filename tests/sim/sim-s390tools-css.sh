#!/bin/bash
# The channel subsystem as IBM's own tools see it: lscss (plain, -a, --vpm, --vfio), lschp,
# chchp, lsdasd, lstape, lszdev dasd, chccwdev and cio_ignore, unmodified
# (../shared/s390-tools/bin), and lszdev qeth (the OSA's ccwgroup), inside 'virt-mdev-sim run' on the reference host and on
# the states after channel-path changes, a vfio-ccw bind and mdev, devices set online and
# cio_ignore changes. Each state's output is compared with its golden file
# (tests/golden/s390tools/css-STATE.txt; README.md there says which source lines make each
# column and why a real LPAR prints the same); VIRT_MDEV_REGENERATE=1 rewrites them.
# Every tool runs under strace: no ENOENT or EACCES on a /sys, /proc or /dev file that the kernel
# has (tests/golden/s390tools/strace-allow.txt lists what the kernel itself lacks, each with
# its reason). virt-mdev list ccw agrees with lscss in every state.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/sim/lib-sim.sh"
. "$top_srcdir/tests/sim/lib-s390tools.sh"
need_root_fuse
need_s390_tools lscss lschp chchp lsdasd lstape lszdev chccwdev cio_ignore
command -v strace >/dev/null || skip_all "needs strace (apt-get install strace)"
command -v jq >/dev/null || skip_all "needs jq (apt-get install jq)"

G=$top_srcdir/tests/golden/s390tools
regenerate=${VIRT_MDEV_REGENERATE:-}
tmp=$(cd "$(mktemp -d)" && pwd -P)
trap 'rm -rf "$tmp"' EXIT
export LIBVIRT_DEFAULT_URI="qemu:///system?socket=$tmp/no-libvirtd-sock"
U=11111111-2222-4333-8444-555555555555

# The script run inside the simulator: each state's tool outputs ("== STATE: TOOL ARGS",
# then stdout and stderr, then "exit N"), the ENOENT/EACCES of each tool (in $T/strace), and
# virt-mdev's and lscss's view for the agreement checks ("@@ STATE").
{
	s390tools_preamble
	cat <<EOF
T="$tmp"
U="$U"
EOF
	cat <<'EOF'
: >"$T/strace"
# tool STATE PROGRAM ARGS...: its output, and what it could not open under /sys, /proc and /dev
tool() {
	local state=$1 r
	shift
	echo "== $state: $*"
	strace -f -qq -e trace=%file -o "$T/st" "$B/$1" "${@:2}" 2>&1
	r=$?
	echo "exit $r"
	grep -E ' = -1 E(NOENT|ACCES) ' "$T/st" |
		sed -nE 's/^[0-9]+ +[a-z0-9_]+\((AT_FDCWD, )?"((\/sys|\/proc|\/dev)[^"]*)".* = -1 (E[A-Z]+) .*/\2 \4/p' |
		sed "s|^|$1 |" >>"$T/strace"
}
# agree STATE: virt-mdev's subchannels and lscss's, in the same words
agree() {
	echo "@@ $1 virt-mdev"
	"$V" list ccw --json | jq -r '.subchannels[] | select(.type == "I/O") |
		if .driver == "io_subchannel" then
			[.device, .subchannel, .devtype, .cutype, (if .online then "yes" else "-" end)]
		else [.device, .subchannel, "-", "-", "-"] end | @tsv' | sort
	"$V" list ccw --json | jq -r '.subchannels[] | select(.mdev != null) | [.mdev, .subchannel] | @tsv' | sort
	echo "@@ $1 lscss"
	# lscss's columns (lscss.c util_rec_def): Device 8, Subchan. 9, DevType 7, CU Type 7, Use 4
	"$B/lscss" | awk 'NR > 2 { t = substr($0, 20, 7); c = substr($0, 28, 7); u = substr($0, 36, 4)
		gsub(/ /, "", t); gsub(/ /, "", c); gsub(/ /, "", u)
		print $1 "\t" $2 "\t" (t == "" ? "-" : t) "\t" (c == "" ? "-" : c) "\t" (u == "yes" ? "yes" : "-") }' | sort
	"$B/lscss" --vfio | awk 'NR > 2 { print $1 "\t" $2 }' | sort
	echo "@@ end"
}
all() {
	tool "$1" lscss
	tool "$1" lscss -a
	tool "$1" lscss --vpm
	tool "$1" lscss --vfio
	tool "$1" lschp
	tool "$1" lsdasd -a
	tool "$1" lsdasd -u
	tool "$1" lstape
	tool "$1" lszdev dasd
	tool "$1" lszdev qeth
	tool "$1" cio_ignore -l
	agree "$1"
}

all boot
tool boot lszdev qeth -i 0.0.f500
tool chp chchp -v 0 2a
tool chp chchp -c 0 3a
tool chp chchp -v 0 77
all chp
tool chp chchp -v 1 2a
tool chp chchp -c 1 3a
tool chp lschp
"$V" ccw bind 0.0.2b09 >/dev/null && "$V" --backend sysfs create ccw 0.0.2b09 --uuid "$U" >/dev/null || echo "virt-mdev failed"
all vfio
tool online chccwdev -e 0.0.2b0b,0.1.0580
all online
tool ignore cio_ignore -r 0.0.1234
tool ignore cio_ignore -a 0.0.1234-0.0.1236,0.0.2b0b
tool ignore cio_ignore -l
echo "== ignore: echo bogus >/proc/cio_ignore"
echo bogus 2>/dev/null >/proc/cio_ignore
echo "exit $?"
tool ignore cio_ignore -l
tool ignore cio_ignore -r 0.0.1234-0.0.1236
tool ignore cio_ignore -l
EOF
} >"$tmp/script.sh"

run timeout 300 "$VIRT_MDEV_SIM" run --host "$DEMO_HOST" -- bash "$tmp/script.sh"
is "$rc" 0 "the tools run inside virt-mdev-sim run"
[ "$rc" = 0 ] || diag "stderr:" "$err"

# compare NAME TEXT: TEXT is tests/golden/s390tools/NAME (or becomes it)
compare() {
	local f=$G/$1
	printf '%s\n' "$2" >"$tmp/got"
	if [ "$regenerate" = 1 ]; then
		cp "$tmp/got" "$f"
		ok $? "$1: regenerated"
		return
	fi
	if cmp -s "$f" "$tmp/got"; then
		ok 0 "$1: as the golden file"
	else
		ok 1 "$1: as the golden file"
		[ -f "$f" ] || echo "# no golden file $f (VIRT_MDEV_REGENERATE=1 writes it)"
		diff -u "$f" "$tmp/got" 2>&1 | head -60 | sed 's/^/# /'
	fi
}

tools=$(printf '%s\n' "$out" | sed '/^@@ /,/^@@ end$/d')
for state in boot chp vfio online ignore; do
	compare "css-$state.txt" "$(printf '%s\n' "$tools" | awk -v s="== $state: " '
		/^== / { keep = index($0, s) == 1 } keep')"
done

# the agreement of virt-mdev list ccw with lscss, state by state
for state in boot chp vfio online; do
	vm=$(printf '%s\n' "$out" | sed -n "/^@@ $state virt-mdev\$/,/^@@ /p" | sed '1d;$d')
	ls=$(printf '%s\n' "$out" | sed -n "/^@@ $state lscss\$/,/^@@ end\$/p" | sed '1d;$d')
	is "$vm" "$ls" "$state: virt-mdev list ccw and lscss name the same devices, subchannels, types, online state and vfio-ccw mdevs"
	[ -n "$vm" ] || ok 1 "$state: the agreement compared something"
done

# no ENOENT or EACCES on a file the kernel has: each one is in the allow-list with its reason
allow=$(grep -v '^#' "$G/strace-allow.txt" | sed -E 's/[[:space:]]+#.*$//' | grep -v '^$')
unexpected=$(sort -u "$tmp/strace" | while read -r prog path errno; do
	matched=
	while read -r ap apath aerrno; do
		if [ "$ap" = "$prog" ] || [ "$ap" = "*" ]; then
			if [[ "$path" =~ ^($apath)$ ]] && [ "$aerrno" = "$errno" ]; then
				matched=1
				break
			fi
		fi
	done <<<"$allow"
	[ -n "$matched" ] || echo "$prog $path $errno"
done)
is "$unexpected" "" "under strace, the tools meet no ENOENT/EACCES but the allow-listed ones (what the kernel lacks too)"
ok "$([ -s "$tmp/strace" ] && echo 0 || echo 1)" "the strace check saw the tools' failed lookups (it can fail)"

# run's /proc (no option): the kernel's s390 files beside the real procfs's entries, also
# /proc/PID of a process started after run (the tools' /proc files came with --proc once, on a
# tmpfs of links to what /proc held when run started, where a later PID was missing)
cat >"$tmp/proc.sh" <<'EOF'
sleep 60 &
p=$!
# its own /proc/PID/stat (comm could still be the shell's before the exec)
read -r pid rest </proc/$p/stat && [ "$pid" = "$p" ] && echo "stat of the later PID"
ls /proc | grep -qx "$p" && echo "listed $p"
echo "self $(cat /proc/self/comm)"
echo "mounts $(grep -c '^virt-mdev-sim /sys fuse.virt-mdev-sim ' /proc/mounts)"
head -n 1 /proc/cio_ignore
grep '^Type:' /proc/sysinfo
# virt-mdev's journal directory is run's own: another run's journal on the machine blocks no change
mountpoint -q /run/virt-mdev && echo "private /run/virt-mdev"
kill $p
EOF
run timeout 60 "$VIRT_MDEV_SIM" run --host "$DEMO_HOST" -- sh "$tmp/proc.sh"
is "$rc" 0 "run's /proc: the script runs"
has_line "$out" "stat of the later PID" "run's /proc: /proc/PID of a process started inside run is there"
has_line "$out" "listed [0-9]+" "run's /proc: a later process is listed in /proc"
has_line "$out" "self cat" "run's /proc: /proc/self is the caller's"
has_line "$out" "mounts 1" "run's /proc: /proc/mounts shows the namespace's mounts"
has_line "$out" "0.0.0000-0.0.2b08" "run's /proc: /proc/cio_ignore is the simulated host's"
has_line "$out" "Type: +3931" "run's /proc: /proc/sysinfo is the host description's"
has_line "$out" "private /run/virt-mdev" "run binds a private /run/virt-mdev (virt-mdev's journal) over the machine's"

done_testing
