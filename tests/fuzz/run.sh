#!/bin/sh
# tests/fuzz/run.sh DIR SECONDS: runs each libFuzzer harness that `make
# fuzz` built in DIR for SECONDS, as many at a time as there are cores
# (FUZZ_JOBS), from the seeds DIR/mkcorpus writes afresh plus whatever
# earlier runs kept in DIR/corpus/NAME.  A crash, leak, timeout or
# sanitizer report keeps its input as DIR/crash-NAME-* (replay it with
# DIR/fuzz_NAME FILE), prints the end of the log and fails the run.
dir=$1 secs=$2
jobs=${FUZZ_JOBS:-$(nproc 2>/dev/null || echo 2)}
rm -rf "$dir/seeds"
"$dir/mkcorpus" "$dir/seeds" || exit 1

run() {
    case $1 in
    png|jpeg) max=65536 ;;
    options) max=1024 ;;
    *) max=16384 ;;
    esac
    mkdir -p "$dir/corpus/$1"
    seeds=$dir/seeds/$1
    [ -d "$seeds" ] || seeds=
    # shellcheck disable=SC2086  # no seeds: no argument
    "$dir/fuzz_$1" -max_total_time="$secs" -max_len=$max -timeout=25 \
        -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$dir/crash-$1-" "$dir/corpus/$1" $seeds \
        >"$dir/$1.log" 2>&1
    echo $? >"$dir/$1.rc"
}

names=""
for b in "$dir"/fuzz_*; do
    [ -f "$b" ] && [ -x "$b" ] && names="$names ${b##*/fuzz_}"
done
set -- $names
while [ $# -gt 0 ]; do
    n=0
    while [ $# -gt 0 ] && [ $n -lt "$jobs" ]; do
        run "$1" &
        shift
        n=$((n + 1))
    done
    wait
done

stat_of() { sed -n "s/^stat::$1: *//p" "$log" | tail -n 1; }
status=0
for name in $names; do
    log=$dir/$name.log
    line="fuzz_$name: ${secs}s, $(stat_of number_of_executed_units) runs,"
    line="$line $(stat_of average_exec_per_sec) exec/s,"
    line="$line $(ls "$dir/corpus/$name" | wc -l) in corpus,"
    line="$line peak $(stat_of peak_rss_mb) MB"
    if [ "$(cat "$dir/$name.rc")" = 0 ]; then
        echo "$line: ok"
    else
        status=1
        echo "$line: FAILED (log $log)"
        tail -n 40 "$log"
    fi
done
exit $status
