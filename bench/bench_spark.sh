#!/bin/sh
# Spark job benchmark (issue 11): images per second per core of `bin/derain-spark --master local[CORES]` against
# `bin/derain run` on the same photos in the same run (target: Spark >= 0.9x per core), and the job's start-up cost.
# Each measurement is a fresh process (JVM start, Spark session, engine and model load included), the two tools
# alternated, REPEATS times (median). Start-up = the same command on one 4x4 photo; throughput = photos / (time of
# the photos - start-up). Outputs of both tools are compared byte for byte.
# Usage: bench/bench_spark.sh [WORKDIR]   (from the repository root; quiet machine; needs Debian's python3-pil)
#   Environment: PHOTOS (default 16 crops of 256x256), REPEATS (default 3), CORES (default nproc), MODEL (default).
set -e
cd "$(dirname "$0")/.."
WORK=${1:-/tmp/derain-bench-spark}
PHOTOS=${PHOTOS:-16}
REPEATS=${REPEATS:-3}
CORES=${CORES:-$(nproc)}
MODEL=${MODEL:-default}
mkdir -p "$WORK/photos" "$WORK/small"
echo "== $(date -u '+%Y-%m-%d %H:%M UTC'), $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), local[$CORES], model $MODEL, $PHOTOS photos"
bin/derain --help >/dev/null 2>&1 || true         # both build on first use, outside the timings
bin/derain-spark --help >/dev/null 2>&1 || true
/usr/bin/python3 - "$WORK" "$PHOTOS" <<'PY'
import sys
from PIL import Image
work, n = sys.argv[1], int(sys.argv[2])
im = Image.open("models/samples/leuven-rain.png").convert("RGB")
for k in range(n):
    x, y = (k * 97) % (im.width - 256), (k * 61) % (im.height - 256)
    im.crop((x, y, x + 256, y + 256)).save("%s/photos/p%03d.png" % (work, k))
im.crop((0, 0, 4, 4)).save("%s/small/tiny.png" % work)
PY
seconds() { # seconds of one run of the command given as arguments
	/usr/bin/time -f %e -o "$WORK/t" "$@" >"$WORK/last.log" 2>&1 || { echo "failed: $*" >&2; cat "$WORK/last.log" >&2; exit 1; }
	cat "$WORK/t"
}
median() { tr ' ' '\n' | sed '/^$/d' | sort -n | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}'; }
cli="" spark="" cli0="" spark0=""
for i in $(seq "$REPEATS"); do
	rm -rf "$WORK/cli-out" "$WORK/spark-out" "$WORK/cli-tiny" "$WORK/spark-tiny"
	cli0="$cli0 $(seconds bin/derain run --model "$MODEL" --out "$WORK/cli-tiny" "$WORK/small/tiny.png")"
	spark0="$spark0 $(seconds bin/derain-spark --master "local[$CORES]" --model "$MODEL" --out "$WORK/spark-tiny" "$WORK/small/tiny.png")"
	cli="$cli $(seconds bin/derain run --model "$MODEL" --out "$WORK/cli-out" "$WORK/photos")"
	spark="$spark $(seconds bin/derain-spark --master "local[$CORES]" --model "$MODEL" --out "$WORK/spark-out" "$WORK/photos")"
done
c0=$(echo $cli0 | median); s0=$(echo $spark0 | median); c=$(echo $cli | median); s=$(echo $spark | median)
echo "start-up, one 4x4 photo:   bin/derain run runs$cli0 median $c0 s;  bin/derain-spark runs$spark0 median $s0 s"
echo "$PHOTOS photos:            bin/derain run runs$cli median $c s;  bin/derain-spark runs$spark median $s s"
echo "$c0 $s0 $c $s $PHOTOS $CORES" | awk '{cr=$5/($3-$1)/$6; sr=$5/($4-$2)/$6;
	printf "images/s per core (start-up subtracted): bin/derain run %.4f, derain-spark local[%d] %.4f, spark/cli %.2f\n", cr, $6, sr, sr/cr;
	printf "job start-up cost over bin/derain run: %.1f s\n", $2-$1;
	# cost per megapixel is flat in image size (RESULTS.md, issue 3): scale the 256x256 rate to 1-MP frames
	mp = 256*256/1e6; printf "on paper: 10 million 1-MP frames in 24 h need %.0f such executor cores (%.2f core-s per MP)\n",
		1e7/(sr*mp)/86400, 1/(sr*mp)}'
same=0; for f in "$WORK"/cli-out/*; do cmp -s "$f" "$WORK/spark-out/$(basename "$f")" && same=$((same+1)); done
echo "outputs byte-identical: $same of $(ls "$WORK/cli-out" | wc -l)"
