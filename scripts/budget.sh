#!/usr/bin/env bash
# The paper-budget study (docs/results.md, "The paper's budget"): Fashion-
# MNIST, the MLP 784-256-10, the reference code's augmentation and last
# batch, Adam lr 1e-4 for 600 epochs, the calibrated accuracy every 10
# epochs. Each part of the grid is run as JOBS shards in parallel (one
# core each: two single-threaded processes train faster here than one
# with two threads), each shard into its own folder; the parts are then
# merged into $DIR/fashion-mnist. Rerunning resumes every shard.
#
# Usage: scripts/budget.sh [part...]   (default: every part, in order)
#   env: DIR (results/budget), JOBS (2), TRAIN (bin/train), EPOCHS (600)
set -euo pipefail

DIR=${DIR:-results/budget}
JOBS=${JOBS:-2}
TRAIN=${TRAIN:-bin/train}
EPOCHS=${EPOCHS:-600}
common=(-quiet -data data -dataset fashion-mnist -train-subset 0 -model mlp -hidden 256
  -lr 1e-4 -epochs "$EPOCHS" -seeds 3 -augment -keep-last -calibrate -calibrate-every 10)

# The parts, most important first; each is "name|flags". The required
# grid, then HS with its class offsets learned (at 100 times the network's
# learning rate: another setting, so make budget-report compares that part
# without merging it), then the paper's other baselines (brier is the
# reference code's "MSE"), then batch 1024.
parts=(
  "required|-loss ce,hs,hs-ref -batch 8192,128"
  "offset|-loss hs-offset -offset-lr 1e-2 -batch 8192,128"
  "baselines|-loss brier,hinge -batch 8192,128"
  "b1024|-loss ce,hs,hs-ref -batch 1024"
)

run_part() {
  local name=$1 flags=$2 pids=() i
  for ((i = 0; i < JOBS; i++)); do
    # shellcheck disable=SC2086 # flags is a word list
    GOMAXPROCS=1 OPENBLAS_NUM_THREADS=1 "$TRAIN" "${common[@]}" $flags \
      -shard "$i/$JOBS" -out "$DIR/parts/$name-$i" &
    pids+=($!)
  done
  local rc=0
  for pid in "${pids[@]}"; do wait "$pid" || rc=1; done
  return $rc
}

want=("$@")
for p in "${parts[@]}"; do
  name=${p%%|*}
  if [ ${#want[@]} -gt 0 ] && [[ ! " ${want[*]} " =~ " $name " ]]; then continue; fi
  echo "budget: part $name (${p#*|}), $JOBS shards" >&2
  run_part "$name" "${p#*|}" || exit 1
done
