from quiz.cli.main import main

raise SystemExit(main())
