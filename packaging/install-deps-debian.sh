#!/usr/bin/env bash
# Installs the Debian packages RepAlign Workbench needs to build, test and run.
# Idempotent: installs only what is missing, runs `apt-get update` at most once.
set -euo pipefail

PACKAGES=(
  # toolchain
  build-essential cmake ninja-build ccache pkg-config
  # Qt 6 (widgets, svg, printing, tools, translations)
  qt6-base-dev qt6-tools-dev qt6-tools-dev-tools qt6-l10n-tools qt6-svg-dev
  libqcustomplot-dev
  # numerics and I/O
  libtorch-dev libopencv-dev libhdf5-dev libyaml-cpp-dev libboost-math-dev libcli11-dev
  libmatio-dev libnifti2-dev libniftiio-dev zlib1g-dev libbenchmark-dev
  # fuzzing (clang + libFuzzer runtime)
  clang libclang-rt-14-dev
  # tests, screenshots, packaging validation
  xvfb xauth imagemagick librsvg2-bin desktop-file-utils appstream file dpkg-dev
  # demo data
  dataset-fashion-mnist
)

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "install-deps-debian.sh: not root and sudo is missing; install these packages: ${PACKAGES[*]}" >&2
    exit 1
  fi
fi

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps-debian.sh: all ${#PACKAGES[@]} packages present"
  exit 0
fi

echo "install-deps-debian.sh: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
