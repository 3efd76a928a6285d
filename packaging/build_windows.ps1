# Build the Windows onedir bundle (dist\axiom-ide\) and the installer (dist\axiom-ide-<v>-setup.exe).
# Needs: Python >= 3.11 with `pip install -e .[packaging]`, Inno Setup 6 (ISCC.exe on PATH or in its
# default folder). Run from anywhere: powershell -File packaging\build_windows.ps1
$ErrorActionPreference = "Stop"
Set-Location (Join-Path $PSScriptRoot "..")
$py = if ($env:PYTHON) { $env:PYTHON } else { "python" }
$version = & $py -c "import axiom_ide; print(axiom_ide.__version__)"
& $py -m PyInstaller --noconfirm --log-level WARN --distpath dist --workpath build\pyinstaller packaging\axiom-ide.spec
if ($LASTEXITCODE -ne 0) { throw "PyInstaller failed" }
& dist\axiom-ide\axiom-ide.exe --version
if ($LASTEXITCODE -ne 0) { throw "the frozen app does not start" }
# the windowed GUI executable the Start-menu entry runs (it has no console to print --version to)
if (-not (Test-Path dist\axiom-ide\axiom-ide-gui.exe)) { throw "dist\axiom-ide\axiom-ide-gui.exe is missing" }
$iscc = (Get-Command ISCC.exe -ErrorAction SilentlyContinue).Source
if (-not $iscc) { $iscc = "${env:ProgramFiles(x86)}\Inno Setup 6\ISCC.exe" }
& $iscc "/DAppVersion=$version" packaging\windows\axiom-ide.iss
if ($LASTEXITCODE -ne 0) { throw "ISCC failed" }
Write-Output "installer: dist\axiom-ide-$version-setup.exe"
