#!/usr/bin/env bash
# Installs the Debian packages RepAlign Workbench needs to build, test and run.
# Idempotent: installs only what is missing, runs `apt-get update` at most once.
set -euo pipefail

PACKAGES=(
  # toolchain
  build-essential cmake ninja-build ccache pkg-config
  # style check in CI (clang-format --dry-run --Werror over every source file)
  clang-format
  # Qt 6 (widgets, svg, printing, tools, translations)
  qt6-base-dev qt6-tools-dev qt6-tools-dev-tools qt6-l10n-tools qt6-svg-dev
  libqcustomplot-dev
  # numerics and I/O
  # OpenBLAS: LibTorch's CPU matmul goes through libblas.so.3, which is netlib's reference
  # BLAS unless OpenBLAS provides it (the ridge probe runs about 3x faster)
  libopenblas0-pthread
  libtorch-dev libopencv-dev libhdf5-dev libyaml-cpp-dev libboost-math-dev libcli11-dev
  # data-parallel training: torch.distributed's ProcessGroupGloo.hpp includes gloo's headers
  libgloo-dev
  libmatio-dev libnifti2-dev libniftiio-dev zlib1g-dev libbenchmark-dev
  # CIFAR-10-C generation (corrupt): ImageMagick's motion blur through Magick++, libjpeg as Pillow's
  libmagick++-dev libjpeg-dev
  # fuzzing (clang + libFuzzer runtime)
  clang libclang-rt-14-dev
  # tests, screenshots, packaging validation
  xvfb xauth imagemagick librsvg2-bin desktop-file-utils appstream file dpkg-dev
  # demo data
  dataset-fashion-mnist
  # studies on SLURM: test_slurm starts a single-node cluster (tests/slurm_cluster.*)
  slurm-wlm munge
  # human psychophysics: jsPsych 8 from npm for the exported web experiment (resources/psych),
  # headless Chromium for its browser test (tests/test_psych_browser.cpp)
  nodejs chromium
)
# Debian's npm, unless an npm is already there (NodeSource's nodejs ships its own and
# conflicts with Debian's npm package)
command -v npm >/dev/null 2>&1 || PACKAGES+=(npm)

# Only to regenerate the committed test fixtures (tests/data/*/make_*.py write them with PyTorch,
# torchvision and Pillow; tests/tools/check_h5py.py opens the .h5 outputs with h5py); the build
# and the tests never run Python:
#   packaging/install-deps-debian.sh --fixtures
if [ "${1:-}" = "--fixtures" ]; then
  PACKAGES+=(python3-torch python3-torchvision python3-pil python3-h5py python3-scipy python3-skimage python3-wand python3-opencv)
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "install-deps-debian.sh: not root and sudo is missing; install these packages: ${PACKAGES[*]}" >&2
    exit 1
  fi
fi

# libblas.so.3 / liblapack.so.3 are update-alternatives links. OpenBLAS has the higher priority,
# so in automatic mode it wins on install; a link set by hand to the reference BLAS is moved to
# OpenBLAS (OPENBLAS_CORETYPE and other OpenBLAS settings in the environment are left alone).
use_openblas() {
  local arch lib alt target current
  arch=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || gcc -print-multiarch 2>/dev/null || echo x86_64-linux-gnu)
  for lib in libblas.so.3 liblapack.so.3; do
    alt="$lib-$arch"
    target="/usr/lib/$arch/openblas-pthread/$lib"
    [ -e "$target" ] || continue
    current=$(update-alternatives --query "$alt" 2>/dev/null | sed -n 's/^Value: //p' || true)
    if [ "$current" != "$target" ]; then
      echo "install-deps-debian.sh: $alt -> $target (was ${current:-unset})"
      $SUDO update-alternatives --set "$alt" "$target"
    fi
  done
}

# jsPsych and its plugins (and playwright-core for the browser test), pinned by
# resources/psych/package-lock.json; `psych export` copies them into each experiment.
psych_runtime() {
  local dir
  dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/resources/psych"
  if [ -f "$dir/package-lock.json" ] && [ ! -f "$dir/node_modules/jspsych/package.json" ]; then
    echo "install-deps-debian.sh: npm ci in $dir"
    (cd "$dir" && npm ci --no-audit --no-fund)
  fi
}

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps-debian.sh: all ${#PACKAGES[@]} packages present"
  use_openblas
  psych_runtime
  exit 0
fi

echo "install-deps-debian.sh: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
use_openblas
psych_runtime
