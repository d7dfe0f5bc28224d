#!/usr/bin/env bash
# The class-offset study of docs/results.md ("Learning the class offsets"):
# the short-budget grid (12 epochs, batch 128…8192, 5 seeds, lr 1e-3, MLP
# 784-256-10) with ce, hs and hs-offset in one folder per dataset, and the
# calibrated accuracy after every epoch (post-hoc calibrated hs). Resumable.
#
# Usage: scripts/offsets.sh [dataset...]   (default: fashion-mnist mnist)
#   env: DIR (results/study), TRAIN (bin/train)
set -euo pipefail

DIR=${DIR:-results/study}
TRAIN=${TRAIN:-bin/train}
datasets=("$@")
[ ${#datasets[@]} -gt 0 ] || datasets=(fashion-mnist mnist)
for ds in "${datasets[@]}"; do
  "$TRAIN" -quiet -data data -train-subset 0 -model mlp -hidden 256 -lr 1e-3 -epochs 12 -seeds 5 \
    -dataset "$ds" -loss ce,hs,hs-offset -batch 128,256,512,1024,2048,4096,8192 -calibrate \
    -out "$DIR/$ds-offsets"
done
