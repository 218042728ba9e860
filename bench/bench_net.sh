#!/bin/sh
# CPU benchmark of the GT-RAIN network: PyTorch 1.13 + torchvision reference vs DerainNet (DJL, libtorch).
# Usage: bench/bench_net.sh [WORKDIR]   (from the repository root; needs Debian's /usr/bin/python3 with torch)
#   Environment: REPEATS (runs per case on each side, median and min reported; default 3), THREADS (default nproc),
#   ROUNDS (default 1): the whole comparison this many times, the side that goes first alternating from the second
#   round on, each round's ratios printed and their median at the end (this VM's speed drifts over minutes: ratios
#   from the same round are paired measurements).
# Run on a quiet machine: the numbers mean nothing while other jobs use the CPU.
set -e
cd "$(dirname "$0")/.."
WORK=${1:-/tmp/derain-bench}
mkdir -p "$WORK"
THREADS=${THREADS:-$(nproc)}; export THREADS OMP_NUM_THREADS=$THREADS   # both sides use every core
echo "== $(date -u '+%Y-%m-%d %H:%M UTC'), $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
ROUNDS=${ROUNDS:-1}
mvn -B -q -o test-compile
mvn -B -q -o dependency:build-classpath -Dmdep.outputFile="$WORK/cp.txt" >/dev/null
reference() { /usr/bin/python3 bench/bench_net.py "$WORK"; }
java_side() {
	java -Dai.djl.offline=true -Dai.djl.pytorch.num_threads="$THREADS" -cp "target/classes:target/test-classes:$(cat "$WORK/cp.txt")" \
	fiji.plugin.derain.net.NetBenchmark "$WORK" 2>&1 | grep -v SLF4J
}
compare() {
/usr/bin/python3 - "$WORK" <<'PY'
import json, sys
ref = json.load(open(sys.argv[1] + "/reference.json")); java = json.load(open(sys.argv[1] + "/java.json"))
for case in ("ngf64_b9_256x256", "ngf16_b6_1024x768"):
    r, j = ref[case]["median_s"], java[case]["median_s"]
    rm, jm = ref[case]["min_s"], java[case]["min_s"]
    print("%-20s median: reference %.3f s, java %.3f s, java/reference %.2f   (min: %.3f s, %.3f s, %.2f)"
          % (case, r, j, j / r, rm, jm, jm / rm))
    g = java[case]["gemm_floor_s"]
    print("%-20s the deformable convs' matrix products alone: %.3f s = %.2f of the reference's median"
          % ("", g, g / r))
with open(sys.argv[1] + "/rounds.tsv", "a") as f:
    f.write("\t".join("%.4f" % (java[c]["median_s"] / ref[c]["median_s"]) for c in ("ngf64_b9_256x256", "ngf16_b6_1024x768")) + "\n")
PY
}
: > "$WORK/rounds.tsv"
for round in $(seq 1 "$ROUNDS"); do
	[ "$ROUNDS" -gt 1 ] && echo "-- round $round of $ROUNDS"
	# the reference writes the weights, input and expected output the Java side reads: it goes first in round 1
	if [ $((round % 2)) -eq 1 ]; then reference; java_side; else java_side; reference; fi
	compare
done
if [ "$ROUNDS" -gt 1 ]; then
/usr/bin/python3 - "$WORK/rounds.tsv" <<'PY'
import statistics, sys
rows = [list(map(float, l.split())) for l in open(sys.argv[1]) if l.strip()]
for i, case in enumerate(("ngf64_b9_256x256", "ngf16_b6_1024x768")):
    r = [row[i] for row in rows]
    print("%-20s java/reference (medians) by round: %s; median over %d rounds %.2f, max %.2f"
          % (case, " ".join("%.2f" % v for v in r), len(r), statistics.median(r), max(r)))
PY
fi
