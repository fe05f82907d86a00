#!/usr/bin/env bash
# Installs the system packages the build needs. Safe to run again: apt-get
# skips what is already installed, and the update is skipped when every
# package is present.
set -euo pipefail
packages=(
  build-essential cmake pkg-config
  libprotobuf-dev protobuf-compiler
  libgoogle-glog-dev libgflags-dev
  liblmdb-dev libleveldb-dev libsnappy-dev
  libopencv-core-dev libopencv-imgproc-dev libopencv-imgcodecs-dev
  # The data path decodes JPEG with libjpeg-turbo directly.
  libjpeg62-turbo-dev
  libopenblas-dev libboost-dev libhdf5-dev
  pybind11-dev libgtest-dev python3-dev procps
  graphviz
  # The policy search's multi-machine test starts a real PostgreSQL server.
  postgresql
  # oneDNN, the default engine of the float layers (docs/engine.md); the
  # build falls back to the reference path without it.
  libdnnl-dev
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
