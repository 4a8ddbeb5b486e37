#!/usr/bin/python3
"""Reference values for tests/test_psych.cpp (run with Debian python3-scipy: /usr/bin/python3 gen_reference.py > stats_reference.txt).

Spearman's rho and its two-sided p from scipy.stats.spearmanr, and Wilson score intervals
written out from the formula (Wilson 1927) in plain Python, independent of the C++ code.
Also writes jatos_results.zip: a JATOS 3.8-style results archive (deflated members
study_result_N/comp-result_M/data.txt holding jsPsych's JSON data)."""
import json
import math
import zipfile

import scipy.stats

x = [0.31, 0.12, 0.55, 0.55, 0.08, 0.91, 0.47, 0.29, 0.66, 0.12, 0.73, 0.40]
y = [0.9, 0.6, 0.7, 0.8, 0.5, 0.95, 0.55, 0.75, 0.85, 0.6, 0.65, 0.7]
r = scipy.stats.spearmanr(x, y)
print("array x", *x)
print("array y", *y)
print("value spearman_rho %.17g" % r.correlation)
print("value spearman_p %.17g" % r.pvalue)


def wilson(k, n, z=1.959963984540054):
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return max(0.0, centre - half), min(1.0, centre + half)


for k, n in [(8, 10), (0, 10), (10, 10), (37, 64), (1, 3)]:
    lo, hi = wilson(k, n)
    print("value wilson_%d_%d_low %.17g" % (k, n, lo))
    print("value wilson_%d_%d_high %.17g" % (k, n, hi))


def response(pid, trial, position, correct_side, response, confidence, rt):
    return {
        "rt": rt, "stimulus": "<p>How confident are you?</p>", "response": response,
        "task": "psych_response", "trial_type": "html-keyboard-response", "trial_index": 2 * position + 3,
        "time_elapsed": 1000 * position, "internal_node_id": "0.0-%d.0" % position, "participant": pid,
        "source": "jatos", "confidence_rt": 350, "confidence": confidence, "trial_id": trial, "position": position,
        "correct_side": correct_side, "correct": 1 if correct_side == response else 0, "practice": 0,
    }


# two study results; participant j1 answers t001..t003, j2 answers t001 and t002
j1 = [{"trial_type": "preload", "trial_index": 0, "task": None},
      response("j1", "t001", 0, "left", "left", 3, 812),
      response("j1", "t002", 1, "right", "left", 1, 1500),
      response("j1", "t003", 2, "right", "right", 2, 990)]
j2 = [response("j2", "t001", 0, "right", "right", 2, 700),
      response("j2", "t002", 1, "left", "left", 3, 650)]
with zipfile.ZipFile("jatos_results.zip", "w", compression=zipfile.ZIP_DEFLATED) as z:
    z.writestr("study_result_11/comp-result_21/data.txt", json.dumps(j1))
    z.writestr("study_result_12/comp-result_22/data.txt", json.dumps(j2))
    z.writestr("metadata.json", json.dumps({"data": []}))
