#!/bin/sh
# Reproduces models/default: the data, the training runs and the held-out evaluation (see MODEL_CARD.md).
# usage: tools/train_default_model.sh WORKDIR [PHOTOS_DIR]
#   PHOTOS_DIR: the output of ../shared/data/fetch-photos.sh (photos from Debian packages, with licences);
#   fetched into WORKDIR/photos when not given. Takes about 4 h 15 min on 2 CPU cores (10,000 steps at ~1 s, then
#   1,500 at ~1.7 s, then the evaluation). Both runs checkpoint every epoch: if this script is stopped, run it again
#   and each run resumes where it stopped (a finished run is not repeated).
# Needs Debian's python3-torch and python3-pil (the grey photos and tools/grow_blocks.py).
set -eu
cd "$(dirname "$0")/.."
mkdir -p "$1"
work=$(cd "$1" && pwd)
photos=${2:-$work/photos}
[ -d "$photos/train" ] || sh ../shared/data/fetch-photos.sh "$photos"

# 1. Training pairs in GT-RAIN's layout: $work/gt2 (58 scenes of 9 frames; see the script).
tools/make_training_data.sh "$work" "$photos"

# train OUT_DIR STEPS_DONE_MARKER ARGS...: a run of the shared recipe (frozen BatchNorm, MS-SSIM 0.5 + L1 1
# − 0.02·PSNR, no rain-robust term, batch 4 of 164² patches, 100 steps an epoch), resumed if it has a checkpoint,
# skipped if its last epoch is written.
train() {
  out=$1; epochs=$2; shift 2
  [ "$(grep -c "^$epochs," "$out/training-log.csv" 2>/dev/null)" = 1 ] && return 0
  resume=; [ -f "$out/checkpoint/state.json" ] && resume=--resume
  bin/derain train --gtrain "$work/gt2" --out "$out" --freeze-bn true --rotation-std 0 --rain-probability 0.2 \
    --patch 164 --batch 4 --min-lr 1e-6 --epochs "$epochs" --warmup-epochs 1 --steps-per-epoch 100 \
    --ssim-weight 0.5 --l1-weight 1 --robust-weight 0 --psnr-weight 0.02 --val-fraction 0 --device cpu $resume "$@"
}

# 2. Run long3: from the identity init, ngf 24, 4 blocks, lr 1e-4, a 100-epoch (10,000-step) cosine schedule, with
# a weight average (decay 0.999) that its model folder holds at the end.
train "$work/model-long3" 100 --init identity --ngf 24 --blocks 4 --lr 1e-4 --ema-decay 0.999 --seed 2026

# 3. Grow long3 to 8 blocks (the new ones start as the identity), then run g8: fine-tune 1,500 steps at lr 5e-5.
# The shipped model is g8's last step, fixed before it was scored; its folder is named "default", as model.json
# names the model after its folder (the shipped description was then written by hand).
if [ ! -f "$work/long3-g8/model.json" ]; then
  /usr/bin/python3 tools/grow_blocks.py "$work/model-long3" "$work/long3-g8.pth" --blocks 8
  bin/derain import-gtrain "$work/long3-g8.pth" --out "$work/long3-g8"
fi
train "$work/default" 15 --init-model "$work/long3-g8" --lr 5e-5 --seed 2027

# 4. Held-out evaluation at every preset, both conventions (the model card's table).
tools/eval_default_model.sh "$work/eval" "$work/default" "$photos"
