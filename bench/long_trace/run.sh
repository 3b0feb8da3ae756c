#!/bin/sh
# bench/long_trace/run.sh BUILD_DIR OUT_DIR [EVENTS]: long-recording figures for
# bench/RESULTS.md. Generates traces of EVENTS/4, EVENTS/2 and EVENTS alloc/free events
# (default 500 M; several GB: check df first), then measures the index build, a 1 s window in
# the middle opened with and without the index, and the peak RSS of `heapscope summary` on
# each trace (it should stay flat). The traces are deleted at the end.
set -eu
build=$1
out=$2
events=${3:-500000000}
bench=$build/bin/bench_long_trace
heapscope=$build/bin/heapscope
mkdir -p "$out"

# Prints "<wall s> <peak RSS KiB>" of a command.
measure() {
    /usr/bin/time -f '%e %M' -o "$out/time.txt" "$@" > "$out/last.txt"
    cat "$out/time.txt"
}

for n in $((events / 4)) $((events / 2)) $events; do
    trace=$out/long_$n.hst
    echo "== $n events"
    measure "$bench" generate "$trace" "$n" | sed 's/^/generate (s, KiB): /'
    cat "$out/last.txt"
    echo "trace bytes: $(stat -c %s "$trace")"
    echo "summary (s, KiB): $(measure "$heapscope" summary "$trace")"
done

trace=$out/long_$events.hst
echo "index build (s, KiB): $(measure "$heapscope" index "$trace")"
cat "$out/last.txt"
echo "index bytes: $(stat -c %s "$trace.hsi")"
# The middle second of the trace's time (about 1 us per event).
middle=$((events / 2 * 1024))
from=$middle
to=$((middle + 1000000000))
echo "window with index (s, KiB): $(measure "$bench" window "$trace" $from $to indexed)"
cat "$out/last.txt"
echo "window cli with index (s, KiB): $(measure "$heapscope" summary "$trace" --from $from --to $to)"
echo "window without index (s, KiB): $(measure "$bench" window "$trace" $from $to sequential)"
cat "$out/last.txt"
echo "peak view (s, KiB): $(measure "$heapscope" top "$trace" --at peak -n 3)"
rm -f "$out"/long_*.hst "$out"/long_*.hst.hsi "$out/time.txt" "$out/last.txt"
