#!/bin/sh
# Runs each test program (optionally under $RUNNER), shows its output and
# ends with one line that adds up cmocka's counts: "N passed, M failed".
# A program that crashes or exits non-zero without a count is a failure.
pass=0 fail=0 bad=""
log=$(mktemp)
for t in "$@"; do
    echo "== $t"
    $RUNNER "$t" >"$log" 2>&1
    rc=$?
    cat "$log"
    p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -n 1)
    f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -n 1)
    pass=$((pass + ${p:-0}))
    fail=$((fail + ${f:-0}))
    if [ "$rc" -ne 0 ]; then
        bad="$bad $t"
        [ -z "$f" ] && fail=$((fail + 1))
    fi
done
rm -f "$log"
[ -n "$bad" ] && echo "failing:$bad"
echo "$pass passed, $fail failed"
[ -z "$bad" ]
