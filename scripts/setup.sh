#!/usr/bin/env bash
# Installs what `npm run validate` and `npm test` need beyond node_modules, inside the repository
# (both folders are git-ignored):
#   .tools/bin/kubeconform                              the kubeconform pinned in scripts/schema/pins.json
#   .cache/schemas/kubernetes/v<version>-local-strict/  strict Kubernetes JSON schemas, from the pinned
#                                                       kubernetes-validate wheel (PyPI), for offline use
#   .tools/kustomize-batch/<hash>/kustomize-batch      the kustomize library rendering many overlays in
#                                                       one process (needs Go; kubectl kustomize otherwise)
#   dist/                                               the commands compiled to JavaScript (esbuild), which
#                                                       every npm script runs through scripts/start.sh, and
#                                                       validate's startup snapshot (dist/validate/snapshot)
# and says whether kubectl or kustomize (needed to render overlays) is missing.
#
# Idempotent; with everything in place it only checks and takes well under a second.
# Settings: TRIAGE_KUBERNETES_VERSION=1.33.0 (or a comma-separated list) installs those versions' schemas.
# Network: GitHub release download when reachable (checksum-verified), else `go install` through the Go
# module proxy; PyPI for the schemas. Every network step has a time limit.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
started=$SECONDS

say() { printf 'setup: %s\n' "$*"; }
fail() {
  printf 'setup: error: %s\n' "$*" >&2
  exit 1
}

command -v node >/dev/null 2>&1 || fail "node is missing (needed to read scripts/schema/pins.json); install Node.js >= 20.19"

# One pins file for this script and scripts/schema/settings.ts.
pin() { node -e 'const p=require(process.argv[1]);let v=p;for(const k of process.argv[2].split("."))v=v?.[k];if(typeof v!=="string")process.exit(1);process.stdout.write(v)' "$ROOT/scripts/schema/pins.json" "$1"; }

KUBECONFORM_VERSION="$(pin kubeconform.version)"
KUBECONFORM_MODULE="$(pin kubeconform.module)"
KUBECONFORM_URL="$(pin kubeconform.releaseUrl)"
KV_VERSION="$(pin kubernetesValidate.version)"
KV_SHA256="$(pin kubernetesValidate.sha256)"
K8S_VERSIONS="${TRIAGE_KUBERNETES_VERSION:-$(pin kubernetesVersion)}"

TOOLS_BIN="$ROOT/.tools/bin"
SCHEMA_ROOT="$ROOT/.cache/schemas/kubernetes"
DOWNLOADS="$ROOT/.cache/downloads"
mkdir -p "$TOOLS_BIN" "$SCHEMA_ROOT" "$DOWNLOADS"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

sha256_of() {
  if command -v sha256sum >/dev/null 2>&1; then sha256sum "$1" | cut -d' ' -f1; else shasum -a 256 "$1" | cut -d' ' -f1; fi
}

# --- kubeconform -------------------------------------------------------------------------------------

kubeconform_ok() { [[ -x "$1" ]] && [[ "$("$1" -v 2>/dev/null || true)" == "$KUBECONFORM_VERSION" ]]; }

platform() {
  local os arch
  os="$(uname -s | tr '[:upper:]' '[:lower:]')"
  arch="$(uname -m)"
  case "$arch" in
    x86_64 | amd64) arch=amd64 ;;
    aarch64 | arm64) arch=arm64 ;;
  esac
  printf '%s-%s' "$os" "$arch"
}

install_kubeconform_release() {
  local plat sha tarball
  plat="$(platform)"
  sha="$(pin "kubeconform.sha256.$plat" 2>/dev/null || true)"
  if [[ -z "$sha" ]]; then
    say "no pinned checksum for kubeconform-$plat.tar.gz; building from source instead"
    return 1
  fi
  command -v curl >/dev/null 2>&1 || return 1
  tarball="$work/kubeconform.tar.gz"
  # Fails within seconds where GitHub is unreachable (CI), so the go fallback starts at once.
  if ! curl -fsSL --connect-timeout 5 --max-time 120 -o "$tarball" "$KUBECONFORM_URL/kubeconform-$plat.tar.gz" 2>"$work/curl.err"; then
    say "GitHub release not reachable ($(head -n1 "$work/curl.err")); falling back to go install"
    return 1
  fi
  local actual
  actual="$(sha256_of "$tarball")"
  # A mismatch is not a network problem: stop rather than fall back.
  [[ "$actual" == "$sha" ]] || fail "kubeconform-$plat.tar.gz has sha256 $actual, pinned $sha: not installing it"
  tar -xzf "$tarball" -C "$work" kubeconform
  install -m 0755 "$work/kubeconform" "$TOOLS_BIN/kubeconform"
  say "kubeconform $KUBECONFORM_VERSION installed from the GitHub release (sha256 verified)"
}

install_kubeconform_go() {
  command -v go >/dev/null 2>&1 || return 1
  say "building kubeconform $KUBECONFORM_VERSION with go install (Go module proxy, checksum database verified)"
  # -X main.version stamps the version the release binary would report, so `-v` can be checked.
  GOBIN="$TOOLS_BIN" timeout 600 \
    go install -ldflags "-X main.version=$KUBECONFORM_VERSION" "$KUBECONFORM_MODULE@$KUBECONFORM_VERSION" ||
    fail "go install $KUBECONFORM_MODULE@$KUBECONFORM_VERSION failed (is the Go module proxy reachable?)"
  say "kubeconform $KUBECONFORM_VERSION installed with go install"
}

if kubeconform_ok "$TOOLS_BIN/kubeconform"; then
  say "kubeconform $KUBECONFORM_VERSION already in .tools/bin"
else
  install_kubeconform_release || install_kubeconform_go ||
    fail "cannot install kubeconform $KUBECONFORM_VERSION: GitHub releases are unreachable and Go is missing (install Go >= 1.22, or put kubeconform $KUBECONFORM_VERSION at .tools/bin/kubeconform)"
  kubeconform_ok "$TOOLS_BIN/kubeconform" ||
    fail ".tools/bin/kubeconform does not report $KUBECONFORM_VERSION after installing"
fi

# --- Kubernetes schemas ------------------------------------------------------------------------------

wheel="$DOWNLOADS/kubernetes_validate-$KV_VERSION-py3-none-any.whl"
# Bumped whenever extract_schemas writes the schemas differently, so old copies are redone.
SCHEMA_FORMAT=bundled-defs-1

fetch_wheel() {
  [[ -f "$wheel" && "$(sha256_of "$wheel")" == "$KV_SHA256" ]] && return 0
  command -v python3 >/dev/null 2>&1 || fail "python3 is missing: it downloads and unpacks the kubernetes-validate schemas"
  say "downloading kubernetes-validate $KV_VERSION from PyPI (hash-pinned)"
  printf 'kubernetes-validate==%s --hash=sha256:%s\n' "$KV_VERSION" "$KV_SHA256" >"$work/requirements.txt"
  timeout 300 python3 -m pip download --no-deps --only-binary=:all: --require-hashes \
    --disable-pip-version-check --no-input --timeout 30 --retries 2 \
    -r "$work/requirements.txt" -d "$work/wheel" >"$work/pip.log" 2>&1 ||
    fail "pip download of kubernetes-validate $KV_VERSION failed: $(tail -n 3 "$work/pip.log")"
  mv "$work/wheel/$(basename "$wheel")" "$wheel"
  [[ "$(sha256_of "$wheel")" == "$KV_SHA256" ]] || fail "$wheel does not match the pinned sha256"
}

# kubernetes-validate's schemas refer to their shared definitions as `/api/_definitions.json`, which a
# file location would resolve to the file system root, and carry `$id`s on kubernetes.io that would make
# kubeconform fetch them. Extract one version's strict directory and bundle into each kind's schema the
# definitions it reaches, referred to as `#/$defs/…`: kubeconform compiles every kind on its own, and
# parsing the shared 1.1 MB definitions file once per kind cost ~60 ms a kind, most of a small run.
extract_schemas() {
  local version="$1" dest="$2" tmp="$work/schemas-$1"
  python3 - "$wheel" "$version" "$tmp" <<'PY' || fail "cannot install the Kubernetes $version schemas"
import json, os, sys, zipfile

wheel, version, dest = sys.argv[1:4]
prefix = f"kubernetes_validate/kubernetes-json-schema/v{version}-local-strict/"
absolute = "/api/_definitions.json"

def local_refs(node, found):
    """Rewrites references into the definitions file as local `#/$defs/…` ones, collecting their names."""
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str) and "#/$defs/" in value:
                name = value.split("#/$defs/", 1)[1]
                found.add(name)
                out[key] = "#/$defs/" + name
            else:
                out[key] = local_refs(value, found)
        return out
    if isinstance(node, list):
        return [local_refs(value, found) for value in node]
    return node

with zipfile.ZipFile(wheel) as archive:
    names = [n for n in archive.namelist() if n.startswith(prefix) and n.endswith(".json")]
    if not names:
        available = sorted(
            {n.split("/")[2][1:-len("-local-strict")] for n in archive.namelist() if n.endswith("-local-strict/_definitions.json")},
            key=lambda v: tuple(int(p) for p in v.split(".")),
        )
        sys.exit(f"setup: kubernetes-validate has no schemas for Kubernetes {version}; it has {', '.join(available)}")
    definitions = json.loads(archive.read(prefix + "_definitions.json"))["$defs"]
    os.makedirs(dest, exist_ok=True)
    for name in names:
        base = name[len(prefix):]
        if base in ("_definitions.json", "all.json"):
            continue
        document = json.loads(archive.read(name))
        document.pop("$id", None)
        wanted = set()
        document = local_refs(document, wanted)
        bundled, pending = {}, list(wanted)
        while pending:
            ref = pending.pop()
            if ref in bundled:
                continue
            inner = set()
            bundled[ref] = local_refs(definitions[ref], inner)
            pending.extend(inner - bundled.keys())
        if bundled:
            document["$defs"] = {key: bundled[key] for key in sorted(bundled)}
        with open(os.path.join(dest, base), "w") as out:
            json.dump(document, out, separators=(",", ":"))
PY
  local count
  count="$(find "$tmp" -name '*.json' | wc -l | tr -d ' ')"
  printf '%s %s\n' "$KV_VERSION" "$SCHEMA_FORMAT" >"$tmp/.kubernetes-validate-version"
  rm -rf "$dest"
  mv "$tmp" "$dest"
  say "Kubernetes $version schemas installed in ${dest#"$ROOT"/} ($count files)"
}

IFS=',' read -r -a versions <<<"$K8S_VERSIONS"
for raw in "${versions[@]}"; do
  version="${raw// /}"
  version="${version#v}"
  [[ "$version" =~ ^[0-9]+\.[0-9]+$ ]] && version="$version.0"
  [[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || fail "TRIAGE_KUBERNETES_VERSION: '$raw' is not a version like 1.33.0"
  dest="$SCHEMA_ROOT/v$version-local-strict"
  if [[ -f "$dest/.kubernetes-validate-version" && "$(cat "$dest/.kubernetes-validate-version")" == "$KV_VERSION $SCHEMA_FORMAT" ]]; then
    say "Kubernetes $version schemas already in ${dest#"$ROOT"/}"
    continue
  fi
  fetch_wheel
  extract_schemas "$version" "$dest"
done

# --- renderers -------------------------------------------------------------------------------------

# kustomize-batch: the kustomize library (the version scripts/render/kustomize-batch/go.mod pins)
# rendering every overlay in one process, where kubectl would start once per overlay. Built under a
# name made from its sources' hash, the one scripts/render/tools.ts looks for, so a stale build is
# never found. Without Go, validate renders with kustomize or kubectl instead, one process per overlay.
BATCH_SRC="$ROOT/scripts/render/kustomize-batch"
batch_hash="$(cd "$BATCH_SRC" && cat main.go go.mod go.sum default.pgo | sha256_of /dev/stdin | cut -c1-16)"
BATCH_BIN="$ROOT/.tools/kustomize-batch/$batch_hash/kustomize-batch"
batch_built=false
if [[ -x "$BATCH_BIN" ]]; then
  say "kustomize-batch $batch_hash already built"
  batch_built=true
elif command -v go >/dev/null 2>&1; then
  say "building kustomize-batch (Go module proxy, checksum database verified)"
  mkdir -p "$(dirname "$BATCH_BIN")"
  if (cd "$BATCH_SRC" && timeout 900 go build -trimpath -o "$BATCH_BIN.partial" .) >"$work/batch.log" 2>&1; then
    mv "$BATCH_BIN.partial" "$BATCH_BIN"
    # Builds of older sources are never run again.
    find "$ROOT/.tools/kustomize-batch" -mindepth 1 -maxdepth 1 -type d ! -name "$batch_hash" -exec rm -rf {} +
    say "kustomize-batch $batch_hash built ($("$BATCH_BIN" -version))"
    batch_built=true
  else
    say "kustomize-batch did not build, so validate will start kustomize once per overlay: $(tail -n 3 "$work/batch.log")"
  fi
else
  say "Go is missing, so validate will start kustomize once per overlay (slower); install Go >= 1.22 and rerun to build kustomize-batch"
fi

# --- compiled commands -----------------------------------------------------------------------------

# scripts/start.mjs also rebuilds a stale dist/ on its own; building here keeps the first command fast.
# After kustomize-batch: validate's startup snapshot (scripts/build/snapshot.mjs) is warmed by
# validate runs on this repository's overlays, which should render the way users' runs do.
[[ -d node_modules/esbuild ]] || fail "node_modules/esbuild is missing: run npm ci first"
node scripts/build/build.mjs --if-stale | sed 's/^build: /setup: /' || fail "cannot compile the commands into dist/ (see above)"

missing=()
if [[ "$batch_built" == true ]]; then
  say "kustomize: kustomize-batch renders the overlays (KUSTOMIZE=<binary> renders with that CLI instead)"
elif command -v kustomize >/dev/null 2>&1; then
  say "kustomize: $(kustomize version 2>/dev/null | head -n1)"
elif command -v kubectl >/dev/null 2>&1; then
  say "kubectl: $(kubectl version --client 2>/dev/null | tr '\n' ' ')"
else
  missing+=("kubectl >= 1.27 or kustomize v5 (renders the overlays): https://kubernetes.io/docs/tasks/tools/")
fi

if ((${#missing[@]} > 0)); then
  for item in "${missing[@]}"; do printf 'setup: missing: %s\n' "$item" >&2; done
  fail "setup incomplete"
fi
say "done in $((SECONDS - started)) s"
