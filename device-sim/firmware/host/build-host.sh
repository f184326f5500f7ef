#!/usr/bin/env bash
# Builds the host harness (host/harness.c + the firmware's portable sources) with the host C
# compiler, and with more arguments the requantization-form check (host/rqcheck.c) and the
# pooling check (host/poolcheck.c):
# usage: bash device-sim/firmware/host/build-host.sh <harness-binary> [<rqcheck-binary> [<poolcheck-binary>]]
set -euo pipefail
cd "$(dirname "$0")/.."
"${HOST_CC:-cc}" -std=c11 -O2 -Wall -Wextra -Werror -Wno-unused-function -Ihost -Iinclude \
  host/harness.c src/crc32.c src/model.c src/network.c src/prepare.c src/kernels_ref.c src/kernels_simd.c src/pool_simd.c -o "$1"
if [[ -n "${2:-}" ]]; then
  "${HOST_CC:-cc}" -std=c11 -O2 -Wall -Wextra -Werror -Wno-unused-function -Ihost -Iinclude \
    host/rqcheck.c src/prepare.c src/kernels_ref.c src/kernels_simd.c src/pool_simd.c -o "$2"
fi
if [[ -n "${3:-}" ]]; then
  "${HOST_CC:-cc}" -std=c11 -O2 -Wall -Wextra -Werror -Wno-unused-function -Ihost -Iinclude \
    host/poolcheck.c src/kernels_ref.c src/kernels_simd.c src/pool_simd.c -o "$3"
fi
