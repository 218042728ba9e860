#!/bin/sh
# Whole-command benchmark (issue 9): `bin/derain run` of four 256×256 photos with GT-RAIN's full-size network
# (ngf 64, 9 blocks, seeded weights imported with `bin/derain import-gtrain`), JVM start and model load included,
# against bench/command_reference.py doing the same in PyTorch 1.13 + torchvision, each as a fresh process, alternated,
# REPEATS times (median). Then where the Java command's time goes: JVM start alone (`derain --help`), engine + model
# load (one 4×4 photo), and the four photos.
# Usage: bench/bench_command.sh [WORKDIR]   (from the repository root; quiet machine; needs Debian's python3-torch)
#   Environment: REPEATS (default 3), THREADS (both sides, default nproc), DERAIN_JAVA_OPTS (passed to bin/derain).
set -e
cd "$(dirname "$0")/.."
WORK=${1:-/tmp/derain-bench-command}
REPEATS=${REPEATS:-3}
THREADS=${THREADS:-$(nproc)}; export THREADS OMP_NUM_THREADS=$THREADS
mkdir -p "$WORK/photos" "$WORK/small"
echo "== $(date -u '+%Y-%m-%d %H:%M UTC'), $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $THREADS threads, DERAIN_JAVA_OPTS='${DERAIN_JAVA_OPTS:-}'"
bin/derain --help >/dev/null 2>&1 || true   # builds on first use, outside the timings
if [ ! -f "$WORK/model/model.json" ]; then
	/usr/bin/python3 bench/command_reference.py --make "$WORK/gtrain_full.pth"
	bin/derain import-gtrain "$WORK/gtrain_full.pth" --out "$WORK/model" --overwrite >/dev/null 2>&1
	/usr/bin/python3 - "$WORK" <<'PY'
import sys
from PIL import Image
work = sys.argv[1]
im = Image.open("models/samples/leuven-rain.png").convert("RGB")
for k, (x, y) in enumerate([(0, 0), (300, 0), (0, 200), (300, 200)]):
    im.crop((x, y, x + 256, y + 256)).save("%s/photos/p%d.png" % (work, k))
im.crop((0, 0, 4, 4)).save("%s/small/tiny.png" % work)
PY
fi
seconds() { # seconds of one run of the command given as arguments
	/usr/bin/time -f %e -o "$WORK/t" "$@" >/dev/null 2>&1 || { echo "failed: $*" >&2; exit 1; }
	cat "$WORK/t"
}
median() { tr ' ' '\n' | sort -n | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}'; }
ref="" java="" help="" load=""
for i in $(seq "$REPEATS"); do
	rm -rf "$WORK/ref-out" "$WORK/java-out" "$WORK/tiny-out"
	ref="$ref $(seconds /usr/bin/python3 bench/command_reference.py "$WORK/gtrain_full.pth" "$WORK/ref-out" "$WORK"/photos/*.png)"
	java="$java $(seconds bin/derain run --model "$WORK/model" --out "$WORK/java-out" --device cpu "$WORK"/photos/*.png)"
	help="$help $(seconds bin/derain --help)"
	load="$load $(seconds bin/derain run --model "$WORK/model" --out "$WORK/tiny-out" --device cpu "$WORK/small/tiny.png")"
done
r=$(echo $ref | median); j=$(echo $java | median)
echo "reference (python start, import torch, load, 4 photos):   runs$ref   median $r s"
echo "bin/derain run (JVM start, engine, model load, 4 photos): runs$java   median $j s   java/reference $(echo "$j $r" | awk '{printf "%.2f", $1/$2}')"
echo "  of which JVM start and argument parsing (derain --help): median $(echo $help | median) s"
echo "  JVM + engine + model load + one 4x4 photo:               median $(echo $load | median) s"
/usr/bin/python3 - "$WORK" <<'PY'
import glob, os, sys
import numpy as np
from PIL import Image
w = sys.argv[1]
d = [np.abs(np.asarray(Image.open(p), np.int32) - np.asarray(Image.open(os.path.join(w, "ref-out", os.path.basename(p))), np.int32)).max()
     for p in sorted(glob.glob(os.path.join(w, "java-out", "*.png")))]
print("outputs: %d photos, max |java - reference| %d/255" % (len(d), max(d)))
PY
