#!/bin/sh
# Reference outputs of `train`, `tune` and `analyze` on fixed seeds with tiny settings, reduced
# to a digest that is bitwise comparable between two builds:
#   tests/tools/session_refcheck.sh BUILD/app/repalign-cli OUT      -> OUT/digest.txt
#   diff before/digest.txt after/digest.txt                          (empty = identical)
# The digest holds the sha256 of every checkpoint file, metrics.csv without its wall_time
# column, and every dataset/attribute of predictivity.h5 and the analysis .h5 hashed by value
# (tests/tools/h5digest.c, built here with cc against HDF5). Wall times, timestamps and
# paths are left out by design. Takes a few minutes on two cores.
# DIGEST_ONLY=1 recomputes OUT/digest.txt from the files of an earlier run.
# REFCHECK_TRAIN_ARGS / REFCHECK_TUNE_ARGS: extra arguments for the train / tune commands, e.g.
# "--set optimization.first_step_lr=schedule" to hold a newer build to an older one's semantics.
set -eu
cli=$(readlink -f "$1")
out=$2
here=$(cd "$(dirname "$0")" && pwd)
# The runs happen in one fixed folder, so that the paths inside checkpoints (the tuning
# config names the base checkpoint and the bundle) are the same for every build; then they
# move to OUT.
work=/tmp/repalign-refcheck-work
final=$out
if [ "${DIGEST_ONLY:-0}" != 1 ]; then
rm -rf "$out" "$work"
mkdir -p "$out" "$work"
out=$work
fi
final=$(cd "$final" && pwd)
cc -O1 -I/usr/include/hdf5/serial "$here/h5digest.c" -L/usr/lib/x86_64-linux-gnu/hdf5/serial -lhdf5 -o "$out/h5digest"

if [ "${DIGEST_ONLY:-0}" != 1 ]; then
cat >"$out/train.yaml" <<EOF
system: {device: cpu, num_workers: 2, threads: 2}
dataset: shapes
data: {train: 'shapes:320:1', val: 'shapes:64:1'}
train_transforms: {resize: -1, random_crop: {size: 32, padding: 4}, horizontal_flip: True, norm_mean: [0.4914, 0.4822, 0.4465], norm_std: [0.2470, 0.2435, 0.2616]}
val_transforms: {resize: -1, random_crop: {}, horizontal_flip: False, norm_mean: [0.4914, 0.4822, 0.4465], norm_std: [0.2470, 0.2435, 0.2616]}
model: resnet18_cifar10
optimization: {epochs: 3, batch_size: 32, max_steps_per_epoch: 4, optimizer: sgd, optimizer_params: {lr: 0.02, momentum: 0.9, weight_decay: 0.0005, nesterov: True}, lr_scheduling: linear_warmup_cosine_decay, lr_scheduling_params: {warmup_start_lr: 0.001, base_lr: 0.02, warmup_steps: 0.5, max_steps: 3, eta_min: 0.0001}}
seed: 11
EOF
"$cli" train --config "$out/train.yaml" --out "$out/train" -q ${REFCHECK_TRAIN_ARGS:-} >"$out/train.txt"

"$cli" nsd synth --data shapes:160:11 --out "$out/vc.h5" --roi V4 --voxels 16 --val-fraction 0.25 --seed 3 -q >"$out/synth.txt"
cat >"$out/tune.yaml" <<EOF
base:
  checkpoint: $out/train/checkpoints/last.pt
bundle: $out/vc.h5
rois: [V4]
classification_val: "shapes:32:5"
system: {num_workers: 1, threads: 2}
optimization: {epochs: 3, batch_size: 32, max_steps_per_epoch: 2, optimizer_params: {lr: 0.001}}
seed: 5
EOF
"$cli" tune --config "$out/tune.yaml" --out "$out/tune" -q ${REFCHECK_TUNE_ARGS:-} >"$out/tune.txt"

"$cli" analyze --checkpoint "$out/tune/checkpoints/last.pt" --data shapes:48:3 --split test --layer layer4 --k 3 \
    --lpips-weights random:0 --max-images 48 --threads 2 --out "$out/analysis.h5" --quiet >"$out/analyze.txt"
mv "$work"/* "$final"/
rmdir "$work"
fi
out=$final

{
    for run in train tune; do
        echo "== $run: checkpoints"
        (cd "$out/$run/checkpoints" && sha256sum ./*.pt)
        echo "== $run: metrics.csv without wall_time"
        cut -d, -f1,2,4- "$out/$run/metrics.csv"
        echo "== $run: status"
        grep -E '"(state|epoch|step|steps|best_epoch|val_acc|best_val_acc)"' "$out/$run/status.json"
    done
    echo "== tune: predictivity.h5"
    "$out/h5digest" "$out/tune/predictivity.h5" | grep -v '@bundle'
    echo "== analysis.h5"
    "$out/h5digest" "$out/analysis.h5" | grep -vE '@(checkpoint|created|data|versions|source)'
} >"$out/digest.txt"
echo "digest: $out/digest.txt ($(wc -l <"$out/digest.txt") lines)"
