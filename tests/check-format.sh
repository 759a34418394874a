#!/bin/bash
# The C sources follow .clang-format: lists every file that does not.
set -u
cd "${1:?usage: check-format.sh SOURCE-ROOT}" || exit 1
bad=0
while IFS= read -r f; do
	if ! clang-format --dry-run --Werror "$f" >/dev/null 2>&1; then
		echo "not formatted: $f (run: clang-format -i $f)"
		bad=1
	fi
done < <(git ls-files '*.c' '*.h' 2>/dev/null || find src tests bench -name '*.[ch]')
[ $bad = 0 ] && echo "every C source is formatted"
exit $bad
