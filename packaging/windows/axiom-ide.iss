; Inno Setup script: installs dist\axiom-ide\ (the onedir bundle) per user or for all users,
; with a Start-menu entry, an optional desktop icon, the .flow.yaml association and an uninstaller.
; Build: packaging\build_windows.ps1 (runs PyInstaller, then ISCC.exe with /DAppVersion=<version>).
#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif
#define AppName "Axiom IDE"
; the CLI (a console program) and the GUI (windowed: no console window beside the IDE)
#define AppExe "axiom-ide.exe"
#define AppGuiExe "axiom-ide-gui.exe"

[Setup]
AppId={{6B1E4E0A-7A5C-4C8E-9F0B-2D4A1C3E5F70}
AppName={#AppName}
AppVersion={#AppVersion}
AppPublisher=Axiom IDE maintainers
DefaultDirName={autopf}\Axiom IDE
DefaultGroupName={#AppName}
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir=..\..\dist
OutputBaseFilename=axiom-ide-{#AppVersion}-setup
SetupIconFile=..\..\resources\icons\axiom-ide.ico
UninstallDisplayIcon={app}\{#AppGuiExe}
Compression=lzma2
SolidCompression=yes
WizardStyle=modern
LicenseFile=..\..\resources\licenses\README.md

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
Source: "..\..\dist\axiom-ide\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{group}\{#AppName}"; Filename: "{app}\{#AppGuiExe}"; Parameters: "gui"; IconFilename: "{app}\{#AppGuiExe}"
Name: "{group}\Uninstall {#AppName}"; Filename: "{uninstallexe}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppGuiExe}"; Parameters: "gui"; Tasks: desktopicon

[Registry]
Root: HKA; Subkey: "Software\Classes\.flow.yaml"; ValueType: string; ValueName: ""; ValueData: "AxiomIDE.Flow"; Flags: uninsdeletevalue
Root: HKA; Subkey: "Software\Classes\AxiomIDE.Flow\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """{app}\{#AppGuiExe}"" gui ""%1"""; Flags: uninsdeletekey

[Run]
; not runhidden: that would hide the IDE's window, now that no console window needs hiding
Filename: "{app}\{#AppGuiExe}"; Parameters: "gui"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent

[UninstallDelete]
; the bundle only; the user's data dir (%LOCALAPPDATA%\Axiom\axiom-ide) is theirs and stays
Type: filesandordirs; Name: "{app}\_internal"
