#!/bin/sh
# CPU benchmark of one GT-RAIN training step (batch of B rainy/clean pairs, forward of 2B images, losses, backward,
# Adam): PyTorch 1.13 + torchvision reference vs DerainNet with the project's DerainLosses and Adam (DJL, libtorch),
# same seeded weights and batch on both sides.
# Usage: bench/bench_train.sh [WORKDIR] [CASES]   (from the repository root; needs Debian's /usr/bin/python3 with torch)
#   CASES: space-separated ngf<N>_b<BLOCKS>_<SIZE>_bs<BATCH> names; default "ngf16_b4_256_bs8" (the default model's
#   architecture at GT-RAIN's batch 8 and 256x256 patches). GT-RAIN's full size, ngf64_b9_256_bs8, is opt-in (a
#   step takes minutes on each side); a case whose memory estimate exceeds the available memory is skipped.
#   Environment: WARMUP (untimed steps, default 1), STEPS (timed steps, default 3), THREADS (intra-op threads on
#   both sides, default nproc), JAVA_OPTS (e.g. -Dbench.record=true: record the whole graph, as before issue 8,
#   instead of checkpointing the residual blocks).
# Run on a quiet machine: the numbers mean nothing while other jobs use the CPU.
set -e
cd "$(dirname "$0")/.."
WORK=${1:-/tmp/derain-bench-train}
CASES=${2:-ngf16_b4_256_bs8}
WARMUP=${WARMUP:-1}
STEPS=${STEPS:-3}
CORES=$(env -u OMP_NUM_THREADS -u OMP_THREAD_LIMIT nproc)
THREADS=${THREADS:-$CORES}
export OMP_NUM_THREADS="$THREADS"
mkdir -p "$WORK"
echo "== $(date -u '+%Y-%m-%d %H:%M UTC'), $(lscpu | sed -n 's/^Model name: *//p'), $CORES cores, $(free -g | awk '/Mem:/{print $2}') GB, load $(cut -d' ' -f1-3 /proc/loadavg), $THREADS threads, warm-up $WARMUP + $STEPS timed steps"
# shellcheck disable=SC2086 # CASES is a list
/usr/bin/python3 bench/bench_train.py "$WORK" "$WARMUP" "$STEPS" $CASES
mvn -B -q -o test-compile
mvn -B -q -o dependency:build-classpath -Dmdep.outputFile="$WORK/cp.txt" >/dev/null
# shellcheck disable=SC2086
java $JAVA_OPTS -Dai.djl.offline=true -Dai.djl.pytorch.num_threads="$THREADS" \
	-cp "target/classes:target/test-classes:$(cat "$WORK/cp.txt")" \
	fiji.plugin.derain.train.TrainStepBenchmark "$WORK" $CASES 2>&1 | grep -v -e SLF4J -e AutoNonVariableTypeMode
/usr/bin/python3 - "$WORK" $CASES <<'PY'
import json, sys
ref = json.load(open(sys.argv[1] + "/reference_train.json")); java = json.load(open(sys.argv[1] + "/java_train.json"))
print("threads: reference %s, java %s" % (ref["threads"], java["threads"]))
for case in sys.argv[2:]:
    r = ref["cases"][case]
    if "skipped" in r:
        print("%-18s skipped: %s" % (case, r["skipped"]))
        continue
    j = java["cases"][case]
    b = r["batch"]
    print("%-18s s/step median: reference %.3f, java %.3f, java/reference %.2f   (min %.3f, %.3f)"
          % (case, r["median_s"], j["median_s"], j["median_s"] / r["median_s"], r["min_s"], j["min_s"]))
    print("%-18s examples/s (B=%d pairs/step, median): reference %.3f, java %.3f   first-step loss |diff| %.1e"
          "   peak RSS reference %.1f GB, java %.1f GB"
          % ("", b, b / r["median_s"], b / j["median_s"], j["first_loss_diff"], r["peak_rss_gb"], j["peak_rss_gb"]))
PY
