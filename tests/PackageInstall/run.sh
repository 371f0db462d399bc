#!/usr/bin/env bash
# The package as users install it (issue 12). Packs Rnn.Extensions.ML into a local folder feed, then for each Microsoft.ML
# version asked for creates a fresh console app in a temporary folder (outside the repository: none of its build files
# apply; no project reference), adds Microsoft.ML and Rnn.Extensions.ML with `dotnet add package` from that feed plus the
# normal registry, and runs Program.cs, which checks the .nupkg and .snupkg contents and metadata, then trains, saves,
# loads and predicts.
#
#   bash tests/PackageInstall/run.sh [Microsoft.ML version...]   (default: 6.0.0, what `dotnet add package Microsoft.ML`
#                                                                 gives today; 5.0.1 is the other supported one)
# Exits non-zero on any failure. .ci/run runs it with 6.0.0 and 5.0.1.
set -euo pipefail
cd "$(dirname "$0")/../.."
repo="$PWD"
versions=("$@")
[ ${#versions[@]} -gt 0 ] || versions=(6.0.0)
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

work="$(mktemp -d)"
# A version of its own for each run, so that the global packages folder never serves an earlier build of the package;
# that folder's copy is removed on the way out.
version="1.0.0-local.$(date +%s).$$"
packages="${NUGET_PACKAGES:-$HOME/.nuget/packages}"
trap 'rm -rf "$work" "$packages/rnn.extensions.ml/$version"' EXIT

echo "package-install: dotnet pack (Rnn.Extensions.ML $version)"
dotnet pack src/Microsoft.ML.Rnn -c Release -o "$work/feed" -p:PackageVersion="$version" -v quiet -nologo

for mlnet in "${versions[@]}"; do
  app="$work/app-$mlnet"
  mkdir "$app"
  cd "$app"
  # The local feed beside the user's own sources (no <clear/>: the registry the machine is configured with stays).
  cat > nuget.config <<XML
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <add key="local-rnn" value="$work/feed" />
  </packageSources>
</configuration>
XML
  echo "package-install: a fresh console app, Microsoft.ML $mlnet and Rnn.Extensions.ML from the feed"
  dotnet new console --name PackageInstallApp --output . --force >/dev/null
  dotnet add package Microsoft.ML --version "$mlnet" >/dev/null
  dotnet add package Rnn.Extensions.ML --version "$version" >/dev/null
  cp "$repo/tests/PackageInstall/Program.cs" Program.cs
  if grep -q "ProjectReference" PackageInstallApp.csproj; then
    echo "package-install: the app has a project reference"; exit 1
  fi

  echo "package-install: dotnet run"
  dotnet run -c Release -- "$work/feed/Rnn.Extensions.ML.$version.nupkg" "$work/feed/Rnn.Extensions.ML.$version.snupkg" "$mlnet"
  echo "package-install: passed (Microsoft.ML $mlnet)"
done
