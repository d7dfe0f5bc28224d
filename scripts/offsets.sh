#!/usr/bin/env bash
# The class-offset study of docs/results.md (Part II): hs-offset, its
# offsets at 100 times the network's learning rate and then at the same,
# on the short-budget grid of results/study/<dataset> (12 epochs,
# batch 128…8192, 5 seeds, lr 1e-3, MLP 784-256-10, the same settings, so
# the same seeds give the same initial weights and batches), merged with
# that folder's ce, hs, hinge and mse runs into <dataset>-with-offsets; then
# ce and hs with calibrated offsets at the batch sizes the calibrated study
# lacks. Resumable: rerun to continue.
#
# Usage: scripts/offsets.sh [dataset...]   (default: fashion-mnist mnist)
#   env: DIR (results/study), TRAIN (bin/train)
set -euo pipefail

DIR=${DIR:-results/study}
TRAIN=${TRAIN:-bin/train}
common=(-quiet -data data -train-subset 0 -model mlp -hidden 256 -lr 1e-3 -epochs 12 -seeds 5)
datasets=("$@")
[ ${#datasets[@]} -gt 0 ] || datasets=(fashion-mnist mnist)
for ds in "${datasets[@]}"; do
  # the class offsets at 100 times the network's learning rate (-offset-lr)
  "$TRAIN" "${common[@]}" -dataset "$ds" -loss hs-offset -offset-lr 0.1 -batch 128,256,512,1024,2048,4096,8192 -out "$DIR/$ds-hs-offset-lr0.1"
done
for ds in "${datasets[@]}"; do
  # the offsets at the network's learning rate
  "$TRAIN" "${common[@]}" -dataset "$ds" -loss hs-offset -batch 128,256,512,1024,2048,4096,8192 -out "$DIR/$ds-hs-offset"
  "$TRAIN" merge -out "$DIR/$ds-with-offsets" "$DIR/$ds" "$DIR/$ds-hs-offset" > /dev/null
done
for ds in "${datasets[@]}"; do
  "$TRAIN" "${common[@]}" -dataset "$ds" -loss ce,hs -batch 128,256,512,1024,2048,4096,8192 -calibrate -out "$DIR/$ds-calibrated"
done
