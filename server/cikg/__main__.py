from cikg.cli import main

main()
