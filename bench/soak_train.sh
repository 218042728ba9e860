#!/bin/sh
# Soak benchmark of training memory (issue 8): many steps of `bin/derain train` (or of the Train Derainer macro in
# the ImageJ 1.54p app) on synthesized pairs; the run's own training-steps.csv has step, loss, step time and RSS.
# Prints the RSS slope after step 100 (MB per 1,000 steps), peak RSS and step times, and plots RSS against step.
#
# Usage: bench/soak_train.sh [WORKDIR] [STEPS] [cli|imagej]      (from the repository root; quiet machine)
#   Environment: THREADS (torch threads, default nproc), TRAIN_ARGS (architecture and batch, default
#   "--ngf 16 --blocks 4 --patch 164 --batch 2": the default model's architecture), JAVA_OPTS (e.g.
#   -Dderain.trim.every=0 to turn off returning freed memory), PRELOAD (e.g. /usr/lib/x86_64-linux-gnu/libjemalloc.so.2),
#   LABEL (name of the run's folder and plot, default the mode).
# Needs Debian's /usr/bin/python3 with python3-pil and python3-matplotlib (the plot); imagej mode needs xvfb-run and
# the app built by `mvn verify` (app/).
set -e
cd "$(dirname "$0")/.."
WORK=${1:-/tmp/derain-soak}
STEPS=${2:-3000}
MODE=${3:-cli}
LABEL=${LABEL:-$MODE}
THREADS=${THREADS:-$(nproc)}
TRAIN_ARGS=${TRAIN_ARGS:---ngf 16 --blocks 4 --patch 164 --batch 2}
export OMP_NUM_THREADS="$THREADS"
mkdir -p "$WORK"

# 8 clean "photos": 256x256 crops of the sample photo (and its mirror images), with synthesized heavy rain
if [ ! -d "$WORK/pairs/rainy" ]; then
	/usr/bin/python3 - "$WORK/photos" <<'PY'
import os, sys
from PIL import Image, ImageOps
out = sys.argv[1]; os.makedirs(out, exist_ok=True)
im = Image.open("models/samples/leuven-clean.png").convert("RGB")
for k, (x, y) in enumerate([(0, 0), (240, 0), (480, 0), (0, 300), (240, 300), (480, 300), (120, 150), (360, 150)]):
    tile = im.crop((x, y, x + 256, y + 256))
    (ImageOps.mirror(tile) if k % 2 else tile).save(os.path.join(out, "scene%d.png" % k))
PY
	bin/derain synth --clean "$WORK/photos" --out "$WORK/pairs" --preset heavy --absolute-size >/dev/null
fi

RUN="$WORK/$LABEL"
rm -rf "$RUN"
EPOCH=100
EPOCHS=$(( (STEPS + EPOCH - 1) / EPOCH ))
echo "== $(date -u '+%Y-%m-%d %H:%M UTC'), $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GB, load $(cut -d' ' -f1-3 /proc/loadavg); $MODE, $((EPOCHS * EPOCH)) steps, $TRAIN_ARGS, $THREADS threads, JAVA_OPTS='$JAVA_OPTS' PRELOAD='$PRELOAD'"
start=$(date +%s)
if [ "$MODE" = cli ]; then
	LD_PRELOAD="$PRELOAD" DERAIN_JAVA_OPTS="$JAVA_OPTS -Dai.djl.pytorch.num_threads=$THREADS" /usr/bin/time -v -o "$WORK/$LABEL.time" \
		bin/derain train --rainy "$WORK/pairs/rainy" --clean "$WORK/pairs/clean" --out "$RUN" $TRAIN_ARGS \
		--epochs "$EPOCHS" --steps-per-epoch "$EPOCH" --warmup-epochs 1 --val-fraction 0 --seed 1 --device cpu \
		> "$WORK/$LABEL.log" 2>&1
else
	[ -f app/ij.jar ] || { echo "imagej mode needs the app: mvn -B -DskipTests verify" >&2; exit 2; }
	# the same options as macro keys: --ngf 16 --blocks 4 --patch 164 --batch 2 -> ngf=16 blocks=4 patch=164 batch=2
	keys=$(echo "$TRAIN_ARGS" | sed 's/--\([a-z-]*\) \([^ ]*\)/\1=\2/g; s/-/_/g')
	LD_PRELOAD="$PRELOAD" /usr/bin/time -v -o "$WORK/$LABEL.time" xvfb-run -a java $JAVA_OPTS -Xmx2g -Dai.djl.offline=true \
		-Dai.djl.pytorch.num_threads="$THREADS" -jar app/ij.jar -ijpath app -batch macros/Train_Derainer.ijm \
		"rainy=$WORK/pairs/rainy clean=$WORK/pairs/clean output=$RUN $keys epochs=$EPOCHS steps_per_epoch=$EPOCH val_fraction=0 seed=1 device=cpu" \
		> "$WORK/$LABEL.log" 2>&1
fi
echo "wall $(( $(date +%s) - start )) s, peak RSS $(awk -F': ' '/Maximum resident/{printf "%.2f GB", $2/1048576}' "$WORK/$LABEL.time")"

/usr/bin/python3 bench/soak_report.py "$RUN/training-steps.csv" "$WORK/$LABEL.png" "$LABEL"
