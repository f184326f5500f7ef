"""Unit tests of the packing, requantization, artifact round trip and integer simulation.
Run: /usr/bin/python3 -m unittest discover -s models/train/tests -t models/train"""
from __future__ import annotations

import sys
import unittest
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import harm  # noqa: E402
from harm import AVGPOOL1D, CONV1D, GLOBALAVGPOOL, LINEAR, MAXPOOL1D, IntLayer, IntModel, Stage  # noqa: E402
from intsim import THRESHOLD_FULL, class_and_margin, decide, quantize_input, requantize, run_stages  # noqa: E402
from quant import choose_mul_shift  # noqa: E402


def conv(rng, in_ch, in_len, out_ch, k, wbits, in_bits=8, in_signed=0, out_bits=8, dil=1, stride=1, pad=(1, 1)):
    lo, hi = -(1 << (wbits - 1)), (1 << (wbits - 1)) - 1
    out_len = harm.conv_out_len(in_len, k, stride, dil, *pad)
    return IntLayer(CONV1D, in_bits, in_signed, out_bits, 0, wbits, k, stride, dil, pad[0], pad[1], in_ch, in_len, out_ch, out_len,
                    weights=rng.integers(lo, hi + 1, size=(out_ch, k * in_ch)), bias=rng.integers(-3000, 3000, size=out_ch),
                    mul=rng.integers(1, 32768, size=out_ch), shift=rng.integers(14, 24, size=out_ch))


def pool(kind, ch, in_len, bits, k):
    out_len = 1 if kind == GLOBALAVGPOOL else (in_len - k) // k + 1
    return IntLayer(kind, bits, 0, bits, 0, 0, 0 if kind == GLOBALAVGPOOL else k, k if kind != GLOBALAVGPOOL else 1, 1, 0, 0,
                    ch, in_len, ch, out_len)


def linear(rng, in_ch, in_len, classes, wbits, in_bits):
    lo, hi = -(1 << (wbits - 1)), (1 << (wbits - 1)) - 1
    return IntLayer(LINEAR, in_bits, 0, 16, 1, wbits, 1, 1, 1, 0, 0, in_ch, in_len, classes, 1,
                    weights=rng.integers(lo, hi + 1, size=(classes, in_len * in_ch)), bias=rng.integers(-500, 500, size=classes),
                    mul=rng.integers(1, 32768, size=classes), shift=rng.integers(8, 16, size=classes))


def early_exit_model(seed=0) -> IntModel:
    rng = np.random.default_rng(seed)
    l0 = conv(rng, 6, 32, 8, 3, 8, in_bits=8, in_signed=1, out_bits=4)
    l1 = pool(MAXPOOL1D, 8, 32, 4, 2)
    l2 = conv(rng, 8, 16, 12, 5, 2, in_bits=4, out_bits=8, dil=2, pad=(4, 4))
    h0 = pool(GLOBALAVGPOOL, 12, 16, 8, 0)
    h1 = linear(rng, 12, 1, 5, 8, 8)
    l3 = conv(rng, 12, 16, 10, 3, 4, in_bits=8, out_bits=2, stride=2, pad=(1, 1))
    l4 = pool(AVGPOOL1D, 10, l3.out_len, 2, 2)
    h2 = linear(rng, 10, l4.out_len, 5, 4, 2)  # flattened linear over time steps
    return IntModel(6, 32, 5, [Stage(0, 0, 3, 2), Stage(1, 5, 2, 1)], [l0, l1, l2, h0, h1, l3, l4, h2])


def naive_layer(layer: IntLayer, x: list[list[int]]) -> list[list[int]]:
    """Straight from ARITHMETIC.md §3-4 with Python integers."""
    def rq(acc, o):
        m, s = int(layer.mul[o]), int(layer.shift[o])
        r = (acc * m + ((1 << (s - 1)) if s > 0 else 0)) >> s
        lo, hi = ((-(1 << (layer.out_bits - 1)), (1 << (layer.out_bits - 1)) - 1) if layer.out_signed else (0, (1 << layer.out_bits) - 1))
        return min(max(r, lo), hi)
    if layer.kind == CONV1D:
        out = []
        for t in range(layer.out_len):
            row = []
            for o in range(layer.out_ch):
                acc = int(layer.bias[o])
                for k in range(layer.kernel):
                    i = t * layer.stride + k * layer.dilation - layer.pad_left
                    if 0 <= i < layer.in_len:
                        for c in range(layer.in_ch):
                            acc += x[i][c] * int(layer.weights[o][k * layer.in_ch + c])
                row.append(rq(acc, o))
            out.append(row)
        return out
    if layer.kind == LINEAR:
        flat = [v for r in x for v in r]
        return [[rq(int(layer.bias[o]) + sum(a * int(w) for a, w in zip(flat, layer.weights[o])), o) for o in range(layer.out_ch)]]
    if layer.kind == GLOBALAVGPOOL:
        return [[(sum(x[t][c] for t in range(layer.in_len)) + layer.in_len // 2) // layer.in_len for c in range(layer.in_ch)]]
    out = []
    for t in range(layer.out_len):
        win = [x[t * layer.stride + k] for k in range(layer.kernel)]
        if layer.kind == MAXPOOL1D:
            out.append([max(w[c] for w in win) for c in range(layer.in_ch)])
        else:
            out.append([(sum(w[c] for w in win) + layer.kernel // 2) // layer.kernel for c in range(layer.in_ch)])
    return out


class PackingTest(unittest.TestCase):
    def test_known_bytes(self):
        # FORMAT.md: element 0 in the least significant bits
        self.assertEqual(harm.pack_rows(np.array([[1, -1]]), 4)[:1], bytes([0xF1]))
        self.assertEqual(harm.pack_rows(np.array([[1, -1, -2, 0]]), 2)[:1], bytes([0b00101101]))
        self.assertEqual(harm.pack_rows(np.array([[-128, 127, 5]]), 8), bytes([0x80, 0x7F, 0x05, 0x00]))

    def test_round_trip_and_row_padding(self):
        rng = np.random.default_rng(3)
        for bits in (2, 4, 8):
            w = rng.integers(-(1 << (bits - 1)), 1 << (bits - 1), size=(5, 13))
            data = harm.pack_rows(w, bits)
            self.assertEqual(len(data), 5 * harm.row_bytes(13, bits))
            self.assertTrue((harm.unpack_rows(data, 5, 13, bits) == w).all())

    def test_out_of_range_rejected(self):
        with self.assertRaises(harm.ArtifactError):
            harm.pack_rows(np.array([[2]]), 2)


class RequantTest(unittest.TestCase):
    def test_half_up(self):
        acc = np.array([1, -1, -3, 3, 5])
        r = requantize(acc, np.array(1), np.array(1), 16, 1)
        self.assertEqual(r.tolist(), [1, 0, -1, 2, 3])  # 0.5->1, -0.5->0, -1.5->-1, 1.5->2, 2.5->3

    def test_clamps(self):
        self.assertEqual(requantize(np.array([-50, 300]), np.array(1), np.array(0), 8, 0).tolist(), [0, 255])
        self.assertEqual(requantize(np.array([-50, 300]), np.array(1), np.array(0), 4, 0).tolist(), [0, 15])
        self.assertEqual(requantize(np.array([-40000, 40000]), np.array(1), np.array(0), 16, 1).tolist(), [-32768, 32767])

    def test_choose_mul_shift(self):
        for m in (1e-6, 0.0123, 0.5, 1.0, 3.7, 200.0):
            mul, shift = choose_mul_shift(m, 10_000)
            self.assertTrue(0 <= mul <= 32767 and 0 <= shift <= 46)
            self.assertLess(abs(mul / 2**shift - m) / m, 1e-4)
        mul, shift = choose_mul_shift(0.9, 2**40)
        self.assertLess(mul * 2**40, 2**46)
        with self.assertRaises(ValueError):
            choose_mul_shift(40000.0, 100)

    def test_input_quantization(self):
        q = quantize_input(np.array([[0.5, -0.5, 1e9, -1e9, 0.49]]), np.array([1.0]))
        self.assertEqual(q.tolist(), [[1, 0, 127, -128, 0]])


class ArtifactTest(unittest.TestCase):
    def test_round_trip(self):
        model = early_exit_model()
        meta = {"id": "t", "modes": []}
        data = harm.write_artifact(model, meta)
        self.assertEqual(len(data) % 4, 0)
        back = harm.read_artifact(data)
        self.assertEqual(back.metadata, meta)
        for a, b in zip(model.layers, back.layers):
            self.assertEqual(a.macs, b.macs)
            if a.has_params:
                self.assertTrue((a.weights == b.weights).all() and (a.bias == b.bias).all())
        self.assertEqual(harm.with_metadata(data, {"id": "u"})[32:1000], data[32:1000])

    def test_corruption_rejected(self):
        data = bytearray(harm.write_artifact(early_exit_model(), {"id": "t"}))
        for mutate, code in ((lambda d: d.__setitem__(200, d[200] ^ 1), "crc"),
                             (lambda d: d.__setitem__(0, 0), "magic")):
            d = bytearray(data)
            mutate(d)
            with self.assertRaises(harm.ArtifactError) as cm:
                harm.read_artifact(bytes(d))
            self.assertEqual(cm.exception.code, code)
        with self.assertRaises(harm.ArtifactError):
            harm.read_artifact(bytes(data[:-4]))

    def test_accumulator_bound_enforced(self):
        model = early_exit_model()
        model.layers[0].bias[0] = 2**31 - 10
        with self.assertRaises(harm.ArtifactError) as cm:
            harm.write_artifact(model, {})
        self.assertEqual(cm.exception.code, "accumulator_bound")


class SimulationTest(unittest.TestCase):
    def test_matches_naive_python(self):
        model = early_exit_model(1)
        rng = np.random.default_rng(2)
        x = rng.integers(-128, 128, size=(3, 32, 6))
        runs = run_stages(model, x, trace=True)
        for n in range(3):
            h = x[n].tolist()
            for j, layer in enumerate(model.layers[:5]):
                h = naive_layer(layer, h)
                if j == 2:
                    backbone = h
                self.assertEqual(np.array(h).tolist(), runs[0].layer_outputs[j][n].tolist(), f"layer {j}")
            h = backbone
            for j, layer in enumerate(model.layers[5:]):
                h = naive_layer(layer, h)
                self.assertEqual(np.array(h).tolist(), runs[1].layer_outputs[j][n].tolist(), f"layer {5 + j}")

    def test_decision(self):
        model = early_exit_model(4)
        runs = run_stages(model, np.random.default_rng(5).integers(-128, 128, size=(64, 32, 6)))
        _, m0 = class_and_margin(runs[0].scores)
        stop = decide(runs, 0)
        full = decide(runs, THRESHOLD_FULL)
        self.assertTrue((stop.exit_taken == 0).all() and (full.exit_taken == 1).all())
        self.assertTrue((full.macs == runs[0].macs + runs[1].macs).all())
        t = int(np.median(m0)) + 1
        mid = decide(runs, t)
        self.assertTrue(((mid.exit_taken == 1) == (m0 < t)).all())

    def test_margin_ties(self):
        cls, margin = class_and_margin(np.array([[3, 7, 7, 1], [5, 1, 2, 4]]))
        self.assertEqual(cls.tolist(), [1, 0])
        self.assertEqual(margin.tolist(), [0, 1])


if __name__ == "__main__":
    unittest.main()
