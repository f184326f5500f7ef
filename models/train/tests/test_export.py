"""The exported integer model computes what the quantization-aware network computes: same
weights, padding, pooling and rounding (only the 15-bit requantization factors differ)."""
from __future__ import annotations

import sys
import unittest
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import harm  # noqa: E402
from data import synthetic_windows  # noqa: E402
from export import assemble, harnet_stages  # noqa: E402
from fit import to_tensor  # noqa: E402
from intsim import quantize_input, run_stages  # noqa: E402
from net import SCORE_SCALE, ArchSpec, BlockSpec, HarNet  # noqa: E402


def exported(arch: ArchSpec, seed: int = 0):
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    x, _ = synthetic_windows(96, 6, rng)
    q = quantize_input(x, np.full(6, 0.02))
    net = HarNet(arch, 6, 6)
    # give batch norm non-trivial statistics, then fold and calibrate
    net.train()
    with torch.no_grad():
        net(to_tensor(q))
    net.fold_and_quantize(to_tensor(q))
    net.eval()
    model = assemble(harnet_stages(net, 6, 128, 6), 6, 128, 6)
    return net, model, q


class ExportFidelityTest(unittest.TestCase):
    def check(self, arch: ArchSpec):
        net, model, q = exported(arch)
        with torch.no_grad():
            logits = [l.numpy() / SCORE_SCALE for l in net(to_tensor(q))]
        runs = run_stages(model, q)
        self.assertEqual(len(runs), len(logits))
        for run, lg in zip(runs, logits):
            diff = np.abs(run.scores - lg)
            spread = np.abs(lg).max()
            # the same computation up to the M / 2^S approximation and float32 rounding of the QAT path
            worst = float(diff.max())
            self.assertLess(worst, 0.03 * spread + 2, f"max |int - QAT| {worst} score units vs scale {spread}")
            # wherever the top-2 gap exceeds twice the worst difference, both must pick the same class
            top2 = np.sort(lg, axis=1)[:, -2:]
            clear = (top2[:, 1] - top2[:, 0]) > 2 * worst
            self.assertGreater(int(clear.sum()), 0)
            self.assertTrue((run.scores.argmax(1)[clear] == lg.argmax(1)[clear]).all())

    def test_plain_8bit(self):
        self.check(ArchSpec(blocks=(BlockSpec(8, 5, pool="max2"), BlockSpec(12, 3, dil=2, pool="avg2"), BlockSpec(16, 3))))

    def test_mixed_precision_early_exit(self):
        self.check(ArchSpec(blocks=(BlockSpec(8, 7, pool="max4", wbits=4, abits=4), BlockSpec(12, 5, pool="max2", wbits=2, abits=2),
                                    BlockSpec(16, 3, wbits=8, abits=8)), head_wbits=4, exit_after=0, exit_wbits=2))

    def test_weight_layout(self):
        """FORMAT.md: conv weights [outCh][kernel][inCh]; torch keeps [out][in][k]."""
        net, model, _ = exported(ArchSpec(blocks=(BlockSpec(4, 3),)))
        w = net.blocks[0].conv.weight.detach()
        from quant import weight_scale
        s = weight_scale(w, 8)
        expected = torch.clamp(torch.floor(w / s[:, None, None] + 0.5), -127, 127).permute(0, 2, 1).reshape(4, -1)
        self.assertTrue((model.layers[0].weights == expected.numpy().astype(np.int64)).all())

    def test_written_artifact_simulates_the_same(self):
        _, model, q = exported(ArchSpec(blocks=(BlockSpec(6, 5, pool="max2", wbits=2, abits=4), BlockSpec(8, 3, wbits=4, abits=2))))
        back = harm.read_artifact(harm.write_artifact(model, {"id": "x"}))
        a = run_stages(model, q)[0].scores
        b = run_stages(back, q)[0].scores
        self.assertTrue((a == b).all())


if __name__ == "__main__":
    unittest.main()
