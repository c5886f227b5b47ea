from socialhub.cli import main

raise SystemExit(main())
