#!/bin/sh
# main-job.sh - the main job of the quick start, run on a bundled example.
set -eu
cd "$(dirname "$0")/.."
./cpolc --version
