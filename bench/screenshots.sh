#!/usr/bin/env bash
# Renders the dashboard screenshots the README shows: runs the browser tests (headless Chromium, see README), which
# save one screenshot per scenario under target/screenshots/, and copies two of them to docs/screenshots/.
# Needs Debian's chromium and chromium-driver (apt-get install -y chromium chromium-driver).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
./mvnw -B -q test -Dtest='dev.caravan.dashboard.DashboardTest' -Dsurefire.failIfNoSpecifiedTests=false
mkdir -p docs/screenshots
cp target/screenshots/DashboardTest-theRunPageShowsHowTheModelWasJudged.png docs/screenshots/run.png
cp target/screenshots/DashboardTest-aDrawnSevenIsRecognisedByTheServingModel.png docs/screenshots/try.png
ls -l docs/screenshots/
