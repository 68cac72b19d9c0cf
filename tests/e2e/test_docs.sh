#!/usr/bin/env bash
# docs/rules.md is generated from the rule tables (make docs): it must be what the tables say now,
# and the generator must refuse notes for rules that do not exist.
. "$(dirname "$0")/lib.sh"
DUMP=$BUILD/gen/rules_dump

t_rules_md_matches_the_tables() {
    [ -x "$DUMP" ] || { fail "$DUMP not built (make test builds it)"; return; }
    run python3 "$ROOT/docs/gen/rules_md.py" "$DUMP" --check
    expect_rc 0
}

t_every_table_rule_is_in_rules_md() {
    local id missing=0
    while read -r id; do
        grep -q -- "$id" "$ROOT/docs/rules.md" || { fail "$id missing from docs/rules.md"; missing=1; }
    done < <("$DUMP" | sed -n 's/.*"id":"\([^"]*\)".*/\1/p')
    [ "$missing" -eq 0 ]
}

t_stale_docs_are_caught() {
    # A copy of the tree's docs with one row changed must fail the check.
    mkdir -p docs/gen
    cp "$ROOT/docs/gen/rules_md.py" "$ROOT/docs/gen/rules.md.in" "$ROOT/docs/gen/rule-notes.tsv" docs/gen/
    sed 's/^| RT001 | critical |/| RT001 | low |/' "$ROOT/docs/rules.md" >docs/rules.md
    run python3 docs/gen/rules_md.py "$DUMP" --check
    expect_rc 1
    expect_err "stale"
}

t_notes_for_unknown_rules_are_refused() {
    mkdir -p docs/gen
    cp "$ROOT/docs/gen/rules_md.py" "$ROOT/docs/gen/rules.md.in" docs/gen/
    { cat "$ROOT/docs/gen/rule-notes.tsv"; printf 'runtime\tRT999\tno such rule\n'; } >docs/gen/rule-notes.tsv
    cp "$ROOT/docs/rules.md" docs/rules.md
    run python3 docs/gen/rules_md.py "$DUMP" --check
    expect_rc 1
    expect_err "RT999: no such rule"
}

e2e_main
