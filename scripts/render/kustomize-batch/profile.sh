#!/usr/bin/env bash
# Writes default.pgo, the CPU profile `go build` uses for profile-guided optimisation of
# kustomize-batch (Go >= 1.21 picks up default.pgo in the main package's directory by itself).
# Run it again after changing main.go or the kustomize version in go.mod:
#   bash scripts/render/kustomize-batch/profile.sh
#
# What is profiled: kustomize-batch built without a profile, rendering this repository's overlays
# and trees made by scripts/bench/generate-tree.ts in other shapes than the bench measures (3
# overlays of 300 objects, 20 overlays of 10), so the profile holds kustomize's own hot paths
# (resource ids, name references, patches, YAML walks) rather than one tree's. The profile is
# data about our build, not code: setup hashes it with the sources, so a new one rebuilds.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../../.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

(cd "$HERE" && go build -trimpath -pgo=off -o "$work/kustomize-batch" .)
cd "$ROOT"
npx tsx --eval '
  import { generateTree } from "./scripts/bench/generate-tree.ts";
  const [deep, wide] = process.argv.slice(-2);
  generateTree(deep, 3, 30);
  generateTree(wide, 20, 1);
' "$work/deep" "$work/wide"

profiles=()
run() { # run NAME DIR OVERLAY... : one kustomize-batch over those overlays, three times over
  local name="$1" dir="$2"
  shift 2
  for round in 1 2 3; do
    printf '{"dir":"%s"}\n' "$@" |
      (cd "$dir" && "$work/kustomize-batch" -cpuprofile "$work/$name-$round.pprof" >/dev/null)
    profiles+=("$work/$name-$round.pprof")
  done
}
run repository "$ROOT" overlays/dev overlays/prod
run deep "$work/deep" overlays/env0 overlays/env1 overlays/env2
run wide "$work/wide" $(cd "$work/wide" && ls -d overlays/*)

go tool pprof -proto "${profiles[@]}" >"$work/merged.pgo"
mv "$work/merged.pgo" "$HERE/default.pgo"
echo "profile.sh: wrote $HERE/default.pgo ($(wc -c <"$HERE/default.pgo") bytes, ${#profiles[@]} runs)"
