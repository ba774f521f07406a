#!/usr/bin/env bash
# check-layers.sh SRC_ROOT — fails if a file includes a layer above its own
# (design.md §3): base < store < table; base < lang; table, lang < graph <
# exec < api < cli, server.
set -u
root=${1:-.}
declare -A allowed=(
  [base]="base"
  [store]="base store"
  [table]="base store table"
  [lang]="base lang"
  [graph]="base store table lang graph"
  [exec]="base store table lang graph exec"
  [api]="base store table lang graph exec api"
  [cli]="base api cli"
  [server]="base api server"
)
bad=0
for layer in "${!allowed[@]}"; do
  dir="$root/src/$layer"
  [ -d "$dir" ] || continue
  while IFS= read -r line; do
    file=${line%%:*}
    inc=$(printf '%s' "$line" | sed -E 's/.*#include "(\.\.\/)?([a-z]+)\/.*/\2/')
    case " ${allowed[$layer]} " in
      *" $inc "*) ;;
      *) echo "layering: $file includes $inc (layer $layer may use: ${allowed[$layer]})"; bad=1 ;;
    esac
  done < <(grep -HE '#include "(\.\./)?[a-z]+/' "$dir"/*.[ch] 2>/dev/null)
done
[ $bad -eq 0 ] && echo "layering: ok"
exit $bad
