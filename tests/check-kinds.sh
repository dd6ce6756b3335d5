#!/bin/bash
# STYLE.md rule 13 / DESIGN.md: only src/lib/kind-*.c knows which device kind it has; everything
# else asks the kind's ops table (src/lib/kind.h). This fails when code elsewhere spells a kind.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

# the tell-tale spellings of a test for one kind: the old flags and enums, a kind's symbol, a
# kind's model, type or parent as a literal, a lookup of a kind by a literal
tells='\bis_ap\b|\bMODEL_VFIO_|\bMDEV_TYPE_|\bMDEV_PARENT_AP\b|\bKIND_(CCW|AP)\b|\bkind_(ccw|ap)\b|"vfio-(ccw|ap)"|"vfio_ccw-io"|"vfio_ap-passthrough"|"matrix"|mdev_kind_by_[a-z]+\("'

# offenders DIR: file:line of every tell outside src/lib/kind-*.c, comments left out; kind.c
# may name the kinds in its table (one "&kind_x," a line) and their extern declarations
offenders() {
	(cd "$1" && find src -name '*.[ch]' -not -path 'src/sim/*' -not -name 'kind-*.c' | sort |
		while read -r f; do
			# drop /* ... */ comments (also over several lines), keep line numbers
			perl -0pe 's{/\*.*?\*/}{my $c = $&; $c =~ tr/\n//cd; $c}gse' "$f" |
				grep -nE "$tells" |
				grep -vE '^[0-9]+:[[:space:]]*&kind_[a-z]+,$|^[0-9]+:extern const struct mdev_kind kind_[a-z]+;$' |
				sed "s|^|$f:|"
		done)
}

found=$(offenders "$top_srcdir")
is "$found" "" "no file outside src/lib/kind-*.c tests which device kind it has"

# the check itself must catch a violation, and leave comments and the table alone
tmp=$(mktemp -d)
mkdir -p "$tmp/src/lib" "$tmp/src/sim"
printf 'int f(const struct mdev_info *m)\n{\n\treturn strcmp(m->parent, "matrix") == 0;\n}\n' >"$tmp/src/cmd-bad.c"
printf '/* a "vfio-ap" device: is_ap\n * "matrix" */\nint g(void);\n' >"$tmp/src/lib/comments.c"
printf 'extern const struct mdev_kind kind_ccw;\nconst struct mdev_kind *const t[] = {\n\t&kind_ccw,\n};\nx = mdev_kind_by_name("ccw");\n' >"$tmp/src/lib/kind.c"
printf 'if (strcmp(p, "matrix") == 0) return 1;\n' >"$tmp/src/lib/kind-ap.c"
printf 'if (strcmp(p, "matrix") == 0) return 1;\n' >"$tmp/src/sim/model.c"
is "$(offenders "$tmp")" 'src/cmd-bad.c:3:	return strcmp(m->parent, "matrix") == 0;
src/lib/kind.c:5:x = mdev_kind_by_name("ccw");' "a planted test of the kind is found; comments, the table, kind-*.c and the simulator are not"
rm -rf "$tmp"

done_testing
