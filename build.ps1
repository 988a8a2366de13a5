#!/usr/bin/env pwsh
# Bootstrap: rebuild the host only when a source or the way it is built changed since the last build, then run it.
# The host carries its own .NET, compiled ahead of time for this machine with the packages into one composite image,
# as build.sh builds it (its comment says why): a faster warm start, a few minutes to build once per machine.
$ErrorActionPreference = 'Stop'

$root = $PSScriptRoot
$hostDir = Join-Path $root '.twisterlab/host'
$stamp = Join-Path $hostDir '.built'
# The instruction sets the image is compiled for: this machine's, by the same flags as build.sh (its comment says why).
function Get-InstructionSet {
    if (-not (Test-Path '/proc/cpuinfo')) { return '' }
    $line = (Select-String -Path '/proc/cpuinfo' -Pattern '^flags' -List | Select-Object -First 1).Line
    $flags = " $(($line -split ':', 2)[1]) "
    $has = { param([string[]]$names) -not ($names | Where-Object { -not $flags.Contains(" $_ ") }) }
    if (& $has @('avx512f', 'avx512bw', 'avx512cd', 'avx512dq', 'avx512vl', 'avx2', 'bmi1', 'bmi2', 'fma', 'movbe')) { return 'x86-64-v4' }
    if (& $has @('avx2', 'bmi1', 'bmi2', 'fma', 'movbe')) { return 'x86-64-v3' }
    return ''
}
$isa = Get-InstructionSet

# How the host is published; a host built another way (or for another processor) is rebuilt. build.sh says the same
# words, so they share it.
$recipe = "self-contained composite ReadyToRun for $(if ($isa) { $isa } else { 'the default instruction sets' })"

# The host there was built this way (a first build, or one after the recipe changed, says it takes minutes).
function Test-BuiltThisWay { (Test-Path $stamp) -and (Get-Content -Raw $stamp).Trim() -eq $recipe }

function Test-Stale {
    if (-not (Test-BuiltThisWay)) { return $true }
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
    if (Test-BuiltThisWay) {
        Write-Host 'Building the build host...'
    }
    else {
        Write-Host 'Building the build host (the first build compiles .NET and the packages for this machine: a few minutes, once)...'
    }
    & dotnet publish (Join-Path $root 'build/Build.csproj') --configuration Release --use-current-runtime --self-contained true `
        -p:PublishReadyToRun=true -p:PublishReadyToRunComposite=true -p:TwisterLabBuildHost=true "-p:TwisterLabInstructionSet=$isa" `
        --output $hostDir --nologo --verbosity quiet
    if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
    Set-Content -Path $stamp -Value $recipe
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
