#!/usr/bin/env python3
"""Fixtures of tests/test_behaviour.cpp for calibration, CIFAR-10H metrics and McNemar
(run with Debian's python3-numpy and python3-scipy; the test itself needs no Python).

Writes, in CIFAR-10H's published formats:
  metrics_probs.npy    float64 [N,10]  a model's softmax (seeded random logits)
  metrics_labels.npy   int64 [N]       true labels
  metrics_counts.npy   int64 [N,10]    human counts per image (as cifar10h-counts.npy)
  metrics_hprobs.npy   float64 [N,10]  counts / row sums (as cifar10h-probs.npy)
  metrics_raw.csv      cifar10h-raw.csv columns, attention checks included (-99999)
  metrics_expected.txt the metrics computed here with numpy (independently of the C++ code)
  mcnemar_expected.txt b, c, statistic, p from scipy.stats (exact binomial below 25
                       discordant pairs, chi-square with continuity correction otherwise)
"""
import os

import numpy as np
from scipy import stats

HERE = os.path.dirname(os.path.abspath(__file__))
N, K = 40, 10


def softmax(z):
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def main():
    rng = np.random.default_rng(21)
    labels = rng.integers(0, K, N).astype(np.int64)
    logits = rng.normal(0, 2.0, (N, K))
    logits[np.arange(N), labels] += rng.uniform(0, 6.0, N)  # most right, some wrong
    probs = softmax(logits)
    # Human counts: mostly the true label, some confusions; 45..55 annotators per image.
    counts = np.zeros((N, K), dtype=np.int64)
    for i in range(N):
        total = int(rng.integers(45, 56))
        p = np.full(K, 0.02)
        p[labels[i]] = 6.0 if i % 3 else 0.4  # every third image is human-hard
        p[(labels[i] + 1) % K] += 0.0 if i % 3 else 0.4
        p /= p.sum()
        counts[i] = rng.multinomial(total, p)
    hprobs = counts / counts.sum(axis=1, keepdims=True)
    np.save(os.path.join(HERE, "metrics_probs.npy"), probs)
    np.save(os.path.join(HERE, "metrics_labels.npy"), labels)
    np.save(os.path.join(HERE, "metrics_counts.npy"), counts)
    np.save(os.path.join(HERE, "metrics_hprobs.npy"), hprobs)

    pred = probs.argmax(axis=1)
    correct = (pred == labels).astype(float)
    conf = probs.max(axis=1)
    # Calibration (Guo et al.): 15 bins (lower, upper].
    edges = np.linspace(0, 1, 16)
    ece = 0.0
    bin_count = []
    for lo, hi in zip(edges[:-1], edges[1:]):
        m = (conf > lo) & (conf <= hi)
        bin_count.append(int(m.sum()))
        if m.any():
            ece += m.mean() * abs(correct[m].mean() - conf[m].mean())
    nll = -np.log(probs[np.arange(N), labels]).mean()
    onehot = np.eye(K)[labels]
    brier = ((probs - onehot) ** 2).sum(axis=1).mean()
    # Human metrics.
    logp = np.log(probs)
    ce = -(hprobs * logp).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        ent = -np.where(hprobs > 0, hprobs * np.log(hprobs), 0.0).sum(axis=1)
    kl = (ce - ent).mean()
    majority = hprobs.argmax(axis=1)
    agreement = (pred == majority).mean()
    hacc = hprobs[np.arange(N), labels]
    hard = hacc < 0.9
    hard_acc = correct[hard].mean()
    # Error consistency vs the expected observer (Geirhos et al. 2020).
    c_obs = (correct * hacc + (1 - correct) * (1 - hacc)).mean()
    pm, ph = correct.mean(), hacc.mean()
    c_exp = pm * ph + (1 - pm) * (1 - ph)
    kappa_expected = (c_obs - c_exp) / (1 - c_exp)

    # Raw trials: 6 annotators, each sees 30 random images once (choice drawn from the image's
    # human distribution), plus 2 attention checks each; annotator ids 100..105.
    rows = []
    kappas = {}
    for a in range(6):
        aid = 100 + a
        seen = rng.choice(N, 30, replace=False)
        trial = 0
        hm, mm = [], []
        for img in seen:
            chosen = int(rng.choice(K, p=hprobs[img]))
            rows.append((aid, trial, 0, int(labels[img]), chosen, int(chosen == labels[img]), int(img), 1234 + trial))
            hm.append(chosen == labels[img])
            mm.append(correct[img] == 1)
            trial += 1
            if trial in (7, 19):
                rows.append((aid, trial, 1, 3, 3, 1, -99999, 900))
                trial += 1
        hm, mm = np.array(hm, float), np.array(mm, float)
        obs = (hm == mm).mean()
        p1, p2 = mm.mean(), hm.mean()
        exp = p1 * p2 + (1 - p1) * (1 - p2)
        if exp != 1.0:
            kappas[aid] = (obs - exp) / (1 - exp)
    with open(os.path.join(HERE, "metrics_raw.csv"), "w") as f:
        f.write("annotator_id,trial_index,is_attn_check,true_label,chosen_label,correct_guess,cifar10_test_set_idx,reaction_time\n")
        for r in rows:
            f.write(",".join(str(v) for v in r) + "\n")
    with open(os.path.join(HERE, "metrics_expected.txt"), "w") as f:
        f.write("# computed by make_metrics_fixture.py with numpy %s\n" % np.__version__)
        for name, v in [("ece", ece), ("nll", nll), ("brier", brier), ("cross_entropy", ce.mean()), ("kl", kl),
                        ("agreement", agreement), ("hard_accuracy", hard_acc), ("hard_images", hard.sum()),
                        ("kappa_expected", kappa_expected), ("kappa_median", np.median(list(kappas.values()))),
                        ("accuracy", correct.mean())]:
            f.write("%s %.17g\n" % (name, v))
        f.write("bin_count %s\n" % " ".join(str(c) for c in bin_count))
        f.write("kappa_annotators %s\n" % " ".join("%d:%.17g" % (k, v) for k, v in sorted(kappas.items())))
        f.write("confusion_human %s\n" % " ".join(str(int(v)) for v in
                                                  np.array([counts[labels == t].sum(axis=0) for t in range(K)]).ravel()))

    with open(os.path.join(HERE, "mcnemar_expected.txt"), "w") as f:
        f.write("# b c statistic p (scipy %s: binomtest two-sided below 25 discordant pairs, else chi2.sf of "
                "(|b-c|-1)^2/(b+c), 1 df)\n" % __import__("scipy").__version__)
        for b, c in [(0, 0), (1, 0), (3, 9), (12, 12), (5, 19), (12, 13), (40, 25), (100, 140), (1000, 1100)]:
            n = b + c
            if n < 25:
                stat = min(b, c)
                p = 1.0 if n == 0 else stats.binomtest(min(b, c), n, 0.5).pvalue
            else:
                stat = (abs(b - c) - 1) ** 2 / n
                p = stats.chi2.sf(stat, 1)
            f.write("%d %d %.17g %.17g\n" % (b, c, stat, p))


if __name__ == "__main__":
    main()
