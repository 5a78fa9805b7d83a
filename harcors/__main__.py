from harcors.cli import main

raise SystemExit(main())
