#!/usr/bin/env bash
# Builds the inference firmware (issue 4 section 3) with Debian's clang and lld into
# device-sim/firmware/build/: har-fw.elf (committed) and SOURCES.sha256 (committed: the hash of
# every source file and of the flags below). Deterministic: fixed flags, no debug info, sources
# compiled in a fixed order from paths relative to this folder (no -g: no paths in the image).
# Usage: bash device-sim/firmware/build.sh [--check]   (--check: build into a temp dir and
# compare with the committed image and hash; exit 1 if they differ)
set -euo pipefail
cd "$(dirname "$0")"

CC=${CC:-clang}
LD=${LD:-ld.lld}
CFLAGS=(--target=riscv32-unknown-elf -march=rv32imc -mabi=ilp32 -mno-relax -ffreestanding -nostdlib
  -fno-common -fno-pic -ffunction-sections -fdata-sections -O3 -g0 -std=c11 -Wall -Wextra -Werror
  -Wno-unused-function -Iinclude)
LDFLAGS=(-m elf32lriscv --gc-sections -T link.ld --no-relax --build-id=none)
SOURCES=(src/crt0.S src/main.c src/devices.c src/libc.c src/crc32.c src/model.c src/network.c src/prepare.c
  src/kernels_ref.c src/kernels_simd.c src/pool_simd.c)

out=build
if [[ "${1:-}" == "--check" ]]; then out=$(mktemp -d); trap 'rm -rf "$out"' EXIT; fi
mkdir -p "$out/obj"

objs=()
for src in "${SOURCES[@]}"; do
  obj="$out/obj/$(basename "${src%.*}").o"
  "$CC" "${CFLAGS[@]}" -c "$src" -o "$obj"
  objs+=("$obj")
done
"$LD" "${LDFLAGS[@]}" "${objs[@]}" -o "$out/har-fw.elf"

# The hash covers the flags, the linker script, this script and every header and source.
{
  printf 'CFLAGS %s\nLDFLAGS %s\n' "${CFLAGS[*]}" "${LDFLAGS[*]}"
  sha256sum build.sh link.ld include/*.h "${SOURCES[@]}"
} | sha256sum | sed 's/ .*//' > "$out/SOURCES.sha256"

if [[ "$out" != build ]]; then
  cmp build/har-fw.elf "$out/har-fw.elf" && cmp build/SOURCES.sha256 "$out/SOURCES.sha256" && echo "firmware: committed image is up to date"
else
  echo "firmware: build/har-fw.elf ($(stat -c %s build/har-fw.elf) bytes), sources $(cat build/SOURCES.sha256)"
fi
