"""Named architectures (ArchSpec) and the --bits parser."""
from __future__ import annotations

from net import ArchSpec, BlockSpec

PRESETS: dict[str, ArchSpec] = {
    # ~0.5 M MACs, ~11 kB of 8-bit weights
    "base": ArchSpec(blocks=(BlockSpec(16, 7, pool="max2"), BlockSpec(32, 5, pool="max2"),
                             BlockSpec(32, 5, pool="max2"), BlockSpec(48, 3))),
    # early exit after block 1 (the zoo's hapt6-ee-w8): stage 0 is ~1/5 of the full network's MACs
    "ee": ArchSpec(blocks=(BlockSpec(8, 5, pool="max4"), BlockSpec(16, 5, pool="max2"),
                           BlockSpec(48, 5), BlockSpec(64, 3, dil=2)), exit_after=1),
    "tiny": ArchSpec(blocks=(BlockSpec(8, 5, pool="max4"), BlockSpec(12, 5, pool="max2"), BlockSpec(16, 3))),
}


ALLOWED_BITS = (2, 4, 8)


def apply_bits(arch: ArchSpec, spec: str) -> ArchSpec:
    """'8' | '4' | '2' (every block w=a=b; heads keep 8-bit weights) or 'w/a,w/a,...[;head]'."""
    blocks_part, _, head_part = spec.partition(";")
    head = int(head_part) if head_part else 8
    values = [int(v) for v in blocks_part.replace("/", ",").split(",") if v] + [head]
    if any(v not in ALLOWED_BITS for v in values):
        raise ValueError(f"--bits {spec!r}: every width must be one of {ALLOWED_BITS} (models/FORMAT.md)")
    if "/" not in blocks_part:
        b = int(blocks_part)
        return arch.with_bits([b] * len(arch.blocks), [b] * len(arch.blocks), head, head)
    pairs = [tuple(int(v) for v in p.split("/")) for p in blocks_part.split(",")]
    if len(pairs) != len(arch.blocks):
        raise ValueError(f"--bits lists {len(pairs)} blocks, the architecture has {len(arch.blocks)}")
    return arch.with_bits([p[0] for p in pairs], [p[1] for p in pairs], head, head)
