#!/usr/bin/env bash
# The detector's quality test on the generated corpus (tests/detect-corpus/gen.py): every rule's
# synthetic secret in every surrounding syntax, plus negatives, scanned by the real
# `scanner --path`; prints recall and false positives per rule family and fails below the
# thresholds (recall >= 98% and <= 2% of negatives flagged at low or above, per family), or when
# a value is printed in clear. The corpus is generated once (35k small files are slow to write).
. "$(dirname "$0")/lib.sh"

MIN_RECALL=${DETECT_MIN_RECALL:-0.98}
MAX_FP=${DETECT_MAX_FP:-0.02}

t_corpus_recall_false_positives_and_leaks() {
    python3 "$ROOT/tests/detect-corpus/gen.py" corpus >gen.log 2>&1 || {
        fail "gen.py failed: $(tail -5 gen.log)"
        return
    }
    sed 's/^/    /' gen.log
    run "$SCANNER" --path corpus/cases --format json -q
    [ "$RC" -le 1 ] || fail "scanner exit status $RC: ${ERR:0:300}"
    cp "$TMP/.out" report.json
    python3 "$ROOT/tests/detect-corpus/evaluate.py" corpus report.json "$MIN_RECALL" "$MAX_FP" \
        >eval.log 2>&1
    rc=$?
    sed 's/^/    /' eval.log
    [ "$rc" -eq 0 ] || fail "below the quality thresholds (see above)"
    grep -q '^all ' eval.log || fail "no summary line"

    # The evaluator can fail: a report that finds nothing misses every positive ...
    printf '{"findings": []}\n' >empty.json
    python3 "$ROOT/tests/detect-corpus/evaluate.py" corpus empty.json "$MIN_RECALL" "$MAX_FP" \
        >eval2.log 2>&1 && fail "an empty report passed the thresholds"
    grep -q 'below the thresholds' eval2.log || fail "no family reported below the thresholds"
    # ... and a report with the values in it (--show-secrets) leaks them.
    "$SCANNER" --path corpus/cases --format json -q --show-secrets >shown.json
    python3 "$ROOT/tests/detect-corpus/evaluate.py" corpus shown.json "$MIN_RECALL" "$MAX_FP" \
        >eval3.log 2>&1 && fail "a report with values in clear passed"
    grep -q 'values printed in clear' eval3.log || fail "no leak reported: $(tail -3 eval3.log)"
}

e2e_main
