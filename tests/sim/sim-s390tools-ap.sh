#!/bin/bash
# The simulated AP bus as IBM's own tools see it: lszcrypt (plain, -V, -b, -d, -s, -c of a card
# and of a queue), lszdev --type ap, chzcrypt (online/offline, config on/off, -c, -t, -p) and
# zcryptctl (list, create, destroy), unmodified, inside 'virt-mdev-sim run' on the reference host
# and on the states after reserving APQNs, creating a vfio-ap mdev and chzcrypt's changes. Each
# state's whole output is compared with tests/golden/s390tools/ap-STATE.txt, whose content
# tests/golden/s390tools/README.md justifies line by line against the tools' source (what an
# LPAR prints); VIRT_MDEV_REGENERATE=1 rewrites them instead (read the git diff before
# committing it). Every program runs under strace: a /sys, /dev or /proc path it meets with ENOENT or
# EACCES must be in ap-strace-allow.txt, a file the real kernel lacks too, with the reason.
# On every state, 'virt-mdev list ap' agrees with lszcrypt -V on each queue's type, driver and
# whether an mdev holds it. Last, descriptions the kernel could not produce are refused.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/sim/lib-sim.sh"
. "$top_srcdir/tests/sim/lib-s390tools.sh"
need_root_fuse
need_s390_tools lszcrypt chzcrypt zcryptctl lszdev
command -v strace >/dev/null || skip_all "needs strace"
command -v jq >/dev/null || skip_all "needs jq"

golden=$top_srcdir/tests/golden/s390tools
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
U=aaaaaaaa-5a5a-4333-8444-000000000012
mkdir "$tmp/out"
{
	s390tools_preamble
	cat <<EOF
O="$tmp/out"
W="$SYSFS_WRITE"
U=$U
EOF
	cat <<'EOF'
state=
# t PROGRAM ARGS...: one program of s390-tools under strace; its output and exit code go into
# the state's file, each /sys, /dev or /proc path that failed with ENOENT or EACCES into strace.txt
t() {
	local p=$1 log="$O/trace.$$"
	shift
	echo "== $p $*" >>"$O/ap-$state.txt"
	strace -f -qq -e trace=%file -o "$log" "$B/$p" "$@" >>"$O/ap-$state.txt" 2>&1
	echo "rc=$?" >>"$O/ap-$state.txt"
	sed -nE 's/^[0-9]+ +([a-z0-9_]+)\([^"]*"(\/(sys|dev|proc)\/[^"]*)".*= -1 (ENOENT|EACCES).*/\2 \4/p' "$log" |
		sed "s|^|$p |" >>"$O/strace.txt"
	rm -f "$log"
}
# look: what an admin runs to see the crypto configuration
look() {
	t lszcrypt
	t lszcrypt -V
	t lszcrypt -b
	t lszcrypt -d
	t lszcrypt -s
	t lszcrypt -c 5
	t lszcrypt -c 6
	t lszcrypt -c 05.0004
	t lszcrypt -c 06.0047
	t lszdev --type ap
	t zcryptctl list
	# the agreement: each queue's type, driver and whether an mdev holds it, both ways
	"$B/lszcrypt" -V | awk '$1 ~ /^[0-9a-f][0-9a-f]\.[0-9a-f][0-9a-f][0-9a-f][0-9a-f]$/ { print $1, $2, $NF, ($4 == "assigned" ? "mdev" : "-") }' >"$O/agree-$state.lszcrypt"
	"$V" -j list ap | jq -r '.queues[] | "\(.apqn) \(.card_type) \(.driver) \(if .mdev then "mdev" else "-" end)"' >"$O/agree-$state.virt-mdev"
}
state=reference
look
state=reserved
"$V" -q ap reserve 05.0004 05.00ab >/dev/null || echo "reserve failed" >>"$O/ap-$state.txt"
look
state=mdev
"$V" -q --backend sysfs create ap --adapters 5 --domains 4,0xab --uuid $U >/dev/null || echo "create failed" >>"$O/ap-$state.txt"
look
state=changed
t chzcrypt -d 06
t chzcrypt -e 06.0047
t chzcrypt -d 06.0047
t chzcrypt -d 05.0004
t chzcrypt -e 06
t chzcrypt -d 06.0047
t chzcrypt --config-off 06
t chzcrypt -e 06
t chzcrypt -c 60
t chzcrypt -c 200
t chzcrypt -t 1500000
t chzcrypt -p
t chzcrypt -n
t zcryptctl create
t zcryptctl create hsm1
t zcryptctl create hsm1
look
t chzcrypt --config-on 06
# zcryptctl destroy first checks the node udev makes in /dev, which the simulator has not
# (README.md); the write it then does:
echo "destroy hsm1: $("$W" /sys/class/zcrypt/destroy hsm1)" >>"$O/ap-$state.txt"
echo "destroy hsm1 again: $("$W" /sys/class/zcrypt/destroy hsm1)" >>"$O/ap-$state.txt"
echo "create a 32-character name: $("$W" /sys/class/zcrypt/create 0123456789abcdef0123456789abcdefXYZ)" >>"$O/ap-$state.txt"
t lszcrypt -V 06
t lszcrypt -b
t zcryptctl list
EOF
} >"$tmp/ap.sh"
run "$VIRT_MDEV_SIM" run -- bash "$tmp/ap.sh"
is "$rc" 0 "the script runs inside virt-mdev-sim run"
[ -n "$err" ] && diag "stderr:" "$err"

for state in reference reserved mdev changed; do
	got=$(cat "$tmp/out/ap-$state.txt")
	if [ "${VIRT_MDEV_REGENERATE:-}" = 1 ]; then
		printf '%s\n' "$got" >"$golden/ap-$state.txt"
	fi
	is "$got" "$(cat "$golden/ap-$state.txt")" "$state: lszcrypt, lszdev, chzcrypt and zcryptctl print what an LPAR prints (ap-$state.txt)"
	is "$(cat "$tmp/out/agree-$state.virt-mdev")" "$(cat "$tmp/out/agree-$state.lszcrypt")" \
		"$state: list ap and lszcrypt -V agree on each queue's type, driver and mdev"
done
# the agreement is about something: the states differ where they should
is "$(cat "$tmp/out/agree-mdev.lszcrypt")" "05.0004 CEX6C vfio_ap mdev
05.00ab CEX6C vfio_ap mdev
06.0004 CEX7A cex4queue -
06.0047 CEX7A cex4queue -
06.00ab CEX7A cex4queue -" "with the mdev, lszcrypt sees 05.0004 and 05.00ab assigned, and card 06's queues with the host (the reserve cleared adapter 5 alone)"

# strace: every failed look-up is of a file the kernel lacks too (the allow-list's EREs)
allow=$(sed -n 's/^\([^#	][^	]*\)	.*/\1/p' "$golden/ap-strace-allow.txt")
unexpected=$(sort -u "$tmp/out/strace.txt" | while read -r prog path errno; do
	hit=no
	while read -r re; do
		[[ "$path $errno" =~ ^($re)$ ]] && hit=yes && break
	done <<<"$allow"
	[ $hit = yes ] || echo "$prog $path $errno"
done)
is "$unexpected" "" "under strace, no program meets ENOENT or EACCES for a file the real kernel has"
has_line "$(sort -u "$tmp/out/strace.txt")" "lszcrypt /sys/devices/ap/card05/05.0004/se_bind ENOENT" \
	"the strace check sees the tools' look-ups (lszcrypt -c asks for a Secure Execution guest's se_bind)"
is "$(grep -c '	' "$golden/ap-strace-allow.txt")" "$(grep -vc '^#' "$golden/ap-strace-allow.txt")" \
	"every allow-list entry gives its reason"

# the kernel's files behind what the tools print, on the reference host: one line per check
cat >"$tmp/files.sh" <<EOF
W="$SYSFS_WRITE"
EOF
cat >>"$tmp/files.sh" <<'EOF'
A=/sys/bus/ap D=/sys/devices/ap
c() { printf '%s\n' "$*"; }
c "card uevent: $(tr '\n' ' ' <$D/card06/uevent)"
c "cca card uevent: $(tr '\n' ' ' <$D/card05/uevent)"
c "queue uevent: $(tr '\n' ' ' <$D/card05/05.0004/uevent)"
c "modes: $(stat -c '%n %a' $D/card05/config $D/card05/request_count $D/card05/05.0004/config $D/card05/05.0004/reset $D/card05/05.0004/request_count $A/config_time $A/poll_thread $A/poll_timeout | sed 's|/sys/[a-z0-9./]*/||' | tr '\n' ' ')"
c "config_time 4: $("$W" $A/config_time 4), 121: $("$W" $A/config_time 121), 5: $("$W" $A/config_time 5) -> $(cat $A/config_time)"
c "poll_timeout over 120 s: $("$W" $A/poll_timeout 120000000001), 0x10: $("$W" $A/poll_timeout 0x10) -> $(cat $A/poll_timeout)"
c "poll_thread maybe: $("$W" $A/poll_thread maybe), on: $("$W" $A/poll_thread on) -> $(cat $A/poll_thread)"
c "card config 2: $("$W" $D/card06/config 2), 0: $("$W" $D/card06/config 0) -> $(cat $D/card06/config $D/card06/06.0047/config $D/card06/online $D/card06/06.0047/online | tr '\n' ' ')"
c "online while deconfigured: card $("$W" $D/card06/online 1), queue $("$W" $D/card06/06.0047/online 1); config 1: $("$W" $D/card06/config 1) -> $(cat $D/card06/online)"
c "request_count: card $("$W" $D/card05/request_count x), queue $("$W" $D/card05/05.0004/request_count 0) -> $(cat $D/card05/request_count)"
c "reset: $("$W" $D/card05/05.0004/reset 1) -> $(cat $D/card05/05.0004/reset)"
c "unbind 06.0047 from cex4queue: $("$W" $A/drivers/cex4queue/unbind 06.0047) -> $(cat $A/bindings), driver $(readlink $D/card06/06.0047/driver || echo none)"
c "bind 06.0047 (reserved) to vfio_ap: $("$W" $A/drivers/vfio_ap/bind 06.0047), to cex4card: $("$W" $A/drivers/cex4card/bind 06.0047), to cex4queue: $("$W" $A/drivers/cex4queue/bind 06.0047), again: $("$W" $A/drivers/cex4queue/bind 06.0047)"
c "unbind from a driver it is not bound to: $("$W" $A/drivers/vfio_ap/unbind 06.0047), of nothing: $("$W" $A/drivers/vfio_ap/unbind 07.0001)"
c "card06 from cex4card: $("$W" $A/drivers/cex4card/unbind card06) -> type $(cat $D/card06/type 2>/dev/null || echo absent); back: $("$W" $A/drivers/cex4card/bind card06) -> $(cat $D/card06/type)"
c "driver uevent bogus: $("$W" $A/drivers/vfio_ap/uevent bogus), add: $("$W" $A/drivers/vfio_ap/uevent add)"
c "zcrypt create hsm1: $("$W" /sys/class/zcrypt/create hsm1), again: $("$W" /sys/class/zcrypt/create ' hsm1 '), apmask +5: $("$W" /sys/class/zcrypt/hsm1/apmask +5) -> $(cat /sys/class/zcrypt/hsm1/apmask)"
EOF
run "$VIRT_MDEV_SIM" run -- bash "$tmp/files.sh"
is "$out" "card uevent: DRIVER=cex4card DEV_TYPE=000D MODALIAS=ap:t0D MODE=accel 
cca card uevent: DRIVER=cex4card DEV_TYPE=000C MODALIAS=ap:t0C MODE=cca 
queue uevent: DRIVER=cex4queue MODE=cca 
modes: config 644 request_count 644 config 444 reset 644 request_count 644 config_time 644 poll_thread 644 poll_timeout 644 
config_time 4: EINVAL, 121: EINVAL, 5: ok -> 5
poll_timeout over 120 s: EINVAL, 0x10: ok -> 16
poll_thread maybe: EINVAL, on: ok -> 0
card config 2: EINVAL, 0: ok -> 0 0 0 0 
online while deconfigured: card ENODEV, queue ENODEV; config 1: ok -> 1
request_count: card ok, queue ok -> 0
reset: ok -> No Reset Timer set.
unbind 06.0047 from cex4queue: ok -> 4/5, driver none
bind 06.0047 (reserved) to vfio_ap: ENODEV, to cex4card: ENODEV, to cex4queue: ok, again: EBUSY
unbind from a driver it is not bound to: ENODEV, of nothing: ENODEV
card06 from cex4card: ok -> type absent; back: ok -> CEX7A
driver uevent bogus: EINVAL, add: ok
zcrypt create hsm1: ok, again: EEXIST, apmask +5: ok -> 0x0400000000000000000000000000000000000000000000000000000000000000" \
	"the files as the kernel has them: ap_uevent's DEV_TYPE=%04X and MODE by the mode bit, modes that match behaviour, the bus attributes' ranges, config, request_count, reset, the AP drivers' bind/unbind/uevent, zcrypt's nodes"

# descriptions the kernel could not produce: one message naming the value, the rule and the fix, exit 2
bad() {
	printf '<host><ap>%s</ap></host>\n' "$1" >"$tmp/bad.xml"
	run "$VIRT_MDEV_SIM" render --host "$tmp/bad.xml" "$tmp/tree"
	is "$rc $err" "2 virt-mdev-sim: $tmp/bad.xml:1: $2" "$3"
	ok "$([ ! -e "$tmp/tree" ]; echo $?)" "$3: nothing rendered"
	rm -rf "$tmp/tree"
}
bad '<card id="06" type="CEX7A" functions="0x92000000" domains="4"/>' \
	"<card type='CEX7A' functions='0x92000000'>: impossible combination: the zcrypt driver names a card with these function bits CEX7C, not CEX7A; write functions for a CEX7A (or leave them out), or type='CEX7C'" \
	"an accelerator type with coprocessor function bits is refused"
bad '<card id="06" functions="0x9A000000" domains="4"/>' \
	"<card functions='0x9A000000'>: a card runs in one mode: exactly one of the bits 0x10000000 (CCA coprocessor), 0x08000000 (accelerator), 0x04000000 (EP11 coprocessor)" \
	"function bits of two modes are refused"
bad '<card id="06" type="CEX7A" hwtype="12" domains="4"/>' \
	"<card type='CEX7A' hwtype='12'>: a CEX7 card has hwtype 13; write hwtype='13' or leave it out" \
	"a type whose generation is not the hwtype's is refused"
bad '<card id="06" type="CEX9Z" domains="4"/>' \
	"<card type='CEX9Z'>: not a card type the zcrypt driver names: write CEX4 to CEX8 with A (accelerator), C (CCA coprocessor) or P (EP11 coprocessor), e.g. CEX7A" \
	"an unknown type is refused"
printf '<host><ap><card id="07" type="CEX8P" domains="4"/><card id="08" functions="0x92000000" serialnr="93AABF61" domains="4"/></ap></host>\n' >"$tmp/ok.xml"
run "$VIRT_MDEV_SIM" render --host "$tmp/ok.xml" "$tmp/tree"
is "$rc $(cat "$tmp/tree/devices/ap/card07/ap_functions" "$tmp/tree/devices/ap/card07/type" "$tmp/tree/devices/ap/card08/type" "$tmp/tree/devices/ap/card08/serialnr")" \
	"0 0x86000000
CEX8P
CEX6C
93AABF61" "a type alone gives its mode's functions, functions alone name the type (hwtype 12 by default), serialnr is the card's"

done_testing
