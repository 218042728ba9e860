#!/bin/sh
# Time and peak memory (process RSS) of `bin/derain run` on 1024×768, 4000×3000 and 12000×9000 RGB photos with
# the default tile size; cost per megapixel should stay flat as images grow (tiling bounds the working memory).
# Usage: bench/bench_sizes.sh [WORKDIR] [MODEL] [SIZES]   (from the repository root; needs /usr/bin/time and
# Debian's python3-pil to make the test images). Run on a quiet machine.
set -e
cd "$(dirname "$0")/.."
WORK=${1:-/tmp/derain-bench-sizes}
MODEL=${2:-default}
SIZES=${3:-"1024x768 4000x3000 12000x9000"}
mkdir -p "$WORK"
echo "== $(date -u '+%Y-%m-%d %H:%M UTC'), $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GB, load $(cut -d' ' -f1-3 /proc/loadavg), model $MODEL"
bin/derain --help >/dev/null 2>&1 || true   # builds on first use, outside the timings
for size in $SIZES; do
  mkdir -p "$WORK/in"; in="$WORK/in/photo-$size.jpg"   # inputs apart from outputs (run refuses an output folder inside an input's folder)
  # a real photo (Leuven street, opencv-doc) resized to the size: real texture, not noise
  [ -f "$in" ] || /usr/bin/python3 - "$in" "$size" <<'PY'
import sys
from PIL import Image
w, h = map(int, sys.argv[2].split("x"))
src = Image.open("models/samples/leuven-rain.png").convert("RGB")
src.resize((w, h), Image.BICUBIC).save(sys.argv[1], quality=95)
PY
  rm -rf "$WORK/out-$size"
  /usr/bin/time -f "%e %M" -o "$WORK/time-$size.txt" \
    bin/derain run --model "$MODEL" --format tiff --max-pixels 200000000 --out "$WORK/out-$size" "$in" >"$WORK/log-$size.txt" 2>&1
  read -r secs kb < "$WORK/time-$size.txt"
  /usr/bin/python3 -c "
import sys
w, h = map(int, '$size'.split('x')); mp = w * h / 1e6; s = float('$secs'); mb = int('$kb') / 1024
print('%-11s %7.2f MP  %8.1f s  %6.2f s/MP  peak RSS %7.0f MB' % ('$size', mp, s, s / mp, mb))"
done
