from techvalley.cli import main

main()
