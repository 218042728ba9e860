#!/bin/sh
# Held-out evaluation of a model at every rain preset (issue 10's table): the 'extra' pool of ../shared/data
# (13 photos never used in training), rain synthesized at light, medium, heavy and storm, derained with
# `bin/derain run`, scored with `bin/derain eval` in both conventions against the clean photos; the rainy input
# is scored too. Prints one line per preset and convention (means) and keeps per-photo CSVs in WORKDIR.
# usage: tools/eval_default_model.sh WORKDIR [MODEL] [PHOTOS_DIR]   (MODEL default: default; PHOTOS_DIR: the output
#   of ../shared/data/fetch-photos.sh, fetched into WORKDIR/photos when not given)
set -eu
cd "$(dirname "$0")/.."
work=$1
model=${2:-default}
photos=${3:-$work/photos}
[ -d "$photos/extra" ] || sh ../shared/data/fetch-photos.sh "$photos"
for preset in light medium heavy storm; do
	pairs="$work/heldout-$preset"
	bin/derain synth --clean "$photos/extra" --out "$pairs" --preset "$preset" --max-size 768 --seed 1000 >/dev/null
	out="$work/derained-$(basename "$model")-$preset"
	bin/derain run --model "$model" --out "$out" "$pairs"/rainy/*.png >/dev/null 2>&1 || true
	for convention in standard gtrain; do
		for what in rainy derained; do
			pred="$pairs/rainy"; [ "$what" = derained ] && pred=$out
			csv="$work/scores-$(basename "$model")-$preset-$convention-$what.csv"
			mean=$(bin/derain eval --pred "$pred" --ref "$pairs/clean" --convention "$convention" --csv "$csv" 2>&1 \
				| grep '^mean' || true)
			echo "$preset $convention $what: $mean"
		done
	done
done
