#!/usr/bin/env bash
# Installs the optional system packages of the project on Debian/Ubuntu:
#   libopenblas-dev  OpenBLAS, for builds with `-tags openblas` (the fast
#                    BLAS path; the Makefile uses it when it is installed)
#   python3-torch    Debian's PyTorch, only for `make bench-peer`
# Neither is needed to build or test: the default build is pure Go.
# Usage: sudo scripts/setup-debian.sh [--no-torch]
set -euo pipefail

packages=(libopenblas-dev)
case "${1:-}" in
  "") packages+=(python3-torch) ;;
  --no-torch) ;;
  *) echo "usage: $0 [--no-torch]" >&2; exit 2 ;;
esac

if [ "$(id -u)" -ne 0 ]; then
  echo "setup-debian.sh: run as root (sudo $0)" >&2
  exit 1
fi
if ! command -v apt-get >/dev/null; then
  echo "setup-debian.sh: apt-get not found; install OpenBLAS with your package manager" >&2
  exit 1
fi

apt-get update
DEBIAN_FRONTEND=noninteractive apt-get install -y "${packages[@]}"

if ldconfig -p | grep -q libopenblas; then
  echo "OpenBLAS installed: make targets now build with -tags openblas."
else
  echo "setup-debian.sh: libopenblas not visible to ldconfig after install" >&2
  exit 1
fi
