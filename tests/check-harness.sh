#!/bin/bash
# The test helpers themselves: is, like, has_line, skip, skip_all (tests/lib.sh) and refuse
# (tests/sim/lib-sim.sh) fail on wrong input and pass on right input. Each case runs in a
# subshell with its own TAP counter; what it prints is compared here.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
. "$top_srcdir/tests/sim/lib-sim.sh"

# verdict CMD...: the TAP result lines (no comments) CMD prints as the first test of a file
verdict() {
	(
		tap_n=0
		tap_failed=0
		"$@"
	) | grep -v '^#'
}
# status CMD...: what done_testing says after CMD: its exit code
status() {
	(
		tap_n=0
		tap_failed=0
		"$@" >/dev/null
		done_testing >/dev/null
		echo $?
	)
}

# ---- is: byte for byte ----
is "$(verdict is "a b" "a b" d)" "ok 1 - d" "is: equal strings pass"
is "$(verdict is "a b" "a  b" d)" "not ok 1 - d" "is: a different string fails"
is "$(verdict is $'a\n' a d)" "not ok 1 - d" "is: a trailing newline is a difference"
is "$(verdict is "" x d)" "not ok 1 - d" "is: an empty actual fails against a non-empty expectation"
is "$(verdict is $'got\nok 7 - a line of the output' expected d)" "not ok 1 - d" \
	"is: the diagnostics comment out every line of a multi-line value (no stray 'ok' line)"
is "$(status is a b d)" 1 "is: a failure makes done_testing fail"
is "$(status is a a d)" 0 "is: a pass leaves done_testing at 0"

# ---- like: the whole text ----
is "$(verdict like "virt-mdev 1.2.3" 'virt-mdev [0-9]+\.[0-9]+\.[0-9]+' d)" "ok 1 - d" "like: a pattern that describes the whole text passes"
is "$(verdict like $'rc=1\n0\n0' $'rc=1\n0\n0' d)" "ok 1 - d" "like: a multi-line pattern passes on exactly those lines"
# the case that passed before: grep -E reads a pattern of three lines as three patterns, ORed
printf 'rc=1\n1\n1\n' | grep -qE -- $'rc=1\n0\n0'
is "$?" 0 "(the old like, grep -E, ORs the lines of a pattern: it matches 'rc=1 / 1 / 1' with 'rc=1 / 0 / 0')"
is "$(verdict like $'rc=1\n1\n1' $'rc=1\n0\n0' d)" "not ok 1 - d" "like: a multi-line pattern is not an OR of its lines"
is "$(verdict like $'done: define\nrc=1\n0\n1' $'rc=1\n0\n0' d)" "not ok 1 - d" \
	"like: a multi-line pattern whose first line matches, the rest not, fails"
is "$(verdict like $'libvirt: x\ndone: create mdev U on 0.0.0313\ny' 'done: create mdev U on 0.0.0313' d)" "not ok 1 - d" \
	"like: one matching line among many is not a match of the whole text"
is "$(verdict like $'libvirt: x\ndone: create mdev U on 0.0.0313\ny' '^done: create mdev U on 0.0.0313$' d)" "not ok 1 - d" \
	"like: ^ and \$ anchor the whole text, not one of its lines"
is "$(verdict like $'a\nb' $'^a$\nb' d)" "not ok 1 - d" "like: a \$ before a newline in the pattern never matches (the text goes on)"
is "$(verdict like "cannot start mdev X: timeout; undone: define" "cannot start mdev X" d)" "not ok 1 - d" \
	"like: a prefix of the text is not a match"
is "$(verdict like "virt-mdev: cannot start mdev X" "cannot start mdev X" d)" "not ok 1 - d" \
	"like: a suffix of the text is not a match"
is "$(verdict like "ab" "a|b" d)" "not ok 1 - d" "like: an alternation at the top of the pattern is anchored as a whole"
is "$(verdict like "b" "a|b" d)" "ok 1 - d" "like: and matches when one alternative is the whole text"
is "$(verdict like "x" "(" d)" "not ok 1 - d" "like: an invalid pattern fails"
is "$(verdict like $'cannot read x: reason\nanother line' "cannot read x: .*" d)" "ok 1 - d" "(like: '.*' spans lines, as documented)"
is "$(verdict like $'cannot read x: reason\nanother line' "cannot read x: $LINE" d)" "not ok 1 - d" "like: \$LINE does not span lines"
is "$(verdict like "cannot read x: reason (and more)" "cannot read x: $LINE" d)" "ok 1 - d" "like: \$LINE is the rest of the line"
# the demo's check: the mdevs made through sysfs where the test says libvirt
made_by_sysfs="done: bind subchannel 0.0.0313 to vfio_ccw
done: create mdev D (vfio_ccw-io) on subchannel 0.0.0313
done: attach vfio-ccw mdev D to domain demo as devno fe.0.1234 (persistent definition)"
is "$(verdict like "$made_by_sysfs" "done: bind subchannel 0.0.0313 to vfio_ccw
done: create transient mdev D \(vfio_ccw-io\) on subchannel 0.0.0313 through libvirt
done: attach vfio-ccw mdev D to domain demo as devno fe.0.1234 \(persistent definition\)" d)" "not ok 1 - d" \
	"like: steps made through sysfs do not match steps through libvirt"
is "$(verdict like $'x\nok 7 - a line of the output' y d)" "not ok 1 - d" "like: the diagnostics comment out every line"
is "$(status like a b d)" 1 "like: a failure makes done_testing fail"

# ---- has_line: one whole line among others ----
is "$(verdict has_line $'Usage: x\n  help [COMMAND]  show\n  list' '  help \[COMMAND\] +show' d)" "ok 1 - d" "has_line: a line among others passes"
is "$(verdict has_line $'Usage: x\n  help [COMMAND]  show the list\n  list' '  help \[COMMAND\] +show' d)" "not ok 1 - d" \
	"has_line: a part of a line is not the line"
is "$(verdict has_line $'Usage: x\n  list' 'help' d)" "not ok 1 - d" "has_line: no such line fails"
is "$(verdict has_line $'rc=1\n0\n0' $'rc=1\n0' d)" "not ok 1 - d" "has_line: a pattern of two lines fails, even where both lines are there"
is "$(verdict has_line $'rc=1\n1' $'rc=1\n0' d)" "not ok 1 - d" "has_line: a pattern of two lines is not an OR"

# ---- skip: one subtest, and never under CI=true ----
is "$(CI=false verdict skip "tool is not installed" "one check" "another")" "ok 1 - one check # SKIP tool is not installed
ok 2 - another # SKIP tool is not installed" "skip: one ok line per subtest, with the SKIP directive and the reason"
is "$(CI=false status skip "tool is not installed" "one check")" 0 "skip: a skipped subtest is not a failure"
is "$(CI=true verdict skip "tool is not installed" "one check")" "not ok 1 - one check (required under CI=true: tool is not installed)" \
	"skip: under CI=true a skip is a failure"
is "$(CI=true status skip "tool is not installed" "one check")" 1 "skip: and makes done_testing fail"

# ---- skip_all: only before the first check, never under CI=true ----
run env -u CI bash -c '. "$1/tests/lib.sh"; skip_all "no tool"' x "$top_srcdir"
is "$rc $out" "77 1..0 # SKIP no tool" "skip_all before any check: exit 77, the reason"
run env CI=true bash -c '. "$1/tests/lib.sh"; skip_all "no tool"' x "$top_srcdir"
is "$rc $out" "1 Bail out! required under CI=true: no tool" "skip_all under CI=true: a failure"
run env -u CI bash -c '. "$1/tests/lib.sh"; ok 0 first; skip_all "no tool"' x "$top_srcdir"
is "$rc $out" "1 ok 1 - first
Bail out! skip_all after 1 checks ran (use skip for the checks that cannot run): no tool" \
	"skip_all after a check ran: a failure, not a file of passed checks turned into one SKIP"

# ---- refuse: exit code, the whole message, one message, nothing changed ----
# refusal RC ERR CHANGE PATTERN ARGS...: refuse against a fake vm that exits RC, prints ERR on
# stderr and changes the snapshot if CHANGE is 1
refusal() {
	local fake_rc=$1 fake_err=$2 fake_change=$3 pattern=$4 code=$5
	shift 5
	tmp=$(mktemp -d)
	state=clean
	vm() {
		printf '%s\n' "$fake_err" >&2
		[ "$fake_change" = 1 ] && state=changed
		return "$fake_rc"
	}
	snapshot() { echo "$state" >"$tmp/$1"; }
	refuse "$code" "$pattern" r "$@"
	rm -rf "$tmp"
}
msg="virt-mdev: cannot bind subchannel '0.0.0314' to vfio_ccw: device 0.0.2b0a is online (use --force)"
pat="virt-mdev: cannot bind subchannel '0.0.0314' to vfio_ccw: device 0.0.2b0a is online \(use --force\)"
is "$(verdict refusal 4 "$msg" 0 "$pat" 4 ccw bind 0.0.2b0a)" "ok 1 - r: exit 4
ok 2 - r: the message names the object, the rule and the fix
ok 3 - r: one message
ok 4 - r: nothing changed" "refuse: the right exit code, message and tree pass"
is "$(verdict refusal 1 "$msg" 0 "$pat" 4 ccw bind 0.0.2b0a | grep -c '^not ok')" 1 "refuse: another exit code fails"
is "$(verdict refusal 4 "$msg" 0 "virt-mdev: cannot bind subchannel '0.0.0314' to vfio_ccw" 4 ccw bind 0.0.2b0a | sed -n 2p)" \
	"not ok 2 - r: the message names the object, the rule and the fix" "refuse: a pattern for only the start of the message fails"
is "$(verdict refusal 4 "virt-mdev: cannot bind subchannel '0.0.0314' to vfio_ccw" 0 "$pat" 4 ccw bind 0.0.2b0a | sed -n 2p)" \
	"not ok 2 - r: the message names the object, the rule and the fix" "refuse: a message shorter than the pattern fails"
is "$(verdict refusal 4 "$msg
virt-mdev: a second message" 0 "$pat.*" 4 ccw bind 0.0.2b0a | grep '^not ok')" "not ok 3 - r: one message" \
	"refuse: a second message fails, even where the pattern's .* spans it"
is "$(verdict refusal 4 "virt-mdev: note
$msg" 0 "$pat" 4 ccw bind 0.0.2b0a | grep -c '^not ok')" 2 "refuse: the message as one line among others fails"
is "$(verdict refusal 4 "$msg" 1 "$pat" 4 ccw bind 0.0.2b0a | grep '^not ok')" "not ok 4 - r: nothing changed" "refuse: a change fails"
usage="virt-mdev: ccw: unknown action 'frob' (expected bind or unbind)"
is "$(verdict refusal 2 "$usage
Try 'virt-mdev help ccw'." 0 "virt-mdev: ccw: unknown action 'frob' \(expected bind or unbind\)" 2 --root /r ccw frob 0.0.2b09 | grep -c '^ok')" 4 \
	"refuse: a usage error with its hint for the command passes"
is "$(verdict refusal 2 "$usage" 0 "virt-mdev: ccw: unknown action 'frob' \(expected bind or unbind\)" 2 ccw frob 0.0.2b09 | grep '^not ok')" "not ok 2 - r: the message names the object, the rule and the fix
not ok 3 - r: one message" "refuse: a usage error without the hint fails"
is "$(verdict refusal 2 "$usage
Try 'virt-mdev help create'." 0 "virt-mdev: ccw: unknown action 'frob' \(expected bind or unbind\)" 2 -c test:///default ccw frob | grep -c '^not ok')" 1 \
	"refuse: a hint for another command fails"
is "$(refused_command -c qemu:///system --backend libvirt -n --root /r create ccw 0.0.2b09)" create "refuse: the command after global options and their values"

done_testing
