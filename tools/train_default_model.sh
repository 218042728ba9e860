#!/bin/sh
# Reproduces models/default: the data, the training run and the held-out evaluation (see MODEL_CARD.md).
# usage: tools/train_default_model.sh WORKDIR [PHOTOS_DIR]
#   PHOTOS_DIR: the output of ../shared/data/fetch-photos.sh (photos from Debian packages, with licences);
#   fetched into WORKDIR/photos when not given. Takes about 2 h 20 min on 2 CPU cores.
set -eu
cd "$(dirname "$0")/.."
work=$1
photos=${2:-$work/photos}
[ -d "$photos/train" ] || sh ../shared/data/fetch-photos.sh "$photos"

# 1. Rainy/clean pairs: the 'train' pool for training (and validation, by scene), the 'extra' pool held out.
bin/derain synth --clean "$photos/train" --out "$work/train" --max-size 768 --seed 1
bin/derain synth --clean "$photos/extra" --out "$work/heldout" --max-size 768 --seed 1000

# 2. Training in three stages (as it was done: the wall-clock budget of the sessions set the lengths).
# Stage 1: GT-RAIN's loss weights (MS-SSIM 1, L1 0.1, rain-robust 0.1), a 15-epoch cosine schedule stopped after
# epoch 6; its model folder keeps the best validation epoch (5).
bin/derain train --rainy "$work/train/rainy" --clean "$work/train/clean" --out "$work/model-stage1" \
  --ngf 16 --blocks 4 --activation leaky --norm batch --init normal \
  --patch 164 --batch 4 --lr 5e-4 --min-lr 1e-6 --epochs 15 --warmup-epochs 1 --steps-per-epoch 100 \
  --val-fraction 0.1 --seed 2026 --device cpu &
pid=$!
until [ "$(grep -c '^6,' "$work/model-stage1/training-log.csv" 2>/dev/null)" = 1 ]; do
  kill -0 $pid 2>/dev/null || break; sleep 5
done
kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true
# Stage 2: fine-tune with a 10x stronger L1 term; MS-SSIM does not see a global brightness/colour offset, and
# stage 1 left one (its outputs were ~0.05 too dark on average).
bin/derain train --rainy "$work/train/rainy" --clean "$work/train/clean" --out "$work/model-stage2" \
  --init-model "$work/model-stage1" \
  --patch 164 --batch 4 --lr 3e-4 --min-lr 1e-6 --epochs 10 --warmup-epochs 0 --steps-per-epoch 100 \
  --ssim-weight 1 --l1-weight 1 --robust-weight 0.1 \
  --val-fraction 0.1 --seed 2026 --device cpu
# Stage 3: fine-tune with frozen BatchNorm statistics (stage 2's running averages), i.e. the network is trained
# exactly as it is run; with batch statistics, batches of 4 small patches made the eval-mode output swing by
# several dB from epoch to epoch. No extra rain layers (the held-out rain is the synthesizer's medium preset), L1
# weight 2 against the too-dark, too-smooth output of stage 2. A 25-epoch schedule stopped after epoch 17 (the
# process's memory had grown to the machine's 24 GB); its model folder keeps the best validation epoch (17).
bin/derain train --rainy "$work/train/rainy" --clean "$work/train/clean" --out "$work/model-default" \
  --init-model "$work/model-stage2" --freeze-bn true --rain-probability 0 \
  --patch 164 --batch 4 --lr 1e-4 --min-lr 1e-6 --epochs 25 --warmup-epochs 0 --steps-per-epoch 100 \
  --ssim-weight 1 --l1-weight 2 --robust-weight 0.1 \
  --val-fraction 0.1 --seed 2026 --device cpu &
pid=$!
until [ "$(grep -c '^17,' "$work/model-default/training-log.csv" 2>/dev/null)" = 1 ]; do
  kill -0 $pid 2>/dev/null || break; sleep 5
done
kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true

# 3. Held-out photos (never seen in training): the rainy input and the derained output against the clean photo.
bin/derain run --model "$work/model-default" --out "$work/heldout-derained" --overwrite "$work"/heldout/rainy/*.png
bin/derain eval --pred "$work/heldout/rainy" --ref "$work/heldout/clean" --csv "$work/heldout-rainy.csv" --overwrite
bin/derain eval --pred "$work/heldout-derained" --ref "$work/heldout/clean" --csv "$work/heldout-derained.csv" --overwrite
