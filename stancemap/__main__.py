from stancemap.cli import main

main()
