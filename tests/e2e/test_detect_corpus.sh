#!/usr/bin/env bash
# The detector's quality test on the generated corpus (tests/detect-corpus/gen.py): every rule's
# synthetic secret in every surrounding syntax, plus negatives, scanned by the real
# `scanner --path`; prints recall and false positives per rule family and fails below the
# thresholds (recall >= 98% and <= 2% of negatives flagged at low or above, per family), or when
# a value is printed in clear.
. "$(dirname "$0")/lib.sh"

MIN_RECALL=${DETECT_MIN_RECALL:-0.98}
MAX_FP=${DETECT_MAX_FP:-0.02}

t_corpus_recall_and_false_positives() {
    python3 "$ROOT/tests/detect-corpus/gen.py" corpus >gen.log 2>&1 || {
        fail "gen.py failed: $(tail -5 gen.log)"
        return
    }
    cat gen.log
    run "$SCANNER" --path corpus/cases --format json -q
    [ "$RC" -le 1 ] || fail "scanner exit status $RC: ${ERR:0:300}"
    cp "$TMP/.out" report.json
    python3 "$ROOT/tests/detect-corpus/evaluate.py" corpus report.json "$MIN_RECALL" "$MAX_FP" \
        >eval.log 2>&1
    rc=$?
    sed 's/^/    /' eval.log
    [ "$rc" -eq 0 ] || fail "below the quality thresholds (see above)"
    grep -q '^all ' eval.log || fail "no summary line"
}

# The evaluator can fail: a report that misses a positive and flags a negative is caught.
t_evaluator_catches_a_miss() {
    python3 "$ROOT/tests/detect-corpus/gen.py" corpus >/dev/null 2>&1 || {
        fail "gen.py failed"
        return
    }
    printf '{"findings": []}\n' >empty.json
    python3 "$ROOT/tests/detect-corpus/evaluate.py" corpus empty.json "$MIN_RECALL" "$MAX_FP" \
        >eval.log 2>&1 && fail "an empty report passed the thresholds"
    grep -q 'below the thresholds' eval.log || fail "no family reported below the thresholds"
}

# ... and a report that prints the values (--show-secrets) is caught too.
t_evaluator_catches_a_leak() {
    python3 "$ROOT/tests/detect-corpus/gen.py" corpus >/dev/null 2>&1 || {
        fail "gen.py failed"
        return
    }
    "$SCANNER" --path corpus/cases --format json -q --show-secrets >shown.json
    python3 "$ROOT/tests/detect-corpus/evaluate.py" corpus shown.json "$MIN_RECALL" "$MAX_FP" \
        >eval.log 2>&1 && fail "a report with values in clear passed"
    grep -q 'values printed in clear' eval.log || fail "no leak reported: $(tail -3 eval.log)"
}

e2e_main
