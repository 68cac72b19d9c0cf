#!/usr/bin/env bash
# `make lint`: static analysis (cppcheck) over every source, then the layering check: a module may
# include only the modules docs/architecture.md's layer table allows, and nothing but cli/ and tests/
# includes cli/. usage: tests/lint.sh FILES...
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 2
status=0

# --- Layering -------------------------------------------------------------------------------
# module -> modules whose header it may include (itself always allowed). The order is
# docs/architecture.md's layer table: arrows point down it only. scanner/ is the front of the
# scanner family (scanner.h); each sub-folder is a module of its own.
declare -A allowed=(
    [common]=""
    [keys]="common"
    [detect]="common"
    [envcheck]="common detect"
    [vault]="common keys envcheck"
    [engine]="common"
    [scanner]="common"
    [scanner/runtime]="common detect scanner"
    [scanner/dockerfile]="common detect envcheck scanner"
    [scanner/image]="common detect envcheck engine scanner scanner/dockerfile scanner/packages"
    [scanner/compose]="common detect envcheck scanner scanner/runtime"
    [scanner/container]="common detect engine scanner scanner/runtime"
    [scanner/k8s]="common detect scanner scanner/runtime scanner/compose"
    [scanner/packages]="common engine scanner"
    [scanner/git]="common detect"
    [cli]="*"
)
modules="common keys detect envcheck vault engine scanner"
for d in scanner/*/; do
    d=${d%/}
    modules="$modules $d"
    if [ -z "${allowed[$d]+set}" ]; then
        echo "scanner: $d/ is not in tests/lint.sh's layer table; add it (and to docs/architecture.md)"
        status=1
    fi
done
modules="$modules cli"
header_module() { # header file name -> owning module, or empty
    local h=$1 m
    for m in $modules; do
        if [ -f "$m/$h" ]; then
            echo "$m"
            return
        fi
    done
}
layer_errors=0
for m in $modules; do
    for f in "$m"/*.c "$m"/*.h; do
        [ -f "$f" ] || continue
        while IFS=: read -r line inc; do
            h=$(sed -n 's/.*#include *"\([^"]*\)".*/\1/p' <<<"$inc")
            [ -n "$h" ] || continue
            owner=$(header_module "$(basename "$h")")
            [ -n "$owner" ] || continue # generated or system header
            [ "$owner" = "$m" ] && continue
            case " ${allowed[$m]} " in
            *" $owner "* | " * ")
                case $h in *_internal.h)
                    echo "$f:$line: layering: includes $h, internal to $owner/"
                    layer_errors=$((layer_errors + 1))
                    ;;
                esac
                ;;
            *)
                echo "$f:$line: layering: $m/ may not include $owner/ ($h); allowed: ${allowed[$m]:-none}"
                layer_errors=$((layer_errors + 1))
                ;;
            esac
        done < <(grep -n '#include *"' "$f")
    done
done
if [ "$layer_errors" -gt 0 ]; then
    echo "lint: $layer_errors layering violation(s)"
    status=1
else
    echo "lint: layering ok"
fi

# --- cppcheck -------------------------------------------------------------------------------
files=("$@")
[ ${#files[@]} -gt 0 ] || mapfile -t files < <(for m in $modules; do ls "$m"/*.c 2>/dev/null; done)
incs=()
for m in $modules; do incs+=(-I "$m"); done
if ! cppcheck --quiet --std=c11 --enable=warning,style,performance,portability \
    --error-exitcode=1 --inline-suppr --suppress=missingIncludeSystem \
    --suppress=unusedStructMember --suppress=constParameter --suppress=constVariable \
    --suppress=constParameterCallback --suppress=variableScope --suppress=knownConditionTrueFalse \
    -D_GNU_SOURCE -DSUITE_VERSION='"lint"' -I /usr/include/cjson "${incs[@]}" -j 2 \
    "${files[@]}"; then
    echo "lint: cppcheck found problems"
    status=1
else
    echo "lint: cppcheck ok (${#files[@]} files)"
fi
exit $status
