#!/bin/sh
# Tiling overhead (issue 9): `bin/derain run` of one photo resized to SIZE, whole (--tile 0) and with tiles of each
# size in TILES (default overlap), alternated, REPEATS times. Reports the image's own seconds (as `derain run`
# prints them: read, derain, write; JVM start and model load excluded), the ratio to the whole-image pass, and the
# process's peak RSS. Images larger than a tile run in exact bands (see TiledInference); --tile sets their size.
# Usage: bench/bench_tiling.sh [WORKDIR] [MODEL] [SIZE]   (defaults: /tmp/derain-bench-tiling default 2048x1536)
#   Environment: TILES (default "512 1024"), REPEATS (default 2). Quiet machine; needs Debian's python3-pil.
set -e
cd "$(dirname "$0")/.."
WORK=${1:-/tmp/derain-bench-tiling}
MODEL=${2:-default}
SIZE=${3:-2048x1536}
TILES=${TILES:-512 1024}
REPEATS=${REPEATS:-2}
mkdir -p "$WORK/in"
echo "== $(date -u '+%Y-%m-%d %H:%M UTC'), $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), model $MODEL, $SIZE"
bin/derain --help >/dev/null 2>&1 || true   # builds on first use, outside the timings
in="$WORK/in/photo-$SIZE.png"
[ -f "$in" ] || /usr/bin/python3 - "$in" "$SIZE" <<'PY'
import sys
from PIL import Image
w, h = map(int, sys.argv[2].split("x"))
Image.open("models/samples/leuven-rain.png").convert("RGB").resize((w, h), Image.BICUBIC).save(sys.argv[1])
PY
for i in $(seq "$REPEATS"); do
	for tile in 0 $TILES; do
		rm -rf "$WORK/out-$tile"
		/usr/bin/time -f "%M" -o "$WORK/rss-$tile" bin/derain run --model "$MODEL" --tile "$tile" --out "$WORK/out-$tile" \
			--device cpu "$in" > "$WORK/log-$tile" 2>&1
		s=$(sed -n 's/.*-> .* (\([0-9.]*\) s).*/\1/p' "$WORK/log-$tile")
		echo "$tile $s $(cat "$WORK/rss-$tile")" >> "$WORK/runs"
	done
done
/usr/bin/python3 - "$WORK/runs" <<'PY'
import statistics, sys
runs = {}
for line in open(sys.argv[1]):
    f = line.split()
    runs.setdefault(int(f[0]), []).append((float(f[1]), int(f[2])))
whole = statistics.median(s for s, _ in runs[0])
for tile in sorted(runs):
    r = runs[tile]
    med = statistics.median(s for s, _ in r)
    print("tile %-5s seconds %s  median %.1f s  x%.2f of whole  peak RSS %.2f GB"
          % ("whole" if tile == 0 else tile, " ".join("%.1f" % s for s, _ in r), med, med / whole,
             max(m for _, m in r) / 1048576))
PY
rm -f "$WORK/runs"
