#!/bin/bash
# The C sources are formatted as .clang-format says ("make format" fixes them).
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

cf=${CLANG_FORMAT:-clang-format}
if [ "$cf" = no ] || ! command -v "$cf" >/dev/null 2>&1; then
	skip_all "clang-format is not installed (apt-get install clang-format)"
fi
cd "$top_srcdir" || exit 1
files=$(find src tests -name '*.[ch]' | sort)
ok "$([ -n "$files" ]; echo $?)" "there are C sources to check"
# clang-format's layout is not the same from one major version to the next, and the tree is
# formatted with one: the version .clang-format's first line names (14, Debian 12's, which CI's
# first pass has). Debian 13 has only 19, which lays out a few lines otherwise (a macro that is a
# braced initializer on one line, '(a) * 100' for 14's '(a)*100'), so there the check says so
# and only lists what 19 would change: formatting twice would need markers in those files.
tree=$(sed -n '1s/.*clang-format \([0-9][0-9]*\).*/\1/p' .clang-format)
have=$("$cf" --version | sed -n 's/.*clang-format version \([0-9][0-9]*\).*/\1/p')
if [ -z "$tree" ] || [ -z "$have" ]; then
	ok 1 "the tree's clang-format version ('$tree', from .clang-format's first line) and this one's ('$have') are known"
	done_testing
	exit
fi
if [ "$have" != "$tree" ]; then
	other=""
	for f in $files; do
		"$cf" --dry-run -Werror --style=file "$f" >/dev/null 2>&1 || other="$other $f"
	done
	ok 0 "the layout is checked with clang-format $tree, the tree's; this is clang-format $have"
	[ -n "$other" ] && echo "# clang-format $have would lay out these otherwise:$other"
	done_testing
	exit
fi
for f in $files; do
	if "$cf" --dry-run -Werror --style=file "$f" >/dev/null 2>&1; then
		ok 0 "$f is formatted"
	else
		ok 1 "$f is formatted (run 'make format')"
		"$cf" --style=file "$f" | diff -u "$f" - | head -20 | sed 's/^/# /'
	fi
done

done_testing
