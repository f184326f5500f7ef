"""Accuracy, macro F1 and the confusion matrix of integer predictions."""
from __future__ import annotations

import numpy as np


def confusion(y_true: np.ndarray, y_pred: np.ndarray, classes: int) -> np.ndarray:
    """[true][predicted] counts."""
    m = np.zeros((classes, classes), dtype=np.int64)
    np.add.at(m, (y_true, y_pred), 1)
    return m


def accuracy(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    return float((y_true == y_pred).mean()) if y_true.size else 0.0


def macro_f1(y_true: np.ndarray, y_pred: np.ndarray, classes: int) -> float:
    """Mean F1 over the classes that occur in y_true or y_pred (F1 = 2TP / (2TP + FP + FN))."""
    m = confusion(y_true, y_pred, classes)
    tp = np.diag(m).astype(np.float64)
    fp = m.sum(axis=0) - tp
    fn = m.sum(axis=1) - tp
    present = (tp + fp + fn) > 0
    if not present.any():
        return 0.0
    f1 = np.where(present, 2 * tp / np.maximum(2 * tp + fp + fn, 1), 0.0)
    return float(f1[present].mean())


def rounded(v: float, digits: int = 6) -> float:
    """Measured figures are stored with 6 decimals (enough for thousands of windows)."""
    return float(round(v, digits))
