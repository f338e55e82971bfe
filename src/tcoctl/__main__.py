from tcoctl.cli import main

main()
