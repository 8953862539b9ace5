#!/bin/sh
# Re-executes the notebooks against the local build and saves their outputs (text and figures) in them.
# The test suite checks that a fresh run still gives these outputs (tests/StabilityLab.Tests/Notebooks).
set -e
cd "$(dirname "$0")/.."
dotnet build -c Release
STABILITYLAB_WRITE_NOTEBOOKS=1 dotnet test -c Release --no-build --filter "FullyQualifiedName~NotebookTests.RunsTopToBottom"
