#!/usr/bin/env pwsh
# Bootstrap: rebuild the host only when a source changed since the last build, then run it.
# The host is compiled ahead of time (ReadyToRun) for this machine's runtime, as build.sh does: a faster warm start.
$ErrorActionPreference = 'Stop'

$root = $PSScriptRoot
$hostDir = Join-Path $root '.twisterlab/host'
$stamp = Join-Path $hostDir '.built'

function Test-Stale {
    if (-not (Test-Path $stamp)) { return $true }
    $builtAt = (Get-Item -Force $stamp).LastWriteTimeUtc
    $sources = @('build', 'tasks', 'embedded', 'sim') | ForEach-Object { Join-Path $root $_ } | Where-Object { Test-Path $_ } |
        ForEach-Object { Get-ChildItem -Path $_ -Recurse -File -Include '*.cs', '*.csproj', '*.props', '*.json' } |
        Where-Object { $_.FullName -notmatch '[\\/](bin|obj)[\\/]' }
    $sources += @('Directory.Build.props', 'Cake.References.props', 'global.json') | ForEach-Object { Get-Item (Join-Path $root $_) }
    return [bool]($sources | Where-Object { $_.LastWriteTimeUtc -gt $builtAt } | Select-Object -First 1)
}

# Servers a rehearsal, the tests or the embedded world start (a no-op for every other target); the script is bash,
# so only where bash is (Linux, macOS).
if (-not $IsWindows) {
    & bash (Join-Path $root 'scripts/prerequisites.sh') @args
    if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
}

if (Test-Stale) {
    Write-Host 'Building the build host...'
    & dotnet publish (Join-Path $root 'build/Build.csproj') --configuration Release --use-current-runtime --self-contained false `
        -p:PublishReadyToRun=true -p:TwisterLabBuildHost=true --output $hostDir --nologo --verbosity quiet
    if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
    New-Item -ItemType File -Force -Path $stamp | Out-Null
}

# The user's directory, where a relative --kubeconfig is read (the host runs in the repository).
$env:TWISTERLAB_CALLER_DIR = (Get-Location).Path
Push-Location $root
try {
    & dotnet (Join-Path $hostDir 'twisterlab-build.dll') @args
    exit $LASTEXITCODE
}
finally {
    Pop-Location
}
