#!/bin/sh
# Re-makes the README's images from a fresh run: the plan charts (docs/images/plan-*.png), the
# top of a plan report and a compare page, rendered at 1280 px by headless Chromium
# (docs/images/report-top.png, docs/images/compare.png).
#
#   docs/screenshots.sh                          # builds the release binary first
#   SPOTSIM=target/debug/spotsim docs/screenshots.sh
#
# Needs /usr/bin/chromium (Debian: apt-get install chromium) or CHROMIUM=path.
set -eu
cd "$(dirname "$0")/.."
if [ -z "${SPOTSIM:-}" ]; then
    cargo build --release --quiet
    SPOTSIM=target/release/spotsim
fi
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$SPOTSIM" plan --quiet --output "$work/plan" > /dev/null
"$SPOTSIM" compare scenarios/default.toml scenarios/weibull-gpu.toml \
    --trials 10000 --seed 1 --output "$work/compare" > /dev/null
cp "$work/plan/plan-completion.png" "$work/plan/plan-cost.png" docs/images/

shot() { # page, height, output
    "$CHROMIUM" --headless --no-sandbox --disable-gpu --hide-scrollbars --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --user-data-dir="$work/profile" --window-size="1280,$2" \
        --screenshot="$3" "file://$1" 2> /dev/null
}
shot "$work/plan/report.html" 1100 docs/images/report-top.png
shot "$work/compare/report.html" 1500 docs/images/compare.png
echo "docs/images: plan-completion.png plan-cost.png report-top.png compare.png"
