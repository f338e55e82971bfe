from tcoctl.console import main

main()
