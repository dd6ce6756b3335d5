#!/bin/bash
# virt-mdev-sim's own command line: help, usage errors, and its manual.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/sim/lib-sim.sh"

run "$VIRT_MDEV_SIM" --help
is "$rc" 0 "--help exits 0"
is "$(printf '%s\n' "$out" | sed -n 1p)" "Usage: virt-mdev-sim COMMAND [OPTIONS] ..." "--help prints the synopsis, first"
man=$(cat "$top_srcdir/doc/virt-mdev-sim.8")
for c in mount render run; do
	has_line "$out" "  $c .*" "--help lists $c"
	has_line "$man" "\\.SS $c .*" "virt-mdev-sim(8) has a section for $c"
done
man_options=$(sed 's/\\-/-/g' "$top_srcdir/doc/virt-mdev-sim.8" | sed -n '/^\.SH OPTIONS/,/^\.SH /p')
for o in host kernel generate ap-mdevs faults udev; do
	has_line "$out" "  --$o( .*)?" "--help documents --$o (a line of its own)"
	has_line "$man_options" "\\.BR? --$o( .*)?" "virt-mdev-sim(8) documents --$o (an entry under OPTIONS)"
done
for section in NAME SYNOPSIS DESCRIPTION COMMANDS OPTIONS "HOST DESCRIPTIONS" "EXIT CODES" FILES EXAMPLES "SEE ALSO"; do
	has_line "$man" "\\.SH \"?$section\"?" "virt-mdev-sim(8) has $section"
done
run "$VIRT_MDEV_SIM" -V
like "$out" 'virt-mdev-sim [0-9]+\.[0-9]+\.[0-9]+' "-V prints the version, and nothing else"

run "$VIRT_MDEV_SIM"
is "$rc" 2 "no command: exit 2"
is "$err" "virt-mdev-sim: no command given
Try 'virt-mdev-sim --help'." "no command: one line and the hint"
run "$VIRT_MDEV_SIM" frob
is "$err" "virt-mdev-sim: unknown command 'frob'
Try 'virt-mdev-sim --help'." "an unknown command is named"
run "$VIRT_MDEV_SIM" render --bogus /tmp/x
is "$rc" 2 "an unknown option: exit 2"
is "$err" "virt-mdev-sim: unknown option '--bogus'
Try 'virt-mdev-sim --help'." "an unknown option is named"
run "$VIRT_MDEV_SIM" render --generate 0 /tmp/x
is "exit $rc: $err" "exit 2: virt-mdev-sim: invalid --generate '0': a number of subchannels, 1-262144
Try 'virt-mdev-sim --help'." "--generate 0 is refused with the range"
run "$VIRT_MDEV_SIM" render --host "$DEMO_HOST" --generate 5 /tmp/x
is "exit $rc: $err" "exit 2: virt-mdev-sim: --host and --generate exclude each other
Try 'virt-mdev-sim --help'." "--host with --generate is refused"
run "$VIRT_MDEV_SIM" render --faults /dev/null /tmp/x
is "exit $rc: $err" "exit 2: virt-mdev-sim: --faults is for mount and run, not render
Try 'virt-mdev-sim --help'." "--faults with render is refused"
run "$VIRT_MDEV_SIM" render
is "exit $rc: $err" "exit 2: virt-mdev-sim: render takes one directory
Try 'virt-mdev-sim --help'." "render without a directory is refused"
run "$VIRT_MDEV_SIM" run
is "exit $rc: $err" "exit 2: virt-mdev-sim: run needs a command: run [OPTIONS] -- CMD [ARGS]
Try 'virt-mdev-sim --help'." "run without a command is refused"
tmp=$(mktemp -d)
printf '<host><css><subchannel id="0.0.0313" qdio="perhaps"/></css></host>\n' >"$tmp/bad.xml"
run "$VIRT_MDEV_SIM" render --host "$tmp/bad.xml" "$tmp/out"
is "$rc" 2 "a bad host description is exit 2"
is "$err" "virt-mdev-sim: $tmp/bad.xml:1: <subchannel qdio='perhaps'>: must be yes or no" "the message names the file, the line, the value and the rule"
ok "$([ ! -e "$tmp/out" ]; echo $?)" "nothing is rendered from a bad description"
run "$VIRT_MDEV_SIM" mount --faults "$tmp/nonexistent" "$tmp"
is "$rc" 2 "a missing fault file is exit 2"
is "$err" "virt-mdev-sim: cannot use fault file '$tmp/nonexistent': No such file or directory (create it first; it may be empty)" "and says what to do"
rm -rf "$tmp"

done_testing
