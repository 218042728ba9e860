#!/bin/sh
# Builds the default model's training pairs from the 'train' photo pool, in GT-RAIN's layout
# (SCENE/SCENE-Webcam-C-000.png, SCENE-Webcam-R-00N.png):
#   WORKDIR/gt   29 scenes, one per 'train' photo, 9 frames each: the clean photo; the clean photo as a "rainy" frame
#                (leave a clear photo alone); the light, medium, heavy and storm presets; a downpour veil; slanted
#                defocused heavy rain; slanted light streaks with no veil.
#   WORKDIR/gt2  gt's scenes plus 29 more made from the same photos, each then treated as a clean photo with the same
#                9 frames: 15 photos turned grey, 7 flattened toward mid-grey and 7 toward a bright level by a
#                streak-free veil (photos with low contrast of their own, which are not veiled).
# usage: tools/make_training_data.sh WORKDIR PHOTOS_DIR   (PHOTOS_DIR: output of ../shared/data/fetch-photos.sh;
#        needs Debian's python3-pil for the grey photos). Existing outputs are kept.
set -eu
cd "$(dirname "$0")/.."
work=$1; photos=$2

# the 9 frames of every photo in $1 into scenes under $2 ($3: seed offset)
scenes() {
  src=$1; out=$2; s=$3; v=0
  for args in "--preset light" "--preset medium" "--preset heavy" "--preset storm" \
    "--preset storm --transmission 0.5 --atmospheric-light 0.9 --angle 20" \
    "--preset heavy --angle -25 --defocus 2" "--preset light --transmission 1 --angle 15"; do
    v=$((v + 1))
    # shellcheck disable=SC2086
    bin/derain synth --clean "$src" --out "$out.v$v" --max-size 768 $args --seed $((s + v)) >/dev/null 2>&1
  done
  for f in "$out.v1"/clean/*.png; do
    n=$(basename "$f" .png); mkdir -p "$out/$n"
    ln -sf "$f" "$out/$n/$n-Webcam-C-000.png"; ln -sf "$f" "$out/$n/$n-Webcam-R-000.png"
    for v in 1 2 3 4 5 6 7; do ln -sf "$out.v$v/rainy/$n.png" "$out/$n/$n-Webcam-R-00$v.png"; done
  done
}

mkdir -p "$work"
work=$(cd "$work" && pwd)
scenes "$photos/train" "$work/gt" 10

# low-contrast photos that are not veiled: every 4th photo from the first flattened toward mid-grey, every 4th from
# the second toward a bright level, the other half grey
mkdir -p "$work/low/grey" "$work/low/mid" "$work/low/bright" "$work/low/base"
i=0
for f in "$photos/train"/*; do
  n=$(basename "$f"); n=${n%.*}
  case $((i % 4)) in
    0|2) [ -f "$work/low/grey/$n.png" ] || /usr/bin/python3 -c "import sys; from PIL import Image; im = Image.open(sys.argv[1]).convert('L'); im.thumbnail((768, 768)); im.convert('RGB').save(sys.argv[2])" "$f" "$work/low/grey/$n.png" ;;
    1) cp "$f" "$work/low/mid/" ;;
    3) cp "$f" "$work/low/bright/" ;;
  esac
  i=$((i + 1))
done
bin/derain synth --clean "$work/low/mid" --out "$work/low/flatmid" --density 0 --transmission 0.65 \
  --atmospheric-light 0.55 --max-size 768 --seed 21 >/dev/null 2>&1
bin/derain synth --clean "$work/low/bright" --out "$work/low/flatbright" --density 0 --transmission 0.7 \
  --atmospheric-light 0.85 --max-size 768 --seed 22 >/dev/null 2>&1
for f in "$work/low/grey"/*.png; do ln -sf "$f" "$work/low/base/grey-$(basename "$f")"; done
for f in "$work/low/flatmid/rainy"/*.png "$work/low/flatbright/rainy"/*.png; do
  ln -sf "$f" "$work/low/base/flat-$(basename "$f")"
done
scenes "$work/low/base" "$work/low/gt" 30
mkdir -p "$work/gt2"
for d in "$work/gt"/* "$work/low/gt"/*; do ln -sfn "$d" "$work/gt2/$(basename "$d")"; done
echo "$(ls "$work/gt" | wc -l) scenes in $work/gt, $(ls "$work/gt2" | wc -l) in $work/gt2"
