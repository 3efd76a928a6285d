from axiom_ide.cli.main import main

raise SystemExit(main())
